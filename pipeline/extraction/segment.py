"""Segment stage: the whole cleaned page as a sequence of candidate blocks.

Walks the body once in document order. Headings, paragraphs, lists (with
nesting), quotes, code, data tables and runs of loose text become candidates;
layout tables are walked through like divs; widget tables (calendars) and media
are skipped. Nothing is decided here: each candidate carries what the walk knew
of it (its furniture flags and those of its ancestors, whether it lies in the
container the structure search chose, in a "Related posts" section, how much of
it is link text, the class/id words around it), and the body stage weighs that
evidence to keep it or drop it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborNode

from pipeline.extraction import boilerplate, tables
from pipeline.extraction.clean import INLINE_TAGS, Flags
from pipeline.extraction.container import MAX_DEPTH
from pipeline.extraction.render import render_text
from pipeline.normalize import normalize_multiline, normalize_text
from pipeline.record import (
    Block,
    Code,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Table,
    TableRef,
)

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = frozenset(
    "script style noscript template img picture video audio source track figcaption"
    " iframe svg canvas map area object embed hr".split()
)
_NESTED_BLOCKS = frozenset("p div ul ol table blockquote pre h2 h3 h4".split())
_ANY_HEADING = 7  # a section level that every heading (h1-h6) ends
# A furniture section's block with this share of its text in links is its teasers;
# a later block with under the prose share, this many words and a sentence's end
# is the article again.
_LINKED_SHARE = 0.5
_RESUME_LINK_SHARE = 0.2
_RESUME_WORDS = 20
_SENTENCE_ENDS = (".", "!", "?", "”", '"', "。", "»")
# Ancestor tags that tell where a block sits; one bit each.
CONTEXT_TAGS = (
    "article main section aside nav header footer form li td figure blockquote dl details"
).split()
_TAG_BIT = {tag: 1 << i for i, tag in enumerate(CONTEXT_TAGS)}
_WORDS = re.compile(r"[a-z]+")
_MAX_NAMED_ANCESTORS = 3
_MAX_TOKEN = 24
_MAX_CHAIN = 15
# Lists nested deeper are kept as text of their item: no author nests this far,
# and the record, its rendering and its JSON all recurse over the nesting.
MAX_LIST_DEPTH = 12


@dataclass(frozen=True, slots=True)
class Context:
    """What the walk knows of an element and its ancestors (shared by its blocks)."""

    depth: int = 0
    tags: int = 0  # CONTEXT_TAGS bits of the ancestors
    furniture: str | None = None  # the flag word of the nearest flagged ancestor (or self)
    spared: str | None = None  # a flag word the evidence overruled, nearest first
    in_container: bool = False
    own: tuple[str, ...] = ()  # class/id words of the element itself
    around: tuple[str, ...] = ()  # of its nearest named ancestors
    hidden: bool = False
    label: str = "body"  # the element as people read it ("div.entry")
    parent: Context | None = None
    chain: tuple[int, ...] = ()  # mem_ids of the element and its ancestors, innermost first

    @property
    def path(self) -> str:
        """A CSS-like path for people: "body > main > article.post > div.entry"."""
        labels = []
        context: Context | None = self
        while context is not None:
            labels.append(context.label)
            context = context.parent
        return " > ".join(reversed(labels))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One block of the page and the walk's evidence about it."""

    block: Block
    table: Table | None
    text: str
    kind: str  # h1..h6, p, text (loose inline text), list, quote, code, table
    link_chars: int
    context: Context
    section: str | None  # the furniture heading ("Related posts") whose section holds it
    text_furniture: bool  # the block's text is furniture ("ADVERTISEMENT", "Read more: ...")
    label: bool  # the block is a widget's label ("Related", "Popular posts")
    title: bool  # the block repeats the page's headline


def segment(
    body: LexborNode, flags: Flags, container: LexborNode, title: str | None
) -> list[Candidate]:
    """Every candidate block of the page, in document order."""
    walker = _Walker(flags, container.mem_id, title, _ancestry(container))
    walker.walk(body, Context(in_container=body.mem_id == container.mem_id))
    return walker.found


