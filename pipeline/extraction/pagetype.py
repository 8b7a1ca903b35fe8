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
                             of the cleaned page, linked images, prices, linked
                             titles; teaser cards (repeated siblings of one
                             shape, each a linked title and a short blurb), the
                             share of the page's text they hold, and the prose
                             outside them

The weights are a logistic regression fitted on the WCXB development split by
`bench/fit_pagetype.py` (which calls `features()` below, so training and use
measure the same things); that script prints the rates, cross-validated by
site, that the threshold was chosen from. A page whose score is above the
threshold is a listing, unless it declares an article in JSON-LD or microdata
and has a full body, and teaser cards do not dominate it: the score may weigh
URL shape and link share, but those never overrule a declared, full article.
The rejection names, in words, the evidence that pushed the score up.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline import urls
from pipeline.extraction.body import Decision
from pipeline.extraction.structured import ARTICLE_TYPES, StructuredData
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
# Teaser cards: repeated siblings, each a linked title of a few words and a short blurb.
_MIN_CARDS = 4
_CARD_MAJORITY = 0.6
_CARD_MAX_WORDS = 120
_CARD_TITLE_WORDS = 3
_NO_DIGITS = str.maketrans("", "", "0123456789")
_CARD_DEPTH = 8  # a card is at most this many levels above its title link
_TITLE_LINK_WORDS = 4
# A declared article with this much prose outside teasers has a full body ...
_FULL_BODY_WORDS = 250
# ... and is a listing all the same when this many cards hold this share of its text.
_DOMINANT_CARDS = 8
_DOMINANT_CARD_SHARE = 0.5
_EVIDENCE_ITEMS = 3
_PRODUCT_TYPES = frozenset(("Product", "ProductGroup", "Offer", "AggregateOffer"))
# A sentence: text up to a full stop, question or exclamation mark (Latin or CJK).
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]")
_SENTENCE_WORDS = 6
_HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
_LINKED = 0.6  # a heading this much of whose text is a link is a teaser's title
_NOT_CONTENT = frozenset(
    "script style noscript template svg nav footer aside header form select head".split()
)
_SITE_PARTS = frozenset(("nav", "footer", "aside"))
# Site parts that broken or framework markup stretches around the whole page.
_WRAPPER_TAGS = frozenset(("header", "form", "nav", "aside", "footer"))
_WRAPPER_SHARE = 0.5
_COUNT_PIECE = 4096  # characters counted at a time (see _more_words)
# A card's chain stops at menus, asides and footers (a teaser's <header> is its own).
_CHAIN_STOPS = _SITE_PARTS | {"form", "select", "template", "svg"}

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
    "log_cards",
    "card_share",
    "prose_share",
    "log_title_links",
    "log_free_prose",
    "log_title_words",
    "log_dates",
    "sentence_share",
    "declared_product",
    "kept_link_share",
    "kept_heading_share",
    "log_linked_headings",
    "kept_share",
)
_MODEL_FILE = "pagetype.json"


@dataclass(frozen=True, slots=True)
class Model:
    """The standardised logistic model: per feature (mean, scale, weight), in the
    order of FEATURES; a page scoring above `threshold` is a listing."""

    terms: tuple[tuple[float, float, float], ...]
    bias: float
    threshold: float


@cache
def model() -> Model:
    """The shipped model, `models/pagetype.json`, written by bench/fit_pagetype.py
    (fitted on WCXB-dev's article, listing and collection pages with the
    trafilatura-eval and AEB pages as articles; the threshold is the lowest at
    which cross-validation grouped by site rejects at most 2% of the WCXB articles)."""
    text = resources.files("pipeline.extraction.models").joinpath(_MODEL_FILE).read_text("utf-8")
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> Model:
    terms = data["features"]
    if [t["name"] for t in terms] != list(FEATURES):
        raise ValueError(f"{_MODEL_FILE} was fitted on other features than pagetype.FEATURES")
    return Model(
        terms=tuple((float(t["mean"]), float(t["scale"]), float(t["weight"])) for t in terms),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
    )


def to_json(fitted: Model) -> dict[str, Any]:
    return {
        "features": [
            {"name": name, "mean": round(m, 6), "scale": round(s, 6), "weight": round(w, 6)}
            for name, (m, s, w) in zip(FEATURES, fitted.terms, strict=True)
        ],
        "bias": round(fitted.bias, 6),
        "threshold": round(fitted.threshold, 4),
    }


