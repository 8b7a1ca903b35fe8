"""Sinks: the Parquet layout and schema, atomic parts and exactly-once read-back,
round trips, and both formats loading in pandas, Polars and DuckDB as they are."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.errors import ConfigError, OutputError
from pipeline.extraction import Page, extract_page
from pipeline.record import Article, ErrorRecord, article_from_dict, utc_instant
from pipeline.sinks import FORMATS, delivered, open_sink
from pipeline.sinks import parquet as pqsink
from pipeline.sinks.parquet import (
    BLOCK,
    LIST_ITEM,
    PROVENANCE,
    REFERENCE,
    SCHEMA,
    SOURCE,
    TABLE,
)
from scripts import fixtures
from tests.pages import article_page
from tests.records import article, bare
from tests.schema import validate

README = Path(__file__).resolve().parents[1] / "README.md"
INSTANTS = ("published_at", "modified_at", "extracted_at")


def fixture_articles() -> list[Article]:
    found = []
    for fixture in fixtures.load_all():
        if "error" not in fixture.spec:
            page = Page(fixture.content(), fixture.spec.get("url"), input=str(fixture.page))
            found.append(extract_page(page))
    return found


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- the record's UTC instants -------------------------------------------------


@pytest.mark.parametrize(
    ("date", "instant"),
    [
        ("2025-10-21T13:10:00+01:00", "2025-10-21T12:10:00Z"),
        ("2025-10-18T22:00:00-04:00", "2025-10-19T02:00:00Z"),  # the UTC day is the next
        ("2025-10-19T06:12:47+00:00", "2025-10-19T06:12:47Z"),
        ("2025-10-14", None),  # a bare date is a day somewhere, not an instant
        ("2025-10-19T08:15:00", None),  # a time without an offset: local where?
        (None, None),
        ("not a date", None),
    ],
)
def test_utc_instant(date: str | None, instant: str | None) -> None:
    assert utc_instant(date) == instant


def test_instants_follow_their_dates_in_the_record() -> None:
    data = article(1).to_dict()
    keys = list(data)
    assert keys[keys.index("published") + 1] == "published_at"
    assert keys[keys.index("modified") + 1] == "modified_at"
    assert data["published_at"] == "2025-10-21T12:10:00Z"
    assert data["modified_at"] is None  # 2025-10-22, a bare date
    validate(data)
    assert article_from_dict(data) == article(1)  # derived fields are not stored


# -- the schema ------------------------------------------------------------------

_NAMED = {BLOCK: "block", LIST_ITEM: "list_item", TABLE: "table", REFERENCE: "reference"}
_NAMED[SOURCE] = "source"
_NAMED[PROVENANCE] = "provenance"


def _compact(kind: pa.DataType) -> str:
    """A type as the README writes it."""
    if kind in _NAMED:
        return _NAMED[kind]
    if pa.types.is_list(kind):
        return f"list<{_compact(kind.value_type)}>"
    if pa.types.is_timestamp(kind):
        return f"timestamp[{kind.unit}, {kind.tz}]"
    return str(kind)


def _documented_rows(fields: Iterator[pa.Field], prefix: str = "") -> dict[str, tuple[str, str]]:
    return {f"{prefix}{f.name}": (_compact(f.type), "yes" if f.nullable else "no") for f in fields}


def test_schema_is_the_documented_one() -> None:
    expected = _documented_rows(iter(SCHEMA))
    for struct, name in _NAMED.items():
        expected |= _documented_rows(iter(struct), f"{name}.")
    section = README.read_text(encoding="utf-8").split("## Output formats", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \| `([^`]+)` \| (yes|no) \|", section, re.MULTILINE)
    documented = {name: (kind, null) for name, kind, null in rows}
    assert documented == expected


def test_schema_has_every_record_field_in_order() -> None:
    assert SCHEMA.names == list(article(1).to_dict())
    assert SCHEMA.metadata == {b"news_pipeline.schema_version": b"1"}


def test_rows_fit_the_schema_exactly() -> None:
    # from_pylist ignores keys the schema lacks: check both ways.
    for record in (article(1), bare(2)):
        row = pqsink.to_row(record)
        assert list(row) == SCHEMA.names
        for block in row["blocks"]:
            assert set(block) <= {field.name for field in BLOCK}


def test_every_part_has_the_same_schema(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    with open_sink("parquet", folder, tmp_path / "errors.jsonl") as sink:
        sink.write(bare(1))  # every optional column null, every list empty
        sink.commit()
        sink.write(article(2))
        sink.commit()
    found = sorted(folder.glob("*.parquet"))
    assert len(found) == 2
    for part in found:
        assert pq.read_schema(part).equals(SCHEMA, check_metadata=True)


def test_no_record_leaves_no_folder(tmp_path: Path) -> None:
    with open_sink("parquet", tmp_path / "articles", tmp_path / "errors.jsonl") as sink:
        sink.commit()
    assert list(tmp_path.iterdir()) == []  # as JSON Lines leaves no empty file


def test_an_unwritable_folder_is_found_at_open(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="a file, not a folder"):
        open_sink("parquet", tmp_path / "file", tmp_path / "errors.jsonl").open()
    with pytest.raises(OutputError, match="not a writable folder"):
        open_sink("parquet", tmp_path / "file" / "sub", tmp_path / "errors.jsonl").open()


# -- round trips -----------------------------------------------------------------


def _written_rows(tmp_path: Path, records: list[Article]) -> list[dict[str, Any]]:
    folder = tmp_path / "articles"
    with open_sink("parquet", folder, tmp_path / "errors.jsonl") as sink:
        for record in records:
            sink.write(record)
    rows: list[dict[str, Any]] = pq.read_table(folder).to_pylist()
    return rows


def test_round_trip_of_every_field_and_block_kind(tmp_path: Path) -> None:
    records = [article(1), bare(2)]
    for record, row in zip(records, _written_rows(tmp_path, records), strict=True):
        assert pqsink.from_row(row) == record.to_dict()
        assert article_from_dict(pqsink.from_row(row)) == record


def test_round_trip_of_the_fixture_records(tmp_path: Path) -> None:
    records = fixture_articles()
    assert len(records) >= 10
    for record, row in zip(records, _written_rows(tmp_path, records), strict=True):
        assert pqsink.from_row(row) == record.to_dict()


def test_nested_list_items_are_flat_with_depth_and_first(tmp_path: Path) -> None:
    (row,) = _written_rows(tmp_path, [article(1)])
    (listing,) = [b for b in row["blocks"] if b["type"] == "list"]
    flat = [(i["depth"], i["text"], i["ordered"], i["first"]) for i in listing["items"]]
    assert flat == [
        (0, "first", True, True),
        (1, "a", False, True),
        (1, "b", False, False),
        (0, "", True, False),
        (1, "c", False, True),
        (2, "deep", True, True),
        (1, "d", True, True),  # a second sublist of the same item, kept apart
        (0, "last", True, False),
    ]
    assert listing["text"] is None and listing["level"] is None and listing["index"] is None


def test_instants_are_utc_timestamps(tmp_path: Path) -> None:
    (row,) = _written_rows(tmp_path, [article(1)])
    assert row["published"] == "2025-10-21T13:10:00+01:00"
    assert row["published_at"].isoformat() == "2025-10-21T12:10:00+00:00"
    assert row["modified"] == "2025-10-22" and row["modified_at"] is None
    assert row["extracted_at"].isoformat() == "2026-12-01T21:01:05+00:00"


# -- atomic parts, exactly-once read-back ----------------------------------------


def test_one_part_per_commit_and_none_for_an_empty_batch(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    sink = open_sink("parquet", folder, tmp_path / "errors.jsonl")
    with sink:
        sink.write(article(1))
        sink.write(article(2))
        sink.commit()
        sink.commit()  # nothing new: no part
        assert parts(folder) == ["part-00000.parquet"]
        sink.write(article(3))
        assert delivered("parquet", folder) == {article(1).id, article(2).id}
    # close commits what is pending
    assert parts(folder) == ["part-00000.parquet", "part-00001.parquet"]
    assert delivered("parquet", folder) == {article(n).id for n in (1, 2, 3)}


def test_a_large_batch_streams_into_row_groups_of_one_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pqsink, "ROW_GROUP_ROWS", 2)
    folder = tmp_path / "articles"
    with open_sink("parquet", folder, tmp_path / "errors.jsonl") as sink:
        for n in range(5):
            sink.write(article(n))
        assert parts(folder) == [".part-00000.parquet.tmp"]  # not visible as a part yet
    assert parts(folder) == ["part-00000.parquet"]
    assert pq.ParquetFile(folder / "part-00000.parquet").metadata.num_row_groups == 3
    assert pq.read_table(folder).column("id").to_pylist() == [article(n).id for n in range(5)]


_KILLED = textwrap.dedent(
    """
    import os, sys
    from pipeline.sinks import open_sink, parquet
    from tests.records import article
    parquet.ROW_GROUP_ROWS = 2  # the third batch is partly on disk when the kill comes
    sink = open_sink("parquet", sys.argv[1], sys.argv[2])
    sink.open()
    for n in range(3):
        sink.write(article(n))
    sink.commit()
    for n in range(3, 8):
        sink.write(article(n))
    os.kill(os.getpid(), 9)
    """
)


def test_a_killed_batch_is_not_delivered_and_its_leftover_goes(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED, str(folder), str(tmp_path / "errors.jsonl")],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr.decode()
    assert parts(folder) == [".part-00001.parquet.tmp", "part-00000.parquet"]
    # Readers see the committed batch only, even before the repair.
    assert len(pd.read_parquet(folder)) == 3
    assert pl.read_parquet(folder / "*.parquet").height == 3
    assert duckdb.sql(f"select count(*) from '{folder}/*.parquet'").fetchall() == [(3,)]
    assert delivered("parquet", folder) == {article(n).id for n in range(3)}
    assert parts(folder) == ["part-00000.parquet"]


def test_recovery_through_the_outbox_writes_each_record_once(tmp_path: Path) -> None:
    """As a run does after a kill: every record the killed run staged (all 8) is
    written again unless the killed run's committed parts hold it."""
    killed = tmp_path / "run1" / "articles"
    subprocess.run(
        [sys.executable, "-c", _KILLED, str(killed), str(tmp_path / "run1" / "errors.jsonl")],
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )
    staged = [article(n) for n in range(8)]
    held = delivered("parquet", killed)
    nxt = tmp_path / "run2" / "articles"
    with open_sink("parquet", nxt, tmp_path / "run2" / "errors.jsonl") as sink:
        for record in staged:
            if record.id not in held:
                sink.write(record)
    ids = [*pq.read_table(killed).column("id").to_pylist()]
    ids += pq.read_table(nxt).column("id").to_pylist()
    assert sorted(ids) == sorted(r.id for r in staged)  # all of them, none twice


