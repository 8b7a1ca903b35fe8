"""Near-duplicates across runs: MinHash LSH over word shingles, in one SQLite file.

    with NearDuplicates.open(near_path(state_path)) as index:
        match = index.check(record.id, record.text)   # Match | None
        ...                                           # write (duplicate_of) or skip
        index.add(record.id, record.text)             # for the records written

What counts as a near-duplicate. The text of a record is a set of word 5-grams
("shingles"); a new text nearly duplicates an earlier one when either
1. their Jaccard similarity (shared shingles / all shingles) is at least 0.8:
   a copy with light edits. Each changed word breaks up to 5 shingles on each
   side, so (N - 5e) / (N + 5e) >= 0.8 allows about one edited word in 45 (a
   syndicated copy: spelling, a dateline, a changed sentence); or
2. at least 0.9 of the shorter text's shingles are in the longer one, and their
   Jaccard is at least 0.6: one text is (nearly) all inside the other, which is
   at most about 1.67 times as long (for a text wholly inside another, Jaccard
   is the ratio of their sizes). That is a repost with its own intro and footer,
   or a copy cut short, whatever the article's length: an intro and footer of
   80 words put a 300-word article at Jaccard 0.77, under rule 1. The Jaccard
   floor keeps a teaser or a brief quoted in a longer article from counting as
   its duplicate.
Distinct articles, even on one subject, share almost no 5-grams (Jaccard well
under 0.1). The thresholds are `NearSettings` (threshold, containment,
containment_jaccard); they follow from the kinds of copy above, not from a fit
to the benchmarks, which only measure them (bench/near_duplicates.py). Setting
containment_jaccard to the threshold leaves rule 1 alone.

Tokens. The text is NFKC-normalised and case-folded; a token is a run of word
characters (`\\w+`: letters, digits, underscore, any script), except in scripts
written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar),
where every character is a token of its own: a shingle there is 5 characters,
about 2-3 Chinese words. Punctuation, spacing and case never matter.

Short texts. A text of fewer than `min_tokens` tokens (50 by default) is never
checked nor added. On a few dozen shingles Jaccard moves in steps of several
percent, and short texts are the ones made of shared phrases: paywall and
cookie stubs, captions, "page not found", a one-line brief of a wire story. Two
such texts of different articles would often pass 0.8. Identical short texts
are still caught by the state store's content hash.

The index. Each record keeps its MinHash signature (128 values of 32 bits:
datasketch's "affine32" scheme, seed 1, SHA-1 of each shingle's UTF-8, so the
same text gives the same signature on any machine, process or Python), its
number of distinct shingles and its LSH band keys, in indexed tables; nothing is
loaded into memory, so a check costs about the same with a thousand or millions
of records. `check` computes the text's band keys, fetches the records that
share one, and confirms each from the signatures: the share of equal values
estimates the Jaccard J, and with the two shingle counts a and b the share of
the shorter text inside the longer is J (a + b) / ((1 + J) min(a, b)). The
earliest-added record that passes a rule is the match.

The band split. The signature is cut into b bands of r values; two texts become
candidates when a whole band agrees, with probability 1 - (1 - J^r)^b. LSH here
only proposes candidates and the stored signatures decide, so the split favours
recall: the largest r (fewest spurious candidates) whose b = num_perm // r bands
still propose a pair at the lowest Jaccard a rule accepts (0.6) with probability
at least 0.98. For 128 values that is r = 4, b = 32, which proposes a pair with
probability 0.988 at J = 0.6, 0.9998 at 0.7, 0.87 at 0.5, 0.23 at 0.3 and 0.003
at 0.1: distinct articles seldom cost a signature read. (Rule 1 alone, 0.8,
would give r = 7, b = 18.) The confirmation is an estimate with standard error
sqrt(J(1-J)/128), 0.035 at J = 0.8: under rule 1, a pair at exactly 0.8 is
found half the time, at 0.85 about 94% of the time and at 0.9 always; a pair at
0.75 passes about 10% of the time, at 0.7 under 1%. The split and the tokens
are fixed when the file is created and stored in it; the thresholds can change
later (recall below the stored split's floor then falls along its curve).

Why signatures and not exact shingles: a signature is 512 bytes whatever the
length of the text, so the file grows by about 1 KB a record (signature, band
keys, id); exact shingle hashes would take 8 bytes a word (8 KB for a
1,000-word article) to sharpen a line that is fuzzy anyway.

The file belongs to the run that holds the state store's lock (it sits beside
the state store, `near_path`). Every `add` is one transaction, committed at
once (WAL, synchronous=NORMAL), and is idempotent: adding a record id again
replaces its signature, so an updated article is compared in its latest version
and a record re-added after a crash is not counted twice.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import sqlite3
import struct
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

# numpy is imported where signatures are made or compared, so that loading the
# config, or a command that needs no index, does not pay for it.

from pipeline import sqlite
from pipeline.errors import ConfigError, StateError
from pipeline.sqlite import fault

NEAR_SUFFIX = ".near.sqlite"
SCHEMA_VERSION = 1
SEED = 1
SCHEME = "affine32"
# Names what a signature is made of; a file made otherwise is refused, not misread.
TOKENS = "nfkc-casefold-words-nospace-chars-v1"
# Signatures are computed over this many shingles at a time, so that the
# (shingles x num_perm) matrix stays small (2 MiB) even for a text of megabytes.
_BATCH = 4096
_CANDIDATES_PER_READ = 128
_MIN_CANDIDATE_PROBABILITY = 0.98
# Its signature is kept in the file: if numpy or this code ever hashed differently,
# every stored signature would silently stop matching; this makes open() say so.
_CANARY = (
    "The quick brown fox jumps over the lazy dog while the early morning news "
    "reports that markets opened higher. 東京の天気は晴れです。"
)

Action = Literal["write", "skip", "off"]

# Scripts written without spaces between words: each character is a token there.
_NO_SPACE = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"  # 々, 〇, Suzhou numerals
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B to G
)
_TOKEN = re.compile(f"[{_NO_SPACE}]|[^\\W{_NO_SPACE}]+")


@dataclasses.dataclass(frozen=True, slots=True)
class NearSettings:
    """Near-duplicate detection, the `[near_duplicates]` part of the config.

    action: what a run does with a near-duplicate: "write" it with `duplicate_of`
        set to the earlier record's id, "skip" it (an error line naming that id),
        or "off" (no index, no check).
    threshold: the Jaccard similarity of word-shingle sets from which two texts
        are near-duplicates (rule 1).
    containment, containment_jaccard: or the share of the shorter text's shingles
        found in the longer one, with their Jaccard at least the second (rule 2).
    shingle: words per shingle. num_perm: MinHash values per signature. Both are
        fixed when the index file is created.
    min_tokens: texts with fewer tokens are never near-duplicates (see the module).
    keep_days: a run forgets the records indexed longer ago than this, so the index
        of a years-long schedule stays bounded (copies of old articles are rare);
        0 keeps them all.
    """

    action: Action = "write"
    threshold: float = 0.8
    containment: float = 0.9
    containment_jaccard: float = 0.6
    # Fixed when the index is created, or by the code: not keys of the config's table.
    shingle: int = dataclasses.field(default=5, metadata={"config": False})
    num_perm: int = dataclasses.field(default=128, metadata={"config": False})
    min_tokens: int = dataclasses.field(default=50, metadata={"config": False})
    keep_days: int = 365

    @property
    def floor(self) -> float:
        """The lowest Jaccard similarity a rule accepts: what LSH must propose."""
        return min(self.threshold, self.containment_jaccard)

    def __post_init__(self) -> None:
        if self.action not in ("write", "skip", "off"):
            raise ConfigError('near_duplicates.action must be "write", "skip" or "off"')
        if not 0.0 < self.threshold <= 1.0:  # `not` also refuses nan
            raise ConfigError("near_duplicates.threshold must be above 0 and at most 1")
        if not 0.0 < self.containment <= 1.0:
            raise ConfigError("near_duplicates.containment must be above 0 and at most 1")
        if not 0.0 < self.containment_jaccard <= self.threshold:
            raise ConfigError(
                "near_duplicates.containment_jaccard must be above 0 and at most the threshold"
            )
        if not 1 <= self.shingle <= 20:
            raise ConfigError("near_duplicates.shingle must be from 1 to 20 words")
        if not 16 <= self.num_perm <= 1024:
            raise ConfigError("near_duplicates.num_perm must be from 16 to 1024")
        if self.min_tokens < self.shingle:
            raise ConfigError("near_duplicates.min_tokens must be at least shingle")
        if self.keep_days < 0:
            raise ConfigError("near_duplicates.keep_days must be 0 (keep all) or more")


DEFAULT_NEAR_SETTINGS = NearSettings()


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """The earlier record a text nearly duplicates: its id, the estimated Jaccard
    similarity of the two texts, and the estimated share of the shorter one's
    shingles found in the longer one."""

    record_id: str
    similarity: float
    containment: float


@dataclasses.dataclass(frozen=True, slots=True)
class NearStats:
    records: int
    bands: int
    rows: int
    file_bytes: int


def near_path(state_path: str | Path) -> Path:
    """The index file beside a state store: `state.sqlite` -> `state.sqlite.near.sqlite`."""
    state_path = Path(state_path)
    return state_path.with_name(state_path.name + NEAR_SUFFIX)


def tokens(text: str) -> list[str]:
    """The text's tokens: NFKC, case-folded; words, or single characters of
    scripts written without spaces."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def band_split(floor: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the largest rows whose num_perm // rows bands propose a pair
    of Jaccard `floor` with probability at least 0.98."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - floor**rows) ** bands >= _MIN_CANDIDATE_PROBABILITY:
            return bands, rows
    return num_perm, 1


