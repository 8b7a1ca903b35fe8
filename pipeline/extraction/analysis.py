"""Analysis: the stages of one page, up to the article-or-listing decision.

`analyse` runs STAGES, in order, over one `PageContext` (the page, its options,
and what each stage found for the next); each stage is a function of the context
alone. The parsed tree is mutated at three points only, always through the
page's index (`PageIndex`), so that its measures leave the removed text out:

    take_references   the bibliography's heading and entries are removed, so they
                      do not also land in the body's text
    clean             the site rule's furniture and what never holds text
                      (script, style, ...) are removed
    build_body        after the body's blocks are read, the flagged furniture is
                      removed: the page-type features read the page without it

Every other stage reads the tree or the context and writes only the context.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.errors import EmptyBody, ParseError
from pipeline.extraction import (
    body,
    decode,
    hydration,
    limits,
    metadata,
    pagetype,
    references,
    sites,
)
from pipeline.extraction.body import Decision, clean
from pipeline.extraction.body.features import PageEvidence
from pipeline.extraction.pageindex import PageIndex
from pipeline.extraction.render import render_text
from pipeline.extraction.thresholds import (
    DECLARED_MIN_WORDS,
    DECLARED_SHARE,
    HYDRATION_BELOW_WORDS,
    MIN_WORDS_BESIDE_REFERENCES,
    STREAM_BELOW_WORDS,
)
from pipeline.normalize import word_count
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.page import Page
from pipeline.record import Reference

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


@dataclass(slots=True)
class PageContext:
    """One page on its way through STAGES: the input, then what each stage found
    (set by the stage named beside it, read by the ones after)."""

    page: Page
    options: Options
    html: str = field(init=False)  # decode
    tree: LexborHTMLParser = field(init=False)  # parse
    page_body: LexborNode = field(init=False)  # parse: the tree's <body>
    index: PageIndex = field(init=False)  # parse: the index of the <body>
    meta: metadata.Metadata = field(init=False)  # read_metadata
    rule: sites.SiteRule = field(init=False)  # read_metadata
    refs: tuple[Reference, ...] = field(init=False)  # take_references
    signals: pagetype.PageSignals = field(init=False)  # read_page_signals
    scripts: list[str] = field(init=False)  # read_page_signals: hydration payloads
    root: LexborNode = field(init=False)  # clean
    evidence: PageEvidence = field(init=False)  # build_body
    built: body.Body = field(init=False)  # build_body, then the two after it
    decisions: list[Decision] = field(init=False)  # build_body
    holder: int = field(init=False)  # build_body: the container's index position
    text: str = field(init=False)  # build_body, then the two after it
    words: int = field(init=False)  # build_body, then the two after it
    source: str = field(init=False)  # take_declared_body
    values: tuple[float, ...] = field(init=False)  # page_type_features
    declared: bool = field(init=False)  # page_type_features
    schema: bool = field(init=False)  # page_type_features


def check_shape(c: PageContext) -> None:
    """Refuse, before parsing, markup whose shape alone would cost seconds."""
    limits.check(c.page.content, c.options.max_bytes)


def decode_page(c: PageContext) -> None:
    c.html = decode.decode(c.page.content, c.page.http_charset, c.options.max_bytes)


def parse(c: PageContext) -> None:
    c.tree = _parse(c.html)
    if c.tree.body is None:
        raise EmptyBody("the page has no <body>")
    c.page_body = c.tree.body
    c.index = PageIndex(c.page_body)


def read_metadata(c: PageContext) -> None:
    """The page's metadata, with its site rule's answers over it. (htmldate's
    last-resort search, a second parse, waits until the page is known to give a
    record: see extraction._article.)"""
    c.meta = metadata.read_metadata(c.tree, c.page.url)
    url = c.page.url or c.meta.canonical_url
    c.rule = sites.rule_for(url, c.options.site_rules) or sites.SiteRule()
    c.meta = c.rule.apply_metadata(c.meta, c.tree)


def take_references(c: PageContext) -> None:
    """Parse the bibliography, then take it out (mutates the tree)."""
    c.refs = _references(c.tree, c.index, c.options)


def read_page_signals(c: PageContext) -> None:
    """What the intact page shows (teaser cards, ...) and its hydration payloads,
    read before the clean stage removes any of it."""
    c.signals = pagetype.page_signals(c.tree, c.index)
    c.scripts = hydration.payloads(c.tree)


def clean_page(c: PageContext) -> None:
    """Remove the site rule's furniture and what never holds text (mutates the tree)."""
    c.rule.strip(c.page_body, c.index)
    c.root = clean.clean(c.page_body, c.index)


def build_body(c: PageContext) -> None:
    """The body's blocks, then the page without its furniture (mutates the tree)."""
    c.evidence = _evidence(c.meta)
    given = c.rule.container(c.root)
    found = body.build(
        c.index, 0, c.meta.title, c.evidence, c.index.pos.get(given.mem_id) if given else None
    )
    c.built, c.decisions = found.body, found.decisions
    clean.drop(found.flags, c.index)  # the page-type features read the page without furniture
    c.holder = found.holder
    c.text = render_text(c.built.blocks, c.built.tables)
    c.words = word_count(c.text)


def take_declared_body(c: PageContext) -> None:
    """The body the page declares (JSON-LD, a hydration payload) stands in for a
    much shorter one the HTML gave."""
    declared_body = _declared_body(c.meta, c.scripts, c.words)
    c.source = "html"
    if declared_body is not None:
        c.source = declared_body.source
        c.built = body.Body(blocks=list(declared_body.paragraphs))
        c.text = render_text(c.built.blocks, c.built.tables)
        c.words = word_count(c.text)


def drop_references_tab(c: PageContext) -> None:
    if c.refs and c.words < MIN_WORDS_BESIDE_REFERENCES:
        # A references tab: the article's body is not on this page, and what the
        # container found is the page's furniture (access boxes, journal name).
        c.built, c.text, c.words = body.Body(), "", 0


def page_type_features(c: PageContext) -> None:
    meta = c.meta
    # A credited organisation is as much a shown byline as a person (the page-type
    # model was fitted when it was returned as the author).
    shown = (meta.dated_by_article, bool(meta.authors or meta.credits))
    c.values = pagetype.features(
        meta.structured,
        c.signals,
        c.page.url,
        shown,
        c.index,
        c.holder,
        c.built.blocks,
        meta.title,
        c.decisions,
    )
    c.declared = pagetype.declares_article(meta.structured, c.signals)
    c.schema = pagetype.declares_schema_article(meta.structured)


# The analysis of a page, in order: each stage reads what the ones before it set.
STAGES: tuple[Callable[[PageContext], None], ...] = (
    check_shape,
    decode_page,
    parse,
    read_metadata,
    take_references,
    read_page_signals,
    clean_page,
    build_body,
    take_declared_body,
    drop_references_tab,
    page_type_features,
)


def analyse(page: Page, options: Options = DEFAULT_OPTIONS) -> Analysis:
    """The stages up to the page-type decision (also what its model is fitted on)."""
    c = PageContext(page, options)
    for stage in STAGES:
        stage(c)
    return Analysis(
        c.meta,
        c.refs,
        c.built,
        c.text,
        c.words,
        c.values,
        c.declared,
        c.schema,
        tuple(c.decisions),
        c.evidence,
        c.source,
        c.html,
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
