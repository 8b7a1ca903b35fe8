"""Extraction: one page's bytes in, one Article out (or a named ExtractionError).

`analyse` (analysis.py) runs the page's stages, a named list (STAGES) over one
page context, up to the article-or-listing decision:

    check_shape -> decode_page -> parse -> read_metadata (+ site rule)
        -> take_references -> read_page_signals -> clean_page (remove what is never
        text) -> build_body (container, segment, the block model keeps the article's
        blocks, render) -> take_declared_body -> drop_references_tab
        -> page_type_features

`extract_page` then decides (consent wall, stub, page type) and builds the
record. Both are pure functions of (Page, Options) apart from the volatile
`extracted_at` stamp, so they give the same result on any process or machine.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import UTC, datetime

from pipeline.errors import (
    ConsentWall,
    EmptyBody,
    ExtractionError,
    ExtractorError,
    NotArticle,
    Reason,
    TooMuchMemory,
)
from pipeline.extraction import access, confidence, language, pagetype
from pipeline.extraction.analysis import Analysis, analyse
from pipeline.extraction.body import blockmodel
from pipeline.extraction.metadata import byline, dates
from pipeline.extraction.thresholds import ERROR_MESSAGE_CHARS, STUB_WORDS
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.page import Page
from pipeline.record import SCHEMA_VERSION, Article, Reference
from pipeline.version import __version__

__all__ = ["Analysis", "Page", "analyse", "extract_page"]

_log = logging.getLogger(__name__)


def extract_page(page: Page, options: Options = DEFAULT_OPTIONS) -> Article:
    """Run every stage on one page; raise an ExtractionError subclass when no article results.

    Nothing else leaves: an unexpected exception (a bug, a library's surprise on
    hostile markup) becomes ExtractorError with its type and message, and the
    traceback goes to the debug log, so one page never stops a batch.
    """
    try:
        return _extract(page, options)
    except ExtractionError:
        raise
    except MemoryError as exc:  # under a worker's memory limit
        raise TooMuchMemory("the page needed more memory than the limit allows") from exc
    except Exception as exc:
        _log.debug("extractor error on %s", page.input or page.url, exc_info=True)
        raise ExtractorError(f"{type(exc).__name__}: {exc}"[:ERROR_MESSAGE_CHARS]) from exc


def _extract(page: Page, options: Options) -> Article:
    found = analyse(page, options)
    if not found.references and access.consent_wall(
        found.decisions, found.declared_article, found.html
    ):
        raise ConsentWall("a cookie or consent page, not the article")
    if found.words == 0 or _page_words(found) < STUB_WORDS:
        _check_body(found, options)  # a stub: too little text to be anything
    kind = pagetype.classify(found.page_features, found.declared_article, found.declared_schema)
    # A bibliography makes a scholarly page, whatever else its tab shows. A listing
    # is said to be one before its (short: teasers are not body) text is counted.
    if not kind.is_article and not found.references:
        if not options.force:
            raise NotArticle(kind.reason)
        _check_body(found, options)
        forced = f"{Reason.NOT_ARTICLE}: {kind.reason}"
        return replace(_article(page, found, _confidence(found, kind)), forced=forced)
    _check_body(found, options)
    return _article(page, found, _confidence(found, kind))


def _confidence(found: Analysis, kind: pagetype.PageType) -> float:
    return confidence.score(confidence_features(found, kind))


def confidence_features(found: Analysis, kind: pagetype.PageType) -> tuple[float, ...]:
    """The evidence the confidence model reads (bench/fit_confidence.py fits on it)."""
    return confidence.features(
        found.decisions,
        blockmodel.model().threshold,
        found.words,
        pagetype.model().threshold - kind.score,
        found.evidence.declared_body,
        found.text,
        found.body_source != "html",
    )


def _page_words(found: Analysis) -> int:
    """Words of every candidate block of the page, kept or not."""
    return sum(len(d.candidate.text.split()) for d in found.decisions)


def _check_body(found: Analysis, options: Options) -> None:
    """Too little text to be anything: say so before asking what kind of page it is."""
    words = found.words
    if found.references:
        return
    if words == 0:
        raise EmptyBody("no paragraph, list or table of an article was found")
    if words < options.min_words and not found.declared_article:
        raise EmptyBody(f"only {words} words of body text, below the {options.min_words} minimum")


def _content_hash(text: str, refs: tuple[Reference, ...]) -> str:
    """What change and duplicate detection compare: the text, and the references
    when there are any (a references tab has no text: two different ones must not
    look like duplicates)."""
    hashed = text if not refs else "\n".join([text, "\x00references", *(r.text for r in refs)])
    return hashlib.sha256(hashed.encode()).hexdigest()


def _article(page: Page, found: Analysis, sure: float) -> Article:
    meta, text, words, refs = found.meta, found.text, found.words, found.references
    content_hash = _content_hash(text, refs)
    key = meta.canonical_url or page.url
    return Article(
        schema_version=SCHEMA_VERSION,
        id=hashlib.sha256((key or content_hash).encode()).hexdigest()[:32],
        input=page.input,
        url=page.url,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        title=meta.title,
        authors=meta.authors,
        credits=byline.with_dateline(meta.credits, found.body.blocks),
        published=meta.published or (dates.date_from_page(found.html, page.url) or None),
        modified=meta.modified,
        language=language.decide(meta.language, text),
        section=meta.section,
        tags=meta.tags,
        description=meta.description,
        doi=meta.doi,
        source=meta.source,
        access=access.access(meta.structured.is_accessible_for_free, found.decisions),
        confidence=sure,
        text=text,
        blocks=tuple(found.body.blocks),
        tables=tuple(found.body.tables),
        references=refs,
        word_count=words,
        content_hash=content_hash,
        extracted_at=datetime.now(UTC).isoformat(timespec="seconds"),
        extractor_version=__version__,
    )
