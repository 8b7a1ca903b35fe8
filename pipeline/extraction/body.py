"""Body stage: turn the article container into typed blocks and tables.

Walks the container once in document order. Headings, paragraphs, lists (with
nesting), quotes, code and data tables become blocks; layout tables are walked
through like divs; widget tables (calendars) and media are skipped. Each block
then passes the text filter (`boilerplate.py`) for furniture that carries no
telling class name: disclaimers, "Read more" teasers, share prompts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from pipeline.extraction import boilerplate, tables
from pipeline.extraction.container import MAX_DEPTH
from pipeline.extraction.render import list_text
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
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small strong sub sup"
    " time u var wbr del ins label span font".split()
)
# Lists whose text is mostly links are menus or tables of contents.
_LIST_LINK_SHARE = 0.6
_PARAGRAPH_LINK_SHARE = 0.8
# Blocks this long are never repeated word for word by an author (tables can be).
_REPEAT_CHARS = 60
_ANY_HEADING = 7  # a skip level that every heading (h1-h6) ends
# Lists nested deeper are kept as text of their item: no author nests this far,
# and the record, its rendering and its JSON all recurse over the nesting.
MAX_LIST_DEPTH = 12


@dataclass(slots=True)
class Body:
    """What the builder produced: blocks in order, tables they point into."""

    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def build(container: LexborNode, title: str | None) -> Body:
    """Blocks and tables of the article held by `container`."""
    body = Body()
    _Walker(body, title).walk(container)
    return body


@dataclass(slots=True)
class _Walker:
    body: Body
    title: str | None
    run: list[str] = field(default_factory=list)  # loose inline text awaiting a block
    run_links: int = 0  # characters of that text inside links
    depth: int = 0
    seen: set[str] = field(default_factory=set)  # long block texts already emitted
    # Inside a furniture section ("Related posts", "Contact us"): the walk depth of
    # its heading's parent and the heading's level. The section ends with that
    # parent, or at the next heading of the same or a higher level.
    skip: tuple[int, int] | None = None

    def walk(self, node: LexborNode) -> None:
        if self.depth > MAX_DEPTH:  # hostile nesting: keep the text, flat
            self.run.append(node.text(deep=True))
            self.flush()
            return
        self.depth += 1
        for child in node.iter(include_text=True):
            self.visit(child)
        self.flush()
        if self.skip is not None and self.skip[0] == self.depth:
            self.skip = None
        self.depth -= 1

    def visit(self, node: LexborNode) -> None:
        tag = node.tag or "-"
        if tag == "-text":
            self.run.append(node.text_content or "")
        elif tag in _INLINE:
            text = node.text(deep=True)
            self.run.append(text)
            self.run_links += len(text) if tag == "a" else _link_chars(node)
        elif tag == "br":
            self.flush()
        elif tag in _SKIP or tag.startswith("-"):
            return
        else:
            self.flush()
            self.block(node, tag)

    def block(self, node: LexborNode, tag: str) -> None:
        if tag in _HEADINGS:
            self.heading(node, _HEADINGS[tag])
        elif tag == "p":
            self.paragraph(node)
        elif tag in ("ul", "ol"):
            self.listing(node)
        elif tag == "blockquote":
            self.add(Quote(normalize_text(node.text(deep=True))), node)
        elif tag == "pre":
            self.add(Code(normalize_multiline(node.text(deep=True))), node)
        elif tag == "table":
            self.table(node)
        elif tag == "figure":
            self.figure(node)
        else:
            # Unknown and container tags: walk through them.
            self.walk(node)

    def emit(self, block: Paragraph | Heading | Quote | Code | ListBlock) -> None:
        """Add a block, unless the page already showed it: some themes print the
        whole article twice (desktop and mobile templates, one hidden by CSS)."""
        if self.skip is not None:
            return
        key = block.text if not isinstance(block, ListBlock) else list_text(block)
        if len(key) >= _REPEAT_CHARS:
            if key in self.seen:
                return
            self.seen.add(key)
        self.body.blocks.append(block)

    def flush(self) -> None:
        if self.run:
            raw = "".join(self.run)
            links, self.run_links = self.run_links, 0
            self.run.clear()
            text = normalize_text(raw)
            if not text or links > _PARAGRAPH_LINK_SHARE * len(raw.strip()):
                return
            if not self.section_label(text) and not boilerplate.is_boilerplate_text(text):
                self.emit(Paragraph(text))

    def section_label(self, text: str) -> bool:
        """A block that is only a widget's label ("Related", "Popular posts") starts
        a furniture section, as a furniture heading does (any heading ends it)."""
        if boilerplate.is_boilerplate_heading(text):
            self.skip = (self.depth, _ANY_HEADING)
            return True
        return False

    def heading(self, node: LexborNode, level: int) -> None:
        text = normalize_text(node.text(deep=True))
        if not text or (self.title and _same(text, self.title)):
            return
        if boilerplate.is_boilerplate_heading(text):
            self.skip = (self.depth, level)
            return
        if self.skip is not None and level <= self.skip[1]:
            self.skip = None
        self.emit(Heading(level, text))

    def paragraph(self, node: LexborNode) -> None:
        if node.css_first("p, div, ul, ol, table, blockquote, pre, h2, h3, h4"):
            self.walk(node)  # a <p> the parser kept open around blocks
            return
        self.add(Paragraph(normalize_text(node.text(deep=True))), node)

    def add(self, block: Paragraph | Quote | Code, node: LexborNode) -> None:
        text = block.text
        if not text or self.section_label(text) or boilerplate.is_boilerplate_text(text):
            return
        if _link_share(node, len(text)) > _PARAGRAPH_LINK_SHARE:
            return
        self.emit(block)

    def listing(self, node: LexborNode) -> None:
        block = _list_block(node)
        if block.items and not _is_link_list(node):
            self.emit(block)

    def table(self, node: LexborNode) -> None:
        if self.skip is not None:
            return
        kind = tables.classify(node)
        if kind is tables.TableKind.LAYOUT:
            self.walk(node)
        elif kind is tables.TableKind.DATA:
            for table in tables.parse(node):
                self.body.blocks.append(TableRef(len(self.body.tables)))
                self.body.tables.append(_normalized(table))

    def figure(self, node: LexborNode) -> None:
        for table in node.css("table"):
            if table.parent is not None and not _has_ancestor(table.parent, "table", node):
                self.table(table)
        for quote in node.css("blockquote"):
            self.add(Quote(normalize_text(quote.text(deep=True))), quote)


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
                    part.text(deep=True, separator=" " if part.tag not in _INLINE else "")
                )
        text = normalize_text(" ".join(text_parts))
        if text or children:
            items.append(ListItem(text, tuple(c for c in children if c.items)))
    return ListBlock(node.tag == "ol", tuple(items), _start(node))


def _start(node: LexborNode) -> int:
    """The number of an ordered list's first item: `<ol start="6">` goes on from 6."""
    value = (node.attributes.get("start") or "").strip() if node.tag == "ol" else ""
    return int(value) if value.lstrip("-").isdigit() and len(value) <= 9 else 1


def _is_link_list(node: LexborNode) -> bool:
    total = len(node.text(deep=True).strip())
    return total == 0 or _link_share(node, total) > _LIST_LINK_SHARE


def _link_share(node: LexborNode, total: int) -> float:
    return _link_chars(node) / total if total else 0.0


def _link_chars(node: LexborNode) -> int:
    return sum(len(a.text(deep=True).strip()) for a in node.css("a"))


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
