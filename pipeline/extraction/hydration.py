"""What a page declares its article's body to be, outside the visible HTML.

Two sources, both read before the clean stage drops scripts:

    JSON-LD     the article's `articleBody` (metadata/structured.py reads it)
    hydration   the state a JavaScript framework ships for the page to render
                from: Next.js `__NEXT_DATA__`, `window.__NUXT__`,
                `__INITIAL_STATE__`, `__PRELOADED_STATE__`, `__APOLLO_STATE__`,
                Arc's `Fusion.globalContent`, `<script type="application/json">`,
                and the streamed payload of React Server Components (Next.js'
                App Router: `self.__next_f.push([1, "..."])` chunks that together
                spell out rows of JSON element trees and length-prefixed texts)

A hydration payload holds the whole page's data (menus, teasers, ads
settings), so its body is the longest run of prose in it: the string field with
the most words, read as HTML when it is markup, or the longest list of
paragraph-like strings under one key. The body stage uses it only when the HTML
yields much less than the page declares (`declared_body`).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction.thresholds import (
    ELEMENT_TREE_MAX_DEPTH,
    HYDRATED_BODY_WORDS,
    HYDRATED_ITEM_WORDS,
    HYDRATION_MAX_DEPTH,
    MAX_PAYLOAD_CHARS,
    MAX_PAYLOAD_NODES,
    STREAM_MAX_ROWS,
)
from pipeline.normalize import normalize_text, word_count
from pipeline.record import Paragraph

_STATE_MARKERS = (
    "__next_f",
    "__NUXT__",
    "__INITIAL_STATE__",
    "__PRELOADED_STATE__",
    "__APOLLO_STATE__",
    "globalContent",
)
_ASSIGNMENT = re.compile(r"=\s*(?=[{\[])")
_TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")  # [^<>]: each try ends at the next "<"
_BLOCK_SPLIT = re.compile(r"\n\s*\n|\n")


@dataclass(frozen=True, slots=True)
class Declared:
    """A body the page declares: its paragraphs and where it came from."""

    paragraphs: tuple[Paragraph, ...]
    source: str  # "json-ld", "hydration" or "stream"

    @property
    def words(self) -> int:
        return sum(word_count(p.text) for p in self.paragraphs)


def payloads(tree: LexborHTMLParser) -> list[str]:
    """The raw text of the page's hydration scripts (taken before scripts go)."""
    found: list[str] = []
    json_scripts = 'script#__NEXT_DATA__, script[type="application/json" i]'
    if tree.css_first(json_scripts) is None and not any(
        tree.scripts_contain(m) for m in _STATE_MARKERS
    ):
        return found  # most pages: nothing to read
    for script in tree.css("script"):
        attrs = script.attributes
        if attrs.get("src"):
            continue
        kind = (attrs.get("type") or "").lower()
        text = script.text(deep=True)
        if _is_state(attrs.get("id"), kind, text):
            found.append(text)
    return [t for t in found if len(t) <= MAX_PAYLOAD_CHARS]


def _is_state(script_id: str | None, kind: str, text: str) -> bool:
    if script_id == "__NEXT_DATA__" or kind == "application/json":
        return True
    return (not kind or "javascript" in kind) and any(m in text for m in _STATE_MARKERS)


def from_json_ld(body: str | None) -> Declared | None:
    if not body:
        return None
    paragraphs = _paragraphs(body)
    return Declared(paragraphs, "json-ld") if paragraphs else None


def from_hydration(texts: list[str]) -> Declared | None:
    """The longest body among the state payloads, or None."""
    values = [v for v in map(_decode, (t for t in texts if _STREAM not in t)) if v is not None]
    return _longest(values, "hydration")


def from_stream(texts: list[str]) -> Declared | None:
    """The longest body in the streamed payload of React Server Components, or None."""
    return _longest(_flight_rows(_stream(texts)), "stream")


def _longest(values: list[object], source: str) -> Declared | None:
    best: tuple[int, tuple[Paragraph, ...]] | None = None
    for value in values:
        for candidate in _bodies(value):
            paragraphs = _paragraphs(candidate)
            words = sum(word_count(p.text) for p in paragraphs)
            if words >= HYDRATED_BODY_WORDS and (best is None or words > best[0]):
                best = (words, paragraphs)
    return Declared(best[1], source) if best else None


_STREAM = "__next_f.push("


def _stream(texts: list[str]) -> str:
    """The streamed payload's text: the strings of every `self.__next_f.push([1, "…"])`,
    in document order, joined (a row may be cut between two chunks)."""
    chunks = []
    decoder = json.JSONDecoder(strict=False)
    for text in texts:
        at = text.find(_STREAM)
        while at >= 0:
            start = at + len(_STREAM)
            try:
                value, end = decoder.raw_decode(text, start)
            except (ValueError, RecursionError):
                end = start
            else:
                if isinstance(value, list) and len(value) >= 2 and isinstance(value[1], str):
                    chunks.append(value[1])
            at = text.find(_STREAM, end)
    return "".join(chunks)


