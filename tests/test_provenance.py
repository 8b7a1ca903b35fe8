"""Provenance: a run's records say which source gave them, what its entry said,
and how the fetch went; a page without a date takes its entry's, marked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.record import Provenance, entry_date
from tests.localserver import LocalServer, page
from tests.pages import article_page
from tests.records import article


def test_an_entrys_date_stands_in_only_for_a_missing_one() -> None:
    entry = Provenance("news", "River floods valley", "2026-11-30T07:00:00+00:00", "x", 200)
    dated = article(published="2025-10-21").with_provenance(entry)
    assert dated.published == "2025-10-21" and dated.provenance is not None
    assert dated.provenance.published_from == "page"
    undated = article(published=None).with_provenance(entry)
    assert undated.published == "2026-11-30T07:00:00+00:00"
    assert undated.published_at == "2026-11-30T07:00:00Z"
    assert undated.provenance is not None and undated.provenance.published_from == "entry"
    neither = article(published=None).with_provenance(Provenance("news"))
    assert neither.published is None and neither.provenance == Provenance("news")


@pytest.mark.parametrize(
    ("given", "taken"),
    [
        ("2026-11-30", "2026-11-30"),
        ("2026-11-30T07:00:00Z", "2026-11-30T07:00:00+00:00"),
        ("2026-11-30T08:00:00.123+01:00", "2026-11-30T08:00:00+01:00"),
        ("Mon, 30 Nov 2026 07:00:00 GMT", None),
        ("", None),
        (None, None),
    ],
)
def test_entry_dates_take_the_records_form(given: str | None, taken: str | None) -> None:
    assert entry_date(given) == taken


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as site:
        site.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        yield site


def test_a_runs_records_carry_their_provenance(server: LocalServer, tmp_path: Path) -> None:
    dated = article_page()
    undated = dated.replace(
        '<time datetime="2025-10-19T06:12:00+02:00">October 19, 2025</time>', ""
    )
    undated = undated.replace("River floods valley", "Dam holds after the storm")
    undated = undated.replace("three metres", "two metres").replace("two villages", "a town")
    undated = undated.replace('<div class="top-date">Monday, November 23, 2026</div>', "")
    server.route("/2025/river-floods.html", page(dated))
    server.route("/2025/dam-holds.html", page(undated))
    items = "".join(
        f"<item><title>{title}</title><link>{server.url(path)}</link>"
        "<pubDate>Sun, 30 Nov 2025 07:00:00 +0000</pubDate></item>"
        for title, path in (
            ("Floods: the valley", "/2025/river-floods.html"),
            ("The dam holds", "/2025/dam-holds.html"),
        )
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    server.route("/feed.xml", page(feed, "text/xml"))
    config = tmp_path / "run.toml"
    config.write_text(
        'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
        "[workers]\njobs = 1\n"
        f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{server.url("/feed.xml")}"\n',
        encoding="utf-8",
    )
    assert main(["run", str(config), "--run-id", "one"]) == 0
    lines = (tmp_path / "out" / "one" / "articles.jsonl").read_text(encoding="utf-8")
    records = {r["title"]: r for r in map(json.loads, lines.splitlines())}
    floods = records["River floods valley"]["provenance"]
    assert floods["source"] == "wire" and floods["entry_title"] == "Floods: the valley"
    assert floods["entry_published"] == "2025-11-30T07:00:00+00:00"
    assert floods["http_status"] == 200 and floods["fetched_at"].endswith("Z")
    assert floods["published_from"] == "page"
    assert records["River floods valley"]["published"] == "2025-10-19T06:12:00+02:00"
    dam = records["Dam holds after the storm"]
    assert dam["provenance"]["published_from"] == "entry"
    assert dam["published"] == "2025-11-30T07:00:00+00:00"
    assert dam["published_date"] == "2025-11-30"
    # Coverage counts the page's own dates: the stand-in does not hide a lost dateline.
    report = json.loads((tmp_path / "out" / "one" / "run.json").read_text())
    assert report["coverage"]["wire"]["published"] == 0.5


def test_provenance_and_access_reach_markdown_and_parquet(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from pipeline.sinks import open_sink

    record = article(3)
    front = record.to_markdown().split("---")[1]
    assert 'provenance: {"source": "wire-feed", "entry_title": "Story title"' in front
    assert 'access: "paywalled"' in front and "confidence: 0.875" in front
    sink = open_sink("parquet", tmp_path / "articles", tmp_path / "errors.jsonl")
    sink.write(record)
    sink.close()
    (row,) = pq.read_table(tmp_path / "articles").to_pylist()
    assert row["provenance"]["http_status"] == 200 and row["access"] == "paywalled"
    assert row["provenance"]["published_from"] == "page" and row["confidence"] == 0.875
