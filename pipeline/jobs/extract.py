"""`pipeline extract`: saved pages and web archives, on the runner.

    the file source (files, folders, WARCs)  ->  the executor  ->  the sink

Every record is written (saved pages are taken as given); a page that fails
becomes an error record and the batch goes on. Records and error records come
out in input order (files in the order given, a folder's files sorted by path,
an archive's records in archive order), whatever the number of workers.

Into a folder (`extract_partitioned`), the work is split into units: each web
archive is one, and the loose HTML pages together are another (`pages`). Each
unit writes its own partition, `<folder>/<unit>/`, and, once complete, a
`_SUCCESS` marker with its counts. A job run again skips the units that have
one and redoes, from scratch, any that an interruption left without: every
record reaches the output exactly once, and finished archives are not redone.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.coverage import Figures
from pipeline.errors import OutputBusy, OutputError, closed_after, os_fault
from pipeline.exec import Executor, RunsUnits, WorkerSettings, open_executor
from pipeline.interrupt import Interrupts
from pipeline.ledger import Counts, Ledger
from pipeline.lockfile import acquire_folder, release_folder
from pipeline.options import Options
from pipeline.runner import Report, Runner
from pipeline.sinks import ERRORS, Sink, open_sink, records_in
from pipeline.sources.files import WARC_SUFFIXES, FileSource, discover, is_warc

DONE = "_SUCCESS"
LOOSE_PAGES = "pages"


@dataclass(slots=True)
class Summary:
    """Counts of one batch, printed to stderr at the end."""

    counts: Counts = field(default_factory=Counts)
    started: float = field(default_factory=time.perf_counter)
    units_done: int = 0  # partitions written by this job
    units_skipped: int = 0  # partitions an earlier job had finished
    skipped: Counter[str] = field(default_factory=Counter)  # files passed over, by reason
    interrupted: signal.Signals | None = None  # the signal that stopped the job early
    records_skipped: Counter[str] = field(default_factory=Counter)  # archive records, by reason

    @property
    def pages(self) -> int:
        return self.counts.pages

    @property
    def records(self) -> int:
        return self.counts.written

    def render(self) -> str:
        elapsed = time.perf_counter() - self.started
        rate = self.pages / elapsed if elapsed > 0 else 0.0
        failed = self.counts.failed
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(failed.items())) or "none"
        units = ""
        if self.units_done or self.units_skipped:
            units = f"units: {self.units_done} done, {self.units_skipped} already done, "
        skipped = _skipped("files", self.skipped)
        skipped += _skipped("archive records", self.records_skipped)
        stopped = f"; stopped early by {self.interrupted.name}" if self.interrupted else ""
        return (
            f"{units}pages read: {self.pages}, records written: {self.records}, "
            f"errors: {sum(failed.values())} ({reasons}){skipped}, "
            f"elapsed: {elapsed:.2f}s, {rate:.1f} pages/s{stopped}"
        )

    def fields(self) -> dict[str, object]:
        """The summary's figures, for a JSON log line."""
        return {
            "pages": self.pages,
            "written": self.records,
            "failed": dict(sorted(self.counts.failed.items())),
            "skipped_files": dict(sorted(self.skipped.items())),
            "skipped_records": dict(sorted(self.records_skipped.items())),
            "units_done": self.units_done,
            "units_skipped": self.units_skipped,
            "elapsed_s": round(time.perf_counter() - self.started, 3),
            "interrupted": self.interrupted is not None,
            "hosts": len(self.counts.by_host.tallies.keys() | self.counts.by_host.failed.keys()),
        }

    def coverage(self) -> dict[str, Figures]:
        """Field coverage per host (pipeline/coverage.py), the hosts with most pages first."""
        return self.counts.by_host.figures()


def _skipped(what: str, counts: Counter[str]) -> str:
    if not counts:
        return ""
    why = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items()))
    return f", {what} skipped: {sum(counts.values())} ({why})"


@dataclass(frozen=True, slots=True)
class Engine:
    """Where extraction runs: `local` (this machine's workers) or `ray`."""

    name: str = "local"
    address: str | None = None  # a Ray cluster; None starts a local Ray


def extract_files(
    source: FileSource | Iterable[Path],
    sink: Sink,
    options: Options,
    workers: WorkerSettings,
    engine: Engine = Engine(),
    progress: Report | None = None,
    interrupts: Interrupts | None = None,
) -> Summary:
    """Extract every page of `source` (or found under the paths) into `sink`."""
    summary = Summary()
    if not isinstance(source, FileSource):
        source = FileSource(source, options.max_bytes)
    with open_executor(workers, options, engine.name, engine.address) as executor:
        _extract(source, executor, sink, summary.counts, progress, interrupts)
    summary.skipped = source.skipped
    summary.interrupted = interrupts.signal if interrupts is not None else None
    summary.records_skipped = source.records_skipped
    return summary


