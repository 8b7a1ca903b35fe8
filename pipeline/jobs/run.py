"""`pipeline run`: one scheduled run of a config, on the runner.

    the web source (discover -> due -> fetch -> archive)  ->  the executor  ->  the sink
    every outcome of a URL  ->  the run's ledger (pipeline/ledger.py): the state
        store's rows, the outbox, exact and near-duplicate verdicts, the counts

A run gets a folder of its own under output_dir (articles, errors, the WARC of
every response, run.json); nothing stops it but a broken config, state store
or output folder, or a signal.

Order of writes, so a run killed at any point loses nothing, writes nothing
twice, and the next run picks up: the response goes to the WARC, then the state
notes the fetch; the URL is marked extracted in the same transaction that
stages its record in the state store's outbox; the record goes to the sink;
after the sink commits a batch, the batch is cleared from the outbox. A run
first delivers what a killed predecessor left staged and its output does not
hold (the sink repairs what a kill left half-written before it is read).

SIGTERM and SIGINT stop a run cleanly: no new fetch starts, fetches under way
are dropped (their URLs stay due), pages already fetched are extracted and
written, and run.json says "interrupted": true; a second signal ends the
process at once (pipeline/interrupt.py). A page lost to a stop is neither a
failure nor backed off. A fault of the run itself (a state store found
damaged, a full disk) ends it at once with that error, as a named exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.config import RunConfig
from pipeline.coverage import Figures, departures
from pipeline.dedup.near import NearDuplicates, NearSettings, near_path
from pipeline.errors import EXIT_ALERT, ConfigError, OutputError, closed_after, os_fault
from pipeline.exec import open_executor
from pipeline.interrupt import Interrupts, exit_status
from pipeline.ledger import Counts, RunLedger
from pipeline.progress import Progress, Silent
from pipeline.record import article_from_dict
from pipeline.runner import Runner
from pipeline.sinks import ERRORS, Sink, delivered_in, open_sink, records_in
from pipeline.sources.web import WebSource
from pipeline.state import KnownRecord, StateStore
from pipeline.warc import WarcWriter

_log = logging.getLogger("pipeline.run")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# Runs in the report's trend charts, this one included.
TREND_RUNS = 12


@dataclass(frozen=True, slots=True)
class RunResult:
    """Where the run's files are, whether a signal cut it short, and what looks wrong
    (every source failed, every fetch failed, or a source that gave URLs before gave
    none)."""

    folder: Path
    interrupted: signal.Signals | None
    alerts: tuple[str, ...] = ()

    @property
    def exit_status(self) -> int:
        if self.interrupted is not None:
            return exit_status(self.interrupted)
        return EXIT_ALERT if self.alerts else 0


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def check_run_id(run_id: str) -> str:
    """A run id names a folder inside output_dir: a plain name, nothing that climbs out."""
    if not _RUN_ID.fullmatch(run_id) or run_id in (".", ".."):
        raise ConfigError(
            f"--run-id {run_id!r} must be a plain name: letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    return run_id


def _run_folder(output_dir: Path, run_id: str | None) -> tuple[str, Path]:
    """A new folder for the run: a given id must be unused (an earlier run's records
    are never overwritten); a generated one gets a suffix if its second is taken."""
    if run_id is not None:
        check_run_id(run_id)
        if (output_dir / run_id).exists():
            raise OutputError(f"run folder {output_dir / run_id} exists: choose another --run-id")
        return run_id, output_dir / run_id
    base = new_run_id()
    run_id, number = base, 1
    while (output_dir / run_id).exists():
        number += 1
        run_id = f"{base}-{number}"
    return run_id, output_dir / run_id


def run(
    config: RunConfig,
    run_id: str | None = None,
    progress: Progress | None = None,
    interrupts: Interrupts | None = None,
) -> RunResult:
    """Do one run; return its folder. Raises ConfigError, StateError, OutputError,
    StorageError. `interrupts`: the command's signal handlers (by default the run
    installs its own, in the main thread)."""
    if interrupts is None:
        with Interrupts() as own:
            return run(config, run_id, progress, own)
    run_id, folder = _run_folder(config.output_dir, run_id)
    started, clock = datetime.now(UTC), time.perf_counter()
    counts, recovered = Counts(), 0
    warc_path = folder / "pages.warc.gz"
    with StateStore.open(config.state_path, run_id, policy=config.retry) as state:
        state.start_run(started)
        with (
            closed_after(_sink(config, folder), str(folder)) as sink,
            closed_after(WarcWriter(warc_path, {"run-id": run_id}), str(warc_path)) as warc,
            open_executor(config.workers, config.extraction) as executor,
            _near_index(config) as near,
        ):
            recovered = _deliver(state, sink, config.output_dir)

            async def crawl() -> None:
                stop = asyncio.Event()
                interrupts.watch(stop)
                skip_near = config.near.action == "skip"
                ledger = RunLedger(state, near, skip_near=skip_near, counts=counts)
                source = WebSource(config, ledger, warc, stop)
                report = _reporter(progress or Silent())
                runner = Runner(source, executor, ledger, sink, progress=report)
                await runner.run()
                report(counts)  # URLs that gave no page (skipped, 304) count as done too

            asyncio.run(crawl())
            _prune(near, config.near, started)
        stopped = interrupts.signal
        coverage = _coverage(config, counts)
        alerts = () if stopped else _alerts(config, counts, state, coverage)
        summary = _summary(run_id, started, clock, counts, recovered, stopped)
        summary["coverage"] = coverage
        summary["trend"] = _trend(state, coverage)
        summary["alerts"] = list(alerts)
        state.finish_run(datetime.now(UTC), _flat(summary))
    _write_summary(folder, summary)
    _write_report(folder)
    _point_latest(config.output_dir, run_id)
    if stopped:
        _log.warning("stopped by %s: the run wrote what it had extracted", stopped.name)
    _log.info(_summary_line(summary), extra=_fields(summary))
    for alert in alerts:
        _log.warning("pipeline run: %s", alert)
    return RunResult(folder, stopped, alerts)


def _prune(near: NearDuplicates | None, settings: NearSettings, now: datetime) -> None:
    """Forget the near-duplicate index's records older than `keep_days` (every run:
    the index stays bounded however long the schedule runs)."""
    if near is not None and settings.keep_days:
        forgotten = near.prune(now - timedelta(days=settings.keep_days))
        if forgotten:
            _log.info(
                "near-duplicate index: forgot %d records older than %d days",
                forgotten,
                settings.keep_days,
            )


def _sink(config: RunConfig, folder: Path) -> Sink:
    return open_sink(config.format, records_in(folder, config.format), folder / ERRORS)


def _write_summary(folder: Path, summary: dict[str, Any]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "run.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise os_fault(exc, f"cannot write {folder / 'run.json'}") from exc


def _coverage(config: RunConfig, counts: Counts) -> dict[str, Figures]:
    """Each source's field coverage this run (pipeline/coverage.py), by name."""
    return {
        source.name: tally.coverage.figures(tally.failed)
        for source in config.sources
        if (tally := counts.sources.get(source.name)) is not None
    }


