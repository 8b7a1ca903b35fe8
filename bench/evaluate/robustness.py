"""The robustness suite: change a page's markup, keep its article, score the extraction.

Each benchmark page (AEB, WCXB-dev article pages, trafilatura-eval) is decoded (as
our extractor decodes it), parsed with selectolax (lexbor), transformed, serialised
with `.html` and encoded as UTF-8; every system extracts the original and each
transformed page, and each output is scored against the page's UNTRANSFORMED truth
with the benchmark's own metric (quality.score_page). A transformation never
touches the article's words: after it, the share of the truth's word trigrams
found in the page's visible text must be what it was (within 0.02), or the page
is reported as skipped for it ("article text changed") and left out of its figures.

Randomness is seeded per page and transformation: `random.Random("<set>/<page id>/<key>")`,
so a page is transformed the same way on every run, process and machine.

The article container is found from the truth, never from an extractor: the
deepest element (not `html`/`body`, not a phrasing element, `p`, heading, list
item or `pre`) whose text holds at least 80% of the truth's word trigrams found
anywhere in the page's text (lowercase `\\w+` tokens, CJK characters one token
each; at least half of the truth's trigrams must be on the page at all). Its `<p>`
descendants are the article paragraphs. Pages without one are skipped ("no
container") by the transformations that need it (c-h).

    0         control: parsed and serialised only, nothing changed
    a         every class and id token replaced by a random token (letters and digits,
              none a word), the same token always by the same replacement on a page
    b         1-6 utility classes (Tailwind-like: `flex`, `pt-4`, `leading-7`,
              `text-gray-700`, `md:w-1/2`, `print:hidden`, `overflow-hidden`, ...; none
              that hides the element on screen) added to every element of `<body>`
    c         one furniture word (sidebar, promo, paywall, print, widget, related, tag,
              comment; one per page) added as a class of the container and to the id of
              each article paragraph (`<id>-<word>`, or `<word>-<n>` where it had none)
    d-span    the container's children wrapped in one `<span>`
    d-custom  ... in one custom element, `<x-wrap>`
    e         each `<p>` in the container unwrapped, its text set off by `<br><br>`
    f         3-5 hidden interface blocks (sign-in and registration dialogs, password
              reset, newsletter and notification opt-ins, "create an account" walls,
              device limits, subscriber-only notices, consent placeholders) inserted
              among `<body>`'s children and 1-2 among the container's; each a heading,
              a paragraph of 2-4 sentences of plain English from a bank of 41 (`BANK`)
              and a button, hidden by one of: `style="display:none"`, a `hidden`
              attribute, a `hidden` or `is-hidden` class, `<template>`, `<dialog>`
              without `open`, or `aria-hidden="true"` on a Bootstrap `modal fade`
              (aria-hidden alone hides nothing on screen)
    g         a hidden flat copy of the article (the container's rendered text, one
              `<p>` per line: every block element, table cell and `<br>` ends one;
              form fields' contents left out) in a `<div hidden>` or
              `display:none` block just before or after the container, as paywall
              scripts leave it
    h         3-6 related-post cards after the container: `<div class="card">` with a
              heading (linked or not) and a link-free excerpt of 40-80 words from OTHER
              pages of the same benchmark (`excerpt_pool`: at most two paragraphs a
              page, each excerpt's length fixed by its source)

Besides the F1 of each output, a transformed output is checked for what should not
be there: `without` snippets (WCXB, trafilatura-eval) it leaks and the original
output did not; a duplicate (a line of 20 words or more that the output holds twice
and the original output held at most once; for g, also more than 30% more words than
the original output); and for f and h the inserted text leaked (at least half of an
inserted text's word 4-shingles in the output and not in the original output).

`python -m bench.evaluate.robustness SET PAGE_ID KEY` prints one transformed page.
"""

from __future__ import annotations

import argparse
import html as html_lib
import multiprocessing
import os
import random
import re
import sys
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from selectolax.lexbor import LexborHTMLParser

from bench.evaluate import datasets, metrics
from bench.evaluate.datasets import BenchPage
from bench.evaluate.quality import PageRow, score_page, trafeval_summary, wcxb_summary
from bench.evaluate.systems import Ours, Prediction, System, Trafilatura, run_safely
from pipeline.errors import ExtractionError
from pipeline.extraction.decode import decode

Node = Any  # selectolax's LexborNode (untyped)
Progress = Callable[[str], None]

ORIGINAL = "original"
SETS = ("aeb", "wcxb", "trafeval")

# --- words -----------------------------------------------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")

Trigram = tuple[str, str, str]


def tokens(text: str) -> list[str]:
    """Lowercase `\\w+` runs, each CJK character a token of its own."""
    return _TOKEN.findall(text.lower())


def trigrams(words: Sequence[str]) -> set[Trigram]:
    return {(words[i], words[i + 1], words[i + 2]) for i in range(len(words) - 2)}


