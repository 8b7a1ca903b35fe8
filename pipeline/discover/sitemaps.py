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
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urljoin

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from pipeline.discover.urls import Discovered, normalize
from pipeline.errors import DiscoveryError, Reason
from pipeline.options import MiB

DEFAULT_MAX_SITEMAP_BYTES = 50 * MiB
"""The sitemaps.org limit for one uncompressed sitemap."""

DEFAULT_MAX_URLS = 50_000
"""The sitemaps.org limit of entries (URLs or child sitemaps) in one file."""

_GZIP_MAGIC = b"\x1f\x8b"


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
    """Parse one sitemap (gzipped or not); raise DiscoveryError(bad_sitemap) if unreadable.

    Relative <loc> values are resolved against `base_url`. Child sitemaps are
    returned for the caller to fetch: following them is a fetch, not a parse.
    """
    if content.startswith(_GZIP_MAGIC):
        content = _gunzip(content, max_bytes, base_url)
    if len(content) > max_bytes:
        raise _bad(base_url, f"larger than {max_bytes} bytes")
    # Some CMS plugins print blank lines before the XML declaration, which XML forbids.
    content = content.lstrip(b" \t\r\n")
    if not content.startswith((b"<", b"\xef\xbb\xbf<")):
        return SitemapPage(urls=_text_sitemap(content, base_url, source, max_urls))
    root = _parse_xml(content, base_url)
    kind = etree.QName(root).localname
    if kind == "urlset":
        return SitemapPage(urls=tuple(islice(_urls(root, base_url, source), max_urls)))
    if kind == "sitemapindex":
        return SitemapPage(children=tuple(islice(_children(root, base_url), max_urls)))
    raise _bad(base_url, f"root element <{kind}> is neither <urlset> nor <sitemapindex>")


def _text_sitemap(
    content: bytes, base_url: str, source: str, max_urls: int
) -> tuple[Discovered, ...]:
    """A text sitemap (sitemaps.org allows one URL per line); anything else is bad."""
    try:
        lines = content.decode("utf-8-sig").split()
    except UnicodeDecodeError as exc:
        raise _bad(base_url, "neither XML nor a UTF-8 list of URLs") from exc
    if not lines or not all(normalize(line) for line in lines):
        raise _bad(base_url, "neither XML nor a list of absolute URLs")
    return tuple(Discovered(url, source) for url in lines[:max_urls])


def _bad(base_url: str, problem: str) -> DiscoveryError:
    return DiscoveryError(f"{base_url}: unreadable sitemap: {problem}", Reason.BAD_SITEMAP)


def _gunzip(content: bytes, limit: int, base_url: str) -> bytes:
    """Inflate at most `limit` bytes; a body that would inflate past it is refused."""
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # 16: expect a gzip header
    try:
        out = inflater.decompress(content, limit + 1)
    except zlib.error as exc:
        raise _bad(base_url, f"broken gzip data: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise _bad(base_url, f"inflates to more than {limit} bytes")
    return out


def _parse_xml(content: bytes, base_url: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _bad(base_url, f"malformed XML: {exc}") from exc
    if root is None:
        raise _bad(base_url, "empty document")
    if root.getroottree().docinfo.doctype:
        # The protocol has no DTD; one here only serves entity tricks, so refuse it
        # rather than return URLs with unexpanded &entity; text in them.
        raise _bad(base_url, "it declares a DOCTYPE, which sitemaps never have")
    return root


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


def _absolute(loc: str | None, base_url: str) -> str | None:
    return urljoin(base_url, loc) if loc else None


def _urls(root: etree._Element, base_url: str, source: str) -> Iterator[Discovered]:
    for local, entry in _kids(root):
        url = _absolute(_text(entry, "loc"), base_url) if local == "url" else None
        if url is None:
            continue
        news = next((child for name, child in _kids(entry) if name == "news"), None)
        yield Discovered(
            url=url,
            source=source,
            published=_text(news, "publication_date") if news is not None else None,
            title=_text(news, "title") if news is not None else None,
            lastmod=_text(entry, "lastmod"),
        )


def _children(root: etree._Element, base_url: str) -> Iterator[str]:
    """Child sitemap URLs; only http(s) ones, so an index cannot point us at file://."""
    for local, entry in _kids(root):
        url = _absolute(_text(entry, "loc"), base_url) if local == "sitemap" else None
        if url and normalize(url):
            yield url
