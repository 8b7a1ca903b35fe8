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
`too_much_memory`. `on_ray.RayExecutor` does the same on Ray actors (the
`ray` extra). Extraction is a pure function of the page and the options,
so every executor gives the same records; `in_order` gives them in input order
whatever the number of workers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pipeline.errors import ConfigError, ExtractionError
from pipeline.exec._settings import DEFAULT_WORKER_SETTINGS, WorkerSettings, default_jobs
from pipeline.exec.pool import ProcessPool
from pipeline.options import MiB, Options
from pipeline.page import Extractable, Page, SavedPage, Unread
from pipeline.record import Article

Outcome = Article | ExtractionError

# Pages submitted ahead of the one whose outcome is awaited: enough that a page
# near the time limit does not idle the other workers, few enough to bound memory.
WINDOW_PER_JOB = 32
WINDOW_BYTES = 256 * MiB

if TYPE_CHECKING:
    from pipeline.exec.inline import Inline

__all__ = [
    "DEFAULT_WORKER_SETTINGS",
    "ENGINES",
    "Executor",
    "Inline",
    "Outcome",
    "ProcessPool",
    "RunsUnits",
    "WorkerSettings",
    "default_jobs",
    "in_order",
    "open_executor",
]


class Executor(Protocol):
    """Where extraction runs: pages go in, futures of their records come out.
    `jobs`: how many pages it works on at once (what the runner's window is sized by)."""

    jobs: int

    def submit(self, page: Extractable) -> Future[Article]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


@runtime_checkable
class RunsUnits(Protocol):
    """An executor that can also run a job's whole units side by side (Ray: one per
    actor), `work` being the job's module-level function for one unit."""

    def run_units(
        self, work: Callable[..., dict[str, Any]], units: Sequence[Any], folder: Path, fmt: str
    ) -> list[dict[str, Any]]: ...


ENGINES = ("local", "ray")


def open_executor(
    settings: WorkerSettings, options: Options, engine: str = "local", address: str | None = None
) -> Executor:
    """The local engine: inline for one job, else a process pool of `settings.jobs`
    workers. The Ray engine: actors on a local Ray, or the cluster at `address`."""
    if engine == "ray":
        from pipeline.exec.on_ray import RayExecutor

        return RayExecutor(options, settings, address)
    if engine != "local":
        raise ConfigError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if settings.resolved_jobs() == 1:
        from pipeline.exec.inline import Inline  # the extractor loads here, not in a pool's parent

        return Inline(options)
    return ProcessPool(options, settings)


def in_order(
    executor: Executor,
    items: Iterable[Extractable | Unread],
    window: int | None = None,
    window_bytes: int = WINDOW_BYTES,
) -> Iterator[tuple[Extractable | Unread, Outcome]]:
    """Each item with its outcome, in the order the items came (an `Unread`
    item's outcome is its own error).

    Pages are submitted ahead of the one being waited for, at most `window`
    (default: WINDOW_PER_JOB per worker) and `window_bytes` of them, so a slow
    page holds up the output but not the other workers, and memory stays
    bounded however many pages there are.
    """
    limit = window or WINDOW_PER_JOB * max(executor.jobs, 1)
    flying: deque[tuple[Extractable | Unread, Future[Article] | None]] = deque()
    held = 0
    for item in items:
        if isinstance(item, Page | SavedPage):
            held += len(item.content) if isinstance(item, Page) else 0
            flying.append((item, executor.submit(item)))
        else:
            flying.append((item, None))
        while flying and (len(flying) >= limit or held > window_bytes):
            done, outcome = _outcome(*flying.popleft())
            held -= len(done.content) if isinstance(done, Page) else 0
            yield done, outcome
    while flying:
        yield _outcome(*flying.popleft())


def _outcome(
    item: Extractable | Unread, future: Future[Article] | None
) -> tuple[Extractable | Unread, Outcome]:
    if future is None:
        assert isinstance(item, Unread)
        return item, item.error
    try:
        return item, future.result()
    except ExtractionError as exc:
        return item, exc


def __getattr__(name: str) -> Any:
    if name == "Inline":
        from pipeline.exec.inline import Inline

        return Inline
    raise AttributeError(f"module 'pipeline.exec' has no attribute {name!r}")
