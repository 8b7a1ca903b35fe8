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
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from pipeline import urls
from pipeline.extraction import linear
from pipeline.extraction.body import HIDDEN_COPY, Decision
from pipeline.extraction.metadata.structured import ARTICLE_TYPES, StructuredData
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.thresholds import (
    CARD_DEPTH,
    CARD_MAJORITY,
    CARD_MAX_WORDS,
    CARD_TITLE_WORDS,
    DOMINANT_CARD_SHARE,
    DOMINANT_CARDS,
    EVIDENCE_ITEMS,
    FULL_BODY_WORDS,
    GRID_LEVELS,
    GRID_TITLE_LINK_SHARE,
    LISTING_PARAGRAPH_WORDS,
    MIN_CARDS,
    MIN_TEASERS,
    SENTENCE_WORDS,
    SITE_PART_WRAPPER_SHARE,
    SLUG_WORDS,
    TEASER_CARD_WORDS,
    TEASER_HEADING_LINK_SHARE,
    TITLE_LINK_WORDS,
)
from pipeline.normalize import word_count
from pipeline.record import Block, Paragraph
from pipeline.wordcount import word_counts

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
_NO_DIGITS = str.maketrans("", "", "0123456789")
_PRODUCT_TYPES = frozenset(("Product", "ProductGroup", "Offer", "AggregateOffer"))
# A sentence: text up to a full stop, question or exclamation mark (Latin or CJK).
# A sentence: a run of text up to a full stop, question or exclamation mark (the
# runs between them, found by a split: a regex for "run, then a stop" costs the
# square of a long paragraph's length).
_STOP = re.compile(r"([.!?。！？])")
_HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
_NOT_CONTENT = frozenset(
    "script style noscript template svg nav footer aside header form select head".split()
)
_SITE_PARTS = frozenset(("nav", "footer", "aside"))
# Site parts that broken or framework markup stretches around the whole page.
_WRAPPER_TAGS = frozenset(("header", "form", "nav", "aside", "footer"))
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
    "card_block_share",
    "after_share",
    "grid_share",
    "kept_parent_spread",
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
    terms, bias = linear.read_terms(data, FEATURES, _MODEL_FILE)
    return Model(terms=terms, bias=bias, threshold=float(data["threshold"]))


def to_json(fitted: Model) -> dict[str, Any]:
    data = linear.terms_json(FEATURES, fitted.terms, fitted.bias)
    return {**data, "threshold": round(fitted.threshold, 4)}


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
    card_ids: frozenset[int] = frozenset()  # the cards' index positions (see teaser_cards)


@dataclass(frozen=True, slots=True)
class PageType:
    """The decision; `reason` (for a listing) joins `evidence`, what made it one."""

    is_article: bool
    declared_article: bool
    reason: str
    score: float = 0.0
    evidence: tuple[str, ...] = ()


def page_signals(tree: LexborHTMLParser, index: PageIndex | None = None) -> PageSignals:
    """What the page shows (`index`: the page's index, built when not given)."""
    body = tree.body
    if body is None:
        return PageSignals("", False, 0, 0)
    index = index or PageIndex(body)
    cards, card_words, inside = teaser_cards(index)
    linked = index.linked
    return PageSignals(
        body_classes=body.attributes.get("class") or "",
        pagination=tree.css_first(_PAGINATION) is not None,
        image_links=sum(1 for i in index.tag_positions("img") if linked[i]),
        prices=len(_PRICE.findall(body.text(deep=True, separator=" "))),
        cards=cards,
        card_words=card_words,
        free_prose=_free_prose(index, inside),
        dates=len(index.tag_positions("time")),
        card_ids=frozenset(inside),
    )


