"""What a page declares about itself in machine-readable form.

Read from <meta>/<link> (Open Graph, Twitter, Dublin Core, Highwire citation_*,
article:*, parsely), JSON-LD and microdata only; guesses from visible text
belong to metadata.py. Values are returned raw (dates unparsed, authors
uncleaned) so the caller decides how to normalise and what to prefer.

JSON-LD in the wild is often broken (trailing commas, HTML comments or CDATA
around it, several objects in one script), so each script is decoded with
json's raw_decode in a loop and repaired once if that fails; regexes only
ever run over one script's text or one attribute value.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extraction.thresholds import (
    JSON_LD_MAX_DEPTH,
    MAX_INT_DIGITS,
)

Node = dict[str, Any]

# schema.org types whose node is "the article" of the page.
ARTICLE_TYPES = frozenset(
    """
    Article NewsArticle AnalysisNewsArticle AskPublicNewsArticle BackgroundNewsArticle
    OpinionNewsArticle ReportageNewsArticle ReviewNewsArticle SatiricalArticle
    BlogPosting LiveBlogPosting SocialMediaPosting DiscussionForumPosting
    ScholarlyArticle MedicalScholarlyArticle TechArticle APIReference Report
    """.split()
)
_ORG_TYPES = frozenset(
    """
    Organization NewsMediaOrganization Corporation EducationalOrganization
    GovernmentOrganization NGO ResearchOrganization MediaOrganization Brand
    """.split()
)
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.issued",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published",
    "published_date",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "dcterms.modified",
    "dc.date.modified",
)
_AUTHOR_META = ("author", "article:author", "citation_author", "dc.creator", "dcterms.creator")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "citation_title")
_IMAGE_META = (
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "twitter:image",
    "twitter:image:src",
)

_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_EDGE_JUNK = ("<!--", "-->", "<![CDATA[", "]]>", "//", "/*", "*/", ";")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIXES = ("10.", "doi:", "https://doi.org/", "http://doi.org/", "https://dx.doi.org/")
_LANGUAGE = re.compile(r"\s*([A-Za-z]{2})(?:[-_\s,;]|$)")
# Runs of whitespace, but not U+3000: the ideographic space separates the two
# halves of a Japanese headline and is kept as the page wrote it.
_SPACES = re.compile(r"[^\S\u3000]+")
_URLISH = re.compile(r"^(?:https?:)?//|^www\.", re.I)


@dataclass(frozen=True, slots=True)
class StructuredData:
    """Raw self-description of a page; every field may be empty.

    types: @types of the main entity (JSON-LD, else microdata) plus og:type,
        e.g. ("NewsArticle", "article").
    jsonld_types: every @type of the page-level JSON-LD nodes (top level,
        @graph, mainEntity), e.g. ("WebSite", "CollectionPage", "ItemList").
    authors: person (or untyped) author names, raw; author_orgs: authors
        that JSON-LD types as an Organization, so the caller can prefer persons.
    title: the first declared title; titles: every declared one (JSON-LD headline,
        og, twitter, Dublin Core, citation, microdata), that order, de-duplicated.
    published / modified: raw date strings, not parsed.
    language: ISO 639-1 code, lowercase ("en").
    doi: bare "10.x/y".
    """

    types: tuple[str, ...] = ()
    jsonld_types: tuple[str, ...] = ()
    title: str | None = None
    titles: tuple[str, ...] = ()
    title_tag: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    authors: tuple[str, ...] = ()
    author_orgs: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    description: str | None = None
    doi: str | None = None
    image: str | None = None
    is_accessible_for_free: bool | None = None
    body: str | None = None  # the article's articleBody (or text), raw


def read_structured(tree: LexborHTMLParser) -> StructuredData:
    """Everything the page's meta tags, JSON-LD and microdata say about it."""
    meta = _Meta(tree)
    ld = _JsonLd(tree)
    micro = _Microdata(tree)
    persons, orgs = ld.authors()
    return StructuredData(
        types=_unique([*(ld.main_types or micro.types), *meta.all("og:type")]),
        jsonld_types=ld.types,
        title=ld.text("headline", "name") or meta.first(*_TITLE_META) or micro.prop("headline"),
        titles=_unique(
            t
            for t in (
                ld.text("headline", "name"),
                *map(meta.first, _TITLE_META),
                micro.prop("headline"),
            )
            if t
        ),
        title_tag=_title_tag(tree),
        site_name=meta.first("og:site_name") or ld.site_name() or meta.first("application-name"),
        canonical_url=_canonical(tree) or meta.first("og:url") or ld.url(),
        authors=persons or _meta_authors(meta) or micro.authors(),
        author_orgs=orgs,
        published=ld.text("datePublished")
        or meta.first(*_PUBLISHED_META)
        or micro.prop("datePublished"),
        modified=ld.text("dateModified")
        or meta.first(*_MODIFIED_META)
        or micro.prop("dateModified"),
        language=_language(tree, meta, ld),
        section=ld.text("articleSection") or meta.first("article:section", "parsely-section"),
        tags=_tags(meta, ld),
        keywords=_keywords(meta),
        description=meta.first("og:description", "description")
        or ld.text("description")
        or meta.first("twitter:description"),
        doi=_doi(meta, ld),
        image=meta.first(*_IMAGE_META) or ld.image(),
        is_accessible_for_free=ld.free(),
        body=ld.body(),
    )


