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
from bisect import bisect_left
from functools import lru_cache

from selectolax.lexbor import LexborNode

from pipeline.extraction import tables
from pipeline.extraction.body import boilerplate
from pipeline.extraction.body.clean import INLINE_TAGS, Flags
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.render import render_text
from pipeline.extraction.thresholds import (
    FURNITURE_TEASER_LINK_SHARE,
    MAX_CHAIN,
    MAX_LIST_DEPTH,
    MAX_NAME_TOKEN,
    MAX_NAMED_ANCESTORS,
    MAX_TREE_DEPTH,
    RESUME_LINK_SHARE,
    RESUME_WORDS,
)
from pipeline.normalize import normalize_multiline, normalize_text, word_count
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
from pipeline.wordcount import word_counts

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIP = frozenset(
    "script style noscript template img picture video audio source track figcaption"
    " iframe svg canvas map area object embed hr".split()
)
_NESTED_BLOCKS = frozenset("p div ul ol table blockquote pre h2 h3 h4".split())
# Elements that make a block of their own wherever they are (see _wraps_blocks).
_BLOCK_TAGS = (
    "p div section article main aside header footer nav ul ol dl table blockquote pre"
    " h1 h2 h3 h4 h5 h6 figure form details address"
).split()
_ANY_HEADING = 7  # a section level that every heading (h1-h6) ends
_SENTENCE_ENDS = (".", "!", "?", "”", '"', "。", "»")
# Ancestor tags that tell where a block sits; one bit each.
CONTEXT_TAGS = (
    "article main section aside nav header footer form li td figure blockquote dl details"
).split()
_TAG_BIT = {tag: 1 << i for i, tag in enumerate(CONTEXT_TAGS)}


def context_bits(*tags: str) -> int:
    """The Context.tags bits of these ancestor tags."""
    return sum(_TAG_BIT[tag] for tag in tags)


