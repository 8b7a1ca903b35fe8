"""The run report: one self-contained HTML file a person opens.

Every `pipeline run` writes `report.html` into its folder, and `pipeline report
RUN_DIR` writes it again (or elsewhere) from what the folder holds:

    run.json         the funnel per source (found -> kept -> fetched -> written,
                     failed by reason), the field coverage per source and its
                     trend over recent runs, the alerts
    the records      body word counts, published dates (a "today" date bar
                     shows as one tall bar on the run's day), near-duplicate
                     clusters (`duplicate_of`); JSON Lines, or Parquet when
                     pyarrow is installed (Markdown records are not read back)

No script, no stylesheet or font from elsewhere: charts are inline SVG
(pipeline/charts.py), so the file opens offline and can be mailed or archived.
"""

from __future__ import annotations

import html
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.coverage import FIELDS
from pipeline.errors import OutputError, os_fault
from pipeline.record import day_of

_log = logging.getLogger("pipeline.report")

REPORT = "report.html"
_STAGES = ("found", "kept", "fetched", "written")
_OUTCOMES = ("not_modified", "unchanged", "duplicates")
# Fields every article should have; coverage of the others (tables) is only shown.
_EXPECTED = frozenset(("title", "authors", "published", "published_at", "language"))
_WORD_BINS = 30
_MAX_DAYS = 120  # the published-date chart's most recent days
_MAX_CLUSTERS = 50
_CHART_SOURCES = 20  # sources drawn in the funnel and trend charts (tables list all)


@dataclass(slots=True)
class _Records:
    """What the report reads of a run's records."""

    words: list[int] = field(default_factory=list)
    days: Counter[str] = field(default_factory=Counter)
    undated: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # record id -> title or URL
    duplicates: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    readable: bool = True  # False: records in a format the report does not read


def write_report(folder: Path, out: Path | None = None) -> Path:
    """Write the report of the run in `folder` (to `out`, by default the folder's
    report.html); return its path. Raises OutputError if the folder holds no run, or
    a run.json it cannot read."""
    target = out or folder / REPORT
    try:
        text = render(folder)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # A run.json edited by hand, or of another version: say so, not a traceback.
        raise OutputError(
            f"{folder / 'run.json'} is not a run summary this version reads: {exc!r}"
        ) from exc
    try:
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as exc:
        raise os_fault(exc, f"cannot write {target}") from exc
    return target


def render(folder: Path) -> str:
    """The report of the run in `folder`, as HTML."""
    summary = _summary(folder)
    records = _read_records(folder)
    parts = [
        _head(summary),
        _alerts(summary),
        _funnel(summary),
        _coverage(summary),
        _distributions(summary, records),
        _clusters(records),
        "</main></body></html>\n",
    ]
    return "".join(parts)


def _summary(folder: Path) -> dict[str, Any]:
    path = folder / "run.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OutputError(f"{folder} is not a run folder: it has no run.json") from exc
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise OutputError(f"{path} is not a run summary")
    return data


def _read_records(folder: Path) -> _Records:
    found = _Records()
    lines, parts = folder / "articles.jsonl", folder / "articles"
    if lines.is_file():
        rows: Iterator[Mapping[str, Any]] = _lines(lines)
    elif parts.is_dir() and any(parts.glob("*.parquet")):
        rows = _parquet(parts)
    else:
        found.readable = not any(folder.glob("*.md")) and not (folder / "articles").is_dir()
        return found
    for row in rows:
        record_id = str(row.get("id") or "")
        words = row.get("word_count")
        if isinstance(words, int):
            found.words.append(words)
        day = day_of(row.get("published")) if isinstance(row.get("published"), str) else None
        if day:
            found.days[day] += 1
        else:
            found.undated += 1
        title = row.get("title") or row.get("url") or record_id
        found.titles[record_id] = str(title)
        original = row.get("duplicate_of")
        if isinstance(original, str) and original:
            found.duplicates[original].append(record_id)
    return found


def _lines(path: Path) -> Iterator[Mapping[str, Any]]:
    with path.open(encoding="utf-8", errors="replace") as stream:
        for line in stream:
            try:
                row = json.loads(line)
            except ValueError:  # a torn last line of a killed run
                continue
            if isinstance(row, dict):
                yield row


