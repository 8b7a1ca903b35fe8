"""`pipeline extract`: saved pages and web archives, on the runner.

    the file source (files, folders, WARCs)  ->  the executor  ->  the sink

Every record is written (saved pages are taken as given); a page that fails
becomes an error record and the batch goes on. Records and error records come
out in input order (files in the order given, a folder's files sorted by path,
an archive's records in archive order), whatever the number of workers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exec import WorkerSettings, open_executor
from pipeline.options import Options
from pipeline.runner import Counts, Runner, WriteAll
from pipeline.sinks import Sink
from pipeline.sources.files import FileSource


@dataclass(slots=True)
class Summary:
    """Counts of one batch, printed to stderr at the end."""

    counts: Counts = field(default_factory=Counts)
    started: float = field(default_factory=time.perf_counter)

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
        return (
            f"pages read: {self.pages}, records written: {self.records}, "
            f"errors: {sum(failed.values())} ({reasons}), "
            f"elapsed: {elapsed:.2f}s, {rate:.1f} pages/s"
        )


def extract_files(
    paths: Iterable[Path], sink: Sink, options: Options, workers: WorkerSettings
) -> Summary:
    """Extract every page found under `paths` into `sink`."""
    summary = Summary()
    with open_executor(workers, options) as executor:
        source = FileSource(paths, options.max_bytes)
        runner = Runner(source, executor, WriteAll(), sink, counts=summary.counts)
        asyncio.run(runner.run())
    return summary
