"""The web as a source: discover -> due -> fetch -> archive, as the pages are needed.

    source = WebSource(config, ledger, warc, stop)
    async for item in source.items():   # fetched Pages, and ErrorRecords of failures

Discovery is lazy and bounded: sources are read as their URLs are needed, a
source stops being read once its caps are met, and only a few URLs per fetch
slot are in flight, so memory does not grow with the size of a sitemap. A URL
is fetched when the ledger (pipeline/ledger.py: in a run, the state store) says
it is due, conditionally (the ETag and Last-Modified of the last extraction);
every response goes to the run's WARC before the ledger notes the fetch, and
every other end of a fetch (not due, failed, not modified, stopped) is told to
the ledger too. The archive's compression runs on a thread
of its own, off the event loop. When `stop` is set, no new fetch starts and
fetches under way are dropped (their URLs stay due); pages already fetched are
still given out.

A failure that is not the URL's (the state store damaged, a disk full under
the archive, a bug) is no error record: it stops the crawl, and `items()`
raises it, so the run ends with it instead of losing it in a task nobody
awaits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from pipeline.config import RunConfig, SourceConfig
from pipeline.discover import Discovered, iter_select
from pipeline.errors import DiscoveryError, FetchError, os_fault
from pipeline.fetch import Fetcher, FetchResult, FetchSettings
from pipeline.ledger import Ledger
from pipeline.page import Page
from pipeline.record import ErrorRecord, Provenance, utc_instant
from pipeline.sources.kinds import kind_named
from pipeline.warc import WarcWriter, page_input

_log = logging.getLogger(__name__)

_IN_FLIGHT_PER_SLOT = 2  # URL tasks alive per fetch slot: enough to keep every slot busy


Item = Page | ErrorRecord


class WebSource:
    """The configured sources' articles, fetched; see the module doc."""

    def __init__(
        self,
        config: RunConfig,
        ledger: Ledger,
        warc: WarcWriter | None,
        stop: asyncio.Event,
    ) -> None:
        """With a plain ledger every URL is due and fetched in full (`pipeline
        fetch`); without an archive the page's `input` is its URL."""
        self.config, self.ledger, self.warc, self.stop = config, ledger, warc, stop
        self._fetchers: dict[FetchSettings, Fetcher] = {}
        self._archiver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc")
        self._listening = True  # False once items() takes nothing more from the queue
        self._failure: BaseException | None = None  # what stopped the crawl, if not a URL

    async def items(self) -> AsyncIterator[Item]:
        slots = self.config.fetch.concurrency * _IN_FLIGHT_PER_SLOT
        queue: asyncio.Queue[Item | None] = asyncio.Queue(maxsize=slots)
        crawler = asyncio.create_task(self._crawl(queue, asyncio.Semaphore(slots)))
        try:
            while (item := await queue.get()) is not None:
                yield item
            await crawler
        finally:
            self._listening = False
            if not crawler.done():
                crawler.cancel()
                await asyncio.gather(crawler, return_exceptions=True)
            for fetcher in self._fetchers.values():
                await fetcher.aclose()
            self._archiver.shutdown(wait=True)

    async def _crawl(self, queue: asyncio.Queue[Item | None], slots: asyncio.Semaphore) -> None:
        tasks: set[asyncio.Task[None]] = set()
        crawler = asyncio.current_task()

        def finished(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            slots.release()
            if task.cancelled() or task.exception() is None or self._failure is not None:
                return
            self._failure = task.exception()
            if crawler is not None:
                crawler.cancel()  # stop discovering and fetching: the run cannot go on

        try:
            async for entry, source in self._discover_all(queue):
                url = entry.url
                await slots.acquire()
                if self.stop.is_set():
                    slots.release()
                    break
                self.ledger.found(url, source.name)
                task = asyncio.create_task(self._process(entry, self._fetcher(source), queue))
                tasks.add(task)
                task.add_done_callback(finished)
            if tasks:
                await asyncio.wait(tasks)
        except asyncio.CancelledError:
            if self._failure is None:
                raise
            if crawler is not None:
                crawler.uncancel()  # our own cancel, answered: the failure goes up below
        finally:
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._end(queue)
        if self._failure is not None:
            raise self._failure

    async def _end(self, queue: asyncio.Queue[Item | None]) -> None:
        """The end mark; never waits for room when nobody takes from the queue."""
        if self._listening:
            await queue.put(None)
        else:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(None)

    def _fetcher(self, source: SourceConfig) -> Fetcher:
        """One fetcher per distinct fetch settings: sources may override the user
        agent and the delay."""
        settings = self.config.fetch_settings(source)
        if settings not in self._fetchers:
            self._fetchers[settings] = Fetcher(settings)
        return self._fetchers[settings]

    # Discovery ---------------------------------------------------------------------------

    async def _discover_all(
        self, queue: asyncio.Queue[Item | None]
    ) -> AsyncIterator[tuple[Discovered, SourceConfig]]:
        """Every source's article URLs, normalised, selected and de-duplicated across
        sources (the first source to give a URL keeps it), as they are found."""
        seen: set[str] = set()
        for source in self.config.sources:
            tally = self.ledger.source(source.name)
            counts = tally.selection
            entries = self._entries(source, queue)
            try:
                async for batch in entries:
                    for item in iter_select(batch, source, counts):
                        if self.stop.is_set():
                            return
                        if item.url not in seen:
                            seen.add(item.url)
                            yield item, source
                    if counts.capped:
                        break
            except (DiscoveryError, FetchError) as exc:
                tally.error = str(exc.reason)
                await queue.put(ErrorRecord.of(source.name, source.url, exc))
            finally:
                await entries.aclose()

    async def _entries(
        self, source: SourceConfig, queue: asyncio.Queue[Item | None]
    ) -> AsyncGenerator[list[Discovered], None]:
        """The source's entries, a file (or part of one) at a time, as its kind reads
        them (sources/kinds.py); a file besides the first that cannot be read (a
        sitemap's child) is an error record of its own."""

        async def child_failed(url: str, error: DiscoveryError | FetchError) -> None:
            await queue.put(ErrorRecord.of(source.name, url, error))

        kind = kind_named(source.kind)
        async for batch in kind.entries(source, self._fetcher(source), child_failed):
            yield batch

    # One URL -----------------------------------------------------------------------------

    async def _process(
        self, entry: Discovered, fetcher: Fetcher, queue: asyncio.Queue[Item | None]
    ) -> None:
        """Fetch (conditionally) and archive one URL; hand on the page or the failure.
        Every end of the fetch is told to the ledger."""
        url, now, ledger = entry.url, datetime.now(UTC), self.ledger
        due = ledger.due(url, now)
        if due is None:
            return
        etag, last_modified = due
        try:
            fetch = fetcher.fetch(url, etag=etag, last_modified=last_modified)
            result = await _unless_stopped(fetch, self.stop)
        except FetchError as exc:
            ledger.fetch_failed(url, exc, now)
            await queue.put(ErrorRecord.of(None, url, exc))
            return
        if result is None:  # stopped: the URL stays due for the next run
            ledger.stopped(url)
        elif result.not_modified:
            ledger.not_modified(url, now)
        else:
            page = await self._archive(entry, result)
            ledger.fetched(url, result.status, result.etag, result.last_modified, now)
            await queue.put(page)

    async def _archive(self, entry: Discovered, result: FetchResult) -> Page:
        """Into the WARC (compressed on the archive's own thread), then a Page."""
        if self.warc is None:
            where = result.final_url
        else:
            where = await self._write_archive(result)
        provenance = Provenance(
            source=entry.source,
            entry_title=entry.title,
            entry_published=entry.published,
            fetched_at=utc_instant(result.fetched_at),
            http_status=result.status,
        )
        return Page(
            result.content,
            url=result.final_url,
            input=where,
            http_charset=result.charset,
            requested=entry.url,
            provenance=provenance,
        )

    async def _write_archive(self, result: FetchResult) -> str:
        assert self.warc is not None
        fetched = datetime.fromisoformat(result.fetched_at.replace("Z", "+00:00"))
        try:
            record_id = await asyncio.get_running_loop().run_in_executor(
                self._archiver,
                self.warc.write_response,
                result.final_url,
                result.status,
                result.headers,
                result.content,
                fetched,
            )
        except OSError as exc:
            raise os_fault(exc, f"cannot write {self.warc.path}") from exc
        return page_input(self.warc.path, record_id)


async def _unless_stopped(
    fetch: Coroutine[Any, Any, FetchResult], stop: asyncio.Event
) -> FetchResult | None:
    """The fetch's result, or None if the run was stopped first (the fetch is dropped)."""
    if stop.is_set():
        fetch.close()
        return None
    task: asyncio.Task[FetchResult] = asyncio.ensure_future(fetch)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Also when this task is cancelled (the crawl ends on a fault): a fetch
        # left running would outlive its client.
        stopped.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if task.cancelled():
        return None
    return task.result()
