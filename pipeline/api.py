"""The Python entry points for the common cases, synchronous:

    article = pipeline.extract(html, url=None)                  # a page you have
    article = pipeline.fetch("https://example.com/story")       # a page on the web
    for article in pipeline.crawl("news.toml", max_articles=50):  # a config's sources
        print(article.title, article.published_datetime)

`fetch` and `crawl` fetch as `pipeline fetch` does: robots.txt, the per-host
delay, the size limit, the timeouts and the network guard (loopback and
private addresses refused unless `allow_networks` opens them), with no state
store and nothing written. The asyncio machinery runs on a thread of its own,
so both work where an event loop is already running (a notebook).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline import urls
from pipeline.config import RunConfig, SourceConfig, load_config
from pipeline.errors import (
    ConfigError,
    DiscoveryError,
    ExtractionError,
    FetchError,
    PipelineError,
    Reason,
)
from pipeline.exec import WorkerSettings
from pipeline.extraction import extract_page
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.page import Page
from pipeline.record import Article, ErrorRecord, writable
from pipeline.sinks._base import Lifecycle

_log = logging.getLogger("pipeline.api")
_INLINE = WorkerSettings(jobs=1)  # one page at a time: extracted in this process


def extract(
    html: str | bytes | bytearray | memoryview,
    url: str | None = None,
    options: Options = DEFAULT_OPTIONS,
) -> Article:
    """Extract the article of one page.

    `html` is the page as text or as the bytes a server sent (their charset is
    then detected). Raises a subclass of `pipeline.errors.ExtractionError`
    (its `reason` is the code written to errors.jsonl) when the page yields no
    article. A `url` that UTF-8 cannot hold (a lone surrogate) is made writable
    (see `pipeline.record.writable`).
    """
    url = None if url is None else writable(url)
    if isinstance(html, str):
        # "replace": a str may hold lone surrogates, which UTF-8 cannot encode.
        content = html.encode("utf-8", "replace")
        return extract_page(Page(content, url, http_charset="utf-8"), options)
    return extract_page(Page(bytes(html), url), options)


def fetch(
    url: str,
    *,
    options: Options = DEFAULT_OPTIONS,
    allow_networks: Iterable[str] = (),
    user_agent: str | None = None,
    timeout: float | None = None,
) -> Article:
    """Fetch one page and extract it, as `pipeline fetch URL` does.

    Raises ConfigError for a URL that is not an absolute http(s) one, the
    FetchError of a fetch that failed (`RobotsDisallowed`, `BlockedAddress`,
    `HTTPStatusError`, ...) and the ExtractionError of a page with no article;
    each carries its `reason`, the code written to errors.jsonl.
    """
    if urls.http_url(writable(url)) is None:
        raise ConfigError(f"not an absolute http(s) URL: {url!r}")
    config = _config(
        (SourceConfig(name="fetch", kind="urls", urls=(url,)),),
        options,
        allow_networks,
        user_agent,
        timeout,
    )
    errors: list[ErrorRecord] = []
    for article in _articles(config, _INLINE, errors):
        return article
    if errors:
        raise error_of(errors[0])
    raise ConfigError(f"{url} gave no page")  # pragma: no cover - a fetch gives one or the other


def crawl(
    config: RunConfig | str | Path,
    *,
    max_articles: int | None = None,
    workers: WorkerSettings | None = None,
    errors: list[ErrorRecord] | None = None,
) -> Iterator[Article]:
    """The articles of a run config's sources (a TOML file, or a RunConfig), as
    they are extracted: feeds and sitemaps read, URLs fetched politely, pages
    extracted. Unlike `pipeline run` there is no state store (every URL is
    fetched) and nothing is written. Stops after `max_articles`, or when the
    loop over it stops; the pages that gave no article are appended to
    `errors` when it is given (else logged at debug level). Extraction runs on
    the config's `[workers]`, or `workers`."""
    run = config if isinstance(config, RunConfig) else load_config(config)
    settings = workers or run.workers
    if max_articles is not None and max_articles <= 0:
        return
    for yielded, article in enumerate(_articles(run, settings, errors), 1):
        yield article
        if max_articles is not None and yielded >= max_articles:
            return


