"""A demo news site on the loopback interface, serving the project's fixture pages.

    with DemoSite() as site:              # http://127.0.0.1:8000; port=0 picks a free port
        site.url("/feed.xml")

It is a real HTTP/1.1 server (the standard library's ThreadingHTTPServer in a
daemon thread) with what a crawler meets on a news site: robots.txt, an RSS
feed, a sitemap index with a gzipped child and a Google News sitemap, article
pages with ETag and Last-Modified (and 304 answers to conditional requests),
a home page and a tag page that are not articles, and 404 for anything else.

Everything it serves is a function of the fixture files and the site's own
address: no clock goes into any body or validator, so two runs see the same
site. Page bytes are served exactly as saved, with the charset the page
declares in its Content-Type header.

`python -m demo serve [--port 8000] [--config-dir DIR]` serves it until
Ctrl-C; --config-dir writes examples/demo.toml and demo-urls.txt there with the
site's real address (useful with --port 0). It lives beside the package, not
in it: it serves the repository's fixtures.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "fixtures"
EXAMPLES = PROJECT / "examples"

TEMPLATE_ADDRESS = "127.0.0.1:8000"
"""The address written in examples/; `config_text` replaces it with the real one."""

LAST_MODIFIED = datetime(2025, 10, 31, 12, 0, tzinfo=UTC)
"""Every resource's Last-Modified: fixed, so validators never change between runs."""

_FIRST_DAY = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)
_NEWS_SITEMAP_SIZE = 3  # a Google News sitemap lists only the latest articles
_HOME = "news_home_page"
_TAG = "tag_listing_page"
_LIVE = "live_blog"
_OPINION = "paywalled_teaser"

Section = Literal["news", "opinion", "live", "home", "tag", "consent"]


@dataclass(frozen=True, slots=True)
class DemoPage:
    """One HTML page of the site.

    name: the fixture's file name without .html (`aeb-<12 hex>` for a benchmark page).
    path: where the site serves it. published: its date in the feed and sitemaps.
    article: False for the home and tag pages, which must come out as not_article,
    and for the consent page a site shows in place of an article (consent_wall).
    """

    name: str
    path: str
    body: bytes
    charset: str | None
    language: str
    title: str
    section: Section
    published: datetime

    @property
    def article(self) -> bool:
        return self.section not in ("home", "tag", "consent")


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str