@dataclass(frozen=True, slots=True)
class PageSignals:
    """What the intact page shows, read once before the clean stage removes it.

    cards: teaser cards (see `teaser_cards`); card_words: the words they hold (the
    card_share feature divides them by the cleaned page's words); free_prose: the
    words of long paragraphs outside them.
    """

    body_classes: str
    pagination: bool
    image_links: int
    prices: int
    cards: int = 0
    card_words: int = 0
    free_prose: int = 0
    dates: int = 0


@dataclass(frozen=True, slots=True)
class PageType:
    """The decision; `reason` (for a listing) joins `evidence`, what made it one."""

    is_article: bool
    declared_article: bool
    reason: str
    score: float = 0.0
    evidence: tuple[str, ...] = ()


def page_signals(tree: LexborHTMLParser) -> PageSignals:
    body = tree.body
    if body is None:
        return PageSignals("", False, 0, 0)
    cards, card_words, inside = teaser_cards(body)
    return PageSignals(
        body_classes=body.attributes.get("class") or "",
        pagination=tree.css_first(_PAGINATION) is not None,
        image_links=len(body.css("a img")),
        prices=len(_PRICE.findall(body.text(deep=True, separator=" "))),
        cards=cards,
        card_words=card_words,
        free_prose=_free_prose(body, inside),
        dates=len(body.css("time")),
    )


def teaser_cards(body: LexborNode) -> tuple[int, int, set[int]]:
    """(teaser cards, words they hold, the cards' ids)
    outside menus, asides and footers.

    A teaser card is one of at least four sibling elements of the same shape (tag
    and first class word, digits aside) that each hold a link to another page
    with a title of several words and little other text: the repeated items of a
    listing, a home page's grid, a search result page. Found from the title links
    up (a pass over every element would cost more than the rest of the stage):
    each link's ancestors are grouped by (parent, shape), and a group of enough
    siblings that are short enough is a set of cards; a link counts in its
    outermost such group.
    """
    groups: dict[tuple[int, str], dict[int, LexborNode]] = {}
    chains: list[list[tuple[int, str]]] = []
    keys: dict[int, tuple[int, str] | None] = {}  # per element: (parent, shape), shared
    for link in body.css("a[href]"):
        href = link.attributes.get("href") or ""
        if href.startswith(("#", "javascript:", "mailto:")):
            continue
        if word_count(link.text(deep=True, separator=" ")) < _CARD_TITLE_WORDS:
            continue
        chain: list[tuple[int, str]] = []
        node: LexborNode | None = link
        for _ in range(_CARD_DEPTH):
            key = _key(node, keys) if node is not None else None
            if key is None or node is None:
                break
            groups.setdefault(key, {})[node.mem_id] = node
            chain.append(key)
            node = node.parent
        chains.append(chain)
    sizes: dict[int, int] = {}
    qualifying = set()
    for key, members in groups.items():
        if len(members) < _MIN_CARDS:
            continue
        found = {mem_id: _card_words(node) for mem_id, node in members.items()}
        if sum(1 for size in found.values() if size) >= _MIN_CARDS:
            qualifying.add(key)
            sizes.update((mem_id, size) for mem_id, size in found.items() if size)
    cards: set[int] = set()
    for chain in chains:
        outer = [key for key in chain if key in qualifying]
        if outer:
            for mem_id in groups[outer[-1]]:
                if sizes.get(mem_id):
                    cards.add(mem_id)
    return len(cards), sum(sizes[m] for m in cards), cards


def _card_words(node: LexborNode) -> int:
    """The card's words if `node` is short enough to be a teaser card, else 0."""
    words = word_count(node.text(deep=True, separator=" "))
    return words if words <= _CARD_MAX_WORDS else 0


def _free_prose(body: LexborNode, cards: set[int]) -> int:
    """Words of the page's long paragraphs outside teaser cards, menus, asides and
    footers: an article's body. A listing's blurbs are all inside its cards."""
    walls = _Walls(body)
    words = 0
    for paragraph in body.css("p"):
        count = _long_words(paragraph.text(deep=True, separator=" "))
        if count and walls.outside(paragraph, cards):
            words += count
    if words >= _FULL_BODY_WORDS:
        return words  # enough to tell; the walk below costs a pass over every node
    # <p>-less bodies: long runs of text straight inside a <div>, <td>, <article> ...
    for node in body.traverse(include_text=True):
        if node.tag != "-text" or node.parent is None or node.parent.tag == "p":
            continue
        count = _long_words(node.text(deep=False) or "")
        if count and walls.outside(node, cards, stop="p"):
            words += count
    return words