def teaser_cards(index: PageIndex) -> tuple[int, int, set[int]]:
    """(teaser cards, words they hold, the cards' index positions)
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
    groups: dict[tuple[int, str], dict[int, None]] = {}  # ordered sets of positions
    chains: list[list[tuple[int, str]]] = []
    keys: dict[int, tuple[int, str] | None] = {}  # per element: (parent, shape), shared
    parent = index.parent
    for link in _page_links(index):
        if index.words(link) < CARD_TITLE_WORDS:
            continue
        chain: list[tuple[int, str]] = []
        node = link
        for _ in range(CARD_DEPTH):
            key = _key(index, node, keys) if node >= 0 else None
            if key is None:
                break
            groups.setdefault(key, {})[node] = None
            chain.append(key)
            node = parent[node]
        chains.append(chain)
    sizes: dict[int, int] = {}
    qualifying = set()
    for key, members in groups.items():
        if len(members) < MIN_CARDS:
            continue
        found = {i: _card_words(index, i) for i in members}
        if sum(1 for size in found.values() if size) >= MIN_CARDS:
            qualifying.add(key)
            sizes.update((i, size) for i, size in found.items() if size)
    cards: set[int] = set()
    for chain in chains:
        outer = [key for key in chain if key in qualifying]
        if outer:
            for i in groups[outer[-1]]:
                if sizes.get(i):
                    cards.add(i)
    return len(cards), sum(sizes[i] for i in cards), cards


def _page_links(index: PageIndex) -> list[int]:
    """The links to another page (`a[href]`, not "#...", javascript: or mailto:)."""
    found = []
    for i in index.tag_positions("a"):
        attrs = index.attributes(i)
        if "href" not in attrs:
            continue
        href = attrs.get("href") or ""
        if not href.startswith(("#", "javascript:", "mailto:")):
            found.append(i)
    return found


def _card_words(index: PageIndex, i: int) -> int:
    """The card's words if the element is short enough to be a teaser card, else 0."""
    words = index.words(i)
    return words if words <= CARD_MAX_WORDS else 0


def _free_prose(index: PageIndex, cards: set[int]) -> int:
    """Words of the page's long paragraphs outside teaser cards, menus, asides and
    footers: an article's body. A listing's blurbs are all inside its cards."""
    walls = _Walls(index)
    words = 0
    for paragraph in index.tag_positions("p"):
        count = _long_words(index.words(paragraph))
        if count and walls.outside(paragraph, cards):
            words += count
    if words >= FULL_BODY_WORDS:
        return words  # enough to tell; the pass below costs more
    # <p>-less bodies: long runs of text straight inside a <div>, <td>, <article> ...
    tags, parent = index.tags, index.parent
    for i in index.tag_positions("-text"):
        up = parent[i]
        if up < 0 or tags[up] == "p":
            continue
        count = _long_words(index.words(i))
        if count and walls.outside(i, cards, stop="p"):
            words += count
    return words


def _long_words(count: int) -> int:
    """The words of a long paragraph, else 0."""
    return count if count >= LISTING_PARAGRAPH_WORDS else 0


class _Walls:
    """Which site parts (menus, headers, forms, asides, footers) shut prose out.

    A part that holds most of the page's text is not furniture but a wrapper (a
    page-wide <form> of ASP.NET, a <header> left open by broken markup), so it
    shuts nothing out: one tag name never decides that the article is not there.
    """

    def __init__(self, index: PageIndex) -> None:
        self._index = index
        self._wrapper: dict[int, bool] = {}

    def outside(self, i: int, cards: set[int], stop: str = "") -> bool:
        """Not inside a teaser card or a site part (nor, with `stop`, such an element)."""
        tags, parent = self._index.tags, self._index.parent
        up = parent[i]
        while up >= 0:
            tag = tags[up]
            if up in cards or tag == stop:
                return False
            if tag in _NOT_CONTENT and not self._wraps(up):
                return False
            up = parent[up]
        return True

    def _wraps(self, i: int) -> bool:
        index = self._index
        if index.tags[i] not in _WRAPPER_TAGS:
            return False
        if i not in self._wrapper:
            # The part's words are at least this share of the page's.
            self._wrapper[i] = index.words(0) <= index.words(i) / SITE_PART_WRAPPER_SHARE
        return self._wrapper[i]


def _key(
    index: PageIndex, i: int, keys: dict[int, tuple[int, str] | None]
) -> tuple[int, str] | None:
    """(parent's position, shape) of the element, memoised; None where a card's chain
    stops."""
    if i in keys:
        return keys[i]
    tags = index.tags
    up = index.parent[i]
    key = None
    if (
        up >= 0
        and tags[i] not in _CHAIN_STOPS
        and tags[up] not in _CHAIN_STOPS
        and tags[i] not in ("body", "html")
    ):
        key = (up, _shape(tags[i], index.attributes(i)))
    keys[i] = key
    return key


def _shape(tag: str, attrs: dict[str, str | None]) -> str:
    first = (attrs.get("class") or "").split()[:1]
    return f"{tag}.{(first[0] if first else '').translate(_NO_DIGITS)}"