# --- meta and link --------------------------------------------------------------------------


class _Meta:
    """<meta> content by lowercased name/property/http-equiv, in document order.

    Read from the whole document, not just <head>: lexbor moves tags that
    follow stray text into <body>, and some CMSs print meta tags there.
    """

    __slots__ = ("_values",)

    def __init__(self, tree: LexborHTMLParser) -> None:
        self._values: dict[str, list[str]] = {}
        for node in tree.css("meta[content]"):
            attrs = node.attributes
            content = _clean(attrs.get("content"))
            if not content:
                continue
            keys = " ".join(attrs.get(a) or "" for a in ("name", "property", "http-equiv"))
            for key in keys.lower().split():  # RDFa allows several properties in one
                self._values.setdefault(key, []).append(content)

    def first(self, *keys: str) -> str | None:
        for key in keys:
            values = self._values.get(key)
            if values:
                return values[0]
        return None

    def all(self, key: str) -> list[str]:
        return self._values.get(key, [])


def _meta_authors(meta: _Meta) -> tuple[str, ...]:
    """Author metas merged in order; article:author is often a profile URL: skipped."""
    found: list[str] = []
    for key in _AUTHOR_META:
        found.extend(v for v in meta.all(key) if not _URLISH.match(v))
    return _unique(found)


def _title_tag(tree: LexborHTMLParser) -> str | None:
    head = tree.head
    node = head.css_first("title") if head is not None else None
    return _clean(node.text()) if node is not None else None


def _canonical(tree: LexborHTMLParser) -> str | None:
    for node in tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "canonical" in rel:
            return _clean(node.attributes.get("href"))
    return None


def _language(tree: LexborHTMLParser, meta: _Meta, ld: _JsonLd) -> str | None:
    root = tree.root
    candidates = (
        root.attributes.get("lang") if root is not None else None,
        meta.first("og:locale"),
        meta.first("content-language", "language", "dc.language"),
        ld.language(),
    )
    for value in candidates:
        match = _LANGUAGE.match(value or "")
        if match:
            return match.group(1).lower()
    return None


def _tags(meta: _Meta, ld: _JsonLd) -> tuple[str, ...]:
    """The article's own tags: article:tag, else JSON-LD keywords."""
    return _first_nonempty((meta.all("article:tag"), ld.keywords()))


def _keywords(meta: _Meta) -> tuple[str, ...]:
    """SEO keyword metas: weaker than tags (they often add the site's own terms)."""
    return _first_nonempty(
        (_split_commas(meta.all("news_keywords")), _split_commas(meta.all("keywords")))
    )


def _first_nonempty(sources: Iterable[Iterable[str]]) -> tuple[str, ...]:
    for source in sources:
        tags = _unique(source, fold=True)
        if tags:
            return tags
    return ()


def _doi(meta: _Meta, ld: _JsonLd) -> str | None:
    identifiers = meta.all("dc.identifier") + meta.all("dcterms.identifier")
    candidates = (
        _bare_doi(meta.first("citation_doi")),
        *(_bare_doi(value, strict=True) for value in identifiers),
        _bare_doi(meta.first("prism.doi")),
        ld.doi(),
    )
    return next((doi for doi in candidates if doi), None)


def _bare_doi(value: str | None, strict: bool = False) -> str | None:
    """'doi:10.1/x', 'https://doi.org/10.1/x' -> '10.1/x'.

    strict: the value must be a DOI, not merely contain one (dc.identifier and
    sameAs also hold ISSNs and publisher URLs that embed DOIs).
    """
    if not value:
        return None
    text = value.strip()
    if strict and not text.lower().startswith(_DOI_PREFIXES):
        return None
    match = _DOI.search(text)
    return match.group(0).rstrip(".,;") if match else None


# --- JSON-LD --------------------------------------------------------------------------------


