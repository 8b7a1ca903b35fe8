"""What the state store and the near-duplicate index share of SQLite.

Both are one file each, opened in autocommit mode with a write-ahead log
(`synchronous = NORMAL`: a killed process loses nothing written, only a power
cut can lose the last few commits), written in short `BEGIN IMMEDIATE`
transactions, and both turn sqlite3's errors into the pipeline's own at their
boundary: a full or failing disk is a StorageError (exit 74), a damaged file a
StateDamaged (65), anything else a StateError.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import StateDamaged, StateError, StorageError

BUSY_TIMEOUT_SECONDS = 5.0
# sqlite3 primary result codes (sqlite.org/rescode.html) that name a fault of the
# file or the disk rather than of the statement.
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 10, 11, 13, 26


def open_wal(path: Path, what: str) -> sqlite3.Connection:
    """The database at `path` in autocommit WAL mode (`what` names it in errors)."""
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise StateError(f"cannot open the {what} {path}: {exc}") from exc
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken at once (so two writers queue, not deadlock),
    rolled back if anything goes wrong inside it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT")


def fault(
    path: Path,
    exc: sqlite3.Error,
    what: str = "state store",
    damaged: Callable[[Path, str], StateDamaged] | None = None,
) -> StateError | StorageError:
    """The named error for an sqlite3 error on the file at `path`; `damaged` makes
    the error of a damaged file (one that says how to recover it)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (_SQLITE_FULL, _SQLITE_IOERR):
        return StorageError(f"{what} {path} cannot be written: {exc} (is the disk full?)")
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        if damaged is not None:
            return damaged(path, str(exc))
        return StateDamaged(f"{what} {path} is damaged: {exc}")
    return StateError(f"{what} {path}: {exc}")
