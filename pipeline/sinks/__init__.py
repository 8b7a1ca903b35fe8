"""Sinks: where records and error records go.

    sink = open_sink("jsonl", folder / "articles.jsonl", folder / "errors.jsonl")
    with sink:
        sink.write(article)           # an Article
        sink.write_error(error)       # an ErrorRecord
        sink.commit()                 # what was written is durable; end of a batch

The interface is `Sink`, shaped like a Scrapy item exporter: open, write,
commit, close. `commit` ends a batch: once it returns, every record written
before it survives a kill, so the runner may clear those records from the
state store's outbox. `delivered(target)` reads back the record ids an earlier
run's output already holds (after repairing what a kill left half-written),
which is how a run delivers what a killed one staged exactly once.

Formats: `jsonl` (sinks/jsonl.py, the default): `records` is a file, or '-'
for stdout. `parquet` (sinks/parquet.py; needs the `parquet` extra, pyarrow):
`records` is a folder that gets one part file per commit. `markdown`
(sinks/markdown.py): a stream of documents, or a folder of one file per
article. Error records are JSON Lines whatever the format. The README's
"Output formats" describes JSON Lines and Parquet.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipeline.errors import ConfigError
from pipeline.record import Article, ErrorRecord
from pipeline.sinks.jsonl import JsonLines, JsonLinesSink
from pipeline.sinks.markdown import MarkdownSink

if TYPE_CHECKING:
    from pipeline.sinks.parquet import ParquetSink

FORMATS = ("jsonl", "parquet", "markdown")
# The format an output's name says (`-o out.parquet`), by its suffix.
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".md": "markdown",
    ".markdown": "markdown",
}

__all__ = [
    "ERRORS",
    "FORMATS",
    "RECORDS",
    "JsonLines",
    "JsonLinesSink",
    "Sink",
    "delivered",
    "delivered_in",
    "format_for",
    "open_sink",
    "records_in",
]


class Sink(Protocol):
    """Records and error records of one batch job or run."""

    format: str
    target: str

    def open(self) -> None: ...

    def write(self, record: Article) -> None: ...

    def write_error(self, error: ErrorRecord) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Sink: ...

    def __exit__(self, *exc: object) -> None: ...


def open_sink(fmt: str, records: str | Path, errors: str | Path) -> Sink:
    """A sink of format `fmt` writing records to `records` ('-': stdout) and
    error records to `errors`."""
    if fmt == "jsonl":
        return JsonLinesSink(records, errors)
    if fmt == "parquet":
        return _parquet()(records, errors)
    if fmt == "markdown":
        return MarkdownSink(records, errors)
    raise ConfigError(f"unknown output format {fmt!r} (known: {', '.join(FORMATS)})")


def format_for(output: str | Path | None, given: str | None = None) -> str:
    """The format of the records at `output`: `given` (`--format`), else what the
    name's suffix says (`.jsonl`, `.ndjson`; `.parquet`, `.pq`; `.md`, `.markdown`),
    else JSON Lines. A name whose suffix says another format than `given` is a
    ConfigError: `-o out.parquet --format jsonl` would write JSON into out.parquet."""
    named = (
        None if output is None or str(output) == "-" else _SUFFIXES.get(Path(output).suffix.lower())
    )
    if given is not None and named is not None and given != named:
        raise ConfigError(
            f"the output {output} is named as {named}, but the format asked is {given}: "
            "name the output after its format, or leave --format out"
        )
    return given or named or FORMATS[0]


# A run folder's records, by format: a file of lines, or a folder of part files.
RECORDS = {"jsonl": "articles.jsonl", "parquet": "articles", "markdown": "markdown"}
ERRORS = "errors.jsonl"


def records_in(folder: Path, fmt: str) -> Path:
    """Where a run or partition folder keeps its records in format `fmt`."""
    return folder / RECORDS[fmt]


def delivered_in(folder: Path) -> set[str]:
    """Ids of the records an earlier run's folder holds, whatever its format."""
    ids: set[str] = set()
    for fmt in FORMATS:
        if records_in(folder, fmt).exists():
            ids |= delivered(fmt, records_in(folder, fmt))
    return ids


def delivered(fmt: str, records: Path) -> set[str]:
    """Ids of the records an earlier output of format `fmt` at `records` holds.

    Ask in the format that output was written in (a killed run's, which may
    differ from the current one's)."""
    if fmt == "jsonl":
        return JsonLinesSink.delivered(records)
    if fmt == "parquet":
        return _parquet().delivered(records)
    if fmt == "markdown":
        return MarkdownSink.delivered(records)
    raise ConfigError(f"unknown output format {fmt!r} (known: {', '.join(FORMATS)})")


def _parquet() -> type[ParquetSink]:
    """The parquet sink, imported on first use: pyarrow is an optional extra."""
    try:
        from pipeline.sinks.parquet import ParquetSink
    except ImportError as exc:
        raise ConfigError(
            f"the parquet format needs pyarrow ({exc}): pip install -e '.[parquet]' in a checkout"
        ) from exc
    return ParquetSink