class _JsonLd:
    """The page's JSON-LD: its page-level nodes, an @id index and the main entity."""

    __slots__ = ("_index", "_nodes", "main", "main_types", "types")

    def __init__(self, tree: LexborHTMLParser) -> None:
        items: list[object] = []
        for script in tree.css('script[type="application/ld+json" i]'):
            items.extend(_parse_script(script.text(deep=True)))
        self._index = _index_ids(items)
        self._nodes = list(_entity_nodes(items, self._index, set()))
        self.types = _unique(t for node in self._nodes for t in _types(node))
        self.main = _pick_main(self._nodes)
        self.main_types = _types(self.main) if self.main is not None else ()

    def get(self, key: str) -> object:
        return self.main.get(key) if self.main is not None else None

    def text(self, *keys: str) -> str | None:
        for key in keys:
            found = _text(self.get(key))
            if found:
                return found
        return None

    def resolve(self, value: object) -> object:
        """A bare {"@id": ...} reference -> the node it names (Yoast's @graph)."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
            return self._index.get(str(value.get("@id")), value)
        return value

    def authors(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(persons, organisations) among the main entity's authors."""
        persons: list[str] = []
        orgs: list[str] = []
        for value in _as_list(self.get("author") or self.get("creator")):
            node = self.resolve(value)
            name = _person_name(node)
            if name:
                is_org = isinstance(node, dict) and bool(_ORG_TYPES.intersection(_types(node)))
                (orgs if is_org else persons).append(name)
        return _unique(persons), _unique(orgs)

    def site_name(self) -> str | None:
        for value in _as_list(self.get("publisher")):
            name = _text(self.resolve(value))
            if name:
                return name
        website = next((n for n in self._nodes if "WebSite" in _types(n)), None)
        return _text(website.get("name")) if website is not None else None

    def url(self) -> str | None:
        page = self.resolve(self.get("mainEntityOfPage"))
        if isinstance(page, dict):
            page = page.get("@id") or page.get("url")
        return _text(self.get("url")) or (_text(page) if _is_url(page) else None)

    def language(self) -> str | None:
        value = self.get("inLanguage")
        if isinstance(value, dict):
            value = value.get("alternateName") or value.get("name")
        return _text(value)

    def keywords(self) -> list[str]:
        words: list[str] = []
        for value in _as_list(self.get("keywords")):
            text = _text(value)
            if text:
                words.extend(_split_commas([text]))
        return words

    def image(self) -> str | None:
        for value in _as_list(self.get("image")):
            node = self.resolve(value)
            url = (node.get("url") or node.get("contentUrl")) if isinstance(node, dict) else node
            if _is_url(url):
                return _text(url)
        return None

    def doi(self) -> str | None:
        for value in _as_list(self.get("identifier")) + _as_list(self.get("sameAs")):
            if isinstance(value, dict):
                is_doi = str(value.get("propertyID", "")).lower() == "doi"
                value = value.get("value") if is_doi else None
            doi = _bare_doi(value if isinstance(value, str) else None, strict=True)
            if doi:
                return doi
        return None

    def body(self) -> str | None:
        value = self.get("articleBody") or self.get("text")
        return value.strip() or None if isinstance(value, str) else None

    def free(self) -> bool | None:
        value = self.get("isAccessibleForFree")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        return None


def _parse_script(text: str) -> list[object]:
    """All JSON values in one script; tolerant of wrappers and trailing commas."""
    text = _unwrap(text)
    if not text:
        return []
    items, complete = _decode_all(text)
    if not complete:
        repaired, _ = _decode_all(_TRAILING_COMMA.sub(r"\1", text))
        if len(repaired) > len(items):
            items = repaired
    return items


def _unwrap(text: str) -> str:
    """Strip <!-- -->, CDATA markers and JS comment tokens around the JSON."""
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for junk in _EDGE_JUNK:
            if text.startswith(junk):
                text, changed = text[len(junk) :].strip(), True
            if text.endswith(junk):
                text, changed = text[: -len(junk)].strip(), True
    return text


def _decode_all(text: str) -> tuple[list[object], bool]:
    """Decode consecutive JSON values ("{...}{...}" happens); (values, reached the end)."""
    # strict=False: raw newlines inside strings
    decoder = json.JSONDecoder(strict=False, parse_int=_integer)
    items: list[object] = []
    position = 0
    while position < len(text):
        try:
            item, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):  # the decoder recurses per level
            return items, False
        if _depth(item) <= JSON_LD_MAX_DEPTH:
            items.append(item)
        while position < len(text) and (text[position].isspace() or text[position] in ",;"):
            position += 1
    return items, True


def _integer(digits: str) -> int | str:
    """A JSON integer, or its digits as text when too long to be a number anyone means."""
    return int(digits) if len(digits) <= MAX_INT_DIGITS else digits


