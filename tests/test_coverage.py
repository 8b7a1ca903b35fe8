"""Field coverage per source and the alerts that say a site changed its layout:
the figures, the margins, the config table, and runs against a local site whose
templates change between runs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.coverage import AlertSettings, Tally, departures
from pipeline.errors import ConfigError
from pipeline.extraction import extract_page
from pipeline.page import Page
from tests.localserver import LocalServer, page

_WORDS = (
    "The council met on Tuesday to weigh the plan for the northern bridge, which has"
    " been closed to lorries since the spring floods damaged two of its piers."
)


def _story(n: int, *, byline: bool = True, paragraphs: int = 6) -> str:
    meta = (
        '<div class="byline">By <a rel="author" href="/people/ann">Ann Weller</a>'
        f' <time datetime="2026-11-{n % 28 + 1:02d}T08:00:00Z">November {n % 28 + 1}</time></div>'
        if byline
        else ""
    )
    body = "".join(f"<p>Story {n}, part {k}. {_WORDS} Item {n}-{k}.</p>" for k in range(paragraphs))
    return (
        f'<!doctype html><html lang="en"><head><title>Bridge story {n}</title>'
        f'<meta property="og:type" content="article"></head><body><main><article>'
        f"<h1>Bridge story number {n} for the valley</h1>{meta}<div>{body}</div>"
        "</article></main></body></html>"
    )


def _article(html: str) -> object:
    return extract_page(Page(content=html.encode(), url="https://daily.test/2026/bridge-story"))


def test_a_tally_counts_fields_words_and_failures() -> None:
    tally = Tally()
    tally.add(_article(_story(1)))  # type: ignore[arg-type]
    tally.add(_article(_story(2, byline=False, paragraphs=2)))  # type: ignore[arg-type]
    figures = tally.figures({"not_article": 2})
    assert figures["records"] == 2 and figures["failed"] == 2
    assert figures["title"] == 1.0 and figures["language"] == 1.0
    assert figures["authors"] == 0.5 and figures["published"] == 0.5
    assert figures["published_at"] == 0.5 and figures["tables"] == 0.0
    assert figures["failed_not_article"] == 0.5
    assert 50 < figures["median_words"] < 200


def _usual(**changes: float) -> dict[str, float]:
    base = {
        "records": 20.0,
        "failed": 1.0,
        "title": 1.0,
        "authors": 0.9,
        "published": 1.0,
        "published_at": 1.0,
        "language": 1.0,
        "tables": 0.0,
        "median_words": 600.0,
        "failed_not_article": 0.05,
    }
    return {**base, **changes}


def test_departures_name_what_changed_against_the_sources_own_history() -> None:
    history = [_usual(), _usual(authors=0.95), _usual(median_words=640.0)]
    assert departures("news", _usual(), history) == []
    said = departures("news", _usual(authors=0.1, median_words=250.0), history)
    assert said == [
        "source 'news': authors in 10% of records, usually 90% (median of 3 runs)",
        "source 'news': median body 250 words, usually 600 (median of 3 runs)",
    ]
    rising = departures("news", _usual(failed_not_article=0.6), history)
    assert rising == ["source 'news': not_article for 60% of pages, usually 5% (median of 3 runs)"]


def test_departures_stay_quiet_without_enough_history_or_pages() -> None:
    changed = _usual(authors=0.0)
    assert departures("news", changed, [_usual()]) == []  # one earlier run: too new
    few = _usual(authors=0.0, records=2.0, failed=0.0)
    assert departures("news", few, [_usual(), _usual()]) == []  # two pages say little
    # Earlier runs with too few records are not history either.
    thin = [_usual(records=1.0), _usual(records=2.0), _usual()]
    assert departures("news", changed, thin) == []
    # A small drop within the margins is not news.
    assert departures("news", _usual(authors=0.75), [_usual(), _usual()]) == []


def test_margins_are_settings() -> None:
    history = [_usual(), _usual()]
    strict = AlertSettings(field_drop=0.9, field_points=0.1)
    assert departures("news", _usual(authors=0.75), history, strict) == [
        "source 'news': authors in 75% of records, usually 90% (median of 2 runs)"
    ]
    with pytest.raises(ConfigError, match="field_drop"):
        AlertSettings(field_drop=1.5)
    with pytest.raises(ConfigError, match="min_history"):
        AlertSettings(history=2, min_history=3)


def test_the_alerts_table_of_a_config(tmp_path: Path) -> None:
    config = tmp_path / "run.toml"
    source = '[[sources]]\nname = "news"\nkind = "urls"\nurls = ["https://a.test/x"]\n'
    config.write_text(f"[alerts]\nhistory = 8\nwords_drop = 0.3\n{source}", encoding="utf-8")
    alerts = load_config(config).alerts
    assert (alerts.history, alerts.words_drop, alerts.min_history) == (8, 0.3, 2)
    config.write_text(f"[alerts]\nwords_dorp = 0.3\n{source}", encoding="utf-8")
    with pytest.raises(ConfigError, match="words_dorp"):
        load_config(config)
    config.write_text(f'[alerts]\nhistory = "many"\n{source}', encoding="utf-8")
    with pytest.raises(ConfigError, match="history"):
        load_config(config)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as site:
        site.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        yield site


def _site(server: LocalServer, run: int, *, changed: bool) -> None:
    """Six new stories a run; after a redesign, no byline and a body cut short."""
    links = []
    for k in range(6):
        n = run * 10 + k
        path = f"/2026/story-{n}.html"
        html = _story(n, byline=not changed, paragraphs=2 if changed else 6)
        server.route(path, page(html))
        links.append(f"<item><title>t</title><link>{server.url(path)}</link></item>")
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{"".join(links)}</channel></rss>'
    server.route("/feed.xml", page(feed, "text/xml"))


def test_a_redesign_that_drops_bylines_and_cuts_bodies_alerts_and_exits_3(
    server: LocalServer, tmp_path: Path
) -> None:
    config = tmp_path / "run.toml"
    config.write_text(
        'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
        "[workers]\njobs = 1\n"
        f'[[sources]]\nname = "news"\nkind = "feed"\nurl = "{server.url("/feed.xml")}"\n',
        encoding="utf-8",
    )
    for run in (1, 2, 3):
        _site(server, run, changed=False)
        assert main(["run", str(config), "--run-id", f"r{run}"]) == 0
        report = json.loads((tmp_path / "out" / f"r{run}" / "run.json").read_text())
        assert report["alerts"] == []
        figures = report["coverage"]["news"]
        assert figures["records"] == 6 and figures["authors"] == 1.0
    _site(server, 4, changed=True)
    assert main(["run", str(config), "--run-id", "r4"]) == 3
    report = json.loads((tmp_path / "out" / "r4" / "run.json").read_text())
    alerts = report["alerts"]
    assert any(
        a.startswith("source 'news': authors in 0% of records, usually 100%") for a in alerts
    )
    assert any(a.startswith("source 'news': published in 0% of records") for a in alerts)
    assert any(a.startswith("source 'news': median body") for a in alerts)
    # The run's report shows them to a person, beside the coverage trend.
    page = (tmp_path / "out" / "r4" / "report.html").read_text(encoding="utf-8")
    assert "Alerts (4)" in page and "authors in 0% of records" in page
    assert 'data-chart="trend-news"' in page
    # The state store keeps every run's figures for the next run, and for reports.
    with sqlite3.connect(tmp_path / "out" / "state.sqlite") as conn:
        runs = [r for (r,) in conn.execute("SELECT run_id FROM coverage ORDER BY rowid")]
    assert runs == ["r1", "r2", "r3", "r4"]
    # The site keeps its new layout: the alert repeats until the new layout is the
    # source's history (the median of its last five runs), then stops.
    assert main(["run", str(config), "--run-id", "r5"]) == 3
    assert main(["run", str(config), "--run-id", "r6"]) == 3
    assert main(["run", str(config), "--run-id", "r7"]) == 0
    report = json.loads((tmp_path / "out" / "r7" / "run.json").read_text())
    assert report["alerts"] == [] and report["coverage"]["news"]["authors"] == 0.0


def test_coverage_per_host_adds_up_across_units() -> None:
    from pipeline.coverage import ByHost

    one, two = ByHost(), ByHost()
    one.add("https://www.daily.test/a", _article(_story(1)))  # type: ignore[arg-type]
    one.fail("https://daily.test/b", "not_article")
    two.add("https://daily.test/c", _article(_story(2, byline=False)))  # type: ignore[arg-type]
    two.add(None, _article(_story(3)))  # type: ignore[arg-type]
    merged = ByHost()
    for part in (one, two):
        merged.merge(json.loads(json.dumps(part.to_dict())))  # as a marker stores it
    figures = merged.figures()
    assert list(figures) == ["daily.test", "-"]  # most pages first; "www." dropped
    assert figures["daily.test"]["records"] == 2 and figures["daily.test"]["failed"] == 1
    assert figures["daily.test"]["authors"] == 0.5
    assert figures["daily.test"]["failed_not_article"] == round(1 / 3, 4)


@pytest.mark.parametrize("into_folder", [False, True])
def test_pipeline_extract_writes_coverage_per_host(tmp_path: Path, into_folder: bool) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        html = _story(n, byline=n != 0).replace(
            "</head>", f'<link rel="canonical" href="https://daily.test/2026/story-{n}"></head>'
        )
        (pages / f"story-{n}.html").write_text(html, encoding="utf-8")
    (pages / "menu.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    output = str(tmp_path / "out") + "/" if into_folder else str(tmp_path / "out.jsonl")
    coverage = tmp_path / "coverage.json"
    assert main(["extract", str(pages), "-o", output, "--coverage", str(coverage)]) == 0
    figures = json.loads(coverage.read_text(encoding="utf-8"))
    assert figures["daily.test"]["records"] == 3
    assert figures["daily.test"]["authors"] == round(2 / 3, 4)
    assert figures["-"] == {"records": 0, "failed": 1, "failed_empty_body": 1.0}
