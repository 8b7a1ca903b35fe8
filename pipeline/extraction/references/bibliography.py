"""References, the bibliography: where it is on the page, and each entry's text.

`locate` looks for explicit markup first (Atypon/T&F `ul.references`, DPUB-ARIA,
JATS/PMC `.ref-list`, Wikipedia `ol.references`, items with ids like `CIT0001`),
then for a "References"-like heading followed by a list or a run of paragraphs.
Every candidate must look like a bibliography entry by entry (entry.looks_like),
so an article's bullet list or a "Related posts" list never qualifies.
`entry_text` reads one entry from the DOM without the service links
(Google Scholar, CrossRef, ...) that publishers add; `parse_entries` parses each
(entry.py) into a `Reference`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborNode

from pipeline.extraction.references.entry import (
    SERVICE_LABEL,
    collapse,
    looks_like,
    parse_reference,
)
from pipeline.extraction.thresholds import (
    MIN_REFERENCES,
    REFERENCES_EXPLICIT_SHARE,
    REFERENCES_HEADED_SHARE,
)
from pipeline.record import Reference


@dataclass(frozen=True, slots=True)
class Bibliography:
    """A located bibliography: the element holding the entries, the entries, the heading."""

    container: LexborNode
    entries: tuple[LexborNode, ...]
    heading: LexborNode | None = None


# --- locating -----------------------------------------------------------------------

# Markup that names a bibliography outright: Atypon/T&F, DPUB-ARIA, JATS/PMC, Wikipedia.
_EXPLICIT = (
    "ul.references, ol.references, [role=doc-bibliography], .ref-list, #references,"
    " section#bibliography, #bibliography, .citation-list, .reflist"
)
# Ids publishers give to single entries: T&F CIT0001, ref-1, Elsevier bib1, PMC B1,
# Springer CR1, Wikipedia cite_note-Foo-3.
_ENTRY_ID = re.compile(r"(?:CIT\d+|ref-?\d+|bib-?\d+|B\d+|CR\d+|cite_note-.+)", re.I)
_HEADING_CANDIDATES = "h2, h3, h4, h5, h6, [role=heading], strong, b, p, dt"
_HEADING = re.compile(
    r"(?:\d+(?:\.\d+)*\.?\s+)?"  # a section number, "7." or "7.1"
    r"(?:references?|notes|bibliography|works cited|sources|literature(?: cited)?"
    r"|notes and references|references and notes|endnotes|reference list|literatur"
    r"|références|bibliographie|список литературы|литература)"
    r"\s*:?\s*\d*\.?",
    re.I,
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LIST_TAGS = frozenset({"ol", "ul"})
_WRAPPER_TAGS = frozenset({"div", "section"})
_RUN_TAGS = frozenset({"p", "div"})
# Tags a heading may be wrapped in without losing its role ("<p><b>Notes</b></p>").
_INLINE_HEADINGS = frozenset({"strong", "b"})


def locate(root: LexborNode) -> Bibliography | None:
    """Find the bibliography under `root`, or None when the page has none."""
    return _explicit(root) or _by_entry_ids(root) or _by_heading(root)


def _explicit(root: LexborNode) -> Bibliography | None:
    found: list[Bibliography] = []
    for node in root.css(_EXPLICIT):
        if node.tag in _HEADING_TAGS:  # `<h2 id="references">`: read what follows it
            bib = _after_heading(node, node)
        else:
            holder, entries = _entries_in(node)
            bib = _qualify(holder, entries, 1, REFERENCES_EXPLICIT_SHARE, None)
        if bib is not None:
            found.append(bib)
    # Wikipedia may hold a notes group and a references group: keep the larger one.
    return max(found, key=lambda b: len(b.entries), default=None)


def _entries_in(node: LexborNode) -> tuple[LexborNode, list[LexborNode]]:
    """The element holding an explicitly marked bibliography's entries, and the entries."""
    lst = node if node.tag in _LIST_TAGS else node.css_first("ol, ul")
    if lst is not None:
        return lst, [li for li in lst.iter() if li.tag == "li"]
    return node, [c for c in node.iter() if c.tag not in _HEADING_TAGS and collapse(c.text())]


def _by_entry_ids(root: LexborNode) -> Bibliography | None:
    groups: dict[int, tuple[LexborNode, list[LexborNode]]] = {}
    for li in root.css("li[id]"):
        parent = li.parent
        if parent is not None and _ENTRY_ID.fullmatch(li.id or ""):
            groups.setdefault(parent.mem_id, (parent, []))[1].append(li)
    best = max(groups.values(), key=lambda g: len(g[1]), default=None)
    if best is None:
        return None
    return _qualify(best[0], best[1], MIN_REFERENCES, REFERENCES_EXPLICIT_SHARE, None)


def _by_heading(root: LexborNode) -> Bibliography | None:
    for node in root.css(_HEADING_CANDIDATES):
        # A <p>'s own text only: a long paragraph is never a heading, and this is cheap.
        text = node.text(deep=node.tag != "p")
        if len(text) > 60 or not _HEADING.fullmatch(collapse(text)):
            continue
        block = _heading_block(node)
        if block is not None:
            bib = _after_heading(block, node)
            if bib is not None:
                return bib
    return None


def _heading_block(node: LexborNode) -> LexborNode | None:
    """Climb from a heading to the outermost element holding just its text."""
    text = collapse(node.text())
    block, climbed = node, False
    for _ in range(3):
        parent = block.parent
        if parent is None or parent.tag in ("body", "html") or collapse(parent.text()) != text:
            break
        block, climbed = parent, True
    # A bold "Notes" inside running text is emphasis, not a heading.
    return None if node.tag in _INLINE_HEADINGS and not climbed else block