def _flight_rows(data: str) -> list[object]:
    """The values of a React Server Components payload: rows `ID:JSON` ended by a
    newline, and text rows `ID:T<hex length>,<that many UTF-8 bytes>` (with no
    end mark: their text may hold newlines). Other rows (module imports `I[…]`,
    hints `HL[…]`) are passed over."""
    raw = data.encode("utf-8", "surrogatepass")
    values: list[object] = []
    at = 0
    while at < len(raw) and len(values) < STREAM_MAX_ROWS:
        colon = raw.find(b":", at)
        if colon < 0:
            break
        mark = raw[colon + 1 : colon + 2]
        if mark == b"T" and raw[at:colon].isalnum():
            comma = raw.find(b",", colon)
            size = raw[colon + 2 : comma]
            if comma > 0 and size and all(c in b"0123456789abcdefABCDEF" for c in size):
                end = comma + 1 + int(size, 16)
                values.append(raw[comma + 1 : end].decode("utf-8", "replace"))
                at = end
                continue
        newline = raw.find(b"\n", colon)
        end = len(raw) if newline < 0 else newline
        if mark in (b"[", b"{", b'"'):
            with contextlib.suppress(ValueError, RecursionError):
                values.append(json.loads(raw[colon + 1 : end]))
        at = end + 1
    return values


def _decode(text: str) -> object:
    text = text.strip()
    if not text:
        return None
    if text[0] not in "{[":
        match = _ASSIGNMENT.search(text)  # window.__STATE__ = {...};
        if match is None:
            return None
        text = text[match.end() :]
    try:
        value, _ = json.JSONDecoder(strict=False).raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return value


def _bodies(value: object) -> Iterator[str]:
    """Strings that may be an article body: long string fields, and lists of
    paragraph-like strings joined (block editors store a body as a list)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    seen = 0
    while stack and seen < MAX_PAYLOAD_NODES:
        node, depth = stack.pop()
        seen += 1
        if isinstance(node, str):
            if len(node) > 400 and word_count(node) >= HYDRATED_BODY_WORDS:
                yield node
        elif depth < HYDRATION_MAX_DEPTH and isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif depth < HYDRATION_MAX_DEPTH and isinstance(node, list):
            items = [_item_text(v) for v in node]
            texts = [t for t in items if t and word_count(t) >= HYDRATED_ITEM_WORDS]
            if len(texts) >= 2:
                yield "\n\n".join(texts)
            stack.extend((v, depth + 1) for v in node)


def _item_text(value: object) -> str | None:
    """A list item's paragraph: a string, the text field of a block object, or the
    text of a React element (`["$", "p", key, {"children": …}]`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return _element_text(value) or None
    if isinstance(value, dict):
        for key in ("content", "text", "html", "body", "value"):
            inner = value.get(key)
            if isinstance(inner, str):
                return inner
    return None


def _element_text(value: object, depth: int = 0) -> str:
    """The text a React element's children spell out (links and emphasis inside a
    paragraph are elements of their own)."""
    if isinstance(value, str):
        if value.startswith("$"):  # "$L3" refers to another row; "$$" escapes a "$"
            return value[1:] if value.startswith("$$") else ""
        return value
    if depth > ELEMENT_TREE_MAX_DEPTH or not isinstance(value, list):
        return ""
    if len(value) == 4 and value[0] == "$" and isinstance(value[3], dict):
        return _element_text(value[3].get("children"), depth + 1)
    return "".join(_element_text(v, depth + 1) for v in value)


def _paragraphs(text: str) -> tuple[Paragraph, ...]:
    if _TAG.search(text):
        return _html_paragraphs(text)
    parts = (normalize_text(p) for p in _BLOCK_SPLIT.split(text))
    return tuple(Paragraph(p) for p in parts if p)


def _html_paragraphs(markup: str) -> tuple[Paragraph, ...]:
    tree = LexborHTMLParser(f"<html><body>{markup}</body></html>")
    body = tree.body
    if body is None:
        return ()
    for node in body.css("script, style, noscript, template, figure, iframe"):
        node.decompose()
    blocks = body.css("p, h2, h3, h4, li, blockquote")
    texts = [normalize_text(b.text(deep=True)) for b in blocks if not _nested(b)]
    if not texts:
        texts = [normalize_text(t) for t in _BLOCK_SPLIT.split(body.text(deep=True))]
    return tuple(Paragraph(t) for t in texts if t)


def _nested(node: object) -> bool:
    """A block inside another matched block (a <p> in an <li>): read with its parent."""
    parent = getattr(node, "parent", None)
    while parent is not None:
        if parent.tag in ("p", "li", "blockquote"):
            return True
        parent = parent.parent
    return False
