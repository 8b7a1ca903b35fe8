"""Metadata stage: what the page says about the article, with a fixed precedence.

Structured data (JSON-LD, OpenGraph, Dublin Core, citation_*) comes first; the
visible article header (the h1, the byline, the date beside them, the category
and tag links of the post) fills the gaps. Visible evidence is only read inside
the article's own region (the `<article>` or `<main>` that holds the h1), so the
site's "today" date bar, a sidebar tag cloud or a related post's date never
count. Runs on the intact tree, before the clean stage removes bylines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline import urls
from pipeline.extraction import clean, dates, people
from pipeline.extraction.structured import StructuredData, read_structured
from pipeline.normalize import normalize_text
from pipeline.record import Source

_DECORATION = " ⋆★☆✓✔|•·»"
_SUFFIX_WORDS = 5
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—»·•:]|-{1,2}|::)\s+")
_REGION = "article, main, [itemprop=articleBody], [role=main]"
_AUTHOR_SELECTORS = (
    "[itemprop=author] [itemprop=name], [itemprop=author], [rel=author], [class*=byline],"
    " [class*=author], [class*=Author], [data-testid*=byline], [data-testid*=author]"
)
# Parts of a byline that are not the name: the author's role, bio, picture, box.
_NOT_A_NAME = ("role", "bio", "avatar", "box", "desc", "about", "image", "photo", "label", "title")
_DATE_SELECTORS = "time[datetime], [itemprop=datePublished]"
_UPDATE_LABEL_CHARS = 160
_UPDATE_NAMES = ("updat", "modif", "changed", "revis", "edited")
_UPDATE_LABEL = re.compile(
    r"\b(?:updated|last\s+updated|modified|revised|reviewed|edited|aktualisiert|mis\s+à\s+jour"
    r"|actualizado|aggiornato)\b|обновлено|更新",
    re.I,
)
_DATE_TEXT_SELECTORS = (
    "time, [class*=date], [class*=time], [class*=byline], [class*=meta], [class*=posted]"
)
# Elements that name the post's category or carry its tags. Class substrings
# also match WordPress post classes ("category-foo tag-bar" on the whole post),
# so a match counts only when the element itself is small.
_SECTION_SELECTORS = (
    "[rel~=category], [itemprop=articleSection], [class*=categor], [class*=rubr],"
    " [class*=kicker], [class*=eyebrow], .cat-links"
)
_TAG_SELECTORS = "[class*=tags], [class*=tag-list], [class*=keywords], [class*=topics]"
_SMALL_SECTION = 80
_SMALL_TAG_LIST = 1000
_SOURCE_LINE = re.compile(
    r"^\s*(?:source|via|original(?:ly published)?(?: (?:article|story))?(?: (?:at|on|in|by))?"
    r"|read (?:the )?(?:full|original)(?: (?:article|story))?(?: (?:at|on))?)\s*:?\s*",
    re.I,
)
_DASH_SUFFIX = re.compile(r"\s[–—-]\s([^–—-]{2,60})$")
_MAX_VISIBLE_NODES = 40
_HEADLINE_TEXT = 400
_WORD = re.compile(r"\w+")
_MAX_BYLINE = 80
_MAX_BYLINE_NODES = 400
_BYLINE_CANDIDATES = "p, span, div, li, small, h4, h5, h6, address"
_BYLINE = re.compile(
    r"^(?:by|written\s+by|posted\s+by|words\s+by|article\s+by|story\s+by|author|authors"
    r"|von|par|por|автор)\s*:?\s+(\S.*)$",
    re.I,
)
_BYLINE_LABEL = re.compile(
    r"^(?:by|written\s+by|posted\s+by|words\s+by|article\s+by|author|authors)\s*:?$", re.I
)
# Where a byline's name ends: a date, a separator, a role.
_BYLINE_END = re.compile(r"\s+(?:[|•·–—/]|on|in|at|updated|published)\s+|,\s+(?=\w+\s+\d)", re.I)
_SENTENCE = re.compile(r"[a-z]{2}[.!?]\s+[A-Z]|\b(?:is|was|has|lives|works|writes)\b")
_SHARED_WORDS = 0.3


@dataclass(frozen=True, slots=True)
class Metadata:
    """The article's metadata as read from one page."""

    title: str | None
    authors: tuple[str, ...]
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


