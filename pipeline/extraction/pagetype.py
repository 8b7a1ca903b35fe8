"""Page-type stage: is this page one article, or an index of many?

A listing (home page, category, tag, search, archive) must never become an
"article". The decision weighs what the page declares (schema.org types,
og:type, WordPress body classes, the URL's path) against what it shows (how
many teasers — headline links — stand beside the body text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from pipeline.extraction.structured import StructuredData

_ARTICLE_TYPES = frozenset(
    "article newsarticle blogposting reportagenewsarticle analysisnewsarticle"
    " opinionnewsarticle reviewnewsarticle backgroundnewsarticle scholarlyarticle techarticle"
    " liveblogposting report socialmediaposting discussionforumposting medicalscholarlyarticle"
    " satiricalarticle advertisercontentarticle".split()
)
_LISTING_TYPES = frozenset("collectionpage itemlist searchresultspage profilepage".split())
_LISTING_BODY_CLASSES = frozenset("home blog archive category tag search paged author date".split())
_ARTICLE_BODY_CLASSES = frozenset("single single-post postid article-page".split())
_LISTING_PATH = re.compile(
    r"/(?:tag|tags|category|categories|topic|topics|author|page|search|archive)(?:/|$)"
)
_SPLIT = re.compile(r"[\s]+")
# Teasers: headline links. More of them than this beside a thin body mean a listing.
_TEASER_LIMIT = 4


@dataclass(frozen=True, slots=True)
class PageType:
    is_article: bool
    declared_article: bool
    reason: str


def classify(
    data: StructuredData,
    body_classes: str,
    url: str | None,
    container: LexborNode,
    body_words: int,
) -> PageType:
    """Decide whether the page is an article; `reason` explains a rejection."""
    declared = _declares_article(data, body_classes)
    listing = _declares_listing(data, body_classes, url)
    teasers = _teasers(container)
    if listing and not declared:
        return PageType(False, False, "the page declares itself a listing or home page")
    if teasers > _TEASER_LIMIT and body_words < 60 * teasers:
        return PageType(False, declared, f"{teasers} teaser headlines around a thin body")
    return PageType(True, declared, "")


def _declares_article(data: StructuredData, body_classes: str) -> bool:
    types = {t.casefold() for t in data.types}
    if types & _ARTICLE_TYPES:
        return True
    classes = set(_SPLIT.split(body_classes.casefold()))
    return bool(classes & _ARTICLE_BODY_CLASSES) or any(c.startswith("postid-") for c in classes)


def _declares_listing(data: StructuredData, body_classes: str, url: str | None) -> bool:
    types = {t.casefold() for t in data.jsonld_types}
    if types & _LISTING_TYPES:
        return True
    # A home page describes the site (WebSite, Organization) and no page of its own.
    if "website" in types and not types & {"webpage", "article", "newsarticle"}:
        return True
    classes = set(_SPLIT.split(body_classes.casefold()))
    if classes & _LISTING_BODY_CLASSES and not classes & _ARTICLE_BODY_CLASSES:
        return True
    if url and _LISTING_PATH.search(urlsplit(url).path):
        return True
    return url is not None and urlsplit(url).path in ("", "/")


def _teasers(container: LexborNode) -> int:
    """Headline links inside the chosen container: each is one teaser of a listing."""
    count = 0
    for heading in container.css("h2, h3, h4"):
        link = heading.css_first("a[href]")
        if link is not None and len(link.text(deep=True)) >= 0.6 * len(heading.text(deep=True)):
            count += 1
    return count
