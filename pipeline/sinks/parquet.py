"""Parquet: a folder of part files, one per committed batch, all of one fixed schema.

    articles/part-00000.parquet    the records of the first batch
    articles/part-00001.parquet    the next batch, ...
    errors.jsonl                   error records stay JSON Lines

Records wait in memory (at most a row group's worth; larger batches stream into
the part as row groups) and reach the folder when the batch commits: the part
is written under a hidden temporary name (`.part-00001.parquet.tmp`), synced,
then renamed. A part therefore holds a whole batch or does not exist. A kill
mid-batch leaves only the hidden file, which no reader picks up (pyarrow skips
hidden files, `*.parquet` does not match it) and `delivered` deletes; that
batch's records are still staged in the state store's outbox and are delivered
again. `close` commits what is pending. The folder is made, and an earlier
output's parts in it removed, when the first part is: an output with no record
leaves no folder, as a JSON Lines one leaves no file.

The schema (`SCHEMA`, documented in the README, "Output formats") is the
record's, field for field and in the same order, with three changes:
  * `published_at`, `modified_at` and `extracted_at` are timestamp[us, UTC]
    (ISO strings in JSON), `published_date` a date32; `published` and
    `modified` stay the ISO strings;
  * a block is one struct for every kind (`type` says which; fields another
    kind uses are null);
  * a list block's nested items are flattened: Arrow schemas cannot recurse, a
    fixed nesting depth would either cut lists (the extractor keeps 12 levels)
    or give a type nobody can query, and a JSON string would hide the text from
    columnar queries. So `items` holds every item of the list and of its
    sublists in reading order (as `text` renders them), each with its `depth`
    (0: the list's own items), the `ordered` flag of the list it is in, and
    `first`, true on the first item of each list (it keeps two sublists of one
    item apart). `from_row` rebuilds the nesting exactly.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import ConfigError, OutputError
from pipeline.record import (
    DERIVED_FROM,
    SCHEMA_VERSION,
    Article,
    Block,
    Code,
    ErrorRecord,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    TableRef,
    utc_text,
)
from pipeline.sinks._base import Lifecycle
from pipeline.sinks.jsonl import JsonLines

_STR = pa.string()
_INT = pa.int64()  # what every JSON reader gives, so the two formats' frames concatenate
_UTC = pa.timestamp("us", tz="UTC")


def _strings() -> pa.DataType:
    return pa.list_(pa.field("element", _STR, nullable=False))


def _required(name: str, kind: pa.DataType) -> pa.Field:
    return pa.field(name, kind, nullable=False)


LIST_ITEM = pa.struct(
    [
        _required("depth", _INT),
        _required("text", _STR),
        _required("ordered", pa.bool_()),
        _required("first", pa.bool_()),
        _required("start", _INT),
    ]
)
BLOCK = pa.struct(
    [
        _required("type", _STR),
        pa.field("text", _STR),
        pa.field("level", _INT),
        pa.field("ordered", pa.bool_()),
        pa.field("start", _INT),
        pa.field("items", pa.list_(pa.field("element", LIST_ITEM, nullable=False))),
        pa.field("index", _INT),
    ]
)
TABLE = pa.struct(
    [
        pa.field("caption", _STR),
        _required("header", _strings()),
        _required("rows", pa.list_(pa.field("element", _strings(), nullable=False))),
    ]
)
REFERENCE = pa.struct(
    [
        _required("text", _STR),
        _required("authors", _strings()),
        pa.field("year", _STR),
        pa.field("title", _STR),
        pa.field("container", _STR),
        pa.field("doi", _STR),
        pa.field("url", _STR),
    ]
)
SOURCE = pa.struct([_required("name", _STR), pa.field("url", _STR)])
PROVENANCE = pa.struct(
    [
        pa.field("source", _STR),
        pa.field("entry_title", _STR),
        pa.field("entry_published", _STR),
        pa.field("fetched_at", _STR),
        pa.field("http_status", _INT),
        pa.field("published_from", _STR),
    ]
)


def _list_of(kind: pa.DataType) -> pa.DataType:
    return pa.list_(pa.field("element", kind, nullable=False))


#: The Arrow schema of every part file (README, "Output formats").
SCHEMA = pa.schema(
    [
        _required("schema_version", _INT),
        _required("id", _STR),
        pa.field("input", _STR),
        pa.field("url", _STR),
        pa.field("canonical_url", _STR),
        pa.field("site_name", _STR),
        pa.field("title", _STR),
        _required("authors", _strings()),
        _required("credits", _strings()),
        pa.field("published", _STR),
        pa.field("published_at", _UTC),
        pa.field("published_date", pa.date32()),
        pa.field("modified", _STR),
        pa.field("modified_at", _UTC),
        pa.field("language", _STR),
        pa.field("section", _STR),
        _required("tags", _strings()),
        pa.field("description", _STR),
        pa.field("doi", _STR),
        pa.field("source", SOURCE),
        _required("access", _STR),
        _required("confidence", pa.float64()),
        _required("text", _STR),
        _required("blocks", _list_of(BLOCK)),
        _required("tables", _list_of(TABLE)),
        _required("references", _list_of(REFERENCE)),
        _required("word_count", _INT),
        _required("content_hash", _STR),
        _required("extracted_at", _UTC),
        _required("extractor_version", _STR),
        pa.field("duplicate_of", _STR),
        pa.field("forced", _STR),
        pa.field("provenance", PROVENANCE),
    ],
    metadata={"news_pipeline.schema_version": str(SCHEMA_VERSION)},
)

#: Record fields that are UTC instants: ISO strings in JSON, timestamps here.
DERIVED_INSTANTS = tuple(f"{key}_at" for key in DERIVED_FROM)
INSTANTS = (*DERIVED_INSTANTS, "extracted_at")

#: A batch larger than this streams into its part as several row groups, so
#: memory stays bounded and no column outgrows Arrow's 2 GiB string offsets.
ROW_GROUP_ROWS = 10_000
ROW_GROUP_TEXT = 32 * 1024 * 1024  # characters of `text`

_PART = "part-{:05d}.parquet"
_PART_GLOB = "part-*.parquet"
_TEMP_GLOB = ".part-*.parquet.tmp"


# -- records to rows and back ------------------------------------------------


def to_row(record: Article) -> dict[str, Any]:
    """The record as one row of SCHEMA."""
    row = record.to_dict()
    row["blocks"] = [_block_row(block) for block in record.blocks]
    for key in INSTANTS:
        row[key] = None if row[key] is None else datetime.fromisoformat(row[key])
    row["published_date"] = record.published_day
    return row


def from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The record's JSON form (`Article.to_dict()`) from one row read back."""
    data = dict(row)
    data["blocks"] = [_block_json(block) for block in row["blocks"]]
    for key in DERIVED_INSTANTS:
        data[key] = None if row[key] is None else utc_text(row[key])
    data["published_date"] = None if row["published_date"] is None else str(row["published_date"])
    # As extraction stamps it (`+00:00`).
    data["extracted_at"] = row["extracted_at"].astimezone(UTC).isoformat(timespec="seconds")
    return data