def error_of(record: ErrorRecord) -> PipelineError:
    """The named exception an error record stands for."""
    kind = _ERRORS.get(record.reason)
    if kind is None:
        try:
            return DiscoveryError(record.message, Reason(record.reason))
        except ValueError:
            return PipelineError(record.message)
    if issubclass(kind, FetchError):
        return kind(record.message, record.status)
    return kind(record.message)


def _subclasses(base: type[Any]) -> Iterator[type[Any]]:
    for kind in base.__subclasses__():
        yield kind
        yield from _subclasses(kind)


_ERRORS: dict[str, type[ExtractionError] | type[FetchError]] = {
    str(kind.reason): kind for base in (ExtractionError, FetchError) for kind in _subclasses(base)
}


def _config(
    sources: tuple[SourceConfig, ...],
    options: Options,
    allow_networks: Iterable[str],
    user_agent: str | None,
    timeout: float | None,
) -> RunConfig:
    from pipeline.fetch import DEFAULT_FETCH_SETTINGS, parse_networks

    try:
        networks = parse_networks(list(allow_networks))
    except ValueError as exc:
        raise ConfigError(f"allow_networks: {exc}") from exc
    fetch = replace(
        DEFAULT_FETCH_SETTINGS,
        user_agent=user_agent or DEFAULT_FETCH_SETTINGS.user_agent,
        total_timeout=timeout or DEFAULT_FETCH_SETTINGS.total_timeout,
        max_bytes=options.max_bytes,
        allow_networks=networks,
    )
    return RunConfig(
        output_dir=Path("."),
        state_path=Path("."),  # no state store: the web source is given none
        sources=sources,
        fetch=fetch,
        extraction=options,
        workers=_INLINE,
    )


_DONE = object()


def _articles(
    config: RunConfig, workers: WorkerSettings, errors: list[ErrorRecord] | None
) -> Iterator[Article]:
    """Run the config's sources through the runner on a thread of its own, and hand
    over each article as it is written; stop it when the caller stops."""
    handed: queue.Queue[Any] = queue.Queue()
    control: dict[str, Any] = {}
    started = threading.Event()

    def work() -> None:
        try:
            asyncio.run(_run(config, workers, handed, control, started))
        except BaseException as exc:  # handed to the caller's thread, raised there
            handed.put(exc)
        finally:
            started.set()
            handed.put(_DONE)

    thread = threading.Thread(target=work, name="pipeline-crawl", daemon=True)
    thread.start()
    try:
        while (item := handed.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, ErrorRecord):
                _note(item, errors)
                continue
            yield item
    finally:
        started.wait()
        loop, stop = control.get("loop"), control.get("stop")
        if loop is not None and stop is not None and not loop.is_closed():
            # The loop may close meanwhile (RuntimeError): it is done anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        thread.join()


def _note(record: ErrorRecord, errors: list[ErrorRecord] | None) -> None:
    if errors is not None:
        errors.append(record)
    else:
        _log.debug("%s: %s: %s", record.url or record.input, record.reason, record.message)


async def _run(
    config: RunConfig,
    workers: WorkerSettings,
    handed: queue.Queue[Any],
    control: dict[str, Any],
    started: threading.Event,
) -> None:
    from pipeline.exec import open_executor
    from pipeline.ledger import Ledger
    from pipeline.runner import Runner
    from pipeline.sources.web import WebSource

    stop = asyncio.Event()
    control.update(loop=asyncio.get_running_loop(), stop=stop)
    started.set()
    with open_executor(workers, config.extraction) as executor:
        ledger = Ledger()
        source = WebSource(config, ledger, None, stop)
        await Runner(source, executor, ledger, _Handover(handed)).run()


class _Handover(Lifecycle):
    """A sink that hands each record and error record to the caller's thread."""

    format = "python"
    target = "<caller>"

    def __init__(self, handed: queue.Queue[Any]) -> None:
        self._handed = handed

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def write(self, record: Article) -> None:
        self._handed.put(record)

    def write_error(self, error: ErrorRecord) -> None:
        self._handed.put(error)

    def commit(self) -> None:
        return None
