"""Find the element that holds the article body in a cleaned page.

Every element gets the score of its subtree: characters of plain text count
for it, characters of link text count against it (menus, teaser lists and
tag clouds are mostly links). The article is the subtree with the highest
score; a parent that only adds a little (a disclaimer, a stray widget) loses
to its child. One recursive pass, no repeated tree walks. Subtrees the clean
stage flagged as furniture are passed over, as if they were not there.
"""

from __future__ import annotations

from collections.abc import Container

from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.thresholds import (
    CONTAINER_PARAGRAPH_CHARS,
    DESCEND_SHARE,
    LINK_WEIGHT,
    MAX_TREE_DEPTH,
    SECTION_CHARS,
)

_SKIP = frozenset(("script", "style", "noscript", "template", "head", "title", "-comment"))
_PARAGRAPH_TAGS = frozenset(("p", "pre", "blockquote", "li", "h2", "h3", "h4", "td"))
# Paragraphs of running text: list items and cells are as often teasers and links.
_RUN_TAGS = frozenset(("p", "pre", "blockquote"))


def find_container(index: PageIndex, root: int, skip: Container[int] = frozenset()) -> int:
    """Return the position of the element whose subtree best matches 'the article
    body', passing over the elements whose position is in `skip`."""
    return locate(index, root, skip)[0]


def locate(index: PageIndex, root: int, skip: Container[int] = frozenset()) -> tuple[int, int]:
    """(the container, as `find_container`; the page's main run of text: the element
    whose own paragraphs, its children, hold the most plain text, or -1)."""
    scores, run = _score(index, root, skip)
    if not scores:  # no paragraph anywhere: let the body stage find what little there is
        return root, run
    end = index.end
    top = max(value for value, _ in scores.values())
    # Of equal scores, the subtree that ends first (a child before its parent).
    best = min((i for i, (value, _) in scores.items() if value == top), key=lambda i: (end[i], -i))
    found = _headline_article(index, best)
    return (found if found is not None else _descend(index, best, scores, run)), run


def _headline_article(index: PageIndex, best: int) -> int | None:
    """Of several <article>s (the post and teasers of others), the one with the h1."""
    if index.count_within(index.tag_positions("article"), best) < 2:
        return None
    node = index.node(best).css_first("article h1")
    while node is not None and node.tag != "article":
        node = node.parent
    return index.pos.get(node.mem_id) if node is not None else None


def _score(
    index: PageIndex, root: int, skip: Container[int]
) -> tuple[dict[int, tuple[float, int]], int]:
    """(score, plain characters) of every element with a paragraph, by position: plain
    text counts for it, link text against it, below the elements passed over; and the
    main run of text (`locate`)."""
    tags, parent, texts, end = index.tags, index.parent, index.texts, index.end
    stop = end[root]
    depth = {root: 0}
    linked = {root: False}
    # Per scored element: [text, links, paragraphs].
    tally: dict[int, list[int]] = {root: [0, 0, 0]}
    order = [root]
    # Plain characters of each element's own paragraphs (`_RUN_TAGS` and loose text):
    # an article's paragraphs are siblings, a grid's teasers each sit in a card.
    own: dict[int, int] = {}
    i = root + 1
    while i < stop:
        up = parent[i]
        if up not in tally or not index.alive(i):
            i = end[i]  # under an element passed over, or removed
            continue
        tag = tags[i]
        if tag == "-text":
            size = len((texts[i] or "").strip())
            counts = tally[up]
            if linked[up]:
                counts[1] += size
            else:
                counts[0] += size
                # Loose text between <br>s is a paragraph too (old and Blogger themes).
                if size >= CONTAINER_PARAGRAPH_CHARS:
                    counts[2] += 1
                    own[up] = own.get(up, 0) + size
        elif tag not in _SKIP and i not in skip:
            in_link = linked[up] or tag == "a"
            if depth[up] + 1 > MAX_TREE_DEPTH:
                size = index.stripped_chars(i)
                tally[up][1 if in_link else 0] += size
                i = end[i]
                continue
            depth[i] = depth[up] + 1
            linked[i] = in_link
            tally[i] = [0, 0, 0]
            order.append(i)
        else:
            i = end[i]
            continue
        i += 1
    scores: dict[int, tuple[float, int]] = {}
    for i in reversed(order):
        text, links, paragraphs = tally[i]
        if tags[i] in _PARAGRAPH_TAGS and text >= CONTAINER_PARAGRAPH_CHARS:
            paragraphs += 1
            tally[i][2] = paragraphs
            if i != root and tags[i] in _RUN_TAGS:
                own[parent[i]] = own.get(parent[i], 0) + text
        # A lone block is a caption or a teaser, not a body; bodies have paragraphs.
        if paragraphs >= 1:
            scores[i] = (text - LINK_WEIGHT * links, text)
        if i != root:
            counts = tally[parent[i]]
            counts[0] += text
            counts[1] += links
            counts[2] += paragraphs
    # Of equal runs, the first.
    run = max(own, key=lambda i: (own[i], -i), default=-1)
    return scores, run


def _descend(index: PageIndex, node: int, scores: dict[int, tuple[float, int]], run: int) -> int:
    """Go down into a child that holds nearly all of the score: its siblings add
    only a stray block. Not into one of several sections of the same kind: a
    long article's sections can be link-heavy (lists of sources) and score low.
    Never away from the main run of text: a grid of teaser cards can outweigh a
    short article beside it."""
    end = index.end
    while True:
        own = scores[node][0]
        children = [c for c in index.children(node) if c in scores]
        best = max(children, key=lambda c: scores[c][0], default=None)
        if best is None or scores[best][0] < DESCEND_SHARE * own or _is_paragraph(index, best):
            return node
        if _has_sibling_sections(index, best, children, scores):
            return node
        if node <= run < end[node] and not best <= run < end[best]:
            return node
        node = best


def _has_sibling_sections(
    index: PageIndex, child: int, siblings: list[int], scores: dict[int, tuple[float, int]]
) -> bool:
    kind = (index.tags[child], index.attributes(child).get("class"))
    headings = index.tag_positions("h2", "h3", "h4")
    return any(
        other != child
        and (index.tags[other], index.attributes(other).get("class")) == kind
        and scores[other][1] >= SECTION_CHARS
        and index.any_within(headings, other)
        for other in siblings
    )


def _is_paragraph(index: PageIndex, i: int) -> bool:
    return index.tags[i] in _PARAGRAPH_TAGS
