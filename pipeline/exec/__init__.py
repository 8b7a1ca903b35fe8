"""Executors: pages in, articles (or named errors) out, in this process or on workers.

    with open_executor(WorkerSettings(jobs=2), options) as executor:
        future = executor.submit(page)   # a concurrent.futures.Future
        article = future.result()        # or raises an ExtractionError subclass

    for page, outcome in in_order(executor, pages):   # outcome: Article | ExtractionError
        ...

The interface is `Executor`: `submit(page) -> Future[Article]` and `close()`.
`Inline` extracts in the calling thread, with no limits (`--jobs 1`: a debugger
and a traceback see the extractor directly). `ProcessPool` (the default) runs
one worker process per core with a time and memory limit per page; a worker
that overruns is killed and replaced, and the page fails as `too_slow` or
`too_much_memory`. Extraction is a pure function of the page and the options,
so every executor gives the same records; `in_order` gives them in input order
whatever the number of workers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from typing import Protocol

from pipeline.errors import ExtractionError
from pipeline.exec._settings import DEFAULT_WORKER_SETTINGS, WorkerSettings, default_jobs
from pipeline.exec.inline import Inline
from pipeline.exec.pool import ProcessPool
from pipeline.options import Options
from pipeline.page import Page, Unread
from pipeline.record import Article

Outcome = Article | ExtractionError

__all__ = [
    "DEFAULT_WORKER_SETTINGS",
    "Executor",
    "Inline",
    "Outcome",
    "ProcessPool",
    "WorkerSettings",
    "default_jobs",
    "in_order",
    "open_executor",
]


class Executor(Protocol):
    """Where extraction runs."""

    def submit(self, page: Page) -> Future[Article]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def open_executor(settings: WorkerSettings, options: Options) -> Executor:
    """Inline for one job, else a process pool of `settings.jobs` workers."""
    if settings.resolved_jobs() == 1:
        return Inline(options)
    return ProcessPool(options, settings)


def in_order(
    executor: Executor, items: Iterable[Page | Unread], window: int | None = None
) -> Iterator[tuple[Page | Unread, Outcome]]:
    """Each item with its outcome, in the order the items came (an `Unread`
    item's outcome is its own error).

    At most `window` pages are in flight (default: four per worker), so memory
    stays bounded however many pages there are.
    """
    limit = window or 4 * max(getattr(executor, "jobs", 1), 1)
    flying: deque[tuple[Page | Unread, Future[Article] | None]] = deque()
    for item in items:
        flying.append((item, executor.submit(item) if isinstance(item, Page) else None))
        if len(flying) >= limit:
            yield _outcome(*flying.popleft())
    while flying:
        yield _outcome(*flying.popleft())


def _outcome(item: Page | Unread, future: Future[Article] | None) -> tuple[Page | Unread, Outcome]:
    if future is None:
        assert isinstance(item, Unread)
        return item, item.error
    try:
        return item, future.result()
    except ExtractionError as exc:
        return item, exc
