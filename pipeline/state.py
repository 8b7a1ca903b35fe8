"""State store: what earlier runs saw of each URL, in one SQLite file.

One run at a time: `StateStore.open` takes an exclusive lock on a file beside
the database before touching it (pipeline/lockfile.py), and a second run fails
at once with StateBusy naming the holder. The lock is an flock, so the OS drops
it when the holder dies; a killed run never blocks the next.

Faults are named: a full or failing disk is a StorageError, a damaged file (a
corrupt page, a truncated or zero-length file) StateDamaged, raised by the
first statement that meets it. A new store is built under a temporary name and
renamed into place, so an empty `state.sqlite` is never one of ours: it is
refused, not taken as a fresh store (which would write every record again).
`check` looks at every page; `rebuild` sets a damaged file aside and makes a
new store of what can still be read from it and from the run folders' records.

Every write is its own small transaction, committed before the method returns
(autocommit, WAL, synchronous=NORMAL: a killed process loses nothing written,
only a power cut can lose the last few commits). So a run stopped half-way is
picked up by the next one from what is already here.

Order for one URL (sources/web.py): `get`, then `is_due` and `validators` of
what it returned -> fetch, conditionally -> `record_fetch` / `record_not_modified` /
`record_failure` -> extract ->
`classify` -> write the record if new or changed -> `record_extracted`.
Validators (ETag, Last-Modified) are only offered once the body they belong to
has reached `record_extracted`; a run killed between fetch and extraction thus
refetches in full next time instead of getting a 304 for content it never
extracted.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Literal

from pipeline import sqlite
from pipeline.errors import ConfigError, Reason, StateBusy, StateDamaged, StateError, StorageError
from pipeline.lockfile import acquire, lock_path, release

Change = Literal["new", "changed", "unchanged", "duplicate"]

LOCK_SUFFIX = ".lock"

# _MIGRATIONS[n] takes a database from user_version n to n + 1.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE urls (
        url TEXT PRIMARY KEY,
        canonical_url TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        pending_extract INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        next_retry TEXT,
        given_up_reason TEXT
    );
    CREATE INDEX urls_content_hash ON urls (content_hash);
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        counts TEXT
    );
    """,
    # The outbox: a record is staged here in the same transaction that marks its URL
    # extracted, then appended to articles.jsonl and cleared; a record staged by a
    # killed run is delivered by the next one, so none is lost or written twice.
    """
    CREATE TABLE outbox (
        url TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        record_id TEXT NOT NULL,
        record TEXT NOT NULL
    );
    """,
    # The reason of the latest failure, so `pipeline state` can show and reset by it.
    """
    ALTER TABLE urls ADD COLUMN last_error TEXT;
    """,
    # What each source gave: a feed that goes dry is noticed (pipeline run exits 3).
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        last_found INTEGER NOT NULL,
        last_run TEXT NOT NULL,
        gave_found INTEGER,
        gave_run TEXT
    );
    """,
    # Each run's field coverage per source (pipeline/coverage.py): a source whose
    # records lose their authors or half their words is noticed.
    """
    CREATE TABLE coverage (
        run_id TEXT NOT NULL,
        source TEXT NOT NULL,
        figures TEXT NOT NULL,
        PRIMARY KEY (run_id, source)
    );
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)


