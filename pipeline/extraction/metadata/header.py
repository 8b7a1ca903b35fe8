"""The article's header: the lines beside its headline, and the dates they show.

Readers take an article's date and author from the lines by its headline ("By
Jane Doe · March 3, 2025", "Updated Sep 17, 2025", "Travel · September 8, 2021"
above it), not from the site's "today" bar, a related teaser or the footer. So
the header is read as text in document order: a short stretch before the
headline and the text after it up to the body's first paragraph or section
heading, within the article's region, skipping scripts and furniture
(navigation, asides, share and related blocks). Every date there is found with
the label in front of it: "Updated" makes it the modification date, anything
else (or nothing) a publication date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from pipeline.extraction.metadata import dates
from pipeline.extraction.thresholds import (
    HEADER_AFTER_CHARS,
    HEADER_BEFORE_CHARS,
    HEADER_LABEL_CHARS,
    HEADER_PARAGRAPH_CHARS,
)

_SKIPPED = frozenset(
    "script style noscript template svg iframe select option button nav aside form footer"
    " textarea video audio canvas".split()
)
_HEADINGS = frozenset(("h1", "h2", "h3"))
_UPDATE_LABEL = re.compile(
    r"(?:updated|last\s+updated|modified|revised|reviewed|edited|aktualisiert|geändert"
    r"|mis\s+à\s+jour|actualizado|actualizada|aggiornato|atualizado|bijgewerkt"
    r"|обновлено|更新)\W{0,3}(?:on|am|le|el|il|em|op)?\W{0,3}"
    r"(?:[^\W\d]{2,12}\.?,?\s*){0,2}$",  # a weekday or month name before the digits
    re.I,
)
_MACHINE = ("datetime", "content")
_UNTIL_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Dateline:
    """The first publication date and the first update date of the article's header."""

    published: str | None = None
    updated: str | None = None


@dataclass(frozen=True, slots=True)
class Piece:
    """One text node of the header, where it starts in the window's text, its element."""

    start: int
    text: str
    parent: LexborNode


@dataclass(frozen=True, slots=True)
class Header:
    """The text after the headline and the text before it (in document order)."""

    after: _Window
    before: _Window


def read_header(
    h1: LexborNode,
    is_furniture: Callable[[LexborNode], bool],
    region: LexborNode | None = None,
) -> Header:
    """The header around `h1`, within `region` (the article's container) when given."""
    return Header(_Window.after(h1, is_furniture, region), _Window.before(h1, is_furniture))


def read_dateline(
    header: Header, languages: list[str] | None = None, modified: str | None = None
) -> Dateline:
    """The dates shown just after the headline, else just before it. A shown date on
    the day the page declares as its modification is the update date, labelled or not."""
    after = _dates(header.after, languages, modified)
    before = _dates(header.before, languages, modified)
    published = next((iso for iso, update in after if not update), None)
    updated = next((iso for iso, update in after if update), None)
    if published is None:  # the line above the headline, nearest first
        published = next((iso for iso, update in reversed(before) if not update), None)
    if updated is None:
        updated = next((iso for iso, update in reversed(before) if update), None)
    return Dateline(published, updated)