def shingle_set(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = tokens(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def truth_text(page: BenchPage) -> str:
    """The page's article as the benchmark gives it: the main text, else its `with` snippets."""
    return page.text or "\n".join(page.with_)


# --- the page's tree -------------------------------------------------------------------

# Text under these is never the article's (and is not shown).
_PARENT_POLL = 1.0  # seconds between a pool worker's looks at its parent
_NO_TEXT = frozenset({"script", "style", "noscript", "template", "textarea", "title", "head"})
# Elements that cannot be "the element that holds the article".
_NOT_CONTAINERS = frozenset(
    "html body head p h1 h2 h3 h4 h5 h6 li dt dd pre span a b i em strong small font u s "
    "sub sup mark cite q abbr time label button code tt big nobr figcaption caption "
    "option select".split()
)
_BLOCK = frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section table ul br "
    "template".split()
)
# Parts of a table or definition list that the rendered text separates.
_LINE_PARTS = frozenset("caption tr td th dt dd".split())
#: What the suite counts as hidden when it checks the visible text.
HIDDEN = (
    "script, style, noscript, template, [hidden], [style*='display:none' i], "
    "[style*='display: none' i], dialog:not([open]), .hidden, .is-hidden, "
    "[aria-hidden='true'].modal"
)
MIN_CONTAINER_SHARE = 0.8  # of the truth's trigrams on the page
MIN_TRUTH_ON_PAGE = 0.5  # of the truth's trigrams
MIN_TRUTH_TRIGRAMS = 5
TEXT_TOLERANCE = 0.02  # the visible share of the truth a transformation may lose


def parse(html: str) -> Any:
    return LexborHTMLParser(html)


def elements(parent: Node) -> list[Node]:
    """The element children of a node, in order."""
    out = []
    child = parent.child
    while child is not None:
        if child.is_element_node:
            out.append(child)
        child = child.next
    return out


@lru_cache(maxsize=4)
def _container_path(html: str, truth: str) -> tuple[int, ...] | None:
    tree = parse(html)
    node = find_container(tree, truth)
    return None if node is None else _path(node)


def container_of(tree: Any, html: str, page: BenchPage) -> Node | None:
    """The element of `tree` (parsed from `html`) that holds the page's article."""
    path = _container_path(html, truth_text(page))
    return None if path is None else _locate(tree, path)


def find_container(tree: Any, truth: str) -> Node | None:
    """The deepest element holding at least 80% of the truth's trigrams found on the page."""
    wanted = {t: i for i, t in enumerate(sorted(trigrams(tokens(truth))))}
    if len(wanted) < MIN_TRUTH_TRIGRAMS or tree.body is None:
        return None
    texts: list[Node] = []
    stream: list[str] = []
    owner: list[int] = []
    for node in tree.body.traverse(include_text=True):
        if not node.is_text_node:
            continue
        parent = node.parent
        if parent is None or parent.tag in _NO_TEXT:
            continue
        words = tokens(node.text_content or "")
        if words:
            texts.append(node)
            stream += words
            owner += [len(texts) - 1] * len(words)
    found: dict[int, set[int]] = {}
    for i in range(len(stream) - 2):
        index = wanted.get((stream[i], stream[i + 1], stream[i + 2]))
        if index is not None:
            found.setdefault(owner[i], set()).add(index)
    held: dict[int, set[int]] = {}
    nodes: dict[int, tuple[Node, int]] = {}
    on_page: set[int] = set()
    for text_index, hits in found.items():
        chain = _ancestors(texts[text_index])
        if any(a.tag in _NO_TEXT for a in chain):
            continue
        on_page |= hits
        for depth, element in enumerate(reversed(chain)):
            key = element.mem_id
            held.setdefault(key, set()).update(hits)
            nodes[key] = (element, depth)
    total = len(on_page)
    if total < MIN_TRUTH_ON_PAGE * len(wanted):
        return None
    best: tuple[int, Node] | None = None
    for key, hits in held.items():
        element, depth = nodes[key]
        holds = len(hits) >= MIN_CONTAINER_SHARE * total
        if holds and element.tag not in _NOT_CONTAINERS and (best is None or depth > best[0]):
            best = (depth, element)
    return None if best is None else best[1]


def _ancestors(node: Node) -> list[Node]:
    """Parent first, up to (and with) the `html` element."""
    chain = []
    parent = node.parent
    while parent is not None and parent.is_element_node:
        chain.append(parent)
        parent = parent.parent
    return chain


def _path(node: Node) -> tuple[int, ...]:
    """Child indexes from the `html` element down to the node."""
    steps = []
    while node.parent is not None and node.parent.is_element_node:
        index, sibling = 0, node.prev
        while sibling is not None:
            index, sibling = index + 1, sibling.prev
        steps.append(index)
        node = node.parent
    return tuple(reversed(steps))


def _locate(tree: Any, path: tuple[int, ...]) -> Node | None:
    node = tree.root
    for index in path:
        node = node.child if node is not None else None
        for _ in range(index):
            node = node.next if node is not None else None
    return node


def visible_text(html: str) -> str:
    """The text of `<body>` without what `HIDDEN` hides (text nodes joined by spaces)."""
    tree = parse(html)
    if tree.body is None:
        return ""
    for node in reversed(tree.css(HIDDEN)):  # inner ones first
        node.decompose()
    return str(tree.body.text(separator=" "))


def truth_share(html: str, truth: str) -> float:
    """The share of the truth's word trigrams in the page's visible text."""
    wanted = trigrams(tokens(truth))
    if not wanted:
        return 1.0
    return len(wanted & trigrams(tokens(visible_text(html)))) / len(wanted)


def _fragment(tree: Any, tag: str, attrs: Mapping[str, str], inner: str) -> Node:
    node = tree.create_node(tag)
    for name, value in attrs.items():
        node.attrs[name] = value
    node.inner_html = inner
    return node


def _add_class(node: Node, *names: str) -> None:
    current = (node.attributes.get("class") or "").split()
    node.attrs["class"] = " ".join([*current, *names])


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


# --- transformations -------------------------------------------------------------------


class Transform:
    """One markup change: `apply` returns the changed page, None where it cannot apply."""

    key: ClassVar[str]
    label: ClassVar[str]
    needs_container: ClassVar[bool] = True
    copies_article: ClassVar[bool] = False  # a >30% word growth counts as a duplicate

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        raise NotImplementedError

    def inserts(self) -> Sequence[tuple[str, str]]:
        """(source page id or "", text) of every text this transformation may insert."""
        return ()


class Serialize(Transform):
    key = "0"
    label = "control: parsed and serialised only"
    needs_container = False

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        return str(parse(html).html)


_SCRAMBLE_FIRST = "bcdfghjkmnpqrstvwxz"
_SCRAMBLE_REST = "bcdfghjkmnpqrstvwxz0123456789"


class ScrambleNames(Transform):
    key = "a"
    label = "class and id tokens scrambled"
    needs_container = False

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        tree = parse(html)
        if tree.root is None:
            return None
        mapping: dict[str, str] = {}
        taken: set[str] = set()

        def scrambled(token: str) -> str:
            if token not in mapping:
                new = ""
                while not new or new in taken:
                    length = rng.randint(5, 9)
                    new = rng.choice(_SCRAMBLE_FIRST)
                    new += "".join(rng.choice(_SCRAMBLE_REST) for _ in range(length - 1))
                taken.add(new)
                mapping[token] = new
            return mapping[token]

        for node in tree.root.traverse():
            if not node.is_element_node:
                continue
            attributes = node.attributes
            if attributes.get("class"):
                node.attrs["class"] = " ".join(scrambled(t) for t in attributes["class"].split())
            if attributes.get("id"):
                node.attrs["id"] = scrambled(attributes["id"].strip())
        return str(tree.html) if mapping else None


#: Utility-first classes (Tailwind-like); none hides its element on screen.
UTILITY = (
    "flex grid block inline-block inline-flex items-center items-start justify-between "
    "justify-center gap-2 gap-4 gap-x-6 space-y-4 space-y-6 container mx-auto px-4 px-6 py-2 "
    "py-8 pt-4 pb-6 mt-8 mb-4 my-6 w-full max-w-prose max-w-3xl md:w-1/2 lg:w-2/3 sm:px-6 "
    "lg:px-8 md:flex lg:grid-cols-3 text-sm text-base text-lg md:text-xl lg:text-2xl "
    "font-sans font-serif font-medium font-semibold leading-7 leading-relaxed leading-tight "
    "tracking-tight text-gray-700 text-slate-900 text-neutral-600 dark:text-gray-300 bg-white "
    "dark:bg-gray-900 rounded rounded-lg border border-b border-gray-200 shadow-sm "
    "hover:underline hover:text-blue-600 focus:outline-none transition duration-200 "
    "overflow-hidden relative z-10 print:hidden print:block md:block sm:inline break-words "
    "antialiased"
).split()
_UNSTYLED = frozenset({"script", "style", "noscript", "template", "br", "wbr"})


class UtilityClasses(Transform):
    key = "b"
    label = "utility classes on every element"
    needs_container = False

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        tree = parse(html)
        if tree.body is None:
            return None
        for node in tree.body.traverse():
            if node.is_element_node and node.tag not in _UNSTYLED:
                _add_class(node, *rng.sample(UTILITY, rng.randint(1, 6)))
        return str(tree.html)


FURNITURE = ("sidebar", "promo", "paywall", "print", "widget", "related", "tag", "comment")


class FurnitureWord(Transform):
    key = "c"
    label = "furniture word on the container and paragraph ids"

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        word = rng.choice(FURNITURE)
        tree = parse(html)
        container = container_of(tree, html, page)
        if container is None:
            return None
        _add_class(container, word)
        for n, paragraph in enumerate(container.css("p"), 1):
            own = (paragraph.attributes.get("id") or "").strip()
            paragraph.attrs["id"] = f"{own}-{word}" if own else f"{word}-{n}"
        return str(tree.html)


class WrapChildren(Transform):
    """The container's children moved into one new element."""

    key = "d"
    label = "container's children wrapped"
    tag: ClassVar[str] = "span"

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        tree = parse(html)
        container = container_of(tree, html, page)
        if container is None or container.child is None:
            return None
        children = []
        child = container.child
        while child is not None:
            children.append(child)
            child = child.next
        container.insert_child(tree.create_node(self.tag))
        wrapper = container.last_child
        for child in children:
            wrapper.insert_child(child, move=True)
        return str(tree.html)


class WrapInSpan(WrapChildren):
    key = "d-span"
    label = "container's children wrapped in <span>"
    tag = "span"


class WrapInCustom(WrapChildren):
    key = "d-custom"
    label = "container's children wrapped in <x-wrap>"
    tag = "x-wrap"


def _significant(node: Node | None, forward: bool) -> Node | None:
    """The nearest sibling that is not whitespace or a comment."""
    while node is not None and (
        node.is_comment_node or (node.is_text_node and not (node.text_content or "").strip())
    ):
        node = node.next if forward else node.prev
    return node


class UnwrapParagraphs(Transform):
    key = "e"
    label = "<p> unwrapped into <br><br> text"

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        tree = parse(html)
        container = container_of(tree, html, page)
        paragraphs = container.css("p") if container is not None else []
        if not paragraphs:
            return None
        for paragraph in paragraphs:
            # Breaks where the paragraph meets text or inline markup, or the next
            # paragraph; a block element beside it keeps the lines apart by itself.
            before = _significant(paragraph.prev, forward=False)
            if before is not None and not (before.is_element_node and before.tag in _BLOCK):
                self._insert(tree, paragraph, after=False)
            after = _significant(paragraph.next, forward=True)
            if after is not None and not (after.is_element_node and after.tag in _BLOCK - {"p"}):
                self._insert(tree, paragraph, after=True)
            paragraph.unwrap()
        return str(tree.html)

    @staticmethod
    def _insert(tree: Any, paragraph: Node, after: bool) -> None:
        """Two `<br>`s beside the paragraph (inserted one by one: no wrapper is left)."""
        for _ in range(2):
            br = tree.create_node("br")
            if after:
                paragraph.insert_after(br)
            else:
                paragraph.insert_before(br)


# The hidden interface texts: heading, button, paragraph. Plain, plausible prose, so
# that only their hiddenness tells them apart from an article's paragraphs.
_SIGN_IN = ("Sign in", "Sign in")
_REGISTER = ("Create your free account", "Register")
_RESET = ("Reset your password", "Send link")
_NEWSLETTER = ("Our newsletter", "Subscribe")
_WALL = ("Keep reading", "Create account")
_DEVICES = ("Too many devices", "Continue")
_SUBSCRIBERS = ("For subscribers", "Subscribe now")
_CONSENT = ("Your consent is needed", "Accept")
_NOTICE = ("Notice", "OK")
BANK: tuple[tuple[tuple[str, str], str], ...] = (
    (
        _SIGN_IN,
        "Sign in to keep reading. Your account gives you access to saved articles, "
        "newsletters and comments across all of our sites. If you already subscribe in "
        "print, use the email address on your delivery account.",
    ),
    (
        _SIGN_IN,
        "Welcome back. Enter the email address and password you used when you registered, "
        "and we will take you straight back to the story you were reading. Forgotten your "
        "details? You can reset them in a minute.",
    ),
    (
        _SIGN_IN,
        "Log in with your email to continue. We keep your reading history private and only "
        "use it to recommend stories you might like. You can change this at any time in "
        "your account settings.",
    ),
    (
        _SIGN_IN,
        "You have been signed out because your session expired. Please sign in again to "
        "continue where you left off. For your security, sessions end automatically after "
        "a period without activity.",
    ),
    (
        _SIGN_IN,
        "Continue with your existing account. Readers who sign in can follow authors, save "
        "stories for later and join the conversation under each article. It takes less "
        "than a minute.",
    ),
    (
        _REGISTER,
        "Register for free to read this story and up to ten more each month. All we need "
        "is your name and an email address. We will never share your details with "
        "advertisers without your permission.",
    ),
    (
        _REGISTER,
        "Create your free account to unlock this article. Registered readers get a weekly "
        "digest of our best reporting, chosen by our editors. You can unsubscribe with one "
        "click whenever you like.",
    ),
    (
        _REGISTER,
        "Almost done. Check your inbox for a message from us and click the link inside to "
        "confirm your email address. If it does not arrive within a few minutes, look in "
        "your spam folder or ask us to send it again.",
    ),
    (
        _REGISTER,
        "Thanks for registering. Your account is now active and you can read as many free "
        "articles as you like this month. Complete your profile to get recommendations "
        "that match your interests.",
    ),
    (
        _REGISTER,
        "Join thousands of readers who already have an account. Registration is free and "
        "lets you comment, save articles and receive alerts when a story you follow is "
        "updated.",
    ),
    (
        _RESET,
        "Reset your password. Enter the email address linked to your account and we will "
        "send you a link to choose a new password. The link is valid for the next "
        "twenty-four hours.",
    ),
    (
        _RESET,
        "We have sent you an email with instructions for resetting your password. If you "
        "do not see it, please check your junk mail folder. Still having trouble? Our "
        "support team is available every day from eight until eight.",
    ),
    (
        _RESET,
        "Choose a new password for your account. It must be at least eight characters long "
        "and should include a number and a capital letter. Once saved, you will be signed "
        "in on this device.",
    ),
    (
        _RESET,
        "Your password has been changed successfully. For your security we have signed you "
        "out on all other devices. Please use your new password the next time you log in.",
    ),
    (
        _NEWSLETTER,
        "Get the morning briefing delivered to your inbox. Every weekday at six we send a "
        "short summary of the stories that matter, written by our editors. Sign up now and "
        "never miss the news that shapes your day.",
    ),
    (
        _NEWSLETTER,
        "Stay informed with our free newsletter. Choose the topics you care about, from "
        "politics to sport, and we will send you the best stories each week. You can "
        "change your preferences or unsubscribe at any time.",
    ),
    (
        _NEWSLETTER,
        "Would you like to receive notifications? We will let you know when important news "
        "breaks and when stories you follow are updated. You can turn notifications off in "
        "your browser settings whenever you wish.",
    ),
    (
        _NEWSLETTER,
        "Thank you for subscribing to our newsletter. Your first edition will arrive "
        "tomorrow morning. Add our address to your contacts so that it does not end up in "
        "your spam folder.",
    ),
    (
        _NEWSLETTER,
        "Don't miss our weekend edition. Long reads, interviews and the week's best "
        "photography, sent every Saturday morning. It is free for all registered readers.",
    ),
    (
        _WALL,
        "You have reached your limit of free articles this month. Create an account to keep "
        "reading, or subscribe for unlimited access to everything we publish. Your support "
        "funds independent journalism.",
    ),
    (
        _WALL,
        "To continue reading, please create an account or sign in. It is free and it helps "
        "us understand what our readers value. Registered readers can also save stories to "
        "read later on any device.",
    ),
    (
        _WALL,
        "This story is available to registered readers. Creating an account takes less "
        "than a minute and you only need an email address. Already registered? Sign in to "
        "continue.",
    ),
    (
        _WALL,
        "Keep reading for free. Tell us your email address and we will create an account "
        "for you, so you can pick up this story on your phone or tablet later. No payment "
        "details are required.",
    ),
    (
        _WALL,
        "Good journalism costs money to produce. By creating a free account you help us "
        "show advertisers that our readers are real people, which keeps most of our "
        "reporting open to everyone.",
    ),
    (
        _DEVICES,
        "Your account is being used on too many devices. Your subscription allows reading "
        "on up to three devices at the same time. Sign out on one of them to continue "
        "reading here.",
    ),
    (
        _DEVICES,
        "We noticed that your account was recently used on another device. If this was not "
        "you, we recommend changing your password straight away. Otherwise you can "
        "continue reading on this device.",
    ),
    (
        _DEVICES,
        "You have reached the maximum number of devices for your subscription. Manage your "
        "devices in your account settings, or upgrade to a family plan to share access "
        "with up to five people.",
    ),
    (
        _DEVICES,
        "This article is already open on another device. To protect your account, only "
        "one device can read at a time. Click continue to read here and close the session "
        "elsewhere.",
    ),
    (
        _SUBSCRIBERS,
        "This article is reserved for subscribers. Subscribe today for full access to our "
        "reporting, analysis and archive, and cancel at any time. The first month costs "
        "only one euro.",
    ),
    (
        _SUBSCRIBERS,
        "Subscriber exclusive. This story is part of our premium coverage, available to "
        "readers with a digital subscription. Already a subscriber? Log in to read the "
        "full article.",
    ),
    (
        _SUBSCRIBERS,
        "Unlock this article and every other story on our site with a digital "
        "subscription. Subscribers enjoy an ad-free experience, the daily e-paper and "
        "access to our events. Plans start at a few dollars a week.",
    ),
    (
        _SUBSCRIBERS,
        "Your trial has ended. We hope you enjoyed reading with us over the past few weeks. "
        "Choose a plan to continue enjoying unlimited access to our journalism on every "
        "device.",
    ),
    (
        _SUBSCRIBERS,
        "Support quality journalism. Our reporters work around the clock to bring you the "
        "facts, and subscriptions pay for that work. Become a subscriber now and get your "
        "first three months at half price.",
    ),
    (
        _CONSENT,
        "This content is provided by a third party. To view it, you need to accept cookies "
        "for social media and embedded content. You can change your consent settings at "
        "any time at the bottom of the page.",
    ),
    (
        _CONSENT,
        "We need your consent to load this video. The player is hosted by an external "
        "provider that may collect data about your activity. Click accept to load the "
        "video and agree to their terms.",
    ),
    (
        _CONSENT,
        "Embedded content from an external platform is blocked by your privacy settings. "
        "Enable it to see the post in this place. Your choice is saved for this browser "
        "only.",
    ),
    (
        _CONSENT,
        "We use cookies and similar technologies to improve your experience, measure our "
        "audience and show you relevant advertising. By clicking accept, you agree to the "
        "use of these technologies. You can find more information in our privacy policy.",
    ),
    (
        _CONSENT,
        "To display this map, we need your permission to load content from an external "
        "service. This service may set its own cookies and collect information about your "
        "device. Allow it once or always for this site.",
    ),
    (
        _NOTICE,
        "It looks like you are using an ad blocker. Advertising helps us keep most of our "
        "journalism free to read. Please consider adding us to your list of allowed sites "
        "or supporting us with a subscription.",
    ),
    (
        _NOTICE,
        "Your browser is out of date and some features of this site may not work as "
        "expected. Update your browser for more security, speed and the best experience on "
        "this site.",
    ),
    (
        _NOTICE,
        "Please turn on JavaScript in your browser to use all the features of this page. "
        "Some of our interactive graphics, comments and videos depend on it to load "
        "correctly.",
    ),
)

# How a block is hidden: (tag, attributes). A <template> or a <dialog> without
# `open` is hidden by its tag.
HIDINGS: tuple[tuple[str, dict[str, str]], ...] = (
    ("div", {"style": "display:none"}),
    ("section", {"style": "display: none;"}),
    ("div", {"hidden": ""}),
    ("section", {"hidden": ""}),
    ("div", {"class": "hidden"}),
    ("div", {"class": "is-hidden"}),
    ("template", {}),
    ("dialog", {}),
    ("div", {"class": "modal fade", "aria-hidden": "true", "role": "dialog", "tabindex": "-1"}),
)


class HiddenInterface(Transform):
    key = "f"
    label = "hidden dialogs, templates and notices inserted"

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        tree = parse(html)
        container = container_of(tree, html, page)
        if container is None:
            return None
        outside, inside = rng.randint(3, 5), rng.randint(1, 2)
        texts = rng.sample(BANK, outside + inside)
        for n, ((heading, button), text) in enumerate(texts):
            tag, attrs = rng.choice(HIDINGS)
            inner = f"<h2>{_esc(heading)}</h2><p>{_esc(text)}</p>"
            form = f'<form><input type="email" name="email"><button>{_esc(button)}</button></form>'
            block = _fragment(tree, tag, attrs, inner + form)
            parent = tree.body if n < outside else container
            children = elements(parent)
            slot = rng.randint(0, len(children))
            if slot < len(children):
                children[slot].insert_before(block)
            else:
                parent.insert_child(block)
        return str(tree.html)

    def inserts(self) -> Sequence[tuple[str, str]]:
        return tuple(("", text) for _, text in BANK)


class HiddenCopy(Transform):
    key = "g"
    label = "hidden flat copy of the article"
    copies_article = True

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        tree = parse(html)
        container = container_of(tree, html, page)
        if container is None:
            return None
        inner = "".join(f"<p>{_esc(line)}</p>" for line in flat_lines(container.html))
        attrs = {"hidden": ""} if rng.random() < 0.5 else {"style": "display:none"}
        block = _fragment(tree, "div", attrs, inner)
        if rng.random() < 0.5:
            container.insert_before(block)
        else:
            container.insert_after(block)
        return str(tree.html)


def flat_lines(html: str) -> list[str]:
    """A fragment's text as lines, as a script reading the rendered text gets it: every
    block element, table cell and `<br>` ends one (so cells' words are not glued
    together); scripts, styles, templates and form fields' contents left out;
    whitespace collapsed, empty lines dropped."""
    tree = parse(html)
    if tree.body is None:
        return []
    for node in reversed(tree.css("script, style, noscript, template, textarea, select")):
        node.decompose()
    blocks = [
        n
        for n in tree.body.traverse()
        if n.is_element_node and (n.tag in _BLOCK or n.tag in _LINE_PARTS)
    ]
    for node in blocks:
        if node.tag != "body":
            node.insert_before("\n")
            node.insert_after("\n")
    text = str(tree.body.text(separator=""))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A related-post card's content, cut from another page of the same benchmark."""

    source: str
    heading: str
    url: str
    text: str


EXCERPT_WORDS = (40, 80)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:·]\s+")