@dataclass(frozen=True, slots=True)
class StagedRecord:
    """A record in the outbox: which URL, which run staged it, the record itself."""

    url: str
    run_id: str
    record_id: str
    record: dict[str, object]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a failed URL is tried again, and when it is given up: the `[retry]`
    table of a run's config.

    attempts: failures in a row after which the URL is given up.
    backoff: the wait after the first failure; each further failure in a row
        doubles it (the n-th waits backoff * 2^(n-1)) before the URL is due again.
    backoff_cap: the longest wait.
    permanent: reason codes (of errors.jsonl) that give the URL up at its first
        failure.

    Any response (even a 304) ends a run of failures; `pipeline state --reset`
    makes given-up URLs due again.
    """

    attempts: int = 5
    backoff: timedelta = timedelta(hours=1)
    backoff_cap: timedelta = timedelta(days=7)
    permanent: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ConfigError(f"retry.attempts must be at least 1, got {self.attempts}")
        for name in ("backoff", "backoff_cap"):
            if getattr(self, name) < timedelta(0):
                raise ConfigError(f"retry.{name} must be at least 0 seconds")
        unknown = sorted(self.permanent - {str(reason) for reason in Reason})
        if unknown:
            raise ConfigError(
                f"retry.permanent: {', '.join(map(repr, unknown))} is not a reason code of "
                "errors.jsonl"
            )

    def delay(self, failures: int) -> timedelta:
        # Past 2^20 hours the cap has long won; bounding the exponent avoids overflow.
        return min(self.backoff * (1 << min(max(failures - 1, 0), 20)), self.backoff_cap)


DEFAULT_RETRY_POLICY = RetryPolicy()


@dataclass(frozen=True, slots=True)
class UrlState:
    """One row of `urls`: what the store knows of a URL."""

    url: str
    canonical_url: str | None
    first_seen: datetime
    last_seen: datetime
    last_status: int | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    pending_extract: bool
    failures: int
    next_retry: datetime | None
    given_up_reason: str | None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class SourceHistory:
    """A source's last count of URLs, and the latest run in which it gave any."""

    last_found: int
    last_run: str
    gave_found: int | None
    gave_run: str | None


@dataclass(frozen=True, slots=True)
class StateStats:
    """Counts over the whole store."""

    urls: int
    extracted: int
    failing: int
    given_up: int
    runs: int


