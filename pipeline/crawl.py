"""Scheduled runs: sources -> discover -> fetch -> archive -> extract -> store.

One run reads a config, finds article URLs in its feeds, sitemaps and lists,
fetches each (conditionally, with the ETag and Last-Modified of the last run),
keeps every response in the run's WARC, extracts the HTML ones on the worker
pool and writes a record only for a new URL or changed text. Every failure
becomes a line in errors.jsonl and a count in run.json; nothing stops the run
but a broken config, state store or output folder, or a signal.

Discovery is lazy and bounded: sources are read as the URLs are needed, a
source stops being read once its caps are met, and at most a few URLs per
fetch slot are in flight, so memory does not grow with the size of a sitemap.

Order of writes, so a run killed at any point loses nothing, writes nothing
twice, and the next run picks up: the response goes to the WARC, then the state
notes the fetch; the URL is marked extracted in the same transaction that
stages its record in the state store's outbox; the record is appended to
articles.jsonl, then cleared from the outbox. A run delivers first what a
killed predecessor left staged and did not write, after cutting a line the
kill tore from the end of that run's articles.jsonl.

SIGTERM and SIGINT stop a run cleanly: no new fetch starts, fetches under way
are abandoned (their URLs stay due), pages already fetched are extracted and
written, and run.json says "interrupted": true.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.config import RunConfig, SourceConfig
from pipeline.discover import (
    ChildSitemap,
    Discovered,
    SourceCounts,
    iter_select,
    iter_sitemap,
    parse_feed,
    parse_url_list,
)
from pipeline.errors import (
    ConfigError,
    DiscoveryError,
    ExtractionError,
    FetchError,
    OutputError,
    Reason,
)
from pipeline.exec import Executor, open_executor
from pipeline.fetch import Fetcher, FetchResult, FetchSettings
from pipeline.page import Page
from pipeline.run import error_record
from pipeline.state import StateStore
from pipeline.store import JsonLines
from pipeline.warc import WarcWriter, page_input

_MAX_SITEMAPS = 200  # sitemap files followed per source: indexes can nest and loop
_LOG_EVERY = 25
_BAR = 30
_IN_FLIGHT_PER_SLOT = 2  # URL tasks alive per fetch slot: enough to keep every slot busy
# Failures of the extractor itself (not verdicts on the page): the URL backs off
# and is given up like a failed fetch, never re-fetched in a loop.
_EXTRACTOR_FAILURES = frozenset({Reason.EXTRACTOR_ERROR, Reason.TOO_SLOW, Reason.TOO_MUCH_MEMORY})
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
EXIT_INTERRUPTED = {signal.SIGINT: 130, signal.SIGTERM: 143}


@dataclass(slots=True)
class RunCounts:
    """What a run did; written to run.json and printed at the end."""

    discovered: int = 0
    skipped: int = 0  # known URLs not due yet (failing, backing off, given up)
    fetched: int = 0
    not_modified: int = 0
    written: int = 0
    unchanged: int = 0
    duplicates: int = 0
    recovered: int = 0  # records a killed run had staged but not written
    failed: Counter[str] = field(default_factory=Counter)
    sources: dict[str, SourceCounts] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plain = {k: getattr(self, k) for k in self.__slots__ if k not in ("failed", "sources")}
        return {
            **plain,
            "failed": dict(sorted(self.failed.items())),
            "sources": {name: _source_dict(c) for name, c in self.sources.items()},
        }


def _source_dict(counts: SourceCounts) -> dict[str, Any]:
    return {name: getattr(counts, name) for name in counts.__slots__}


@dataclass(slots=True)
class _Outputs:
    articles: JsonLines
    errors: JsonLines
    warc: WarcWriter
    warc_path: Path
    state: StateStore
    executor: Executor


class _Stop:
    """Set by SIGTERM or SIGINT: the run winds down and says it was interrupted."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.signal: signal.Signals | None = None

    def set(self, signum: signal.Signals) -> None:
        if self.signal is None:
            self.signal = signum
        self.event.set()


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def check_run_id(run_id: str) -> str:
    """A run id names a folder inside output_dir: a plain name, nothing that climbs out."""
    if not _RUN_ID.fullmatch(run_id) or run_id in (".", ".."):
        raise ConfigError(
            f"--run-id {run_id!r} must be a plain name: letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    return run_id


def _run_folder(output_dir: Path, run_id: str | None) -> tuple[str, Path]:
    """A new folder for the run: a given id must be unused (an earlier run's records
    are never overwritten); a generated one gets a suffix if its second is taken."""
    if run_id is not None:
        check_run_id(run_id)
        if (output_dir / run_id).exists():
            raise OutputError(f"run folder {output_dir / run_id} exists: choose another --run-id")
        return run_id, output_dir / run_id
    base = new_run_id()
    run_id, number = base, 1
    while (output_dir / run_id).exists():
        number += 1
        run_id = f"{base}-{number}"
    return run_id, output_dir / run_id


@dataclass(frozen=True, slots=True)
class RunResult:
    """Where the run's files are, and whether a signal cut it short."""

    folder: Path
    interrupted: signal.Signals | None


def run(
    config: RunConfig, run_id: str | None = None, log: Callable[[str], None] = print
) -> RunResult:
    """Do one run; return its folder. Raises ConfigError, StateError, OutputError."""
    run_id, folder = _run_folder(config.output_dir, run_id)
    started, clock = datetime.now(UTC), time.perf_counter()
    counts = RunCounts()
    stop: _Stop | None = None
    with StateStore.open(config.state_path, run_id, policy=config.retry) as state:
        state.start_run(started)
        with (
            JsonLines(folder / "articles.jsonl") as articles,
            JsonLines(folder / "errors.jsonl") as errors,
            WarcWriter(folder / "pages.warc.gz", {"run-id": run_id}) as warc,
            open_executor(config.workers, config.extraction) as executor,
        ):
            out = _Outputs(articles, errors, warc, folder / "pages.warc.gz", state, executor)
            _deliver(out, config.output_dir, counts)
            stop = asyncio.run(_crawl(config, out, counts, log))
        state.finish_run(datetime.now(UTC), _flat(counts))
    summary = {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - clock, 3),
        "interrupted": stop.signal is not None,
        **counts.to_dict(),
    }
    (folder / "run.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log(_summary_line(summary))
    return RunResult(folder, stop.signal)


async def _crawl(
    config: RunConfig, out: _Outputs, counts: RunCounts, log: Callable[[str], None]
) -> _Stop:
    stop = _Stop()
    loop = asyncio.get_running_loop()
    handled = _handle_signals(loop, stop)
    fetchers = _FetcherPool(config)
    progress = _Progress(log)
    slots = asyncio.Semaphore(config.fetch.concurrency * _IN_FLIGHT_PER_SLOT)
    tasks: set[asyncio.Task[None]] = set()
    try:
        async for url, source in _discover_all(config, fetchers, out, counts, stop):
            await slots.acquire()
            if stop.event.is_set():
                slots.release()
                break
            counts.discovered += 1
            task = asyncio.create_task(_process(url, await fetchers.get(source), out, counts, stop))
            tasks.add(task)
            task.add_done_callback(lambda t: _done(t, tasks, slots, progress, counts))
        if tasks:
            await asyncio.wait(tasks)
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
        await fetchers.close()
    progress.finish(counts)
    if stop.signal is not None:
        log(f"stopped by {stop.signal.name}: the run wrote what it had extracted")
    return stop


def _handle_signals(loop: asyncio.AbstractEventLoop, stop: _Stop) -> list[signal.Signals]:
    """Route SIGTERM and SIGINT to `stop` (only possible in the main thread)."""
    handled = []
    for signum in EXIT_INTERRUPTED:
        try:
            loop.add_signal_handler(signum, stop.set, signum)
        except (RuntimeError, ValueError, NotImplementedError):  # not the main thread
            continue
        handled.append(signum)
    return handled


def _done(
    task: asyncio.Task[None],
    tasks: set[asyncio.Task[None]],
    slots: asyncio.Semaphore,
    progress: _Progress,
    counts: RunCounts,
) -> None:
    tasks.discard(task)
    slots.release()
    progress.step(counts)


class _Progress:
    """A bar on a terminal; a plain line every few URLs under cron or in a log file.
    The total grows as discovery goes on, so the bar shows done of found so far."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.done, self.log = 0, log
        self.tty = log is stderr_log and sys.stderr.isatty()

    def step(self, counts: RunCounts) -> None:
        self.done += 1
        if self.tty:
            self._bar(counts, end="")
        elif self.done % _LOG_EVERY == 0:
            self.log(self._status(counts))

    def finish(self, counts: RunCounts) -> None:
        if self.tty and self.done:
            self._bar(counts, end="\n")
        elif self.done % _LOG_EVERY:
            self.log(self._status(counts))

    def _status(self, counts: RunCounts) -> str:
        found = counts.discovered
        return f"{self.done}/{found} URLs done, {counts.written} records written"

    def _bar(self, counts: RunCounts, end: str) -> None:
        filled = _BAR * self.done // max(counts.discovered, 1)
        bar = "#" * filled + "-" * (_BAR - filled)
        print(f"\r[{bar}] {self._status(counts)}", end=end, file=sys.stderr, flush=True)


class _FetcherPool:
    """One open fetcher per distinct fetch settings: sources may override the user
    agent and the delay."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.fetchers: dict[FetchSettings, Fetcher] = {}

    async def get(self, source: SourceConfig) -> Fetcher:
        settings = self.config.fetch_settings(source)
        if settings not in self.fetchers:
            self.fetchers[settings] = await Fetcher(settings).__aenter__()
        return self.fetchers[settings]

    async def close(self) -> None:
        for fetcher in self.fetchers.values():
            await fetcher.__aexit__(None, None, None)


async def _discover_all(
    config: RunConfig, fetchers: _FetcherPool, out: _Outputs, counts: RunCounts, stop: _Stop
) -> AsyncIterator[tuple[str, SourceConfig]]:
    """Every source's article URLs, normalised, selected and de-duplicated across
    sources (the first source to give a URL keeps it), as they are found."""
    seen: set[str] = set()
    for source in config.sources:
        source_counts = counts.sources.setdefault(source.name, SourceCounts())
        fetcher = await fetchers.get(source)
        entries = _entries(source, fetcher, out, counts)
        try:
            async for item in _selected(entries, source, source_counts):
                if stop.event.is_set():
                    return
                if item.url not in seen:
                    seen.add(item.url)
                    yield item.url, source
        except (DiscoveryError, FetchError) as exc:
            _source_failed(source.name, source.url, exc, out, counts)
        finally:
            await entries.aclose()


async def _selected(
    entries: AsyncIterator[list[Discovered]], source: SourceConfig, counts: SourceCounts
) -> AsyncIterator[Discovered]:
    """The source's entries through selection; reading stops when it is capped."""
    async for batch in entries:
        for item in iter_select(batch, source, counts):
            yield item
        if counts.capped:
            return


async def _entries(
    source: SourceConfig, fetcher: Fetcher, out: _Outputs, counts: RunCounts
) -> AsyncGenerator[list[Discovered], None]:
    """The source's entries, a file (or part of one) at a time."""
    if source.kind == "feed":
        result = await fetcher.fetch_raw(_required(source.url))
        yield list(parse_feed(result.content, result.final_url, source=source.name))
    elif source.kind == "sitemap":
        async for batch in _sitemaps(source, fetcher, out, counts):
            yield batch
    else:
        yield [Discovered(url, source.name) for url in await _url_list(source, fetcher)]


_SITEMAP_BATCH = 500


async def _sitemaps(
    source: SourceConfig, fetcher: Fetcher, out: _Outputs, counts: RunCounts
) -> AsyncIterator[list[Discovered]]:
    """A sitemap and, for an index, its children (breadth first, each once). A child
    that cannot be read is an error line of its own; the others are still read."""
    root = _required(source.url)
    queue, done = [root], set[str]()
    while queue and len(done) < _MAX_SITEMAPS:
        url = queue.pop(0)
        if url in done:
            continue
        done.add(url)
        batch: list[Discovered] = []
        try:
            result = await fetcher.fetch_raw(url)
            for entry in iter_sitemap(result.content, result.final_url, source=source.name):
                if isinstance(entry, ChildSitemap):
                    queue.append(entry.url)
                    continue
                batch.append(entry)
                if len(batch) >= _SITEMAP_BATCH:
                    yield batch
                    batch = []
        except (DiscoveryError, FetchError) as exc:
            if url == root:
                raise
            _source_failed(source.name, url, exc, out, counts)
        if batch:
            yield batch


async def _url_list(source: SourceConfig, fetcher: Fetcher) -> tuple[str, ...]:
    if source.urls:
        return source.urls
    if source.path is not None:
        return parse_url_list(source.path.read_text(encoding="utf-8"))
    result = await fetcher.fetch_raw(_required(source.url))
    return parse_url_list(result.content.decode(result.charset or "utf-8", "replace"))


def _required(url: str | None) -> str:
    if url is None:  # the config loader guarantees a url for feeds and sitemaps
        raise DiscoveryError("the source has no url")
    return url


def _source_failed(
    name: str, url: str | None, exc: DiscoveryError | FetchError, out: _Outputs, counts: RunCounts
) -> None:
    counts.failed[str(exc.reason)] += 1
    out.errors.write(error_record(name, url, exc))


async def _process(
    url: str, fetcher: Fetcher, out: _Outputs, counts: RunCounts, stop: _Stop
) -> None:
    """Fetch one URL (conditionally), archive it, extract it, store what is new."""
    now = datetime.now(UTC)
    if not out.state.due(url, now):
        counts.skipped += 1
        return
    etag, last_modified = out.state.conditional_headers(url)
    try:
        result = await _unless_stopped(
            fetcher.fetch(url, etag=etag, last_modified=last_modified), stop
        )
    except FetchError as exc:
        out.state.record_failure(url, exc.reason, now, exc.status)
        counts.failed[str(exc.reason)] += 1
        out.errors.write({**error_record(None, url, exc), "status": exc.status})
        return
    if result is None:  # stopped: the URL stays due for the next run
        return
    if result.not_modified:
        out.state.record_not_modified(url, now)
        counts.not_modified += 1
        return
    counts.fetched += 1
    page = _archive(result, out)
    out.state.record_fetch(url, result.status, result.etag, result.last_modified, now)
    await _extract(url, page, out, counts)


async def _unless_stopped(
    fetch: Coroutine[Any, Any, FetchResult], stop: _Stop
) -> FetchResult | None:
    """The fetch's result, or None if the run was stopped first (the fetch is dropped)."""
    if stop.event.is_set():
        fetch.close()
        return None
    task: asyncio.Task[FetchResult] = asyncio.ensure_future(fetch)
    stopped = asyncio.ensure_future(stop.event.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return None
    return task.result()


def _archive(result: FetchResult, out: _Outputs) -> Page:
    fetched = datetime.fromisoformat(result.fetched_at.replace("Z", "+00:00"))
    record_id = out.warc.write_response(
        result.final_url, result.status, result.headers, result.content, fetched
    )
    return Page(
        result.content,
        url=result.final_url,
        input=page_input(out.warc_path, record_id),
        http_charset=result.charset,
    )


async def _extract(url: str, page: Page, out: _Outputs, counts: RunCounts) -> None:
    now = datetime.now(UTC)
    try:
        record = await asyncio.wrap_future(out.executor.submit(page))
    except ExtractionError as exc:
        counts.failed[str(exc.reason)] += 1
        out.errors.write(error_record(page.input, url, exc))
        if exc.reason in _EXTRACTOR_FAILURES:
            out.state.record_failure(url, exc.reason, now)
        else:  # a verdict on the page (not an article, no body): not asked again
            out.state.record_extracted(url, None, f"rejected:{exc.reason}", now)
        return
    change = out.state.classify(url, record.canonical_url, record.content_hash)
    if change in ("new", "changed"):
        # Outbox: staged with the state change, then written, then cleared; see _deliver.
        data = record.to_dict()
        out.state.stage_record(url, record.canonical_url, record.content_hash, data, now)
        out.articles.write(data)
        out.state.clear_staged(url)
        counts.written += 1
        return
    if change == "duplicate":
        counts.duplicates += 1
    else:
        counts.unchanged += 1
    out.state.record_extracted(url, record.canonical_url, record.content_hash, now)


def _deliver(out: _Outputs, output_dir: Path, counts: RunCounts) -> None:
    """Records a killed run staged: write those its articles.jsonl lacks into this
    run's, so each record reaches the output exactly once."""
    written: dict[str, set[str]] = {}
    for staged in out.state.staged():
        if staged.run_id not in written:
            path = output_dir / staged.run_id / "articles.jsonl"
            cut_torn_tail(path)
            written[staged.run_id] = _record_ids(path)
        if staged.record_id not in written[staged.run_id]:
            out.articles.write(staged.record)
            counts.written += 1
            counts.recovered += 1
        out.state.clear_staged(staged.url)


def cut_torn_tail(path: Path) -> bool:
    """Remove a last line that a kill cut short (no newline at its end); True if one was.

    Lines are written whole with their newline in one write, so a complete
    record always ends in one; the torn record is still staged and is
    delivered again."""
    try:
        with path.open("rb+") as stream:
            size = stream.seek(0, os.SEEK_END)
            if size == 0:
                return False
            stream.seek(size - 1)
            if stream.read(1) == b"\n":
                return False
            keep = _last_newline_end(stream, size)
            stream.truncate(keep)
            return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputError(f"cannot repair {path}: {exc.strerror or exc}") from exc


def _last_newline_end(stream: BinaryIO, size: int) -> int:
    """The offset just after the file's last newline (0 if it has none)."""
    position = size
    while position > 0:
        step = min(64 * 1024, position)
        position -= step
        stream.seek(position)
        chunk = stream.read(step)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return position + found + 1
    return 0


def _record_ids(path: Path) -> set[str]:
    ids: set[str] = set()
    if not path.exists():
        return ids
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue
    return ids


def _flat(counts: RunCounts) -> dict[str, int]:
    flat = {
        k: v for k, v in counts.to_dict().items() if isinstance(v, int) and not isinstance(v, bool)
    }
    return {**flat, **{f"failed_{k}": v for k, v in counts.failed.items()}}


def _summary_line(summary: dict[str, Any]) -> str:
    failed = ", ".join(f"{k} {v}" for k, v in summary["failed"].items()) or "none"
    ending = "; interrupted" if summary["interrupted"] else ""
    return (
        f"run {summary['run_id']}: discovered {summary['discovered']}, "
        f"skipped {summary['skipped']}, fetched {summary['fetched']}, "
        f"not modified {summary['not_modified']}, written {summary['written']}, "
        f"unchanged {summary['unchanged']}, duplicates {summary['duplicates']}, "
        f"failed: {failed}; {summary['elapsed_s']:.1f}s{ending}"
    )


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
