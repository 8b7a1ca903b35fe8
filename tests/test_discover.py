"""Discovery: feeds, sitemaps, URL lists, normalisation and per-source selection.

All inputs are small documents written here; nothing touches the network.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from pipeline.config import SourceConfig
from pipeline.discover import (
    Discovered,
    normalize,
    parse_feed,
    parse_sitemap,
    parse_url_list,
    select,
)
from pipeline.errors import DiscoveryError, Reason

BASE = "https://news.example.com/feeds/main.xml"

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Example News</title>
    <link>https://news.example.com/</link>
    <description>All the news</description>
    <item>
      <title><![CDATA[Storm hits <coast> & towns]]></title>
      <link>/world/2024/05/storm-hits-coast?utm_source=rss&amp;utm_medium=feed</link>
      <pubDate>Wed, 01 May 2024 10:30:00 +0200</pubDate>
      <guid isPermaLink="false">story-1</guid>
    </item>
    <item>
      <title>Markets rally &amp; bonds fall &#8212; analysts</title>
      <link>https://news.example.com/business/markets-rally#comments</link>
      <pubDate>Thu, 02 May 2024 08:00:00 GMT</pubDate>
    </item>
    <item>
      <title>Storm hits coast (again in the feed)</title>
      <link>https://NEWS.example.com/world/2024/05/storm-hits-coast?utm_campaign=x</link>
    </item>
    <item>
      <title>Permalink only</title>
      <guid>https://news.example.com/culture/permalink-only</guid>
    </item>
    <item><title>No link at all</title><description>skipped</description></item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/posts/">
  <title>Example Blog</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-05-03T12:00:00Z</updated>
  <entry>
    <title type="html">Caf&amp;eacute; culture</title>
    <link rel="alternate" href="cafe-culture.html?fbclid=abc"/>
    <link rel="replies" href="cafe-culture.html#comments"/>
    <id>tag:blog.example.org,2024:1</id>
    <published>2024-05-03T09:00:00+02:00</published>
    <updated>2024-05-03T11:00:00Z</updated>
  </entry>
  <entry>
    <title>Second post</title>
    <link href="https://blog.example.org/posts/second"/>
    <id>tag:blog.example.org,2024:2</id>
    <updated>2024-05-04T00:00:00Z</updated>
  </entry>
</feed>
"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.net/">
    <title>RDF News</title>
    <link>https://rdf.example.net/</link>
    <description>An RSS 1.0 feed</description>
    <items><rdf:Seq><rdf:li resource="https://rdf.example.net/a"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.net/a">
    <title>RDF item</title>
    <link>https://rdf.example.net/a?gclid=123</link>
    <dc:date>2024-04-30T06:00:00Z</dc:date>
  </item>
</rdf:RDF>
"""


# -- feeds ------------------------------------------------------------------


def test_rss_entries_resolve_relative_links_and_keep_order() -> None:
    found = parse_feed(RSS, BASE, source="main")
    assert [d.url for d in found] == [
        "https://news.example.com/world/2024/05/storm-hits-coast?utm_source=rss&utm_medium=feed",
        "https://news.example.com/business/markets-rally#comments",
        "https://NEWS.example.com/world/2024/05/storm-hits-coast?utm_campaign=x",
        "https://news.example.com/culture/permalink-only",
    ]
    assert {d.source for d in found} == {"main"}


def test_rss_cdata_entities_and_dates() -> None:
    first, second, third, _ = parse_feed(RSS, BASE)
    assert first.title == "Storm hits <coast> & towns"
    assert first.published == "2024-05-01T08:30:00+00:00"  # +0200 turned into UTC
    assert second.title == "Markets rally & bonds fall \u2014 analysts"
    assert second.published == "2024-05-02T08:00:00+00:00"
    assert third.published is None


def test_atom_uses_xml_base_alternate_link_and_dates() -> None:
    first, second = parse_feed(ATOM, "https://blog.example.org/feed.atom")
    assert first.url == "https://blog.example.org/posts/cafe-culture.html?fbclid=abc"
    assert first.title == "Café culture"
    assert first.published == "2024-05-03T07:00:00+00:00"
    assert first.lastmod == "2024-05-03T11:00:00+00:00"
    assert second.url == "https://blog.example.org/posts/second"
    assert second.published is None
    assert second.lastmod == "2024-05-04T00:00:00+00:00"