class StateStore:
    """The state of every URL seen, owned by one run at a time. Use `StateStore.open`."""

    def __init__(
        self, path: Path, run_id: str, conn: sqlite3.Connection, lock_fd: int, policy: RetryPolicy
    ) -> None:
        self.path = path
        self.run_id = run_id
        self.policy = policy
        self._conn = conn
        self._lock_fd = lock_fd

    @classmethod
    def open(
        cls, path: str | Path, run_id: str, *, policy: RetryPolicy | None = None
    ) -> StateStore:
        """Lock, open (creating folder and schema) and return the store; raise StateError."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
        lock_fd = _lock(path, run_id)
        try:
            conn = _connect(path)
        except BaseException:
            release(lock_fd)
            raise
        return cls(path, run_id, conn, lock_fd, policy or DEFAULT_RETRY_POLICY)

    def close(self) -> None:
        if self._lock_fd < 0:
            return
        try:
            self._conn.close()
        except sqlite3.Error:  # a full disk at the last checkpoint: WAL keeps the writes
            pass
        finally:
            release(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # Reading

    def get(self, url: str) -> UrlState | None:
        with self._guard():
            row = self._conn.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()
        return None if row is None else _url_state(row)

    def classify(self, url: str, canonical_url: str | None, content_hash: str) -> Change:
        """How this extracted text compares with what the store knows.

        "unchanged" wins over "duplicate": a URL seen before with this very text is
        not a duplicate of itself, even if another URL has the text too.
        `canonical_url` is accepted for symmetry with `record_extracted`; the
        decision is by content hash alone, since canonical links are often wrong.
        """
        del canonical_url
        state = self.get(url)
        if state is not None and state.content_hash == content_hash:
            return "unchanged"
        if self.duplicate_of(url, content_hash) is not None:
            return "duplicate"
        if state is not None and state.content_hash is not None:
            return "changed"
        return "new"

    def duplicate_of(self, url: str, content_hash: str) -> str | None:
        """The first-seen other URL whose last extracted text has this hash, if any."""
        with self._guard():
            row = self._conn.execute(
                "SELECT url FROM urls WHERE content_hash = ? AND url != ?"
                " ORDER BY first_seen, url LIMIT 1",
                (content_hash, url),
            ).fetchone()
        return None if row is None else str(row[0])

    def failing(self, limit: int = 100) -> list[UrlState]:
        """URLs with failures, given up first, then the most failures, then by URL."""
        with self._guard():
            rows = self._conn.execute(
                "SELECT * FROM urls WHERE failures > 0"
                " ORDER BY given_up_reason IS NULL, failures DESC, url LIMIT ?",
                (limit,),
            ).fetchall()
        return [_url_state(row) for row in rows]

    def reasons(self) -> dict[str, int]:
        """Failing URLs by the reason of their latest failure."""
        with self._guard():
            rows = self._conn.execute(
                "SELECT last_error, count(*) FROM urls WHERE failures > 0 GROUP BY last_error"
            ).fetchall()
        return {str(reason): count for reason, count in rows}

    def reset(self, url: str | None = None, reason: str | None = None) -> int:
        """Make failing or given-up URLs due again: one URL, those whose latest failure
        had `reason`, or (neither given) all of them. Returns how many."""
        where, args = "failures > 0", []
        if url is not None:
            where, args = where + " AND url = ?", [url]
        if reason is not None:
            where, args = where + " AND last_error = ?", [*args, reason]
        with self._guard():
            cursor = self._conn.execute(
                "UPDATE urls SET failures = 0, next_retry = NULL, given_up_reason = NULL"
                f" WHERE {where}",
                args,
            )
        return cursor.rowcount

    def source_history(self, name: str) -> SourceHistory | None:
        """What a source gave in earlier runs, or None for one never seen."""
        with self._guard():
            row = self._conn.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        return SourceHistory(row["last_found"], row["last_run"], row["gave_found"], row["gave_run"])

    def record_source(self, name: str, found: int) -> None:
        """This run's count of the source's URLs; a non-zero one is also kept as the
        latest run that gave any."""
        gave = (found, self.run_id) if found else (None, None)
        with self._guard():
            self._conn.execute(
                "INSERT INTO sources (name, last_found, last_run, gave_found, gave_run)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                " last_found = excluded.last_found, last_run = excluded.last_run,"
                " gave_found = coalesce(excluded.gave_found, gave_found),"
                " gave_run = coalesce(excluded.gave_run, gave_run)",
                (name, found, self.run_id, *gave),
            )

    def record_coverage(self, source: str, figures: Mapping[str, float]) -> None:
        """This run's coverage figures of a source (pipeline/coverage.py)."""
        with self._guard():
            self._conn.execute(
                "INSERT INTO coverage (run_id, source, figures) VALUES (?, ?, ?)"
                " ON CONFLICT (run_id, source) DO UPDATE SET figures = excluded.figures",
                (self.run_id, source, json.dumps(dict(figures), sort_keys=True)),
            )

    def coverage_history(self, source: str, runs: int) -> list[tuple[str, dict[str, float]]]:
        """(run id, figures) of the source in its last `runs` earlier runs, newest first."""
        with self._guard():
            rows = self._conn.execute(
                "SELECT run_id, figures FROM coverage WHERE source = ? AND run_id != ?"
                " ORDER BY rowid DESC LIMIT ?",
                (source, self.run_id, runs),
            ).fetchall()
        return [(run_id, json.loads(text)) for run_id, text in rows]

    def stats(self) -> StateStats:
        with self._guard():
            urls, extracted, failing, given_up = self._conn.execute(
                "SELECT count(*), count(content_hash),"
                " coalesce(sum(failures > 0 AND given_up_reason IS NULL), 0),"
                " count(given_up_reason) FROM urls"
            ).fetchone()
            (runs,) = self._conn.execute("SELECT count(*) FROM runs").fetchone()
        return StateStats(urls, extracted, failing, given_up, runs)

    # Writing: one statement or one short transaction each, committed at once.

    def record_fetch(
        self,
        url: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
        now: datetime,
    ) -> None:
        """A response came: clear the failures and keep its validators for later."""
        self._upsert(
            url,
            now,
            last_status=status,
            etag=etag,
            last_modified=last_modified,
            pending_extract=1,
            **_NO_FAILURE,
        )

    def record_not_modified(self, url: str, now: datetime) -> None:
        """A 304: the content is what was extracted last time; clear the failures."""
        self._upsert(url, now, last_status=304, **_NO_FAILURE)

    def record_failure(
        self,
        url: str,
        reason: Reason | str,
        now: datetime,
        status: int | None = None,
        not_before: datetime | None = None,
    ) -> UrlState:
        """Count a failure and schedule the retry, or give up; return the new state.
        `not_before`: the server's own "not before" (Retry-After), which pushes the
        retry later than the backoff would, up to the policy's cap."""
        with self._transaction():
            state = self.get(url)
            failures = 1 if state is None else state.failures + 1
            final = failures >= self.policy.attempts or str(reason) in self.policy.permanent
            given_up = str(reason) if final else None
            wait = self.policy.delay(failures)
            if not_before is not None:
                wait = min(max(wait, not_before - now), max(self.policy.backoff_cap, wait))
            retry = None if given_up else _iso(now + wait)
            seen: dict[str, object] = {} if status is None else {"last_status": status}
            self._upsert(
                url,
                now,
                failures=failures,
                next_retry=retry,
                given_up_reason=given_up,
                last_error=str(reason),
                **seen,
            )
            new = self.get(url)
        assert new is not None
        return new

    def record_extracted(
        self, url: str, canonical_url: str | None, content_hash: str, now: datetime
    ) -> None:
        """The fetched body is extracted (and its record, if any, written): call this last."""
        self._upsert(
            url, now, canonical_url=canonical_url, content_hash=content_hash, pending_extract=0
        )

    def stage_record(
        self,
        url: str,
        canonical_url: str | None,
        content_hash: str,
        record: Mapping[str, object],
        now: datetime,
    ) -> None:
        """Mark the URL extracted and stage its record, in one transaction."""
        with self._transaction():
            self.record_extracted(url, canonical_url, content_hash, now)
            with self._guard():
                self._conn.execute(
                    "INSERT OR REPLACE INTO outbox (url, run_id, record_id, record)"
                    " VALUES (?, ?, ?, ?)",
                    (url, self.run_id, str(record["id"]), json.dumps(record, ensure_ascii=False)),
                )

    def clear_staged(self, *urls: str) -> None:
        """The staged records of `urls` are in the output now (one transaction)."""
        with self._transaction(), self._guard():
            self._conn.executemany("DELETE FROM outbox WHERE url = ?", [(u,) for u in urls])

    def staged(self) -> list[StagedRecord]:
        """Records staged but not known to be written (left by a killed run)."""
        with self._guard():
            rows = self._conn.execute(
                "SELECT url, run_id, record_id, record FROM outbox ORDER BY rowid"
            ).fetchall()
        return [StagedRecord(url, run, rid, json.loads(text)) for url, run, rid, text in rows]

    def start_run(self, now: datetime) -> None:
        """Note this run's start; a run id used again keeps its first start time."""
        with self._guard():
            self._conn.execute(
                "INSERT INTO runs (run_id, started) VALUES (?, ?)"
                " ON CONFLICT (run_id) DO UPDATE SET finished = NULL",
                (self.run_id, _iso(now)),
            )

    def finish_run(self, now: datetime, counts: Mapping[str, int]) -> None:
        with self._guard():
            self._conn.execute(
                "UPDATE runs SET finished = ?, counts = ? WHERE run_id = ?",
                (_iso(now), json.dumps(dict(counts), sort_keys=True), self.run_id),
            )

    def _upsert(self, url: str, now: datetime, **columns: object) -> None:
        """Insert the URL's row or update it: last_seen plus the named columns."""
        names = ("url", "first_seen", "last_seen", *columns)
        marks = ", ".join("?" * len(names))
        updates = ", ".join(f"{name} = excluded.{name}" for name in names[2:])
        sql = (
            f"INSERT INTO urls ({', '.join(names)}) VALUES ({marks})"
            f" ON CONFLICT (url) DO UPDATE SET {updates}"
        )
        with self._guard():
            self._conn.execute(sql, (url, _iso(now), _iso(now), *columns.values()))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._guard(), sqlite.transaction(self._conn):
            yield

    @contextmanager
    def _guard(self) -> Iterator[None]:
        if self._lock_fd < 0:
            raise StateError(f"state store {self.path} is closed")
        try:
            yield
        except sqlite3.Error as exc:
            raise fault(self.path, exc) from exc


