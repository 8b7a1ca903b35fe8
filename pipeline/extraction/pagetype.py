"""Page-type stage: is this page one article, or an index of many?

A listing (home page, category, tag, search, archive) must never become an
"article". The decision weighs what the page declares (schema.org types,
og:type, WordPress body classes, the URL's path) against what it shows (how
many teasers — headline links — stand beside the body text).
"""

from __future__ import annotations

import re
from collections import Counter
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
# A listing: at least this many teasers, whose cards hold most of the words.
_TEASER_LIMIT = 4
_CARD_SHARE = 0.6
_CARD_WORDS = 60


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
    if _declares_listing(data, body_classes, url) and not declared:
        return PageType(False, False, "the page declares itself a listing or home page")
    teasers, card_words = _teasers(container)
    total = len(container.text(deep=True, separator=" ").split())
    # Teaser cards are short; a listicle's items ("10 best cameras") run long.
    short_cards = card_words < _CARD_WORDS * teasers
    if teasers >= _TEASER_LIMIT and total and card_words / total > _CARD_SHARE and short_cards:
        return PageType(False, declared, f"{teasers} teasers hold {card_words} of {total} words")
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


def _teasers(container: LexborNode) -> tuple[int, int]:
    """Teasers in the container, and how many words their cards hold.

    A teaser is a heading that links to another page; its card is the largest
    element around it that holds no other teaser (the <article> or <li> of a
    listing). An article's own linked subheadings share one parent, so their
    cards are just the headings and hold few words.
    """
    headings = [h for h in container.css("h2, h3, h4") if _is_teaser(h)]
    if len(headings) < _TEASER_LIMIT:
        return len(headings), 0
    stop = container.mem_id
    chains = [_ancestors(h, stop) for h in headings]
    counts = Counter(mem_id for chain in chains for mem_id, _ in chain)
    words = 0
    for heading, chain in zip(headings, chains, strict=True):
        card = heading
        for mem_id, node in chain:
            if counts[mem_id] > 1:
                break
            card = node
        words += len(card.text(deep=True, separator=" ").split())
    return len(headings), words


def _is_teaser(heading: LexborNode) -> bool:
    link = heading.css_first("a[href]")
    if link is None or (link.attributes.get("href") or "#").startswith("#"):
        return False
    return len(link.text(deep=True)) >= 0.6 * len(heading.text(deep=True))


def _ancestors(node: LexborNode, stop: int) -> list[tuple[int, LexborNode]]:
    chain = []
    parent = node.parent
    while parent is not None and parent.mem_id != stop:
        chain.append((parent.mem_id, parent))
        parent = parent.parent
    return chain
