"""Metadata stage: what the page says about the article, with a fixed precedence.

Structured data (JSON-LD, OpenGraph, Dublin Core, citation_*) and the visible
article header (the h1, the lines beside it, the category and tag links of the
post) are read together; each field's module says which wins: `titles`,
`byline` (authors and credits), `published` (the date). Visible evidence is only read
inside the article's own region (the `<article>` or `<main>` that holds the
h1) and outside the site's furniture, so the site's "today" date bar, a
sidebar tag cloud or a related post's date never count. Runs on the intact
tree, before the clean stage removes bylines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline import urls
from pipeline.extraction.body.furniture import Furniture
from pipeline.extraction.metadata import dates
from pipeline.extraction.metadata.byline import find_byline
from pipeline.extraction.metadata.header import Header, read_header
from pipeline.extraction.metadata.published import ARTICLE_SOURCES, published_date
from pipeline.extraction.metadata.structured import StructuredData, read_structured
from pipeline.extraction.metadata.titles import (
    choose_title,
    shares_words,
    site_from_title,
    strip_site_suffix,
    title_agreement,
)
from pipeline.extraction.thresholds import (
    FURNITURE_H1_AGREEMENT,
    MAX_HEADLINES,
    MAX_SELECTED_NODES,
    SMALL_SECTION_CHARS,
    SMALL_TAG_LIST_CHARS,
    TAG_CHARS,
    TAG_WORDS,
)
from pipeline.normalize import normalize_text
from pipeline.record import Source

__all__ = ["Metadata", "read_metadata", "strip_site_suffix"]

_REGION = "article, main, [itemprop=articleBody], [role=main]"
_MAIN = "main, [itemprop=articleBody], [role=main]"
# Elements that name the post's category or carry its tags. Class substrings
# also match WordPress post classes ("category-foo tag-bar" on the whole post),
# so a match counts only when the element itself is small.
_SECTION_SELECTORS = (
    "[rel~=category], [itemprop=articleSection], [class*=categor], [class*=rubr],"
    " [class*=kicker], [class*=eyebrow], .cat-links"
)
_TAG_SELECTORS = "[class*=tags], [class*=tag-list], [class*=keywords], [class*=topics]"
_SOURCE_LINE = re.compile(
    r"^\s*(?:source|via|original(?:ly published)?(?: (?:article|story))?(?: (?:at|on|in|by))?"
    r"|read (?:the )?(?:full|original)(?: (?:article|story))?(?: (?:at|on))?)\s*:?\s*",
    re.I,
)
_DASH_SUFFIX = re.compile(r"\s[–—-]\s([^–—-]{2,60})$")
_TAG_SPLIT = re.compile(r"[,;|]")  # each part is normalised (and so stripped) after
# CMS identifiers and internal labels that pages print among their tags.
_CMS_TAG = re.compile(
    r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"  # a UUID
    r"|^(?=[0-9a-f]*\d)[0-9a-f]{16,}$"  # a hex id
    r"|^(?:category|tag|tags|section|type|author|topic|keyword|id|page|template)\s*[:=]",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Metadata:
    """The article's metadata as read from one page."""

    title: str | None
    authors: tuple[str, ...]
    credits: tuple[str, ...]  # agencies, desks, organisations (byline.Byline)
    published: str | None
    modified: str | None
    language: str | None
    section: str | None
    tags: tuple[str, ...]
    description: str | None
    doi: str | None
    site_name: str | None
    canonical_url: str | None
    source: Source | None
    structured: StructuredData
    # The date comes from the article's own declaration, header or region (not a
    # page-wide search): evidence of one article, for the page-type stage.
    dated_by_article: bool = False