def fault(path: Path, exc: sqlite3.Error, what: str = "state store") -> StateError | StorageError:
    """The named error for an sqlite3 error on the store at `path` (a damaged one
    says how to recover it)."""
    return sqlite.fault(path, exc, what, damaged if what == "state store" else None)


def damaged(path: Path, what: str) -> StateDamaged:
    return StateDamaged(
        f"state store {path} is damaged: {what}. `pipeline state CONFIG --check` looks at"
        " every page; `pipeline state CONFIG --rebuild` sets the file aside and builds a new"
        " store from what can still be read and from the run folders' records"
    )


def validators(state: UrlState | None) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of a URL's row to revalidate with, or Nones for a full
    fetch (never extracted, or fetched but not yet extracted)."""
    if state is None or state.pending_extract or state.content_hash is None:
        return None, None
    return state.etag, state.last_modified


def is_due(state: UrlState | None, now: datetime) -> bool:
    """Whether a URL's row says fetch it: never failed, or its retry time has come
    and it is not given up."""
    _aware(now)
    if state is None or state.failures == 0:
        return True
    if state.given_up_reason is not None:
        return False
    return state.next_retry is None or state.next_retry <= now


# A response, even a 304, ends a run of failures.
_NO_FAILURE: dict[str, object] = {"failures": 0, "next_retry": None, "given_up_reason": None}


def _url_state(row: sqlite3.Row) -> UrlState:
    retry = row["next_retry"]
    return UrlState(
        url=row["url"],
        canonical_url=row["canonical_url"],
        first_seen=datetime.fromisoformat(row["first_seen"]),
        last_seen=datetime.fromisoformat(row["last_seen"]),
        last_status=row["last_status"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        content_hash=row["content_hash"],
        pending_extract=bool(row["pending_extract"]),
        failures=row["failures"],
        next_retry=None if retry is None else datetime.fromisoformat(retry),
        given_up_reason=row["given_up_reason"],
        last_error=row["last_error"],
    )


def _iso(moment: datetime) -> str:
    # In UTC, so the text sorts in time order whatever zone the caller used.
    return _aware(moment).astimezone(UTC).isoformat()


def _aware(moment: datetime) -> datetime:
    # A naive time cannot be compared with the aware ones read back; refuse it.
    if moment.tzinfo is None:
        raise ValueError("state store times must be timezone-aware")
    return moment


def _lock(path: Path, run_id: str) -> int:
    """Take the run lock beside the database, or raise StateBusy naming its holder."""
    where = lock_path(path, LOCK_SUFFIX)
    return acquire(where, {"run_id": run_id}, StateBusy, StateError, f"state store {path}")


def _connect(path: Path) -> sqlite3.Connection:
    """Open the database in autocommit WAL mode and bring its schema up to date; a
    missing one is created first (under a temporary name, then renamed)."""
    if not path.exists():
        _create(path)
    elif path.is_file() and path.stat().st_size == 0:
        raise damaged(path, "the file is empty (0 bytes), as a crash or a full disk leaves it")
    try:
        conn = sqlite.open_wal(path, "state store")
    except sqlite3.DatabaseError as exc:
        raise _unusable(path, exc) from exc
    try:
        conn.row_factory = sqlite3.Row
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _unusable(path, exc) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _unusable(path: Path, exc: sqlite3.DatabaseError) -> StateError | StorageError:
    error = fault(path, exc)
    if type(error) is StateError:  # sqlite3 says "not a database" in many ways
        error = damaged(path, f"not a usable SQLite state store ({exc})")
    return error


def _create(path: Path) -> None:
    """A new, empty store at `path`, complete before it has its name."""
    temporary = path.with_name(path.name + ".new")
    for leftover in (temporary, *_companions(temporary)):
        leftover.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(temporary, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            _migrate(conn, path)
        finally:
            conn.close()
        os.replace(temporary, path)
    except sqlite3.Error as exc:
        raise fault(path, exc) from exc
    except OSError as exc:
        raise StorageError(f"cannot create the state store {path}: {exc.strerror or exc}") from exc


def _companions(path: Path) -> tuple[Path, ...]:
    """SQLite's files beside a database: its write-ahead log and shared memory."""
    return (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{path} has state schema {version}, newer than this version's {SCHEMA_VERSION}"
        )
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise StateError(f"{path} is an SQLite database but not a pipeline state store")
    for step in range(version, SCHEMA_VERSION):
        # executescript commits first, so the step and its version bump go in one BEGIN.
        conn.executescript(f"BEGIN; {_MIGRATIONS[step]} PRAGMA user_version = {step + 1}; COMMIT;")


