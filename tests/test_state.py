"""The SQLite state store: schema, run lock, retries, change detection, durability."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.errors import Reason, StateDamaged, StateError
from pipeline.state import SCHEMA_VERSION, RetryPolicy, StateStore, is_due, validators

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.sqlite"


def python(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_create_makes_folder_schema_and_wal(db: Path) -> None:
    with StateStore.open(db, "run-1") as store:
        assert store.get("https://x.example/") is None
    assert db.is_file() and (db.parent / "state.sqlite.lock").is_file()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"urls", "runs", "urls_content_hash"} <= tables
    conn.close()


def test_state_persists_across_runs(db: Path) -> None:
    with StateStore.open(db, "run-1") as store:
        store.start_run(T0)
        store.record_fetch("https://x.example/a", 200, '"e1"', "Wed, 01 May 2024", T0)
        store.record_extracted("https://x.example/a", "https://x.example/c", "h1", T0)
        store.finish_run(T0 + HOUR, {"records": 1})
    with StateStore.open(db, "run-2") as store:
        state = store.get("https://x.example/a")
        assert state is not None
        assert (state.etag, state.last_modified, state.content_hash) == (
            '"e1"',
            "Wed, 01 May 2024",
            "h1",
        )
        assert state.canonical_url == "https://x.example/c"
        assert state.first_seen == T0 and state.last_status == 200
        assert store.stats().runs == 1
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT run_id, started, finished, counts FROM runs").fetchone()
    conn.close()
    assert row[0] == "run-1" and json.loads(row[3]) == {"records": 1}
    assert datetime.fromisoformat(row[2]) == T0 + HOUR


def test_second_open_in_the_same_process_is_refused_at_once(db: Path) -> None:
    with StateStore.open(db, "run-1"):
        started = time.monotonic()
        with pytest.raises(StateError, match=rf"in use by run run-1 \(pid {os.getpid()}\)"):
            StateStore.open(db, "run-2")
        assert time.monotonic() - started < 1
    with StateStore.open(db, "run-3") as store:  # released on close
        assert store.run_id == "run-3"


def test_second_process_is_refused(db: Path) -> None:
    code = (
        "import sys\n"
        "from pipeline.state import StateStore\n"
        "from pipeline.errors import StateError\n"
        "try:\n"
        f"    StateStore.open({str(db)!r}, 'run-2')\n"
        "except StateError as exc:\n"
        "    print(exc); sys.exit(2)\n"
    )
    with StateStore.open(db, "run-1"):
        child = python(code)
        out, err = child.communicate(timeout=30)
    assert child.returncode == 2, err
    assert f"is in use by run run-1 (pid {os.getpid()})" in out


def test_a_killed_holder_does_not_block_the_next_run(db: Path) -> None:
    code = (
        "import time\n"
        "from datetime import UTC, datetime\n"
        "from pipeline.state import StateStore\n"
        f"store = StateStore.open({str(db)!r}, 'doomed')\n"
        "store.record_fetch('https://x.example/a', 200, None, None, datetime.now(UTC))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = python(code)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(StateError, match=rf"run doomed \(pid {child.pid}\)"):
            StateStore.open(db, "run-2")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()
    with StateStore.open(db, "run-2") as store:  # the OS dropped the lock; the write survived
        assert store.get("https://x.example/a") is not None


def test_a_run_killed_half_way_keeps_every_write(db: Path) -> None:
    code = (
        "import os, signal\n"
        "from datetime import UTC, datetime\n"
        "from pipeline.state import StateStore\n"
        f"store = StateStore.open({str(db)!r}, 'killed')\n"
        "now = datetime.now(UTC)\n"
        "store.start_run(now)\n"
        "for i in range(50):\n"
        "    store.record_fetch(f'https://x.example/{i}', 200, None, None, now)\n"
        "    store.record_extracted(f'https://x.example/{i}', None, f'h{i}', now)\n"
        "store.record_failure('https://x.example/bad', 'timeout', now)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    child = python(code)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with StateStore.open(db, "next") as store:
        stats = store.stats()
        assert (stats.urls, stats.extracted, stats.failing, stats.runs) == (51, 50, 1, 1)
        assert store.classify("https://x.example/7", None, "h7") == "unchanged"


def test_corrupt_file(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not an SQLite database, just some text " * 100)
    with pytest.raises(StateDamaged, match=r"is damaged: file is not a database.*--rebuild"):
        StateStore.open(db, "run-1")
    # The failed open let go of the lock: the same error again, not "in use".
    with pytest.raises(StateDamaged, match="is damaged"):
        StateStore.open(db, "run-1")


def test_other_sqlite_database(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE urls (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StateError, match="not a pipeline state store"):
        StateStore.open(db, "run-1")


def test_newer_schema_is_refused(db: Path) -> None:
    StateStore.open(db, "run-1").close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StateError, match="schema 99, newer"):
        StateStore.open(db, "run-2")


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StateError, match="cannot create"):
        StateStore.open(blocker / "state.sqlite", "run-1")


def test_failure_backoff_and_give_up(db: Path) -> None:
    url = "https://x.example/flaky"
    with StateStore.open(db, "run-1") as store:
        assert is_due(store.get(url), T0)
        now = T0
        for failures, delay in enumerate((1, 2, 4, 8), start=1):
            state = store.record_failure(url, Reason.TIMEOUT, now, status=None)
            assert state.failures == failures and state.given_up_reason is None
            assert state.next_retry == now + delay * HOUR
            assert not is_due(store.get(url), now + delay * HOUR - timedelta(seconds=1))
            assert is_due(store.get(url), now + delay * HOUR)
            now += delay * HOUR
        state = store.record_failure(url, Reason.HTTP_ERROR, now, status=503)
        assert state.failures == 5 and state.given_up_reason == "http_error"
        assert state.next_retry is None and state.last_status == 503
        assert not is_due(store.get(url), now + timedelta(days=365))
        assert store.stats().given_up == 1 and store.stats().failing == 0


def test_backoff_is_capped() -> None:
    policy = RetryPolicy()
    assert policy.delay(1) == HOUR
    assert policy.delay(8) == 128 * HOUR
    assert policy.delay(9) == timedelta(days=7)
    assert policy.delay(10_000) == timedelta(days=7)


def test_a_response_clears_failures(db: Path) -> None:
    url = "https://x.example/a"
    with StateStore.open(db, "run-1", policy=RetryPolicy(attempts=2)) as store:
        store.record_failure(url, Reason.TIMEOUT, T0)
        store.record_fetch(url, 200, None, None, T0 + HOUR)
        state = store.get(url)
        assert state is not None
        assert (state.failures, state.next_retry, state.given_up_reason) == (0, None, None)
        store.record_failure(url, Reason.TIMEOUT, T0 + 2 * HOUR)
        store.record_not_modified(url, T0 + 3 * HOUR)
        state = store.get(url)
        assert state is not None and state.failures == 0 and state.last_status == 304
        assert state.first_seen == T0 and state.last_seen == T0 + 3 * HOUR
        assert is_due(store.get(url), T0 + 3 * HOUR)


def test_classify(db: Path) -> None:
    a, b = "https://x.example/a", "https://x.example/b?utm_source=feed"
    with StateStore.open(db, "run-1") as store:
        assert store.classify(a, None, "h1") == "new"
        store.record_extracted(a, None, "h1", T0)
        assert store.classify(a, None, "h1") == "unchanged"
        assert store.classify(a, None, "h2") == "changed"
        assert store.classify(b, a, "h1") == "duplicate"
        assert store.duplicate_of(b, "h1") == a
        assert store.duplicate_of(a, "h1") is None
        store.record_extracted(b, a, "h1", T0 + HOUR)
        # Seen before under its own URL, the text is unchanged, not a duplicate.
        assert store.classify(b, a, "h1") == "unchanged"
        assert store.classify(a, None, "h1") == "unchanged"
        store.record_extracted(a, None, "h2", T0 + 2 * HOUR)
        assert store.classify(a, None, "h1") == "duplicate"  # went back to b's text
        assert store.classify("https://x.example/new", None, "h3") == "new"


def test_validators_only_after_extraction(db: Path) -> None:
    url = "https://x.example/a"
    with StateStore.open(db, "run-1") as store:
        assert validators(store.get(url)) == (None, None)
        store.record_fetch(url, 200, '"v1"', "Wed, 01 May 2024 10:00:00 GMT", T0)
        # Fetched but not extracted yet (a kill here): no 304 for content never extracted.
        assert validators(store.get(url)) == (None, None)
        store.record_extracted(url, None, "h1", T0)
        assert validators(store.get(url)) == ('"v1"', "Wed, 01 May 2024 10:00:00 GMT")
        store.record_fetch(url, 200, '"v2"', None, T0 + HOUR)
        assert validators(store.get(url)) == (None, None)
        store.record_not_modified(url, T0 + 2 * HOUR)
        assert validators(store.get(url)) == (None, None)


def test_stats_and_runs(db: Path) -> None:
    with StateStore.open(db, "run-1") as store:
        store.start_run(T0)
        store.start_run(T0 + HOUR)  # the same id again keeps its start
        store.record_extracted("https://x.example/a", None, "h1", T0)
        store.record_fetch("https://x.example/b", 200, None, None, T0)
        store.record_failure("https://x.example/c", Reason.TIMEOUT, T0)
        stats = store.stats()
        assert (stats.urls, stats.extracted, stats.failing, stats.given_up, stats.runs) == (
            3,
            1,
            1,
            0,
            1,
        )
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT started FROM runs").fetchone()[0] == T0.isoformat()
    conn.close()


def test_naive_times_are_refused(db: Path) -> None:
    with StateStore.open(db, "run-1") as store, pytest.raises(ValueError, match="timezone"):
        store.record_fetch("https://x.example/", 200, None, None, datetime(2024, 5, 1))


def test_closed_store_is_an_error(db: Path) -> None:
    store = StateStore.open(db, "run-1")
    store.close()
    store.close()  # twice is harmless
    with pytest.raises(StateError, match="closed"):
        store.get("https://x.example/")


def test_outbox_stages_with_the_state_change_and_survives_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    record = {"id": "abc", "title": "Harbour reopens"}
    with StateStore.open(path, "run-1") as store:
        store.stage_record("https://x.test/a", None, "h1", record, now)
        assert store.classify("https://x.test/a", None, "h1") == "unchanged"
    with StateStore.open(path, "run-2") as store:
        (staged,) = store.staged()
        assert (staged.url, staged.run_id, staged.record_id) == ("https://x.test/a", "run-1", "abc")
        assert staged.record == record
        store.clear_staged("https://x.test/a")
        assert store.staged() == []
