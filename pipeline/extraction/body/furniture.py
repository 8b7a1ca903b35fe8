"""Which parts of a page are the site's furniture, for the metadata stage.

Bylines, dates and tags are only read outside menus, asides, related posts,
comments, widgets and the site's header bar. Those are told by tag and by
class/id words, but a name is evidence, not a veto: a named wrapper that holds
most of the page's text is the layout ("content-sidebar-wrap", an
`<article class="paywall">`), not furniture.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from pipeline.extraction.body import clean
from pipeline.extraction.thresholds import (
    LAYOUT_WRAPPER_SHARE,
    SITE_HEADER_LINKS,
)

_ALWAYS = ("related", "comment", "widget", "sidebar", "tagcloud", "tag-cloud")
# Words of the article's own header parts: their names are never furniture here.
_HEADER_PARTS = ("meta", "byline", "author", "date", "tag", "header", "categor")


class Furniture:
    """Which nodes sit in the site's furniture: menus, asides, related posts, comments,
    widgets, the site's header bar. Told by tag and by class/id words, but a named
    wrapper that holds most of the page's text is the layout ("content-sidebar-wrap",
    an `<article class="paywall">`), not furniture: a name is evidence, not a veto."""

    __slots__ = ("_names", "_page_chars", "_sizes")

    def __init__(self, body: LexborNode | None) -> None:
        self._page_chars = len(body.text(deep=True)) if body is not None else 0
        self._sizes: dict[int, int] = {}
        self._names: dict[str, bool] = {}  # class/id strings repeat across a page

    def named(self, node: LexborNode) -> bool:
        """The node's own names say furniture, and it is not the page's main wrapper."""
        names = " ".join(filter(None, (node.attributes.get("class"), node.attributes.get("id"))))
        if not names:
            return False
        said = self._names.get(names)
        if said is None:
            said = self._names[names] = furniture_names(names)
        return said and not self._holds_page(node)

    def around(self, node: LexborNode, scope: LexborNode) -> bool:
        """`node` is inside furniture, looking up to `scope`."""
        current = node.parent
        site_header = False
        while current is not None and current.mem_id != scope.mem_id:
            if current.tag in ("aside", "nav"):
                return True
            if current.tag in ("article", "main"):
                site_header = False  # a <header> inside the article is the article's header
            elif current.tag == "header" and _is_site_header(current):
                site_header = True
            if self.named(current):
                return True
            current = current.parent
        # Within the article's region a <header> is the article's own; page-wide it is the site's.
        return site_header and scope.tag == "body"

    def _holds_page(self, node: LexborNode) -> bool:
        size = self._sizes.get(node.mem_id)
        if size is None:
            size = self._sizes[node.mem_id] = len(node.text(deep=True))
        return size >= LAYOUT_WRAPPER_SHARE * self._page_chars


def _is_site_header(header: LexborNode) -> bool:
    """A <header> with the site's menu; an article's own header holds its headline,
    a byline and a few links."""
    return (
        header.css_first("nav, [role=navigation], form") is not None
        or len(header.css("a[href]")) > SITE_HEADER_LINKS
    )


def furniture_names(names: str) -> bool:
    """A class/id string that names furniture (and not a part of the article's header)."""
    lowered = names.casefold()
    if any(k in lowered for k in _ALWAYS):
        return True
    return clean.names_are_boilerplate(names) and not any(k in lowered for k in _HEADER_PARTS)