def read_metadata(tree: LexborHTMLParser, url: str | None, html: str | None = None) -> Metadata:
    """Read the metadata of the page in `tree` (which is left untouched); `html` is the
    page's text, for the last-resort date search of `dates.date_from_page`."""
    data = read_structured(tree)
    site = data.site_name or _site_from_title(data.title_tag)
    h1 = _headline(tree, site)
    region = _region(tree, h1)
    langs = [data.language] if data.language else None
    canonical = _absolute(data.canonical_url, url)
    return Metadata(
        title=_title(data, h1, site),
        authors=_authors(data, region, tree.body, site),
        published=_published(data, tree, region, h1, langs)
        or (dates.date_from_page(html, url) if html else None),
        modified=dates.to_iso(data.modified, langs) if data.modified else None,
        language=data.language,
        section=_first_text(data.section) or _section(region),
        tags=data.tags or _tags(region) or data.keywords,
        description=_first_text(data.description),
        doi=data.doi,
        site_name=site,
        canonical_url=canonical,
        source=_source(region, canonical or url),
        structured=data,
    )


def _headline(tree: LexborHTMLParser, site: str | None) -> LexborNode | None:
    """The article's visible headline: the first h1 that is not the site's logo."""
    body = tree.body
    for h1 in tree.css("h1"):
        text = h1.text(deep=True).strip()
        if not text or (site and text.casefold() == site.casefold()):
            continue
        if _names_contain(h1, ("logo", "site-title", "site-name", "brand")):
            continue
        if body is not None and _in_furniture(h1, body):
            continue  # an h1 in the site's header bar
        return h1
    return None


def _region(tree: LexborHTMLParser, h1: LexborNode | None) -> LexborNode | None:
    """The article's own part of the page: the container of its headline."""
    if h1 is None:
        return tree.css_first(_REGION) or None
    node = h1.parent
    depth = 0
    while node is not None and node.tag not in ("body", "html"):
        if node.css_matches(_REGION):
            return node
        node, depth = node.parent, depth + 1
    # No semantic wrapper: a few levels above the headline covers header and body.
    node = h1
    for _ in range(3):
        if node.parent is None or node.parent.tag in ("body", "html"):
            break
        node = node.parent
    return node


def _title(data: StructuredData, h1: LexborNode | None, site: str | None) -> str | None:
    """The visible headline; declared titles (og, JSON-LD, <title>) when there is none,
    or when the h1 is only a section label ("News") that the declared title lacks."""
    heading = normalize_text(h1.text(deep=True)).rstrip(_DECORATION) if h1 is not None else ""
    declared = data.title or data.title_tag
    if heading and not declared:
        return heading
    if heading and declared and _shares_words(heading, declared):
        return heading
    if declared:
        return strip_site_suffix(normalize_text(declared), site) or None
    return heading or None


def strip_site_suffix(title: str, site: str | None) -> str:
    """'Headline | Section | Site Name' -> 'Headline'.

    Trailing segments go while they are short (a site, a section, a tagline) and
    shorter than what precedes them; a separator inside a headline stays.
    """
    title = title.rstrip(_DECORATION)
    while True:
        parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
        if len(parts) < 2:
            return title
        last = parts[-1].strip()
        head = title[: title.rfind(parts[-1])].rstrip(" |–—-:»·•")
        is_site = bool(site) and last.casefold() == (site or "").casefold()
        if not is_site and (len(last.split()) > _SUFFIX_WORDS or len(last) >= len(head)):
            return title
        title = head


def _site_from_title(title_tag: str | None) -> str | None:
    if not title_tag:
        return None
    parts = _TITLE_SEPARATORS.split(title_tag)
    last = parts[-1].strip() if len(parts) > 1 else ""
    return last if 0 < len(last.split()) <= 4 else None


