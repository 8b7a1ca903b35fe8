"""The runner: a source's pages through an executor to a sink, told to a ledger.

    counts = asyncio.run(Runner(source, executor, ledger, sink).run())

It only chains the stages, for `pipeline extract`, `fetch` and `run` alike; every
outcome goes to the ledger (pipeline/ledger.py), which counts it and, in a run,
writes it to the state store:

    source.items()  ->  Page        -> executor.submit -> Article | ExtractionError
                        Unread      (a page that could not be read: its error)
                        ErrorRecord (a failure of the source's own: a fetch, a feed)
    Article         ->  ledger.extracted -> Write (to the sink) | Skip (unchanged, duplicate)
    ExtractionError ->  ledger.rejected, and an error record
    ErrorRecord     ->  ledger.failed, and the error record
    every `batch` records, and at the end: sink.commit(), then ledger.committed()

Items are settled in the order the source gives them (a folder's files in
order; a crawl's pages as their fetches finish), at most `window` ahead of the
one being waited for, so a slow page holds up the output but not the workers,
and memory stays bounded.

Stopping: when `stop` is set (a signal), the source is read no further (it is
checked between items) and the pages already submitted are settled and
written. When the settling side fails (a sink that cannot write, a closed
stdout), the producer is cancelled without waiting for room in the queue, and
the error goes up. A page whose extraction was cancelled (the executor closing
early) is dropped: not a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from concurrent.futures import CancelledError, Future
from dataclasses import replace
from typing import Protocol

from pipeline.errors import ExtractionError, PipelineError, Reason
from pipeline.exec import WINDOW_PER_JOB, Executor
from pipeline.ledger import Counts, Ledger, Skip
from pipeline.page import Extractable, Page, SavedPage, Unread
from pipeline.record import Article, ErrorRecord
from pipeline.sinks import Sink

_BATCH = 500  # records between two commits of the sink
_BATCH_SECONDS = 30.0  # ... or this long, whichever comes first


class Source(Protocol):
    """Where pages come from: saved files, web archives, the web."""

    def items(self) -> AsyncIterator[Extractable | Unread | ErrorRecord]: ...


# How a job hears of progress: the counts so far (a progress bar's update).
Report = Callable[[Counts], None]

# A concurrent future, not a coroutine: one left in the queue when the runner
# stops is dropped without "never awaited" or "exception never retrieved" noise.
Pending = Future[Article] | ExtractionError | ErrorRecord
Entry = tuple[Extractable | Unread | ErrorRecord, Pending]


class Runner:
    """Chains one source, executor and sink, telling the ledger; see the module doc."""

    def __init__(
        self,
        source: Source,
        executor: Executor,
        ledger: Ledger,
        sink: Sink,
        *,
        progress: Report | None = None,
        window: int | None = None,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.source, self.executor, self.ledger, self.sink = source, executor, ledger, sink
        self.counts = ledger.counts
        self._progress = progress
        jobs = max(executor.jobs, 1)
        self._window = window or WINDOW_PER_JOB * jobs
        self._stop = stop
        self._since_commit = 0
        self._committed_at = time.monotonic()
        self._settling = True  # False once nobody takes from the queue any more

    async def run(self) -> Counts:
        queue: asyncio.Queue[Entry | None] = asyncio.Queue(maxsize=self._window)
        producer = asyncio.create_task(self._produce(queue))
        try:
            while (entry := await queue.get()) is not None:
                await self._settle(*entry)
            await producer  # re-raise what stopped the source, if anything
        except BaseException:
            self._settling = False
            producer.cancel()
            # Awaited even when done: a failure of its own (the same full disk, say)
            # is retrieved here, not reported as "never retrieved" at exit.
            await asyncio.gather(producer, return_exceptions=True)
            # Keep what was written; the ledger is not told, so records it staged
            # stay staged (one may not have reached the sink) for the next run to
            # deliver. The first error is the one to report.
            with contextlib.suppress(PipelineError, OSError):
                self.sink.commit()
            raise
        self._commit()
        return self.counts

    async def _produce(self, queue: asyncio.Queue[Entry | None]) -> None:
        items = self.source.items()
        try:
            async for item in items:
                # Checked between items: a source that may wait long for its next
                # one (the web) watches the signal itself.
                if self._stop is not None and self._stop.is_set():
                    break
                await queue.put((item, self._submit(item)))
                # A put with room does not yield; yield anyway, so that a signal's
                # stop is seen at the next item even when pages extract inline.
                await asyncio.sleep(0)
        finally:
            if isinstance(items, AsyncGenerator):
                await items.aclose()
            # The end mark. Stopped by a signal, the settling side still drains the
            # queue; gone (it failed), nothing will make room: do not wait for it.
            if self._settling:
                await queue.put(None)
            else:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)

    def _submit(self, item: Extractable | Unread | ErrorRecord) -> Pending:
        if isinstance(item, Page | SavedPage):
            return self.executor.submit(item)
        if isinstance(item, Unread):
            return item.error
        return item

    async def _settle(self, item: Extractable | Unread | ErrorRecord, pending: Pending) -> None:
        if isinstance(pending, ErrorRecord):  # the source's own failure
            self.ledger.failed(pending)
            self.sink.write_error(pending)
        else:
            try:
                outcome = pending if isinstance(pending, ExtractionError) else await _wait(pending)
            except ExtractionError as exc:
                outcome = exc
            except CancelledError:  # the executor dropped it: the page was not judged
                assert isinstance(item, Page | SavedPage)
                self.ledger.dropped(item)
                return
            if isinstance(outcome, ExtractionError):
                self._failed(item, outcome)
            else:
                assert isinstance(item, Page | SavedPage)
                self._extracted(item, outcome)
        if self._progress is not None:
            self._progress(self.counts)

    def _failed(self, item: Extractable | Unread | ErrorRecord, error: ExtractionError) -> None:
        assert not isinstance(item, ErrorRecord)
        self.ledger.rejected(item if isinstance(item, Page | SavedPage) else None, error)
        self.sink.write_error(ErrorRecord.of(item.input, _url(item), error))

    def _extracted(self, page: Extractable, article: Article) -> None:
        if isinstance(page, Page) and page.provenance is not None:
            article = article.with_provenance(page.provenance)
        verdict = self.ledger.extracted(page, article)
        if isinstance(verdict, Skip):
            if verdict.why == Reason.NEAR_DUPLICATE:  # skipped by choice: say which it repeats
                self.sink.write_error(
                    ErrorRecord(
                        page.input,
                        _url(page),
                        str(Reason.NEAR_DUPLICATE),
                        f"nearly the text of the earlier record {verdict.of}",
                        duplicate_of=verdict.of,
                    )
                )
            return
        if verdict.duplicate_of is not None:
            article = replace(article, duplicate_of=verdict.duplicate_of)
        self.sink.write(article)
        self._since_commit += 1
        if self._since_commit >= _BATCH or time.monotonic() - self._committed_at >= _BATCH_SECONDS:
            self._commit()

    def _commit(self) -> None:
        self.sink.commit()
        self.ledger.committed()
        self._since_commit = 0
        self._committed_at = time.monotonic()


def _url(item: Extractable | Unread) -> str | None:
    return item.requested or item.url if isinstance(item, Page) else item.url


async def _wait(future: Future[Article]) -> Article:
    """The future's result; raises concurrent.futures.CancelledError when the
    executor cancelled it (distinct from this task being cancelled)."""
    if future.cancelled():
        raise CancelledError
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if future.cancelled() and (task is None or not task.cancelling()):
            raise CancelledError from None
        raise