@dataclasses.dataclass(frozen=True, slots=True)
class Signature:
    """A text's MinHash signature: `num_perm` little-endian uint32 values of its set
    of word `shingle`-grams, and the size of that set. A pure function of the
    text, so it can be computed wherever the text is (an extraction worker, say)
    and handed to the index."""

    values: bytes
    shingles: int
    shingle: int
    num_perm: int

    def array(self) -> np.ndarray:
        import numpy as np

        return np.frombuffer(self.values, dtype="<u4")


def signature(text: str, settings: NearSettings = DEFAULT_NEAR_SETTINGS) -> Signature | None:
    """The text's signature, or None for a text of fewer than `min_tokens` tokens."""
    words = tokens(text)
    if len(words) < settings.min_tokens:
        return None
    k = settings.shingle
    shingles = {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}
    values = _minhash(shingles, settings.num_perm)
    return Signature(values.tobytes(), len(shingles), k, settings.num_perm)


# The MurmurHash3 finalizer of datasketch's affine32 scheme (shifts and multipliers).
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


@functools.cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h -> a h + b (mod 2^32, a odd), drawn as it
    draws them from numpy's RandomState(SEED)."""
    import numpy as np

    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _minhash(shingles: set[str], num_perm: int) -> np.ndarray:
    """The signature (uint32, num_perm values) of a set of shingles: datasketch's
    `MinHash(num_perm, seed=1, hashfunc=sha1_hash32, scheme="affine32")` value for
    value (tests/test_near_duplicates.py checks it), computed here because importing datasketch
    loads scipy (half a second of every run) and its hashing is a Python call per
    shingle."""
    import numpy as np

    a, b = _permutations(num_perm)
    sha1 = hashlib.sha1
    ordered = list(shingles)  # the minimum is the same in any order
    values = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    for start in range(0, len(ordered), _BATCH):
        batch = ordered[start : start + _BATCH]
        digests = b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in batch])
        hv = np.frombuffer(digests, dtype="<u4").astype(np.uint32)
        s1, m1, s2, m2, s3 = _FMIX32
        hv = hv ^ (hv >> np.uint32(s1))
        hv = hv * np.uint32(m1)
        hv = hv ^ (hv >> np.uint32(s2))
        hv = hv * np.uint32(m2)
        hv = hv ^ (hv >> np.uint32(s3))
        permuted = hv.reshape(-1, 1) * a + b
        values = np.minimum(values, permuted.min(axis=0))
    result: np.ndarray = values.astype("<u4")
    return result