def _shares_words(heading: str, declared: str) -> bool:
    """Most of the h1's words are in the declared title: the h1 is the headline, not
    a call to action, a pop-up's heading or a section label ("News")."""
    words = set(_WORD.findall(heading.casefold()))
    if not words:
        return False
    shared = words & set(_WORD.findall(declared.casefold()))
    return len(shared) >= _SHARED_WORDS * len(words)


def _authors(
    data: StructuredData, region: LexborNode | None, body: LexborNode | None, site: str | None
) -> tuple[str, ...]:
    found = people.clean_authors(data.authors, site, declared=True) if data.authors else ()
    if found or region is None:
        return found
    raw = [
        _byline_text(n)
        for n in region.css(_AUTHOR_SELECTORS)[:_MAX_VISIBLE_NODES]
        if not _names_contain(n, _NOT_A_NAME) and not _in_furniture(n, region)
    ]
    found = people.clean_authors([r for r in raw if r], site)
    if found:
        return found
    for scope in (region, body):
        if scope is not None and (found := _labelled_byline(scope, site)):
            return found
    return ()


def _labelled_byline(scope: LexborNode, site: str | None) -> tuple[str, ...]:
    """A short line that says who wrote the piece: "By Jane Doe", "Written by: Jane Doe"."""
    for node in scope.css(_BYLINE_CANDIDATES)[:_MAX_BYLINE_NODES]:
        text = " ".join(node.text(deep=True, separator=" ").split())
        if len(text) > _MAX_BYLINE:
            continue
        name = _name_after_label(node, text)
        if name and not _in_furniture(node, scope):
            found = people.clean_authors([_BYLINE_END.split(name)[0]], site)
            if found:
                return found
    return ()


def _name_after_label(node: LexborNode, text: str) -> str | None:
    """ "By Jane Doe" in one element, or "Written by" with the name in the next one."""
    match = _BYLINE.match(text)
    if match:
        return match.group(1)
    if _BYLINE_LABEL.match(text):
        sibling = node.next
        while sibling is not None and not sibling.is_element_node:
            sibling = sibling.next
        if sibling is not None:
            return " ".join(sibling.text(deep=True, separator=" ").split())[:_MAX_BYLINE]
    return None


def _byline_text(node: LexborNode) -> str:
    """The name in a byline element: its author link if any, else its short text.
    Element boundaries become spaces ("Harry Rabinowitz<span>Tech editor</span>")."""
    link = node if node.tag == "a" else node.css_first("a[href*=author], a[rel~=author], a")
    text = " ".join((link or node).text(deep=True, separator=" ").split())
    if len(text) > _MAX_BYLINE or _SENTENCE.search(text):
        return ""  # a bio or a sentence, not a byline
    return text


def _names_contain(node: LexborNode, words: tuple[str, ...]) -> bool:
    names = (node.attributes.get("class") or "").casefold()
    return any(w in names for w in words)


def _published(
    data: StructuredData,
    tree: LexborHTMLParser,
    region: LexborNode | None,
    h1: LexborNode | None,
    langs: list[str] | None,
) -> str | None:
    """Structured data first; then a date shown in the article region; then near the
    headline; then anywhere on the page outside the site's furniture (header bars,
    footers, related posts). A date labelled "Updated" counts only when the page
    shows no other."""
    if data.published and (found := dates.to_iso(data.published, langs)):
        return found
    updated: str | None = None
    for scope in (region, _headline_block(h1), tree.body):
        if scope is None:
            continue
        found, update = _shown_date(scope, langs)
        if found:
            return found
        updated = updated or update
        if scope is not region and scope is not tree.body:
            found, update = _headline_text_date(scope, langs)
            if found:
                return found
            updated = updated or update
    return updated