def _long_words(text: str) -> int:
    """The words of a long paragraph's text, else 0. A word takes at least one
    character, so shorter texts are not counted at all: most text nodes of a page
    are indentation and labels, and counting words costs a regex pass."""
    if len(text) < _PARAGRAPH_WORDS or len(text.strip()) < _PARAGRAPH_WORDS:
        return 0
    count = word_count(text)
    return count if count >= _PARAGRAPH_WORDS else 0


class _Walls:
    """Which site parts (menus, headers, forms, asides, footers) shut prose out.

    A part that holds most of the page's text is not furniture but a wrapper (a
    page-wide <form> of ASP.NET, a <header> left open by broken markup), so it
    shuts nothing out: one tag name never decides that the article is not there.
    """

    def __init__(self, body: LexborNode) -> None:
        self._body = body
        self._page: str | None = None  # the page's text, read when first needed
        self._wrapper: dict[int, bool] = {}

    def outside(self, node: LexborNode, cards: set[int], stop: str = "") -> bool:
        """Not inside a teaser card or a site part (nor, with `stop`, such an element)."""
        parent = node.parent
        while parent is not None:
            if parent.mem_id in cards or parent.tag == stop:
                return False
            if parent.tag in _NOT_CONTENT and not self._wraps(parent):
                return False
            parent = parent.parent
        return True

    def _wraps(self, node: LexborNode) -> bool:
        if node.tag not in _WRAPPER_TAGS:
            return False
        if node.mem_id not in self._wrapper:
            if self._page is None:
                self._page = self._body.text(deep=True, separator=" ")
            words = word_count(node.text(deep=True, separator=" "))
            most = words / _WRAPPER_SHARE  # the page's words, at most, for the part to wrap it
            self._wrapper[node.mem_id] = not _more_words(self._page, most)
        return self._wrapper[node.mem_id]


def _more_words(text: str, limit: float) -> bool:
    """word_count(text) > limit, counted piece by piece so that a small site part
    is settled after the page's first piece (no word spans a space)."""
    count, start, end = 0, 0, len(text)
    while start < end:
        stop = text.find(" ", start + _COUNT_PIECE)
        stop = end if stop == -1 else stop
        count += word_count(text[start:stop])
        if count > limit:
            return True
        start = stop
    return False


def _key(node: LexborNode, keys: dict[int, tuple[int, str] | None]) -> tuple[int, str] | None:
    """(parent's id, shape) of `node`, memoised; None where a card's chain stops."""
    if node.mem_id in keys:
        return keys[node.mem_id]
    parent = node.parent
    key = None
    if (
        parent is not None
        and node.tag not in _CHAIN_STOPS
        and parent.tag not in _CHAIN_STOPS
        and node.tag not in ("body", "html")
    ):
        key = (parent.mem_id, _shape(node))
    keys[node.mem_id] = key
    return key


def _shape(node: LexborNode) -> str:
    first = (node.attributes.get("class") or "").split()[:1]
    return f"{node.tag}.{(first[0] if first else '').translate(_NO_DIGITS)}"


def features(
    data: StructuredData,
    signals: PageSignals,
    url: str | None,
    shown: tuple[bool, bool],
    root: LexborNode,
    container: LexborNode,
    blocks: Sequence[Block],
    title: str | None = None,
    decisions: Sequence[Decision] = (),
) -> tuple[float, ...]:
    """The page's signals in the order of FEATURES. `shown`: (published, author);
    `title`: the page's headline as metadata found it; `decisions`: the body
    stage's verdict on every candidate block."""
    path = urls.path(url)
    last = [s for s in path.split("/") if s][-1:] or [""]
    # Paragraphs as the body stage built them: <p>-less themes have them too.
    sizes = [word_count(b.text) for b in blocks if isinstance(b, Paragraph)]
    paragraphs = [n for n in sizes if n >= _PARAGRAPH_WORDS]
    words = sum(sizes)
    total = word_count(root.text(deep=True, separator=" "))  # the cleaned page's words
    return (
        float(shown[0]),
        float(_declares_article(data, signals.body_classes)),
        float(shown[1]),
        float(len(_SLUG_SPLIT.split(last[0])) >= _SLUG_WORDS),
        float(_declares_listing(data, signals.body_classes, url)),
        math.log1p(words),
        math.log1p(sum(paragraphs)),
        _link_share(root, total),
        math.log1p(len(paragraphs)),
        float(signals.pagination),
        float("article" in data.types),
        float(bool(urls.query(url))),
        math.log1p(signals.image_links),
        math.log1p(signals.prices),
        _teaser_share(container),
        math.log1p(signals.cards),
        min(1.0, signals.card_words / total) if total else 0.0,
        min(1.0, sum(paragraphs) / total) if total else 0.0,
        math.log1p(_title_links(root)),
        math.log1p(signals.free_prose),
        math.log1p(word_count(title or "")),
        math.log1p(signals.dates),
        _sentence_share(blocks, words),
        float(bool(_PRODUCT_TYPES.intersection(data.jsonld_types))),
        *_kept_shape(decisions),
    )