class NearDuplicates:
    """The near-duplicate index of one state store. Use `NearDuplicates.open`."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        settings: NearSettings,
        bands: int,
        rows: int,
    ) -> None:
        self.path = path
        self.settings = settings
        self.bands = bands
        self.rows = rows
        self._conn: sqlite3.Connection | None = conn
        # check() then add() of the same text computes its signature once.
        self._memo: tuple[str, Signature | None] | None = None

    @classmethod
    def open(
        cls, path: str | Path, settings: NearSettings = DEFAULT_NEAR_SETTINGS
    ) -> NearDuplicates:
        """Open (creating folder, file and schema) the index; raise StateError."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
        conn = _connect(path)
        try:
            bands, rows = _parameters(conn, path, settings)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, settings, bands, rows)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> NearDuplicates:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        with self._guard() as conn:
            (count,) = conn.execute("SELECT count(*) FROM records").fetchone()
        return int(count)

    def check(self, record_id: str, text: str | Signature) -> Match | None:
        """The earliest-added other record whose text this one nearly duplicates.
        `text` is the record's text or its `signature`."""
        sig = self._signature(text)
        if sig is None:
            return None
        values = sig.array()
        keys = self._band_keys(sig.values)
        marks = ", ".join("?" * len(keys))
        with self._guard() as conn:
            candidates = [
                seq
                for (seq,) in conn.execute(
                    f"SELECT DISTINCT seq FROM bands WHERE key IN ({marks}) ORDER BY seq", keys
                )
            ]
            # Oldest first, a bounded read at a time: the first confirmed one wins.
            for start in range(0, len(candidates), _CANDIDATES_PER_READ):
                chunk = candidates[start : start + _CANDIDATES_PER_READ]
                found = conn.execute(
                    "SELECT record_id, shingles, signature FROM records"
                    f" WHERE seq IN ({', '.join('?' * len(chunk))}) ORDER BY seq",
                    chunk,
                ).fetchall()
                for other_id, shingles, blob in found:
                    if other_id == record_id:
                        continue  # an earlier version of this very record
                    match = self._confirm(str(other_id), values, sig.shingles, blob, shingles)
                    if match is not None:
                        return match
        return None

    def _confirm(
        self, other_id: str, values: np.ndarray, size: int, blob: bytes, other_size: int
    ) -> Match | None:
        """The match, if the signatures pass rule 1 or rule 2 (see the module)."""
        import numpy as np

        jaccard = float(np.count_nonzero(values == np.frombuffer(blob, dtype="<u4")))
        jaccard /= len(values)
        contained = min(jaccard * (size + other_size) / ((1 + jaccard) * min(size, other_size)), 1)
        settings = self.settings
        if jaccard >= settings.threshold or (
            jaccard >= settings.containment_jaccard and contained >= settings.containment
        ):
            return Match(other_id, jaccard, contained)
        return None

    def add(self, record_id: str, text: str | Signature, now: datetime | None = None) -> bool:
        """Index the record (replacing an earlier version of the same id); False for
        a text too short to compare, which is not indexed. `now`: when it was added,
        for `prune` (default: the clock)."""
        sig = self._signature(text)
        if sig is None:
            return False
        added = int(now.timestamp() if now is not None else time.time())
        with self._transaction() as conn:
            self._remove(conn, record_id)
            cursor = conn.execute(
                "INSERT INTO records (record_id, added, shingles, signature) VALUES (?, ?, ?, ?)",
                (record_id, added, sig.shingles, sig.values),
            )
            seq = cursor.lastrowid
            conn.executemany(
                "INSERT OR IGNORE INTO bands (key, seq) VALUES (?, ?)",
                [(key, seq) for key in self._band_keys(sig.values)],
            )
        return True

    def remove(self, record_id: str) -> bool:
        """Forget a record; False if it was not indexed."""
        with self._transaction() as conn:
            return self._remove(conn, record_id)

    def prune(self, before: datetime) -> int:
        """Forget the records added before `before` (copies of old articles are rare;
        this bounds the file of a years-long schedule). Returns how many."""
        cutoff = int(before.timestamp())
        removed = 0
        while True:
            with self._transaction() as conn:
                batch = conn.execute(
                    "SELECT seq, signature FROM records WHERE added < ? LIMIT 1000", (cutoff,)
                ).fetchall()
                for seq, blob in batch:
                    self._delete(conn, seq, blob)
            removed += len(batch)
            if len(batch) < 1000:
                return removed

    def stats(self) -> NearStats:
        with self._guard() as conn:
            (records,) = conn.execute("SELECT count(*) FROM records").fetchone()
        try:
            size = sum(
                p.stat().st_size
                for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                if p.exists()
            )
        except OSError:
            size = 0
        return NearStats(int(records), self.bands, self.rows, size)

    # Internals

    def _signature(self, text: str | Signature) -> Signature | None:
        if isinstance(text, Signature):
            if (text.shingle, text.num_perm) != (self.settings.shingle, self.settings.num_perm):
                raise ValueError(
                    f"a signature of {text.shingle}-grams x {text.num_perm} given to an index"
                    f" of {self.settings.shingle}-grams x {self.settings.num_perm}"
                )
            return text
        if self._memo is not None and self._memo[0] == text:
            return self._memo[1]
        sig = signature(text, self.settings)
        self._memo = (text, sig)
        return sig

    def _band_keys(self, values: bytes) -> list[int]:
        """One signed 64-bit key per band: its number and its values, hashed."""
        width = 4 * self.rows
        return [
            int.from_bytes(
                hashlib.blake2b(
                    struct.pack("<H", band) + values[band * width : (band + 1) * width],
                    digest_size=8,
                ).digest(),
                "little",
                signed=True,
            )
            for band in range(self.bands)
        ]

    def _remove(self, conn: sqlite3.Connection, record_id: str) -> bool:
        row = conn.execute(
            "SELECT seq, signature FROM records WHERE record_id = ?", (record_id,)
        ).fetchone()
        if row is None:
            return False
        self._delete(conn, row[0], row[1])
        return True

    def _delete(self, conn: sqlite3.Connection, seq: int, blob: bytes) -> None:
        # The band keys come back from the stored signature: no index on seq needed.
        keys = self._band_keys(blob)
        conn.executemany("DELETE FROM bands WHERE key = ? AND seq = ?", [(k, seq) for k in keys])
        conn.execute("DELETE FROM records WHERE seq = ?", (seq,))

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard() as conn, sqlite.transaction(conn):
            yield conn

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise StateError(f"near-duplicate index {self.path} is closed")
        try:
            yield self._conn
        except sqlite3.Error as exc:
            raise fault(self.path, exc, "near-duplicate index") from exc


