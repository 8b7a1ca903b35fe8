"""Clean stage: drop the page around the article, by structure and by names.

One CSS query (matched by lexbor, in C) picks every element that may be
boilerplate; a token test on its class/id/role then decides. Names are split
into words ("jeg_share_button" -> jeg, share, button), so "ad" matches
`class="ad-slot"` but never `class="header"` or `class="shadow"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborNode

# Tags whose content is code or data, never text.
_NEVER_TEXT = "script, style, noscript, template, svg, canvas, object, embed"
# Tags that hold no article text.
_DROP_TAGS = (
    "iframe, link, meta,"
    " button, select, input, textarea, label, dialog, nav, aside, footer, menu, form,"
    " amp-ad, amp-embed, amp-sticky-ad, amp-social-share, amp-sidebar, amp-analytics,"
    " amp-consent, amp-user-notification, amp-carousel, ins.adsbygoogle"
)

# Elements whose names are checked against the boilerplate vocabulary below.
_NAMED = (
    "[class], [id], [role], [aria-label], [itemprop], [hidden], [aria-hidden], [style],"
    " [data-testid], [data-component], [data-module]"
)
# Names an element can carry; test ids survive CSS-in-JS class hashing ("css-1x2y3z").
_NAME_ATTRIBUTES = ("class", "id", "aria-label", "data-testid", "data-component", "data-module")

# Whole-word tokens of class/id names that mark boilerplate.
_BOILERPLATE_TOKENS = frozenset(
    """
    nav navbar navigation navi menu menubar submenu megamenu breadcrumb breadcrumbs crumbs
    sidebar footer masthead topbar toolbar skiplink
    cookie cookies consent gdpr ccpa
    share shares sharing sharer sharedaddy addtoany addthis social socials
    related relatedposts recommended recommendation recommendations popular trending mostread
    newsletter subscribe subscription signup paywall purchase cart checkout
    ad ads advert adverts advertisement advertising adsbygoogle adslot sponsored sponsor promo
    dfp gpt outbrain taboola
    comment comments respond disqus discussion
    pagination pager prevnext postnav
    toc tagcloud calendar archive archives topics
    disclaimer copyright legal
    modal popup overlay lightbox
    search searchform login signin register
    byline dateline author authors avatar bio
    tags tag tagged keywords
    meta postmeta
    print screenreader srt
    caption captions credit credits
    """.split()
)
# Run-together names ("relatedpoststitle", "sharebar", "leftsidebar") start or
# end with one of these.
_TOKEN_PREFIXES = (
    "related",
    "sidebar",
    "breadcrumb",
    "newsletter",
    "cookie",
    "advert",
    "share",
    "social",
    "comment",
    "pagination",
    "subscribe",
    "promo",
)
_TOKEN_SUFFIXES = ("sidebar", "nav", "navbar", "menu", "ads", "share", "comments", "widget")
_NOT_BOILERPLATE = frozenset(("commentary", "shareholder", "shareholders", "socialism"))

# Multi-word names, matched on the joined tokens.
_BOILERPLATE_PHRASES = (
    "table-of-contents",
    "read-more",
    "read-next",
    "more-stories",
    "more-from",
    "also-read",
    "see-also",
    "you-may-like",
    "post-navigation",
    "nav-links",
    "entry-footer",
    "author-box",
    "about-author",
    "tag-cloud",
    "screen-reader",
    "visually-hidden",
    "sr-only",
    "wp-calendar",
    "site-header",
    "page-header",
    "top-bar",
    "cat-links",
    "tags-links",
    "entry-meta",
    "post-meta",
    "article-meta",
    "jp-relatedposts",
    "load-more",
    "most-read",
    "ez-toc",
    "skip-link",
    "skip-to",
    "widget-area",
    "recent-posts",
    "recent-entries",
    "popular-posts",
)

_ROLES = frozenset(
    "navigation banner contentinfo complementary search dialog alertdialog menu menubar"
    " toolbar tablist".split()
)
# Microdata properties whose elements carry metadata values, not prose
# (often hidden spans holding dates, image URLs and sizes inside the body).
_ITEMPROPS = frozenset(
    "author publisher breadcrumb comment datePublished dateModified dateCreated image"
    " thumbnailUrl url width height keywords headline alternativeHeadline name logo"
    " mainEntityOfPage inLanguage isAccessibleForFree contentUrl uploadDate duration"
    " articleSection wordCount genre interactionStatistic".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# Never dropped by name: these hold the article, or caption its tables.
_KEEP_TAGS = frozenset(("html", "body", "main", "article", "caption"))
_ARTICLE_HOLDERS = (
    "article, main, [itemprop=articleBody], [role=main], [itemtype*=Article],"
    " [itemtype*=BlogPosting]"
)
# A flagged element holding this share of the page's plain (non-link) text is
# a misnamed wrapper: "content-with-sidebar", WordPress "tag-foo" post classes,
# Blogger's "widget Blog" around the post.
_WRAPPER_SHARE = 0.4


def clean(body: LexborNode) -> LexborNode:
    """Remove boilerplate from the page's `body` in place, and return it."""
    for node in list(body.css(_NEVER_TEXT)):
        node.decompose()
    guard = _Guard(body)  # after scripts and styles are gone: their text is not page text
    for node in list(body.css(_DROP_TAGS)):
        if not guard.holds_article(node):
            node.decompose()
    for node in list(body.css("header")):
        if not _in_article(node) and not guard.holds_article(node):
            node.decompose()
    for node in list(_flagged(body, guard)):
        node.decompose()
    return body


