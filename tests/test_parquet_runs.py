"""Both commands with `--format parquet`: the same records as JSON Lines, and a
run's recovery of a killed run's uncommitted batch, each record once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.record import VOLATILE_FIELDS
from pipeline.sinks.parquet import from_row
from pipeline.state import StateStore
from tests.localserver import LocalServer, page
from tests.pages import article_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TITLES = ["Harbour reopens", "Council agrees the budget", "Tram line opens", "Bridge closes"]


def _stable(record: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}


def test_extract_to_parquet_gives_the_json_lines_records(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    folder = tmp_path / "articles"
    assert main(["extract", str(FIXTURES), "-o", str(jsonl), "--jobs", "1"]) == 0
    command = ["extract", str(FIXTURES), "-o", str(folder), "--jobs", "1", "--format", "parquet"]
    assert main(command) == 0
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    rows = pq.read_table(folder).to_pylist()
    assert len(rows) == len(lines) >= 10
    assert [_stable(from_row(r)) for r in rows] == [_stable(r) for r in lines]
    assert sorted(p.name for p in folder.iterdir()) == ["part-00000.parquet"]


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        links = ""
        for n, title in enumerate(TITLES):
            extra = f"<p>{title}: the main story of the day in the whole region, {n}.</p>"
            server.route(f"/{n}.html", page(article_page(extra).replace("River floods", title)))
            links += f"<item><title>{title}</title><link>{server.url(f'/{n}.html')}</link></item>"
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{links}</channel></rss>'
        server.route("/feed.xml", page(feed, "application/rss+xml"))
        yield server


def test_a_run_delivers_a_killed_runs_uncommitted_batch_once(
    site: LocalServer, tmp_path: Path
) -> None:
    config = tmp_path / "run.toml"
    config.write_text(
        'output_dir = "out"\nformat = "parquet"\n[fetch]\nper_host_delay = 0.0\n'
        'allow_networks = ["127.0.0.1"]\n'
        f'[[sources]]\nname = "feed"\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n',
        encoding="utf-8",
    )
    assert main(["run", str(config), "--run-id", "first"]) == 0
    first = tmp_path / "out" / "first" / "articles"
    (part,) = first.glob("*.parquet")
    rows = pq.read_table(part).to_pylist()
    assert len(rows) == len(TITLES)
    # What a kill leaves: the first batch committed (two records, and the second
    # of them not yet cleared from the outbox), the next one (two records) only
    # in a temporary part, and all three still staged.
    pq.write_table(pq.read_table(part).slice(0, 2), part)
    (first / ".part-00001.parquet.tmp").write_bytes(b"PAR1 half a part")
    with StateStore.open(load_config(config).state_path, "first") as store:
        for row in rows[1:]:
            record = from_row(row)
            url = str(record["url"])
            seen = store.get(url).last_seen  # type: ignore[union-attr]
            store.stage_record(url, None, str(record["content_hash"]), record, seen)
    assert main(["run", str(config), "--run-id", "second"]) == 0
    second = pd.read_parquet(tmp_path / "out" / "second" / "articles")
    ids = [*pd.read_parquet(first)["id"], *second["id"]]
    assert sorted(ids) == sorted(r["id"] for r in rows)  # every record, none twice
    assert list(second["id"]) == [r["id"] for r in rows[2:]]
    assert sorted(p.name for p in first.iterdir()) == ["part-00000.parquet"]  # leftover gone
    summary = json.loads((tmp_path / "out" / "second" / "run.json").read_text())
    assert summary["recovered"] == 2


def test_extract_into_an_existing_parquet_folder_again(tmp_path: Path) -> None:
    """A folder of part files is a records target, not a root of partitions."""
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    out = tmp_path / "articles"
    for _ in range(2):
        command = ["extract", str(fixtures), "-o", str(out), "--format", "parquet", "-j", "1"]
        assert main(command) == 0
    assert not (out / "pages").exists()
    assert list(out.glob("part-*.parquet"))