_WORDS = re.compile(r"[a-z]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# ASCII characters that are not _WORDS's letters, as spaces.
_NOT_LETTER = str.maketrans(
    dict.fromkeys((chr(c) for c in range(128) if not chr(c).islower()), " ")
)


class Context:
    """What the walk knows of an element and its ancestors (shared by its blocks).
    A plain slots class: one is made for every element the walk enters."""

    __slots__ = (
        "around",
        "chain",
        "concealed",
        "depth",
        "flagged_self",
        "furniture",
        "hidden",
        "hides",
        "in_container",
        "label",
        "own",
        "parent",
        "spared",
        "tags",
    )

    def __init__(
        self,
        depth: int = 0,
        tags: int = 0,
        furniture: str | None = None,
        spared: str | None = None,
        in_container: bool = False,
        own: tuple[str, ...] = (),
        around: tuple[str, ...] = (),
        hidden: bool = False,
        label: str = "body",
        parent: Context | None = None,
        chain: tuple[int, ...] = (),
        concealed: bool = False,
        flagged_self: bool = False,
        hides: bool = False,
    ) -> None:
        self.depth = depth
        self.tags = tags  # CONTEXT_TAGS bits of the ancestors
        self.furniture = furniture  # the flag word of the nearest flagged ancestor (or self)
        self.spared = spared  # a flag word the evidence overruled, nearest first
        self.in_container = in_container
        self.own = own  # class/id words of the element itself
        self.around = around  # of its nearest named ancestors
        self.hidden = hidden
        self.label = label  # the element as people read it ("div.entry")
        self.parent = parent
        # Index positions of the element and its ancestors, innermost first.
        self.chain = chain
        # Hidden by its or an ancestor's markup, even where the evidence spared it
        # (`hidden` is only for the hidden the clean stage left flagged).
        self.concealed = concealed
        self.flagged_self = flagged_self  # the element itself is flagged, not an ancestor
        self.hides = hides  # the element's own markup hides it (a region of `concealed`)

    @property
    def path(self) -> str:
        """A CSS-like path for people: "body > main > article.post > div.entry"."""
        labels = []
        context: Context | None = self
        while context is not None:
            labels.append(context.label)
            context = context.parent
        return " > ".join(reversed(labels))


class Candidate:
    """One block of the page and the walk's evidence about it (a plain slots class:
    the walk makes one for every block)."""

    __slots__ = (
        "_said",
        "_words",
        "block",
        "context",
        "kind",
        "label",
        "link_chars",
        "section",
        "table",
        "text",
        "text_furniture",
        "title",
    )

    def __init__(
        self,
        block: Block,
        table: Table | None,
        text: str,
        kind: str,
        link_chars: int,
        context: Context,
        section: str | None,
        text_furniture: bool,
        label: bool,
        title: bool,
    ) -> None:
        self.block = block
        self.table = table
        self.text = text
        self.kind = kind  # h1..h6, p, text (loose inline text), list, quote, code, table
        self.link_chars = link_chars
        self.context = context
        # The furniture heading ("Related posts") whose section holds it.
        self.section = section
        # The block's text is furniture ("ADVERTISEMENT", "Read more: ...").
        self.text_furniture = text_furniture
        self.label = label  # the block is a widget's label ("Related", "Popular posts")
        self.title = title  # the block repeats the page's headline
        self._said: Said | None = None
        self._words = -1

    @property
    def words(self) -> int:
        """The block's words (`normalize.word_count`; `segment` counts every
        candidate's in one pass)."""
        if self._words < 0:
            self._words = word_count(self.text)
        return self._words

    @property
    def said(self) -> Said:
        """What the block's text says of itself (a credit, a pointer, a prompt),
        read once for the features and the rules after scoring."""
        found = self._said
        if found is None:
            found = self._said = Said(self.text)
        return found


class Said:
    """Whether a block's text is a picture's credit, a "read also" pointer or a
    prompt to the reader (see `boilerplate`)."""

    __slots__ = ("credit", "pointer", "prompt")

    def __init__(self, text: str) -> None:
        self.credit = boilerplate.is_credit(text)
        self.pointer = boilerplate.is_pointer(text)
        self.prompt = boilerplate.is_prompt(text)


def segment(
    index: PageIndex, root: int, flags: Flags, container: int, title: str | None
) -> list[Candidate]:
    """Every candidate block of the page under `root`, in document order."""
    walker = _Walker(index, flags, container, title, _ancestry(index, container))
    walker.walk(root, Context(in_container=root == container))
    found = walker.found
    for candidate, count in zip(found, word_counts([c.text for c in found]), strict=True):
        candidate._words = count
    return found


class _Walker:
    __slots__ = (
        "_blocks",
        "_links",
        "container",
        "depth",
        "flags",
        "found",
        "holders",
        "index",
        "run",
        "run_links",
        "section_links",
        "skip",
        "title",
    )

    def __init__(
        self,
        index: PageIndex,
        flags: Flags,
        container: int,
        title: str | None,
        holders: frozenset[int],
    ) -> None:
        self.index = index
        self.flags = flags
        self.container = container
        self.title = title
        self.holders = holders  # the container and its ancestors: always walked through
        self.found: list[Candidate] = []
        self.run: list[str] = []  # loose inline text awaiting a block
        self.run_links = 0  # characters of that text inside links
        self.depth = 0
        # Inside a furniture section ("Related posts", "Contact us"): the walk depth of
        # its heading's parent, the heading's level and its text. The section ends with
        # that parent, at the next heading of the same or a higher level, or at prose
        # after its links (below).
        self.skip: tuple[int, int, str] | None = None
        self.section_links = False  # the section has shown a block of links
        self._links = index.tag_positions("a")
        self._blocks = index.tag_positions(*_BLOCK_TAGS)

    def walk(self, i: int, context: Context) -> None:
        if self.depth > MAX_TREE_DEPTH:  # hostile nesting: keep the text, flat
            self.run.append(self.index.lines(i))
            self.flush(context)
            return
        self.depth += 1
        index = self.index
        end, alive = index.end, index.alive_flags
        child, stop = i + 1, end[i]
        while child < stop:
            if alive[child]:
                self.visit(child, context)
            child = end[child]
        self.flush(context)
        if self.skip is not None and self.skip[0] == self.depth:
            self.skip = None
        self.depth -= 1

    def visit(self, i: int, context: Context) -> None:
        index = self.index
        tag = index.tags[i] or "-"
        if tag == "-text":
            self.run.append(index.texts[i] or "")
        elif tag in INLINE_TAGS and i != self.container and not self._wraps_blocks(i, tag):
            if i in self.flags.furniture:
                self.flush(context)  # a flagged inline element outside a sentence
                own = _enter(i, tag, context, self)
                self.inline(i, tag, own)
                self.flush(own)
            else:
                self.inline(i, tag, context)
        elif tag == "br":
            self.flush(context)
        elif tag in _SKIP or tag.startswith("-"):
            return
        else:
            self.flush(context)
            self.block(i, tag, _enter(i, tag, context, self))

    def _wraps_blocks(self, i: int, tag: str) -> bool:
        """An inline element (not a link) around paragraphs, headings or lists (an
        article in `<span role="main">`): a container, walked like a <div>. A link
        around a card's blocks stays one run of link text."""
        if tag == "a":
            return False
        blocks = self._blocks
        k = bisect_left(blocks, i + 1)
        return k < len(blocks) and blocks[k] < self.index.end[i]

    def inline(self, i: int, tag: str, context: Context) -> None:
        text = self.index.lines(i)
        self.run.append(text)
        self.run_links += len(text) if tag == "a" else self.link_chars(i)

    def link_chars(self, i: int) -> int:
        """Characters of link text (each link's, stripped) in the element."""
        index = self.index
        if index.tags[i] == "a":
            return index.stripped_chars(i)
        links = self._links
        end = index.end[i]
        k = bisect_left(links, i)
        total = 0
        while k < len(links) and links[k] < end:
            total += index.stripped_chars(links[k])
            k += 1
        return total

    def block(self, i: int, tag: str, context: Context) -> None:
        if i in self.holders:
            self.walk(i, context)  # a list or quote around the article: not one block
        elif tag in _HEADINGS:
            self.heading(i, _HEADINGS[tag], context)
        elif tag == "p":
            self.paragraph(i, context)
        elif tag in ("ul", "ol"):
            block = _list_block(self.index, i)
            if block.items:
                self.add(block, "list", self.link_chars(i), context)
        elif tag == "blockquote":
            self.leaf(Quote(normalize_text(self.index.lines(i))), "quote", i, context)
        elif tag == "pre":
            text = self.index.lines(i, line_break="\n")
            self.leaf(Code(normalize_multiline(text)), "code", i, context)
        elif tag == "table":
            self.table(i, context)
        elif tag == "figure":
            self.figure(i, context)
        else:
            # Unknown and container tags: walk through them.
            self.walk(i, context)

    def add(
        self,
        block: Paragraph | Heading | Quote | Code | ListBlock | TableRef,
        kind: str,
        links: int,
        context: Context,
        table: Table | None = None,
        title: bool = False,
    ) -> None:
        if isinstance(block, Paragraph | Heading | Quote | Code):
            text = block.text
        else:
            text = render_text([block], [table] if table is not None else [])
        is_label = furniture_text = False
        if isinstance(block, Paragraph | Quote | Code | Heading):
            is_label = boilerplate.is_boilerplate_heading(text)
        if isinstance(block, Paragraph | Quote | Code):
            furniture_text = boilerplate.is_boilerplate_text(text)
        if isinstance(block, Paragraph | ListBlock) and not furniture_text:
            furniture_text = boilerplate.is_dateline(text)
        if self.skip is not None and self._resumes(kind, text, links):
            self.skip = None
        section = self.skip[2] if self.skip is not None else None
        if section is not None and links >= FURNITURE_TEASER_LINK_SHARE * len(text):
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
            and links < RESUME_LINK_SHARE * len(text)
            and len(text.split()) >= RESUME_WORDS
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

    def heading(self, i: int, level: int, context: Context) -> None:
        text = normalize_text(self.index.lines(i))
        if not text:
            return
        if self.title and _same(text, self.title):
            self.add(Heading(level, text), f"h{level}", self.link_chars(i), context, title=True)
            return
        if self.skip is not None and level <= self.skip[1]:
            self.skip = None
        self.add(Heading(level, text), f"h{level}", self.link_chars(i), context)
        if self.found[-1].label:
            self.skip, self.section_links = (self.depth, level, text), False

    def paragraph(self, i: int, context: Context) -> None:
        index = self.index
        tags, alive = index.tags, index.alive_flags
        if any(alive[k] and tags[k] in _NESTED_BLOCKS for k in range(i + 1, index.end[i])):
            self.walk(i, context)  # a <p> the parser kept open around blocks
            return
        self.leaf(Paragraph(normalize_text(self.index.lines(i))), "p", i, context)

    def leaf(self, block: Paragraph | Quote | Code, kind: str, i: int, context: Context) -> None:
        if block.text:
            self.add(block, kind, self.link_chars(i), context)

    def table(self, i: int, context: Context) -> None:
        node = self.index.node(i)
        kind = tables.classify(node)
        if kind is tables.TableKind.LAYOUT:
            self.walk(i, context)
        elif kind is tables.TableKind.DATA:
            for table in tables.parse(node):
                # The index is the table's place among the kept ones, set on selection.
                self.add(TableRef(0), "table", self.link_chars(i), context, _normalized(table))

    def figure(self, i: int, context: Context) -> None:
        index = self.index
        node = index.node(i)
        for table in node.css("table"):
            if table.parent is not None and not _has_ancestor(table.parent, "table", node):
                self.table(index.position(table), context)
        for quote in node.css("blockquote"):
            text = normalize_text(index.lines(index.position(quote)))
            self.leaf(Quote(text), "quote", index.position(quote), context)


def _ancestry(index: PageIndex, i: int) -> frozenset[int]:
    found = []
    while i >= 0:
        found.append(i)
        i = index.parent[i]
    return frozenset(found)


def _enter(i: int, tag: str, parent: Context, walker: _Walker) -> Context:
    """The context of an element, from its parent's and its own attributes."""
    flags = walker.flags
    names = flags.names.get(i)
    own = words_of(names) if names else ()
    own_furniture = flags.furniture.get(i)
    own_spared = flags.spared.get(i)
    hides = own_furniture == "hidden" or own_spared == "hidden"
    furniture = own_furniture or parent.furniture
    spared = own_spared or parent.spared
    around = parent.around
    if parent.own:
        around = (parent.own + around)[: MAX_NAMED_ANCESTORS * 4]
    label = tag
    if own:
        label = f"{tag}.{own[0]}"
    return Context(
        parent.depth + 1,
        parent.tags | _TAG_BIT.get(tag, 0),
        furniture,
        spared,
        parent.in_container or i == walker.container,
        own,
        around,
        parent.hidden or furniture == "hidden",
        label,
        parent,
        (i, *parent.chain[:MAX_CHAIN]),
        parent.concealed or hides,
        own_furniture is not None,
        hides,
    )


@lru_cache(maxsize=16384)
def words_of(names: str) -> tuple[str, ...]:
    """The words of a class/id string ("postContent entry-body_2" -> post, content,
    entry, body), lowercased, without numbers and hashes, at most eight."""
    if names.isascii():  # most names: split by a translation table, not a regex
        lowered = names.lower()
        if lowered != names:
            lowered = _CAMEL.sub("-", names).lower()
        runs = lowered.translate(_NOT_LETTER).split()
    else:
        runs = _WORDS.findall(_CAMEL.sub("-", names).lower())
    found = [w for w in runs if 2 <= len(w) <= MAX_NAME_TOKEN]
    return tuple(dict.fromkeys(found))[:8]


def _list_block(index: PageIndex, i: int, depth: int = 0) -> ListBlock:
    tags, texts = index.tags, index.texts
    items: list[ListItem] = []
    for li in index.children(i):
        if tags[li] != "li":
            continue
        text_parts: list[str] = []
        children: list[ListBlock] = []
        for part in index.children(li):
            tag = tags[part]
            if tag in ("ul", "ol") and depth < MAX_LIST_DEPTH:
                children.append(_list_block(index, part, depth + 1))
            elif tag == "-text":
                text_parts.append(texts[part] or "")
            elif tag not in _SKIP:
                text_parts.append(index.lines(part, "" if tag in INLINE_TAGS else " "))
        text = normalize_text(" ".join(text_parts))
        if text or children:
            items.append(ListItem(text, tuple(c for c in children if c.items)))
    return ListBlock(tags[i] == "ol", tuple(items), _start(index, i))


def _start(index: PageIndex, i: int) -> int:
    """The number of an ordered list's first item: `<ol start="6">` goes on from 6."""
    if index.tags[i] != "ol":
        return 1
    value = (index.attributes(i).get("start") or "").strip()
    return int(value) if value.lstrip("-").isdigit() and len(value) <= 9 else 1


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
