"""Extraction: one page's bytes in, one Article out (or a named ExtractionError).

The stages run in a fixed order, each in its own module:

    decode -> parse -> metadata (+ site rule) -> references -> clean (remove what is
           never text, flag furniture) -> container -> segment (every candidate block)
           -> body (the block model keeps the article's blocks) -> render -> page type
           -> Article

`analyse` runs the stages up to the page-type decision; `extract_page` decides
and builds the record. Both are pure functions of (Page, Options) apart from
the volatile `extracted_at` stamp, so they give the same result on any process
or machine.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser

from pipeline.errors import (
    ConsentWall,
    EmptyBody,
    ExtractionError,
    ExtractorError,
    NotArticle,
    ParseError,
    Reason,
    TooMuchMemory,
)
from pipeline.extraction import (
    access,
    body,
    confidence,
    decode,
    hydration,
    language,
    limits,
    metadata,
    pagetype,
    references,
    sites,
)
from pipeline.extraction.body import Decision, blockmodel, clean
from pipeline.extraction.body.features import PageEvidence
from pipeline.extraction.metadata import byline, dates
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.render import render_text
from pipeline.extraction.thresholds import (
    DECLARED_MIN_WORDS,
    DECLARED_SHARE,
    ERROR_MESSAGE_CHARS,
    HYDRATION_BELOW_WORDS,
    MIN_WORDS_BESIDE_REFERENCES,
    STREAM_BELOW_WORDS,
    STUB_WORDS,
)
from pipeline.normalize import word_count
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.page import Page
from pipeline.record import SCHEMA_VERSION, Article, Reference
from pipeline.version import __version__

__all__ = ["Analysis", "Page", "analyse", "extract_page"]

_log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the stages found on a page, before the article-or-listing decision."""

    meta: metadata.Metadata
    references: tuple[Reference, ...]
    body: body.Body
    text: str
    words: int
    page_features: tuple[float, ...]
    declared_article: bool
    declared_schema: bool = False
    decisions: tuple[Decision, ...] = ()
    evidence: PageEvidence = field(default_factory=PageEvidence)
    body_source: str = "html"  # or where the declared body came from ("json-ld", "hydration")
    html: str = field(default="", repr=False)  # the decoded page, for the last date search


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


def analyse(page: Page, options: Options = DEFAULT_OPTIONS) -> Analysis:
    """The stages up to the page-type decision (also what its model is fitted on)."""
    limits.check(page.content, options.max_bytes)
    html = decode.decode(page.content, page.http_charset, options.max_bytes)
    tree = _parse(html)
    if tree.body is None:
        raise EmptyBody("the page has no <body>")
    index = PageIndex(tree.body)
    # htmldate's last-resort search (a second parse) waits until the page is known
    # to give a record: see _article.
    meta = metadata.read_metadata(tree, page.url)
    rule = sites.rule_for(page.url or meta.canonical_url, options.site_rules) or sites.SiteRule()
    meta = rule.apply_metadata(meta, tree)
    refs = _references(tree, index, options)
    signals = pagetype.page_signals(tree, index)
    scripts = hydration.payloads(tree)
    rule.strip(tree.body, index)
    root = clean.clean(tree.body, index)
    evidence = _evidence(meta)
    given = rule.container(root)
    found = body.build(
        index, 0, meta.title, evidence, index.pos.get(given.mem_id) if given else None
    )
    built, decisions = found.body, found.decisions
    clean.drop(found.flags, index)  # the page-type features read the page without furniture
    holder = found.holder
    text = render_text(built.blocks, built.tables)
    words = word_count(text)
    declared_body = _declared_body(meta, scripts, words)
    source = "html"
    if declared_body is not None:
        source = declared_body.source
        built = body.Body(blocks=list(declared_body.paragraphs))
        text = render_text(built.blocks, built.tables)
        words = word_count(text)
    if refs and words < MIN_WORDS_BESIDE_REFERENCES:
        # A references tab: the article's body is not on this page, and what the
        # container found is the page's furniture (access boxes, journal name).
        built, text, words = body.Body(), "", 0
    # A credited organisation is as much a shown byline as a person (the page-type
    # model was fitted when it was returned as the author).
    shown = (meta.dated_by_article, bool(meta.authors or meta.credits))
    values = pagetype.features(
        meta.structured,
        signals,
        page.url,
        shown,
        index,
        holder,
        built.blocks,
        meta.title,
        decisions,
    )
    declared = pagetype.declares_article(meta.structured, signals)
    schema = pagetype.declares_schema_article(meta.structured)
    return Analysis(
        meta,
        refs,
        built,
        text,
        words,
        values,
        declared,
        schema,
        tuple(decisions),
        evidence,
        source,
        html,
    )


def _declared_body(
    meta: metadata.Metadata, scripts: list[str], words: int
) -> hydration.Declared | None:
    """The body the page declares, when the HTML gave much less of it: JSON-LD's
    articleBody first, then a hydration payload (read only for short bodies)."""
    declared = hydration.from_json_ld(meta.structured.body)
    if declared is not None and declared.words >= DECLARED_MIN_WORDS:
        return declared if words < DECLARED_SHARE * declared.words else None
    if words >= HYDRATION_BELOW_WORDS or not scripts:
        return None
    declared = hydration.from_hydration(scripts)
    if declared is not None and words < DECLARED_SHARE * declared.words:
        return declared
    if words < STREAM_BELOW_WORDS:
        # A streamed payload holds the whole page as the HTML shows it, and more:
        # it stands in only for HTML that shows next to nothing (a spinner).
        declared = hydration.from_stream(scripts)
        if declared is not None and words < DECLARED_SHARE * declared.words:
            return declared
    return None


def _evidence(meta: metadata.Metadata) -> PageEvidence:
    data = meta.structured
    return PageEvidence(
        declared_body=tuple(_words(data.body)),
        description=tuple(_words(data.description)),
    )


def _words(text: str | None) -> list[str]:
    return _WORD.findall(text.lower()) if text else []


def _parse(text: str) -> LexborHTMLParser:
    try:
        return LexborHTMLParser(text)
    except Exception as exc:  # lexbor raises bare errors on pathological input
        raise ParseError(f"the HTML parser failed: {exc}") from exc


def _references(
    tree: LexborHTMLParser, index: PageIndex, options: Options
) -> tuple[Reference, ...]:
    """Parse the bibliography, then take it out so it does not also land in `text`."""
    if not options.references or tree.body is None:
        return ()
    bib = references.locate(tree.body)
    if bib is None:
        return ()
    entries = references.parse_entries(bib)
    if bib.heading is not None:
        index.remove_node(bib.heading)
    for node in bib.entries:
        index.remove_node(node)
    return entries


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
