"""Clean stage: take out what is never text, and name what may be page furniture.

Two passes, two strengths. `clean` removes, in place, what never holds article
text: scripts, styles, form controls, ad slots. `flag` only names the elements
that look like furniture: navigation, asides, footers, and elements whose
class/id/role words are in the vocabulary below (names are split into words,
"jeg_share_button" -> jeg, share, button, so "ad" matches `class="ad-slot"` but
never `class="header"`). A flag is evidence, not a verdict: the container search
skips flagged subtrees, and the block scorer weighs the flag beside what the block
itself shows. Elements that hold the article are never flagged, whatever their
names: a wrapper holding most of the page's text, the schema's article, hidden
markup that holds most of the prose (React streaming keeps the article in
`<div hidden>` until a script swaps it in), an inline link inside a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborNode

from pipeline.extraction.body import container
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.thresholds import (
    HEADLINE_LEVELS,
    HIDDEN_ARTICLE_SHARE,
    INLINE_SENTENCE_CHARS,
    MISNAMED_WRAPPER_SHARE,
    NAME_MEMO_SIZE,
)

# Tags whose content is code or data, never text.
_NEVER_TEXT = "script, style, noscript, template, svg, canvas, object, embed"
# Tags that hold no article text: form controls, embeds, ad slots, and ruby
# annotations (the readings printed above East Asian characters: "子<rt>こ</rt>"
# would read "子こ").
_NO_TEXT_TAGS = (
    "iframe, link, meta, button, select, input, textarea, label, rt, rp,"
    " amp-ad, amp-embed, amp-sticky-ad, amp-social-share, amp-analytics,"
    " amp-user-notification, ins.adsbygoogle"
)
# Page structure that is furniture unless it holds the article (ASP.NET wraps whole
# pages in a <form>; some themes put the post in an <aside>).
_STRUCTURAL = "nav, aside, footer, menu, form, dialog, header, amp-sidebar, amp-consent"
_STRUCTURAL_TAGS = frozenset(t.strip() for t in _STRUCTURAL.split(","))
# Inline elements: named by their sentence, not by themselves, when inside one.
INLINE_TAGS = frozenset(
    "a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small strong sub sup"
    " time u var wbr del ins label span font".split()
)
# Blocks whose whole text is one candidate: furniture inside them cannot be weighed alone.
_LEAF_BLOCKS = frozenset("p li h1 h2 h3 h4 h5 h6 blockquote pre dt dd".split())

# Elements whose names are checked against the boilerplate vocabulary below.
_NAMED = (
    "[class], [id], [role], [aria-label], [itemprop], [hidden], [aria-hidden], [style],"
    " [data-testid], [data-component], [data-module]"
)
# Names an element can carry; test ids survive CSS-in-JS class hashing ("css-1x2y3z").
_NAME_ATTRIBUTES = ("class", "id", "aria-label", "data-testid", "data-component", "data-module")
_NAME_KEYS = frozenset(_NAME_ATTRIBUTES)
# The attributes of _NAMED: an element with any of them is checked.
_NAMED_KEYS = frozenset(
    "class id role aria-label itemprop hidden aria-hidden style data-testid data-component"
    " data-module".split()
)

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


def _trie(words: Iterable[str]) -> str:
    """An alternation of plain words as a regex that branches letter by letter
    (the regex engine tries the alternatives of a flat one in turn)."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: dict[str, Any]) -> str:
    parts = [re.escape(letter) + _branches(rest) for letter, rest in sorted(node.items()) if letter]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if "" in node else body


