"""Scheduled runs: sources -> discover -> fetch -> archive -> extract -> store.

One run reads a config, finds article URLs in its feeds, sitemaps and lists,
fetches each (conditionally, with the ETag and Last-Modified of the last run),
keeps every response in the run's WARC, extracts the HTML ones and writes a
record only for a new URL or changed text. Every failure becomes a line in
errors.jsonl and a count in run.json; nothing stops the run but a broken
config, state store or output folder.

Order of writes, so a run killed at any point loses nothing, writes nothing
twice, and the next run picks up: the response goes to the WARC, then the state
notes the fetch; the URL is marked extracted in the same transaction that
stages its record in the state store's outbox; the record is appended to
articles.jsonl, then cleared from the outbox. A run delivers first what a
killed predecessor left staged and did not write.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.config import RunConfig, SourceConfig
from pipeline.discover import Discovered, parse_feed, parse_sitemap, parse_url_list, select
from pipeline.errors import DiscoveryError, ExtractionError, FetchError, OutputError
from pipeline.extraction import extract_page
from pipeline.fetch import Fetcher, FetchResult, FetchSettings
from pipeline.options import Options
from pipeline.page import Page
from pipeline.run import error_record
from pipeline.state import StateStore
from pipeline.store import JsonLines
from pipeline.warc import WarcWriter, page_input

_MAX_SITEMAPS = 200  # sitemap files followed per source: indexes can nest and loop
_LOG_EVERY = 25
_BAR = 30


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

    def to_dict(self) -> dict[str, Any]:
        plain = {k: getattr(self, k) for k in self.__slots__ if k != "failed"}
        return {**plain, "failed": dict(sorted(self.failed.items()))}


@dataclass(slots=True)
class _Outputs:
    articles: JsonLines
    errors: JsonLines
    warc: WarcWriter
    warc_path: Path
    state: StateStore
    options: Options


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _run_folder(output_dir: Path, run_id: str | None) -> tuple[str, Path]:
    """A new folder for the run: a given id must be unused (an earlier run's records
    are never overwritten); a generated one gets a suffix if its second is taken."""
    if run_id is not None:
        if (output_dir / run_id).exists():
            raise OutputError(f"run folder {output_dir / run_id} exists: choose another --run-id")
        return run_id, output_dir / run_id
    base = new_run_id()
    run_id, number = base, 1
    while (output_dir / run_id).exists():
        number += 1
        run_id = f"{base}-{number}"
    return run_id, output_dir / run_id


def run(config: RunConfig, run_id: str | None = None, log: Callable[[str], None] = print) -> Path:
    """Do one run; return its folder. Raises ConfigError, StateError, OutputError."""
    run_id, folder = _run_folder(config.output_dir, run_id)
    started, clock = datetime.now(UTC), time.perf_counter()
    counts = RunCounts()
    with StateStore.open(config.state_path, run_id) as state:
        state.start_run(started)
        with (
            JsonLines(folder / "articles.jsonl") as articles,
            JsonLines(folder / "errors.jsonl") as errors,
            WarcWriter(folder / "pages.warc.gz", {"run-id": run_id}) as warc,
        ):
            options = config.extraction
            out = _Outputs(articles, errors, warc, folder / "pages.warc.gz", state, options)
            _deliver(out, config.output_dir, counts)
            asyncio.run(_crawl(config, out, counts, log))
        state.finish_run(datetime.now(UTC), _flat(counts))
    summary = {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "elapsed_s": round(time.perf_counter() - clock, 3),
        **counts.to_dict(),
    }
    (folder / "run.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    log(_summary_line(summary))
    return folder


async def _crawl(
    config: RunConfig, out: _Outputs, counts: RunCounts, log: Callable[[str], None]
) -> None:
    pool = _FetcherPool(config)
    try:
        urls = await _discover_all(config, pool, out, counts)
        counts.discovered = len(urls)
        log(f"discovered {len(urls)} article URLs in {len(config.sources)} sources")
        tasks = [_process(url, await pool.get(source), out, counts) for url, source in urls]
        progress = _Progress(len(tasks), log)
        for task in asyncio.as_completed(tasks):
            await task
            progress.step(counts)
    finally:
        await pool.close()


class _Progress:
    """A bar on a terminal; a plain line every few URLs under cron or in a log file."""

    def __init__(self, total: int, log: Callable[[str], None]) -> None:
        self.total, self.done, self.log = total, 0, log
        self.tty = log is stderr_log and sys.stderr.isatty()

    def step(self, counts: RunCounts) -> None:
        self.done += 1
        status = f"{self.done}/{self.total} URLs done, {counts.written} records written"
        if self.tty:
            filled = _BAR * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (_BAR - filled)
            end = "\n" if self.done == self.total else ""
            print(f"\r[{bar}] {status}", end=end, file=sys.stderr, flush=True)
        elif self.done % _LOG_EVERY == 0 or self.done == self.total:
            self.log(status)


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
    config: RunConfig, pool: _FetcherPool, out: _Outputs, counts: RunCounts
) -> list[tuple[str, SourceConfig]]:
    """Every source's article URLs, normalised, selected, and de-duplicated across sources."""
    seen: dict[str, SourceConfig] = {}
    for source in config.sources:
        try:
            found = await _discover(source, await pool.get(source))
        except (DiscoveryError, FetchError) as exc:
            counts.failed[str(exc.reason)] += 1
            out.errors.write(error_record(source.name, source.url, exc))
            continue
        for item in select(found, source):
            seen.setdefault(item.url, source)
    return list(seen.items())