def read_metadata(tree: LexborHTMLParser, url: str | None, html: str | None = None) -> Metadata:
    """Read the metadata of the page in `tree` (which is left untouched); `html` is the
    page's text, for the last-resort date search of `dates.date_from_page`."""
    data = read_structured(tree)
    furniture = Furniture(tree.body)
    site = data.site_name or site_from_title(data.title_tag)
    h1 = _headline(tree, site, furniture, (*data.titles, data.title_tag or ""))
    region = _region(tree, h1)
    header: Header | None = None
    if h1 is not None:
        header = read_header(h1, furniture.named, region)
    langs = [data.language] if data.language else None
    canonical = _absolute(data.canonical_url, url)
    dated = published_date(data, tree, region, h1, header, furniture, langs)
    byline = find_byline(data, header, region, tree.body, site, furniture)
    return Metadata(
        title=choose_title(h1, data.titles, data.title_tag, site, url),
        authors=byline.authors,
        credits=byline.credits,
        published=dated.iso or (dates.date_from_page(html, url) if html else None),
        dated_by_article=dated.source in ARTICLE_SOURCES,
        modified=dates.to_iso(data.modified, langs) if data.modified else None,
        language=data.language,
        section=_first_text(data.section) or _section(region, furniture),
        tags=clean_tags(data.tags) or _tags(region, furniture) or clean_tags(data.keywords),
        description=_first_text(data.description),
        doi=data.doi,
        site_name=site,
        canonical_url=canonical,
        source=_source(region, canonical or url),
        structured=data,
    )


def _is_region(node: LexborNode) -> bool:
    """`node` matches _REGION (tested in Python: css_matches on every ancestor of a
    deeply nested headline costs seconds)."""
    attributes = node.attributes
    return (
        node.tag in ("article", "main")
        or attributes.get("itemprop") == "articleBody"
        or attributes.get("role") == "main"
    )


def _headline(
    tree: LexborHTMLParser, site: str | None, furniture: Furniture, declared: Sequence[str] = ()
) -> LexborNode | None:
    """The article's visible headline: of the h1s that are not the site's logo, the one
    whose words best match a declared title (a promo box's h1 may come first, a
    site's h1 may share a word or two); outside the site's furniture first, but an
    h1 inside a furniture-named wrapper (page builders call every block a
    "widget") when it is the only one that matches. With no match, the first
    h1 outside the furniture."""
    body = tree.body
    outside: list[LexborNode] = []
    inside: list[LexborNode] = []
    for h1 in tree.css("h1")[:MAX_HEADLINES]:
        text = h1.text(deep=True).strip()
        if not text or (site and text.casefold() == site.casefold()):
            continue
        if _names_contain(h1, ("logo", "site-title", "site-name", "brand")):
            continue
        in_furniture = body is not None and furniture.around(h1, body)
        (inside if in_furniture else outside).append(h1)
    best = _best_match(outside, declared, 0.0)
    if best is None:
        best = _best_match(inside, declared, FURNITURE_H1_AGREEMENT)
    return best or (outside[0] if outside else None)


def _best_match(
    h1s: Sequence[LexborNode], declared: Sequence[str], floor: float
) -> LexborNode | None:
    """The h1 that agrees most with a declared title, of those sharing its words and
    agreeing more than `floor`."""
    best: LexborNode | None = None
    best_score = floor
    for h1 in h1s:
        text = normalize_text(h1.text(deep=True))
        score = max(
            (title_agreement(text, d) for d in declared if shares_words(text, d)), default=0.0
        )
        if score > best_score:
            best, best_score = h1, score
    return best


def _region(tree: LexborHTMLParser, h1: LexborNode | None) -> LexborNode | None:
    """The article's own part of the page: the container of its headline. Without a
    headline, the page's main element, or its <article> when it has only one (on
    a listing, the first of many <article>s is a teaser)."""
    if h1 is None:
        main = tree.css_first(_MAIN)
        if main is not None:
            return main
        articles = tree.css("article")
        return articles[0] if len(articles) == 1 else None
    node = h1.parent
    depth = 0
    while node is not None and node.tag not in ("body", "html"):
        if _is_region(node):
            return node
        node, depth = node.parent, depth + 1
    # No semantic wrapper: a few levels above the headline covers header and body.
    node = h1
    for _ in range(3):
        if node.parent is None or node.parent.tag in ("body", "html"):
            break
        node = node.parent
    return node


