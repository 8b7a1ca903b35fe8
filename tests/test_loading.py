"""Real outputs loaded as a user loads them: pandas, Polars and DuckDB, bare and typed.

The output is `pipeline extract` run on the benchmark pages that travel with
the repository (fixtures/bench: 20 AEB and 30 WCXB pages), not on records
built for the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import pipeline
from pipeline.errors import OutputError
from pipeline.sinks.parquet import SCHEMA
from tests.records import article, bare

BENCH = Path(__file__).resolve().parents[1] / "fixtures" / "bench"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _pipeline(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [Path(sys.executable).with_name("pipeline"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The records of the AEB and WCXB sample pages, as `pipeline extract` writes them."""
    out = tmp_path_factory.mktemp("real") / "articles.jsonl"
    done = _pipeline("extract", BENCH / "aeb" / "html", BENCH / "wcxb-dev" / "html", "-o", out)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 40
    return out, records


def test_pandas_loads_a_real_output_bare(real: tuple[Path, list[dict[str, Any]]]) -> None:
    out, records = real
    frame = pd.read_json(out, lines=True)
    assert list(frame["id"]) == [r["id"] for r in records]
    assert list(frame["title"]) == [r["title"] for r in records]
    assert isinstance(frame["published_at"].dtype, pd.DatetimeTZDtype)
    assert [len(blocks) for blocks in frame["blocks"]] == [len(r["blocks"]) for r in records]


def test_duckdb_loads_a_real_output_bare(real: tuple[Path, list[dict[str, Any]]]) -> None:
    out, records = real
    relation = duckdb.sql(f"SELECT * FROM read_json_auto('{out}')")
    types = dict(zip(relation.columns, map(str, relation.types), strict=True))
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["published_date"] == "DATE"
    rows = relation.select("id, title, len(blocks)").fetchall()
    assert rows == [(r["id"], r["title"], len(r["blocks"])) for r in records]


def test_polars_loads_a_real_output_bare(real: tuple[Path, list[dict[str, Any]]]) -> None:
    out, records = real
    for frame in (pl.read_ndjson(out), pl.read_ndjson(out, infer_schema_length=None)):
        assert frame["id"].to_list() == [r["id"] for r in records]
        assert frame["word_count"].to_list() == [r["word_count"] for r in records]


def test_read_types_a_real_output_as_parquet_does(real: tuple[Path, list[dict[str, Any]]]) -> None:
    out, records = real
    table = pipeline.read(out)
    assert table.schema == SCHEMA
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    assert frame["id"].to_list() == [r["id"] for r in records]
    assert frame.schema["published_at"] == pl.Datetime("us", "UTC")
    assert frame.schema["published_date"] == pl.Date
    assert frame.schema["duplicate_of"] == pl.String  # null throughout, typed all the same
    days = [
        date.fromisoformat(r["published_date"]) if r["published_date"] else None for r in records
    ]
    assert frame["published_date"].to_list() == days
    pandas = table.to_pandas()
    assert list(pandas["title"]) == [r["title"] for r in records]
    counted = duckdb.from_arrow(table).aggregate("count(*)").fetchall()
    assert counted == [(len(records),)]


def test_published_date_whenever_a_day_is_known(real: tuple[Path, list[dict[str, Any]]]) -> None:
    _, records = real
    dated = [r for r in records if r["published"]]
    assert dated and all(r["published_date"] == r["published"][:10] for r in dated)
    assert all(r["published_date"] is None for r in records if not r["published"])
    # The point of the field: a day is known more often than an instant.
    assert sum(1 for r in records if r["published_at"]) < len(dated)


def _lines(path: Path, records: Iterator[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_read_keeps_a_field_first_seen_late(tmp_path: Path) -> None:
    """What no reader's sample can type: `source` null and `references` empty in the
    first 150 lines, set in the last; a list block first seen there too."""
    late = article(150)
    path = _lines(
        tmp_path / "late.jsonl", (*(bare(n).to_dict() for n in range(150)), late.to_dict())
    )
    frame = pl.from_arrow(pipeline.read(path))
    assert isinstance(frame, pl.DataFrame)
    assert frame["source"][-1] == {
        "name": "Original Times",
        "url": "https://original.example/story",
    }
    assert frame["references"][-1].len() == 2
    assert [b["type"] for b in frame["blocks"][-1]] == [
        "heading",
        "paragraph",
        "quote",
        "code",
        "list",
        "table",
    ]
    typed = pl.read_ndjson(path, infer_schema_length=None)  # the README's other way
    assert typed["source"][-1]["name"] == "Original Times"


def test_read_a_folder_of_outputs(tmp_path: Path) -> None:
    """A partitioned extract: each partition's records; error records left out."""
    for n, name in enumerate(("a", "b")):
        folder = tmp_path / name
        folder.mkdir()
        _lines(folder / "articles.jsonl", iter([article(n).to_dict()]))
        (folder / "errors.jsonl").write_text('{"input": "x", "reason": "not_article"}\n')
    (tmp_path / "a" / "articles.jsonl").open("a").write('{"id": "torn')  # a kill's torn line
    assert pipeline.read(tmp_path).column("id").to_pylist() == [article(0).id, article(1).id]
    with pytest.raises(OutputError, match="no such file"):
        pipeline.read(tmp_path / "missing.jsonl")
    _lines(tmp_path / "bad.jsonl", iter([{"id": "not a record"}]))
    with pytest.raises(OutputError, match="line 1"):
        pipeline.read(tmp_path / "bad.jsonl")


# -- the format an output's name says ---------------------------------------------------


def test_output_named_parquet_is_parquet(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    done = _pipeline("extract", FIXTURES / "asia_news_wp_repost.html", "-o", out, "-q", "-j", "1")
    assert done.returncode == 0, done.stderr
    frame = pl.read_parquet(out)
    assert frame["title"].to_list()[0].startswith("Exploring Central Asia")
    assert frame["published_date"].to_list() == [date(2025, 10, 19)]
    assert pa.types.is_date32(pipeline.read(out).schema.field("published_date").type)


def test_output_named_markdown_is_markdown(tmp_path: Path) -> None:
    out = tmp_path / "story.md"
    done = _pipeline("extract", FIXTURES / "asia_news_wp_repost.html", "-o", out, "-q", "-j", "1")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("---\nid: ") and 'published_date: "2025-10-19"' in text
    assert "\n# Exploring Central Asia" in text


def test_a_format_the_name_contradicts_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "story.md"
    done = _pipeline(
        "extract", FIXTURES / "asia_news_wp_repost.html", "-o", out, "--format", "jsonl"
    )
    assert done.returncode == 2
    assert "named as markdown, but the format asked is jsonl" in done.stderr
    assert not out.exists()