def test_rdf_feed() -> None:
    (item,) = parse_feed(RDF, "https://rdf.example.net/index.rdf")
    assert item.url == "https://rdf.example.net/a?gclid=123"
    assert item.title == "RDF item"
    assert item.published == "2024-04-30T06:00:00+00:00"


def test_feed_charset_comes_from_the_xml_declaration() -> None:
    feed = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss version="2.0"><channel><title>t'
        "</title><item><title>Café déjà vu</title><link>/caf</link></item></channel></rss>"
    ).encode("latin-1")
    (item,) = parse_feed(feed, BASE)
    assert item.title == "Café déjà vu"


def test_feed_entries_are_capped() -> None:
    items = b"".join(b"<item><title>n</title><link>/a/%d</link></item>" % n for n in range(300))
    feed = b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>"
    found = parse_feed(feed, BASE, max_entries=25)
    assert len(found) == 25
    assert found[-1].url == "https://news.example.com/a/24"


def test_slightly_broken_feed_still_yields_its_entries() -> None:
    # An unescaped ampersand: not XML, but feedparser's lenient parser recovers it.
    feed = (
        b'<rss version="2.0"><channel><title>Q & A</title><item><title>Q & A</title>'
        b"<link>https://news.example.com/qa</link></item></channel></rss>"
    )
    (item,) = parse_feed(feed, BASE)
    assert item.url == "https://news.example.com/qa"


@pytest.mark.parametrize(
    "content",
    [
        b"<rss><channel><item><title>unclosed",
        b"\x00\x01\x02 binary junk \xff\xfe",
        b"<html><body><h1>Not a feed</h1></body></html>",
        b"/etc/hostname",  # a bytes argument must never be opened as a file name
        b"",
    ],
)
def test_unreadable_feed_is_bad_feed(content: bytes) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_feed(content, BASE)
    assert caught.value.reason is Reason.BAD_FEED
    assert BASE in caught.value.message


def test_empty_but_valid_feed_is_no_error() -> None:
    feed = b'<rss version="2.0"><channel><title>quiet day</title></channel></rss>'
    assert parse_feed(feed, BASE) == ()


def _entities(depth: int) -> str:
    """A billion-laughs chain: &lol{depth}; would expand to 10**depth copies."""
    lines = ['<!ENTITY lol0 "lol">']
    for level in range(1, depth + 1):
        lines.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return "\n".join(lines)


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return secret


@pytest.mark.parametrize("separator", ["\n", ""])  # one declaration per line, or all on one
def test_feed_billion_laughs_and_xxe_do_not_expand(tmp_path: Path, separator: str) -> None:
    secret = _secret(tmp_path)
    doctype = (
        f"<!DOCTYPE rss [{separator}{_entities(9).replace(chr(10), separator)}{separator}"
        f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">{separator}]>'
    )
    feed = (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>t</title>'
        "<item><title>A &lol9; B &xxe;</title>"
        "<link>https://news.example.com/x</link></item></channel></rss>"
    ).encode()
    found = parse_feed(feed, BASE)
    text = " ".join(str(d) for d in found)
    assert "TOP-SECRET" not in text
    assert "lollollol" not in text
    assert len(text) < 1000


