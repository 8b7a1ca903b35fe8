"""Block features: the evidence about each candidate block, as named binary features.

A feature is a string ("words:26-40", "links:0", "near:sidebar",
"kind:p&in_container"); the block model gives each a weight and a block's score is
their sum. Continuous measures are cut into fixed bins, so that a weight can say
"long blocks are likely text" without a straight line through every length. The
same function measures training pages (`bench/train_blocks.py`) and pages in use,
so the model is always applied to what it was fitted on.

    what the block is      kind, words, link share, sentence ends, commas, digits,
                           capitals, title-case words, a question or exclamation
                           at the end, an address (URL, e-mail)
    where it sits          in the structure search's container or not, how much of
                           the page that container holds, depth, ancestor tags,
                           position in the page, blocks since the headline, blocks
                           to the nearest long paragraph, before the first or after
                           the last one, distance from the long paragraphs' centre
    what names it carries  its own class/id words and those of its nearest named
                           ancestors; the furniture word that flagged it or an
                           ancestor, and whether the evidence spared that flag
    what the text says     a furniture text ("Read more: ..."), a widget label,
                           inside a furniture section, a picture credit, a "read
                           also" pointer, a prompt to the reader, repeated on the
                           page (whole, or its first words)
    what the page declares overlap with the JSON-LD articleBody and description
"""

from __future__ import annotations

import bisect
import math
import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.extraction.body.segment import CONTEXT_TAGS, Candidate
from pipeline.extraction.thresholds import (
    COMMON_WORDS,
    COMMON_WORDS_BLOCK_WORDS,
    DECLARED_SHINGLE_WORDS,
    LONG_PARAGRAPH_LINK_SHARE,
    LONG_PARAGRAPH_WORDS,
    REGION_BLOCKS,
    REPEATED_PREFIX_WORDS,
    WIDE_REGION_SHARE,
)
from pipeline.normalize import CJK

_WORD = re.compile(r"\w+")
# A token: a run of word characters, a CJK character alone (normalize's CJK).
_TOKEN = re.compile(f"{CJK.pattern}|(?:(?!{CJK.pattern})\\w)+")
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$|[\"'”’»)])")
_ENDS_SENTENCE = re.compile(r"[.!?。！？:;\"'”’»)]$")
_ADDRESS = re.compile(r"https?://|www\.|\S@\S")

# Bin edges: a value v falls in the bin of the first edge above it.
_WORD_EDGES = (1, 2, 3, 4, 6, 10, 16, 26, 41, 71, 121, 251)
_SHARE_EDGES = (0.001, 0.1, 0.3, 0.5, 0.7, 0.9, 1.001)
_RATE_EDGES = (0.001, 0.02, 0.05, 0.1, 0.2, 1e9)
_POSITION_EDGES = (0.1, 0.25, 0.5, 0.75, 0.9, 1.001)
_DISTANCE_EDGES = (1, 2, 3, 6, 11, 31, 10**9)
_DEPTH_EDGES = (5, 8, 11, 14, 18, 24, 10**9)
_ASCII_DIGITS = string.digits.encode()
# Latin-1 bytes: word characters (as _WORD knows them) kept, the rest spaces.
_LATIN1_WORDS = bytes(b if _WORD.match(chr(b)) else 0x20 for b in range(256))
# The characters that can end a sentence (_SENTENCE_END) and close one (_ENDS_SENTENCE).
_STOPS = ".!?。！？"
_CUT_OFF = ("…", "...", "[…]", "[...]", "(…)", "(...)")
_CLOSERS = frozenset(".!?。！？:;\"'”’»)")
_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_CAPITALS = string.ascii_uppercase.encode()
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _labels(prefix: str, edges: Sequence[float]) -> tuple[str, ...]:
    return tuple(f"{prefix}:{i}" for i in range(len(edges) + 1))


class _KindLabels(dict[str, str]):
    """ "kind:p" for "p", made once per kind."""

    def __missing__(self, kind: str) -> str:
        label = self[kind] = f"kind:{kind}"
        return label