def _kept_shape(decisions: Sequence[Decision]) -> tuple[float, float, float, float]:
    """What the body stage kept, and how it reads: the share of its text in links,
    the share of its blocks that are headings, how many of the page's headings are
    links (a listing's teaser titles), and the share of the page's block words kept."""
    kept_chars = kept_links = kept_blocks = kept_headings = linked = 0
    kept_words = all_words = 0
    for decision in decisions:
        candidate = decision.candidate
        words = word_count(candidate.text)
        all_words += words
        heading = candidate.kind in _HEADINGS
        if heading and candidate.link_chars >= _LINKED * len(candidate.text):
            linked += candidate.context.furniture is None
        if decision.kept:
            kept_chars += len(candidate.text)
            kept_links += candidate.link_chars
            kept_blocks += 1
            kept_headings += heading
            kept_words += words
    return (
        min(1.0, kept_links / kept_chars) if kept_chars else 0.0,
        kept_headings / kept_blocks if kept_blocks else 0.0,
        math.log1p(linked),
        kept_words / all_words if all_words else 0.0,
    )


def _sentence_share(blocks: Sequence[Block], words: int) -> float:
    """Share of the body's paragraph words in sentences: runs of several words that
    end in a full stop. Prose reads in sentences; teasers, labels and names do not."""
    if not words:
        return 0.0
    inside = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            for sentence in _SENTENCE.findall(block.text):
                count = word_count(sentence)
                if count >= _SENTENCE_WORDS:
                    inside += count
    return min(1.0, inside / words)


def classify(
    values: tuple[float, ...], declared_article: bool, declared_schema: bool = False
) -> PageType:
    """Article or listing, by the fitted score of the page's features; a page that
    declares an article (JSON-LD or microdata) with a full body is one unless
    teaser cards dominate it. The reason names the evidence of a listing."""
    score = _score(values)
    evidence = _evidence(values)
    if score > model().threshold and not protected(values, declared_schema):
        return PageType(False, declared_article, "; ".join(evidence), score, evidence)
    return PageType(True, declared_article, "", score, evidence)


def protected(values: tuple[float, ...], declared_schema: bool) -> bool:
    """A declared Article, NewsArticle, BlogPosting, ScholarlyArticle (...) with a full
    body, and no strong listing evidence: teaser cards holding most of the page."""
    if not declared_schema:
        return False
    named = dict(zip(FEATURES, values, strict=True))
    cards = round(math.expm1(named["log_cards"]))
    if named["card_share"] >= _DOMINANT_CARD_SHARE and cards >= _DOMINANT_CARDS:
        return False
    return round(math.expm1(named["log_free_prose"])) >= _FULL_BODY_WORDS


def _score(values: tuple[float, ...]) -> float:
    fitted = model()
    return fitted.bias + sum(
        w * (v - m) / s for v, (m, s, w) in zip(values, fitted.terms, strict=True)
    )


def _evidence(values: tuple[float, ...]) -> tuple[str, ...]:
    """What made the page look like a listing, in plain words, strongest first: the
    features that pushed its score up (an absence counts: "no article date")."""
    pushes = sorted(
        (
            (w * (v - m) / s, name, v)
            for v, (m, s, w), name in zip(values, model().terms, FEATURES, strict=True)
        ),
        key=lambda push: -push[0],
    )
    named = dict(zip(FEATURES, values, strict=True))
    words: list[str] = []
    for push, name, value in pushes:
        if push <= 0 or len(words) == _EVIDENCE_ITEMS:
            break
        said = _SAY[name](value, named)
        if said and said not in words:
            words.append(said)
    return tuple(words)