class _Guard:
    """Knows how much plain text the page has, to spare the article's wrappers."""

    def __init__(self, body: LexborNode) -> None:
        self.plain = _plain_chars(body)
        self.paragraphs = _paragraph_chars(body)

    def holds_article(self, node: LexborNode) -> bool:
        if _declares_article(node):
            return True
        # Either measure alone misleads: <p>-less themes (Blogger) have no paragraph
        # text, and comment threads or footers can outweigh an article in plain text.
        if self.paragraphs and _paragraph_chars(node) >= _WRAPPER_SHARE * self.paragraphs:
            return True
        return self.plain > 0 and _plain_chars(node) >= _WRAPPER_SHARE * self.plain


def _paragraph_chars(node: LexborNode) -> int:
    return sum(len(p.text(deep=True)) for p in node.css("p"))


def _plain_chars(node: LexborNode) -> int:
    """Characters of text outside links (menus are links; articles are not)."""
    links = sum(len(a.text(deep=True)) for a in node.css("a"))
    return len(node.text(deep=True)) - links


def _declares_article(node: LexborNode) -> bool:
    return node.css_matches(_ARTICLE_HOLDERS) or node.css_first(_ARTICLE_HOLDERS) is not None


def _in_article(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in ("article", "main"):
            return True
        parent = parent.parent
    return False


def _flagged(body: LexborNode, guard: _Guard) -> Iterator[LexborNode]:
    """Named elements that look like boilerplate, outermost first, no nesting."""
    dropped: set[int] = set()
    for node in body.css(_NAMED):
        if node.tag in _KEEP_TAGS or not is_boilerplate(node):
            continue
        if _inside(node, dropped):
            continue
        # A named wrapper may hold the article; a hidden one only by its schema type.
        if guard.holds_article(node) and not (is_hidden(node) and not _declares_article(node)):
            continue
        dropped.add(node.mem_id)
        yield node


def is_boilerplate(node: LexborNode) -> bool:
    """True when the element's names, role or visibility mark it as page furniture."""
    if is_hidden(node):
        return True
    attrs = node.attributes
    if (attrs.get("role") or "") in _ROLES or (attrs.get("itemprop") or "") in _ITEMPROPS:
        return True
    names = " ".join(v for k in _NAME_ATTRIBUTES if (v := attrs.get(k)))
    return bool(names) and names_are_boilerplate(names)


def is_hidden(node: LexborNode) -> bool:
    """Not shown to a reader: hidden, aria-hidden, display:none, or a dialog."""
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if attrs.get("role") in ("dialog", "alertdialog"):
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def names_are_boilerplate(names: str) -> bool:
    """Check a class/id string against the vocabulary (whole words and phrases)."""
    tokens = _SPLIT.split(_CAMEL.sub("-", names).lower())
    if any(_furniture_word(t) for t in tokens):
        # "has-sidebar", "with-sidebar", "no-comments" describe a layout, not furniture.
        joined = "-".join(tokens)
        return not any(p in joined for p in ("has-", "with-", "no-", "single-post"))
    joined = "-".join(t for t in tokens if t)
    return any(p in joined for p in _BOILERPLATE_PHRASES)


def _furniture_word(token: str) -> bool:
    if token in _BOILERPLATE_TOKENS:
        return True
    if len(token) < 7 or token in _NOT_BOILERPLATE:
        return False
    # Only run-together words: a bare "widget" is Elementor's content wrapper.
    return any(token.startswith(p) and token != p for p in _TOKEN_PREFIXES) or any(
        token.endswith(s) and token != s for s in _TOKEN_SUFFIXES
    )


def _inside(node: LexborNode, dropped: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in dropped:
            return True
        parent = parent.parent
    return False
