"""Pages whose shape alone would cost seconds, refused before they are parsed.

A byte-level estimate, in a few linear passes of C-speed regexes and numpy
(about a millisecond for a page of 250 KB, 3% of its extraction), of three
things the HTML parser and the stages after it pay for more than linearly:

* nesting depth: 30,000 nested `<ul><li>` take the extractor about 10 s, and
  browsers' parsers stop nesting long before (Blink at 512 levels);
* attributes on one element: lexbor's attribute handling is quadratic in
  their number (100,000 on one tag: a minute);
* elements in all: a page of a million table cells costs 2 s per MB.

The estimate is of the markup as written, without parsing: comments and the
contents of raw-text elements (script, style, textarea, ...) are skipped,
void elements (`<br>`, `<img>`), elements whose end tag is optional (`<p>`,
`<li>`, `<td>`) and self-closed ones (`<path/>`) never count as a level, and a
stray end tag never takes the depth below zero. A page it lets through may
still be slow (the worker's time limit is there for that); the limits are
far past any page of the three benchmarks in bench/ (at most 178 levels, 71
attributes on one element, 15,791 elements: `python -m bench.limits_check`).
Bytes that are not ASCII-compatible (UTF-16) show no tags and are not checked.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from pipeline.errors import TooComplex
from pipeline.extraction import thresholds

# The limits (thresholds.py says why they are what they are), named as check() and
# its callers know them.
MAX_DEPTH = thresholds.PAGE_MAX_DEPTH  # elements nested in one another
MAX_ATTRIBUTES = thresholds.PAGE_MAX_ATTRIBUTES  # on one element
MAX_ELEMENTS = thresholds.PAGE_MAX_ELEMENTS  # in the whole page

# Comments and raw text (script, style, ...) hold no elements. Each is matched to
# its end or, unclosed, to the end of the page, as browsers read it. The unrolled
# loops (`[^<]*(?:<(?!/name)[^<]*)*`) scan fast and never retry: linear.
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_OPAQUE = re.compile(
    rb"<!--[^-]*(?:-(?!->)[^-]*)*(?:-->|\Z)|<plaintext\b.*|"
    + b"|".join(
        rb"<%s\b[^<]*(?:<(?!/%s)[^<]*)*(?:</%s\s*>|\Z)" % (name, name, name)
        for name in (*map(str.encode, _RAW_TEXT), b"noscript")
    ),
    re.DOTALL,
)
# Elements that never hold a level: void ones, and ones a following sibling closes.
_FLAT = (
    "area base br col embed hr img input link meta source track wbr param keygen basefont"
    " bgsound frame p li dt dd option optgroup tr td th tbody thead tfoot colgroup rb rt rtc"
    " rp html head body"
).split()
_NAME_BYTES = 8  # the longest name above; a longer name is none of them
# Each name as the integer of its bytes (zero-padded): tags are compared in numpy.
_FLAT_KEYS = np.sort(
    np.frombuffer(b"".join(n.encode().ljust(_NAME_BYTES, b"\0") for n in _FLAT), "<u8")
)
_LOWER = bytes.maketrans(bytes(range(65, 91)), bytes(range(97, 123)))
_LT, _GT, _SLASH = ord("<"), ord(">"), ord("/")
_NAME_ENDS = np.zeros(256, bool)  # by byte: whether it ends a tag's name
_NAME_ENDS[list(b" \t\n\r\x0c/>")] = True
# An attribute: its name, then maybe a value, quoted or bare. Each part's characters
# exclude the next part's first one: no pattern can split a text two ways (linear).
_ATTRIBUTE_TEXT = rb"""[\s/]+[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']*))?"""
# Not after a blank or "/": a search never restarts inside a run of them.
_ATTRIBUTE = re.compile(rb"(?<![\s/])" + _ATTRIBUTE_TEXT)
_TAG = re.compile(rb"<[a-z][^\s/>]*((?:" + _ATTRIBUTE_TEXT + rb")*)")


def check(data: bytes, max_bytes: int | None = None) -> None:
    """Raise TooComplex when the page's markup is past one of the limits. A page over
    `max_bytes` is left to the size check (decode), which refuses it for less."""
    if max_bytes is not None and len(data) > max_bytes:
        return
    shape = Shape(elements_only(data))
    if shape.elements > MAX_ELEMENTS:
        raise TooComplex(f"{shape.elements:,} elements, over the limit of {MAX_ELEMENTS:,}")
    attributes = shape.most_attributes()
    if attributes > MAX_ATTRIBUTES:
        raise TooComplex(f"{attributes:,} attributes on one element, over {MAX_ATTRIBUTES:,}")
    # No more tags than the limit, no deeper than it: the walk is skipped.
    depth = shape.depth() if shape.tags > MAX_DEPTH else 0
    if depth > MAX_DEPTH:
        raise TooComplex(f"elements nested {depth:,} deep, over the limit of {MAX_DEPTH:,}")


def elements_only(data: bytes) -> bytes:
    """The page, lowercased, without comments and raw text (script, style, ...),
    where `<` opens no element."""
    return _OPAQUE.sub(b"", data.translate(_LOWER))


class Shape:
    """The tags of markup (see elements_only), read in numpy: no Python step per tag.

    A tag is a `<` then a letter (a start tag) or `</` then a letter (an end tag);
    it ends at the next `>` or, unterminated, at the next `<`.
    """

    def __init__(self, markup: bytes) -> None:
        self.markup = markup
        # Padded so that every look past a `<` stays inside the array.
        self._bytes = np.frombuffer(markup + b" " * (_NAME_BYTES + 2), np.uint8)
        at = np.flatnonzero(self._bytes == _LT)
        is_end = self._bytes[at + 1] == _SLASH
        name = at + 1 + is_end
        letter = (self._bytes[name] >= ord("a")) & (self._bytes[name] <= ord("z"))
        self._at, self._is_end, self._name = at[letter], is_end[letter], name[letter]
        self.tags = len(self._at)
        self.elements = int(np.count_nonzero(~self._is_end))

    def _ends(self) -> npt.NDArray[np.intp]:
        """Where each tag ends: its `>`, or the next `<` (or the end) when it has none."""
        stops = np.flatnonzero((self._bytes == _LT) | (self._bytes == _GT))
        following = np.searchsorted(stops, self._at, side="right")
        ends: npt.NDArray[np.intp] = np.append(stops, len(self.markup))[following]
        return ends

    def most_attributes(self) -> int:
        """The most attributes on one start tag. Only a tag long enough to hold many
        (two bytes each: "a ") can: when there is one, the tags are read again, this
        time with their quoted values (which may hold `<` and `>`)."""
        starts, ends = self._at[~self._is_end], self._ends()[~self._is_end]
        if not np.any(ends - starts > 2 * MAX_ATTRIBUTES):
            return 0
        most = 0
        for tag in _TAG.finditer(self.markup):
            if tag.end() - tag.start() > 2 * MAX_ATTRIBUTES:
                most = max(most, len(_ATTRIBUTE.findall(tag.group(1))))
        return most

    def depth(self) -> int:
        """How deep the elements nest, estimated as the module doc says."""
        if len(self._at) == 0:
            return 0
        window = self._bytes[self._name[:, None] + np.arange(_NAME_BYTES + 1)]
        # A name's length: up to its first space, `/` or `>` (9: longer than any flat one).
        ended = _NAME_ENDS[window]
        length = np.where(ended.any(axis=1), ended.argmax(axis=1), _NAME_BYTES + 1)
        inside = np.arange(_NAME_BYTES) < length[:, None]
        kept = np.where(inside, window[:, :_NAME_BYTES], 0).astype(np.uint8)
        keys = np.ascontiguousarray(kept).view("<u8").ravel()
        found = np.minimum(np.searchsorted(_FLAT_KEYS, keys), len(_FLAT_KEYS) - 1)
        flat = (_FLAT_KEYS[found] == keys) & (length <= _NAME_BYTES)
        closed = self._bytes[np.maximum(self._ends() - 1, 0)] == _SLASH  # `<path ... />`
        steps = np.where(self._is_end, -1, 1) * ~(flat | (closed & ~self._is_end))
        # The running sum, kept from going below zero: the sum less its lowest point.
        walk = np.cumsum(steps)
        lowest = np.minimum(np.minimum.accumulate(walk), 0)
        return int((walk - lowest).max())
