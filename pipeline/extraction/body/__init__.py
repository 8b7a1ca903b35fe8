"""Body stage: choose which of the page's candidate blocks are the article.

Each candidate (from `segment.py`) is scored by the block model (`blockmodel.py`)
over the evidence the walk gathered: where it sits (in the container the
structure search chose, under a flagged ancestor, in a "Related posts" section,
near the headline), what it is (length, sentences, link share), the class/id
words around it, how it overlaps the body the page declares in JSON-LD. Blocks
scoring above the threshold are kept, in document order; the headline is not
repeated, and a block printed twice (desktop and mobile templates) is kept once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.extraction.body import blockmodel, boilerplate, clean, container
from pipeline.extraction.body.features import PageEvidence, block_features
from pipeline.extraction.body.segment import Candidate, Context, context_bits, segment
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.render import list_text
from pipeline.extraction.thresholds import (
    COPY_SHARE,
    HIDDEN_COPY_SHARE,
    PROSE_LINK_SHARE,
    PULL_QUOTE_GRAMS,
    REPEAT_CHARS,
    RESCUE_MARGIN,
    RESCUED_PROSE_WORDS,
    STANDFIRST_SHARED_ANCESTORS,
    STANDFIRST_WORDS,
    THIN_BODY_WORDS,
)
from pipeline.record import Block, ListBlock, Table, TableRef

_WORD = re.compile(r"\w+")
_STANDFIRST_KINDS = frozenset(("p", "text"))
_SENTENCE_CLOSERS = frozenset(".!?。！？\"'”’»")
# The reason of a hidden region's blocks that repeat the visible article: set aside
# before scoring, and out of the page type's count of the page's blocks.
HIDDEN_COPY = "hidden copy"
_ASIDE_BITS = context_bits("aside", "figure")
_CAPTION_KINDS = frozenset(("p", "text"))
_TEXT_KINDS = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6", "quote"))
_POINTER_KINDS = frozenset(("p", "text", "quote", "h2", "h3", "h4", "h5", "h6"))


@dataclass(slots=True)
class Body:
    """What the builder produced: blocks in order, tables they point into."""

    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


class Decision:
    """One candidate's verdict: its score and the features behind it (a plain slots
    class: one is made for every block)."""

    __slots__ = ("candidate", "context", "features", "kept", "reason", "score")

    def __init__(
        self,
        candidate: Candidate,
        score: float,
        kept: bool,
        reason: str,
        features: tuple[str, ...],
        context: tuple[str, ...] = (),
    ) -> None:
        self.candidate = candidate
        self.score = score
        self.kept = kept
        self.reason = reason  # why a block was dropped apart from its score ("repeat", ...)
        self.features = features  # the block's own evidence (what the first stage reads)
        self.context = context  # what the second stage adds: its neighbours' scores


@dataclass(frozen=True, slots=True)
class Built:
    """The body of a page, every decision behind it, and the flags it weighed."""

    body: Body
    decisions: list[Decision]
    flags: clean.Flags
    holder: int  # the index position of the container the structure search chose


def build(
    index: PageIndex,
    root: int,
    title: str | None,
    evidence: PageEvidence | None = None,
    holder: int | None = None,
) -> Built:
    """The article's blocks of a cleaned page (`clean.clean`) under the index position
    `root`: flag the furniture, find the container (unless a site rule gave it),
    segment, score, keep."""
    flags = clean.flag(index.node(root), index)
    if holder is None:
        holder = container.find_container(index, root, flags.furniture)
    candidates = segment(index, root, flags, holder, title)
    copies = hidden_copies(candidates)
    if copies:
        shown = [c for n, c in enumerate(candidates) if n not in copies]
        scored = iter(decide(shown, evidence or PageEvidence()))
        decisions = [
            Decision(c, blockmodel.RULED_SCORE, False, HIDDEN_COPY, ())
            if n in copies
            else next(scored)
            for n, c in enumerate(candidates)
        ]
    else:
        decisions = decide(candidates, evidence or PageEvidence())
    return Built(assemble(decisions), decisions, flags, holder)


def decide(
    candidates: Sequence[Candidate],
    evidence: PageEvidence,
    model: blockmodel.Model | None = None,
    rows: Sequence[tuple[str, ...]] | None = None,
) -> list[Decision]:
    """Score every candidate and say which are kept (by the shipped model, or the
    one given; `rows`: the candidates' features, when already measured)."""
    fitted = model or blockmodel.model()
    reasons = [ruled_out(c) for c in candidates]
    ruled = [bool(r) for r in reasons]
    if rows is None:
        rows = block_features(candidates, evidence, [not r for r in ruled])
    chains = [c.context.chain for c in candidates]
    scores, extra = blockmodel.score_blocks(rows, chains, ruled, fitted)
    kept = [s >= fitted.threshold and not r for s, r in zip(scores, ruled, strict=True)]
    if not any(kept):
        # The model found nothing: the structure search's container decides, less
        # what names or text mark as furniture (heuristics where they are sure).
        for i, c in enumerate(candidates):
            if _plain_container_block(c):
                kept[i], reasons[i] = True, "fallback"
    if not evidence.declared_body and _words_kept(candidates, kept) < THIN_BODY_WORDS:
        # Still next to nothing: prose scored just below the line is more likely the
        # article than the scraps kept (a body the page declares in JSON-LD is surer
        # still, and replaces a thin one later).
        floor = fitted.threshold - RESCUE_MARGIN
        for i, c in enumerate(candidates):
            if not ruled[i] and scores[i] >= floor and _reads_as_prose(c):
                kept[i], reasons[i] = True, "rescued"
    lead = _standfirst(candidates, kept, ruled, scores, fitted.threshold - RESCUE_MARGIN)
    if lead is not None:
        kept[lead], reasons[lead] = True, "standfirst"
    for i, candidate in enumerate(candidates):
        if kept[i] and (late := dropped_after_scoring(candidate)):
            kept[i], reasons[i] = False, late
    # A block shown twice is kept where it is first shown: a hidden copy placed
    # before the article must not take the article's place.
    seen: set[str] = set()
    for i in sorted(range(len(candidates)), key=lambda i: candidates[i].context.concealed):
        if kept[i]:
            key = _repeat_key(candidates[i])
            if len(key) >= REPEAT_CHARS:
                if key in seen:
                    kept[i], reasons[i] = False, "repeat"
                seen.add(key)
    decisions = [
        Decision(c, scores[i], kept[i], reasons[i], rows[i], extra[i])
        for i, c in enumerate(candidates)
    ]
    _drop_copies(decisions)
    return decisions


def hidden_copies(candidates: Sequence[Candidate]) -> set[int]:
    """The candidates (by position) of hidden regions that repeat the page's visible
    text: a paywall script's flat copy of the article, a print or mobile version.

    They go before scoring: a copy's blocks would be counted as repeats of the
    article's, and pull its scores down. A region is read whole (a copy may be cut
    into other blocks than the visible text: a line per `<p>`), its trigrams against
    those of all visible blocks; a hidden region that does not repeat them (tabs, an
    accordion, a full text behind a visible teaser) stays for the model."""
    regions: dict[int, list[int]] = {}
    for n, c in enumerate(candidates):
        if c.context.concealed:
            regions.setdefault(_concealing(c.context), []).append(n)
    if not regions:
        return set()
    shown = set(_trigrams(" ".join(c.text for c in candidates if not c.context.concealed)))
    copies: set[int] = set()
    # When the article itself is hidden (a streamed page shows it by script), the
    # region holding the container is the original, read first; a hidden region
    # that repeats one read before it is a copy of that.
    order = sorted(
        regions.values(),
        key=lambda members: not any(candidates[n].context.in_container for n in members),
    )
    for members in order:
        grams = _trigrams(" ".join(candidates[n].text for n in members))
        if _repeats(grams, shown, HIDDEN_COPY_SHARE):
            copies.update(members)
        else:
            copies.update(_nested_copies(candidates, members, shown))
            shown.update(grams)
    return copies


def _nested_copies(
    candidates: Sequence[Candidate], members: list[int], shown: set[tuple[str, ...]]
) -> set[int]:
    """The blocks of hidden regions nested in a hidden region that repeat the rest of
    it: a copy beside an article that is itself hidden until a script shows it (of
    two nested copies of each other, the first goes)."""
    nested: dict[int, list[int]] = {}
    for n in members:
        inner = _innermost_hiding(candidates[n].context)
        if inner is not None:
            nested.setdefault(inner, []).append(n)
    if not nested:
        return set()
    copies: set[int] = set()
    for part in nested.values():
        inside = set(part)
        rest = " ".join(candidates[n].text for n in members if n not in inside and n not in copies)
        around = shown | set(_trigrams(rest))
        grams = _trigrams(" ".join(candidates[n].text for n in part))
        if _repeats(grams, around, HIDDEN_COPY_SHARE):
            copies.update(part)
    return copies


def _innermost_hiding(context: Context) -> int | None:
    """The nearest element around a block that hides itself, when it lies inside
    another hidden element (else None)."""
    while context.parent is not None and not context.hides:
        context = context.parent
    if context.parent is None or not context.parent.concealed or not context.chain:
        return None
    return context.chain[0]


def _drop_copies(decisions: Sequence[Decision]) -> None:
    """Text the article shows once is kept once: a pull quote (a quote or aside that
    repeats a sentence of the body) is dropped when most of its word trigrams are in
    the other kept blocks."""
    quotes = [d for d in decisions if d.kept and _may_repeat(d.candidate)]
    if not quotes:
        return
    shown = set(
        _trigrams(
            " ".join(d.candidate.text for d in decisions if d.kept and not _may_repeat(d.candidate))
        )
    )
    for d in quotes:
        if _repeats(_trigrams(d.candidate.text), shown):
            d.kept, d.reason = False, "pull quote"


def _may_repeat(c: Candidate) -> bool:
    """A quote or aside: a block that may repeat the article's own text."""
    return c.kind == "quote" or bool(c.context.tags & _ASIDE_BITS)


def _repeats(
    grams: list[tuple[str, ...]], shown: set[tuple[str, ...]], share: float = COPY_SHARE
) -> bool:
    return len(grams) >= PULL_QUOTE_GRAMS and sum(map(shown.__contains__, grams)) >= (
        share * len(grams)
    )


def _concealing(context: Context) -> int:
    """The outermost hidden element around a concealed block: its region."""
    while context.parent is not None and context.parent.concealed:
        context = context.parent
    return context.chain[0] if context.chain else -1


def _trigrams(text: str) -> list[tuple[str, ...]]:
    # Words only: a table block's text has "|" between its cells, a copy of it a
    # cell per line.
    words = _WORD.findall(text.lower())
    return list(zip(words, words[1:], words[2:], strict=False))


def ruled_out(c: Candidate) -> str:
    """Rules that are surer than any score, as the reason they give (or "").

    The headline is the title, not body. A block whose own text is furniture
    ("ADVERTISEMENT", "Read more: ...", a copyright line) or a widget's label
    ("Related posts") is not article text (98% of such blocks on the dev
    benchmarks are not), nor is what follows such a label up to the next heading
    (93%). A block inside visible flagged furniture that does not read as prose
    (short, or mostly links: a share bar, a byline, a table of contents) is not
    either; flagged prose, such as paragraphs a paywall script marks, is left to
    the model, as is hidden markup (tabs and accordions hold article text).
    """
    if c.title:
        return "headline"
    if c.text_furniture:
        return "furniture text"
    if c.label:
        return "widget label"
    if c.section is not None:
        return "furniture section"
    furniture = c.context.furniture
    if furniture is not None and not c.context.hidden and not _reads_as_prose(c):
        if _named_itself(c, furniture):
            return ""  # a paragraph's own name ("<p id='promo-3'>"): evidence, not a verdict
        return f"furniture ({furniture}), not prose"
    return ""


def _named_itself(c: Candidate, word: str) -> bool:
    """A paragraph or heading flagged by a class/id word of its own, not by an
    element around it (nor by its role, property or visibility): a slug-made id
    ("how-we-promote-3") or a site's odd class name says little of one block."""
    return c.context.flagged_self and c.kind in _TEXT_KINDS and "=" not in word


def dropped_after_scoring(c: Candidate) -> str:
    """Text that is furniture by itself but, unlike `ruled_out`'s, is decided after
    scoring, so that its neighbours are judged as they were when the model was fitted
    (a caption sits between article paragraphs): a picture's credit or caption
    ("Foto: dpa", "... © AFP / Name"), a meta line ending in a view counter, a
    "read also" line of another language, a prompt to subscribe, donate, rate or
    share."""
    if c.kind in _CAPTION_KINDS and c.said.credit:
        return "credit"
    if c.kind in _CAPTION_KINDS and boilerplate.is_view_count(c.text):
        return "view count"
    if c.kind in _POINTER_KINDS and c.said.pointer:
        return "pointer"
    if c.kind in _POINTER_KINDS and c.said.prompt:
        return "prompt"
    return ""


def _standfirst(
    candidates: Sequence[Candidate],
    kept: Sequence[bool],
    ruled: Sequence[bool],
    scores: Sequence[float],
    floor: float,
) -> int | None:
    """The standfirst, when the model left it out: the record's convention is that
    the summary paragraph between the headline and the article is part of the body.
    It is the first block after the headline that no rule took (a byline or a date
    line is passed over), before the first kept block and in the same wrapper: a
    visible paragraph of prose, ending as a sentence, that the model did not score
    far below the line."""
    headline = next((n for n, c in enumerate(candidates) if c.title), None)
    if headline is None:
        return None
    first = next((n for n in range(headline + 1, len(candidates)) if kept[n]), None)
    if first is None:
        return None
    lead = next((n for n in range(headline + 1, first) if not ruled[n]), None)
    if lead is None:
        return None
    c = candidates[lead]
    if (
        c.kind not in _STANDFIRST_KINDS
        or c.context.concealed
        or scores[lead] < floor
        or len(c.text.split()) < STANDFIRST_WORDS
        or c.link_chars >= PROSE_LINK_SHARE * len(c.text)
        or c.text.rstrip()[-1:] not in _SENTENCE_CLOSERS
    ):
        return None
    # A wrapper below <body> holds both (the chains are innermost first).
    shared = set(c.context.chain) & set(candidates[first].context.chain)
    return lead if len(shared) >= STANDFIRST_SHARED_ANCESTORS else None


def _words_kept(candidates: Sequence[Candidate], kept: Sequence[bool]) -> int:
    return sum(len(c.text.split()) for c, k in zip(candidates, kept, strict=True) if k)


def _reads_as_prose(c: Candidate) -> bool:
    words = len(c.text.split())
    return words >= RESCUED_PROSE_WORDS and c.link_chars < PROSE_LINK_SHARE * len(c.text)


def _plain_container_block(c: Candidate) -> bool:
    return (
        c.context.in_container
        and not c.title
        and c.context.furniture is None
        and c.section is None
        and not c.label
        and not c.text_furniture
    )


def assemble(decisions: Sequence[Decision]) -> Body:
    """The kept blocks in order; table references numbered among the kept tables."""
    body = Body()
    for decision in decisions:
        if not decision.kept:
            continue
        candidate = decision.candidate
        if candidate.table is not None:
            body.blocks.append(TableRef(len(body.tables)))
            body.tables.append(candidate.table)
        else:
            body.blocks.append(candidate.block)
    return body


def _repeat_key(candidate: Candidate) -> str:
    block = candidate.block
    if isinstance(block, ListBlock):
        return list_text(block)
    if isinstance(block, TableRef):
        return ""  # tables can be repeated on purpose (a recap)
    return candidate.text
