"""Page type, the page's features: what it declares, says of itself and shows.

`features` measures a page in the order of FEATURES (what the model is fitted on,
see scoring.py): declared types and classes, URL shape, the body stage's blocks and
decisions (link, heading and kept shares, grids of cards, sentences), and the
signals read from the intact page (signals.py). bench/fit_pagetype.py calls it
through `analyse`, so training and use measure the same things.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from pipeline import urls
from pipeline.extraction.body import HIDDEN_COPY, Decision
from pipeline.extraction.metadata.structured import ARTICLE_TYPES, StructuredData
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.pagetype.signals import PageSignals, page_links
from pipeline.extraction.thresholds import (
    CARD_MAJORITY,
    CARD_MAX_WORDS,
    GRID_LEVELS,
    GRID_TITLE_LINK_SHARE,
    LISTING_PARAGRAPH_WORDS,
    MIN_CARDS,
    MIN_TEASERS,
    SENTENCE_WORDS,
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
_PRODUCT_TYPES = frozenset(("Product", "ProductGroup", "Offer", "AggregateOffer"))
# A sentence: a run of text up to a full stop, question or exclamation mark (the
# runs between them, found by a split: a regex for "run, then a stop" costs the
# square of a long paragraph's length).
_STOP = re.compile(r"([.!?。！？])")
_HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))

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


def _title_links(index: PageIndex) -> int:
    """Distinct pages linked with a title of several words: a listing's teasers."""
    targets = set()
    for link in page_links(index):
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