def _trend(state: StateStore, coverage: dict[str, Figures]) -> dict[str, list[Any]]:
    """Each source's figures over its recent runs, oldest first, this run last: the
    report's trend charts."""
    trend: dict[str, list[Any]] = {}
    for name, figures in coverage.items():
        earlier = state.coverage_history(name, TREND_RUNS - 1)
        trend[name] = [[run, past] for run, past in reversed(earlier)]
        trend[name].append([state.run_id, figures])
    return trend


def _write_report(folder: Path) -> None:
    """report.html beside run.json. The records are written whatever happens here:
    a report that cannot be drawn is a warning, not a failed run."""
    from pipeline.report import write_report

    try:
        write_report(folder)
    except Exception as exc:  # the report is the run's extra, never its failure
        _log.warning("no report.html for %s: %r", folder, exc)


def _alerts(
    config: RunConfig, counts: Counts, state: StateStore, coverage: dict[str, Figures]
) -> tuple[str, ...]:
    """What a cron job should hear about: every source failed, a source that gave
    URLs in an earlier run gave none now (a feed moved, a sitemap went empty), or a
    source's records departed from its recent history (a layout changed: see
    pipeline/coverage.py). Each source's count and coverage are kept in the state
    store for the next run to compare."""
    alerts: list[str] = []
    reports = [counts.sources.get(source.name) for source in config.sources]
    if reports and all(r is not None and r.error is not None for r in reports):
        alerts.append(f"every source failed ({', '.join(str(r.error) for r in reports if r)})")
    elif counts.fetch_failed and not counts.fetched and not counts.not_modified:
        # Whatever the kind of source: a URL list of dead links is as silent as a
        # dead feed, and cron must hear of it.
        failed = sum(counts.fetch_failed.values())
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(counts.fetch_failed.items()))
        alerts.append(f"no URL could be fetched: all {failed} fetches failed ({reasons})")
    for source, report in zip(config.sources, reports, strict=True):
        if report is None:
            continue
        found = report.selection.found
        earlier = state.source_history(source.name)
        if found == 0 and earlier is not None and earlier.gave_found:
            why = f"failed ({report.error})" if report.error else "gave no URLs"
            alerts.append(
                f"source {source.name!r} {why}; it gave {earlier.gave_found} in run"
                f" {earlier.gave_run}"
            )
        state.record_source(source.name, found)
    settings = config.alerts
    for name, figures in coverage.items():
        history = [f for _, f in state.coverage_history(name, settings.history)]
        alerts.extend(departures(name, figures, history, settings))
        if figures["records"] or figures["failed"]:
            state.record_coverage(name, figures)
    return tuple(alerts)


def _point_latest(output_dir: Path, run_id: str) -> None:
    """`output_dir/latest`: a link to the newest run's folder, replaced atomically."""
    link, temporary = output_dir / "latest", output_dir / f".latest-{run_id}"
    try:
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(run_id, target_is_directory=True)
        temporary.replace(link)
    except OSError as exc:  # a file system without links: the run itself is fine
        _log.warning("could not point %s at the run: %s", link, exc.strerror or exc)