def excerpt_pool(pages: Iterable[BenchPage]) -> tuple[Excerpt, ...]:
    """At most two excerpts a page: its truth's first paragraphs of 40 words or more
    (a truth of snippets only: all of them joined), each cut to 40-80 words (the
    length fixed by page id and rank) and an ellipsis, under the page's title."""
    pool = []
    for page in pages:
        lines = [" ".join(line.split()) for line in truth_text(page).splitlines()]
        long = [line for line in lines if len(line.split()) >= EXCERPT_WORDS[0]]
        joined = " ".join(lines)
        if not long and len(joined.split()) >= EXCERPT_WORDS[0]:
            long = [joined]
        for rank, line in enumerate(long[:2]):
            low, high = EXCERPT_WORDS
            size = low + zlib.crc32(f"{page.id}/{rank}".encode()) % (high - low + 1)
            text = " ".join(line.split()[:size]).rstrip(".,;:") + " …"
            heading = page.title or _page_title(page.html) or " ".join(line.split()[:8])
            url = page.url if page.url and page.url.startswith("http") else f"/a/{page.id}"
            pool.append(Excerpt(page.id, heading, url, text))
    return tuple(pool)


def _page_title(html: bytes) -> str | None:
    """The page's `<title>`, without the site's name beside it (its longest part)."""
    match = _TITLE.search(html)
    if match is None:
        return None
    title = html_lib.unescape(" ".join(match.group(1).decode("utf-8", "replace").split()))
    return max(_TITLE_SPLIT.split(title), key=len) if title else None