def _depth(value: object) -> int:
    """How deeply arrays and objects nest in `value` (counted without recursion)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        deepest = max(deepest, level)
        if level <= JSON_LD_MAX_DEPTH:  # past the limit the answer is known
            stack.extend((child, level + 1) for child in value)
    return deepest


def _index_ids(items: list[object]) -> dict[str, Node]:
    """Every node with an @id and some content, anywhere in the JSON."""
    index: dict[str, Node] = {}
    stack: list[object] = list(items)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and not set(value) <= {"@id", "@type"}:
                index.setdefault(node_id, value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return index


def _entity_nodes(
    items: Iterable[object], index: dict[str, Node], seen: set[int]
) -> Iterator[Node]:
    """Page-level nodes in document order: top level, @graph, mainEntity."""
    for item in items:
        if isinstance(item, list):
            yield from _entity_nodes(item, index, seen)
            continue
        if not isinstance(item, dict):
            continue
        if set(item) <= {"@id", "@type"} and isinstance(item.get("@id"), str):
            item = index.get(item["@id"], item)
        if id(item) in seen:  # @id references can loop
            continue
        seen.add(id(item))
        if "@type" in item:
            yield item
        yield from _entity_nodes(_as_list(item.get("@graph")), index, seen)
        yield from _entity_nodes(_as_list(item.get("mainEntity")), index, seen)


def _pick_main(nodes: list[Node]) -> Node | None:
    """The first article node; else the first *Page node (its types tell the caller what)."""
    for node in nodes:
        if ARTICLE_TYPES.intersection(_types(node)):
            return node
    return next((n for n in nodes if any(t.endswith("Page") for t in _types(n))), None)


def _types(node: Node) -> tuple[str, ...]:
    """@type as a tuple of bare names ("http://schema.org/NewsArticle" -> "NewsArticle")."""
    raw = node.get("@type")
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return tuple(
        n.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)
    )


def _person_name(node: object) -> str | None:
    if isinstance(node, dict):
        given, family = _text(node.get("givenName")), _text(node.get("familyName"))
        joined = " ".join(part for part in (given, family) if part)
        return _text(node.get("name")) or joined or None
    return _text(node)


# --- microdata ------------------------------------------------------------------------------


class _Microdata:
    """itemprop values of the article's itemscope.

    Without an article itemscope only dates are read, from anywhere: a
    headline or author outside the article's scope may be a teaser's.
    """

    __slots__ = ("_root", "scope", "types")

    def __init__(self, tree: LexborHTMLParser) -> None:
        self._root = tree.root
        self.scope: LexborNode | None = None
        self.types: tuple[str, ...] = ()
        for node in tree.css("[itemscope][itemtype]"):
            itemtypes = (node.attributes.get("itemtype") or "").split()
            names = tuple(t.rstrip("/").rsplit("/", 1)[-1] for t in itemtypes)
            if ARTICLE_TYPES.intersection(names):
                self.scope, self.types = node, names
                break

    def prop(self, name: str) -> str | None:
        """First value of itemprop=`name`: content, datetime or text."""
        scope = self.scope or (self._root if name.startswith("date") else None)
        node = scope.css_first(f'[itemprop~="{name}"]') if scope is not None else None
        if node is None:
            return None
        attrs = node.attributes
        return _clean(attrs.get("content") or attrs.get("datetime") or node.text(deep=True))

    def authors(self) -> tuple[str, ...]:
        if self.scope is None:
            return ()
        found: list[str] = []
        for node in self.scope.css('[itemprop~="author"]'):
            name = node.css_first('[itemprop~="name"]') or node
            text = _clean(name.attributes.get("content") or name.text(deep=True, separator=" "))
            if text and len(text) <= 100:  # a whole author box is not a name
                found.append(text)
        return _unique(found)


# --- small helpers --------------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    """Collapse whitespace; undo HTML escaping left in the value ("&#8217;" in JSON-LD)."""
    if not value:
        return None
    if "&" in value:
        value = html.unescape(value)
    text = _SPACES.sub(" ", value).strip()
    return text or None


def _text(value: object) -> str | None:
    """A JSON-LD value as text: strings, first of a list, {"@value"} or {"name"}."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), None)
    if isinstance(value, dict):
        return _text(value.get("@value")) or _text(value.get("name"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _is_url(value: object) -> bool:
    return isinstance(value, str) and bool(_URLISH.match(value.strip()))


def _split_commas(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _unique(values: Iterable[str], fold: bool = False) -> tuple[str, ...]:
    """De-duplicate, order kept; `fold` compares case-insensitively."""
    seen: dict[str, str] = {}
    for value in values:
        key = value.casefold() if fold else value
        if value and key not in seen:
            seen[key] = value
    return tuple(seen.values())
