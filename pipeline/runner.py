"""The runner: a source's pages through an executor, a de-duplication step and a sink.

    counts = asyncio.run(Runner(source, executor, dedup, sink).run())

It only chains the stages and counts, for `pipeline extract` and `pipeline run`
alike:

    source.items()  ->  Page        -> executor.submit -> Article | ExtractionError
                        Unread      (a page that could not be read: its error)
                        ErrorRecord (a failure of the source's own: a fetch, a feed)
    Article         ->  dedup.decide -> Write (to the sink) | Skip (unchanged, duplicate)
    ExtractionError ->  dedup.rejected, and an error record
    every `batch` records, and at the end: sink.commit(), then dedup.committed()

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
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field, replace
from typing import Protocol

from pipeline.coverage import ByHost
from pipeline.errors import ExtractionError, PipelineError, Reason
from pipeline.exec import WINDOW_PER_JOB, Executor
from pipeline.page import Extractable, Page, SavedPage, Unread
from pipeline.record import Article, ErrorRecord
from pipeline.sinks import Sink

_BATCH = 500  # records between two commits of the sink
_BATCH_SECONDS = 30.0  # ... or this long, whichever comes first


class Source(Protocol):
    """Where pages come from: saved files, web archives, the web."""

    def items(self) -> AsyncIterator[Extractable | Unread | ErrorRecord]: ...


@dataclass(frozen=True, slots=True)
class Write:
    """Write the record (`duplicate_of`: the earlier record it nearly repeats)."""

    duplicate_of: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """Do not write it: `why` is "unchanged", "duplicate" (the same text under
    another URL) or "near_duplicate"; `of` the record it repeats."""

    why: str
    of: str | None = None


Verdict = Write | Skip


class Dedup(Protocol):
    """Decides which records are written, and remembers what happened to each page."""

    def decide(self, page: Extractable, article: Article) -> Verdict: ...

    def rejected(self, page: Extractable, error: ExtractionError) -> None: ...

    def committed(self) -> None: ...


class WriteAll:
    """Every record is written: saved files and archives are taken as given. Each
    page's outcome is tallied under its host (`by_host`, when given)."""

    def __init__(self, by_host: ByHost | None = None) -> None:
        self.by_host = by_host

    def decide(self, page: Extractable, article: Article) -> Verdict:
        if self.by_host is not None:
            # A saved page given no URL is counted under the host it declares.
            self.by_host.add(article.url or article.canonical_url or page.url, article)
        return Write()

    def rejected(self, page: Extractable, error: ExtractionError) -> None:
        if self.by_host is not None:
            self.by_host.fail(page.url, str(error.reason))

    def committed(self) -> None:
        return None


@dataclass(slots=True)
class Counts:
    """What went through the runner."""

    pages: int = 0
    written: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    dropped: int = 0  # pages whose extraction was cancelled: not failures
    by_host: ByHost = field(default_factory=ByHost)  # `pipeline extract`'s coverage

    def to_dict(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "written": self.written,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "failed": dict(sorted(self.failed.items())),
            "by_host": self.by_host.to_dict(),
        }


# How a job hears of progress: the counts so far (a progress bar's update).
Report = Callable[[Counts], None]

# A concurrent future, not a coroutine: one left in the queue when the runner
# stops is dropped without "never awaited" or "exception never retrieved" noise.
Pending = Future[Article] | ExtractionError | ErrorRecord
Entry = tuple[Extractable | Unread | ErrorRecord, Pending]


class Runner:
    """Chains one source, executor, de-duplication step and sink; see the module doc."""

    def __init__(
        self,
        source: Source,
        executor: Executor,
        dedup: Dedup,
        sink: Sink,
        *,
        counts: Counts | None = None,
        progress: Report | None = None,
        window: int | None = None,
        stop: asyncio.Event | None = None,
    ) -> None:
        self.source, self.executor, self.dedup, self.sink = source, executor, dedup, sink
        self.counts = counts if counts is not None else Counts()
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
            # Keep what was written; the de-duplication step is not told, so records
            # it staged stay staged (one may not have reached the sink) for the next
            # run to deliver. The first error is the one to report.
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
            self.counts.failed[pending.reason] += 1
            self.sink.write_error(pending)
        else:
            try:
                outcome = pending if isinstance(pending, ExtractionError) else await _wait(pending)
            except ExtractionError as exc:
                outcome = exc
            except CancelledError:  # the executor dropped it: the page was not judged
                self.counts.dropped += 1
                return
            self.counts.pages += 1
            if isinstance(outcome, ExtractionError):
                self._failed(item, outcome)
            else:
                assert isinstance(item, Page | SavedPage)
                self._extracted(item, outcome)
        if self._progress is not None:
            self._progress(self.counts)

    def _failed(self, item: Extractable | Unread | ErrorRecord, error: ExtractionError) -> None:
        assert not isinstance(item, ErrorRecord)
        self.counts.failed[str(error.reason)] += 1
        if isinstance(item, Page | SavedPage):
            self.dedup.rejected(item, error)
        self.sink.write_error(ErrorRecord.of(item.input, _url(item), error))

    def _extracted(self, page: Extractable, article: Article) -> None:
        if isinstance(page, Page) and page.provenance is not None:
            article = article.with_provenance(page.provenance)
        verdict = self.dedup.decide(page, article)
        if isinstance(verdict, Skip):
            if verdict.why == "unchanged":
                self.counts.unchanged += 1
                return
            self.counts.duplicates += 1
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
        self.counts.written += 1
        self._since_commit += 1
        if self._since_commit >= _BATCH or time.monotonic() - self._committed_at >= _BATCH_SECONDS:
            self._commit()

    def _commit(self) -> None:
        self.sink.commit()
        self.dedup.committed()
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
