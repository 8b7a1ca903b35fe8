"""Store stage: records and error records as JSON Lines, flushed line by line.

A line is written whole and flushed at once, so a batch stopped half-way keeps
every record it had produced.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pipeline.errors import OutputError


class JsonLines:
    """A JSON Lines sink: a file (its folder made on demand) or stdout for '-'."""

    def __init__(self, target: str | Path) -> None:
        self.target = str(target)
        self._stream: IO[str] | None = None
        self.count = 0

    def __enter__(self) -> JsonLines:
        if self.target == "-":
            self._stream = sys.stdout
            return self
        path = Path(self.target)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return self

    def write(self, obj: dict[str, Any]) -> None:
        assert self._stream is not None, "use JsonLines as a context manager"
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except OSError as exc:
            raise OutputError(f"cannot write {self.target}: {exc.strerror or exc}") from exc
        self.count += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None and self._stream is not sys.stdout:
            self._stream.close()