def features(
    data: StructuredData,
    signals: PageSignals,
    url: str | None,
    shown: tuple[bool, bool],
    index: PageIndex,
    container: int,
    blocks: Sequence[Block],
    title: str | None = None,
    decisions: Sequence[Decision] = (),
) -> tuple[float, ...]:
    """The page's signals in the order of FEATURES. `shown`: (published, author);
    `index`: the cleaned page's (its root the body, furniture dropped); `container`:
    the position of the body stage's container; `title`: the page's headline as
    metadata found it; `decisions`: the body stage's verdict on every candidate block."""
    path = urls.path(url)
    last = [s for s in path.split("/") if s][-1:] or [""]
    # Paragraphs as the body stage built them: <p>-less themes have them too.
    sizes = word_counts([b.text for b in blocks if isinstance(b, Paragraph)])
    paragraphs = [n for n in sizes if n >= LISTING_PARAGRAPH_WORDS]
    words = sum(sizes)
    total = index.words(0)  # the cleaned page's words
    return (
        float(shown[0]),
        float(_declares_article(data, signals.body_classes)),
        float(shown[1]),
        float(len(_SLUG_SPLIT.split(last[0])) >= SLUG_WORDS),
        float(_declares_listing(data, signals.body_classes, url)),
        math.log1p(words),
        math.log1p(sum(paragraphs)),
        index.link_words(0) / total if total else 0.0,
        math.log1p(len(paragraphs)),
        float(signals.pagination),
        float("article" in data.types),
        float(bool(urls.query(url))),
        math.log1p(signals.image_links),
        math.log1p(signals.prices),
        _teaser_share(index, container),
        math.log1p(signals.cards),
        min(1.0, signals.card_words / total) if total else 0.0,
        min(1.0, sum(paragraphs) / total) if total else 0.0,
        math.log1p(_title_links(index)),
        math.log1p(signals.free_prose),
        math.log1p(word_count(title or "")),
        math.log1p(signals.dates),
        _sentence_share(blocks, words),
        float(bool(_PRODUCT_TYPES.intersection(data.jsonld_types))),
        *_kept_shape(decisions, signals.card_ids),
    )


def _kept_shape(
    decisions: Sequence[Decision], card_ids: frozenset[int] = frozenset()
) -> tuple[float, ...]:
    """What the body stage kept and dropped, and how it reads, from its decisions
    alone (no other pass over the page):

    kept_link_share, kept_heading_share: the share of the kept text in links, of
    the kept blocks that are headings; log_linked_headings: the page's headings
    that are links (a listing's teaser titles); kept_share: the share of the
    page's block words kept; card_block_share: of them in teaser cards (see
    `teaser_cards`); after_share: after the last kept block (an article ends
    before the site's teaser grids, a listing's kept intro sits above them);
    grid_share: in the largest grid (see `_Grids`); kept_parent_spread: how many
    of the kept blocks after the first have a parent of their own (0: one parent,
    as an article's paragraphs share; 1: a listing's kept blurbs, each in its card)."""
    kept_chars = kept_links = kept_blocks = kept_headings = linked = 0
    kept_words = all_words = card_words = after = 0
    parents: set[int] = set()
    grids = _Grids()
    for decision in decisions:
        if decision.reason == HIDDEN_COPY:
            continue  # a copy of the article is not more of the page
        candidate = decision.candidate
        words = candidate.words
        all_words += words
        chain = candidate.context.chain
        heading = candidate.kind in _HEADINGS
        if heading and candidate.link_chars >= TEASER_HEADING_LINK_SHARE * len(candidate.text):
            linked += candidate.context.furniture is None
        if card_ids and not card_ids.isdisjoint(chain):
            card_words += words
        grids.add(
            chain, words, candidate.link_chars >= GRID_TITLE_LINK_SHARE * len(candidate.text) > 0
        )
        if decision.kept:
            kept_chars += len(candidate.text)
            kept_links += candidate.link_chars
            kept_blocks += 1
            kept_headings += heading
            kept_words += words
            after = 0
            if len(chain) > 1:
                parents.add(chain[1])
        else:
            after += words
    if not all_words:
        return (0.0,) * 8
    return (
        min(1.0, kept_links / kept_chars) if kept_chars else 0.0,
        kept_headings / kept_blocks if kept_blocks else 0.0,
        math.log1p(linked),
        kept_words / all_words,
        card_words / all_words,
        after / all_words if kept_blocks else 0.0,
        grids.largest() / all_words,
        (len(parents) - 1) / (kept_blocks - 1) if kept_blocks > 1 else 0.0,
    )


