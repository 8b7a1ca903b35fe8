"""Why a page gave the record it gave: every block kept or dropped, with its score
and the signals behind it, and the page-type decision with its evidence.

`explain(page)` runs the same stages as extraction (`analyse`) and turns what
they decided into an `Explanation`; `render` prints it for people, `to_json`
for tools, and `explain_html` returns the page itself with every block outlined:
green kept, red dropped, its score, rule and signals on hover. It is how a site
rule is written (which container, which furniture the names missed) and how a
regression is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.extraction import Analysis, Page, analyse, pagetype
from pipeline.extraction.body import Decision, blockmodel
from pipeline.options import DEFAULT_OPTIONS, Options

_SIGNALS = 5  # strongest signals shown per block
_TEXT = 90  # characters of a block's text shown
_BRIEF = 70  # ... in the brief form


@dataclass(frozen=True, slots=True)
class BlockReport:
    kept: bool
    score: float
    kind: str
    reason: str  # the rule that decided, or "" when the score did
    path: str
    text: str
    signals: tuple[tuple[str, float], ...]  # (feature, weight), strongest first
    position: int = -1  # the block's element in the page index (see PageIndex)


@dataclass(frozen=True, slots=True)
class Explanation:
    url: str | None
    title: str | None
    error: str | None  # the extraction error, when the page gives no record
    body_source: str
    words: int
    threshold: float
    blocks: tuple[BlockReport, ...]
    is_article: bool | None
    page_reason: str
    page_score: float | None
    page_features: tuple[tuple[str, float], ...]


def explain(page: Page, options: Options = DEFAULT_OPTIONS) -> Explanation:
    try:
        found = analyse(page, options)
    except ExtractionError as exc:
        return _refused(page, exc)
    return _explained(page, found, options)


def _refused(page: Page, exc: ExtractionError) -> Explanation:
    return Explanation(
        page.url, None, f"{exc.reason}: {exc.message}", "", 0, 0.0, (), None, "", None, ()
    )


def _explained(page: Page, found: Analysis, options: Options) -> Explanation:
    kind = pagetype.classify(found.page_features, found.declared_article, found.declared_schema)
    return Explanation(
        url=page.url,
        title=found.meta.title,
        error=_refusal(found, kind, options),
        body_source=found.body_source,
        words=found.words,
        threshold=blockmodel.model().threshold,
        blocks=tuple(_block(d) for d in found.decisions),
        is_article=kind.is_article,
        page_reason=kind.reason or ("declares an article" if kind.declared_article else ""),
        page_score=kind.score,
        page_features=tuple(zip(pagetype.FEATURES, found.page_features, strict=True)),
    )


def _refusal(found: Analysis, kind: pagetype.PageType, options: Options) -> str | None:
    """What extraction would refuse the page for (its checks, in its order)."""
    if not found.references:
        if found.words == 0:
            return "empty_body: no paragraph, list or table of an article was found"
        if not kind.is_article:
            return f"not_article: {kind.reason}"
        if found.words < options.min_words and not found.declared_article:
            return f"empty_body: only {found.words} words of body text"
    return None


def _block(decision: Decision) -> BlockReport:
    c = decision.candidate
    signals = blockmodel.contributions(decision.features + decision.context)
    return BlockReport(
        kept=decision.kept,
        score=decision.score,
        kind=c.kind,
        reason=decision.reason,
        path=c.context.path,
        text=c.text,
        signals=tuple(signals[:_SIGNALS]),
        position=c.context.chain[0] if c.context.chain else -1,
    )


def render(report: Explanation, all_signals: bool = True) -> str:
    """The explanation as text for a terminal: every block, with its signals."""
    lines = _head(report)
    if report.error and not report.blocks:
        return "\n".join(lines)
    lines.append(
        "  evidence: " + ", ".join(f"{name}={value:g}" for name, value in report.page_features)
    )
    lines.append("blocks:")
    for b in report.blocks:
        mark = "KEEP" if b.kept else "drop"
        why = f" [{b.reason}]" if b.reason else ""
        lines.append(f"{mark} {b.score:+6.2f} {b.kind:<5} {b.path}{why}")
        lines.append(f"      {_snippet(b.text)!r}")
        if all_signals and b.signals and not b.reason:
            lines.append("      " + ", ".join(f"{name} {w:+.2f}" for name, w in b.signals))
    return "\n".join(lines)


def render_brief(report: Explanation) -> str:
    """The decisions, and the kept blocks one line each: what a glance needs."""
    lines = _head(report)
    if report.error and not report.blocks:
        return "\n".join(lines)
    kept = [b for b in report.blocks if b.kept]
    by_rule = sum(1 for b in report.blocks if not b.kept and b.reason)
    dropped = len(report.blocks) - len(kept)
    lines.append(f"kept ({len(kept)}; dropped {dropped}, {by_rule} of them by a rule):")
    lines.extend(f"  {b.score:+6.2f} {b.kind:<5} {_snippet(b.text, _BRIEF)!r}" for b in kept)
    return "\n".join(lines)


def _head(report: Explanation) -> list[str]:
    """Where, what, and the body and page-type decisions."""
    lines = [f"url: {report.url or '-'}", f"title: {report.title or '-'}"]
    if report.error and not report.blocks:
        return [*lines, f"no record: {report.error}"]
    kept = sum(b.kept for b in report.blocks)
    lines.append(
        f"body: {kept} of {len(report.blocks)} blocks kept, {report.words} words"
        f" (from {report.body_source}); a block is kept at score >= {report.threshold:+.2f}"
    )
    verdict = "article" if report.is_article else "not an article"
    score = f"{report.page_score:.2f}" if report.page_score is not None else "-"
    lines.append(f"page type: {verdict} (listing score {score}) {report.page_reason}".rstrip())
    if report.error:
        lines.append(f"record: none ({report.error})")
    return lines


def _snippet(text: str, size: int = _TEXT) -> str:
    line = text.replace("\n", " / ")
    return line if len(line) <= size else line[: size - 1] + "…"


def to_json(report: Explanation) -> dict[str, Any]:
    return {
        "url": report.url,
        "title": report.title,
        "error": report.error,
        "body_source": report.body_source,
        "words": report.words,
        "threshold": report.threshold,
        "page_type": {
            "is_article": report.is_article,
            "reason": report.page_reason,
            "score": report.page_score,
            "features": dict(report.page_features),
        },
        "blocks": [
            {
                "kept": b.kept,
                "score": round(b.score, 3),
                "kind": b.kind,
                "reason": b.reason,
                "path": b.path,
                "text": b.text,
                "signals": [[name, weight] for name, weight in b.signals],
            }
            for b in report.blocks
        ],
    }


# --- the page itself, annotated (`pipeline explain --html`) --------------------------

_STYLE = """
[data-pipeline]{cursor:help}
[data-pipeline=kept]{outline:3px solid #54a24b!important;
background:rgba(84,162,75,.14)!important}
[data-pipeline=dropped]{outline:2px dashed #e45756!important;
background:rgba(228,87,86,.10)!important}
[data-pipeline=ruled]{outline:1px dotted #999!important;
background:rgba(128,128,128,.08)!important}
#pipeline-explain{position:fixed;z-index:2147483647;top:8px;right:8px;max-width:420px;
font:13px/1.4 system-ui,sans-serif;color:#1d2433;background:#fff;border:1px solid #ccd;
border-radius:6px;padding:10px 12px;box-shadow:0 2px 12px rgba(0,0,0,.2)}
#pipeline-explain b.k{color:#2f7d32}#pipeline-explain b.d{color:#c62828}
"""
# Nothing of the page may run or reach out: the view is for reading.
_INERT = (
    "script, noscript, iframe, object, embed, frame, frameset, link[rel=preload], meta[http-equiv]"
)


def explain_html(page: Page, options: Options = DEFAULT_OPTIONS) -> tuple[Explanation, str]:
    """The explanation, and the page itself with each block's element outlined (green
    kept, red dropped by its score, grey dropped by a rule) and its decision in a
    tooltip: score, rule, strongest signals. Scripts, frames and event handlers are
    taken out. A page that gives no blocks comes back as a note saying why."""
    try:
        found = analyse(page, options)
    except ExtractionError as exc:
        report = _refused(page, exc)
        return report, _note_page(report)
    report = _explained(page, found, options)
    from selectolax.lexbor import LexborHTMLParser

    from pipeline.extraction.pageindex import PageIndex

    # The same parse as the analysis: index positions name the same elements.
    tree = LexborHTMLParser(found.html)
    if tree.body is None:
        return report, _note_page(report)
    index = PageIndex(tree.body)
    notes: dict[int, list[BlockReport]] = {}
    for block in report.blocks:
        if 0 <= block.position < len(index.tags):
            notes.setdefault(block.position, []).append(block)
    for position, blocks in notes.items():
        node = index.node(position)
        node.attrs["data-pipeline"] = _verdict(blocks)
        node.attrs["title"] = "\n\n".join(_tooltip(b) for b in blocks)
    for node in tree.css(_INERT):
        node.decompose()
    for node in tree.body.traverse():
        for name in [a for a in node.attributes if a.lower().startswith("on")]:
            del node.attrs[name]
    style = LexborHTMLParser(f"<style>{_STYLE}</style>").css_first("style")
    panel = LexborHTMLParser(_panel(report)).css_first("#pipeline-explain")
    if tree.head is not None and style is not None:
        tree.head.insert_child(style)
    if panel is not None:
        tree.body.insert_child(panel)
    return report, tree.html or ""


def _verdict(blocks: list[BlockReport]) -> str:
    if any(b.kept for b in blocks):
        return "kept"
    return "ruled" if all(b.reason for b in blocks) else "dropped"


def _tooltip(block: BlockReport) -> str:
    mark = "KEPT" if block.kept else "dropped"
    why = f" [{block.reason}]" if block.reason else ""
    signals = ", ".join(f"{name} {w:+.2f}" for name, w in block.signals)
    return f"{mark} {block.score:+.2f} {block.kind}{why}\n{signals}".rstrip()


def _panel(report: Explanation) -> str:
    from html import escape

    kept = sum(b.kept for b in report.blocks)
    verdict = "article" if report.is_article else "not an article"
    record = escape(report.error) if report.error else f"{report.words} words"
    return (
        '<div id="pipeline-explain"><b>pipeline explain</b><br>'
        f"{escape(report.title or '(no title)')}<br>"
        f'<b class="k">{kept} kept</b> · <b class="d">{len(report.blocks) - kept} dropped</b>'
        f" (threshold {report.threshold:+.2f}); page type: {verdict}; record: {record}<br>"
        "<small>green: kept · red dashed: dropped by its score · grey dotted: dropped by a"
        " rule · hover a block for its score and signals</small></div>"
    )


def _note_page(report: Explanation) -> str:
    from html import escape

    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{_STYLE}</style></head>"
        f"<body>{_panel(report)}<p>{escape(report.error or 'no blocks')}</p></body></html>"
    )
