"""Executors: the same records inline and on a pool, in input order; a page past the
time or memory limit costs its worker, not the batch; workers are recycled."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from pipeline.errors import ExtractionError, ExtractorError, Reason, TooMuchMemory, TooSlow
from pipeline.exec import Executor, Inline, Outcome, ProcessPool, WorkerSettings, open_executor
from pipeline.options import Options
from pipeline.page import Page

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = [Page(p.read_bytes(), input=p.name) for p in sorted(FIXTURES.glob("*.html"))]
# About 10 s of lexbor's time on this machine: far past any test's time limit.
# Seconds of extraction, under the shape limits (extraction/limits.py): a flat table.
SLOW = Page(
    b"<html><body><table><tr>" + b"<td>x" * 200_000 + b"</table></body></html>", input="slow"
)


def in_order(executor: Executor, pages: list[Page]) -> list[tuple[Page, Outcome]]:
    """Each page with its outcome, in input order (all submitted at once: the
    runner's window is not what these tests are about)."""
    futures = [(page, executor.submit(page)) for page in pages]
    found: list[tuple[Page, Outcome]] = []
    for page, future in futures:
        try:
            found.append((page, future.result()))
        except ExtractionError as exc:
            found.append((page, exc))
    return found


def plain(outcome: Outcome) -> object:
    if isinstance(outcome, Exception):
        return ("error", str(outcome.reason))
    record = outcome.to_dict()
    del record["extracted_at"]  # the one volatile field
    return record


def test_pool_gives_the_inline_records_in_input_order() -> None:
    inline = [(p.input, plain(o)) for p, o in in_order(Inline(Options()), PAGES)]
    with ProcessPool(Options(), WorkerSettings(jobs=2)) as pool:
        pooled = [(p.input, plain(o)) for p, o in in_order(pool, PAGES * 3)]
    assert pooled == inline * 3
    assert any(isinstance(r, dict) for _, r in inline) and any(
        isinstance(r, tuple) for _, r in inline
    )


def test_open_executor_picks_inline_for_one_job() -> None:
    assert isinstance(open_executor(WorkerSettings(jobs=1), Options()), Inline)
    with open_executor(WorkerSettings(jobs=2), Options()) as executor:
        assert isinstance(executor, ProcessPool)


def test_a_page_past_the_time_limit_is_too_slow_and_the_rest_go_on() -> None:
    settings = WorkerSettings(jobs=2, time_limit=1.0)
    started = time.monotonic()
    with ProcessPool(Options(), settings) as pool:
        outcomes = [o for _, o in in_order(pool, [SLOW, *PAGES])]
        assert pool.stats.killed == {"too_slow": 1}
    assert isinstance(outcomes[0], TooSlow) and outcomes[0].reason == Reason.TOO_SLOW
    assert [plain(o) for o in outcomes[1:]] == [
        plain(o) for _, o in in_order(Inline(Options()), PAGES)
    ]
    assert time.monotonic() - started < 8  # killed at the limit, not waited for


def test_a_page_past_the_memory_limit_is_too_much_memory() -> None:
    big = b"<html><body>" + b"<p class='a b c' id='x'>word word</p>" * 250_000 + b"</body></html>"
    with ProcessPool(Options(max_bytes=64 << 20), WorkerSettings(jobs=2, memory_mb=32)) as pool:
        outcome = pool.submit(Page(big, input="big")).exception(timeout=30)
        after = pool.submit(PAGES[0]).result(timeout=30)
    assert isinstance(outcome, TooMuchMemory), outcome
    assert after.word_count > 0


def test_a_worker_that_dies_fails_its_page_only() -> None:
    with ProcessPool(Options(), WorkerSettings(jobs=2, time_limit=60)) as pool:
        future = pool.submit(SLOW)
        deadline = time.monotonic() + 10
        while not any(w.task is not None for w in pool._workers):  # wait until it is on the page
            assert time.monotonic() < deadline
            time.sleep(0.05)
        victim = next(w for w in pool._workers if w.task is not None).process.pid
        assert victim is not None
        os.kill(victim, signal.SIGKILL)
        error = future.exception(timeout=10)
        assert isinstance(error, ExtractorError) and "killed by SIGKILL" in error.message
        assert pool.submit(PAGES[0]).result(timeout=30).word_count > 0


def test_workers_are_recycled() -> None:
    with ProcessPool(Options(), WorkerSettings(jobs=2, pages_per_worker=3)) as pool:
        outcomes = [o for _, o in in_order(pool, PAGES)]
        stats = pool.stats
    assert len(outcomes) == len(PAGES)
    assert stats.retired >= len(PAGES) // 3 - 2 and stats.started >= len(PAGES) // 3


def test_settings_are_checked() -> None:
    from pipeline.errors import ConfigError

    for bad in ({"jobs": 0}, {"time_limit": 0}, {"memory_mb": 1}, {"pages_per_worker": 0}):
        with pytest.raises(ConfigError):
            WorkerSettings(**bad)  # type: ignore[arg-type]