def test_delivered_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert delivered("parquet", tmp_path / "never-written") == set()


def test_delivered_refuses_an_unreadable_part(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "part-00000.parquet").write_bytes(b"not parquet")
    with pytest.raises(OutputError, match="cannot read back"):
        delivered("parquet", folder)


def test_the_first_part_replaces_an_earlier_dataset_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    for batch in ([article(1), article(2)], [article(3)], []):
        with open_sink("parquet", folder, tmp_path / "errors.jsonl") as sink:
            for record in batch:
                sink.write(record)
                sink.commit()
    assert delivered("parquet", folder) == {article(3).id}  # an empty output replaces nothing
    (folder / "notes.txt").write_text("kept")
    (folder / ".part-00003.parquet.tmp").write_text("a killed batch")
    with open_sink("parquet", folder, tmp_path / "errors.jsonl") as sink:
        sink.write(article(4))
    assert parts(folder) == ["notes.txt", "part-00000.parquet"]
    assert delivered("parquet", folder) == {article(4).id}


def test_error_records_stay_json_lines(tmp_path: Path) -> None:
    errors = tmp_path / "errors.jsonl"
    with open_sink("parquet", tmp_path / "articles", errors) as sink:
        sink.write_error(ErrorRecord("a.html", None, "not_article", "a listing"))
    assert json.loads(errors.read_text()) == {
        "input": "a.html",
        "url": None,
        "reason": "not_article",
        "message": "a listing",
    }


