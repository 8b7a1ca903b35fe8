"""Sitemaps: urlsets, sitemap indexes, gzipped bodies, Google News and text sitemaps.

Elements are matched by local name, not namespace: sitemaps in the wild use the
sitemaps.org namespace with http or https, old Google namespaces, or none. Only
a <url>'s own <loc>/<lastmod> and its news child are read, so image and video
extensions (whose <image:loc> etc. sit one level deeper) are ignored.

The XML parser is lxml with entities left unexpanded, no DTD loading, no
network and no huge-tree mode, and a document with a DOCTYPE is refused: an
XXE or billion-laughs payload is never expanded, and libxml2's limits stay on.
A gzipped body is inflated with a size cap, so a gzip bomb stops at the cap
instead of filling memory.

The file is read as a stream: `iter_sitemap` inflates and parses it piece by
piece and yields each entry as soon as its element closes, clearing what it
has read, so memory does not grow with the number of entries, and a caller
that has enough stops the reading there. Damage part-way (truncated XML)
raises bad_sitemap after the entries before it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from pipeline import urls
from pipeline.discover.urls import Discovered, normalize
from pipeline.errors import DiscoveryError, Reason
from pipeline.options import MiB

DEFAULT_MAX_SITEMAP_BYTES = 50 * MiB
"""The sitemaps.org limit for one uncompressed sitemap."""

DEFAULT_MAX_URLS = 50_000
"""The sitemaps.org limit of entries (URLs or child sitemaps) in one file."""

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024  # bytes inflated and parsed at a time


@dataclass(frozen=True, slots=True)
class ChildSitemap:
    """A sitemap an index points to: following it is a fetch, not a parse."""

    url: str


@dataclass(frozen=True, slots=True)
class SitemapPage:
    """One parsed sitemap file: article URLs from a urlset, child sitemaps from an index."""

    urls: tuple[Discovered, ...] = ()
    children: tuple[str, ...] = ()


def parse_sitemap(
    content: bytes,
    base_url: str,
    *,
    source: str = "",
    max_bytes: int = DEFAULT_MAX_SITEMAP_BYTES,
    max_urls: int = DEFAULT_MAX_URLS,
) -> SitemapPage:
    """The whole of one sitemap (at most `max_urls` entries); see `iter_sitemap`."""
    found, children = [], []
    for entry in islice(
        iter_sitemap(content, base_url, source=source, max_bytes=max_bytes), max_urls
    ):
        if isinstance(entry, ChildSitemap):
            children.append(entry.url)
        else:
            found.append(entry)
    return SitemapPage(urls=tuple(found), children=tuple(children))


def iter_sitemap(
    content: bytes,
    base_url: str,
    *,
    source: str = "",
    max_bytes: int = DEFAULT_MAX_SITEMAP_BYTES,
) -> Iterator[Discovered | ChildSitemap]:
    """The entries of one sitemap (gzipped or not), in file order, as they are read.

    A urlset gives `Discovered` URLs (relative <loc>s resolved against
    `base_url`; a malformed one is given as written, for the caller to count);
    an index gives `ChildSitemap`s (http(s) ones only, so an index cannot point
    us at file://). Raises DiscoveryError(bad_sitemap) for a file that is not a
    sitemap, past `max_bytes` once inflated, or damaged.
    """
    chunks = _inflated(content, max_bytes, base_url)
    first = next(chunks, b"").lstrip(b" \t\r\n")
    # Some CMS plugins print blank lines before the XML declaration, which XML forbids.
    if first and not first.startswith((b"<", b"\xef\xbb\xbf<")):
        yield from _text_sitemap(b"".join([first, *chunks]), base_url, source)
        return
    yield from _xml_entries(_prepend(first, chunks), base_url, source)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _inflated(content: bytes, limit: int, base_url: str) -> Iterator[bytes]:
    """The body in pieces, inflated if gzipped; refused once past `limit` bytes."""
    if not content.startswith(_GZIP_MAGIC):
        if len(content) > limit:
            raise _bad(base_url, f"larger than {limit} bytes")
        for start in range(0, len(content), _CHUNK):
            yield content[start : start + _CHUNK]
        return
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # 16: expect a gzip header
    total, pending = 0, content
    while pending:
        try:
            piece = inflater.decompress(pending, _CHUNK)
        except zlib.error as exc:
            raise _bad(base_url, f"broken gzip data: {exc}") from exc
        pending = inflater.unconsumed_tail
        total += len(piece)
        if total > limit:
            raise _bad(base_url, f"inflates to more than {limit} bytes")
        if not piece and not pending:
            break
        yield piece


def _text_sitemap(content: bytes, base_url: str, source: str) -> Iterator[Discovered]:
    """A text sitemap (sitemaps.org allows one URL per line); anything else is bad."""
    try:
        lines = content.decode("utf-8-sig").split()
    except UnicodeDecodeError as exc:
        raise _bad(base_url, "neither XML nor a UTF-8 list of URLs") from exc
    if not lines or not normalize(lines[0]):
        raise _bad(base_url, "neither XML nor a list of absolute URLs")
    for line in lines:
        yield Discovered(line, source)


def _bad(base_url: str, problem: str) -> DiscoveryError:
    return DiscoveryError(f"{base_url}: unreadable sitemap: {problem}", Reason.BAD_SITEMAP)


def _xml_entries(
    chunks: Iterator[bytes], base_url: str, source: str
) -> Iterator[Discovered | ChildSitemap]:
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    kind: str | None = None
    for chunk in chunks:
        for event, element in _events(parser, chunk, base_url):
            if kind is None:
                kind = _root_kind(element, base_url)
                continue
            if event != "end" or element.getparent() is None:
                continue
            if element.getparent().getparent() is None:  # an entry: a child of the root
                entry = _entry(kind, element, base_url, source)
                _forget(element)
                if entry is not None:
                    yield entry
    for _event, element in _events(parser, None, base_url):
        if kind is None:
            kind = _root_kind(element, base_url)
    if kind is None:
        raise _bad(base_url, "empty document")


def _events(
    parser: etree.XMLPullParser, chunk: bytes | None, base_url: str
) -> Iterator[tuple[str, etree._Element]]:
    """Feed a piece (None: the end) and read what it completed."""
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
        events = list(parser.read_events())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _bad(base_url, f"malformed XML: {exc}") from exc
    yield from events


def _root_kind(root: etree._Element, base_url: str) -> str:
    if root.getroottree().docinfo.doctype:
        # The protocol has no DTD; one here only serves entity tricks, so refuse it
        # rather than return URLs with unexpanded &entity; text in them.
        raise _bad(base_url, "it declares a DOCTYPE, which sitemaps never have")
    kind = str(etree.QName(root).localname)
    if kind not in ("urlset", "sitemapindex"):
        raise _bad(base_url, f"root element <{kind}> is neither <urlset> nor <sitemapindex>")
    return kind


def _forget(element: etree._Element) -> None:
    """Drop an entry already read, and the ones before it, from the growing tree."""
    element.clear()
    parent = element.getparent()
    while element.getprevious() is not None and parent is not None:
        del parent[0]


def _entry(
    kind: str, element: etree._Element, base_url: str, source: str
) -> Discovered | ChildSitemap | None:
    if not isinstance(element.tag, str):
        return None
    local = etree.QName(element).localname
    loc = _text(element, "loc")
    if not loc:
        return None
    url = urls.join(base_url, loc) or loc
    if kind == "sitemapindex":
        return ChildSitemap(url) if local == "sitemap" and normalize(url) else None
    if local != "url":
        return None
    news = next((child for name, child in _kids(element) if name == "news"), None)
    return Discovered(
        url=url,
        source=source,
        published=_text(news, "publication_date") if news is not None else None,
        title=_text(news, "title") if news is not None else None,
        lastmod=_text(element, "lastmod"),
    )


def _kids(element: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """The child elements with their local names (comments and entity refs skipped)."""
    for child in element:
        if isinstance(child.tag, str):
            yield etree.QName(child).localname, child


def _text(element: etree._Element, name: str) -> str | None:
    for local, child in _kids(element):
        if local == name:
            text = "".join(child.itertext()).strip()
            return " ".join(text.split()) or None
    return None
