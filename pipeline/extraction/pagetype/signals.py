"""Page type, what the intact page shows: teaser cards, and the prose outside them.

Read once, before the clean stage removes the page's furniture (`page_signals`):
the page's body classes, pagination, linked images and prices, and its teaser
cards (repeated siblings of one shape, each a linked title and a short blurb:
a listing's items, found from the title links up) with the words of long
paragraphs outside them and outside the site's menus, asides and footers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.thresholds import (
    CARD_DEPTH,
    CARD_MAX_WORDS,
    CARD_TITLE_WORDS,
    FULL_BODY_WORDS,
    LISTING_PARAGRAPH_WORDS,
    MIN_CARDS,
    SITE_PART_WRAPPER_SHARE,
)

_PRICE = re.compile(r"[$€£¥₹]\s?\d")
_PAGINATION = (
    "link[rel=next], a[rel=next], [class*=paginat], [class*=Paginat],"
    " nav[aria-label*=agination], [class*=page-numbers]"
)
_NO_DIGITS = str.maketrans("", "", "0123456789")
_NOT_CONTENT = frozenset(
    "script style noscript template svg nav footer aside header form select head".split()
)
_SITE_PARTS = frozenset(("nav", "footer", "aside"))
# Site parts that broken or framework markup stretches around the whole page.
_WRAPPER_TAGS = frozenset(("header", "form", "nav", "aside", "footer"))
# A card's chain stops at menus, asides and footers (a teaser's <header> is its own).
_CHAIN_STOPS = _SITE_PARTS | {"form", "select", "template", "svg"}


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
    for link in page_links(index):
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


def page_links(index: PageIndex) -> list[int]:
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