def _after_heading(block: LexborNode, heading: LexborNode) -> Bibliography | None:
    """The list, or run of reference-like paragraphs, right after a heading."""
    nxt = _next_element(block)
    if nxt is None and block.parent is not None:  # heading wrapped alone: look past wrapper
        nxt = _next_element(block.parent)
    if nxt is not None and nxt.tag in _WRAPPER_TAGS:  # "<div class=refs><ol>" or "<div><p>"
        inner = nxt.css_first("ol, ul")
        if inner is None:
            return _paragraph_run(_first_child(nxt), heading)
        nxt = inner
    if nxt is None:
        return None
    if nxt.tag in _LIST_TAGS:
        items = [li for li in nxt.iter() if li.tag == "li"]
        return _qualify(nxt, items, MIN_REFERENCES, REFERENCES_HEADED_SHARE, heading)
    return _paragraph_run(nxt, heading)


def _paragraph_run(start: LexborNode | None, heading: LexborNode) -> Bibliography | None:
    """Consecutive sibling paragraphs that each look like a reference (at least three)."""
    entries: list[LexborNode] = []
    node = start
    while node is not None and node.tag in _RUN_TAGS:
        if collapse(node.text()):
            if not _nodelooks_like(node):
                break
            entries.append(node)
        node = _next_element(node)
    if len(entries) < MIN_REFERENCES or entries[0].parent is None:
        return None
    return Bibliography(entries[0].parent, tuple(entries), heading)


def _qualify(
    container: LexborNode,
    items: Sequence[LexborNode],
    min_entries: int,
    min_share: float,
    heading: LexborNode | None,
) -> Bibliography | None:
    if len(items) < min_entries:
        return None
    hits = sum(1 for item in items if _nodelooks_like(item))
    if hits < min_share * len(items):
        return None
    return Bibliography(container, tuple(items), heading)


def _next_element(node: LexborNode) -> LexborNode | None:
    nxt = node.next
    while nxt is not None and (nxt.tag or "").startswith("-"):  # text, comment nodes
        nxt = nxt.next
    return nxt


def _first_child(node: LexborNode) -> LexborNode | None:
    return next(iter(node.iter()), None)


def _nodelooks_like(node: LexborNode) -> bool:
    italic = node.css_first("i, em, cite") is not None
    return looks_like(collapse(node.text()), italic)


# --- entry text from the DOM ---------------------------------------------------------

# Link blocks that citation-index services add after each entry, and Wikipedia backlinks.
_JUNK_CLASSES = frozenset(
    {
        "xlinks-container",
        "xlinks",
        "google-scholar",
        "googlescholar",
        "ref-links",
        "citation-links",
        "mw-cite-backlink",
        "cite-backlink",
        "ref-backlink",
        "backlink",
        "cited-by",
        "crossref",
        "pubmed",
    }
)
_JUNK_TAGS = frozenset({"script", "style", "noscript", "button", "template"})
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "ul", "ol", "section", "dd", "dt"})
_LABEL_ONLY = re.compile(rf"\[?\s*(?:{SERVICE_LABEL})\s*\]?")


def entry_text(node: LexborNode) -> tuple[str, tuple[str, ...]]:
    """One entry's visible text (service links left out) and every href in it."""
    hrefs = tuple(
        href for a in node.css("a[href]") if (href := (a.attributes.get("href") or "").strip())
    )
    parts: list[str] = []
    _collect_text(node, parts)
    return collapse("".join(parts)), hrefs


def _collect_text(node: LexborNode, out: list[str]) -> None:
    # Walk rather than clone-and-decompose: the caller's tree is left untouched.
    # An explicit stack, not recursion: an entry may nest as deep as the page likes.
    # It holds the nodes still to visit, last first, and the spaces that close blocks.
    stack: list[LexborNode | str] = list(reversed(list(node.iter(include_text=True))))
    while stack:
        child = stack.pop()
        if isinstance(child, str):
            out.append(child)
        elif child.is_text_node:
            out.append(child.text_content or "")
        elif child.is_element_node and not _is_junk(child):
            space = " " if child.tag in _BLOCK_TAGS else ""
            out.append(space)
            stack.append(space)
            stack.extend(reversed(list(child.iter(include_text=True))))


def _is_junk(node: LexborNode) -> bool:
    if node.tag in _JUNK_TAGS:
        return True
    classes = (node.attributes.get("class") or "").lower().split()
    if _JUNK_CLASSES.intersection(classes):
        return True
    return node.tag == "a" and _LABEL_ONLY.fullmatch(collapse(node.text())) is not None


def parse_entries(bib: Bibliography) -> tuple[Reference, ...]:
    """One `Reference` per non-empty entry of a located bibliography."""
    refs: list[Reference] = []
    for node in bib.entries:
        text, hrefs = entry_text(node)
        if text:
            refs.append(_italic_title(parse_reference(text, hrefs), node))
    return tuple(refs)


def _italic_title(ref: Reference, node: LexborNode) -> Reference:
    """Markup knows where a book title ends: "<i>Title</i>, Series, Publisher"."""
    italic = node.css_first("i, em, cite")
    if italic is None or ref.title is None:
        return ref
    title = collapse(italic.text()).rstrip(" .,")
    if title and ref.title != title and ref.title.startswith(title):
        return replace(ref, title=title)
    return ref