@dataclass(slots=True)
class _Walker:
    flags: Flags
    container: int
    title: str | None
    holders: frozenset[int]  # the container and its ancestors: always walked through
    found: list[Candidate] = field(default_factory=list)
    run: list[str] = field(default_factory=list)  # loose inline text awaiting a block
    run_links: int = 0  # characters of that text inside links
    depth: int = 0
    # Inside a furniture section ("Related posts", "Contact us"): the walk depth of
    # its heading's parent, the heading's level and its text. The section ends with
    # that parent, at the next heading of the same or a higher level, or at prose
    # after its links (below).
    skip: tuple[int, int, str] | None = None
    section_links: bool = False  # the section has shown a block of links

    def walk(self, node: LexborNode, context: Context) -> None:
        if self.depth > MAX_DEPTH:  # hostile nesting: keep the text, flat
            self.run.append(node.text(deep=True))
            self.flush(context)
            return
        self.depth += 1
        for child in node.iter(include_text=True):
            self.visit(child, context)
        self.flush(context)
        if self.skip is not None and self.skip[0] == self.depth:
            self.skip = None
        self.depth -= 1

    def visit(self, node: LexborNode, context: Context) -> None:
        tag = node.tag or "-"
        if tag == "-text":
            self.run.append(node.text_content or "")
        elif tag in INLINE_TAGS and node.mem_id != self.container:
            if node.mem_id in self.flags.furniture:
                self.flush(context)  # a flagged inline element outside a sentence
                own = _enter(node, tag, context, self)
                self.inline(node, tag, own)
                self.flush(own)
            else:
                self.inline(node, tag, context)
        elif tag == "br":
            self.flush(context)
        elif tag in _SKIP or tag.startswith("-"):
            return
        else:
            self.flush(context)
            self.block(node, tag, _enter(node, tag, context, self))

    def inline(self, node: LexborNode, tag: str, context: Context) -> None:
        text = node.text(deep=True)
        self.run.append(text)
        self.run_links += len(text) if tag == "a" else _link_chars(node)

    def block(self, node: LexborNode, tag: str, context: Context) -> None:
        if node.mem_id in self.holders:
            self.walk(node, context)  # a list or quote around the article: not one block
        elif tag in _HEADINGS:
            self.heading(node, _HEADINGS[tag], context)
        elif tag == "p":
            self.paragraph(node, context)
        elif tag in ("ul", "ol"):
            block = _list_block(node)
            if block.items:
                self.add(block, "list", _link_chars(node), context)
        elif tag == "blockquote":
            self.leaf(Quote(normalize_text(node.text(deep=True))), "quote", node, context)
        elif tag == "pre":
            self.leaf(Code(normalize_multiline(node.text(deep=True))), "code", node, context)
        elif tag == "table":
            self.table(node, context)
        elif tag == "figure":
            self.figure(node, context)
        else:
            # Unknown and container tags: walk through them.
            self.walk(node, context)

    def add(
        self,
        block: Paragraph | Heading | Quote | Code | ListBlock | TableRef,
        kind: str,
        links: int,
        context: Context,
        table: Table | None = None,
        title: bool = False,
    ) -> None:
        text = render_text([block], [table] if table is not None else [])
        is_label = furniture_text = False
        if isinstance(block, Paragraph | Quote | Code | Heading):
            is_label = boilerplate.is_boilerplate_heading(text)
        if isinstance(block, Paragraph | Quote | Code):
            furniture_text = boilerplate.is_boilerplate_text(text)
        if self.skip is not None and self._resumes(kind, text, links):
            self.skip = None
        section = self.skip[2] if self.skip is not None else None
        if section is not None and links >= _LINKED_SHARE * len(text):
            self.section_links = True
        self.found.append(
            Candidate(
                block, table, text, kind, links, context, section, furniture_text, is_label, title
            )
        )
        if is_label and not isinstance(block, Heading):
            # A block that is only a widget's label starts a furniture section, as a
            # furniture heading does (any heading ends it).
            self.skip, self.section_links = (self.depth, _ANY_HEADING, text), False

    def _resumes(self, kind: str, text: str, links: int) -> bool:
        """A "Related" label, its teaser links, then a paragraph of prose: the
        article resumes (a mid-article "More on this:" box). A section of prose
        from its start ("About the author", "Contact us") goes on."""
        return (
            self.section_links
            and kind in ("p", "text")
            and links < _RESUME_LINK_SHARE * len(text)
            and len(text.split()) >= _RESUME_WORDS
            and text.endswith(_SENTENCE_ENDS)
        )

    def flush(self, context: Context) -> None:
        if not self.run:
            return
        raw = "".join(self.run)
        links, self.run_links = self.run_links, 0
        self.run.clear()
        text = normalize_text(raw)
        if text:
            self.add(Paragraph(text), "text", min(links, len(text)), context)

    def heading(self, node: LexborNode, level: int, context: Context) -> None:
        text = normalize_text(node.text(deep=True))
        if not text:
            return
        if self.title and _same(text, self.title):
            self.add(Heading(level, text), f"h{level}", _link_chars(node), context, title=True)
            return
        if self.skip is not None and level <= self.skip[1]:
            self.skip = None
        self.add(Heading(level, text), f"h{level}", _link_chars(node), context)
        if self.found[-1].label:
            self.skip, self.section_links = (self.depth, level, text), False

    def paragraph(self, node: LexborNode, context: Context) -> None:
        own = node.mem_id
        if any(n.tag in _NESTED_BLOCKS for n in node.traverse() if n.mem_id != own):
            self.walk(node, context)  # a <p> the parser kept open around blocks
            return
        self.leaf(Paragraph(normalize_text(node.text(deep=True))), "p", node, context)

    def leaf(
        self, block: Paragraph | Quote | Code, kind: str, node: LexborNode, context: Context
    ) -> None:
        if block.text:
            self.add(block, kind, _link_chars(node), context)

    def table(self, node: LexborNode, context: Context) -> None:
        kind = tables.classify(node)
        if kind is tables.TableKind.LAYOUT:
            self.walk(node, context)
        elif kind is tables.TableKind.DATA:
            for table in tables.parse(node):
                # The index is the table's place among the kept ones, set on selection.
                self.add(TableRef(0), "table", _link_chars(node), context, _normalized(table))

    def figure(self, node: LexborNode, context: Context) -> None:
        for table in node.css("table"):
            if table.parent is not None and not _has_ancestor(table.parent, "table", node):
                self.table(table, context)
        for quote in node.css("blockquote"):
            self.leaf(Quote(normalize_text(quote.text(deep=True))), "quote", quote, context)


