"""The worker process's side: receive a page, extract it, send back the outcome.

Imported by the fork server before any worker is forked, so each worker starts
with the extractor loaded and warmed (parsers, date data) instead of paying for
it on its first page.
"""

from __future__ import annotations

import os

# One thread of numerical code per worker, set before numpy is first imported:
# the pool already runs one worker per core, and BLAS threads that spin between
# calls in every worker starve the others (a page then takes seconds, not ms).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import contextlib  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
from multiprocessing.connection import Connection  # noqa: E402

from pipeline.errors import ExtractionError, TooMuchMemory  # noqa: E402
from pipeline.extraction import extract_page, language  # noqa: E402
from pipeline.options import MiB, Options  # noqa: E402
from pipeline.page import Page, SavedPage  # noqa: E402

READY = "ready"

# Address space is reserved ahead of use; the resident limit the parent watches
# is the real one, so the hard cap leaves this factor of room.
_SLACK = 2
_NEAR_CAP = 0.9
_WARM_UP = (
    b"<html lang='en'><head><title>Warm up</title>"
    b"<meta property='article:published_time' content='2024-01-02T03:04:05Z'></head>"
    b"<body><article><h1>Warm up</h1><p>Published 3 January 2024 by A. Writer.</p>"
    + b"<p>A sentence of an article, long enough to count as one of its paragraphs.</p>" * 8
    + b"</article></body></html>"
)


def warm_up() -> None:
    """Run the extractor once, so lazily built caches (date parsers, the language
    model) exist before workers fork."""
    language.preload()  # the warm-up page is too short to need it
    with contextlib.suppress(ExtractionError):
        extract_page(Page(_WARM_UP, "https://example.com/news/warm-up"))


def serve(conn: Connection, options: Options, memory_mb: int) -> None:
    """The worker's loop: pages in, outcomes out, until told to stop or orphaned."""
    # The parent decides when workers stop: a Ctrl-C or SIGTERM sent to the whole
    # process group must not kill a page half-way and report it as a crash.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    cap = _limit_memory(memory_mb)
    if not _send(conn, READY):
        return
    while True:
        try:
            page = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if page is None:
            return
        try:
            loaded = page.read() if isinstance(page, SavedPage) else page
            outcome: object = extract_page(loaded, options)
        except ExtractionError as exc:
            outcome = exc
            if cap is not None and _peak_address_space() >= _NEAR_CAP * cap:
                # The parser's allocations hit the cap; it reports that as a failure
                # to parse, but the page's real fault is its size.
                outcome = TooMuchMemory(f"extraction needed more than {memory_mb} MiB")
        if not _send(conn, outcome):
            return


def _send(conn: Connection, message: object) -> bool:
    """Send to the parent; False when it is gone (killed, or stopped at once): the
    worker then ends quietly, not with a BrokenPipe traceback."""
    try:
        conn.send(message)
    except (OSError, EOFError):
        return False
    return True


def _limit_memory(memory_mb: int) -> int | None:
    """A hard cap on the address space, what the worker uses now plus room for
    `memory_mb` more (and the allocator's slack); None where it cannot be set.
    The parent watches the resident size too; this catches a burst between looks."""
    try:
        limit = _address_space() + _SLACK * memory_mb * MiB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):  # no /proc, or a lower hard limit already set
        return None
    return limit


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as stream:
        return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _peak_address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as stream:
        for line in stream:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


warm_up()