_ANY_PHRASE = re.compile(_trie(_BOILERPLATE_PHRASES))
# ASCII characters that separate the words of a name (all but lowercase and digits).
_NOT_WORD = str.maketrans(
    dict.fromkeys((chr(c) for c in range(128) if not (chr(c).islower() or chr(c).isdigit())), " ")
)
_LAYOUTS = ("has-", "with-", "no-", "single-post")

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
# Class names that hide an element in the common CSS frameworks (Tailwind, Bootstrap,
# Bulma, Foundation), and the classes that show it again at a breakpoint.
_HIDING_CLASSES = frozenset(("hidden", "is-hidden", "d-none", "hide", "u-hidden", "js-hidden"))
_SHOWN_AGAIN = re.compile(
    r"(?:[a-z0-9-]+:(?:block|flex|grid|inline|inline-block|inline-flex|table|contents)"
    r"|d-(?:sm|md|lg|xl|xxl)-(?:block|flex|grid|inline|inline-block|inline-flex|table))$"
)
_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# Never dropped by name: these hold the article, or caption its tables.
_KEEP_TAGS = frozenset(("html", "body", "main", "article", "caption"))
_ARTICLE_HOLDERS = (
    "article, main, [itemprop=articleBody], [role=main], [itemtype*=Article],"
    " [itemtype*=BlogPosting]"
)
# Names of threads whose items can outweigh an article (a long comment section, a
# river of teasers): shared by many elements, they still name furniture.
_THREAD_WORDS = frozenset(
    "comment comments respond disqus discussion related relatedposts recommended"
    " recommendation recommendations popular trending mostread".split()
)


def clean(body: LexborNode, index: PageIndex | None = None) -> LexborNode:
    """Remove what never holds article text from the page's `body` in place, and return it
    (through `index`, when given, so that its sums leave the removed text out)."""
    for node in [*body.css(_NEVER_TEXT), *body.css(_NO_TEXT_TAGS)]:
        if index is None:
            node.decompose()
        else:
            index.remove_node(node)
    return body


@dataclass(frozen=True, slots=True)
class Flags:
    """Elements named as furniture, by index position: the outermost ones with the
    word that named them (`furniture`), and those the names flagged but the evidence
    spared."""

    furniture: dict[int, str] = field(default_factory=dict)
    spared: dict[int, str] = field(default_factory=dict)
    # Every named element's names (`name_string`), read once for the segment stage.
    names: dict[int, str] = field(default_factory=dict, repr=False)


def flag(body: LexborNode, index: PageIndex | None = None) -> Flags:
    """Name the furniture of a cleaned page: outermost elements only, in document order.
    Furniture inside a paragraph, list item or heading is removed at once (through
    `index`, which is built when not given)."""
    index = index or PageIndex(body)
    root = index.position(body)
    tags, end = index.tags, index.end
    # One pass over the elements: what their attributes say (memoised by the
    # attributes themselves: a page repeats the same few hundreds of times).
    named: list[tuple[int, _Named]] = []
    holders: list[int] = []
    attributes = index.attributes
    stop = end[root]
    for i in index.elements():
        if i < root or i >= stop:
            continue
        tag = tags[i]
        attrs = attributes(i)
        said = _NOTHING if not attrs else _naming(tuple(attrs.items()))
        if said.holder or tag in _HOLDER_TAGS:
            holders.append(i)
        if said.named or tag in _STRUCTURAL_TAGS:
            named.append((i, said))
    guard = _Guard(index, root, holders, *container.locate(index, root))
    words = {names: names_word(names) for names in {said.names for _, said in named}}
    flags = Flags()
    inside: list[int] = []
    covered = -1  # positions below this one are inside a flagged or removed element
    groups: dict[str, list[tuple[int, tuple[int, int]]]] = {}
    for i, said in named:
        tag = tags[i]
        if said.names:
            flags.names[i] = said.names
        if tag in _KEEP_TAGS:
            continue
        word = said.marked or (words[said.names] if said.names else None)
        if word is None and i >= covered and _hidden_form(index, i):
            inside.append(i)  # a sign-in or consent form a class hides: no text of the page
            covered = end[i]
            continue
        if (
            word is None
            and tag in _STRUCTURAL_TAGS
            and not (tag == "header" and _in_article(index, i))
        ):
            word = tag
        if word is None or i < covered:
            continue
        size = guard.measure(i)
        by_name = said.marked is None and word != tag
        if (
            guard.holds_article(i, size, hidden=word == "hidden")
            or (by_name and guard.holds_text(i))
            or _in_sentence(index, i)
        ):
            flags.spared[i] = word
            continue
        # A block inside a block (a <p> in a list item) is text of its own, weighed
        # as a block; what is inside a block's text is removed with it.
        if _is_interface(index, i, tag, word) or (
            tag not in _LEAF_BLOCKS and _in_leaf_block(index, i)
        ):
            inside.append(i)
        else:
            flags.furniture[i] = word
            groups.setdefault(word, []).append((i, size))
        # Its descendants are inside furniture already: none is flagged again.
        covered = max(covered, end[i])
    _spare_shared_names(flags, groups, guard)
    # Furniture inside a paragraph, list or heading (a share bar in a list item, a
    # caption span) would become part of that block's text, and an interface (a
    # closed dialog, a hidden form) is no part of the page's text: they go now.
    for i in inside:
        index.remove(i)
    return flags


