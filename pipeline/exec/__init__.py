"""Executors: pages in, articles (or named errors) out, in this process or on workers.

    with open_executor(WorkerSettings(jobs=2), options) as executor:
        future = executor.submit(page)   # a concurrent.futures.Future
        article = future.result()        # or raises an ExtractionError subclass

The interface is `Executor`: `submit(page) -> Future[Article]` and `close()`.
`Inline` extracts in the calling thread, with no limits (`--jobs 1`: a debugger
and a traceback see the extractor directly). `ProcessPool` (the default) runs
one worker process per core with a time and memory limit per page; a worker
that overruns is killed and replaced, and the page fails as `too_slow` or
`too_much_memory`. `on_ray.RayExecutor` does the same on Ray actors (the
`ray` extra). Extraction is a pure function of the page and the options,
so every executor gives the same records; the runner (pipeline/runner.py) keeps
a window of them in flight and writes them in input order, whatever the number
of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pipeline.errors import ConfigError, ExtractionError
from pipeline.exec._settings import DEFAULT_WORKER_SETTINGS, WorkerSettings, default_jobs
from pipeline.exec.pool import ProcessPool
from pipeline.options import Options
from pipeline.page import Extractable
from pipeline.record import Article

Outcome = Article | ExtractionError

# Pages submitted ahead of the one whose outcome is awaited: enough that a page
# near the time limit does not idle the other workers, few enough to bound memory.
WINDOW_PER_JOB = 32

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


def __getattr__(name: str) -> Any:
    if name == "Inline":
        from pipeline.exec.inline import Inline

        return Inline
    raise AttributeError(f"module 'pipeline.exec' has no attribute {name!r}")
