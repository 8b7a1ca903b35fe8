"""The page index: one walk over the body, every measure a stage asks for summed once.

Every stage used to measure the tree again: the clean stage the paragraph and
plain text of each flagged element, the page-type stage the words of each link
and card, the segmenter the link text of each block. Those measures add up
over text nodes (a subtree's characters are its text nodes' characters; its
words too, since a separator never joins two words), so one walk in document
order records each node's place and each text node's measures, and prefix
sums answer any subtree in constant time: node i's subtree is the run of
positions [i, end[i]).

    position   document order of every node under (and including) the body:
               elements, text and comment nodes
    tags       "-text", "-comment" or the element's tag
    parent     the parent's position (-1 for the root)
    end        one past the last position of the subtree
    texts      a text node's content (None for other nodes)
    linked     how many `a` elements hold the node (itself included)

A stage that removes an element does it through `remove`, which decomposes the
node and marks its positions dead: the sums then leave its text out, as a new
walk of the changed tree would.

Link and paragraph sums count a text once per `a` (or `p`) around it inside the
subtree, the node itself included: exactly what summing over `node.css("a")`
gives, nested links and quirks-mode nested paragraphs included.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from heapq import merge

import numpy as np
import numpy.typing as npt
from selectolax.lexbor import LexborNode

from pipeline.extraction import native
from pipeline.wordcount import word_counts

TEXT = "-text"
_Attributes = dict[str, str | None]


class _Walk:
    """What one walk of the tree records, in document order."""

    __slots__ = (
        "by_tag",
        "chars",
        "ends",
        "linked",
        "nodes",
        "nonblank",
        "paragraphed",
        "parents",
        "pos",
        "tags",
        "texts",
        "words",
    )

    def __init__(self, root: LexborNode) -> None:
        tag = root.tag or ""
        nodes = [root]
        tags = [tag]
        parents = [-1]
        ends = [0]
        texts: list[str | None] = [None]
        linked = [int(tag == "a")]  # `a` elements among the node's ancestors and itself
        paragraphed = [int(tag == "p")]  # the same for `p`
        by_tag: dict[str, list[int]] = {tag: [0]}
        pos = {root.mem_id: 0}
        # No recursion: hostile pages nest hundreds of thousands of levels.
        stack = [(0, root.iter(include_text=True))]
        while stack:
            parent, children = stack[-1]
            for child in children:
                at = len(nodes)
                tag = child.tag or ""
                nodes.append(child)
                tags.append(tag)
                parents.append(parent)
                ends.append(at + 1)
                pos[child.mem_id] = at
                found = by_tag.get(tag)
                if found is None:
                    by_tag[tag] = [at]
                else:
                    found.append(at)
                if tag == TEXT:
                    texts.append(child.text_content or "")
                    linked.append(linked[parent])
                    paragraphed.append(paragraphed[parent])
                    continue
                texts.append(None)
                linked.append(linked[parent] + (tag == "a"))
                paragraphed.append(paragraphed[parent] + (tag == "p"))
                if tag[:1] != "-":  # an element: walk into it before its next sibling
                    stack.append((at, child.iter(include_text=True)))
                    break
            else:
                ends[parent] = len(nodes)
                stack.pop()
        self.nodes = nodes
        self.tags = tags
        self.parents = parents
        self.ends = ends
        self.texts = texts
        self.linked = linked
        self.paragraphed = paragraphed
        self.by_tag = by_tag
        self.pos = pos
        n = len(nodes)
        text_at = by_tag.get(TEXT, [])
        present = [texts[i] or "" for i in text_at]
        chars = [0] * n
        words = [0] * n
        nonblank = [False] * n
        for i, text, count in zip(text_at, present, word_counts(present), strict=True):
            chars[i] = len(text)
            words[i] = count
            nonblank[i] = text != "" and not text.isspace()
        self.chars = chars  # len(text) of each text node, 0 for other nodes
        self.words = words  # word_count(text) of each text node, 0 for other nodes
        self.nonblank = nonblank  # a text node with a character other than whitespace


class PageIndex:
    """Every node of a subtree in document order, with prefix sums of text measures."""

    __slots__ = (
        "_alive",
        "_alive_array",
        "_attrs",
        "_by_tag",
        "_chars",
        "_dirty",
        "_found",
        "_from_native",
        "_ids",
        "_linked_array",
        "_nodes",
        "_nonblank",
        "_paragraphed_array",
        "_root",
        "_sums",
        "_visible",
        "_words",
        "end",
        "linked",
        "parent",
        "pos",
        "tags",
        "texts",
    )

    def __init__(self, root: LexborNode) -> None:
        walk: _Walk | native.Walked | None = native.walk(root)
        self._root = root
        self._nodes: dict[int, LexborNode] = {0: root}
        self._ids: list[int] = []
        self._from_native = walk is not None
        if walk is None:
            walk = _Walk(root)
            self._nodes = dict(enumerate(walk.nodes))
        texts = walk.texts
        self.tags = walk.tags
        self.parent = walk.parents
        self.end = walk.ends
        self.texts = texts
        self.linked = walk.linked
        self.pos = walk.pos
        self._by_tag = walk.by_tag
        n = len(texts)
        self._chars = np.array(walk.chars, dtype=np.int64)
        self._words = np.array(walk.words, dtype=np.int64)
        self._nonblank = np.array(walk.nonblank, dtype=bool)
        self._linked_array = np.array(walk.linked, dtype=np.int64)
        self._paragraphed_array = np.array(walk.paragraphed, dtype=np.int64)
        self._alive = bytearray(b"\x01") * n
        self._alive_array = np.frombuffer(self._alive, dtype=np.bool_)  # a view of it
        self._attrs: list[_Attributes | None] = [None] * n
        self._found: dict[tuple[str, ...], list[int]] = {}
        self._sums: tuple[list[int], ...] = ()
        self._visible: list[int] = []
        self._dirty = True

    def __len__(self) -> int:
        return len(self.tags)

    # -- the tree --------------------------------------------------------------------

    def position(self, node: LexborNode) -> int:
        return self.pos[node.mem_id]

    def alive(self, i: int) -> bool:
        return bool(self._alive[i])

    @property
    def alive_flags(self) -> bytearray:
        """1 for each position still in the tree, 0 for removed ones (read-only use)."""
        return self._alive

    def children(self, i: int) -> Iterator[int]:
        """The positions of the node's children that are still in the tree."""
        end = self.end
        alive = self._alive
        j = i + 1
        stop = end[i]
        while j < stop:
            if alive[j]:
                yield j
            j = end[j]

    def attributes(self, i: int) -> _Attributes:
        found = self._attrs[i]
        if found is None:
            if self._from_native:
                found = native.attributes(self.mem_id(i))
            else:
                found = self._nodes[i].attributes
            self._attrs[i] = found
        return found

    def mem_id(self, i: int) -> int:
        """The node's mem_id (selectolax's id of a node)."""
        if not self._ids:
            self._ids = list(self.pos)  # filled in document order
        return self._ids[i]

    def node(self, i: int) -> LexborNode:
        """The selectolax node at position i (which must still be in the tree). The
        native walk makes no node objects: they are made here, a parent's children
        at a time, for the few stages that need them (tables, removals)."""
        found = self._nodes.get(i)
        if found is None:
            parent = self.node(self.parent[i])
            pos = self.pos
            for child in parent.iter(include_text=True):
                self._nodes[pos[child.mem_id]] = child
            found = self._nodes[i]
        return found

    def tag_positions(self, *tags: str) -> list[int]:
        """The nodes still in the tree with one of these tags ("-text" for text
        nodes), in document order."""
        found = self._found.get(tags)
        if found is None:
            alive, by_tag = self._alive, self._by_tag
            lists = [by_tag.get(tag, []) for tag in tags]
            merged = lists[0] if len(lists) == 1 else merge(*lists)
            found = self._found[tags] = [i for i in merged if alive[i]]
        return found

    def elements(self) -> list[int]:
        """Every element still in the tree, in document order."""
        found = self._found.get(())
        if found is None:
            alive, tags = self._alive, self.tags
            found = self._found[()] = [
                i for i, tag in enumerate(tags) if alive[i] and tag[:1] != "-"
            ]
        return found

    def positions(self, test: Callable[[str, _Attributes], bool]) -> list[int]:
        """The elements still in the tree that pass `test(tag, attributes)`, in order."""
        tags = self.tags
        return [i for i in self.elements() if test(tags[i], self.attributes(i))]

    def count_within(self, positions: list[int], i: int) -> int:
        """How many of the sorted `positions` are the node or lie inside it."""
        return bisect_left(positions, self.end[i]) - bisect_left(positions, i)

    def any_within(self, positions: list[int], i: int) -> bool:
        """Whether one of the sorted `positions` is the node or lies inside it."""
        k = bisect_left(positions, i)
        return k < len(positions) and positions[k] < self.end[i]

    def remove(self, i: int) -> None:
        """Decompose the node and leave its subtree out of every sum."""
        if not self._alive[i]:
            return
        self.node(i).decompose()
        stop = self.end[i]
        self._alive[i:stop] = bytes(stop - i)
        self._dirty = True
        self._found.clear()

    def remove_node(self, node: LexborNode) -> None:
        at = self.pos.get(node.mem_id)
        if at is None:  # not under the root (the <head>): not indexed
            node.decompose()
        elif self._alive[at]:
            self._nodes[at] = node
            self.remove(at)

    # -- measures of a subtree -------------------------------------------------------

    def _refresh(self) -> tuple[list[int], ...]:
        alive = self._alive_array
        chars = self._chars * alive
        words = self._words * alive
        self._sums = tuple(
            _prefix(values)
            for values in (
                chars,
                words,
                chars * self._linked_array,
                chars * self._paragraphed_array,
                words * self._linked_array,
            )
        )
        self._visible = np.flatnonzero(self._nonblank & alive).tolist()
        self._dirty = False
        return self._sums

    def chars(self, i: int) -> int:
        """len(node.text(deep=True))."""
        c = self._refresh()[0] if self._dirty else self._sums[0]
        return c[self.end[i]] - c[i]

    def words(self, i: int) -> int:
        """word_count(node.text(deep=True, separator=" "))."""
        w = self._refresh()[1] if self._dirty else self._sums[1]
        return w[self.end[i]] - w[i]

    def link_chars(self, i: int) -> int:
        """sum(len(a.text(deep=True)) for a in node.css("a"))."""
        sums = self._refresh() if self._dirty else self._sums
        e = self.end[i]
        above = self.linked[i] - (self.tags[i] == "a")  # links around the node
        return sums[2][e] - sums[2][i] - above * (sums[0][e] - sums[0][i])

    def paragraph_chars(self, i: int) -> int:
        """sum(len(p.text(deep=True)) for p in node.css("p"))."""
        sums = self._refresh() if self._dirty else self._sums
        e = self.end[i]
        c = sums[0]
        above = int(self._paragraphed_array[i]) - (self.tags[i] == "p")
        return sums[3][e] - sums[3][i] - above * (c[e] - c[i])

    def link_words(self, i: int) -> int:
        """sum(word_count(a.text(deep=True, separator=" ")) for a in node.css("a"))."""
        sums = self._refresh() if self._dirty else self._sums
        e = self.end[i]
        above = self.linked[i] - (self.tags[i] == "a")
        return sums[4][e] - sums[4][i] - above * (sums[1][e] - sums[1][i])

    def stripped_chars(self, i: int) -> int:
        """len(node.text(deep=True).strip())."""
        c = self._refresh()[0] if self._dirty else self._sums[0]
        visible = self._visible
        e = self.end[i]
        k = bisect_left(visible, i)
        if k == len(visible) or visible[k] >= e:
            return 0
        first = visible[k]
        last = visible[bisect_left(visible, e) - 1]
        texts = self.texts
        head = texts[first] or ""
        if first == last:
            return len(head.strip())
        tail = texts[last] or ""
        lead = len(head) - len(head.lstrip())
        trail = len(tail) - len(tail.rstrip())
        return c[last + 1] - c[first] - lead - trail

    def lines(self, i: int, separator: str = "", line_break: str = " ") -> str:
        """The element's text as a reader sees it: `text`, with each `<br>` a line
        break (a space by default: "Jane Doe<br>Main Street" is two words, not
        "DoeMain")."""
        texts = self.texts
        own = texts[i]
        if own is not None:
            return own
        at = self.tag_positions(TEXT, "br")
        k = bisect_left(at, i)
        stop = bisect_left(at, self.end[i], k)
        return separator.join(
            [line_break if texts[j] is None else texts[j] or "" for j in at[k:stop]]
        )

    def text(self, i: int, separator: str = "") -> str:
        """node.text(deep=True, separator=separator), from the index (text nodes
        whose data lexbor left unset count as empty ones here)."""
        texts = self.texts
        own = texts[i]
        if own is not None:
            return own
        at = self.tag_positions(TEXT)
        k = bisect_left(at, i)
        stop = bisect_left(at, self.end[i], k)
        return separator.join([texts[j] or "" for j in at[k:stop]])


def _prefix(values: npt.NDArray[np.int64]) -> list[int]:
    """[0, v0, v0 + v1, ...] as a list (scalar reads from a list are the fastest)."""
    out = np.empty(len(values) + 1, dtype=np.int64)
    out[0] = 0
    np.cumsum(values, out=out[1:])
    result: list[int] = out.tolist()
    return result
