"""Find the element that holds the article body in a cleaned page.

Every element gets the score of its subtree: characters of plain text count
for it, characters of link text count against it (menus, teaser lists and
tag clouds are mostly links). The article is the subtree with the highest
score; a parent that only adds a little (a disclaimer, a stray widget) loses
to its child. One recursive pass, no repeated tree walks.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

# Link text weighs a little more than plain text: a paragraph may carry a few
# links, a menu is nothing but.
_LINK_WEIGHT = 1.5
# Descend into a child that holds this share of its parent's score.
_DESCEND_SHARE = 0.9
_SKIP = frozenset(("script", "style", "noscript", "template", "head", "title", "-comment"))
_PARAGRAPH_TAGS = frozenset(("p", "pre", "blockquote", "li", "h2", "h3", "h4", "td"))
# Below this depth a subtree is scored as flat text: hostile pages nest
# thousands of levels, and no article needs that many (the deepest of 500
# benchmark pages is 41). It also bounds every recursive walk of the tree.
MAX_DEPTH = 100
_PARAGRAPH_CHARS = 80
_SECTION_CHARS = 200


@dataclass(slots=True)
class _Tally:
    text: int = 0
    links: int = 0
    paragraphs: int = 0


def find_container(body: LexborNode) -> LexborNode:
    """Return the element whose subtree best matches 'the article body'."""
    scores: dict[int, tuple[float, LexborNode, int]] = {}
    _score(body, scores, in_link=False, depth=0)
    if not scores:  # no paragraph anywhere: let the body stage find what little there is
        return body
    best = max(scores.values(), key=lambda item: item[0])[1]
    return _headline_article(best) or _descend(best, scores)


def _headline_article(best: LexborNode) -> LexborNode | None:
    """Of several <article>s (the post and teasers of others), the one with the h1."""
    if len(best.css("article")) < 2:
        return None
    node = best.css_first("article h1")
    while node is not None and node.tag != "article":
        node = node.parent
    return node


def _score(
    node: LexborNode, scores: dict[int, tuple[float, LexborNode, int]], in_link: bool, depth: int
) -> _Tally:
    tally = _Tally()
    if depth > MAX_DEPTH:
        size = len(node.text(deep=True).strip())
        return _Tally(links=size) if in_link else _Tally(text=size)
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            size = len((child.text_content or "").strip())
            if in_link:
                tally.links += size
            else:
                tally.text += size
                # Loose text between <br>s is a paragraph too (old and Blogger themes).
                tally.paragraphs += size >= _PARAGRAPH_CHARS
        elif tag not in _SKIP:
            sub = _score(child, scores, in_link or tag == "a", depth + 1)
            tally.text += sub.text
            tally.links += sub.links
            tally.paragraphs += sub.paragraphs
    if node.tag in _PARAGRAPH_TAGS and tally.text >= _PARAGRAPH_CHARS:
        tally.paragraphs += 1
    value = tally.text - _LINK_WEIGHT * tally.links
    # A lone block is a caption or a teaser, not a body; bodies have paragraphs.
    if tally.paragraphs >= 1:
        scores[node.mem_id] = (value, node, tally.text)
    return tally


def _descend(node: LexborNode, scores: dict[int, tuple[float, LexborNode, int]]) -> LexborNode:
    """Go down into a child that holds nearly all of the score: its siblings add
    only a stray block. Not into one of several sections of the same kind: a
    long article's sections can be link-heavy (lists of sources) and score low."""
    while True:
        own = scores[node.mem_id][0]
        children = [scores[c.mem_id] for c in node.iter() if c.mem_id in scores]
        best = max(children, key=lambda item: item[0], default=None)
        if best is None or best[0] < _DESCEND_SHARE * own or _is_paragraph(best[1]):
            return node
        if _has_sibling_sections(best[1], children):
            return node
        node = best[1]


def _has_sibling_sections(child: LexborNode, siblings: list[tuple[float, LexborNode, int]]) -> bool:
    kind = (child.tag, child.attributes.get("class"))
    return any(
        other is not child
        and (other.tag, other.attributes.get("class")) == kind
        and text >= _SECTION_CHARS
        and other.css_first("h2, h3, h4") is not None
        for _, other, text in siblings
    )


def _is_paragraph(node: LexborNode) -> bool:
    return node.tag in _PARAGRAPH_TAGS