def _parquet(folder: Path) -> Iterator[Mapping[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        _log.warning("%s: Parquet records need pyarrow to be read back", folder)
        return
    columns = ["id", "url", "title", "word_count", "published", "duplicate_of"]
    for part in sorted(folder.glob("*.parquet")):
        try:
            table = pq.read_table(part, columns=columns)
        except Exception as exc:  # pyarrow's errors have no common base worth naming
            _log.warning("cannot read %s: %s", part, exc)
            continue
        yield from table.to_pylist()


# --- HTML -------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
color:#1d2433;background:#f7f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
section{background:#fff;border:1px solid #e2e5ea;border-radius:6px;padding:16px;margin:16px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:4px 10px;border-bottom:1px solid #eceef2;text-align:right}
th:first-child,td:first-child{text-align:left}
.muted{color:#667085}.alerts{border-color:#e45756;background:#fff5f5}
.alerts li{margin:4px 0}.ok{border-color:#54a24b;background:#f4fbf3}
figure.chart{margin:8px 0}figure.chart svg{max-width:100%;height:auto}
figcaption{font-size:12px;color:#667085}
td.low{background:#fde2e1}td.mid{background:#fff3d6}td.high{background:#e6f4e4}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _head(summary: Mapping[str, Any]) -> str:
    run_id = summary.get("run_id", "?")
    failed = sum(int(v) for v in (summary.get("failed") or {}).values())
    facts = (
        f"started {_e(summary.get('started', '?'))} · {float(summary.get('elapsed_s', 0)):.1f} s"
        f" · discovered {_e(summary.get('discovered', 0))}"
        f" · fetched {_e(summary.get('fetched', 0))}"
        f" · not modified {_e(summary.get('not_modified', 0))}"
        f" · written {_e(summary.get('written', 0))} · failed {failed}"
    )
    stopped = " · <strong>interrupted</strong>" if summary.get("interrupted") else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Run {_e(run_id)}: report</title><style>{_CSS}</style></head><body><main>"
        f'<h1>Run {_e(run_id)}</h1><p class="muted">{facts}{stopped}</p>'
    )


def _alerts(summary: Mapping[str, Any]) -> str:
    alerts = [str(a) for a in summary.get("alerts") or []]
    if not alerts:
        return '<section class="ok" id="alerts"><strong>No alerts.</strong></section>'
    items = "".join(f"<li>{_e(a)}</li>" for a in alerts)
    return (
        f'<section class="alerts" id="alerts"><h2>Alerts ({len(alerts)})</h2>'
        f"<ul>{items}</ul></section>"
    )


def _figure(name: str, svg: str, caption: str) -> str:
    return (
        f'<figure class="chart" data-chart="{_e(name)}">{svg}'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _funnel(summary: Mapping[str, Any]) -> str:
    from pipeline import charts

    sources: Mapping[str, Mapping[str, Any]] = summary.get("sources") or {}
    if not sources:
        return ""
    rows, stages = [], {}
    for name, report in sources.items():
        failed = report.get("failed") or {}
        reasons = ", ".join(f"{_e(k)} {v}" for k, v in sorted(failed.items())) or "–"
        error = (
            f' <span class="muted">(source failed: {_e(report["error"])})</span>'
            if report.get("error")
            else ""
        )
        rows.append(
            f"<tr><td>{_e(name)}{error}</td>"
            + "".join(f"<td>{_e(report.get(stage, 0))}</td>" for stage in _STAGES)
            + "".join(
                f"<td>{_e(report.get(k, 0))}</td>"
                for k in ("not_modified", "unchanged", "duplicates")
            )
            + f"<td>{reasons}</td></tr>"
        )
        stages[name] = [int(report.get(stage, 0) or 0) for stage in _STAGES]
    header = "".join(f"<th>{s}</th>" for s in (*_STAGES, "not modified", "unchanged", "duplicates"))
    # The chart shows the largest sources; the table lists every one.
    largest = sorted(stages, key=lambda name: (-stages[name][0], name))[:_CHART_SOURCES]
    shown = {name: stages[name] for name in stages if name in largest}
    caption = "URLs per source at each stage"
    if len(shown) < len(stages):
        caption += f" (the {len(shown)} sources that found most, of {len(stages)})"
    chart = _figure("funnel", charts.funnel(_STAGES, shown), caption)
    return (
        '<section id="funnel"><h2>Sources: found → kept → fetched → written</h2>'
        f"<table><tr><th>source</th>{header}<th>failed, by reason</th></tr>{''.join(rows)}</table>"
        f"{chart}</section>"
    )


def _coverage(summary: Mapping[str, Any]) -> str:
    from pipeline import charts

    coverage: Mapping[str, Mapping[str, float]] = summary.get("coverage") or {}
    if not coverage:
        return ""
    alerts = summary.get("alerts") or []
    header = "".join(f"<th>{f}</th>" for f in FIELDS)
    rows = []
    for name, figures in coverage.items():
        records = int(figures.get("records", 0))
        cells = "".join(
            _share_cell(figures.get(f), f in _EXPECTED) if records else "<td>–</td>" for f in FIELDS
        )
        words = f"{figures['median_words']:.0f}" if records and "median_words" in figures else "–"
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{records}</td><td>{int(figures.get('failed', 0))}</td>"
            f"{cells}<td>{words}</td></tr>"
        )
    trends = []
    # Trend charts for the sources an alert names, then the largest, up to a limit: a
    # config of a thousand feeds still gives a report that opens.
    named = {name for name in coverage if any(f"'{name}'" in str(a) for a in alerts)}
    ranked = sorted(coverage, key=lambda n: (n not in named, -coverage[n].get("records", 0), n))
    charted = set(ranked[:_CHART_SOURCES])
    for name, history in (summary.get("trend") or {}).items():
        if name not in charted:
            continue
        runs = [str(run) for run, _ in history]
        if len(runs) < 2:
            continue
        series = {f: [_share(h, f) for _, h in history] for f in FIELDS}
        medians = [h.get("median_words") if h.get("records") else None for _, h in history]
        trends.append(
            _figure(
                f"trend-{name}",
                charts.trend(runs, series, "share of records"),
                f"{name}: field coverage over its last {len(runs)} runs",
            )
            + _figure(
                f"words-{name}",
                charts.trend(runs, {"median words": medians}, "words"),
                f"{name}: median body words over its last {len(runs)} runs",
            )
        )
    note = "" if trends else '<p class="muted">Trends appear once a source has two runs.</p>'
    if len(coverage) > len(charted):
        note += (
            f'<p class="muted">Trends of {len(charted)} of {len(coverage)} sources: those an'
            " alert names, then those with most records.</p>"
        )
    return (
        '<section id="coverage"><h2>Field coverage per source</h2>'
        f"<table><tr><th>source</th><th>records</th><th>failed</th>{header}"
        f"<th>median words</th></tr>{''.join(rows)}</table>{''.join(trends)}{note}</section>"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _share(figures: Mapping[str, float], name: str) -> float | None:
    return figures.get(name, 0.0) if figures.get("records") else None


def _share_cell(share: float | None, expected: bool) -> str:
    """A share, coloured when every article should have the field."""
    if share is None:
        return "<td>–</td>"
    if not expected:
        return f"<td>{100 * share:.0f}%</td>"
    level = "high" if share >= 0.8 else "mid" if share >= 0.4 else "low"
    return f'<td class="{level}">{100 * share:.0f}%</td>'


def _distributions(summary: Mapping[str, Any], records: _Records) -> str:
    from pipeline import charts

    if not records.readable:
        return (
            '<section id="records"><h2>Records</h2><p class="muted">This run wrote its'
            " records as Markdown, which the report does not read back.</p></section>"
        )
    if not records.words:
        return '<section id="records"><h2>Records</h2><p class="muted">No records.</p></section>'
    words = _figure(
        "words",
        charts.histogram(records.words, min(_WORD_BINS, max(5, len(records.words))), "body words"),
        f"Body words of the run's {len(records.words)} records",
    )
    dated = ""
    if records.days:
        days = sorted(records.days)[-_MAX_DAYS:]
        today = str(summary.get("started", ""))[:10]
        counts = [records.days[d] for d in days]
        dated = _figure(
            "published",
            charts.bars(days, counts, "published (day)", "records", marked=today),
            f"Records by published day ({sum(records.days.values())} dated,"
            f" {records.undated} without a date). The run's own day, {today}, is in red:"
            " a tall red bar is a page's 'today' date taken for the article's.",
        )
    else:
        dated = f'<p class="muted">None of the {records.undated} records has a published date.</p>'
    return f'<section id="records"><h2>Records</h2>{words}{dated}</section>'


def _clusters(records: _Records) -> str:
    if not records.duplicates:
        return (
            '<section id="duplicates"><h2>Near-duplicates</h2>'
            '<p class="muted">No record of this run repeats another.</p></section>'
        )
    items = []
    clusters = sorted(records.duplicates.items(), key=lambda kv: -len(kv[1]))
    for original, copies in clusters[:_MAX_CLUSTERS]:
        first = records.titles.get(original, original)
        listed = "".join(f"<li>{_e(records.titles.get(c, c))}</li>" for c in copies)
        items.append(
            f"<li><strong>{_e(first)}</strong> repeated by {len(copies)}<ul>{listed}</ul></li>"
        )
    more = len(clusters) - _MAX_CLUSTERS
    tail = f'<p class="muted">and {more} more clusters</p>' if more > 0 else ""
    return (
        f'<section id="duplicates"><h2>Near-duplicates ({_count(len(clusters), "cluster")})</h2>'
        f"<ul>{''.join(items)}</ul>{tail}</section>"
    )
