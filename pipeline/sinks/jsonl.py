"""JSON Lines: one record per line, written whole and flushed at once.

A batch stopped half-way keeps every record it had produced; a kill in the
middle of a write leaves at most a torn last line, which `delivered` cuts off
before reading the ids back (that record is still staged, and is delivered
again).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO

from pipeline.errors import OutputError
from pipeline.record import Article, ErrorRecord, writable
from pipeline.sinks._base import Lifecycle


class JsonLines:
    """One JSON Lines file, or stdout for '-'. The file (and its folder) is created
    at the first line: a batch or run with nothing to say leaves no empty file."""

    def __init__(self, target: str | Path) -> None:
        self.target = str(target)
        self._stream: IO[str] | None = None
        self._opened = False
        self.count = 0

    def __enter__(self) -> JsonLines:
        self.open()
        return self

    def open(self) -> None:
        """Check that the file can be written (it is created at the first line)."""
        if self.target not in ("-", "/dev/stderr"):
            _check_writable(Path(self.target))
        self._opened = True

    def _create(self) -> IO[str]:
        if self.target == "-":
            return sys.stdout
        if self.target == "/dev/stderr":
            return sys.stderr
        path = Path(self.target)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return path.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc

    def write(self, obj: dict[str, Any]) -> None:
        assert self._opened, "open the JsonLines first"
        if self._stream is None:
            self._stream = self._create()
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate got this far: written as writable() says
                line = json.dumps(_writable(obj), ensure_ascii=False, separators=(",", ":"))
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except OSError as exc:
            raise OutputError(f"cannot write {self.target}: {exc.strerror or exc}") from exc
        self.count += 1

    def sync(self) -> None:
        """Flushed lines are safe from a kill already; this makes them safe from a crash."""
        if self._stream is None or self._stream in (sys.stdout, sys.stderr):
            return
        try:
            os.fsync(self._stream.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write {self.target}: {exc.strerror or exc}") from exc

    def close(self) -> None:
        if self._stream is not None and self._stream not in (sys.stdout, sys.stderr):
            self._stream.close()
        self._stream = None
        self._opened = False

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class JsonLinesSink(Lifecycle):
    """Records to one JSON Lines file (or stdout), error records to another."""

    format = "jsonl"
    records_name = "articles.jsonl"  # what a run or partition folder calls its records

    def __init__(self, records: str | Path, errors: str | Path) -> None:
        self.target = str(records)
        self._records = JsonLines(records)
        self._errors = JsonLines(errors)

    @property
    def records_written(self) -> int:
        return self._records.count

    def open(self) -> None:
        self._records.open()
        try:
            self._errors.open()
        except BaseException:
            self._records.close()
            raise

    def write(self, record: Article) -> None:
        self._records.write(record.to_dict())

    def write_record(self, data: dict[str, Any]) -> None:
        """A record already in its JSON form (one staged by an earlier run)."""
        self._records.write(data)

    def write_error(self, error: ErrorRecord) -> None:
        self._errors.write(error.to_dict())

    def commit(self) -> None:
        self._records.sync()
        self._errors.sync()

    def close(self) -> None:
        self._records.close()
        self._errors.close()

    @staticmethod
    def delivered(records: Path) -> set[str]:
        """Ids of the records in an earlier run's file, after cutting a torn last line."""
        cut_torn_tail(records)
        ids: set[str] = set()
        if not records.exists():
            return ids
        with records.open(encoding="utf-8") as stream:
            for line in stream:
                try:
                    ids.add(str(json.loads(line)["id"]))
                except (ValueError, KeyError, TypeError):
                    continue
        return ids


def _writable(value: Any) -> Any:
    """`value` with every string in it as UTF-8 can hold it (record.writable)."""
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, dict):
        return {writable(str(k)): _writable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_writable(v) for v in value]
    return value


def _check_writable(path: Path) -> None:
    """The nearest existing folder on the way to `path` must be writable (and not a
    file): an output that cannot be written is found before the work, not after."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder")
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: {folder} is not a writable folder")


def cut_torn_tail(path: Path) -> bool:
    """Remove a last line that a kill cut short (no newline at its end); True if one was.

    Lines are written whole with their newline in one write, so a complete
    record always ends in one."""
    try:
        with path.open("rb+") as stream:
            size = stream.seek(0, os.SEEK_END)
            if size == 0:
                return False
            stream.seek(size - 1)
            if stream.read(1) == b"\n":
                return False
            stream.truncate(_last_newline_end(stream, size))
            return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputError(f"cannot repair {path}: {exc.strerror or exc}") from exc


def _last_newline_end(stream: BinaryIO, size: int) -> int:
    """The offset just after the file's last newline (0 if it has none)."""
    position = size
    while position > 0:
        step = min(64 * 1024, position)
        position -= step
        stream.seek(position)
        found = stream.read(step).rfind(b"\n")
        if found >= 0:
            return position + found + 1
    return 0
