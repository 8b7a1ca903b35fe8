"""`pipeline fetch`: URLs fetched and extracted once, with no state store.

    the URLs (one `urls` source)  ->  the web source (fetch, no archive)
        ->  the executor  ->  every record written  ->  the sink

The fetches are a run's (robots.txt, the per-host delay, the size limit, the
network guard), without what makes a run resumable: no state store, no WARC, no
de-duplication against earlier runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from pipeline.config import RunConfig, SourceConfig
from pipeline.exec import WorkerSettings, open_executor
from pipeline.fetch import FetchSettings
from pipeline.interrupt import Interrupts
from pipeline.ledger import Counts, Ledger
from pipeline.options import Options
from pipeline.runner import Report, Runner
from pipeline.sinks import Sink
from pipeline.sources.web import WebSource

#: The source name a fetch's records carry in their provenance.
SOURCE = "command line"


def fetch_urls(
    urls: Sequence[str],
    sink: Sink,
    fetch: FetchSettings,
    options: Options,
    workers: WorkerSettings,
    progress: Report | None = None,
    interrupts: Interrupts | None = None,
) -> Counts:
    """Fetch and extract `urls` into `sink`; what went through the runner."""
    config = RunConfig(
        # The web source reads a run's config; a fetch writes no run folder and keeps
        # no state, so these two are never used.
        output_dir=Path("."),
        state_path=Path("."),
        sources=(SourceConfig(name=SOURCE, kind="urls", urls=tuple(urls)),),
        fetch=fetch,
        extraction=options,
        workers=workers,
    )
    counts = Counts()
    with open_executor(workers, options) as executor:

        async def work() -> None:
            stop = asyncio.Event()
            if interrupts is not None:
                interrupts.watch(stop)
            ledger = Ledger(counts)
            source = WebSource(config, ledger, None, stop)
            runner = Runner(source, executor, ledger, sink, progress=progress)
            await runner.run()

        asyncio.run(work())
    return counts