class RelatedCards(Transform):
    key = "h"
    label = "related-post cards with link-free excerpts"

    def __init__(self, pool: Sequence[Excerpt] = ()) -> None:
        self.pool = tuple(pool)

    def apply(self, html: str, page: BenchPage, rng: random.Random) -> str | None:
        others = [e for e in self.pool if e.source != page.id]
        tree = parse(html)
        container = container_of(tree, html, page)
        if container is None or len(others) < 3:
            return None
        cards = []
        for excerpt in rng.sample(others, min(rng.randint(3, 6), len(others))):
            heading = _esc(excerpt.heading)
            if rng.random() < 0.5:
                heading = f'<a href="{html_lib.escape(excerpt.url)}">{heading}</a>'
            cards.append(f'<div class="card"><h3>{heading}</h3><p>{_esc(excerpt.text)}</p></div>')
        container.insert_after(_fragment(tree, "div", {}, "".join(cards)))
        return str(tree.html)

    def inserts(self) -> Sequence[tuple[str, str]]:
        return tuple((e.source, e.text) for e in self.pool)


KINDS: tuple[type[Transform], ...] = (
    Serialize,
    ScrambleNames,
    UtilityClasses,
    FurnitureWord,
    WrapInSpan,
    WrapInCustom,
    UnwrapParagraphs,
    HiddenInterface,
    HiddenCopy,
    RelatedCards,
)
#: Every transformation's key, in the order of the report.
KEYS = tuple(kind.key for kind in KINDS)
LABELS = {kind.key: kind.label for kind in KINDS}