_HOLDER_TAGS = frozenset(("article", "main"))
_FORM_TAGS = ("form", "input", "select", "textarea")


def _is_interface(index: PageIndex, i: int, tag: str, word: str) -> bool:
    """A dialog the reader has not opened, or hidden markup holding a form: sign-in,
    consent and newsletter interfaces. Tabs and accordions, which hide article
    text, hold no form; a hidden article holding most of the page was spared before."""
    if tag == "dialog":
        return "open" not in index.attributes(i)
    attrs = index.attributes(i)
    if word != "hidden":
        return _hidden_form(index, i)
    if attrs.get("role") in ("dialog", "alertdialog") or attrs.get("aria-modal") == "true":
        return True
    return index.any_within(index.tag_positions(*_FORM_TAGS), i)


def _hidden_form(index: PageIndex, i: int) -> bool:
    """Markup a utility class hides that holds a form: an interface, not text."""
    return _hidden_by_class(index.attributes(i).get("class")) and index.any_within(
        index.tag_positions(*_FORM_TAGS), i
    )


def _declares_article(attrs: dict[str, str | None]) -> bool:
    """The attributes match _ARTICLE_HOLDERS (the schema's or the markup's article;
    the tags article and main are told apart by the caller)."""
    if attrs.get("itemprop") == "articleBody" or attrs.get("role") == "main":
        return True
    kind = attrs.get("itemtype")
    return kind is not None and ("Article" in kind or "BlogPosting" in kind)


class _Named:
    """What an element's attributes say: whether it is checked at all (it has one
    of _NAMED's attributes), its names, whether they declare the article
    (_ARTICLE_HOLDERS), and (read when asked) the furniture word they hold."""

    __slots__ = ("holder", "marked", "named", "names")

    def __init__(self, attrs: dict[str, str | None]) -> None:
        self.named = bool(attrs) and not _NAMED_KEYS.isdisjoint(attrs)
        self.names = name_string(attrs) if attrs else ""
        self.holder = _declares_article(attrs)
        # The word its visibility, role or microdata property says, before its names.
        self.marked = _marked(attrs) if attrs else None


_NOTHING = _Named({})
_MEMO: dict[tuple[tuple[str, str | None], ...], _Named] = {}


def _naming(items: tuple[tuple[str, str | None], ...]) -> _Named:
    found = _MEMO.get(items)
    if found is None:
        if len(_MEMO) >= NAME_MEMO_SIZE:
            _MEMO.clear()
        found = _MEMO[items] = _Named(dict(items))
    return found


def _spare_shared_names(
    flags: Flags, groups: dict[str, list[tuple[int, tuple[int, int]]]], guard: _Guard
) -> None:
    """A word that flags elements holding, together, most of the page's text, or
    most of the main run of text found without names, names the article itself:
    premium sites mark every paywalled paragraph "paywall", and a site may name its
    article's paragraphs with any word (`id="promo-3"`). Only the elements inside that
    run are spared by it: a box outside it with the same word is still furniture. A
    thread word (comments, related posts) names the article only on bare paragraphs:
    a thread's items are cards, not `<p>`s."""
    tags = guard.index.tags
    for word, members in groups.items():
        if len(members) < 2:
            continue
        thread = word in _THREAD_WORDS
        if not (thread and any(tags[i] != "p" for i, _ in members)) and guard.majority(
            sum(size[0] for _, size in members), sum(size[1] for _, size in members)
        ):
            spared = members
        else:
            spared = guard.in_main_run(members)
            if thread and any(tags[i] != "p" for i, _ in spared):
                continue
        if len(spared) > 1:
            for i, _ in spared:
                del flags.furniture[i]
                flags.spared[i] = word