def test_feed_external_dtd_and_parameter_entities_are_not_loaded(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    feed = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "{secret.as_uri()}" [\n'
        f'<!ENTITY % p SYSTEM "{secret.as_uri()}">\n%p;\n]>\n'
        '<rss version="2.0"><channel><title>t</title><item><title>x</title>'
        "<link>https://news.example.com/x</link></item></channel></rss>"
    ).encode()
    try:
        found = parse_feed(feed, BASE)
    except DiscoveryError:
        return  # refusing the feed is as safe as reading it without the file
    assert "TOP-SECRET" not in " ".join(str(d) for d in found)


# -- sitemaps ---------------------------------------------------------------

SITE = "https://news.example.com"

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemap-articles.xml.gz</loc>
    <lastmod>2024-05-01</lastmod></sitemap>
  <sitemap><loc>/sitemap-news.xml</loc></sitemap>
  <sitemap><loc>file:///etc/passwd</loc></sitemap>
  <sitemap><!-- no loc --></sitemap>
</sitemapindex>
"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="https://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
  <url>
    <loc>https://news.example.com/world/storm</loc>
    <lastmod>2024-05-01T10:00:00+00:00</lastmod>
    <image:image><image:loc>https://cdn.example.com/storm.jpg</image:loc></image:image>
  </url>
  <url>
    <loc>
      https://news.example.com/business/markets?a=1&amp;b=2
    </loc>
    <video:video><video:content_loc>https://cdn.example.com/v.mp4</video:content_loc>
      <video:title>A video</video:title></video:video>
  </url>
  <url><lastmod>2024-05-01</lastmod></url>
</urlset>
"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://news.example.com/politics/vote</loc>
    <news:news>
      <news:publication>
        <news:name>Example News</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2024-05-02T07:15:00+01:00</news:publication_date>
      <news:title>Parliament votes &amp; passes the bill</news:title>
    </news:news>
  </url>
</urlset>
"""


def test_sitemap_index_lists_http_children_only() -> None:
    page = parse_sitemap(INDEX, f"{SITE}/sitemap.xml")
    assert page.urls == ()
    assert page.children == (
        "https://news.example.com/sitemap-articles.xml.gz",
        "https://news.example.com/sitemap-news.xml",
    )


def test_gzipped_urlset_ignores_image_and_video_extensions() -> None:
    page = parse_sitemap(gzip.compress(URLSET), f"{SITE}/sitemap-articles.xml.gz", source="s")
    assert page.children == ()
    assert page.urls == (
        Discovered(
            "https://news.example.com/world/storm", "s", lastmod="2024-05-01T10:00:00+00:00"
        ),
        Discovered("https://news.example.com/business/markets?a=1&b=2", "s"),
    )


def test_google_news_sitemap() -> None:
    (item,) = parse_sitemap(NEWS, f"{SITE}/sitemap-news.xml").urls
    assert item.url == "https://news.example.com/politics/vote"
    assert item.published == "2024-05-02T07:15:00+01:00"
    assert item.title == "Parliament votes & passes the bill"


def test_sitemap_without_namespace_and_relative_locs() -> None:
    content = b"<urlset><url><loc>/a</loc></url><url><loc>b</loc></url></urlset>"
    page = parse_sitemap(content, f"{SITE}/maps/sitemap.xml")
    assert [d.url for d in page.urls] == [f"{SITE}/a", f"{SITE}/maps/b"]


def test_blank_lines_before_the_xml_declaration_are_tolerated() -> None:
    page = parse_sitemap(b"\n\n  " + NEWS, SITE)
    assert len(page.urls) == 1


def test_text_sitemap() -> None:
    content = b"https://news.example.com/a\r\nhttps://news.example.com/b\n\n"
    page = parse_sitemap(gzip.compress(content), f"{SITE}/sitemap.txt.gz", source="t")
    assert page.urls == (
        Discovered("https://news.example.com/a", "t"),
        Discovered("https://news.example.com/b", "t"),
    )


def test_sitemap_urls_are_capped() -> None:
    urls = b"".join(b"<url><loc>https://x.example/%d</loc></url>" % n for n in range(100))
    page = parse_sitemap(b"<urlset>" + urls + b"</urlset>", SITE, max_urls=10)
    assert len(page.urls) == 10


def test_text_sitemap_with_a_bad_line_keeps_the_rest() -> None:
    """The bad line is handed on as written: selection counts it as malformed."""
    page = parse_sitemap(
        b"https://ok.example/a\nnot-a-url\nhttp://[::1/x\nhttps://ok.example/b\n", SITE
    )
    assert [d.url for d in page.urls] == [
        "https://ok.example/a",
        "not-a-url",
        "http://[::1/x",
        "https://ok.example/b",
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"<urlset><url><loc>https://x.example/a</loc></url>",  # unclosed
        b"<html><body>Soft 404</body></html>",
        b"not xml at all",
        b"\xff\xfe\x00junk",
        b"",
        b"\x1f\x8b\x08\x00broken gzip",
    ],
)
def test_malformed_sitemap_is_bad_sitemap(content: bytes) -> None:
    with pytest.raises(DiscoveryError) as caught:
        parse_sitemap(content, f"{SITE}/sitemap.xml")
    assert caught.value.reason is Reason.BAD_SITEMAP
    assert "sitemap.xml" in caught.value.message


def test_gzip_bomb_stops_at_the_cap() -> None:
    # 20 MB of zeros compresses to ~20 KB; with a 1 MB cap it must be refused.
    bomb = gzip.compress(b"<urlset>" + b" " * 20_000_000 + b"</urlset>")
    assert len(bomb) < 100_000
    with pytest.raises(DiscoveryError, match="inflates to more than") as caught:
        parse_sitemap(bomb, f"{SITE}/bomb.xml.gz", max_bytes=1_000_000)
    assert caught.value.reason is Reason.BAD_SITEMAP


def test_uncompressed_sitemap_over_the_cap_is_refused() -> None:
    with pytest.raises(DiscoveryError, match="larger than"):
        parse_sitemap(URLSET, SITE, max_bytes=100)


def test_sitemap_billion_laughs_and_xxe_are_refused(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    content = (
        f'<?xml version="1.0"?>\n<!DOCTYPE urlset [\n{_entities(9)}\n'
        f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">\n]>\n'
        "<urlset><url><loc>https://x.example/&lol9;&xxe;</loc></url></urlset>"
    ).encode()
    with pytest.raises(DiscoveryError) as caught:  # libxml2 or our DOCTYPE check refuses it
        parse_sitemap(content, SITE)
    assert caught.value.reason is Reason.BAD_SITEMAP
    assert "TOP-SECRET" not in caught.value.message


def test_sitemap_with_any_doctype_is_refused(tmp_path: Path) -> None:
    secret = _secret(tmp_path)
    content = (
        f'<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<urlset><url><loc>https://x.example/&xxe;</loc></url></urlset>"
    ).encode()
    with pytest.raises(DiscoveryError, match="DOCTYPE"):
        parse_sitemap(content, SITE)


# -- URL lists --------------------------------------------------------------


def test_parse_url_list() -> None:
    text = (
        "\ufeff# Demo list\n"
        "https://news.example.com/a\n"
        "\n"
        "   https://news.example.com/b#section   # a trailing comment\n"
        "  # indented comment\n"
        "https://news.example.com/c\r\n"
    )
    assert parse_url_list(text) == (
        "https://news.example.com/a",
        "https://news.example.com/b#section",
        "https://news.example.com/c",
    )


# -- normalisation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://ex.com/a?utm_source=x&utm_medium=y&utm_campaign=z", "https://ex.com/a"),
        ("https://ex.com/a?id=7&fbclid=IwAR0&gclid=Cj0", "https://ex.com/a?id=7"),
        ("https://ex.com/a?story=123&utm_content=b", "https://ex.com/a?story=123"),
        ("https://ex.com/a#comments", "https://ex.com/a"),
        ("https://ex.com/a#utm_source=x", "https://ex.com/a"),
        ("HTTPS://News.EXAMPLE.com/World/Story", "https://news.example.com/World/Story"),
        ("http://ex.com:80/a", "http://ex.com/a"),
        ("https://ex.com:443/a", "https://ex.com/a"),
        ("http://127.0.0.1:8000/news/a.html", "http://127.0.0.1:8000/news/a.html"),
        ("https://ex.com:8443/a", "https://ex.com:8443/a"),
        ("https://ex.com/a?b=2&a=1", "https://ex.com/a?a=1&b=2"),
        ("  https://ex.com/a  ", "https://ex.com/a"),
        ("https://ex.com/my file.html", "https://ex.com/my%20file.html"),
        ("ftp://ex.com/a", None),
        ("mailto:editor@ex.com", None),
        ("javascript:alert(1)", None),
        ("/relative/path", None),
        ("https://ex.com:notaport/a", None),
        ("", None),
    ],
)
def test_normalize(raw: str, expected: str | None) -> None:
    assert normalize(raw) == expected


# -- select -----------------------------------------------------------------


def _source(**settings: object) -> SourceConfig:
    return SourceConfig(name="s", kind="feed", url="https://news.example.com/feed", **settings)  # type: ignore[arg-type]


def test_select_normalises_and_deduplicates_in_order() -> None:
    found = parse_feed(RSS, BASE, source="main")
    chosen = select(found, _source())
    assert [d.url for d in chosen] == [
        "https://news.example.com/world/2024/05/storm-hits-coast",
        "https://news.example.com/business/markets-rally",
        "https://news.example.com/culture/permalink-only",
    ]
    assert chosen[0].title == "Storm hits <coast> & towns"  # the first duplicate wins


def test_select_drops_invalid_urls() -> None:
    items = [Discovered("mailto:x@y.z", "s"), Discovered("https://ex.com/ok", "s")]
    assert [d.url for d in select(items, _source())] == ["https://ex.com/ok"]


def test_select_include_exclude_and_max() -> None:
    urls = [
        "https://ex.com/news/1",
        "https://ex.com/news/2?utm_source=x",
        "https://ex.com/video/3",
        "https://ex.com/news/live-4",
        "https://ex.com/news/5",
        "https://ex.com/news/6",
    ]
    items = [Discovered(u, "s") for u in urls]
    source = _source(
        include=(re.compile(r"/news/"), re.compile(r"/opinion/")),
        exclude=(re.compile(r"/live-"),),
        max_articles=3,
    )
    assert [d.url for d in select(items, source)] == [
        "https://ex.com/news/1",
        "https://ex.com/news/2",
        "https://ex.com/news/5",
    ]


def test_select_patterns_see_the_normalised_url() -> None:
    items = [Discovered("HTTPS://EX.COM/News/1?utm_source=x", "s")]
    assert select(items, _source(exclude=(re.compile(r"utm_"),))) != []
    assert select(items, _source(include=(re.compile(r"^https://ex\.com/"),))) != []


_KIND_MODULE = '''
from pipeline.discover import Discovered


class Pairs:
    """A user's source kind: a text file at a URL, "title|url" per line."""

    name = "pairs"
    locations = frozenset({"url"})

    async def entries(self, source, fetcher, child_failed):
        result = await fetcher.fetch_raw(source.url)
        lines = result.content.decode().splitlines()
        yield [Discovered(line.split("|")[1], source.name, title=line.split("|")[0])
               for line in lines if "|" in line]
'''


def test_a_source_kind_of_ones_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind named as module:Class: the config checks its locations, a run reads it."""
    import json

    from pipeline.cli import main
    from pipeline.config import load_config
    from pipeline.errors import ConfigError
    from tests.localserver import LocalServer, page
    from tests.pages import article_page

    (tmp_path / "pair_kinds.py").write_text(_KIND_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with LocalServer() as site:
        site.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        site.route("/story.html", page(article_page()))
        site.route("/list.txt", page(f"River|{site.url('/story.html')}\n", "text/plain"))
        config = tmp_path / "run.toml"
        config.write_text(
            'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
            '[workers]\njobs = 1\n[[sources]]\nname = "pairs"\n'
            f'kind = "pair_kinds:Pairs"\nurl = "{site.url("/list.txt")}"\n',
            encoding="utf-8",
        )
        assert main(["run", str(config), "--run-id", "one"]) == 0
    (record,) = [json.loads(line) for line in (tmp_path / "out/one/articles.jsonl").open()]
    assert record["provenance"]["source"] == "pairs"
    assert record["provenance"]["entry_title"] == "River"
    wrong = config.read_text().replace('url = "', 'path = "x.txt"\nurl = "')
    config.write_text(wrong, encoding="utf-8")
    with pytest.raises(ConfigError, match="'path': not allowed for a pair_kinds:Pairs source"):
        load_config(config)
    config.write_text(wrong.replace("pair_kinds:Pairs", "carrier-pigeon"), encoding="utf-8")
    with pytest.raises(ConfigError, match="'carrier-pigeon' is not one of: feed, sitemap, urls"):
        load_config(config)