def _headline_text_date(
    block: LexborNode, langs: list[str] | None
) -> tuple[str | None, str | None]:
    """A date in the plain text around the headline ("Jane Doe • March 17, 2025")."""
    text = block.text(deep=True, separator=" ")[:_HEADLINE_TEXT]
    found = dates.find_date_in_text(text, langs)
    if found and _UPDATE_LABEL.search(text):
        return None, found
    return found, None


def _headline_block(h1: LexborNode | None) -> LexborNode | None:
    return h1.parent if h1 is not None else None


def _shown_date(scope: LexborNode, langs: list[str] | None) -> tuple[str | None, str | None]:
    """The first publication date shown in `scope`, and the first update date."""
    update: str | None = None
    candidates = [
        (node, node.attributes.get("datetime") or node.attributes.get("content") or node.text())
        for node in scope.css(_DATE_SELECTORS)[:_MAX_VISIBLE_NODES]
    ] + [(node, None) for node in scope.css(_DATE_TEXT_SELECTORS)[:_MAX_VISIBLE_NODES]]
    for node, machine in candidates:
        found = _date_of(node, machine, langs)
        if not found or _in_furniture(node, scope):
            continue
        if not _is_update(node):
            return found, update
        update = update or found
    return None, update


def _date_of(node: LexborNode, machine: str | None, langs: list[str] | None) -> str | None:
    if machine:
        return dates.to_iso(machine, langs)
    text = node.text(deep=True)
    return dates.find_date_in_text(text, langs) if len(text) <= 120 else None


def _is_update(node: LexborNode) -> bool:
    """A date labelled as an update is the modification date, not the publication:
    by the element's names, its own text, or its parent's text when that is a label."""
    if _names_contain(node, _UPDATE_NAMES):
        return True
    for scope in (node, node.parent):
        if scope is None:
            break
        label = scope.text(deep=True)
        if len(label) <= _UPDATE_LABEL_CHARS and _UPDATE_LABEL.search(label):
            return True
    return False


def _in_furniture(node: LexborNode, scope: LexborNode) -> bool:
    """Inside a related-posts, comments or widget block, or the site's header."""
    current = node.parent
    site_header = False
    while current is not None and current.mem_id != scope.mem_id:
        if current.tag in ("aside", "nav"):
            return True
        if current.tag in ("article", "main"):
            site_header = False  # a <header> inside the article is the article's header
        elif current.tag == "header":
            site_header = True
        names = " ".join(
            filter(None, (current.attributes.get("class"), current.attributes.get("id")))
        )
        if names and _furniture_names(names):
            return True
        current = current.parent
    # Within the article's region a <header> is the article's own; page-wide it is the site's.
    return site_header and scope.tag == "body"


def _furniture_names(names: str) -> bool:
    lowered = names.casefold()
    if any(
        k in lowered for k in ("related", "comment", "widget", "sidebar", "tagcloud", "tag-cloud")
    ):
        return True
    return clean.names_are_boilerplate(names) and not any(
        k in lowered for k in ("meta", "byline", "author", "date", "tag", "header", "categor")
    )


def _section(region: LexborNode | None) -> str | None:
    if region is None:
        return None
    for node in region.css(_SECTION_SELECTORS)[:_MAX_VISIBLE_NODES]:
        if len(node.text(deep=True)) > _SMALL_SECTION or _in_furniture(node, region):
            continue
        link = node if node.tag == "a" else node.css_first("a")
        text = normalize_text((link or node).text(deep=True))
        if text:
            return text
    return None


def _tags(region: LexborNode | None) -> tuple[str, ...]:
    if region is None:
        return ()
    links = region.css("a[rel~=tag]")
    if not links:
        for holder in region.css(_TAG_SELECTORS):
            if len(holder.text(deep=True)) <= _SMALL_TAG_LIST and holder.css_first("a"):
                links = holder.css("a")
                break
    seen: dict[str, str] = {}
    for node in links:
        text = normalize_text(node.text(deep=True)).lstrip("#")
        if text and len(text) <= 60 and not _in_furniture(node, region):
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


def _first_text(value: str | None) -> str | None:
    return normalize_text(value) or None if value else None