def registry(pool: Sequence[Excerpt] = ()) -> dict[str, Transform]:
    """Key -> transformation (h cuts its cards from `pool`)."""
    return {k.key: RelatedCards(pool) if k is RelatedCards else k() for k in KINDS}


def seed(dataset: str, page_id: str, key: str) -> random.Random:
    return random.Random(f"{dataset}/{page_id}/{key}")


# --- checking and scoring --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RobustRow:
    """One system on one page, original or transformed, scored against the original truth.

    skipped: why the transformation was not applied (the row then has no scores).
    new_without: `without` snippets in this output that the original output did not leak.
    duplicated: a long line twice where the original output had it once (g: or >30%
    more words). inserted_leaked: inserted texts (f, h) in this output and not in the
    original output.
    """

    transform: str
    row: PageRow
    skipped: str | None = None
    words: int = 0
    original_f1: float = 0.0
    original_words: int = 0
    new_without: int = 0
    duplicated: bool = False
    inserted_leaked: int = 0


DUPLICATE_WORDS = 20
COPY_GROWTH = 1.3
LEAK_SHARE = 0.5


class TextIndex:
    """Which of a set of texts an output holds (half of their word 4-shingles or more)."""

    def __init__(self, texts: Sequence[tuple[str, str]]) -> None:
        self.sources = [source for source, _ in texts]
        self.sizes: list[int] = []
        self.index: dict[tuple[str, ...], list[int]] = {}
        for n, (_, text) in enumerate(texts):
            shingles = shingle_set(text)
            self.sizes.append(len(shingles))
            for s in shingles:
                self.index.setdefault(s, []).append(n)

    def found(self, output: str, exclude: str = "\0") -> set[int]:
        counts: Counter[int] = Counter()
        for s in shingle_set(output):
            counts.update(self.index.get(s, ()))
        return {
            n
            for n, c in counts.items()
            if c >= LEAK_SHARE * self.sizes[n] and self.sources[n] != exclude
        }