def _count(value: float) -> int:
    return round(math.expm1(value))


def _percent(value: float) -> str:
    return f"{value:.0%}"


# How each feature reads as evidence of a listing (its value, all values by name).
_SAY: dict[str, Callable[[float, dict[str, float]], str]] = {
    "published": lambda v, _: "" if v else "no article date",
    "declared_article": lambda v, _: "" if v else "no article markup",
    "author": lambda v, _: "" if v else "no byline",
    "slug_url": lambda v, _: "" if v else "no article slug in the URL",
    "declared_listing": lambda v, _: (
        "declares an index (schema, archive class or path)" if v else ""
    ),
    "log_paragraph_block_words": lambda v, _: f"{_count(v)} words of paragraphs",
    "log_long_paragraph_words": lambda v, _: f"{_count(v)} words in long paragraphs",
    "link_share": lambda v, _: f"{_percent(v)} of text in links",
    "log_long_paragraphs": lambda v, _: f"{_count(v)} long paragraphs",
    "pagination": lambda v, _: "pagination" if v else "",
    "og_article": lambda v, _: "" if v else "no og:type article",
    "query": lambda v, _: "a query string in the URL" if v else "",
    "log_image_links": lambda v, _: f"{_count(v)} linked images",
    "log_prices": lambda v, _: f"{_count(v)} prices",
    "teaser_share": lambda v, _: f"{_percent(v)} of the body in teaser headings",
    "log_cards": lambda v, named: _cards_said(named),
    "card_share": lambda v, named: _cards_said(named),
    "prose_share": lambda v, _: f"{_percent(v)} of words in paragraphs",
    "log_title_links": lambda v, _: f"{_count(v)} linked titles",
    "log_free_prose": lambda v, _: f"{_count(v)} words of prose outside teasers",
    "log_title_words": lambda v, _: f"a title of {_count(v)} word{'' if _count(v) == 1 else 's'}",
    "log_dates": lambda v, _: f"{_count(v)} dates (<time>)",
    "sentence_share": lambda v, _: f"{_percent(v)} of paragraph words in sentences",
    "declared_product": lambda v, _: "declares products" if v else "",
    "kept_link_share": lambda v, _: f"{_percent(v)} of the body in links",
    "kept_heading_share": lambda v, _: f"{_percent(v)} of the body's blocks are headings",
    "log_linked_headings": lambda v, _: f"{_count(v)} linked headings",
    "kept_share": lambda v, _: f"{_percent(v)} of the page's blocks kept",
}


def _cards_said(named: dict[str, float]) -> str:
    cards = _count(named["log_cards"])
    return f"{cards} teaser cards holding {_percent(named['card_share'])} of the text"


def _title_links(root: LexborNode) -> int:
    """Distinct pages linked with a title of several words: a listing's teasers."""
    targets = set()
    for link in root.css("a[href]"):
        href = link.attributes.get("href") or ""
        if href.startswith(("#", "javascript:", "mailto:")):
            continue
        if word_count(link.text(deep=True, separator=" ")) >= _TITLE_LINK_WORDS:
            targets.add(href)
    return len(targets)


def _link_share(root: LexborNode, total: int) -> float:
    links = sum(word_count(a.text(deep=True, separator=" ")) for a in root.css("a"))
    return links / total if total else 0.0


def _teaser_share(container: LexborNode) -> float:
    teasers, card_words = _teasers(container)
    total = word_count(container.text(deep=True, separator=" "))
    if teasers < _TEASER_LIMIT or not total or card_words >= _CARD_WORDS * teasers:
        return 0.0  # few teasers, or long items: a listicle's, not a listing's
    return card_words / total


def declares_article(data: StructuredData, signals: PageSignals) -> bool:
    return _declares_article(data, signals.body_classes)


def declares_schema_article(data: StructuredData) -> bool:
    """The page's JSON-LD or microdata main entity is an article type (not og:type)."""
    return bool(ARTICLE_TYPES.intersection(data.types))


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
    # The site's root is its home page, but "/?p=2895" is a post by its number.
    return (
        url is not None
        and urls.split(url) is not None
        and urls.path(url) in ("", "/")
        and not urls.query(url)
    )


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
        words += word_count(card.text(deep=True, separator=" "))
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
