"""The ledger: every outcome of a URL goes to one place, which counts it and, in a
run, writes the URL's row in the state store (pipeline/ledger.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.errors import EmptyBody, HTTPStatusError, NotArticle, TooSlow, Unreadable
from pipeline.extraction import extract_page
from pipeline.ledger import Ledger, RunLedger, Skip, Write
from pipeline.page import Page
from pipeline.record import Article, ErrorRecord
from pipeline.state import RetryPolicy, StateStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
URL = "https://news.example/2025/10/story"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _page(url: str = URL) -> Page:
    return Page((FIXTURES / "amp_article.html").read_bytes(), url=url, requested=url)


@pytest.fixture(scope="module")
def article() -> Article:
    return extract_page(_page())


def _fetch(ledger: Ledger, url: str = URL, source: str = "news") -> bool:
    """A URL found and, if due, fetched: what the web source tells the ledger."""
    ledger.found(url, source)
    if ledger.due(url, NOW) is None:
        return False
    ledger.fetched(url, 200, '"v1"', None, NOW)
    return True


def test_plain_ledger_counts_a_urls_life_in_all_and_per_source(article: Article) -> None:
    ledger = Ledger()
    assert _fetch(ledger)
    assert ledger.extracted(_page(), article) == Write()
    ledger.found("https://news.example/gone", "news")
    assert ledger.due("https://news.example/gone", NOW) == (None, None)
    ledger.fetch_failed("https://news.example/gone", HTTPStatusError("404", status=404), NOW)
    counts, tally = ledger.counts, ledger.counts.sources["news"]
    assert (counts.discovered, counts.fetched, counts.pages, counts.written) == (2, 1, 1, 1)
    assert counts.done == 2 and sum(counts.fetch_failed.values()) == 1
    assert (tally.fetched, tally.written, sum(tally.failed.values())) == (1, 1, 1)
    assert tally.coverage.records == 1
    assert not ledger._owner  # nothing in flight is remembered once settled


def test_plain_ledger_counts_failures_of_pages_and_of_sources(article: Article) -> None:
    ledger = Ledger(by_host=True)
    ledger.rejected(_page(), EmptyBody("no body"))
    ledger.rejected(None, Unreadable("unreadable"))
    ledger.failed(ErrorRecord("feed", "https://news.example/feed", "http_error", "500"))
    ledger.extracted(_page(), article)
    counts = ledger.counts
    assert counts.pages == 3 and counts.written == 1
    assert counts.failed == {"empty_body": 1, "unreadable": 1, "http_error": 1}
    hosts = counts.by_host.to_dict()
    assert hosts["tallies"]["news.example"]["records"] == 1
    assert hosts["failed"] == {"news.example": {"empty_body": 1}}  # the unread page has no host


def test_run_ledger_writes_the_state_store_and_the_outbox(tmp_path: Path, article: Article) -> None:
    db = tmp_path / "state.sqlite"
    with StateStore.open(db, "run-1") as state:
        ledger = RunLedger(state)
        assert _fetch(ledger)
        assert ledger.counts.sources["news"].new == 1
        assert ledger.extracted(_page(), article) == Write()
        assert [r.url for r in state.staged()] == [URL]  # staged with the URL marked extracted
        ledger.committed()
        assert state.staged() == []
        known = state.get(URL)
        assert known is not None and known.content_hash == article.content_hash
    with StateStore.open(db, "run-2") as state:
        ledger = RunLedger(state)
        ledger.found(URL, "news")
        assert ledger.due(URL, NOW) == ('"v1"', None)  # revalidated with the last ETag
        ledger.fetched(URL, 200, '"v1"', None, NOW)
        assert ledger.extracted(_page(), article) == Skip("unchanged")
        ledger.found(URL + "-copy", "news")
        ledger.due(URL + "-copy", NOW)
        ledger.fetched(URL + "-copy", 200, None, None, NOW)
        verdict = ledger.extracted(_page(URL + "-copy"), article)
        assert isinstance(verdict, Skip) and verdict.why == "duplicate"
        counts, tally = ledger.counts, ledger.counts.sources["news"]
        assert (counts.unchanged, counts.duplicates, counts.written) == (1, 1, 0)
        assert (tally.new, tally.unchanged, tally.duplicates) == (1, 1, 1)


def test_run_ledger_backs_off_failures_and_skips_what_is_not_due(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    policy = RetryPolicy(attempts=2)
    with StateStore.open(db, "run-1", policy=policy) as state:
        ledger = RunLedger(state)
        ledger.found(URL, "news")
        assert ledger.due(URL, NOW) == (None, None)
        ledger.fetch_failed(URL, HTTPStatusError("500", status=500), NOW)
        slow = URL + "-slow"
        _fetch(ledger, slow)
        ledger.rejected(_page(slow), TooSlow("killed"))
        not_article = URL + "-home"
        _fetch(ledger, not_article)
        ledger.rejected(_page(not_article), NotArticle("home"))
        failing, home = state.get(URL), state.get(not_article)
        assert failing is not None and failing.failures == 1 and failing.next_retry is not None
        slow_state = state.get(slow)
        assert slow_state is not None and slow_state.failures == 1  # the extractor's failure
        assert home is not None and home.failures == 0 and not home.pending_extract
        # Within the back-off, the URL is not due: skipped, and counted so.
        ledger.found(URL, "news")
        assert ledger.due(URL, NOW + timedelta(minutes=1)) is None
        assert ledger.counts.skipped == 1 and ledger.counts.sources["news"].skipped == 1
        ledger.found(URL, "news")
        assert ledger.due(URL, NOW + timedelta(days=1)) == (None, None)
        ledger.not_modified(URL, NOW + timedelta(days=1))
        recovered = state.get(URL)
        assert recovered is not None and recovered.failures == 0  # any response ends a failing run
        assert ledger.counts.not_modified == 1
        assert not ledger._owner


def test_a_stopped_or_dropped_url_is_neither_failed_nor_noted(
    tmp_path: Path, article: Article
) -> None:
    with StateStore.open(tmp_path / "state.sqlite", "run-1") as state:
        ledger = RunLedger(state)
        ledger.found(URL, "news")
        ledger.due(URL, NOW)
        ledger.stopped(URL)
        assert _fetch(ledger, URL + "-2")
        ledger.dropped(_page(URL + "-2"))
        assert not ledger._owner and not ledger.counts.failed
        assert ledger.counts.dropped == 1
        stopped = state.get(URL)
        assert stopped is None or stopped.failures == 0
        pending = state.get(URL + "-2")
        assert pending is not None and pending.pending_extract  # extracted by the next run