class _Grids:
    """Grids among the candidate blocks: an element with at least four children that
    hold blocks, most of them short and holding a linked block (a product card, a
    teaser), found from the blocks' ancestor chains (`Context.chain`) the walk
    recorded: per element, per child, (words, linked blocks)."""

    def __init__(self) -> None:
        self._children: dict[int, dict[int, list[int]]] = {}

    def add(self, chain: tuple[int, ...], words: int, linked: bool) -> None:
        for level in range(min(len(chain) - 1, GRID_LEVELS)):
            children = self._children.setdefault(chain[level + 1], {})
            tally = children.get(chain[level])
            if tally is None:
                children[chain[level]] = [words, linked]
            else:
                tally[0] += words
                tally[1] += linked

    def largest(self) -> int:
        """The words of the largest grid's card-like children."""
        best = 0
        for children in self._children.values():
            if len(children) < MIN_CARDS:
                continue
            cards = [w for w, linked in children.values() if linked and w <= CARD_MAX_WORDS]
            if len(cards) >= MIN_CARDS and len(cards) >= CARD_MAJORITY * len(children):
                best = max(best, sum(cards))
        return best


def _sentence_share(blocks: Sequence[Block], words: int) -> float:
    """Share of the body's paragraph words in sentences: runs of several words that
    end in a full stop. Prose reads in sentences; teasers, labels and names do not."""
    if not words:
        return 0.0
    runs = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts = _STOP.split(block.text)
            # [run, stop, run, stop, ..., run]: a run followed by a stop is a sentence
            # (no word spans a stop, so the stop adds none).
            runs += [run for run in parts[0:-1:2] if run]
    counts = word_counts(runs)
    inside = sum(count for count in counts if count >= SENTENCE_WORDS)
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
    if named["card_share"] >= DOMINANT_CARD_SHARE and cards >= DOMINANT_CARDS:
        return False
    return round(math.expm1(named["log_free_prose"])) >= FULL_BODY_WORDS


def _score(values: tuple[float, ...]) -> float:
    fitted = model()
    return linear.linear_score(values, fitted.terms, fitted.bias)


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
        if push <= 0 or len(words) == EVIDENCE_ITEMS:
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
    "card_block_share": lambda v, _: f"{_percent(v)} of the page's block words in teaser cards",
    "after_share": lambda v, _: f"{_percent(v)} of the page's block words after the body",
    "grid_share": lambda v, _: f"{_percent(v)} of the page's block words in a grid of cards",
    "kept_parent_spread": lambda v, _: f"{_percent(v)} of the kept blocks in parents of their own",
}


def _cards_said(named: dict[str, float]) -> str:
    cards = _count(named["log_cards"])
    return f"{cards} teaser cards holding {_percent(named['card_share'])} of the text"


def _title_links(index: PageIndex) -> int:
    """Distinct pages linked with a title of several words: a listing's teasers."""
    targets = set()
    for link in _page_links(index):
        if index.words(link) >= TITLE_LINK_WORDS:
            targets.add(index.attributes(link).get("href") or "")
    return len(targets)


def _teaser_share(index: PageIndex, container: int) -> float:
    teasers, card_words = _teasers(index, container)
    total = index.words(container)
    if teasers < MIN_TEASERS or not total or card_words >= TEASER_CARD_WORDS * teasers:
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


def _teasers(index: PageIndex, container: int) -> tuple[int, int]:
    """Teasers in the container, and how many words their cards hold.

    A teaser is a heading that links to another page; its card is the largest
    element around it that holds no other teaser (the <article> or <li> of a
    listing). An article's own linked subheadings share one parent, so their
    cards are just the headings and hold few words.
    """
    all_headings = index.tag_positions("h2", "h3", "h4")
    start = bisect_left(all_headings, container)
    stop = bisect_left(all_headings, index.end[container])
    links = _linked(index)
    headings = [h for h in all_headings[start:stop] if _is_teaser(index, h, links)]
    if len(headings) < MIN_TEASERS:
        return len(headings), 0
    chains = [_ancestors(index, h, container) for h in headings]
    counts = Counter(i for chain in chains for i in chain)
    words = 0
    for heading, chain in zip(headings, chains, strict=True):
        card = heading
        for i in chain:
            if counts[i] > 1:
                break
            card = i
        words += index.words(card)
    return len(headings), words


def _linked(index: PageIndex) -> list[int]:
    """The positions of the links that have an address (`a[href]`)."""
    return [i for i in index.tag_positions("a") if "href" in index.attributes(i)]


def _is_teaser(index: PageIndex, heading: int, links: list[int]) -> bool:
    k = bisect_left(links, heading)
    if k == len(links) or links[k] >= index.end[heading]:
        return False
    link = links[k]  # the heading's first link
    if (index.attributes(link).get("href") or "#").startswith("#"):
        return False
    return index.chars(link) >= TEASER_HEADING_LINK_SHARE * index.chars(heading)


def _ancestors(index: PageIndex, i: int, stop: int) -> list[int]:
    chain = []
    up = index.parent[i]
    while up >= 0 and up != stop:
        chain.append(up)
        up = index.parent[up]
    return chain
