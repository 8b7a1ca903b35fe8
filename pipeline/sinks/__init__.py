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

Sinks are found by name, as Scrapy finds its exporters: a format is one of the
built-in names, a name an installed package declares in the `news_pipeline.sinks`
entry point group, or a dotted path `package.module:Class`. A sink class takes
(records, errors), has `format` and `records_name` (what a run folder calls its
records), and a static `delivered(records)` (see above).
"""

from __future__ import annotations

import functools
import importlib
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from pipeline.errors import ConfigError
from pipeline.record import Article, ErrorRecord
from pipeline.sinks.jsonl import JsonLines, JsonLinesSink

FORMATS = ("jsonl", "parquet", "markdown")  # the built-in ones
_BUILT_IN = {
    "jsonl": "pipeline.sinks.jsonl:JsonLinesSink",
    "parquet": "pipeline.sinks.parquet:ParquetSink",
    "markdown": "pipeline.sinks.markdown:MarkdownSink",
}
ENTRY_POINTS = "news_pipeline.sinks"
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
    "known_formats",
    "open_sink",
    "records_in",
    "sink_class",
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
    made: Sink = sink_class(fmt)(records, errors)
    return made


def sink_class(fmt: str) -> Any:
    """The sink class a format names (see the module docstring); ConfigError when
    it names none, or its module cannot be imported."""
    path = known_formats().get(fmt) or (fmt if ":" in fmt else None)
    if path is None:
        known = ", ".join(known_formats())
        raise ConfigError(
            f"unknown output format {fmt!r} (known: {known}; or a sink class as module:Class)"
        )
    module, _, name = path.partition(":")
    try:
        found = getattr(importlib.import_module(module), name)
    except ImportError as exc:
        if fmt == "parquet":
            raise ConfigError(
                f"the parquet format needs pyarrow ({exc}): pip install -e '.[parquet]'"
                " in a checkout"
            ) from exc
        raise ConfigError(f"output format {fmt!r}: cannot import {module}: {exc}") from exc
    except AttributeError as exc:
        raise ConfigError(f"output format {fmt!r}: {module} has no {name}") from exc
    return found


@functools.cache
def known_formats() -> dict[str, str]:
    """Format names and their sink classes' paths: the built-in ones, then those of
    installed packages' entry points."""
    found = dict(_BUILT_IN)
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        found.setdefault(entry.name, entry.value)
    return found


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


# The built-in formats' records in a run folder, by name (what `make extract`
# and the README name; other sinks say so in their `records_name`).
RECORDS = {"jsonl": "articles.jsonl", "parquet": "articles", "markdown": "markdown"}
ERRORS = "errors.jsonl"


def records_in(folder: Path, fmt: str) -> Path:
    """Where a run or partition folder keeps its records in format `fmt`."""
    name = RECORDS.get(fmt)
    return folder / (name if name is not None else str(sink_class(fmt).records_name))


def delivered_in(folder: Path) -> set[str]:
    """Ids of the records an earlier run's folder holds, in the formats it holds."""
    ids: set[str] = set()
    for fmt in known_formats():
        if fmt in RECORDS and not records_in(folder, fmt).exists():
            continue  # the built-ins are checked by name, with no import (pyarrow)
        try:
            where = records_in(folder, fmt)
        except ConfigError:
            continue  # an installed sink that fails to import wrote nothing here
        if where.exists():
            ids |= delivered(fmt, where)
    return ids


def delivered(fmt: str, records: Path) -> set[str]:
    """Ids of the records an earlier output of format `fmt` at `records` holds.

    Ask in the format that output was written in (a killed run's, which may
    differ from the current one's)."""
    found: set[str] = sink_class(fmt).delivered(records)
    return found