_SCHEMA = """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    -- seq grows with every add (AUTOINCREMENT never reuses one), so the earliest
    -- record is the lowest seq.
    CREATE TABLE records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL UNIQUE,
        added INTEGER NOT NULL,
        shingles INTEGER NOT NULL,
        signature BLOB NOT NULL
    );
    CREATE INDEX records_added ON records (added);
    CREATE TABLE bands (
        key INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (key, seq)
    ) WITHOUT ROWID;
"""


def _connect(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite.open_wal(path, "near-duplicate index")
    except sqlite3.DatabaseError as exc:
        raise StateError(f"{path} is not a usable near-duplicate index: {exc}") from exc
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version == 0:
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StateError(f"{path} is an SQLite database but not a near-duplicate index")
            conn.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
        elif version != SCHEMA_VERSION:
            raise StateError(
                f"{path} has near-duplicate schema {version}; this version reads {SCHEMA_VERSION}"
            )
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StateError(f"{path} is not a usable near-duplicate index: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _parameters(conn: sqlite3.Connection, path: Path, settings: NearSettings) -> tuple[int, int]:
    """The file's band split, after checking that it was made the way this code
    makes signatures; a new file gets the split of `settings`."""
    canary_sig = signature(_CANARY, dataclasses.replace(settings, min_tokens=settings.shingle))
    assert canary_sig is not None  # the canary has more tokens than any allowed shingle
    canary = canary_sig.values.hex()
    try:
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            bands, rows = band_split(settings.floor, settings.num_perm)
            made = {
                "shingle": str(settings.shingle),
                "num_perm": str(settings.num_perm),
                "bands": str(bands),
                "rows": str(rows),
                "created_floor": str(settings.floor),
                "seed": str(SEED),
                "scheme": SCHEME,
                "tokens": TOKENS,
                "canary": canary,
            }
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", made.items())
            return bands, rows
    except sqlite3.Error as exc:
        raise StateError(f"near-duplicate index {path}: {exc}") from exc
    wanted = {"shingle": str(settings.shingle), "num_perm": str(settings.num_perm)}
    wanted |= {"seed": str(SEED), "scheme": SCHEME, "tokens": TOKENS}
    for key, value in wanted.items():
        if stored.get(key) != value:
            raise StateError(
                f"near-duplicate index {path} was made with {key} {stored.get(key)}, not"
                f" {value}: move it aside to start a new index"
            )
    if stored.get("canary") != canary:
        raise StateError(
            f"near-duplicate index {path} holds signatures this installation no longer"
            " computes (another numpy?): move it aside to start a new index"
        )
    try:
        return int(stored["bands"]), int(stored["rows"])
    except (KeyError, ValueError) as exc:
        raise StateError(f"near-duplicate index {path} has no usable band split") from exc