def check(path: Path) -> list[str]:
    """What is wrong with the store at `path`, page by page (SQLite's integrity
    check); empty when it is sound or does not exist yet. Waits for no run: a store
    in use raises StateBusy."""
    path = Path(path)
    lock_fd = _lock(path, "pipeline-state-check")
    try:
        if not path.exists():
            return []
        if path.stat().st_size == 0:
            return ["the file is empty (0 bytes), as a crash or a full disk leaves it"]
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            return [str(exc)]
        try:
            rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
            (version,) = conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        finally:
            conn.close()
    finally:
        release(lock_fd)
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if not problems and version == 0:
        problems.append("not a pipeline state store (no schema version)")
    return problems


@dataclass(frozen=True, slots=True)
class KnownRecord:
    """A record an earlier run wrote, as `rebuild` reads it back from a run folder."""

    url: str
    canonical_url: str | None
    content_hash: str
    extracted_at: str


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """What `rebuild` did: where the old file went, the rows it could still read
    (by table), and the URLs it learnt from records alone."""

    aside: Path | None
    salvaged: dict[str, int]
    from_records: int


_SALVAGED_TABLES = ("urls", "runs", "sources", "outbox", "coverage")


def rebuild(path: Path, records: Iterable[KnownRecord]) -> Rebuilt:
    """Set the store at `path` aside (`<name>.damaged-<UTC time>`, with its WAL) and
    build a new one: every row still readable from the old file, then a row per
    record URL it lacked, marked extracted with the record's hash, so the next run
    does not write those records again (it refetches them in full: the validators
    are lost with the rows)."""
    path = Path(path)
    lock_fd = _lock(path, "pipeline-state-rebuild")
    try:
        aside = None
        if path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = path.with_name(f"{path.name}.damaged-{stamp}")
            try:
                for old, new in zip(
                    (path, *_companions(path)), (aside, *_companions(aside)), strict=True
                ):
                    if old.exists():
                        os.replace(old, new)
            except OSError as exc:
                raise StorageError(f"cannot set {path} aside: {exc.strerror or exc}") from exc
        conn = _connect(path)
        try:
            salvaged = _salvage(aside, conn) if aside is not None else {}
            learnt = _learn(conn, records)
        except sqlite3.Error as exc:
            raise fault(path, exc) from exc
        finally:
            conn.close()
    finally:
        release(lock_fd)
    return Rebuilt(aside, salvaged, learnt)