def test_formats_and_bad_targets() -> None:
    assert {"jsonl", "parquet"} <= set(FORMATS) and FORMATS[0] == "jsonl"
    with pytest.raises(ConfigError, match="folder, not stdout"):
        open_sink("parquet", "-", "errors.jsonl")
    with pytest.raises(ConfigError, match="unknown output format 'csv'"):
        open_sink("csv", "out", "errors.jsonl")
    with pytest.raises(ConfigError, match="unknown output format"):
        delivered("csv", Path("out"))


def test_without_pyarrow_parquet_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    monkeypatch.delitem(sys.modules, "pipeline.sinks.parquet")
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[parquet\]'"):
        open_sink("parquet", "out", "errors.jsonl")
    assert open_sink("jsonl", "-", "errors.jsonl").format == "jsonl"


# -- both formats load in pandas, Polars and DuckDB with no arguments --------------


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Article]]:
    """The fixture pages' records as JSON Lines and as Parquet (two batches)."""
    folder = tmp_path_factory.mktemp("out")
    records = fixture_articles()
    with open_sink("jsonl", folder / "articles.jsonl", folder / "errors.jsonl") as sink:
        for record in records:
            sink.write(record)
    with open_sink("parquet", folder / "articles", folder / "errors.jsonl") as sink:
        for n, record in enumerate(records):
            sink.write(record)
            if n == len(records) // 2:
                sink.commit()
    assert len(list((folder / "articles").glob("*.parquet"))) == 2
    return folder / "articles.jsonl", folder / "articles", records