def long_lines(text: str) -> Counter[str]:
    lines = (metrics.fold(line) for line in text.splitlines())
    return Counter(line for line in lines if len(tokens(line)) >= DUPLICATE_WORDS)


def duplicated(output: str, original: str, growth: bool = False) -> bool:
    """A long line held twice that the original output held at most once (or, with
    `growth`, more than 30% more words than the original output)."""
    return _duplicated(output, long_lines(original), len(tokens(original)), growth)


def _duplicated(output: str, before: Counter[str], original_words: int, growth: bool) -> bool:
    if any(count >= 2 and before[line] < 2 for line, count in long_lines(output).items()):
        return True
    return growth and original_words > 0 and len(tokens(output)) > COPY_GROWTH * original_words


def without_leaked(dataset: str, page: BenchPage, output: str) -> set[int]:
    """The `without` snippets the output holds, each by its benchmark's matching."""
    if dataset == "wcxb":
        folded = metrics.fold(output)
        return {i for i, s in enumerate(page.without) if metrics.fold(s) in folded}
    if dataset == "trafeval":
        collapsed = metrics.collapse(output)
        return {
            i for i, s in enumerate(page.without) if collapsed and metrics.collapse(s) in collapsed
        }
    return set()


@dataclass(slots=True)
class _Worker:
    """What each process keeps: the transformations and the leak indexes of each set."""

    transforms: dict[str, dict[str, Transform]] = field(default_factory=dict)
    indexes: dict[tuple[str, str], TextIndex] = field(default_factory=dict)

    def index(self, dataset: str, transform: Transform) -> TextIndex:
        key = (dataset, transform.key)
        if key not in self.indexes:
            self.indexes[key] = TextIndex(transform.inserts())
        return self.indexes[key]


_WORKER = _Worker()