def drop(flags: Flags, index: PageIndex) -> None:
    """Remove the flagged elements (once the body's blocks have been read). They are
    outermost, so none is inside another already removed."""
    for i in flags.furniture:
        index.remove(i)


class _Guard:
    """Knows how much plain text the page has, to spare the article's wrappers."""

    def __init__(
        self, index: PageIndex, root: int, holders: list[int], text: int, run: int
    ) -> None:
        self.index = index
        self.paragraphs, self.plain = self.measure(root)
        self._holders = holders  # the elements that declare the article, in order
        # Where the page's running text is, by the text alone (names not read): the
        # container, and the element with the most paragraph text of its own when the
        # headline is next to it (a short article can be outweighed by the cards
        # around it, or be shorter than a sidebar's "about" text).
        self._text = text if text != root else -1
        self._run = run if run not in (root, -1) and _under_headline(index, run) else -1

    def holds_text(self, i: int) -> bool:
        """The element holds the page's main run of text, found without its names: a
        class or id word alone ("sidebar-layout", "comment-body") does not sink it."""
        end = self.index.end[i]
        return i <= self._text < end or i <= self._run < end

    def measure(self, i: int) -> tuple[int, int]:
        """(paragraph characters, plain characters: outside links) of the element."""
        index = self.index
        return index.paragraph_chars(i), index.chars(i) - index.link_chars(i)

    def holds_article(self, i: int, size: tuple[int, int], hidden: bool = False) -> bool:
        if self.index.any_within(self._holders, i):
            return True  # it is, or holds, an element that declares the article
        # Hidden markup is spared only when it holds most of the page: then it is
        # the article a script will show, not a menu or a modal.
        return self._holds(*size, HIDDEN_ARTICLE_SHARE if hidden else MISNAMED_WRAPPER_SHARE)

    def majority(self, paragraphs: int, plain: int) -> bool:
        return self._holds(paragraphs, plain, HIDDEN_ARTICLE_SHARE)

    def in_main_run(
        self, members: list[tuple[int, tuple[int, int]]]
    ) -> list[tuple[int, tuple[int, int]]]:
        """Those of the elements that sit in the main run of text found without names
        (the container), when together they hold most of its text; else none."""
        if self._text < 0:
            return []
        end = self.index.end[self._text]
        inside = [m for m in members if self._text < m[0] < end]
        paragraphs, plain = self.measure(self._text)
        if paragraphs and sum(size[0] for _, size in inside) >= HIDDEN_ARTICLE_SHARE * paragraphs:
            return inside
        if plain > 0 and sum(size[1] for _, size in inside) >= HIDDEN_ARTICLE_SHARE * plain:
            return inside
        return []

    def _holds(self, paragraphs: int, plain: int, share: float) -> bool:
        # Either measure alone misleads: <p>-less themes (Blogger) have no paragraph
        # text, and comment threads or footers can outweigh an article in plain text.
        if self.paragraphs and paragraphs >= share * self.paragraphs:
            return True
        return self.plain > 0 and plain >= share * self.plain


def _under_headline(index: PageIndex, i: int) -> bool:
    """An h1 is in the element's parent or grandparent: the text the headline heads."""
    headlines = index.tag_positions("h1")
    up = index.parent[i]
    for _ in range(HEADLINE_LEVELS):
        if up < 0:
            return False
        if index.any_within(headlines, up):
            return True
        up = index.parent[up]
    return False


def _in_article(index: PageIndex, i: int) -> bool:
    tags, parent = index.tags, index.parent
    up = parent[i]
    while up >= 0:
        if tags[up] in ("article", "main"):
            return True
        up = parent[up]
    return False


def _in_leaf_block(index: PageIndex, i: int) -> bool:
    tags, parent = index.tags, index.parent
    up = parent[i]
    while up >= 0 and tags[up] != "body":
        if tags[up] in _LEAF_BLOCKS:
            return True
        up = parent[up]
    return False


def _in_sentence(index: PageIndex, i: int) -> bool:
    """An inline element inside running text ("praised <a class=tag>Taylor Swift</a>'s
    album"): its words are the sentence's, whatever its class says."""
    tags = index.tags
    if tags[i] not in INLINE_TAGS:
        return False
    own = index.stripped_chars(i)
    block = index.parent[i]
    while block >= 0 and tags[block] in INLINE_TAGS:
        block = index.parent[block]
    if block < 0:
        return False
    around = index.stripped_chars(block) - own
    return around >= INLINE_SENTENCE_CHARS and around >= own


