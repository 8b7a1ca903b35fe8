from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import pipeline
from pipeline.errors import (
    BlockedAddress,
    ConfigError,
    EmptyBody,
    NotArticle,
    Reason,
    RobotsDisallowed,
    TooLarge,
    Undecodable,
)
from pipeline.exec import WorkerSettings
from pipeline.record import Article, ErrorRecord
from tests.localserver import LocalServer, page
from tests.pages import PARAGRAPHS, article_page

INLINE = WorkerSettings(jobs=1)


def test_extract_from_text_and_bytes_agree() -> None:
    a = pipeline.extract(article_page(), url="https://daily.test/2025/10/river")
    b = pipeline.extract(article_page().encode("utf-8"), url="https://daily.test/2025/10/river")
    assert a.text == b.text and a.id == b.id and a.content_hash == b.content_hash
    assert a.title == "River floods valley"
    assert a.published == "2025-10-19T06:12:00+02:00"  # not the header's "today" date
    assert a.authors == ("Jane Doe",)
    assert a.text == "\n\n".join(PARAGRAPHS)


def test_content_hash_ignores_the_page_around_the_text() -> None:
    a = pipeline.extract(article_page())
    b = pipeline.extract(
        article_page().replace("Monday, November 23, 2026", "Tuesday, May 5, 2027")
    )
    assert a.content_hash == b.content_hash


@pytest.mark.parametrize(
    ("html", "error", "reason"),
    [
        (b"", Undecodable, Reason.UNDECODABLE),
        (b"<html><body><nav><a href='/a'>A</a></nav></body></html>", EmptyBody, Reason.EMPTY_BODY),
    ],
)
def test_named_errors(html: bytes, error: type[Exception], reason: Reason) -> None:
    with pytest.raises(error) as exc:
        pipeline.extract(html)
    assert exc.value.reason == reason  # type: ignore[attr-defined]


def test_too_large() -> None:
    with pytest.raises(TooLarge):
        pipeline.extract(b"<p>" + b"x" * 100, options=pipeline.Options(max_bytes=50))


def test_listing_is_not_an_article() -> None:
    teasers = "".join(
        f"<article><h2><a href='/p{i}'>Story number {i} about the floods</a></h2>"
        f"<p>A short teaser of story {i}.</p></article>"
        for i in range(10)
    )
    html = f"<html><body class='archive tag'><main>{teasers}</main></body></html>"
    with pytest.raises(NotArticle):
        pipeline.extract(html, url="https://daily.test/tag/floods/")


# -- fetch, crawl, read: from a server on 127.0.0.1 -------------------------------------------

LOOPBACK = ["127.0.0.1/32"]


def _story(title: str) -> str:
    return article_page().replace("River floods valley", title)


@pytest.fixture(scope="module")
def site() -> Iterator[LocalServer]:
    routes = {
        "/robots.txt": page("User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/2025/10/river": page(article_page()),
        "/private/story": page(article_page()),
        "/feed.xml": page(_FEED, "application/rss+xml"),
    }
    for n in range(5):
        routes[f"/2025/10/story-{n}"] = page(_story(f"Story number {n} of the week"))
    with LocalServer(routes) as server:
        yield server


_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Daily Test</title>
{items}</channel></rss>"""


def _config(site: LocalServer, tmp_path: Path) -> Path:
    feed = _FEED.replace(
        "{items}",
        "".join(
            f"<item><title>Story {n}</title><link>{site.url(f'/2025/10/story-{n}')}</link></item>"
            for n in range(5)
        ),
    )
    site.route("/feed.xml", page(feed, "application/rss+xml"))
    path = tmp_path / "news.toml"
    path.write_text(
        f"""output_dir = "out"

[fetch]
allow_networks = ["127.0.0.1/32"]
per_host_delay = 0.0

[[sources]]
name = "daily"
kind = "feed"
url = "{site.url("/feed.xml")}"
""",
        encoding="utf-8",
    )
    return path


def test_fetch_returns_the_article(site: LocalServer) -> None:
    article = pipeline.fetch(site.url("/2025/10/river"), allow_networks=LOOPBACK)
    assert article.title == "River floods valley"
    assert article.url == site.url("/2025/10/river")
    assert article.published_datetime == datetime(2025, 10, 19, 4, 12, tzinfo=UTC)
    assert article.published_day == date(2025, 10, 19)
    assert article.to_dict()["published_date"] == "2025-10-19"
    assert repr(article).startswith(f"<Article {article.id[:12]} 'River floods valley' url=")
    assert len(repr(article)) < 200  # not the whole text


def test_fetch_keeps_the_network_guard_and_robots(site: LocalServer) -> None:
    with pytest.raises(BlockedAddress) as blocked:
        pipeline.fetch(site.url("/2025/10/river"))  # loopback is closed by default
    assert blocked.value.reason == Reason.BLOCKED_ADDRESS
    with pytest.raises(RobotsDisallowed):
        pipeline.fetch(site.url("/private/story"), allow_networks=LOOPBACK)
    assert site.hits("/private/story") == 0
    with pytest.raises(ConfigError):
        pipeline.fetch("not a url")


def test_fetch_works_inside_a_running_event_loop(site: LocalServer) -> None:
    async def in_a_notebook() -> Article:
        return pipeline.fetch(site.url("/2025/10/river"), allow_networks=LOOPBACK)

    assert asyncio.run(in_a_notebook()).title == "River floods valley"


def test_crawl_yields_articles_and_stops_at_max(site: LocalServer, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    titles = [a.title for a in pipeline.crawl(config, max_articles=3, workers=INLINE)]
    assert len(titles) == 3 and all(t and t.startswith("Story number") for t in titles)
    every = sorted(a.title or "" for a in pipeline.crawl(config, workers=INLINE))
    assert every == [f"Story number {n} of the week" for n in range(5)]
    assert not (tmp_path / "out").exists()  # nothing written, no state store


def test_crawl_stops_when_the_loop_stops(site: LocalServer, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    for article in pipeline.crawl(config, workers=INLINE):
        assert article.title
        break
    # The generator closed: its thread ended, nothing left running.
    assert not [t for t in threading.enumerate() if t.name == "pipeline-crawl"]


def test_crawl_reports_pages_without_an_article(site: LocalServer, tmp_path: Path) -> None:
    config = _config(site, tmp_path)
    site.route("/2025/10/story-4", page("<html><body><nav>menu</nav></body></html>"))
    errors: list[ErrorRecord] = []
    articles = list(pipeline.crawl(config, workers=INLINE, errors=errors))
    assert len(articles) == 4
    assert [(e.url, e.reason) for e in errors] == [(site.url("/2025/10/story-4"), "empty_body")]
    site.route("/2025/10/story-4", page(_story("Story number 4 of the week")))
