"""What a run prints and keeps: tables, worst pages, results files, the README table.

Tables are Markdown, so the same text reads in a terminal and in bench/README.md.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.evaluate.quality import (
    INDEX_TYPES,
    AebSummary,
    PageRow,
    TrafevalSummary,
    WcxbSummary,
    aeb_summary,
    by_type,
    trafeval_summary,
    wcxb_summary,
)
from bench.evaluate.robustness import LABELS, ORIGINAL, RobustnessRun, RobustRow, Shift, shifts
from bench.evaluate.robustness import worst as robustness_worst
from bench.evaluate.run import Results
from bench.evaluate.speed import SpeedResult
from bench.evaluate.systems import CRASH

OURS = "ours"
BASELINE = "trafilatura"
BEGIN = "<!-- eval:begin -->"
END = "<!-- eval:end -->"
# The robustness tables: of a run over every page, and of a run with --limit.
ROBUSTNESS = ("<!-- robustness:begin -->", "<!-- robustness:end -->")
ROBUSTNESS_SAMPLE = ("<!-- robustness-sample:begin -->", "<!-- robustness-sample:end -->")
SET_NAMES = {"aeb": "AEB", "wcxb": "WCXB articles", "trafeval": "traf-eval"}


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def systems_of(rows: Sequence[PageRow]) -> list[str]:
    """System names in first-seen order (ours first)."""
    return list(dict.fromkeys(r.system for r in rows))


def rows_of(
    rows: Sequence[PageRow], system: str, types: Iterable[str] | None = None
) -> list[PageRow]:
    wanted = None if types is None else set(types)
    return [r for r in rows if r.system == system and (wanted is None or r.page_type in wanted)]


# --- summaries per system ------------------------------------------------------------


def aeb_summaries(rows: Sequence[PageRow]) -> dict[str, AebSummary]:
    return {s: aeb_summary(rows_of(rows, s)) for s in systems_of(rows)}


def wcxb_summaries(rows: Sequence[PageRow]) -> dict[str, dict[str, WcxbSummary]]:
    """System -> page type -> summary, with "all" for every page."""
    return {
        s: {**by_type(rows_of(rows, s)), "all": wcxb_summary(rows_of(rows, s))}
        for s in systems_of(rows)
    }


def trafeval_summaries(rows: Sequence[PageRow]) -> dict[str, TrafevalSummary]:
    return {s: trafeval_summary(rows_of(rows, s)) for s in systems_of(rows)}


def decisions(rows: Sequence[PageRow], system: str) -> dict[str, int]:
    """Page-type decisions: index pages turned into articles, articles rejected."""
    index = rows_of(rows, system, INDEX_TYPES)
    articles = rows_of(rows, system, ["article"])
    return {
        "index_pages": len(index),
        "index_accepted": sum(1 for r in index if not r.rejected),
        "articles": len(articles),
        "articles_rejected": sum(1 for r in articles if r.rejected),
    }


# --- tables ------------------------------------------------------------------------


def aeb_table(rows: Sequence[PageRow]) -> str:
    return table(
        ["system", "pages", "F1", "precision", "recall", "no output", "crashed"],
        (
            [
                s,
                str(a.pages),
                num(a.f1),
                num(a.precision),
                num(a.recall),
                str(a.rejected),
                str(a.crashed),
            ]
            for s, a in aeb_summaries(rows).items()
        ),
    )


def trafeval_table(rows: Sequence[PageRow]) -> str:
    return table(
        ["system", "pages", "F", "precision", "recall", "accuracy", "no record", "crashed"],
        (
            [
                s,
                str(t.pages),
                num(t.f),
                num(t.precision),
                num(t.recall),
                num(t.accuracy),
                str(t.no_record),
                str(t.crashed),
            ]
            for s, t in trafeval_summaries(rows).items()
        ),
    )


def wcxb_table(rows: Sequence[PageRow]) -> str:
    """Article pages' scores, and each system's page-type decisions."""
    header = ["system", "article F1", "`with` found", "`without` leaked", "title", "author"]
    header += ["date", "listing+collection kept", "articles rejected"]
    lines = []
    for s in systems_of(rows):
        a = wcxb_summary(rows_of(rows, s, ["article"]))
        d = decisions(rows, s)
        lines.append(
            [
                s,
                num(a.f1),
                pct(a.with_found),
                pct(a.without_leaked),
                pct(a.title),
                pct(a.author),
                pct(a.date),
                f"{d['index_accepted']}/{d['index_pages']}",
                f"{d['articles_rejected']}/{d['articles']}",
            ]
        )
    return table(header, lines)


def types_table(rows: Sequence[PageRow]) -> str:
    """Word F1 per page type; after it, how many of the pages the system kept."""
    summaries = wcxb_summaries(rows)
    kinds = list(next(iter(summaries.values()), {}))
    pages = {k: v.pages for k, v in next(iter(summaries.values()), {}).items()}
    header = ["system"] + [f"{k} ({pages[k]})" for k in kinds]
    return table(
        header,
        ([s] + [f"{num(t[k].f1)} · {t[k].accepted}" for k in kinds] for s, t in summaries.items()),
    )


def worst_table(rows: Sequence[PageRow], system: str = OURS, n: int = 15) -> str:
    scored = sorted((r for r in rows if r.system == system), key=_rank)
    return table(
        ["id", "type", "F1", "precision", "recall", "reason", "url"],
        (
            [
                r.id[:16],
                r.page_type,
                num(r.f1),
                num(r.precision),
                num(r.recall),
                _reason(r),
                r.url or "",
            ]
            for r in scored[:n]
        ),
    )


def _rank(row: PageRow) -> tuple[float, str]:
    return (row.f1, row.id)


def index_kept(rows: Sequence[PageRow], system: str = OURS, limit: int = 15) -> str:
    """The listing and collection pages the system turned into articles."""
    kept = [r for r in rows_of(rows, system, INDEX_TYPES) if not r.rejected]
    lines = [f"- {r.id} {r.page_type} {r.url or ''}" for r in kept[:limit]]
    if len(kept) > limit:
        lines.append(f"- … {len(kept) - limit} more in the per-page results")
    return "\n".join([f"{len(kept)} pages", *lines]) if kept else "none"


def _reason(row: PageRow) -> str:
    """The rejection and its message ("not_article: 9 teasers hold …"), or ""."""
    if not row.rejected:
        return ""
    return f"{row.rejected}: {row.message}" if row.message else row.rejected


def speed_table(results: Results) -> str:
    return "\n\n".join(
        _speed_table(speed) for speed in (results.speed, results.speed_wcxb) if speed is not None
    )


def _speed_table(speed: SpeedResult) -> str:
    rate = f"pages/s (median of {speed.rounds} rounds, {speed.pages} {speed.dataset} pages)"
    lines = []
    for s, median in speed.median.items():
        rounds = " ".join(f"{v:.0f}" for v in speed.per_round[s])
        lines.append([s, f"{median:.1f}", rounds, num(speed.ratio(s, BASELINE), 2)])
    return table(["system", rate, "per round", f"× {BASELINE}"], lines)


def speed_line(results: Results) -> str:
    return "\n\n".join(
        _speed_line(speed) for speed in (results.speed, results.speed_wcxb) if speed is not None
    )


def _speed_line(speed: SpeedResult) -> str:
    rates = ", ".join(f"{s} {m:.1f} pages/s" for s, m in speed.median.items())
    ratios = [
        f"{s} ×{ratio:.2f}"
        for s in speed.median
        if s != BASELINE and (ratio := speed.ratio(s, BASELINE)) is not None
    ]
    versus = f" ({', '.join(ratios)} {BASELINE})" if ratios else ""
    return (
        f"speed (median of {speed.rounds} rounds, the systems' order rotating, over "
        f"{speed.pages} {speed.dataset} pages in memory, one process): {rates}{versus}"
    )


def memory_line(results: Results) -> str:
    m = results.memory
    if m is None:
        return ""
    warm = next((s for s in m.samples if s.pages >= 1000), m.samples[0])
    last = m.samples[-1]
    verdict = "flat" if m.flat else "GROWING"
    return (
        f"memory ({m.system}, {last.pages} WCXB pages, one process): RSS "
        f"{warm.rss_kib / 1024:.0f} MiB at {warm.pages} pages, {last.rss_kib / 1024:.0f} MiB at "
        f"{last.pages}; growth {m.growth_kib / 1024:+.1f} MiB ({m.kib_per_page:.2f} KiB/page, "
        f"{verdict}); peak {m.peak_kib / 1024:.0f} MiB"
    )


def summary_table(results: Results) -> str:
    """One row per system: the figures bench/README.md keeps."""
    aeb = aeb_summaries(results.aeb)
    names = list(dict.fromkeys([*aeb, *systems_of(results.wcxb), *systems_of(results.trafeval)]))
    header = ["system", "AEB F1", "AEB P", "AEB R", "WCXB article F1", "with", "without"]
    header += ["title", "author", "date", "listing+coll. kept", "articles rejected"]
    header += ["traf-eval F", "traf-eval no record", "pages/s"]
    return table(header, (_summary_row(results, aeb.get(s), s) for s in names))


def _summary_row(results: Results, aeb: AebSummary | None, system: str) -> list[str]:
    row = [system]
    row += [num(aeb.f1), num(aeb.precision), num(aeb.recall)] if aeb else ["–"] * 3
    rows = rows_of(results.wcxb, system, ["article"])
    if rows:
        a, d = wcxb_summary(rows), decisions(results.wcxb, system)
        row += [num(a.f1), pct(a.with_found), pct(a.without_leaked), pct(a.title)]
        row += [pct(a.author), pct(a.date), f"{d['index_accepted']}/{d['index_pages']}"]
        row += [f"{d['articles_rejected']}/{d['articles']}"]
    else:
        row += ["–"] * 8
    traf = rows_of(results.trafeval, system)
    if traf:
        t = trafeval_summary(traf)
        row += [num(t.f), f"{t.no_record}/{t.pages}"]
    else:
        row += ["–"] * 2
    speed = results.speed.median.get(system) if results.speed else None
    return [*row, num(speed, 1)]


def crashes(results: Results) -> list[PageRow]:
    rows = (*results.aeb, *results.wcxb, *results.trafeval)
    return [r for r in rows if r.rejected == CRASH]


def render(results: Results, worst: int = 15) -> str:
    """The whole report of a run, as printed."""
    parts = [f"# pipeline eval, {results.date} ({_versions(results)})"]
    if results.aeb:
        parts += ["## AEB (Zyte shingle metric)", aeb_table(results.aeb)]
        parts += [f"### {worst} worst AEB pages for {OURS}", worst_table(results.aeb, n=worst)]
    if results.wcxb:
        parts += ["## WCXB dev (article pages; page-type decisions)", wcxb_table(results.wcxb)]
        parts += ["### word F1 per page type · pages kept as articles", types_table(results.wcxb)]
        articles = rows_of(results.wcxb, OURS, ["article"])
        parts += [
            f"### {worst} worst WCXB article pages for {OURS}",
            worst_table(articles, n=worst),
        ]
        parts += [
            f"### listing and collection pages {OURS} kept",
            index_kept(results.wcxb, limit=worst),
        ]
    if results.trafeval:
        parts += ["## trafilatura-eval (snippets summed over pages)"]
        parts += [trafeval_table(results.trafeval)]
        parts += [
            f"### {worst} worst trafilatura-eval pages for {OURS}",
            worst_table(results.trafeval, n=worst),
        ]
    if results.speed:
        parts += ["## speed", speed_table(results)]
    if results.memory:
        parts += ["## memory", memory_line(results)]
    if results.robustness:
        parts += robustness_parts(results.robustness, worst)
    crashed = crashes(results)
    if crashed:
        parts += [
            "## crashes",
            "\n".join(f"{r.system} {r.dataset} {r.id}: {r.message}" for r in crashed),
        ]
    return "\n\n".join(parts) + "\n"


def _versions(results: Results) -> str:
    v = results.versions
    return f"pipeline {v['pipeline']}, trafilatura {v['trafilatura']}, Python {v['python']}"


# --- files ---------------------------------------------------------------------------


def to_json(results: Results) -> dict[str, Any]:
    out: dict[str, Any] = {
        "date": results.date,
        "command": results.plan.command,
        "versions": results.versions,
        "seconds": results.seconds,
    }
    if results.aeb:
        out["aeb"] = {s: asdict(a) for s, a in aeb_summaries(results.aeb).items()}
    if results.wcxb:
        out["wcxb"] = {
            s: {k: asdict(v) for k, v in t.items()} for s, t in wcxb_summaries(results.wcxb).items()
        }
        out["decisions"] = {s: decisions(results.wcxb, s) for s in systems_of(results.wcxb)}
    if results.trafeval:
        out["trafeval"] = {s: asdict(t) for s, t in trafeval_summaries(results.trafeval).items()}
    if results.speed:
        out["speed"] = asdict(results.speed)
    if results.speed_wcxb:
        out["speed_wcxb"] = asdict(results.speed_wcxb)
    if results.memory:
        m = results.memory
        out["memory"] = asdict(m) | {"growth_kib": m.growth_kib, "flat": m.flat}
    out["crashes"] = [asdict(r) for r in crashes(results)]
    return out


def worst_first(rows: Sequence[PageRow]) -> list[PageRow]:
    """Per dataset, ours first, then each system; within one, the lowest F1 first."""
    order = {s: i for i, s in enumerate(systems_of(rows))}
    return sorted(rows, key=lambda r: (r.dataset, order[r.system], *_rank(r)))


def write_results(results: Results, folder: Path) -> tuple[Path, Path]:
    """bench/results/<date>.json (figures) and <date>-pages.jsonl.gz (every page, worst
    first; gzipped: a run's pages are megabytes of text and are committed with it)."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = folder / f"{results.date}.json"
    pages = folder / f"{results.date}-pages.jsonl.gz"
    figures.write_text(json.dumps(to_json(results), indent=1) + "\n", encoding="utf-8")
    rows = worst_first([*results.aeb, *results.wcxb, *results.trafeval])
    lines = (json.dumps(asdict(r), ensure_ascii=False) for r in rows)
    with gzip.open(pages, "wt", encoding="utf-8") as stream:
        stream.writelines(f"{line}\n" for line in lines)
    return figures, pages


def has_main_parts(results: Results) -> bool:
    """Whether the run measured more than the robustness suite (the main results files)."""
    return any(part != "robustness" for part in results.plan.parts)


def update_readme(readme: Path, results: Results) -> None:
    """Put the latest summary table between the eval markers (appending them if absent)."""
    block = "\n\n".join(
        part
        for part in (
            f"Latest run: {results.date} ({_versions(results)}), "
            f"`{results.plan.command}`, figures in `results/{results.date}.json`.",
            summary_table(results),
            speed_line(results),
            memory_line(results),
        )
        if part
    )
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    fresh = f"{BEGIN}\n{block}\n{END}"
    if BEGIN in text and END in text:
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
        text = pattern.sub(lambda _: fresh, text, count=1)
    else:
        text = f"{text.rstrip()}\n\n{fresh}\n" if text else f"{fresh}\n"
    readme.write_text(text, encoding="utf-8")


# --- robustness ----------------------------------------------------------------------


def meets_target(shift: Shift) -> bool | None:
    """Issue 16's targets: (a) F1 falls by at most 0.03 and at most 2% of the pages lose
    half their F1; (b)-(h) F1 falls by at most 0.005 and no `without` text, duplicate or
    inserted text appears. None for the control."""
    if shift.transform == "0":
        return None
    if shift.transform == "a":
        return shift.change >= -0.03 and shift.losing_share <= 0.02
    leaks = shift.new_without + shift.duplicated + shift.inserted_leaked
    return shift.change >= -0.005 and leaks == 0


def _pages_cell(shift: Shift) -> str:
    skipped = sum(shift.skipped.values())
    return f"{shift.pages} ({skipped} skipped)" if skipped else str(shift.pages)


def _count(value: int, applies: bool = True) -> str:
    return str(value) if applies else "–"


def robustness_table(run: RobustnessRun) -> str:
    """Transformation × set (× system when there are peers): F1 before and after, the
    pages losing half their F1, the pages leaking what the original output did not."""
    many = len(run.systems) > 1
    header = ["transformation", "set", *(["system"] if many else []), "pages"]
    header += ["original F1", "transformed F1", "change", "losing half"]
    header += ["new `without`", "duplicated", "inserted leaked", "target"]
    lines = []
    for s in shifts(run):
        target = meets_target(s)
        line = [f"{s.transform}: {LABELS[s.transform]}", SET_NAMES[s.dataset]]
        line += [s.system] if many else []
        line += [_pages_cell(s), num(s.original), num(s.transformed), f"{s.change:+.3f}"]
        line += [f"{s.losing_half} ({pct(s.losing_share)})"]
        line += [_count(s.new_without, s.dataset != "aeb"), str(s.duplicated)]
        line += [_count(s.inserted_leaked, s.transform in ("f", "h"))]
        line += ["–" if target is None else ("met" if target else "missed")]
        lines.append(line)
    return table(header, lines)


def robustness_line(run: RobustnessRun, seconds: float | None = None) -> str:
    sets = ", ".join(f"{SET_NAMES[k]} {v}" for k, v in run.pages.items())
    took = seconds if seconds is not None else sum(run.seconds.values())
    limit = f", the first {run.limit} of each set" if run.limit else ""
    return (
        f"{sum(run.pages.values())} pages ({sets}{limit}) × {len(run.keys)} transformations, "
        f"systems: {', '.join(run.systems)}; {run.workers} process"
        f"{'es' if run.workers != 1 else ''}, {took:.0f} s"
    )


def robustness_skips(run: RobustnessRun) -> str:
    """Why transformations were not applied, per transformation and set (ours' rows)."""
    lines = []
    for s in shifts(run):
        if s.system == run.systems[0] and s.skipped:
            why = ", ".join(f"{reason} {n}" for reason, n in sorted(s.skipped.items()))
            lines.append(f"- {s.transform} {SET_NAMES[s.dataset]}: {why}")
    return "\n".join(lines) if lines else "none"


def robustness_parts(run: RobustnessRun, worst: int = 15) -> list[str]:
    parts = ["## robustness (F1 against the untransformed truth)", robustness_line(run)]
    parts += [robustness_table(run), "### pages not transformed", robustness_skips(run)]
    for key in run.keys:
        rows = robustness_worst(run, key, run.systems[0], min(worst, 5))
        if key != "0" and rows:
            parts += [f"### {key}: pages {run.systems[0]} lost most", _worst_lines(rows)]
    return parts


def _worst_lines(rows: Sequence[RobustRow]) -> str:
    return "\n".join(
        f"- {SET_NAMES[r.row.dataset]} {r.row.id[:16]} {r.original_f1:.3f} -> {r.row.f1:.3f}"
        f"{' ' + r.row.rejected if r.row.rejected else ''} {r.row.url or ''}".rstrip()
        for r in rows
    )


def robustness_json(results: Results) -> dict[str, Any]:
    run = results.robustness
    assert run is not None
    figures = []
    for s in shifts(run):
        figures.append(
            asdict(s)
            | {"change": s.change, "losing_share": s.losing_share}
            | {"target_met": meets_target(s)}
        )
    return {
        "date": results.date,
        "command": results.plan.command,
        "versions": results.versions,
        "seconds": results.seconds.get("robustness"),
        "seconds_per_set": run.seconds,
        "workers": run.workers,
        "limit": run.limit,
        "pages": run.pages,
        "systems": list(run.systems),
        "transforms": {k: LABELS[k] for k in run.keys},
        "figures": figures,
    }


def _robustness_stem(results: Results) -> str:
    run = results.robustness
    limit = f"-limit{run.limit}" if run is not None and run.limit else ""
    return f"{results.date}-robustness{limit}"


def write_robustness(results: Results, folder: Path) -> tuple[Path, Path]:
    """<date>-robustness[-limitN].json (figures) and ...-pages.jsonl.gz (every page and
    transformation, per set, system and transformation the most F1 lost first)."""
    run = results.robustness
    assert run is not None
    folder.mkdir(parents=True, exist_ok=True)
    stem = _robustness_stem(results)
    figures, pages = folder / f"{stem}.json", folder / f"{stem}-pages.jsonl.gz"
    figures.write_text(json.dumps(robustness_json(results), indent=1) + "\n", encoding="utf-8")
    order = {k: i for i, k in enumerate((ORIGINAL, *run.keys))}
    rows = sorted(
        run.rows,
        key=lambda r: (r.row.dataset, r.row.system, order[r.transform], r.row.f1 - r.original_f1),
    )
    lines = (json.dumps(_flat(r), ensure_ascii=False) for r in rows)
    with gzip.open(pages, "wt", encoding="utf-8") as stream:
        stream.writelines(f"{line}\n" for line in lines)
    return figures, pages


# A page's own fields, given on its original rows only (the transformed rows repeat them).
_PAGE_FIELDS = ("url", "page_type")
_NOT_KEPT = ("title_ok", "author_ok", "date_ok")


def _flat(row: RobustRow) -> dict[str, Any]:
    out = asdict(row)
    page = out.pop("row")
    for name in _NOT_KEPT + (() if row.transform == ORIGINAL else _PAGE_FIELDS):
        page.pop(name)
    for name in ("f1", "precision", "recall", "original_f1"):
        for fields in (page, out):
            if isinstance(fields.get(name), float):
                fields[name] = round(fields[name], 4)
    return {"transform": out.pop("transform"), **page, **out}


def update_robustness_readme(readme: Path, results: Results) -> None:
    """The robustness table between its markers (those of --limit runs apart)."""
    run = results.robustness
    assert run is not None
    begin, end = ROBUSTNESS_SAMPLE if run.limit else ROBUSTNESS
    block = "\n\n".join(
        [
            f"Run: {results.date} ({_versions(results)}), `{results.plan.command}`, "
            f"figures in `results/{_robustness_stem(results)}.json`: "
            + robustness_line(run, results.seconds.get("robustness")),
            robustness_table(run),
        ]
    )
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    fresh = f"{begin}\n{block}\n{end}"
    if begin in text and end in text:
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
        text = pattern.sub(lambda _: fresh, text, count=1)
    else:
        text = f"{text.rstrip()}\n\n## Robustness\n\n{fresh}\n" if text else f"{fresh}\n"
    readme.write_text(text, encoding="utf-8")