class _WordBins(dict[int, str]):
    """The words label of a count ("words:7"), made once per count."""

    def __missing__(self, count: int) -> str:
        label = self[count] = _WORDS[_bin(count, _WORD_EDGES)]
        return label


_WORDS = _labels("words", _WORD_EDGES)
_KIND = _KindLabels()
_BIN = _WordBins()
_LINKS = _labels("links", _SHARE_EDGES)
_ENDS = _labels("ends", _RATE_EDGES)
_COMMAS = _labels("commas", _RATE_EDGES)
_DIGITS = _labels("digits", _SHARE_EDGES)
_POSITION = _labels("pos", _POSITION_EDGES)
_AFTER_HEADLINE = _labels("after_h1", _DISTANCE_EDGES)
_TO_LONG = _labels("to_long", _DISTANCE_EDGES)
_DEPTH = _labels("depth", _DEPTH_EDGES)
_CONTAINER_SHARE = _labels("container_share", _SHARE_EDGES)
_DECLARED = _labels("declared", _SHARE_EDGES)
_PREV_LINKS = _labels("prev_links", _SHARE_EDGES)
_NEXT_LINKS = _labels("next_links", _SHARE_EDGES)
_PREV_WORDS = _labels("prev_words", _WORD_EDGES)
_NEXT_WORDS = _labels("next_words", _WORD_EDGES)
_COMMON = _labels("common", _SHARE_EDGES)
_REGION_LINKS = _labels("region_links", _SHARE_EDGES)
_REGION_SHARE = _labels("region_share", _SHARE_EDGES)
_REGION_LONG = _labels("region_long", (1, 2, 3, 5, 10))
_WIDE_LINKS = _labels("wide_links", _SHARE_EDGES)
_CAPS = _labels("caps", _SHARE_EDGES)
_TITLE_CASE = _labels("titlecase", _SHARE_EDGES)
_LEAD = _labels("lead", _DISTANCE_EDGES)
_TAIL = _labels("tail", _DISTANCE_EDGES)
# Distance from the long paragraphs' centre, in their standard deviations.
_SPREAD_EDGES = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
_CENTRE = _labels("centre", _SPREAD_EDGES)


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What the page says of its article outside the blocks: the body and the
    description its JSON-LD declares (lowercased words), or nothing."""

    declared_body: tuple[str, ...] = ()
    description: tuple[str, ...] = ()


class _Measure:
    __slots__ = ("link_share", "tokens", "words")

    def __init__(self, words: int, link_share: float, tokens: list[str]) -> None:
        self.words = words
        self.link_share = link_share
        self.tokens = tokens


def block_features(
    candidates: Sequence[Candidate],
    evidence: PageEvidence,
    wanted: Sequence[bool] | None = None,
) -> list[tuple[str, ...]]:
    """The features of every candidate, in order (of the `wanted` ones only: the
    others get none; the page's totals are over all of them)."""
    measures = [_measure(c) for c in candidates]
    n = len(candidates)
    headline = next((i for i, c in enumerate(candidates) if c.title), None)
    if headline is None:
        headline = next((i for i, c in enumerate(candidates) if c.kind == "h1"), None)
    anchors = _anchors(candidates, measures)
    to_long = _distance_to_long(len(candidates), anchors)
    centre = _Centre(anchors, measures)
    repeats = Counter(c.text for c in candidates)
    prefixes = Counter(_prefix(m) for m in measures)
    container_words = sum(
        m.words for c, m in zip(candidates, measures, strict=True) if c.context.in_container
    )
    page_words = sum(m.words for m in measures) or 1
    share = _CONTAINER_SHARE[_bin(container_words / page_words, _SHARE_EDGES)]
    declared = _Declared(evidence)
    common = _common_words(measures)
    regions = _Regions(candidates, measures, page_words)
    rows: list[tuple[str, ...]] = []
    for i, (candidate, measure) in enumerate(zip(candidates, measures, strict=True)):
        if wanted is not None and not wanted[i]:
            rows.append(())
            continue
        names = _own_features(candidate, measure)
        kind = names[0]
        context = candidate.context
        where = "in_container" if context.in_container else "out_container"
        names += [
            where,
            _pair(kind, where),
            _pair(names[1], where),
            _POSITION[_bin(i / n, _POSITION_EDGES)],
            _TO_LONG[_bin(to_long[i], _DISTANCE_EDGES)],
            _DEPTH[_bin(context.depth, _DEPTH_EDGES)],
        ]
        if context.in_container:
            names.append(share)
        if headline is None:
            names.append("no_headline")
        elif i < headline:
            names.append("before_h1")
        else:
            names.append(_AFTER_HEADLINE[_bin(i - headline, _DISTANCE_EDGES)])
        if context.furniture:
            names += ["furniture", _pair("furniture", context.furniture, ":"), f"furniture&{where}"]
        if context.spared:
            names += ["spared", _pair("spared", context.spared, ":")]
        if context.hidden:
            names.append("hidden")
        if candidate.section:
            names += ["section", f"section&{where}"]
        if candidate.label:
            names.append("label")
        if candidate.text_furniture:
            names.append("text_furniture")
        if anchors:
            if i < anchors[0]:
                names.append(_LEAD[_bin(anchors[0] - i, _DISTANCE_EDGES)])
            elif i > anchors[-1]:
                names.append(_TAIL[_bin(i - anchors[-1], _DISTANCE_EDGES)])
            names.append(_CENTRE[_bin(centre.distance(i), _SPREAD_EDGES)])
        if repeats[candidate.text] > 1:
            names.append("repeated")
        elif measure.words >= REPEATED_PREFIX_WORDS and prefixes[_prefix(measure)] > 1:
            names.append("prefix_repeated")
        names += [_pair("own", w, ":") for w in context.own]
        names += [_pair("near", w, ":") for w in context.around]
        names += _tag_features(context.tags)
        names += declared.features(measure.tokens)
        if measure.words >= 3:
            share_common = sum(map(common.__contains__, measure.tokens)) / measure.words
            names.append(_COMMON[_bin(share_common, _SHARE_EDGES)])
        names += regions.features(context.chain)
        if i > 0:
            names += [
                _PREV_LINKS[_bin(measures[i - 1].link_share, _SHARE_EDGES)],
                _PREV_WORDS[_bin(measures[i - 1].words, _WORD_EDGES)],
            ]
        if i + 1 < n:
            names += [
                _NEXT_LINKS[_bin(measures[i + 1].link_share, _SHARE_EDGES)],
                _NEXT_WORDS[_bin(measures[i + 1].words, _WORD_EDGES)],
            ]
        rows.append(tuple(names))
    return rows


@lru_cache(maxsize=4096)
def _tag_features(tags: int) -> tuple[str, ...]:
    """The ancestor-tag features of a CONTEXT_TAGS bit set (pages reuse a few sets)."""
    return tuple(f"tag:{t}" for bit, t in enumerate(CONTEXT_TAGS) if tags >> bit & 1)


def _common_words(measures: Sequence[_Measure]) -> frozenset[str]:
    counts: Counter[str] = Counter()
    for m in measures:
        if m.words >= COMMON_WORDS_BLOCK_WORDS and m.link_share < LONG_PARAGRAPH_LINK_SHARE:
            counts.update(m.tokens)
    return frozenset(w for w, _ in counts.most_common(COMMON_WORDS))


class _Regions:
    """Totals of every element that holds blocks: blocks, words, link and all
    characters, long paragraphs."""

    def __init__(
        self, candidates: Sequence[Candidate], measures: Sequence[_Measure], page_words: int
    ) -> None:
        self.page_words = page_words
        totals: dict[int, list[int]] = {}
        for c, m in zip(candidates, measures, strict=True):
            is_long = int(
                m.words >= LONG_PARAGRAPH_WORDS and m.link_share < LONG_PARAGRAPH_LINK_SHARE
            )
            size = len(c.text)
            for mem_id in c.context.chain:
                t = totals.get(mem_id)
                if t is None:
                    totals[mem_id] = [1, m.words, c.link_chars, size, is_long]
                else:
                    t[0] += 1
                    t[1] += m.words
                    t[2] += c.link_chars
                    t[3] += size
                    t[4] += is_long
        self.totals = totals

    def features(self, chain: tuple[int, ...]) -> list[str]:
        totals = self.totals
        region = next((totals[i] for i in chain if totals[i][0] >= REGION_BLOCKS), None)
        wide_words = WIDE_REGION_SHARE * self.page_words
        wide = next((totals[i] for i in chain if totals[i][1] >= wide_words), None)
        names = []
        if region is not None:
            names += [
                _REGION_LINKS[_bin(_link_share(region), _SHARE_EDGES)],
                _REGION_SHARE[_bin(region[1] / self.page_words, _SHARE_EDGES)],
                _REGION_LONG[_bin(region[4], (1, 2, 3, 5, 10))],
            ]
        if wide is not None:
            names.append(_WIDE_LINKS[_bin(_link_share(wide), _SHARE_EDGES)])
        return names


def _link_share(totals: list[int]) -> float:
    return min(1.0, totals[2] / totals[3]) if totals[3] else 0.0


def _measure(candidate: Candidate) -> _Measure:
    """The block's words (`normalize.word_count`: a CJK character is one) and its
    tokens (lowercase word runs, a CJK character one token of its own: a Chinese
    paragraph is not one long word)."""
    text = candidate.text
    tokens = _tokens(text.lower())
    share = min(1.0, candidate.link_chars / len(text)) if text else 0.0
    return _Measure(candidate.words, share, tokens)


def _own_features(candidate: Candidate, measure: _Measure) -> list[str]:
    text = candidate.text
    kind = _KIND[candidate.kind]
    words = max(1, measure.words)
    size = _BIN[measure.words]
    links = _LINKS[_bin(measure.link_share, _SHARE_EDGES)]
    names = [
        kind,
        size,
        links,
        _ENDS[_bin(_sentence_ends(text) / words, _RATE_EDGES)],
        _COMMAS[_bin(text.count(",") / words, _RATE_EDGES)],
        _DIGITS[_bin(_digits(text) / len(text) if text else 0.0, _SHARE_EDGES)],
        _pair(kind, size),
        _pair(kind, links),
        _pair(size, links),
    ]
    if _ends_sentence(text):
        names.append("ends_sentence")
    names += _shape(text, measure)
    said = candidate.said
    if said.credit:
        names.append("credit")
    if said.pointer:
        names.append("pointer")
    if said.prompt:
        names.append("prompt")
    return names


def _tokens(text: str) -> list[str]:
    """_TOKEN.findall(text): for Latin-1 text (most of it) by a byte table and a
    split, at a quarter of the regex's cost."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return _TOKEN.findall(text)
    return raw.translate(_LATIN1_WORDS).decode("latin-1").split()


@lru_cache(maxsize=8192)
def _pair(a: str, b: str, joint: str = "&") -> str:
    """A two-part feature name ("kind:p&words:5", "own:entry"), made once."""
    return f"{a}{joint}{b}"


def _digits(text: str) -> int:
    """How many ASCII digits the text holds (counted in its UTF-8 bytes, where a
    multi-byte character never holds an ASCII byte)."""
    raw = text.encode("utf-8", "surrogatepass")
    return len(raw) - len(raw.translate(None, _ASCII_DIGITS))


def _sentence_ends(text: str) -> int:
    """len(_SENTENCE_END.findall(text)), the regex run only where a stop is."""
    if not any(map(text.__contains__, _STOPS)):
        return 0
    return len(_SENTENCE_END.findall(text))


def _ends_sentence(text: str) -> bool:
    """_ENDS_SENTENCE.search(text): the last character (before a final newline,
    where `$` also matches) closes a sentence."""
    last = text[-1:]
    if last == "\n":
        last = text[-2:-1]
    return last != "" and last in _CLOSERS


def _shape(text: str, measure: _Measure) -> list[str]:
    """Capitals, title-case words, a closing question or exclamation, an address:
    how labels, teaser titles and prompts look beside sentences."""
    names = []
    letters, upper = _letters_and_capitals(text)
    if letters >= 3:
        names.append(_CAPS[_bin(upper / letters, _SHARE_EDGES)])
    words = text.split()
    if len(words) >= 3:
        titled = sum(map(str.isupper, [w[0] for w in words]))  # split() gives no empty word
        names.append(_TITLE_CASE[_bin(titled / len(words), _SHARE_EDGES)])
    end = text.rstrip()[-1:]
    if end in ("?", "!", "？", "！"):
        names.append("ends_ask" if end in ("?", "？") else "ends_exclaim")
    elif text.rstrip().endswith(_CUT_OFF):
        names.append("ends_cut")  # a teaser's excerpt: "... the company said …"
    if measure.words and _may_hold_address(text) and _ADDRESS.search(text):
        names.append("address")
    return names


def _may_hold_address(text: str) -> bool:
    # Every address _ADDRESS finds holds one of these: the regex is run only then.
    return "://" in text or "www." in text or "@" in text


def _letters_and_capitals(text: str) -> tuple[int, int]:
    """How many characters are letters (str.isalpha) and capitals (str.isupper). The
    ASCII ones are counted in bytes, the rest one by one: a Python test per
    character is most of a page's feature time otherwise."""
    raw = text.encode("ascii", "ignore")
    letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    upper = len(raw) - len(raw.translate(None, _ASCII_CAPITALS))
    if not text.isascii():
        rest = "".join(_NON_ASCII.findall(text))
        letters += sum(map(str.isalpha, rest))
        upper += sum(map(str.isupper, rest))
    return letters, upper


def _anchors(candidates: Sequence[Candidate], measures: Sequence[_Measure]) -> list[int]:
    """The indices of the long, link-poor paragraphs: the article's anchors."""
    return [
        i
        for i, (c, m) in enumerate(zip(candidates, measures, strict=True))
        if m.words >= LONG_PARAGRAPH_WORDS
        and m.link_share < LONG_PARAGRAPH_LINK_SHARE
        and c.kind != "list"
    ]


class _Centre:
    """The long paragraphs' centre of mass (by words) and spread, in block indices."""

    def __init__(self, anchors: Sequence[int], measures: Sequence[_Measure]) -> None:
        weights = [measures[i].words for i in anchors]
        total = sum(weights) or 1
        self.mean = sum(i * w for i, w in zip(anchors, weights, strict=True)) / total
        variance = sum(w * (i - self.mean) ** 2 for i, w in zip(anchors, weights, strict=True))
        self.spread = max(1.0, math.sqrt(variance / total))

    def distance(self, i: int) -> float:
        return abs(i - self.mean) / self.spread


def _prefix(measure: _Measure) -> tuple[str, ...]:
    return tuple(measure.tokens[:REPEATED_PREFIX_WORDS])


def _distance_to_long(n: int, anchors: Sequence[int]) -> list[int]:
    """For each block, how many blocks away the nearest long, link-poor paragraph is."""
    far = 10**9
    if not anchors:
        return [far] * n
    out = []
    for i in range(n):
        j = bisect.bisect_left(anchors, i)
        best = far
        if j < len(anchors):
            best = anchors[j] - i
        if j > 0:
            best = min(best, i - anchors[j - 1])
        out.append(best)
    return out


class _Declared:
    """Overlap of a block with the page's declared body (its word trigrams)."""

    def __init__(self, evidence: PageEvidence) -> None:
        words = evidence.declared_body
        self.shingles = set(zip(words, words[1:], words[2:], strict=False))
        self.words = set(words)
        self.description = set(evidence.description)

    def features(self, tokens: list[str]) -> list[str]:
        names = []
        if self.shingles:
            if len(tokens) >= DECLARED_SHINGLE_WORDS:
                grams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
                share = sum(map(self.shingles.__contains__, grams)) / len(grams)
            else:
                share = float(bool(tokens) and all(t in self.words for t in tokens))
            names.append(_DECLARED[_bin(share, _SHARE_EDGES)])
        else:
            names.append("declared:none")
        if self.description and len(tokens) >= 4:
            share = sum(map(self.description.__contains__, tokens)) / len(tokens)
            if share >= 0.8:
                names.append("in_description")
        return names


def _bin(value: float, edges: Sequence[float]) -> int:
    return bisect.bisect_right(edges, value)
