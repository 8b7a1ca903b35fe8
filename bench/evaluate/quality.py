"""Run the systems over benchmark pages, score every page, and sum up per system.

Every system sees each page in turn (same pages, same run). A `PageRow` is one
(system, page) result; `aeb_summary`, `wcxb_summary` and `trafeval_summary` fold
rows into the benchmarks' published figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from bench.evaluate import metrics
from bench.evaluate.datasets import BenchPage
from bench.evaluate.systems import CRASH, Prediction, System, run_safely

#: Page types that a news pipeline must not turn into articles.
INDEX_TYPES = ("listing", "collection")


@dataclass(frozen=True, slots=True)
class PageRow:
    """One system's result on one page. Precision/recall are None where undefined."""

    dataset: str
    id: str
    url: str | None
    page_type: str
    system: str
    f1: float
    precision: float | None
    recall: float | None
    with_found: int = 0
    with_total: int = 0
    without_leaked: int = 0
    without_total: int = 0
    title_ok: bool | None = None
    author_ok: bool | None = None
    date_ok: bool | None = None
    rejected: str | None = None
    message: str | None = None


def run_pages(
    dataset: str, pages: Iterable[BenchPage], systems: Sequence[System]
) -> Iterator[PageRow]:
    for page in pages:
        for system in systems:
            yield score_page(dataset, page, system.name, run_safely(system, page))


def score_page(dataset: str, page: BenchPage, system: str, pred: Prediction) -> PageRow:
    row = PageRow(
        dataset,
        page.id,
        page.url,
        page.page_type,
        system,
        0.0,
        None,
        None,
        rejected=pred.rejected,
        message=pred.message,
    )
    if dataset == "aeb":
        shingled = metrics.shingle_overlap(page.text, pred.text)
        return replace(row, f1=shingled.f1, precision=shingled.precision, recall=shingled.recall)
    if dataset == "trafeval":
        counts = metrics.segment_counts(page.with_, page.without, pred.text)
        return replace(
            row,
            f1=counts.f,
            precision=counts.precision,
            recall=counts.recall,
            with_found=counts.tp,
            with_total=len(page.with_),
            without_leaked=counts.fp,
            without_total=len(page.without),
        )
    row = _wcxb_checks(row, page, pred)
    score = metrics.word_score(page.text, pred.text)
    return replace(row, f1=score.f1, precision=score.precision, recall=score.recall)


def _wcxb_checks(row: PageRow, page: BenchPage, pred: Prediction) -> PageRow:
    return replace(
        row,
        with_found=metrics.snippets_in(page.with_, pred.text),
        with_total=len(page.with_),
        without_leaked=metrics.snippets_in(page.without, pred.text),
        without_total=len(page.without),
        title_ok=metrics.same_title(page.title, pred.title) if page.title else None,
        author_ok=metrics.same_author(page.author, pred.author) if page.author else None,
        date_ok=metrics.same_date(page.published, pred.published) if page.published else None,
    )


# --- summaries -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AebSummary:
    pages: int
    f1: float
    precision: float
    recall: float
    rejected: int
    crashed: int


def aeb_summary(rows: Sequence[PageRow]) -> AebSummary:
    score = metrics.mean_score((r.precision, r.recall) for r in rows)
    return AebSummary(
        pages=len(rows),
        f1=score.f1,
        precision=score.precision,
        recall=score.recall,
        rejected=sum(1 for r in rows if r.rejected),
        crashed=sum(1 for r in rows if r.rejected == CRASH),
    )


@dataclass(frozen=True, slots=True)
class WcxbSummary:
    """One system on the pages of one type (or "all"). Shares are per-page means."""

    pages: int
    f1: float
    with_found: float
    without_leaked: float
    title: float
    author: float
    date: float
    accepted: int
    rejected: int
    crashed: int


def wcxb_summary(rows: Sequence[PageRow]) -> WcxbSummary:
    return WcxbSummary(
        pages=len(rows),
        f1=metrics.mean(r.f1 for r in rows),
        with_found=metrics.mean(r.with_found / r.with_total for r in rows if r.with_total),
        without_leaked=metrics.mean(
            r.without_leaked / r.without_total for r in rows if r.without_total
        ),
        title=_rate(r.title_ok for r in rows),
        author=_rate(r.author_ok for r in rows),
        date=_rate(r.date_ok for r in rows),
        accepted=sum(1 for r in rows if not r.rejected),
        rejected=sum(1 for r in rows if r.rejected),
        crashed=sum(1 for r in rows if r.rejected == CRASH),
    )


def _rate(checks: Iterable[bool | None]) -> float:
    """Share of True among the pages where the check applies."""
    return metrics.mean(float(c) for c in checks if c is not None)


def by_type(rows: Sequence[PageRow]) -> dict[str, WcxbSummary]:
    """Summaries per page type, in a fixed order, for one system's rows."""
    kinds = sorted({r.page_type for r in rows}, key=lambda k: (k != "article", k))
    return {k: wcxb_summary([r for r in rows if r.page_type == k]) for k in kinds}


@dataclass(frozen=True, slots=True)
class TrafevalSummary:
    """Snippet counts summed over the pages, and the scores of the sums."""

    pages: int
    precision: float
    recall: float
    accuracy: float
    f: float
    no_record: int
    crashed: int


def trafeval_summary(rows: Sequence[PageRow]) -> TrafevalSummary:
    total = sum((_confusion(r) for r in rows), metrics.Confusion())
    return TrafevalSummary(
        pages=len(rows),
        precision=total.precision,
        recall=total.recall,
        accuracy=total.accuracy,
        f=total.f,
        no_record=sum(1 for r in rows if r.rejected),
        crashed=sum(1 for r in rows if r.rejected == CRASH),
    )


def _confusion(row: PageRow) -> metrics.Confusion:
    return metrics.Confusion(
        tp=row.with_found,
        fp=row.without_leaked,
        fn=row.with_total - row.with_found,
        tn=row.without_total - row.without_leaked,
    )