class DemoSite:
    """The demo news site; a context manager that serves while the block runs.

    root: the fixtures folder: its top-level *.html, plus bench/aeb/html/*.html.gz
        unless bench_pages is False (the fetch benchmark serves only the former).
    port=0 binds a free port; `port` holds the real one once started.
    """

    def __init__(
        self,
        root: Path = FIXTURES,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        bench_pages: bool = True,
    ) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.pages: tuple[DemoPage, ...] = _load_pages(self.root, bench_pages)
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status), in order
        self._resources: dict[str, _Resource] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- addresses ---------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def config_text(self, template: str) -> str:
        """`template` (a config or URL list written for 127.0.0.1:8000) for this site's address."""
        return template.replace(TEMPLATE_ADDRESS, f"{self.host}:{self.port}")

    # -- what is where -----------------------------------------------------

    @property
    def feed_pages(self) -> tuple[DemoPage, ...]:
        """Articles in /feed.xml: the live blog and every other news article."""
        news = {p.name for p in self.pages if p.section == "news"}
        every_other = {name for i, name in enumerate(sorted(news)) if i % 2 == 0}
        return tuple(p for p in self.pages if p.section == "live" or p.name in every_other)

    @property
    def sitemap_pages(self) -> tuple[DemoPage, ...]:
        """Pages in /sitemap-news.xml.gz: the articles the feed leaves out, the tag page
        and the consent page."""
        feed = {p.name for p in self.feed_pages}
        return tuple(
            p
            for p in self.pages
            if (p.article and p.name not in feed) or p.section in ("tag", "consent")
        )

    @property
    def news_sitemap_pages(self) -> tuple[DemoPage, ...]:
        """Pages in /sitemap-2.xml (Google News): the latest few of the sitemap's articles."""
        articles = sorted((p for p in self.sitemap_pages if p.article), key=lambda p: p.published)
        return tuple(articles[-_NEWS_SITEMAP_SIZE:])

    def page(self, name: str) -> DemoPage:
        for page in self.pages:
            if page.name == name:
                return page
        raise KeyError(name)

    # -- serving -----------------------------------------------------------

    def start(self) -> DemoSite:
        server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self.port = int(server.server_address[1])
        self._resources = self._build()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"demosite-{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; safe to call twice."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def resource(self, path: str) -> tuple[bytes, str, str] | None:
        """(body, content type, etag) served at `path` (query ignored), or None for a 404."""
        found = self._resources.get(urlsplit(path).path)
        return None if found is None else (found.body, found.content_type, found.etag)

    def _build(self) -> dict[str, _Resource]:
        out: dict[str, _Resource] = {}

        def add(path: str, body: bytes, content_type: str) -> None:
            out[path] = _Resource(body, content_type, _etag(body))

        for page in self.pages:
            charset = f"; charset={page.charset}" if page.charset else ""
            add(page.path, page.body, "text/html" + charset)
        add("/robots.txt", self._robots(), "text/plain; charset=utf-8")
        add("/feed.xml", self._feed(), "application/rss+xml; charset=utf-8")
        add("/sitemap.xml", self._sitemap_index(), "application/xml; charset=utf-8")
        add("/sitemap-news.xml.gz", gzip.compress(self._urlset(), mtime=0), "application/gzip")
        add("/sitemap-2.xml", self._news_sitemap(), "application/xml; charset=utf-8")
        return out

    def _robots(self) -> bytes:
        return (
            "# The demo news site: everything may be fetched, at any pace.\n"
            "User-agent: *\n"
            "Allow: /\n"
            "\n"
            f"Sitemap: {self.url('/sitemap.xml')}\n"
        ).encode()

    def _feed(self) -> bytes:
        items = []
        pages = self.feed_pages
        for index, page in enumerate(pages):
            tracked = "?utm_source=rss&utm_medium=feed" if index % 3 == 1 else ""
            items.append(_item(self.url(page.path) + tracked, page))
        # a tag page's second page, which the demo config's exclude drops
        tag = next(p for p in self.pages if p.section == "tag")
        items.append(_item(self.url(tag.path) + "?page=2", tag))
        # the first article again, as feeds do after an edit, with tracking this time
        items.append(_item(self.url(pages[0].path) + "?utm_source=twitter", pages[0]))
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0">\n<channel>\n'
            "<title>Demo News</title>\n"
            f"<link>{escape(self.url('/'))}</link>\n"
            "<description>The project's fixture pages, served as a news site</description>\n"
            "<language>en</language>\n"
            f"<lastBuildDate>{_rfc822(LAST_MODIFIED)}</lastBuildDate>\n"
            + "".join(items)
            + "</channel>\n</rss>\n"
        ).encode()

    def _sitemap_index(self) -> bytes:
        children = "".join(
            f"<sitemap><loc>{escape(self.url(path))}</loc>"
            f"<lastmod>{LAST_MODIFIED.isoformat()}</lastmod></sitemap>\n"
            for path in ("/sitemap-news.xml.gz", "/sitemap-2.xml")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + children
            + "</sitemapindex>\n"
        ).encode()

    def _urlset(self) -> bytes:
        entries = "".join(
            f"<url><loc>{escape(self.url(p.path))}</loc>"
            f"<lastmod>{p.published.date().isoformat()}</lastmod></url>\n"
            for p in self.sitemap_pages
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + entries
            + "</urlset>\n"
        ).encode()

    def _news_sitemap(self) -> bytes:
        entries = "".join(
            f"<url><loc>{escape(self.url(p.path))}</loc>"
            "<news:news><news:publication><news:name>Demo News</news:name>"
            f"<news:language>{p.language}</news:language></news:publication>"
            f"<news:publication_date>{p.published.isoformat()}</news:publication_date>"
            f"<news:title>{escape(p.title)}</news:title></news:news></url>\n"
            for p in self.news_sitemap_pages
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"\n'
            '        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + entries
            + "</urlset>\n"
        ).encode()


