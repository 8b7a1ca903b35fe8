"""Run stage for saved pages: discover -> read -> extract -> store, one page at a time.

The runner only chains stages and counts; a page that fails becomes an error
record and the batch goes on.
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
from pipeline.extraction import extract_page
from pipeline.options import Options
from pipeline.page import Page
from pipeline.store import JsonLines
from pipeline.warc import WarcError, iter_warc_pages


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
    paths: Iterable[Path], articles: JsonLines, errors: JsonLines, options: Options
) -> Summary:
    """Extract every page found under `paths`, writing records and error records."""
    summary = Summary()
    for item in _pages(paths, options):
        summary.pages += 1
        try:
            if isinstance(item, WarcError):
                raise item.error
            page = item if isinstance(item, Page) else files.read_page(item, options.max_bytes)
            record = extract_page(page, options)
        except ExtractionError as exc:
            summary.errors[exc.reason] += 1
            errors.write(error_record(_input_of(item), _url_of(item), exc))
            continue
        articles.write(record.to_dict())
        summary.records += 1
    return summary


def _pages(paths: Iterable[Path], options: Options) -> Iterator[Path | Page | WarcError]:
    """Saved files as paths (read one at a time), web archives as their pages."""
    for path in files.discover(paths):
        if files.is_warc(path):
            yield from iter_warc_pages(path, options.max_bytes)
        else:
            yield path


def _input_of(item: Path | Page | WarcError) -> str | None:
    return str(item) if isinstance(item, Path) else item.input


def _url_of(item: Path | Page | WarcError) -> str | None:
    return None if isinstance(item, Path) else item.url


def error_record(
    input_path: str | None, url: str | None, exc: ExtractionError | FetchError | DiscoveryError
) -> dict[str, Any]:
    """One line of errors.jsonl: where, which reason code, and the message."""
    return {"input": input_path, "url": url, "reason": str(exc.reason), "message": exc.message}