def _extract(
    source: FileSource,
    executor: Executor,
    sink: Sink,
    counts: Counts,
    progress: Report | None,
    interrupts: Interrupts | None = None,
) -> None:
    async def work() -> None:
        stop = asyncio.Event()
        if interrupts is not None:
            interrupts.watch(stop)
        ledger = Ledger(counts, by_host=True)
        runner = Runner(source, executor, ledger, sink, progress=progress, stop=stop)
        await runner.run()

    asyncio.run(work())


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of work of a partitioned job: its partition's name and its inputs."""

    name: str
    paths: tuple[Path, ...]


def plan_units(inputs: Sequence[Path]) -> list[Unit]:
    """Each web archive a unit, named after its path below the input it was found
    in (without .warc/.warc.gz); the loose HTML pages one more, `pages`."""
    units: list[Unit] = []
    loose: list[Path] = []
    for given in inputs:
        root = given if given.is_dir() else given.parent
        for path in discover([given]):
            if is_warc(path):
                units.append(Unit(_unit_name(path, root), (path,)))
            else:
                loose.append(path)
    if loose:
        units.append(Unit(LOOSE_PAGES, tuple(loose)))
    names = [unit.name for unit in units]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise OutputError(f"two inputs would share the partition {doubled[0]!r}: rename one")
    return units


def _unit_name(path: Path, root: Path) -> str:
    relative = path.relative_to(root).as_posix()
    for suffix in sorted(WARC_SUFFIXES, key=len, reverse=True):
        if relative.lower().endswith(suffix):
            return relative[: -len(suffix)]
    return relative


def extract_partitioned(
    inputs: Sequence[Path],
    folder: Path,
    fmt: str,
    options: Options,
    workers: WorkerSettings,
    engine: Engine = Engine(),
    progress: Report | None = None,
    interrupts: Interrupts | None = None,
) -> Summary:
    """Each unit of the inputs into its own partition of `folder`; see the module doc.

    The local engine takes the units one after the other, each page on its
    workers; Ray runs the units side by side, one per actor."""
    summary = Summary()
    units = plan_units(inputs)
    lock = _lock_folder(folder)
    try:
        todo = []
        for unit in units:
            if (folder / unit.name / DONE).exists():
                summary.units_skipped += 1
            else:
                todo.append(unit)
        with open_executor(workers, options, engine.name, engine.address) as executor:
            if isinstance(executor, RunsUnits):  # the units side by side (Ray: one per actor)
                for done in executor.run_units(unit_counts, todo, folder, fmt):
                    _add(summary.counts, done)
                summary.units_done += len(todo)
                return summary
            for unit in todo:
                counts = run_unit(
                    unit,
                    folder / unit.name,
                    fmt,
                    options,
                    executor,
                    progress,
                    interrupts,
                    summary=summary,
                )
                _add(summary.counts, counts.to_dict())
                if interrupts is not None and interrupts.signal is not None:
                    summary.interrupted = interrupts.signal
                    break
                summary.units_done += 1
    finally:
        release_folder(lock)
    return summary


def _lock_folder(folder: Path) -> int:
    """Hold the output folder for this job, or raise OutputBusy naming the holder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_fault(exc, f"cannot create {folder}") from exc
    return acquire_folder(folder, OutputBusy, OutputError, f"output folder {folder}")


def _add(into: Counts, counts: dict[str, Any]) -> None:
    into.pages += int(counts["pages"])
    into.written += int(counts["written"])
    into.failed.update(counts["failed"])
    into.by_host.merge(counts.get("by_host", {}))


def unit_counts(
    unit: Unit, partition: Path, fmt: str, options: Options, executor: Executor
) -> dict[str, Any]:
    """`run_unit` as a Ray actor runs it: its counts as a plain dict."""
    return run_unit(unit, partition, fmt, options, executor).to_dict()


def run_unit(
    unit: Unit,
    partition: Path,
    fmt: str,
    options: Options,
    executor: Executor,
    progress: Report | None = None,
    interrupts: Interrupts | None = None,
    summary: Summary | None = None,
) -> Counts:
    """One unit into its partition, from scratch; the marker goes last, and only
    when the unit was not cut short by a signal. What its inputs held that gave no
    page is added to `summary`, and kept in the marker."""
    if partition.exists():  # an interrupted attempt: its records would be written twice
        shutil.rmtree(partition)
    counts = Counts()
    source = FileSource(unit.paths, options.max_bytes)
    sink = open_sink(fmt, records_in(partition, fmt), partition / ERRORS)
    with closed_after(sink, str(partition)):
        _extract(source, executor, sink, counts, progress, interrupts)
    if summary is not None:
        summary.skipped.update(source.skipped)
        summary.records_skipped.update(source.records_skipped)
    if interrupts is not None and interrupts.signal is not None:
        return counts
    marker = {
        "unit": unit.name,
        "inputs": [str(p) for p in unit.paths],
        **counts.to_dict(),
        "records_skipped": dict(source.records_skipped),
    }
    try:
        (partition / DONE).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    except OSError as exc:
        raise os_fault(exc, f"cannot write {partition / DONE}") from exc
    return counts