def _asia(records: list[Article]) -> Article:
    (found,) = [r for r in records if r.input and "asia_news" in r.input]
    return found


def _check_pandas(frame: pd.DataFrame, records: list[Article]) -> None:
    assert list(frame["id"]) == [r.id for r in records]
    for key in INSTANTS:
        assert isinstance(frame[key].dtype, pd.DatetimeTZDtype), key
        assert str(frame[key].dtype.tz) == "UTC"
    assert frame["modified_at"].isna().any() and frame["modified_at"].notna().any()
    asia = frame.set_index("id").loc[_asia(records).id]
    assert asia["published_at"] == pd.Timestamp("2025-10-19T06:12:47Z")
    assert list(asia["authors"]) == ["Noah Rodriguez"]
    assert asia["source"]["name"] == "The Times Of Central Asia"
    assert len(asia["tables"]) == 4 and list(asia["tables"][0]["header"])
    assert asia["blocks"][0]["type"] == "paragraph"
    assert frame["word_count"].dtype == "int64"


def test_jsonl_loads_in_pandas(outputs: tuple[Path, Path, list[Article]]) -> None:
    jsonl, _, records = outputs
    _check_pandas(pd.read_json(jsonl, lines=True), records)


def test_parquet_loads_in_pandas(outputs: tuple[Path, Path, list[Article]]) -> None:
    _, folder, records = outputs
    _check_pandas(pd.read_parquet(folder), records)


def _check_polars(frame: pl.DataFrame, records: list[Article], instant: pl.DataType) -> None:
    assert frame["id"].to_list() == [r.id for r in records]
    for key in INSTANTS:
        assert frame.schema[key] == instant, key
    assert frame.schema["authors"] == pl.List(pl.String)
    assert frame.schema["credits"] == pl.List(pl.String)
    assert frame.schema["tags"] == pl.List(pl.String)
    for key in ("blocks", "tables", "references"):
        assert isinstance(frame.schema[key], pl.List), key
        assert isinstance(frame.schema[key].inner, pl.Struct), key  # type: ignore[attr-defined]
    assert isinstance(frame.schema["source"], pl.Struct)
    asia = frame.filter(pl.col("id") == _asia(records).id).row(0, named=True)
    assert asia["source"]["name"] == "The Times Of Central Asia"
    assert asia["blocks"][0]["type"] == "paragraph"


def test_jsonl_loads_in_polars(outputs: tuple[Path, Path, list[Article]]) -> None:
    jsonl, _, records = outputs
    frame = pl.read_ndjson(jsonl)
    # JSON has no date type and Polars does not guess one: the instants are the
    # uniform ISO strings, which parse with no format.
    _check_polars(frame, records, pl.String)
    parsed = frame["published_at"].str.to_datetime()
    assert parsed.dtype == pl.Datetime("us", "UTC")


def test_parquet_loads_in_polars(outputs: tuple[Path, Path, list[Article]]) -> None:
    _, folder, records = outputs
    _check_polars(pl.read_parquet(folder / "*.parquet"), records, pl.Datetime("us", "UTC"))
    lazy = pl.scan_parquet(folder / "*.parquet").select("id", "published_at").collect()
    assert lazy.height == len(records)


def _check_duckdb(relation: duckdb.DuckDBPyRelation, records: list[Article]) -> None:
    types = dict(zip(relation.columns, map(str, relation.types), strict=True))
    for key in INSTANTS:
        assert types[key] == "TIMESTAMP WITH TIME ZONE", key
    assert types["authors"] == "VARCHAR[]"
    assert types["credits"] == "VARCHAR[]"
    assert types["source"] == 'STRUCT("name" VARCHAR, url VARCHAR)'
    for key in ("blocks", "tables", "references"):
        assert types[key].startswith("STRUCT(") and types[key].endswith(")[]"), key
    rows = relation.select("id, source.name, blocks[1].type").fetchall()
    assert [r[0] for r in rows] == [r.id for r in records]
    assert (_asia(records).id, "The Times Of Central Asia", "paragraph") in rows