async def _discover(source: SourceConfig, fetcher: Fetcher) -> list[Discovered]:
    if source.kind == "feed":
        result = await fetcher.fetch_raw(_required(source.url))
        return list(parse_feed(result.content, result.final_url, source=source.name))
    if source.kind == "sitemap":
        return await _sitemaps(source, fetcher)
    return [Discovered(url, source.name) for url in await _url_list(source, fetcher)]


async def _sitemaps(source: SourceConfig, fetcher: Fetcher) -> list[Discovered]:
    """A sitemap and, for an index, its children (breadth first, each once)."""
    queue, done, found = [_required(source.url)], set[str](), list[Discovered]()
    while queue and len(done) < _MAX_SITEMAPS:
        url = queue.pop(0)
        if url in done:
            continue
        done.add(url)
        result = await fetcher.fetch_raw(url)
        page = parse_sitemap(result.content, result.final_url, source=source.name)
        found.extend(page.urls)
        queue.extend(page.children)
    return found


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


async def _process(url: str, fetcher: Fetcher, out: _Outputs, counts: RunCounts) -> None:
    """Fetch one URL (conditionally), archive it, extract it, store what is new."""
    now = datetime.now(UTC)
    if not out.state.due(url, now):
        counts.skipped += 1
        return
    etag, last_modified = out.state.conditional_headers(url)
    try:
        result = await fetcher.fetch(url, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        out.state.record_failure(url, exc.reason, now, exc.status)
        counts.failed[str(exc.reason)] += 1
        out.errors.write({**error_record(None, url, exc), "status": exc.status})
        return
    if result.not_modified:
        out.state.record_not_modified(url, now)
        counts.not_modified += 1
        return
    counts.fetched += 1
    page = _archive(result, out)
    out.state.record_fetch(url, result.status, result.etag, result.last_modified, now)
    await _extract(url, page, out, counts)


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
        # Extraction is CPU work: a worker thread keeps the fetches flowing meanwhile.
        record = await asyncio.to_thread(extract_page, page, out.options)
    except ExtractionError as exc:
        counts.failed[str(exc.reason)] += 1
        out.errors.write(error_record(page.input, url, exc))
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
            written[staged.run_id] = _record_ids(output_dir / staged.run_id / "articles.jsonl")
        if staged.record_id not in written[staged.run_id]:
            out.articles.write(staged.record)
            counts.written += 1
            counts.recovered += 1
        out.state.clear_staged(staged.url)


def _record_ids(path: Path) -> set[str]:
    ids: set[str] = set()
    if not path.exists():
        return ids
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            continue  # the line a kill cut short: its record is still staged
    return ids


def _flat(counts: RunCounts) -> dict[str, int]:
    flat = {k: v for k, v in counts.to_dict().items() if isinstance(v, int)}
    return {**flat, **{f"failed_{k}": v for k, v in counts.failed.items()}}


def _summary_line(summary: dict[str, Any]) -> str:
    failed = ", ".join(f"{k} {v}" for k, v in summary["failed"].items()) or "none"
    return (
        f"run {summary['run_id']}: discovered {summary['discovered']}, "
        f"skipped {summary['skipped']}, fetched {summary['fetched']}, "
        f"not modified {summary['not_modified']}, written {summary['written']}, "
        f"unchanged {summary['unchanged']}, duplicates {summary['duplicates']}, "
        f"failed: {failed}; {summary['elapsed_s']:.1f}s"
    )


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