def _init_worker(pools: Mapping[str, Sequence[Excerpt]], parent: int | None = None) -> None:
    """Set up a process for the suite; `parent`: a pool worker's parent, which it
    outlives by at most a second (a pool worker of a killed parent waits forever)."""
    _WORKER.transforms = {name: registry(pool) for name, pool in pools.items()}
    _WORKER.indexes = {}
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)


@dataclass(slots=True)
class _Baseline:
    """One system's output on the original page, and what the checks compare with."""

    pred: Prediction
    row: PageRow
    words: int
    without: set[int]
    lines: Counter[str]
    found: dict[str, set[int]] = field(default_factory=dict)  # inserted texts, per transform


def evaluate_page(
    dataset: str, page: BenchPage, keys: Sequence[str], systems: Sequence[System]
) -> list[RobustRow]:
    """Every system on the original page and on each transformation of it."""
    transforms = _WORKER.transforms.get(dataset) or registry()
    baselines = {}
    rows = []
    for s in systems:
        pred = run_safely(s, page)
        row = score_page(dataset, page, s.name, pred)
        words = len(tokens(pred.text))
        without = without_leaked(dataset, page, pred.text)
        baselines[s.name] = _Baseline(pred, row, words, without, long_lines(pred.text))
        rows.append(RobustRow(ORIGINAL, row, None, words, row.f1, words))
    try:
        html: str | None = decode(page.html)
    except ExtractionError:
        html = None
    truth = truth_text(page)
    before = 0.0
    try:
        before = truth_share(html, truth) if html is not None else 0.0
    except Exception:  # the suite cannot read this page: every transformation is skipped
        html = None
    for key in keys:
        transform = transforms[key]
        changed, skipped = _transformed(transform, dataset, page, html, truth, before)
        if changed is None:
            rows += [
                RobustRow(key, score_page(dataset, page, s.name, Prediction("")), skipped)
                for s in systems
            ]
            continue
        moved = replace(page, html=changed.encode("utf-8"))
        for s in systems:
            pred = run_safely(s, moved)
            rows.append(_compare(dataset, page, transform, baselines[s.name], pred, s.name))
    return rows


def _transformed(
    transform: Transform,
    dataset: str,
    page: BenchPage,
    html: str | None,
    truth: str,
    before: float,
) -> tuple[str | None, str | None]:
    """(the transformed page, None) or (None, why it was not transformed)."""
    if html is None:
        return None, "undecodable"
    try:
        changed = transform.apply(html, page, seed(dataset, page.id, transform.key))
        if changed is None:
            no_container = transform.needs_container and _container_path(html, truth) is None
            return None, "no container" if no_container else "nothing to change"
        if truth_share(changed, truth) < before - TEXT_TOLERANCE:
            return None, "article text changed"
    except Exception as exc:  # a page the suite cannot transform is reported, not fatal
        return None, f"transformation failed: {type(exc).__name__}"
    return changed, None


def _compare(
    dataset: str,
    page: BenchPage,
    transform: Transform,
    base: _Baseline,
    pred: Prediction,
    system: str,
) -> RobustRow:
    leaked = 0
    if transform.inserts():
        index = _WORKER.index(dataset, transform)
        if transform.key not in base.found:
            base.found[transform.key] = index.found(base.pred.text, page.id)
        leaked = len(index.found(pred.text, page.id) - base.found[transform.key])
    new_without = without_leaked(dataset, page, pred.text) - base.without
    growth = transform.copies_article
    return RobustRow(
        transform.key,
        score_page(dataset, page, system, pred),
        words=len(tokens(pred.text)),
        original_f1=base.row.f1,
        original_words=base.words,
        new_without=len(new_without),
        duplicated=_duplicated(pred.text, base.lines, base.words, growth),
        inserted_leaked=leaked,
    )


# --- the run ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RobustnessRun:
    rows: tuple[RobustRow, ...]
    keys: tuple[str, ...]
    systems: tuple[str, ...]
    pages: dict[str, int]
    seconds: dict[str, float]
    workers: int
    limit: int | None


def suite_systems(peers: bool) -> tuple[System, ...]:
    """Ours, and trafilatura as shipped when peers are wanted (one peer: it is slow)."""
    return (Ours(), Trafilatura()) if peers else (Ours(),)


def set_pages(data: Path, dataset: str, limit: int | None = None) -> Iterator[BenchPage]:
    """The pages of one set: all AEB and trafilatura-eval pages, WCXB's article pages."""
    if dataset == "aeb":
        return datasets.load_aeb(data / datasets.AEB_DIR, limit)
    if dataset == "wcxb":
        return datasets.load_wcxb(data / datasets.WCXB_DIR, {"article"}, limit)
    return datasets.load_trafeval(data / datasets.TRAFEVAL_DIR, limit)


def pools(data: Path, sets: Sequence[str]) -> dict[str, tuple[Excerpt, ...]]:
    """Each set's related-card excerpts, from all its pages (whatever the limit)."""
    return {name: excerpt_pool(set_pages(data, name)) for name in sets}


def _evaluate_task(
    dataset: str, page: BenchPage, keys: tuple[str, ...], peers: bool
) -> list[RobustRow]:
    return evaluate_page(dataset, page, keys, suite_systems(peers))


def run(
    data: Path,
    keys: Sequence[str] = KEYS,
    limit: int | None = None,
    peers: bool = False,
    workers: int | None = None,
    sets: Sequence[str] = SETS,
    progress: Progress = lambda _: None,
) -> RobustnessRun:
    """The suite over every page of the sets, `workers` processes (default: every core)."""
    keys = tuple(keys)
    workers = max(1, workers or os.cpu_count() or 1)
    excerpts = pools(data, sets)
    rows: list[RobustRow] = []
    pages: dict[str, int] = {}
    seconds: dict[str, float] = {}
    executor = None
    if workers > 1:
        executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(excerpts, os.getpid()),
        )
    else:
        _init_worker(excerpts)
    try:
        for name in sets:
            start = time.perf_counter()
            count = 0
            pages_of = set_pages(data, name, limit)
            for page_rows in _map(executor, workers, name, pages_of, keys, peers):
                rows += page_rows
                count += 1
                if count % 100 == 0:
                    progress(f"robustness: {name} {count} pages")
            pages[name] = count
            seconds[name] = round(time.perf_counter() - start, 1)
            progress(f"robustness: {name} {count} pages in {seconds[name]}s")
    finally:
        if executor is not None:
            executor.shutdown()
    names = tuple(s.name for s in suite_systems(peers))
    return RobustnessRun(tuple(rows), keys, names, pages, seconds, workers, limit)