def _item(link: str, page: DemoPage) -> str:
    return (
        "<item>"
        f"<title>{escape(page.title)}</title>"
        f"<link>{escape(link)}</link>"
        f'<guid isPermaLink="false">demo-{page.name}</guid>'
        f"<pubDate>{_rfc822(page.published)}</pubDate>"
        "</item>\n"
    )


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


# -- the pages --------------------------------------------------------------

_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2})", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def _load_pages(root: Path, bench_pages: bool) -> tuple[DemoPage, ...]:
    """Every page, sorted by path; dates follow that order, one day apart."""
    found: list[tuple[str, str, bytes, Section]] = []
    for file in sorted(root.glob("*.html")):
        name = file.stem
        section = _section(root, name)
        found.append((name, _path(name, section), file.read_bytes(), section))
    bench = sorted((root / "bench" / "aeb" / "html").glob("*.html.gz")) if bench_pages else []
    for file in bench:
        name = "aeb-" + file.name[:12]
        found.append((name, _path(name, "news"), gzip.decompress(file.read_bytes()), "news"))
    found.sort(key=lambda item: item[1])
    pages = []
    for day, (name, path, body, section) in enumerate(found):
        head = body[:262144]
        charset = _CHARSET.search(head)
        lang = _LANG.search(head)
        pages.append(
            DemoPage(
                name=name,
                path=path,
                body=body,
                charset=charset.group(1).decode("ascii").lower() if charset else None,
                language=lang.group(1).decode("ascii").lower() if lang else "en",
                title=_title(head, charset.group(1).decode("ascii") if charset else None, name),
                section=section,
                published=_FIRST_DAY + timedelta(hours=22 * day),  # all within October
            )
        )
    return tuple(pages)


def _section(root: Path, name: str) -> Section:
    if name == _HOME:
        return "home"
    expected = root / f"{name}.json"
    error = json.loads(expected.read_text("utf-8")).get("error") if expected.is_file() else None
    if error == "not_article":
        return "tag"  # the fixtures' other not_article page is a tag listing
    if error == "consent_wall":
        return "consent"  # served where an article would be
    if name == _LIVE:
        return "live"
    return "opinion" if name == _OPINION else "news"


def _path(name: str, section: Section) -> str:
    if section == "home":
        return "/"
    if section == "tag":
        return "/tag/geopolitics/" if name == _TAG else f"/tag/{name}/"
    if section == "consent":
        return f"/news/2025/10/{name}.html"
    return f"/{section}/2025/10/{name}.html"


def _title(head: bytes, charset: str | None, fallback: str) -> str:
    found = _TITLE.search(head)
    if not found:
        return fallback
    try:
        text = found.group(1).decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = found.group(1).decode("utf-8", errors="replace")
    return " ".join(html.unescape(text).split()) or fallback


# -- HTTP -------------------------------------------------------------------


def _make_handler(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.site = site
    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a crawler's client expects
    server_version = "DemoSite/1"
    timeout = 30  # an idle keep-alive connection is closed after this long
    site: DemoSite

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        found = self.site.resource(self.path)
        if found is None:
            self._send(404, b"not found\n", [("Content-Type", "text/plain; charset=utf-8")], body)
            return
        content, content_type, etag = found
        validators = [("ETag", etag), ("Last-Modified", _rfc822(LAST_MODIFIED))]
        if self._not_modified(etag):
            self._send(304, b"", validators, body=False)
            return
        self._send(200, content, [("Content-Type", content_type), *validators], body)

    def _not_modified(self, etag: str) -> bool:
        """RFC 9110 13.1: If-None-Match decides when present; else If-Modified-Since."""
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = [t.strip().removeprefix("W/") for t in match.split(",")]
            return "*" in tags or etag in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment >= LAST_MODIFIED

    def _send(
        self, status: int, content: bytes, headers: list[tuple[str, str]], body: bool
    ) -> None:
        self.site.requests.append((self.command, self.path, status))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body and content:
            self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: a test or a bench would drown in access lines