def test_jsonl_loads_in_duckdb(outputs: tuple[Path, Path, list[Article]]) -> None:
    jsonl, _, records = outputs
    _check_duckdb(duckdb.read_json(str(jsonl)), records)
    count = duckdb.sql(f"SELECT count(*) FROM read_json_auto('{jsonl}')").fetchall()
    assert count == [(len(records),)]


def test_parquet_loads_in_duckdb(outputs: tuple[Path, Path, list[Article]]) -> None:
    _, folder, records = outputs
    _check_duckdb(duckdb.read_parquet(str(folder / "*.parquet")), records)
    dates = duckdb.sql(f"SELECT published, modified FROM '{folder}/*.parquet'")
    assert list(map(str, dates.types)) == ["VARCHAR", "VARCHAR"]  # as the pages gave them


def test_parquet_keeps_a_field_first_seen_late(tmp_path: Path) -> None:
    """The JSON Lines failure the issue names: `source` null in the first hundred
    records, a struct later. Parquet carries its schema, so no reader guesses."""
    folder = tmp_path / "articles"
    with open_sink("parquet", folder, tmp_path / "errors.jsonl") as sink:
        for n in range(150):
            sink.write(bare(n))
        sink.write(article(150))
    frame = pl.read_parquet(folder / "*.parquet")
    assert frame["source"][-1] == {
        "name": "Original Times",
        "url": "https://original.example/story",
    }
    assert frame["references"][-1].len() == 2
    late = duckdb.sql(f"SELECT source.name FROM '{folder}/*.parquet' OFFSET 150").fetchall()
    assert late == [("Original Times",)]


_TSV_SINK = '''
import json
from pathlib import Path


class TsvSink:
    """A user's sink: one line per record, id and title, tab-separated."""

    format = "tsv"
    records_name = "articles.tsv"

    def __init__(self, records, errors):
        self.target = str(records)
        self._errors_path = Path(errors)
        self._lines = []

    def open(self):
        pass

    def write(self, record):
        self._lines.append(f"{record.id}\\t{record.title}")

    def write_error(self, error):
        with self._errors_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(error.to_dict()) + "\\n")

    def commit(self):
        Path(self.target).parent.mkdir(parents=True, exist_ok=True)
        Path(self.target).write_text("".join(line + "\\n" for line in self._lines))

    def close(self):
        self.commit()

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def delivered(records):
        lines = Path(records).read_text().splitlines() if Path(records).exists() else []
        return {line.split("\\t")[0] for line in lines}
'''


def test_a_sink_named_by_its_class_or_by_an_installed_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.sinks import known_formats, open_sink, records_in, sink_class

    (tmp_path / "user_sinks.py").write_text(_TSV_SINK, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sink = open_sink("user_sinks:TsvSink", tmp_path / "out.tsv", tmp_path / "errors.jsonl")
    with sink:
        sink.write(article(1))
    assert (tmp_path / "out.tsv").read_text() == f"{article(1).id}\tStory 1\n"
    assert records_in(tmp_path, "user_sinks:TsvSink") == tmp_path / "articles.tsv"
    # An installed package declares it under a name of its own.
    info = tmp_path / "user_sinks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: user-sinks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[news_pipeline.sinks]\ntsv = user_sinks:TsvSink\n")
    known_formats.cache_clear()
    try:
        assert known_formats()["tsv"] == "user_sinks:TsvSink"
        assert sink_class("tsv").records_name == "articles.tsv"
    finally:
        known_formats.cache_clear()
    with pytest.raises(ConfigError, match="unknown output format 'csv'"):
        sink_class("csv")
    with pytest.raises(ConfigError, match="cannot import"):
        sink_class("no_such_module:Sink")


def test_pipeline_extract_writes_through_a_users_sink(tmp_path: Path) -> None:
    (tmp_path / "user_sinks2.py").write_text(_TSV_SINK, encoding="utf-8")
    saved = tmp_path / "story.html"
    saved.write_text(article_page(), encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)])}
    out = tmp_path / "out.tsv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            str(saved),
            "-o",
            str(out),
            "--format",
            "user_sinks2:TsvSink",
            "--url",
            "https://daily.test/river",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text().endswith("\tRiver floods valley\n")
    wrong = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "extract",
            str(saved),
            "-o",
            str(out),
            "--format",
            "tsv",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert wrong.returncode == 2 and "unknown output format 'tsv'" in wrong.stderr
