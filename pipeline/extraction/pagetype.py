"""Page-type stage: is this page one article, or an index of many?

A listing (home page, category, tag, search, archive, shop collection) must
never become an "article". No single signal tells: listicles have teasers,
shops declare Product pages, blogs put post dates on their index. So the
decision is a linear score over general signals of the whole page, each
measured the same way on every site:

    what the page declares   article schema type, og:type article, a listing
                             schema type or WordPress archive body class
    what it says of itself   a publication date, an author, a slug-like URL
                             (several words), a query string, pagination
    what it shows            body words, paragraph words and count, link share
                             of the cleaned page, linked images, prices, and
                             the share of words held by short teaser cards

The weights are a logistic regression fitted on the WCXB development split by
`bench/fit_pagetype.py` (which calls `features()` below, so training and use
measure the same things); that script prints the cross-validated rates the
threshold was chosen from. A page whose score is above the threshold is a
listing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline import urls
from pipeline.extraction.structured import StructuredData
from pipeline.normalize import word_count
from pipeline.record import Block, Paragraph

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
_SLUG_SPLIT = re.compile(r"[-_+]+")
_PRICE = re.compile(r"[$€£¥₹]\s?\d")
_PAGINATION = (
    "link[rel=next], a[rel=next], [class*=paginat], [class*=Paginat],"
    " nav[aria-label*=agination], [class*=page-numbers]"
)
# Teaser cards: at least this many, short, holding most of the container's words.
_TEASER_LIMIT = 4
_CARD_WORDS = 60
_SLUG_WORDS = 3
_PARAGRAPH_WORDS = 15  # shorter blocks are captions, labels and teaser lines

FEATURES = (
    "published",
    "declared_article",
    "author",
    "slug_url",
    "declared_listing",
    "log_paragraph_block_words",
    "log_long_paragraph_words",
    "link_share",
    "log_long_paragraphs",
    "pagination",
    "og_article",
    "query",
    "log_image_links",
    "log_prices",
    "teaser_share",
)
# Fitted by bench/fit_pagetype.py on WCXB-dev (articles vs listing and collection
# pages): per feature (mean, scale, weight) of the standardised logistic model.
_MODEL: tuple[tuple[float, float, float], ...] = (
    (0.7730, 0.4189, -0.2209),  # published
    (0.6402, 0.4799, -0.5406),  # declared_article
    (0.5154, 0.4998, -0.4840),  # author
    (0.7205, 0.4487, -0.7316),  # slug_url
    (0.1130, 0.3166, 0.4436),  # declared_listing
    (6.4052, 1.7376, -0.1719),  # log_paragraph_block_words
    (6.1806, 2.0813, -0.2963),  # log_long_paragraph_words
    (0.1283, 0.1974, 0.7726),  # link_share
    (2.7012, 1.2342, -0.3969),  # log_long_paragraphs
    (0.1943, 0.3956, 0.4436),  # pagination
    (0.5619, 0.4961, -0.3066),  # og_article
    (0.0813, 0.2732, 0.2742),  # query
    (2.2238, 1.2579, 0.3276),  # log_image_links
    (1.2931, 1.5739, 0.4338),  # log_prices
    (0.0212, 0.1287, 0.0673),  # teaser_share
)
_BIAS = -2.6835
_THRESHOLD = 0.8


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the intact page shows, read once before the clean stage removes it."""

    body_classes: str
    pagination: bool
    image_links: int
    prices: int


@dataclass(frozen=True, slots=True)
class PageType:
    is_article: bool
    declared_article: bool
    reason: str
    score: float = 0.0


def page_signals(tree: LexborHTMLParser) -> PageSignals:
    body = tree.body
    if body is None:
        return PageSignals("", False, 0, 0)
    return PageSignals(
        body_classes=body.attributes.get("class") or "",
        pagination=tree.css_first(_PAGINATION) is not None,
        image_links=len(body.css("a img")),
        prices=len(_PRICE.findall(body.text(deep=True, separator=" "))),
    )


def features(
    data: StructuredData,
    signals: PageSignals,
    url: str | None,
    shown: tuple[bool, bool],
    root: LexborNode,
    container: LexborNode,
    blocks: Sequence[Block],
) -> tuple[float, ...]:
    """The page's signals in the order of FEATURES. `shown`: (published, author)."""
    path = urls.path(url)
    last = [s for s in path.split("/") if s][-1:] or [""]
    # Paragraphs as the body stage built them: <p>-less themes have them too.
    sizes = [word_count(b.text) for b in blocks if isinstance(b, Paragraph)]
    paragraphs = [n for n in sizes if n >= _PARAGRAPH_WORDS]
    words = sum(sizes)
    return (
        float(shown[0]),
        float(_declares_article(data, signals.body_classes)),
        float(shown[1]),
        float(len(_SLUG_SPLIT.split(last[0])) >= _SLUG_WORDS),
        float(_declares_listing(data, signals.body_classes, url)),
        math.log1p(words),
        math.log1p(sum(paragraphs)),
        _link_share(root),
        math.log1p(len(paragraphs)),
        float(signals.pagination),
        float("article" in data.types),
        float(bool(urls.query(url))),
        math.log1p(signals.image_links),
        math.log1p(signals.prices),
        _teaser_share(container),
    )


def classify(values: tuple[float, ...], declared_article: bool) -> PageType:
    """Article or listing, by the fitted score of the page's features."""
    score = _score(values)
    if score > _THRESHOLD:
        strongest = _strongest(values)
        return PageType(
            False, declared_article, f"listing score {score:.2f} (mostly {strongest})", score
        )
    return PageType(True, declared_article, "", score)


def _score(values: tuple[float, ...]) -> float:
    return _BIAS + sum(w * (v - m) / s for v, (m, s, w) in zip(values, _MODEL, strict=True))


def _strongest(values: tuple[float, ...]) -> str:
    """The features that pushed the score up most: the reason, in words."""
    pushes = sorted(
        (
            (w * (v - m) / s, name)
            for v, (m, s, w), name in zip(values, _MODEL, FEATURES, strict=True)
        ),
        reverse=True,
    )
    return ", ".join(name for push, name in pushes[:3] if push > 0)


def _link_share(root: LexborNode) -> float:
    total = len(root.text(deep=True, separator=" ").split())
    links = sum(len(a.text(deep=True, separator=" ").split()) for a in root.css("a"))
    return links / total if total else 0.0


def _teaser_share(container: LexborNode) -> float:
    teasers, card_words = _teasers(container)
    total = len(container.text(deep=True, separator=" ").split())
    if teasers < _TEASER_LIMIT or not total or card_words >= _CARD_WORDS * teasers:
        return 0.0  # few teasers, or long items: a listicle's, not a listing's
    return card_words / total


def declares_article(data: StructuredData, signals: PageSignals) -> bool:
    return _declares_article(data, signals.body_classes)


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
    if url and _LISTING_PATH.search(urls.path(url)):
        return True
    return url is not None and urls.split(url) is not None and urls.path(url) in ("", "/")


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