def _ancestry(node: LexborNode) -> frozenset[int]:
    found = []
    current: LexborNode | None = node
    while current is not None:
        found.append(current.mem_id)
        current = current.parent
    return frozenset(found)


def _enter(node: LexborNode, tag: str, parent: Context, walker: _Walker) -> Context:
    """The context of an element, from its parent's and its own attributes."""
    mem_id = node.mem_id
    names = walker.flags.names.get(mem_id)
    own = words_of(names) if names else ()
    furniture = walker.flags.furniture.get(mem_id) or parent.furniture
    spared = walker.flags.spared.get(mem_id) or parent.spared
    around = parent.around
    if parent.own:
        around = (parent.own + around)[: _MAX_NAMED_ANCESTORS * 4]
    label = tag
    if own:
        label = f"{tag}.{own[0]}"
    return Context(
        depth=parent.depth + 1,
        tags=parent.tags | _TAG_BIT.get(tag, 0),
        furniture=furniture,
        spared=spared,
        in_container=parent.in_container or mem_id == walker.container,
        own=own,
        around=around,
        hidden=parent.hidden or furniture == "hidden",
        label=label,
        parent=parent,
        chain=(mem_id, *parent.chain[:_MAX_CHAIN]),
    )


@lru_cache(maxsize=8192)
def words_of(names: str) -> tuple[str, ...]:
    """The words of a class/id string ("postContent entry-body_2" -> post, content,
    entry, body), lowercased, without numbers and hashes, at most eight."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", names).lower()
    found = [w for w in _WORDS.findall(spaced) if 2 <= len(w) <= _MAX_TOKEN]
    return tuple(dict.fromkeys(found))[:8]


def _list_block(node: LexborNode, depth: int = 0) -> ListBlock:
    items: list[ListItem] = []
    for li in node.iter():
        if li.tag != "li":
            continue
        text_parts: list[str] = []
        children: list[ListBlock] = []
        for part in li.iter(include_text=True):
            if part.tag in ("ul", "ol") and depth < MAX_LIST_DEPTH:
                children.append(_list_block(part, depth + 1))
            elif part.tag == "-text":
                text_parts.append(part.text_content or "")
            elif part.tag not in _SKIP:
                text_parts.append(
                    part.text(deep=True, separator=" " if part.tag not in INLINE_TAGS else "")
                )
        text = normalize_text(" ".join(text_parts))
        if text or children:
            items.append(ListItem(text, tuple(c for c in children if c.items)))
    return ListBlock(node.tag == "ol", tuple(items), _start(node))


def _start(node: LexborNode) -> int:
    """The number of an ordered list's first item: `<ol start="6">` goes on from 6."""
    value = (node.attributes.get("start") or "").strip() if node.tag == "ol" else ""
    return int(value) if value.lstrip("-").isdigit() and len(value) <= 9 else 1


def _link_chars(node: LexborNode) -> int:
    return sum(len(a.text(deep=True).strip()) for a in _links(node))


def _links(node: LexborNode) -> Iterator[LexborNode]:
    if node.tag == "a":
        yield node
        return
    yield from node.css("a")


def _normalized(table: Table) -> Table:
    return Table(
        normalize_text(table.caption) or None if table.caption else None,
        tuple(normalize_text(c) for c in table.header),
        tuple(tuple(normalize_text(c) for c in row) for row in table.rows),
    )


def _has_ancestor(node: LexborNode, tag: str, stop: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None and current.mem_id != stop.mem_id:
        if current.tag == tag:
            return True
        current = current.parent
    return False


def _same(a: str, b: str) -> bool:
    return a.casefold().strip() == b.casefold().strip()
