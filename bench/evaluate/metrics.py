"""The benchmarks' scores, as pure functions of texts.

AEB (Scrapinghub/Zyte article-extraction-benchmark, `evaluate.py`): `\\w+` tokens with
case kept, a multiset of 4-token shingles per text (a text of fewer than four tokens
is one shingle of all its tokens), per-page overlap counts; precision is averaged
over pages with a non-empty prediction, recall over pages with a non-empty truth,
and F1 is the harmonic mean of the two averages.

WCXB (Web Content Extraction Benchmark): lowercase `\\w+` bags of words, per-page
F1 averaged over pages; `with` / `without` snippets as case-insensitive substrings of
the whitespace-normalised text; title, first author and publish date exact matches.

trafilatura-eval (trafilatura's `tests/eval_common.py`): per page, each `with`
segment found in the output (both sides whitespace-collapsed, case kept) is a true
positive, each missing one a false negative; each `without` segment found a false
positive, each absent one a true negative; the counts are summed over all pages and
precision, recall, accuracy and F come from the sums. No output misses every `with`.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

_TOKEN = re.compile(r"\w+")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;&|/]|\band\b)\s*", re.IGNORECASE)

Shingle = tuple[str, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Overlap:
    """Multiset overlap of a prediction with the truth: true/false positives, false negatives."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """None when the prediction is empty (such a page does not count in precision)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when the truth is empty (such a page does not count in recall)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float:
        """Per-page F1 (0 when either side is empty), for ranking pages."""
        return harmonic(self.precision or 0.0, self.recall or 0.0)


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float


def harmonic(a: float, b: float) -> float:
    return 2 * a * b / (a + b) if a + b else 0.0


def mean(values: Iterable[float]) -> float:
    """The mean, 0.0 for no values."""
    listed = list(values)
    return statistics.fmean(listed) if listed else 0.0


def overlap(truth: Counter[T], pred: Counter[T]) -> Overlap:
    tp = sum((truth & pred).values())
    return Overlap(tp=tp, fp=pred.total() - tp, fn=truth.total() - tp)


# --- AEB -------------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[Shingle]:
    """Counts of n-token shingles; a shorter text is one shingle of all its tokens."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def shingle_overlap(truth: str, pred: str) -> Overlap:
    return overlap(shingles(truth), shingles(pred))


def aeb_score(pages: Iterable[Overlap]) -> Score:
    return mean_score((o.precision, o.recall) for o in pages)


def mean_score(pages: Iterable[tuple[float | None, float | None]]) -> Score:
    """Precision and recall each averaged over the pages where they are defined; F1 of both."""
    listed = list(pages)
    precision = mean(p for p, _ in listed if p is not None)
    recall = mean(r for _, r in listed if r is not None)
    return Score(precision, recall, harmonic(precision, recall))


# --- WCXB ------------------------------------------------------------------------------


def words(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def word_score(truth: str, pred: str) -> Score:
    """Bag-of-words precision, recall, F1 of one page: both empty is 1, one empty is 0."""
    truth_words, pred_words = words(truth), words(pred)
    if not truth_words and not pred_words:
        return Score(1.0, 1.0, 1.0)
    both = overlap(truth_words, pred_words)
    precision, recall = both.precision or 0.0, both.recall or 0.0
    return Score(precision, recall, harmonic(precision, recall))


# Typographic quotes, apostrophes and dashes as their ASCII forms: the ground truths
# mix both (often straightened by hand) while pages and extractors keep the page's.
_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
    }
)


def fold(text: str) -> str:
    """NFKC, typography to ASCII, whitespace runs to one space, case folded: the form
    exact matches (snippets, titles, authors) compare, for every system alike."""
    plain = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    return " ".join(plain.split()).casefold()


def snippets_in(snippets: Sequence[str], text: str) -> int:
    """How many snippets occur in the text (folded on both sides)."""
    folded = fold(text)
    return sum(1 for s in snippets if fold(s) in folded)


def first_author(names: str) -> str:
    """The first name of an author string ("A, B and C", "A; B", "A | Site" give "A")."""
    parts = [p for p in _AUTHOR_SPLIT.split(names) if p.strip()]
    return fold(parts[0]) if parts else ""


def same_title(truth: str, pred: str | None) -> bool:
    return pred is not None and fold(truth) == fold(pred)


def same_author(truth: str, pred: str | None) -> bool:
    return pred is not None and first_author(truth) == first_author(pred)


def same_date(truth: str, pred: str | None) -> bool:
    """The date part: YYYY-MM-DD (or as much of it as the truth gives)."""
    day = truth.strip()[:10]
    return pred is not None and pred.strip()[: len(day)] == day


# --- trafilatura-eval -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Confusion:
    """Snippet counts: `with` found (tp) or missed (fn), `without` leaked (fp) or not (tn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0

    @property
    def f(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends stripped (case and typography kept)."""
    return " ".join(text.split())


def segment_counts(with_: Sequence[str], without: Sequence[str], text: str) -> Confusion:
    """One page's confusion counts; an empty output finds nothing."""
    output = collapse(text)
    found = sum(1 for s in with_ if output and collapse(s) in output)
    leaked = sum(1 for s in without if output and collapse(s) in output)
    return Confusion(found, leaked, len(with_) - found, len(without) - leaked)
