"""Run stage for saved pages: discover -> read -> extract (on the executor) -> store.

The runner only chains stages and counts; a page that fails becomes an error
record and the batch goes on. Records and error records come out in input
order (files in the order given, a folder's files sorted by path, an archive's
records in archive order), whatever the number of workers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import files
from pipeline.errors import DiscoveryError, ExtractionError, FetchError
from pipeline.exec import WorkerSettings, in_order, open_executor
from pipeline.options import Options
from pipeline.page import Page, Unread
from pipeline.store import JsonLines
from pipeline.warc import iter_warc_pages


@dataclass(slots=True)
class Summary:
    """Counts of one batch, printed to stderr at the end."""

    pages: int = 0
    records: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    def render(self) -> str:
        elapsed = time.perf_counter() - self.started
        rate = self.pages / elapsed if elapsed > 0 else 0.0
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        return (
            f"pages read: {self.pages}, records written: {self.records}, "
            f"errors: {sum(self.errors.values())} ({reasons}), "
            f"elapsed: {elapsed:.2f}s, {rate:.1f} pages/s"
        )


def extract_files(
    paths: Iterable[Path],
    articles: JsonLines,
    errors: JsonLines,
    options: Options,
    workers: WorkerSettings,
) -> Summary:
    """Extract every page found under `paths`, writing records and error records."""
    summary = Summary()
    with open_executor(workers, options) as executor:
        for item, outcome in in_order(executor, _pages(paths, options)):
            summary.pages += 1
            if isinstance(outcome, ExtractionError):
                summary.errors[outcome.reason] += 1
                errors.write(error_record(item.input, item.url, outcome))
            else:
                articles.write(outcome.to_dict())
                summary.records += 1
    return summary


def _pages(paths: Iterable[Path], options: Options) -> Iterator[Page | Unread]:
    """Saved files and the pages of web archives, each read when its turn comes."""
    for path in files.discover(paths):
        if files.is_warc(path):
            yield from iter_warc_pages(path, options.max_bytes)
            continue
        try:
            yield files.read_page(path, options.max_bytes)
        except ExtractionError as exc:
            yield Unread(str(path), None, exc)


def error_record(
    input_path: str | None, url: str | None, exc: ExtractionError | FetchError | DiscoveryError
) -> dict[str, Any]:
    """One line of errors.jsonl: where, which reason code, and the message."""
    return {"input": input_path, "url": url, "reason": str(exc.reason), "message": exc.message}