def furniture_word(node: LexborNode) -> str | None:
    """The word that marks the element as page furniture (its role, microdata
    property, visibility or a class/id word), or None."""
    attrs = node.attributes
    return _word_of(attrs, name_string(attrs))


def _word_of(attrs: dict[str, str | None], names: str) -> str | None:
    return _marked(attrs) or (names_word(names) if names else None)


def _marked(attrs: dict[str, str | None]) -> str | None:
    """The furniture word of an element's visibility, role or microdata property."""
    if is_hidden(attrs):
        return "hidden"
    role = attrs.get("role") or ""
    if role in _ROLES:
        return f"role={role}"
    prop = attrs.get("itemprop") or ""
    if prop in _ITEMPROPS:
        return f"itemprop={prop}"
    return None


def name_string(attrs: dict[str, str | None]) -> str:
    """The element's names as one string. Class words with a variant prefix
    (Tailwind's `print:max-w-none`, `md:hidden`) or arbitrary values (`w-[3px]`)
    are styling conditions, not names, and are left out."""
    parts = []
    for key, value in attrs.items():  # one pass: elements carry few attributes
        if not value or key not in _NAME_KEYS:
            continue
        if key == "class" and (":" in value or "[" in value):
            value = " ".join(w for w in value.split() if ":" not in w and "[" not in w)
        parts.append(value)
    return " ".join(parts)


def is_hidden(attrs: dict[str, str | None]) -> bool:
    """Not shown to a reader: hidden, aria-hidden, display:none, or a dialog."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if attrs.get("role") in ("dialog", "alertdialog"):
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _hidden_by_class(classes: str | None) -> bool:
    """A utility class that hides (`hidden`, `is-hidden`, `d-none`), unless another
    shows the element again from some width on (`hidden md:block`, `d-none
    d-lg-flex`): the reader of a wide screen sees it. Not `hidden` by itself: a
    script toggles such classes on accordions and tabs, whose text is the article's."""
    if not classes or ("hid" not in classes and "none" not in classes):
        return False
    tokens = classes.split()
    if not any(t in _HIDING_CLASSES for t in tokens):
        return False
    return not any(_SHOWN_AGAIN.match(t) for t in tokens)


def names_are_boilerplate(names: str) -> bool:
    """Check a class/id string against the vocabulary (whole words and phrases)."""
    return names_word(names) is not None


@lru_cache(maxsize=16384)
def names_word(names: str) -> str | None:
    """The vocabulary word or phrase a class/id string contains, or None. Memoised:
    a page repeats the same few class strings hundreds of times, a site its pages'."""
    if names.isascii():  # most names: split by a translation table, not a regex
        lowered = names.lower()
        if lowered != names:
            lowered = _CAMEL.sub("-", names).lower()
        tokens = lowered.translate(_NOT_WORD).split()
    else:
        tokens = [t for t in _SPLIT.split(_CAMEL.sub("-", names).lower()) if t]
    for token in tokens:
        if token in _BOILERPLATE_TOKENS or (len(token) >= 7 and _furniture_word(token)):
            # "has-sidebar", "with-sidebar", "no-comments" describe a layout, not furniture.
            joined = "-".join(tokens)
            if any(p in joined for p in _LAYOUTS):
                return None
            return token
    joined = "-".join(tokens)
    if _ANY_PHRASE.search(joined) is None:  # one pass instead of one per phrase
        return None
    return next((p for p in _BOILERPLATE_PHRASES if p in joined), None)


def _furniture_word(token: str) -> bool:
    if token in _BOILERPLATE_TOKENS:
        return True
    if len(token) < 7 or token in _NOT_BOILERPLATE:
        return False
    # Only run-together words: a bare "widget" is Elementor's content wrapper (the
    # other bare affixes are vocabulary words, answered above).
    return token.startswith(_TOKEN_PREFIXES) or (
        token.endswith(_TOKEN_SUFFIXES) and token not in _TOKEN_SUFFIXES
    )
