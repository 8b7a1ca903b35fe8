"""Ray as the cluster engine: the same extraction on a pool of Ray actors.

    with RayExecutor(options, settings, address=None) as executor:   # local Ray
        future = executor.submit(page)                               # as any Executor
        counts = executor.run_units(units, folder, "jsonl")          # bulk archives

Why actors, not bare tasks or Ray Data: a page must be bounded in time and
memory, and the only way to stop a runaway parse is to kill the process doing
it. A Ray task can only be stopped by killing its Ray worker, which Ray then
reports as a crash and has to replace; Ray Data's per-row transforms have no
per-row failure or time limit at all, and its writers do not give one
partition and one completion marker per input archive. So each actor (one per
CPU Ray grants) keeps the local engine's guarded one-worker process pool
(pipeline/exec/pool.py): the same per-page time and memory limits, the same
warm worker, the same records. Pages travel in small batches, so Ray's
per-call cost is shared; bulk archives go one unit (one web archive) per call,
and the actor writes that unit's partition and marker itself, so the output
folder must be one every Ray node can write (a shared file system).

`ray` is an optional extra (from a checkout: `pip install -e '.[ray]'`).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, ExtractionError, ExtractorError
from pipeline.exec._settings import WorkerSettings
from pipeline.options import Options
from pipeline.page import Extractable
from pipeline.record import Article

# A job's work on one unit, run on an actor: (unit, partition, format, options, the
# actor's pool) -> the unit's counts as a dict. A module-level function: Ray sends
# it by name, so the executor imports no job.
UnitWork = Callable[[Any, Path, str, Options, Any], dict[str, Any]]

_BATCH = 16  # pages per actor call: enough to share Ray's per-call cost
_QUEUED_PER_ACTOR = 2  # calls waiting at each actor, so it never idles between them


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "--engine ray needs Ray: pip install -e '.[ray]' (from a checkout)"
        ) from exc
    return ray


class _Extractor:
    """The actor's body: a guarded one-worker pool, or in-process with jobs 1."""

    def __init__(self, options: Options, settings: WorkerSettings) -> None:
        from pipeline.exec.pool import ProcessPool

        self.options = options
        self.pool = ProcessPool(options, replace(settings, jobs=1))

    def extract(self, pages: list[Extractable]) -> list[Article | ExtractionError]:
        futures = [self.pool.submit(page) for page in pages]
        outcomes: list[Article | ExtractionError] = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except ExtractionError as exc:
                outcomes.append(exc)
        return outcomes

    def run_unit(self, work: UnitWork, unit: Any, partition: str, fmt: str) -> dict[str, Any]:
        return work(unit, Path(partition), fmt, self.options, self.pool)

    def close(self) -> None:
        self.pool.close()


@dataclass(slots=True)
class _Call:
    pages: list[Extractable]
    futures: list[Future[Article]]
    actor: int = -1


@dataclass(slots=True)
class _State:
    pending: deque[tuple[Extractable, Future[Article]]] = field(default_factory=deque)
    busy: list[int] = field(default_factory=list)  # calls queued at each actor
    closing: bool = False


class RayExecutor:
    """Extract pages on Ray actors; see the module doc."""

    def __init__(
        self, options: Options, settings: WorkerSettings, address: str | None = None
    ) -> None:
        ray = _ray()
        self._ray = ray
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            local = {"num_cpus": settings.resolved_jobs()} if address is None else {}
            ray.init(
                address=address,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
                **local,
            )
        self.jobs = max(int(ray.cluster_resources().get("CPU", 1)), 1)
        if settings.jobs is not None:
            self.jobs = min(self.jobs, settings.jobs)
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(_Extractor)
        self._actors = [actor.remote(options, settings) for _ in range(self.jobs)]
        self._state = _State(busy=[0] * self.jobs)
        self._lock = threading.Condition()
        self._dispatcher = threading.Thread(target=self._dispatch, name="ray-dispatch", daemon=True)
        self._dispatcher.start()

    def submit(self, page: Extractable) -> Future[Article]:
        future: Future[Article] = Future()
        with self._lock:
            self._state.pending.append((page, future))
            self._lock.notify()
        return future

    def run_units(
        self, work: UnitWork, units: Sequence[Any], folder: Path, fmt: str
    ) -> list[dict[str, Any]]:
        """`work` (a job's function, found by name on the actor) done for each unit on
        the next free actor, into `folder / unit.name`; its answers, in the units'
        order. The executor knows nothing of what a unit is."""
        ray, results = self._ray, [dict[str, Any]() for _ in units]
        todo = deque(enumerate(units))
        running: dict[Any, tuple[int, int]] = {}  # ref -> (unit number, actor)
        free = deque(range(self.jobs))
        while todo or running:
            while todo and free:
                number, unit = todo.popleft()
                actor = free.popleft()
                where = str(folder / unit.name)
                ref = self._actors[actor].run_unit.remote(work, unit, where, fmt)
                running[ref] = (number, actor)
            (ref,), _ = ray.wait(list(running), num_returns=1)
            number, actor = running.pop(ref)
            results[number] = ray.get(ref)
            free.append(actor)
        return results

    def close(self) -> None:
        with self._lock:
            self._state.closing = True
            self._lock.notify()
        self._dispatcher.join()
        self._ray.get([actor.close.remote() for actor in self._actors])
        for actor in self._actors:
            self._ray.kill(actor)
        if self._owns_ray:
            self._ray.shutdown()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The dispatcher thread: batches to the least busy actor.

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                while not self._ready():
                    if self._state.closing and not self._state.pending:
                        self._lock.wait_for(lambda: not any(self._state.busy))
                        return
                    self._lock.wait()
                call = self._take()
            if call.pages:
                self._send(call)
            else:  # every future of the batch was cancelled
                with self._lock:
                    self._state.busy[call.actor] -= 1

    def _ready(self) -> bool:
        state = self._state
        return bool(state.pending) and min(state.busy) < _QUEUED_PER_ACTOR

    def _take(self) -> _Call:
        state = self._state
        call = _Call([], [])
        while state.pending and len(call.pages) < _BATCH:
            page, future = state.pending.popleft()
            if future.set_running_or_notify_cancel():
                call.pages.append(page)
                call.futures.append(future)
        call.actor = state.busy.index(min(state.busy))
        state.busy[call.actor] += 1
        return call

    def _send(self, call: _Call) -> None:
        ref = self._actors[call.actor].extract.remote(call.pages)
        ref.future().add_done_callback(lambda done: self._settle(call, done))

    def _settle(self, call: _Call, done: Future[list[Article | ExtractionError]]) -> None:
        try:
            outcomes = done.result()
        except Exception as exc:  # the actor died: Ray restarts it, its pages failed
            outcomes = [ExtractorError(f"the Ray actor failed: {exc}"[:500])] * len(call.pages)
        for future, outcome in zip(call.futures, outcomes, strict=True):
            if isinstance(outcome, ExtractionError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        with self._lock:
            self._state.busy[call.actor] -= 1
            self._lock.notify_all()