def _block_row(block: Block) -> dict[str, Any]:
    row: dict[str, Any] = {"type": block.kind}
    match block:
        case Heading(level=level, text=text):
            row |= {"level": level, "text": text}
        case Paragraph(text=text) | Quote(text=text) | Code(text=text):
            row["text"] = text
        case ListBlock(ordered=ordered, start=start):
            row |= {"ordered": ordered, "start": start, "items": list(_flat_items(block, 0))}
        case TableRef(index=index):
            row["index"] = index
    return row


def _flat_items(block: ListBlock, depth: int) -> Iterator[dict[str, Any]]:
    for position, item in enumerate(block.items):
        yield {
            "depth": depth,
            "text": item.text,
            "ordered": block.ordered,
            "first": position == 0,
            "start": block.start,
        }
        for child in item.children:
            yield from _flat_items(child, depth + 1)


def _block_json(row: dict[str, Any]) -> dict[str, Any]:
    kind = row["type"]
    if kind == "heading":
        return {"type": kind, "level": row["level"], "text": row["text"]}
    if kind == "list":
        return _nested_list(row["ordered"], row["start"], row["items"])
    if kind == "table":
        return {"type": kind, "index": row["index"]}
    return {"type": kind, "text": row["text"]}


def _nested_list(ordered: bool, start: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Undo _flat_items: an item deeper than the last one, or marked `first`
    below the top, opens a sublist of the last item one level up."""
    root: dict[str, Any] = {"type": "list", "ordered": ordered, "items": [], "start": start}
    open_lists = [root]  # open_lists[d]: the list now taking items of depth d
    for item in items:
        depth = item["depth"]
        if depth > 0 and (item["first"] or depth >= len(open_lists)):
            sublist: dict[str, Any] = {
                "type": "list",
                "ordered": item["ordered"],
                "items": [],
                "start": item["start"],
            }
            open_lists[depth - 1]["items"][-1]["children"].append(sublist)
            del open_lists[depth:]
            open_lists.append(sublist)
        else:
            del open_lists[depth + 1 :]
        open_lists[depth]["items"].append({"text": item["text"], "children": []})
    return root


# -- the sink -----------------------------------------------------------------


class ParquetSink(Lifecycle):
    """Records to part files in a folder (one per commit), error records to JSON Lines.

    The first part replaces the dataset at the folder: part files (and
    temporary leftovers) of an earlier output there are removed, as a JSON
    Lines sink truncates its file at its first line; other files are left alone."""

    format = "parquet"
    records_name = "articles"  # what a run or partition folder calls its records

    def __init__(self, records: str | Path, errors: str | Path) -> None:
        if str(records) == "-":
            raise ConfigError("parquet output needs a folder, not stdout ('-')")
        self.target = str(records)
        self._folder = Path(records)
        self._errors = JsonLines(errors)
        self._rows: list[dict[str, Any]] = []
        self._text_chars = 0
        self._part: _PartFile | None = None
        self._parts = 0
        self._replaced = False
        self.records_written = 0

    def open(self) -> None:
        """Check that the folder can be written (it is made with the first part)."""
        _check_writable_folder(self._folder)
        self._errors.open()

    def write(self, record: Article) -> None:
        self._rows.append(to_row(record))
        self._text_chars += len(record.text)
        self.records_written += 1
        if len(self._rows) >= ROW_GROUP_ROWS or self._text_chars >= ROW_GROUP_TEXT:
            self._flush_rows()

    def write_error(self, error: ErrorRecord) -> None:
        self._errors.write(error.to_dict())

    def commit(self) -> None:
        """Make every record written so far one part file, and the error records durable."""
        self._flush_rows()
        if self._part is not None:
            part, self._part = self._part, None
            part.publish()
            self._parts += 1
        self._errors.sync()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self._discard()
            self._errors.close()

    @staticmethod
    def delivered(records: Path) -> set[str]:
        """Ids in the committed parts of an earlier output, after deleting the
        temporary part a kill left (its batch was never committed)."""
        if not records.is_dir():
            return set()
        ids: set[str] = set()
        try:
            for leftover in records.glob(_TEMP_GLOB):
                leftover.unlink(missing_ok=True)
            for part in sorted(records.glob(_PART_GLOB)):
                column = pq.read_table(part, columns=["id"]).column("id")
                ids.update(str(value) for value in column.to_pylist())
        except (OSError, pa.ArrowException) as exc:
            raise OutputError(f"cannot read back {records}: {exc}") from exc
        return ids

    def _flush_rows(self) -> None:
        if not self._rows:
            return
        rows, self._rows, self._text_chars = self._rows, [], 0
        if self._part is None:
            self._replace_earlier()
            self._part = _PartFile(self._folder / _PART.format(self._parts))
        self._part.append(rows)

    def _replace_earlier(self) -> None:
        """Before the first part: make the folder, remove an earlier output's parts."""
        if self._replaced:
            return
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            for old in [*self._folder.glob(_PART_GLOB), *self._folder.glob(_TEMP_GLOB)]:
                old.unlink()
        except OSError as exc:
            raise OutputError(f"cannot write {self._folder}: {exc.strerror or exc}") from exc
        self._replaced = True

    def _discard(self) -> None:
        """Drop an uncommitted part (only after a failed commit)."""
        self._rows, self._text_chars = [], 0
        if self._part is not None:
            self._part.discard()
            self._part = None


class _PartFile:
    """One part being written under its temporary name until `publish`."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.temp = final.with_name(f".{final.name}.tmp")
        try:
            self._stream: IO[bytes] = self.temp.open("wb")
            self._writer = pq.ParquetWriter(self._stream, SCHEMA, compression="zstd")
        except (OSError, pa.ArrowException) as exc:
            raise OutputError(f"cannot write {self.temp}: {exc}") from exc

    def append(self, rows: list[dict[str, Any]]) -> None:
        try:
            self._writer.write_table(pa.Table.from_pylist(rows, schema=SCHEMA))
        except (OSError, pa.ArrowException) as exc:
            self.discard()
            raise OutputError(f"cannot write {self.temp}: {exc}") from exc

    def publish(self) -> None:
        """Close, sync and rename: from here on the part is committed."""
        try:
            self._writer.close()
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._stream.close()
            os.replace(self.temp, self.final)
            _sync_folder(self.final.parent)
        except (OSError, pa.ArrowException) as exc:
            self.discard()
            raise OutputError(f"cannot write {self.final}: {exc}") from exc

    def discard(self) -> None:
        with contextlib.suppress(OSError, pa.ArrowException):  # the file goes anyway
            self._writer.close()
        self._stream.close()
        self.temp.unlink(missing_ok=True)


def _check_writable_folder(folder: Path) -> None:
    """The folder, or the nearest existing one on the way to it, must be a writable
    folder: an output that cannot be written is found before the work, not after."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write {folder}: it is a file, not a folder")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {folder}: {existing} is not a writable folder")


def _sync_folder(folder: Path) -> None:
    """The rename survives a crash only once the folder's entry is synced."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
