"""The process pool: one worker per core, each page bounded in time and memory.

Why not concurrent.futures or multiprocessing.Pool: neither can kill the one
worker stuck on a page and go on; a pool whose worker dies is broken for good.
Here a dispatcher thread owns the workers. Each worker gets one page at a time
over its own pipe, so the dispatcher always knows which page a worker is on and
since when. It waits on every pipe at once; a result settles that page's future.
A worker past the time limit, or whose resident memory grew past the memory
limit, is killed and replaced, and its page fails as too_slow or
too_much_memory; a worker that dies on its own fails its page as
extractor_error. After `pages_per_worker` pages a worker is retired and a fresh
one takes its place, so memory stays flat over a long run.

Workers start from a fork server (spawn where there is none) that has loaded
and warmed the extractor once: forking from the caller, which may run an event
loop and threads, is unsafe, and spawning from scratch costs a second a worker.

Workers and the fork server ignore SIGINT and SIGTERM from their first
instruction (started with both blocked, then exec/_shield.py): a Ctrl-C reaches
the whole process group, and a page must not fail because the user asked the
command to stop. Leaving a `with` block on an exception drops
the pages not yet extracted (their futures are cancelled) and kills the busy
workers instead of finishing them; a second Ctrl-C kills every worker at once.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess

from pipeline.errors import (
    ExtractionError,
    ExtractorError,
    PipelineError,
    TooMuchMemory,
    TooSlow,
)
from pipeline.exec._settings import WorkerSettings
from pipeline.interrupt import on_hard_stop
from pipeline.options import MiB, Options
from pipeline.page import Extractable
from pipeline.record import Article

_log = logging.getLogger(__name__)

_POLL = 0.05  # seconds between looks at a busy worker's memory
_START_TIMEOUT = 60.0  # a worker that cannot even start is a broken install


@dataclass(slots=True)
class _Task:
    page: Extractable
    future: Future[Article]
    started: float = 0.0


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    born: float
    ready: bool = False
    task: _Task | None = None
    done: int = 0
    baseline: int = 0  # resident bytes when it became ready
    retire: bool = False


@dataclass(slots=True)
class PoolStats:
    """What the pool did, for run reports and benchmarks."""

    started: int = 0
    killed: dict[str, int] = field(default_factory=dict)  # reason -> workers killed
    retired: int = 0


def _serve(conn: Connection, options: Options, memory_mb: int) -> None:
    """Worker entry point; imports the worker module only in the worker."""
    # Before the import: under spawn, loading the extractor takes a second.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from pipeline.exec._worker import serve

    serve(conn, options, memory_mb)


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context: ForkServerContext = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["pipeline.exec._shield", "pipeline.exec._worker"])
        return context
    return multiprocessing.get_context("spawn")


class ProcessPool:
    """Extract pages on worker processes; use as a context manager or call close()."""

    def __init__(self, options: Options, settings: WorkerSettings) -> None:
        self.options = options
        self.settings = settings
        self.jobs = settings.resolved_jobs()
        self.stats = PoolStats()
        self._context = _context()
        self._queue: deque[_Task] = deque()
        self._lock = threading.Lock()
        self._closing = False
        self._abandon = False  # closing on an error: drop what is not done
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)  # a full pipe means "already woken"
        self._next_poll = 0.0
        self._workers: list[_Worker] = []
        self._failure: BaseException | None = None
        self._forget_hard_stop = on_hard_stop(self._kill_now)
        self._thread = threading.Thread(target=self._run, name="pipeline-pool", daemon=True)
        self._thread.start()

    # The caller's side -----------------------------------------------------------------

    def submit(self, page: Extractable) -> Future[Article]:
        future: Future[Article] = Future()
        with self._lock:
            if self._closing or self._failure is not None:
                raise PipelineError("the process pool is closed") from self._failure
            self._queue.append(_Task(page, future))
        self._wake()
        return future

    def _cancel_pending(self) -> int:
        """Drop the pages not yet handed to a worker (their futures are cancelled)."""
        with self._lock:
            dropped = list(self._queue)
            self._queue.clear()
        for task in dropped:
            task.future.cancel()
        return len(dropped)

    def close(self, abandon: bool = False) -> None:
        """Finish what was submitted, then stop the workers; with `abandon`, cancel
        the pages not yet on a worker and kill the busy workers instead."""
        if abandon:
            self._cancel_pending()
        with self._lock:
            self._closing = True
            self._abandon = self._abandon or abandon
        self._wake()
        self._thread.join()
        self._forget_hard_stop()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(abandon=exc[0] is not None)

    def _kill_now(self) -> None:
        """A second Ctrl-C: every worker dies now (from the signal handler)."""
        for worker in list(self._workers):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                worker.process.kill()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe: already woken; closed: closing
            os.write(self._wake_w, b"x")

    # The dispatcher thread -------------------------------------------------------------

    def _run(self) -> None:
        _block_stop_signals()
        try:
            while not self._finished():
                self._staff()
                self._assign()
                self._wait()
                self._enforce_limits()
        except BaseException as exc:  # a broken pool must not hang its callers
            _log.exception("the process pool failed")
            self._fail_everything(exc)
        finally:
            self._stop_workers()

    def _finished(self) -> bool:
        with self._lock:
            if self._closing and self._abandon:
                return True
            idle = not self._queue and all(w.task is None for w in self._workers)
            return self._closing and idle

    def _staff(self) -> None:
        """Retire used-up workers; start workers while pages wait and jobs allow."""
        for worker in [w for w in self._workers if w.retire and w.task is None]:
            self._stop(worker)
            self.stats.retired += 1
        with self._lock:
            waiting = len(self._queue)
        # Workers starting up or idle will take waiting pages without a new one.
        free = sum(1 for w in self._workers if w.task is None and not w.retire)
        for _ in range(min(self.jobs - len(self._workers), waiting - free)):
            self._start()

    def _start(self) -> None:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve,
            args=(child, self.options, self.settings.memory_mb),
            name="pipeline-worker",
            daemon=True,
        )
        process.start()
        child.close()
        self._workers.append(_Worker(process, parent, born=time.monotonic()))
        self.stats.started += 1

    def _assign(self) -> None:
        for worker in self._workers:
            if not worker.ready or worker.task is not None or worker.retire:
                continue
            with self._lock:
                if not self._queue:
                    return
                task = self._queue.popleft()
            if not task.future.set_running_or_notify_cancel():
                continue
            task.started = time.monotonic()
            worker.task = task
            try:
                worker.conn.send(task.page)
            except (OSError, ValueError):  # the worker died before it took the page
                self._lost(
                    worker, ExtractorError(f"the worker process died ({self._exit(worker)})")
                )

    def _wait(self) -> None:
        now = time.monotonic()
        deadlines = [w.task.started + self.settings.time_limit for w in self._busy() if w.task]
        timeout = min([d - now for d in deadlines], default=None)
        if self._busy():
            timeout = min(timeout if timeout is not None else _POLL, _POLL)
        if any(not w.ready for w in self._workers):
            timeout = min(timeout if timeout is not None else _POLL, _POLL)
        handles: list[Connection | int] = [self._wake_r, *(w.conn for w in self._workers)]
        for handle in wait(handles, max(timeout, 0.0) if timeout is not None else None):
            if handle == self._wake_r:
                self._drain_wake()
                continue
            worker = next(w for w in self._workers if w.conn is handle)
            self._receive(worker)

    def _drain_wake(self) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except BlockingIOError:
            pass

    def _receive(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker, ExtractorError(f"the worker process died ({self._exit(worker)})"))
            return
        except Exception as exc:  # a result that cannot be unpickled
            self._lost(worker, ExtractorError(f"the worker's answer was unreadable: {exc!r}"))
            return
        if not worker.ready:
            worker.ready = True
            worker.baseline = _resident(worker.process.pid)
            return
        task, worker.task = worker.task, None
        worker.done += 1
        if task is None:  # nothing was asked: a confused worker is not kept
            self._kill(worker, "confused")
            return
        if isinstance(message, ExtractionError):
            task.future.set_exception(message)
            worker.retire = isinstance(message, TooMuchMemory)
        else:
            task.future.set_result(message)
        if worker.done >= self.settings.pages_per_worker:
            worker.retire = True

    @staticmethod
    def _exit(worker: _Worker) -> str:
        """How a worker that went away ended, in words."""
        if worker.process.exitcode is None:
            worker.process.join(1)
        return _describe(worker.process.exitcode)

    def _enforce_limits(self) -> None:
        now = time.monotonic()
        limit = self.settings.memory_mb * MiB
        look = now >= self._next_poll  # /proc is read every _POLL seconds, not every page
        if look:
            self._next_poll = now + _POLL
        for worker in self._busy():
            assert worker.task is not None
            elapsed = now - worker.task.started
            if elapsed > self.settings.time_limit:
                error: ExtractionError = TooSlow(
                    f"extraction took over the {self.settings.time_limit:g} s limit"
                )
                self._kill(worker, "too_slow", error)
            elif look and _resident(worker.process.pid) - worker.baseline > limit:
                error = TooMuchMemory(
                    f"extraction grew the worker past the {self.settings.memory_mb} MiB limit"
                )
                self._kill(worker, "too_much_memory", error)
        for worker in [w for w in self._workers if not w.ready]:
            if now - worker.born > _START_TIMEOUT:
                raise PipelineError("a worker process did not start within a minute")

    def _busy(self) -> list[_Worker]:
        return [w for w in self._workers if w.task is not None]

    def _lost(self, worker: _Worker, error: ExtractionError) -> None:
        """The worker is gone or unusable: fail its page (if any) and drop it."""
        if worker.task is not None:
            worker.task.future.set_exception(error)
            worker.task = None
        elif not worker.ready:
            raise PipelineError(f"a worker process failed to start: {error.message}")
        self._kill(worker, "died")

    def _kill(self, worker: _Worker, why: str, error: ExtractionError | None = None) -> None:
        if error is not None and worker.task is not None:
            _log.warning("%s: %s", worker.task.page.input or worker.task.page.url, error.message)
            worker.task.future.set_exception(error)
            worker.task = None
        self.stats.killed[why] = self.stats.killed.get(why, 0) + 1
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._workers.remove(worker)

    def _stop(self, worker: _Worker) -> None:
        """A clean goodbye to an idle worker."""
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
        worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(5)
        worker.conn.close()
        self._workers.remove(worker)

    def _stop_workers(self) -> None:
        for worker in list(self._workers):
            if worker.task is None:
                self._stop(worker)
                continue
            task = worker.task
            self._kill(worker, "closed")
            if not task.future.done():  # abandoned half-way: not the page's fault
                task.future.set_exception(PipelineError("the process pool was closed"))

    def _fail_everything(self, exc: BaseException) -> None:
        with self._lock:
            self._failure = exc
            tasks = list(self._queue)
            self._queue.clear()
        tasks += [w.task for w in self._workers if w.task is not None]
        for task in tasks:
            future = task.future
            if not future.done() and (future.running() or future.set_running_or_notify_cancel()):
                # The pool's failure, not the page's: the page is not counted or
                # backed off; the job stops with this error.
                future.set_exception(PipelineError(f"the process pool failed: {exc}"))


def _block_stop_signals() -> None:
    """Block SIGINT and SIGTERM in the dispatcher thread. Workers and the fork server
    are started from it and inherit its mask, so a Ctrl-C to the process group
    waits, pending, until they ignore it, even while they are still loading Python
    (the main thread still gets the signal). multiprocessing's resource tracker
    unblocks both in the thread that first starts it: it is started first."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _resident(pid: int | None) -> int:
    """Resident set size of a process, in bytes (0 where /proc is not there)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _describe(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"