@dataclass(slots=True)
class _Window:
    """A stretch of the header's text, its pieces, and the machine dates (<time
    datetime>) in it."""

    text: str
    # (start, end, date, labelled an update) of each <time datetime> in the text
    machine: list[tuple[int, int, str, bool]]
    pieces: list[Piece]

    def add_text(self, node: LexborNode) -> None:
        text = " ".join((node.text(deep=False) or "").split())
        if text and node.parent is not None:
            self.pieces.append(Piece(len(self.text) + 1, text, node.parent))
        self.text += " " + text

    @classmethod
    def after(
        cls,
        h1: LexborNode,
        is_furniture: Callable[[LexborNode], bool],
        region: LexborNode | None,
    ) -> _Window:
        window = cls("", [], [])
        # A standfirst may sit between the headline and the dateline: the first
        # paragraph is passed over (its text, and any date in it, left out).
        standfirst: LexborNode | None = None
        for node in _following(h1, is_furniture, region):
            if standfirst is not None and _inside(node, standfirst):
                continue
            if node.tag == "-text":
                window.add_text(node)
            elif node.tag in _HEADINGS or (_is_paragraph(node) and standfirst is not None):
                break
            elif _is_paragraph(node):
                standfirst = node
            elif node.tag == "time" or node.attributes.get("itemprop") == "datePublished":
                window.add_machine(node)
            if len(window.text) > HEADER_AFTER_CHARS:
                break
        return window

    @classmethod
    def before(cls, h1: LexborNode, is_furniture: Callable[[LexborNode], bool]) -> _Window:
        nodes: list[LexborNode] = []
        chars = 0
        for node in _preceding(h1, is_furniture):
            if node.tag == "-text":
                nodes.append(node)
                chars += len(node.text(deep=False) or "") + 1
            elif node.tag in _HEADINGS or _is_paragraph(node):
                break
            if chars > HEADER_BEFORE_CHARS:
                break
        window = cls("", [], [])
        for node in reversed(nodes):
            window.add_text(node)
        return window

    def add_machine(self, node: LexborNode) -> None:
        value = next((node.attributes.get(a) for a in _MACHINE if node.attributes.get(a)), None)
        iso = dates.to_iso(value) if value else None
        if iso:
            own = " ".join(node.text(deep=True).split())
            start = len(self.text)
            label = self.text[-HEADER_LABEL_CHARS:] + " " + _UNTIL_DIGIT.split(own, maxsplit=1)[0]
            update = bool(_UPDATE_LABEL.search(label.rstrip()))
            self.machine.append((start, start + len(own) + 2, iso, update))


def _dates(
    window: _Window, languages: list[str] | None, modified: str | None
) -> list[tuple[str, bool]]:
    """(date, an update) in text order; a <time>'s machine value stands for the
    text it holds."""
    found = [(start, iso, update) for start, _, iso, update in window.machine]
    for offset, iso in dates.dates_in_text(window.text, languages):
        # The visible form of a <time> already read from its datetime attribute.
        if any(
            start <= offset < end and machine[:10] == iso[:10]
            for start, end, machine, _ in window.machine
        ):
            continue
        label = window.text[max(0, offset - HEADER_LABEL_CHARS) : offset].rstrip()
        found.append((offset, iso, bool(_UPDATE_LABEL.search(label))))
    found.sort()
    day = modified[:10] if modified else None
    return [(iso, update or iso[:10] == day) for _, iso, update in found]


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    current: LexborNode | None = node.parent
    while current is not None:
        if current.mem_id == ancestor.mem_id:
            return True
        current = current.parent
    return False


def _is_paragraph(node: LexborNode) -> bool:
    if node.tag not in ("p", "blockquote", "li"):
        return False
    return len(node.text(deep=True)) >= HEADER_PARAGRAPH_CHARS


def _following(
    h1: LexborNode, is_furniture: Callable[[LexborNode], bool], region: LexborNode | None
) -> Iterator[LexborNode]:
    """Nodes after the headline in document order (its own subtree excluded), up to
    the end of `region`."""
    stop = region.mem_id if region is not None else None
    current: LexborNode | None = h1
    while current is not None and current.tag not in ("body", "html"):
        if current.mem_id == stop:
            return
        sibling = current.next
        while sibling is not None:
            yield from _subtree(sibling, is_furniture)
            sibling = sibling.next
        current = current.parent


def _subtree(node: LexborNode, is_furniture: Callable[[LexborNode], bool]) -> Iterator[LexborNode]:
    """`node` and its descendants in document order, without scripts and furniture."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.tag in _SKIPPED or (current.is_element_node and is_furniture(current)):
            continue
        yield current
        children = []
        child = current.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))


def _preceding(h1: LexborNode, is_furniture: Callable[[LexborNode], bool]) -> Iterator[LexborNode]:
    """Nodes before the headline, nearest first, skipping the site's furniture."""
    current: LexborNode | None = h1
    while current is not None and current.tag not in ("body", "html"):
        sibling = current.prev
        while sibling is not None:
            if sibling.tag == "header" or (sibling.is_element_node and is_furniture(sibling)):
                return  # the site's header bar or a menu: the article's header has ended
            yield from reversed(list(_subtree(sibling, is_furniture)))
            sibling = sibling.prev
        current = current.parent