def _names_contain(node: LexborNode, words: tuple[str, ...]) -> bool:
    names = (node.attributes.get("class") or "").casefold()
    return any(w in names for w in words)


def _section(region: LexborNode | None, furniture: Furniture) -> str | None:
    if region is None:
        return None
    for node in region.css(_SECTION_SELECTORS)[:MAX_SELECTED_NODES]:
        if len(node.text(deep=True)) > SMALL_SECTION_CHARS or furniture.around(node, region):
            continue
        link = node if node.tag == "a" else node.css_first("a")
        text = normalize_text((link or node).text(deep=True))
        if text:
            return text
    return None


def _tags(region: LexborNode | None, furniture: Furniture) -> tuple[str, ...]:
    if region is None:
        return ()
    links = region.css("a[rel~=tag]")
    if not links:
        for holder in region.css(_TAG_SELECTORS):
            if len(holder.text(deep=True)) <= SMALL_TAG_LIST_CHARS and holder.css_first("a"):
                links = holder.css("a")
                break
    seen: dict[str, str] = {}
    for node in links:
        text = normalize_text(node.text(deep=True)).lstrip("#")
        if text and not _is_cms_tag(text) and not furniture.around(node, region):
            seen.setdefault(text.casefold(), text)
    return tuple(seen.values())


def _source(region: LexborNode | None, page_url: str | None) -> Source | None:
    """The original publisher an aggregator names: a 'Source:' line or a captioned link."""
    if region is None:
        return None
    home = _host(page_url)
    for link in region.css("a[href]"):
        href = link.attributes.get("href") or ""
        host = _host(href)
        if not host or host == home or (home and host.endswith("." + home)):
            continue
        if found := _source_from_link(link, href):
            return found
    return None


def _source_from_link(link: LexborNode, href: str) -> Source | None:
    text = normalize_text(link.text(deep=True))
    context = normalize_text(link.parent.text(deep=True)) if link.parent is not None else ""
    if _SOURCE_LINE.match(context) and context != text:
        return Source(text or _host(href) or href, href)
    label = text or normalize_text(link.attributes.get("title") or "")
    if not label:
        image = link.css_first("img[alt]")
        label = normalize_text(image.attributes.get("alt") or "") if image is not None else ""
    match = _DASH_SUFFIX.search(label)
    if match and len(label.split()) >= 5:
        return Source(match.group(1).strip(), href)
    return None


def _host(url: str | None) -> str | None:
    if not url or not url.startswith(("http://", "https://", "//")):
        return None
    host = urls.hostname(url if not url.startswith("//") else f"http:{url}") or ""
    return host.removeprefix("www.") or None


def _absolute(value: str | None, base: str | None) -> str | None:
    if not value:
        return None
    return urls.join(base, value)


def clean_tags(raw: Sequence[str]) -> tuple[str, ...]:
    """The article's tags from declared values: a comma-separated keyword string is
    several tags; CMS identifiers (UUIDs, hex or numeric ids), internal labels
    ("Category: Life", "tag:foo") and sentences are none. De-duplicated, order kept."""
    seen: dict[str, str] = {}
    for value in raw:
        for part in _TAG_SPLIT.split(value):
            tag = normalize_text(part).strip(" #.;")
            if tag and not _is_cms_tag(tag):
                seen.setdefault(tag.casefold(), tag)
    return tuple(seen.values())


def _is_cms_tag(tag: str) -> bool:
    if len(tag) > TAG_CHARS or len(tag.split()) > TAG_WORDS:
        return True  # a sentence or a description, not a tag
    return bool(_CMS_TAG.search(tag)) or not any(c.isalpha() for c in tag)


def _first_text(value: str | None) -> str | None:
    return normalize_text(value) or None if value else None
