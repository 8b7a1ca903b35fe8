"""The extractors under test, each a small class: `name` and `run(page) -> Prediction`.

`run` raises nothing: a page an extractor refuses gives an empty text and
`rejected` (our ExtractionError reason, or "empty" for a trafilatura page with no
output), and any other exception gives `rejected="crash"` with its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import trafilatura
from trafilatura.settings import Document

from bench.evaluate.datasets import BenchPage
from pipeline.errors import ExtractionError
from pipeline.extraction import Page, extract_page, native

CRASH = "crash"
#: Ours on the pure-Python path (no compiled walk), in the speed run.
OURS_PURE = "ours pure-python"


@dataclass(frozen=True, slots=True)
class Prediction:
    text: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    rejected: str | None = None
    message: str | None = None


class System(Protocol):
    @property
    def name(self) -> str: ...

    def run(self, page: BenchPage) -> Prediction: ...


def run_safely(system: System, page: BenchPage) -> Prediction:
    """`system.run(page)`, with an unexpected exception turned into a "crash" row."""
    try:
        return system.run(page)
    except Exception as exc:  # a crash is a result to report, not a reason to stop
        return Prediction("", rejected=CRASH, message=f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class Ours:
    """Our extractor; `pure`: on the pure-Python path even when the optional C walk
    (pipeline/extraction/native.py) is built, to measure both in one process."""

    name: str = "ours"
    pure: bool = False

    def run(self, page: BenchPage) -> Prediction:
        native.switch_off(self.pure)
        try:
            article = extract_page(Page(page.html, page.url))
        except ExtractionError as exc:
            return Prediction("", rejected=str(exc.reason), message=exc.message)
        return Prediction(
            text=article.text,
            title=article.title,
            author=article.authors[0] if article.authors else None,
            published=article.published,
        )


@dataclass(frozen=True, slots=True)
class Trafilatura:
    """`trafilatura.bare_extraction` with metadata on and the given settings."""

    name: str = "trafilatura"
    include_comments: bool = True
    favor_precision: bool = False

    def run(self, page: BenchPage) -> Prediction:
        doc = trafilatura.bare_extraction(
            page.html,
            url=page.url,
            with_metadata=True,
            include_comments=self.include_comments,
            favor_precision=self.favor_precision,
        )
        text = doc.text if isinstance(doc, Document) else None
        if not isinstance(doc, Document) or text is None or not text.strip():
            return Prediction("", rejected="empty")
        author = doc.author.split(";")[0].strip() if doc.author else None
        return Prediction(text=text, title=doc.title, author=author, published=doc.date)


def peers() -> tuple[Trafilatura, ...]:
    """trafilatura as shipped, without comments (the AEB reference run), favouring precision."""
    return (
        Trafilatura("trafilatura"),
        Trafilatura("trafilatura no-comments", include_comments=False),
        Trafilatura("trafilatura precision", favor_precision=True),
    )


def systems(with_peers: bool = True) -> tuple[System, ...]:
    return (Ours(), *peers()) if with_peers else (Ours(),)