def _salvage(damaged_file: Path, into: sqlite3.Connection) -> dict[str, int]:
    """Copy each table's rows until the first unreadable page (the rest is lost)."""
    copied: dict[str, int] = {}
    if damaged_file.stat().st_size == 0:
        return copied
    try:
        old = sqlite3.connect(f"{damaged_file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return copied
    try:
        for table in _SALVAGED_TABLES:
            copied[table] = _copy_table(old, into, table)
    finally:
        old.close()
    return copied


def _copy_table(old: sqlite3.Connection, into: sqlite3.Connection, table: str) -> int:
    count = 0
    into.execute("BEGIN")
    try:
        cursor = old.execute(f"SELECT * FROM {table}")  # one of _SALVAGED_TABLES
        names = [column[0] for column in cursor.description]
        insert = (
            f"INSERT OR IGNORE INTO {table} ({', '.join(names)})"
            f" VALUES ({', '.join('?' * len(names))})"
        )
        for row in cursor:
            into.execute(insert, row)
            count += 1
    except sqlite3.DatabaseError:
        pass  # an unreadable page (or no such table): keep what came before it
    into.execute("COMMIT")
    return count


def _learn(conn: sqlite3.Connection, records: Iterable[KnownRecord]) -> int:
    learnt = 0
    conn.execute("BEGIN")
    for record in records:
        try:
            seen = _iso(datetime.fromisoformat(record.extracted_at.replace("Z", "+00:00")))
        except ValueError:
            seen = _iso(datetime.now(UTC))
        cursor = conn.execute(
            "INSERT OR IGNORE INTO urls (url, canonical_url, first_seen, last_seen, content_hash)"
            " VALUES (?, ?, ?, ?, ?)",
            (record.url, record.canonical_url, seen, seen, record.content_hash),
        )
        learnt += cursor.rowcount
    conn.execute("COMMIT")
    return learnt