@contextlib.contextmanager
def _near_index(config: RunConfig) -> Iterator[NearDuplicates | None]:
    """The near-duplicate index beside the state store, unless the config turns it off."""
    if config.near.action == "off":
        yield None
        return
    with NearDuplicates.open(near_path(config.state_path), config.near) as index:
        yield index


def _deliver(state: StateStore, sink: Sink, output_dir: Path) -> int:
    """Records a killed run staged: write those its output lacks into this run's,
    so each record reaches the output exactly once. Returns how many."""
    written: dict[str, set[str]] = {}
    recovered = 0
    staged = state.staged()
    for record in staged:
        if record.run_id not in written:
            written[record.run_id] = delivered_in(output_dir / record.run_id)
        if record.record_id not in written[record.run_id]:
            sink.write(article_from_dict(record.record))
            recovered += 1
    sink.commit()
    if staged:
        state.clear_staged(*(record.url for record in staged))
    return recovered


def known_records(output_dir: Path) -> Iterator[KnownRecord]:
    """The records every run folder under `output_dir` holds, oldest run first, for
    rebuilding a state store: JSON Lines, and Parquet where pyarrow is installed."""
    if not output_dir.is_dir():
        return
    for folder in sorted(p for p in output_dir.iterdir() if p.is_dir() and not p.is_symlink()):
        lines = records_in(folder, "jsonl")
        if lines.is_file():
            yield from _records_of_lines(lines)
        parts = records_in(folder, "parquet")
        if parts.is_dir():
            yield from _records_of_parquet(parts)


def _known(data: Any) -> KnownRecord | None:
    if not isinstance(data, dict):
        return None
    url, digest = data.get("url"), data.get("content_hash")
    if not isinstance(url, str) or not isinstance(digest, str):
        return None
    canonical = data.get("canonical_url")
    extracted = data.get("extracted_at")
    return KnownRecord(
        url,
        canonical if isinstance(canonical, str) else None,
        digest,
        extracted if isinstance(extracted, str) else "",
    )


def _records_of_lines(path: Path) -> Iterator[KnownRecord]:
    try:
        with path.open(encoding="utf-8", errors="replace") as stream:
            for line in stream:
                try:
                    known = _known(json.loads(line))
                except ValueError:  # a torn last line
                    continue
                if known is not None:
                    yield known
    except OSError as exc:
        _log.warning("cannot read %s: %s", path, exc.strerror or exc)


def _records_of_parquet(folder: Path) -> Iterator[KnownRecord]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        _log.warning("%s: Parquet records need pyarrow to be read back; skipped", folder)
        return
    columns = ["url", "canonical_url", "content_hash", "extracted_at"]
    for part in sorted(folder.glob("*.parquet")):
        try:
            rows = pq.read_table(part, columns=columns).to_pylist()
        except Exception as exc:  # pyarrow's errors have no common base worth naming
            _log.warning("cannot read %s: %s", part, exc)
            continue
        for row in rows:
            known = _known(row)
            if known is not None:
                yield known


def _reporter(progress: Progress) -> Callable[[Counts], None]:
    """URLs done of those found so far: the total grows while discovery goes on."""

    def report(counts: Counts) -> None:
        progress.update(counts.done, counts.discovered, counts.written, sum(counts.failed.values()))

    return report


def _summary(
    run_id: str,
    started: datetime,
    clock: float,
    counts: Counts,
    recovered: int,
    stopped: signal.Signals | None,
) -> dict[str, Any]:
    plain = counts.crawl_dict()
    sources = plain.pop("sources")
    return {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - clock, 3),
        "interrupted": stopped is not None,
        **plain,
        "written": counts.written + recovered,
        "unchanged": counts.unchanged,
        "duplicates": counts.duplicates,
        "recovered": recovered,
        "failed": dict(sorted(counts.failed.items())),
        "sources": sources,
    }


def _flat(summary: dict[str, Any]) -> dict[str, int]:
    flat = {k: v for k, v in summary.items() if isinstance(v, int) and not isinstance(v, bool)}
    return {**flat, **{f"failed_{k}": v for k, v in summary["failed"].items()}}


def _fields(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary's figures as fields of the JSON log line (not its per-source
    detail and coverage, which run.json has)."""
    return {k: v for k, v in summary.items() if k not in ("sources", "coverage")}


def _summary_line(summary: dict[str, Any]) -> str:
    failed = ", ".join(f"{k} {v}" for k, v in summary["failed"].items()) or "none"
    ending = "; interrupted" if summary["interrupted"] else ""
    return (
        f"run {summary['run_id']}: discovered {summary['discovered']}, "
        f"skipped {summary['skipped']}, fetched {summary['fetched']}, "
        f"not modified {summary['not_modified']}, written {summary['written']}, "
        f"unchanged {summary['unchanged']}, duplicates {summary['duplicates']}, "
        f"failed: {failed}; {summary['elapsed_s']:.1f}s{ending}"
    )
