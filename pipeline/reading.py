"""An output read back with its types: `pipeline.read(path) -> pyarrow.Table`.

JSON Lines carries no schema: every reader guesses one from a sample, and no
layout of the JSON can make the guess safe. A list that is empty in every
line of the sample (`references`, `tables`) and set later makes
`pl.read_ndjson` fail ("expected null in json value, got object"), and a
block field absent from the sample (`index`, `items`) is dropped without a
word; a field null throughout a file comes as float64 in pandas and as NULL in
DuckDB. `read` types every column by the record's Arrow schema
(pipeline/sinks/parquet.py's SCHEMA, in the README), whatever the output:

    frame = pl.from_arrow(pipeline.read("articles.jsonl"))     # Polars
    frame = pipeline.read("articles.jsonl").to_pandas()        # pandas
    articles = pipeline.read("out/")                           # DuckDB finds it
    duckdb.sql("SELECT title, published_date FROM articles")   # by its name

`path` is a JSON Lines file, a Parquet part file, or a folder: every record
file under it (a Parquet output's part files, a run's or a partitioned
extract's `articles.jsonl` files; error records are left out), in path order.
Needs pyarrow (the `parquet` extra).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError, OutputError
from pipeline.record import article_from_dict

if TYPE_CHECKING:
    import pyarrow

_BATCH = 5_000  # JSON lines turned into Arrow at a time
_PARQUET = (".parquet", ".pq")


def read(path: str | Path) -> pyarrow.Table:
    """Every record of the output at `path`, typed by the record's Arrow schema.

    Raises OutputError for a file that cannot be read or a line that is not a
    record (a torn last line, as a kill leaves, is skipped)."""
    try:
        import pyarrow as pa

        from pipeline.sinks.parquet import SCHEMA
    except ImportError as exc:
        raise ConfigError(
            f"pipeline.read needs pyarrow ({exc}): pip install -e '.[parquet]'"
        ) from exc
    tables = [_read_file(file) for file in _files(Path(path))]
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise OutputError(f"cannot read {path}: no such file or folder")
    if not path.is_dir():
        return [path]
    found = [
        file
        for file in sorted(path.rglob("*"))
        if file.is_file()
        and not file.name.startswith(".")  # a Parquet part being written
        and (file.suffix in _PARQUET or (file.suffix == ".jsonl" and not _errors(file)))
    ]
    return found


def _errors(file: Path) -> bool:
    return file.name == "errors.jsonl" or file.name.endswith(".errors.jsonl")


def _read_file(file: Path) -> pyarrow.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.sinks.parquet import SCHEMA

    try:
        if file.suffix in _PARQUET or _is_parquet(file):
            return pq.read_table(file, schema=SCHEMA)
        batches = [pa.RecordBatch.from_pylist(rows, schema=SCHEMA) for rows in _rows(file)]
        return pa.Table.from_batches(batches, schema=SCHEMA)
    except (OSError, pa.ArrowException) as exc:
        raise OutputError(f"cannot read {file}: {exc}") from exc


def _is_parquet(file: Path) -> bool:
    with file.open("rb") as stream:
        return stream.read(4) == b"PAR1"


def _rows(file: Path) -> Iterator[list[dict[str, Any]]]:
    """The file's records as rows of the schema, a batch at a time."""
    from pipeline.sinks.parquet import to_row

    rows: list[dict[str, Any]] = []
    with file.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.endswith("\n") or not line.strip():
                continue  # a torn last line (a kill), or a blank one
            try:
                rows.append(to_row(article_from_dict(json.loads(line))))
            except (ValueError, KeyError, TypeError) as exc:
                raise OutputError(f"{file}, line {number}: not a record ({exc})") from exc
            if len(rows) >= _BATCH:
                yield rows
                rows = []
    if rows:
        yield rows