def _map(
    executor: ProcessPoolExecutor | None,
    workers: int,
    dataset: str,
    pages: Iterable[BenchPage],
    keys: tuple[str, ...],
    peers: bool,
) -> Iterator[list[RobustRow]]:
    """Each page's rows in page order; at most a few pages in flight per process."""
    if executor is None:
        for page in pages:
            yield _evaluate_task(dataset, page, keys, peers)
        return
    window = 4 * workers
    pending: deque[Future[list[RobustRow]]] = deque()
    for page in pages:
        pending.append(executor.submit(_evaluate_task, dataset, page, keys, peers))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


# --- summaries -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shift:
    """One transformation on one set for one system, over the pages it applied to.

    original / transformed: the benchmark's own aggregate (AEB: F1 of the mean
    precision and recall; WCXB: mean page F1; trafilatura-eval: F of the summed
    snippet counts); mean_*: the mean page F1. losing_half: pages whose F1 fell
    below half of the original's. new_without, duplicated, inserted_leaked: pages.
    """

    transform: str
    dataset: str
    system: str
    pages: int
    skipped: dict[str, int]
    original: float
    transformed: float
    mean_original: float
    mean_transformed: float
    losing_half: int
    new_without: int
    duplicated: int
    inserted_leaked: int
    with_found: tuple[float, float] | None = None
    without_leaked: tuple[float, float] | None = None

    @property
    def change(self) -> float:
        return self.transformed - self.original

    @property
    def losing_share(self) -> float:
        return self.losing_half / self.pages if self.pages else 0.0


def aggregate(dataset: str, rows: Sequence[PageRow]) -> float:
    if not rows:
        return 0.0
    if dataset == "aeb":
        return metrics.mean_score((r.precision, r.recall) for r in rows).f1
    if dataset == "trafeval":
        return trafeval_summary(rows).f
    return wcxb_summary(rows).f1


def shifts(run: RobustnessRun) -> list[Shift]:
    """Every (transformation, set, system) that has rows, in report order."""
    originals = {
        (r.row.dataset, r.row.id, r.row.system): r.row for r in run.rows if r.transform == ORIGINAL
    }
    grouped: dict[tuple[str, str, str], list[RobustRow]] = {}
    for r in run.rows:
        if r.transform != ORIGINAL:
            grouped.setdefault((r.transform, r.row.dataset, r.row.system), []).append(r)
    out = []
    for key in run.keys:
        for name in SETS:
            for system in run.systems:
                group = grouped.get((key, name, system))
                if group:
                    out.append(_shift(key, name, system, group, originals))
    return out


def _shift(
    key: str,
    dataset: str,
    system: str,
    group: Sequence[RobustRow],
    originals: Mapping[tuple[str, str, str], PageRow],
) -> Shift:
    applied = [r for r in group if r.skipped is None]
    before = [originals[(dataset, r.row.id, system)] for r in applied]
    after = [r.row for r in applied]
    snippets_with = snippets_without = None
    if dataset == "wcxb":
        a, b = wcxb_summary(before), wcxb_summary(after)
        snippets_with = (a.with_found, b.with_found)
        snippets_without = (a.without_leaked, b.without_leaked)
    return Shift(
        transform=key,
        dataset=dataset,
        system=system,
        pages=len(applied),
        skipped=dict(Counter(r.skipped for r in group if r.skipped is not None)),
        original=aggregate(dataset, before),
        transformed=aggregate(dataset, after),
        mean_original=metrics.mean(r.f1 for r in before),
        mean_transformed=metrics.mean(r.f1 for r in after),
        losing_half=sum(1 for r in applied if r.row.f1 < 0.5 * r.original_f1),
        new_without=sum(1 for r in applied if r.new_without),
        duplicated=sum(1 for r in applied if r.duplicated),
        inserted_leaked=sum(1 for r in applied if r.inserted_leaked),
        with_found=snippets_with,
        without_leaked=snippets_without,
    )


def worst(run: RobustnessRun, key: str, system: str, n: int) -> list[RobustRow]:
    """The pages a transformation cost most (F1 lost), for one system."""
    rows = [
        r for r in run.rows if r.transform == key and r.row.system == system and r.skipped is None
    ]
    rows.sort(key=lambda r: (r.row.f1 - r.original_f1, r.row.dataset, r.row.id))
    return [r for r in rows[:n] if r.row.f1 < r.original_f1]


# --- one transformed page, for a look ------------------------------------------------


def transformed_page(data: Path, dataset: str, page_id: str, key: str) -> str | None:
    """The page as the suite gives it to the extractors (None where it does not apply)."""
    page = next((p for p in set_pages(data, dataset) if p.id == page_id), None)
    if page is None:
        raise KeyError(f"no page {page_id} in {dataset}")
    transform = registry(excerpt_pool(set_pages(data, dataset)))[key]
    return transform.apply(decode(page.html), page, seed(dataset, page.id, key))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="print one page as a transformation leaves it")
    parser.add_argument("set", choices=SETS)
    parser.add_argument("page_id")
    parser.add_argument("key", choices=KEYS)
    parser.add_argument("--data", type=Path, default=Path("../shared/bench"))
    args = parser.parse_args(argv)
    html = transformed_page(args.data, args.set, args.page_id, args.key)
    if html is None:
        print("the transformation does not apply to this page", file=sys.stderr)
        return 1
    sys.stdout.write(html)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
