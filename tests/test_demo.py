"""The demo news site (demo/): what it serves, and that discovery reads it."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from demo import DemoPage, DemoSite
from pipeline.config import load_config
from pipeline.discover import normalize, parse_feed, parse_sitemap, parse_url_list

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as demo:
        yield demo


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def _urls(site: DemoSite, pages: tuple[DemoPage, ...]) -> set[str]:
    return {site.url(p.path) for p in pages}


def test_ephemeral_port(site: DemoSite) -> None:
    assert site.port != 0
    assert site.base_url == f"http://127.0.0.1:{site.port}"


def test_robots(site: DemoSite, client: httpx.Client) -> None:
    response = client.get(site.url("/robots.txt"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert not any(line.lower().startswith("crawl-delay") for line in lines)
    assert f"Sitemap: {site.url('/sitemap.xml')}" in lines


def test_pages_are_served_as_saved(site: DemoSite, client: httpx.Client) -> None:
    page = site.page("russian_cp1251")
    assert page.path == "/news/2025/10/russian_cp1251.html"
    response = client.get(site.url(page.path))
    assert response.status_code == 200
    assert response.content == (FIXTURES / "russian_cp1251.html").read_bytes()
    assert response.headers["content-type"] == "text/html; charset=windows-1251"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"] == "Fri, 31 Oct 2025 12:00:00 GMT"
    home = client.get(site.url("/"))
    assert home.content == (FIXTURES / "news_home_page.html").read_bytes()
    tag = client.get(site.url("/tag/geopolitics/?page=2"))  # the query is ignored
    assert tag.content == (FIXTURES / "tag_listing_page.html").read_bytes()
    bench = next(p for p in site.pages if p.name.startswith("aeb-"))
    assert client.get(site.url(bench.path)).content == bench.body


def test_conditional_requests(site: DemoSite, client: httpx.Client) -> None:
    url = site.url("/news/2025/10/amp_article.html")
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": f'W/{etag}, "x"'}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    # If-None-Match decides when present, even if the date would match
    stale = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert client.get(url, headers=stale).status_code == 200
    earlier = {"If-Modified-Since": "Thu, 30 Oct 2025 12:00:00 GMT"}
    assert client.get(url, headers=earlier).status_code == 200
    # the same bytes give the same validator on every start
    with DemoSite(port=0) as other:
        assert client.get(other.url("/news/2025/10/amp_article.html")).headers["etag"] == etag
        assert client.get(other.url("/feed.xml")).content == client.get(
            site.url("/feed.xml")
        ).content.replace(site.base_url.encode(), other.base_url.encode())


@pytest.mark.parametrize(
    "path", ["/nope", "/news/2025/10/missing.html", "/fixtures/amp_article.html"]
)
def test_unknown_paths_404(site: DemoSite, client: httpx.Client, path: str) -> None:
    assert client.get(site.url(path)).status_code == 404


def test_feed(site: DemoSite, client: httpx.Client) -> None:
    response = client.get(site.url("/feed.xml"))
    assert response.status_code == 200
    found = parse_feed(response.content, str(response.url), source="demo-feed")
    links = [d.url for d in found]
    assert any("utm_source=" in link for link in links)
    normalised = [normalize(link) for link in links]
    assert len(normalised) == len(set(normalised)) + 1  # one item twice
    tag_page_two = site.url("/tag/geopolitics/") + "?page=2"
    assert set(normalised) == _urls(site, site.feed_pages) | {tag_page_two}
    assert all(d.published for d in found)
    # about half of the site's articles
    articles = [p for p in site.pages if p.article]
    assert len(articles) // 3 < len(site.feed_pages) < 2 * len(articles) // 3


def test_sitemaps(site: DemoSite, client: httpx.Client) -> None:
    index = client.get(site.url("/sitemap.xml"))
    parsed = parse_sitemap(index.content, str(index.url))
    assert parsed.urls == ()
    assert parsed.children == (site.url("/sitemap-news.xml.gz"), site.url("/sitemap-2.xml"))

    child = client.get(parsed.children[0])
    assert child.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in child.headers
    assert gzip.decompress(child.content).startswith(b"<?xml")
    urlset = parse_sitemap(child.content, str(child.url)).urls
    assert {d.url for d in urlset} == _urls(site, site.sitemap_pages)
    assert all(d.lastmod for d in urlset)

    news = client.get(parsed.children[1])
    entries = parse_sitemap(news.content, str(news.url)).urls
    assert {d.url for d in entries} == _urls(site, site.news_sitemap_pages)
    assert all(d.published and d.title for d in entries)

    # the feed and the sitemaps share no article; with the URL list they cover the site
    feed, sitemap = _urls(site, site.feed_pages), _urls(site, site.sitemap_pages)
    assert not feed & sitemap
    listed = {normalize(u) for u in parse_url_list((EXAMPLES / "demo-urls.txt").read_text())}
    templated = {site.config_text(u) for u in listed if u}
    assert {normalize(u) for u in feed | sitemap} | templated >= {
        normalize(site.url(p.path)) for p in site.pages
    }


def test_not_articles_are_marked(site: DemoSite) -> None:
    others = {p.name: p.path for p in site.pages if not p.article}
    assert others == {
        "news_home_page": "/",
        "tag_listing_page": "/tag/geopolitics/",
        "consent_interstitial": "/news/2025/10/consent_interstitial.html",
    }


def test_example_config_for_the_real_port(site: DemoSite, tmp_path: Path) -> None:
    for name in ("demo.toml", "demo-urls.txt"):
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(site.config_text(text), encoding="utf-8")
    config = load_config(tmp_path / "demo.toml")
    feed, sitemap, listed, inline = config.sources
    assert feed.url == site.url("/feed.xml")
    assert sitemap.url == site.url("/sitemap.xml")
    assert listed.path == tmp_path / "demo-urls.txt"
    assert "127.0.0.1:8000" not in (tmp_path / "demo-urls.txt").read_text()
    # every URL the examples name is served (fragments and tracking aside)
    urls = [*parse_url_list((tmp_path / "demo-urls.txt").read_text()), *inline.urls]
    served = {site.url(p.path) for p in site.pages}
    assert all(normalize(u) in {normalize(s) for s in served} for u in urls)
    # the patterns do what the comments say
    assert any(p.search(site.url("/live/2025/10/live_blog.html")) for p in feed.exclude)
    assert not any(p.search(site.url("/tag/geopolitics/")) for p in sitemap.include)
    assert any(
        p.search(site.url("/opinion/2025/10/paywalled_teaser.html")) for p in sitemap.include
    )


def test_the_readme_main_job_runs_twice_and_the_second_run_finds_nothing(
    tmp_path: Path,
) -> None:
    from demo import run_twice

    assert run_twice(tmp_path) == 0
    (folder,) = (tmp_path / "demo").iterdir()
    first = json.loads((folder / "run-1" / "run.json").read_text())
    second = json.loads((folder / "run-2" / "run.json").read_text())
    assert first["written"] >= 25 and first["failed"] == {"consent_wall": 1, "not_article": 2}
    assert second["written"] == 0 and second["fetched"] == 0
    assert second["not_modified"] == first["discovered"]
    # Each run has its report, and neither hears of a layout change.
    assert first["alerts"] == [] and second["alerts"] == []
    for run in ("run-1", "run-2"):
        assert (folder / run / "report.html").read_text(encoding="utf-8").startswith("<!doctype")
