"""Markdown: one document per article, with its metadata as YAML front matter.

The target is a stream (a file whose name ends in `.md`, or '-'): the
documents follow each other, each opening with its front matter and closing
with an `<!-- end of ID -->` line, so a reader can split them and `delivered`
knows which were written whole; or, for any other path, a folder of one
`<id>.md` file per article, each written whole (a temporary name, then a
rename). Error records are JSON Lines.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path
from typing import IO

from pipeline.errors import OutputError
from pipeline.markdown import to_markdown
from pipeline.record import Article, ErrorRecord
from pipeline.sinks._base import Lifecycle
from pipeline.sinks.jsonl import JsonLines

_END = "<!-- end of {id} -->"
_END_LINE = re.compile(r"^<!-- end of ([0-9a-f]+) -->$", re.M)


class MarkdownSink(Lifecycle):
    format = "markdown"
    records_name = "markdown"  # what a run or partition folder calls its records

    def __init__(self, records: str | Path, errors: str | Path) -> None:
        self.target = str(records)
        self._folder = self.target != "-" and not self.target.endswith(".md")
        self._stream: IO[str] | None = None
        self._errors = JsonLines(errors)

    def open(self) -> None:
        self._errors.open()

    def write(self, record: Article) -> None:
        document = to_markdown(record) + "\n" + _END.format(id=record.id) + "\n\n"
        try:
            if self._folder:
                self._write_file(record.id, document)
            else:
                stream = self._open_stream()
                stream.write(document)
                stream.flush()
        except OSError as exc:
            raise OutputError(f"cannot write {self.target}: {exc.strerror or exc}") from exc

    def _open_stream(self) -> IO[str]:
        if self._stream is None:
            if self.target == "-":
                self._stream = sys.stdout
            else:
                Path(self.target).parent.mkdir(parents=True, exist_ok=True)
                self._stream = Path(self.target).open("w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        return self._stream

    def _write_file(self, record_id: str, document: str) -> None:
        folder = Path(self.target)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{record_id}.md.tmp"
        temporary.write_text(document, encoding="utf-8")
        temporary.replace(folder / f"{record_id}.md")

    def write_error(self, error: ErrorRecord) -> None:
        self._errors.write(error.to_dict())

    def commit(self) -> None:
        if self._stream is not None and self.target != "-":
            with contextlib.suppress(OSError):
                os.fsync(self._stream.fileno())
        self._errors.sync()

    def close(self) -> None:
        if self._stream is not None and self.target != "-":
            self._stream.close()
        self._stream = None
        self._errors.close()

    @staticmethod
    def delivered(records: Path) -> set[str]:
        """Ids of the documents written whole (closed by their end line)."""
        if records.is_dir():
            for leftover in records.glob(".*.md.tmp"):  # a kill between write and rename
                leftover.unlink(missing_ok=True)
            return {p.stem for p in records.glob("*.md")}
        if not records.exists():
            return set()
        return set(_END_LINE.findall(records.read_text(encoding="utf-8")))
