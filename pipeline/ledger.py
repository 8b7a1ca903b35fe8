"""The ledger: a URL's life in a job, written down in one place.

    discovered -> not due (skipped)
               -> fetched -> extracted -> written | unchanged | duplicate | near-duplicate
                          -> rejected (not an article, no body, ...) | extractor failure
                          -> dropped (a signal stopped the run first)
               -> not modified (a 304)
               -> fetch failed
               -> stopped (a signal: the URL stays due)

The web source tells the ledger what became of each fetch, the runner what
became of each page; nothing else counts an outcome or writes a URL's row in the
state store. Two ledgers:

    Ledger      counts only: `pipeline extract` (saved files and archives, every
                record written) and `pipeline fetch` (no state)
    RunLedger   `pipeline run`: also the state store's rows (fetch, back-off,
                extraction), the outbox that makes the output exactly-once, the
                exact and near-duplicate verdicts (pipeline/dedup), and each
                source's tally

Two counter types, one per level: `Counts` for the job, `SourceTally` for one
source of a run (its selection, its URLs' outcomes and its records' coverage).
A URL's source is remembered only while the URL is in flight, so memory holds
the URLs being worked on, not every URL of the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pipeline.coverage import ByHost, Tally
from pipeline.dedup.exact import judge
from pipeline.discover import SourceCounts
from pipeline.errors import Deferred, ExtractionError, FetchError, Reason
from pipeline.page import Extractable
from pipeline.record import Article, ErrorRecord
from pipeline.state import StateStore, is_due, validators

if TYPE_CHECKING:  # the index needs numpy: imported by the run that opens it
    from pipeline.dedup.near import NearDuplicates

# Failures of the extractor itself, not verdicts on the page: the URL backs off
# and is given up like a failed fetch, never re-fetched in a loop.
EXTRACTOR_FAILURES = frozenset({Reason.EXTRACTOR_ERROR, Reason.TOO_SLOW, Reason.TOO_MUCH_MEMORY})

# A Retry-After past a year means "not now" like any other; the retry policy caps
# the wait far below, and no date arithmetic overflows on an absurd one.
_LONGEST_DEFERRAL = 365 * 24 * 3600.0

# (ETag, Last-Modified) to revalidate a fetch with; Nones for a full fetch.
Validators = tuple[str | None, str | None]


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


@dataclass(slots=True)
class SourceTally:
    """One source in one run: what selection made of its entries, then what became
    of its URLs and what its records hold. `error` is the reason code when the
    source itself could not be read."""

    selection: SourceCounts = field(default_factory=SourceCounts)
    new: int = 0  # URLs the state store had never seen
    skipped: int = 0
    fetched: int = 0
    not_modified: int = 0
    written: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    coverage: Tally = field(default_factory=Tally)

    def to_dict(self) -> dict[str, Any]:
        selection = {slot: getattr(self.selection, slot) for slot in self.selection.__slots__}
        return {
            **selection,
            "new": self.new,
            "skipped": self.skipped,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "written": self.written,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "failed": dict(sorted(self.failed.items())),
            "error": self.error,
        }


@dataclass(slots=True)
class Counts:
    """What one job did: its URLs (a crawl's), its pages and records."""

    discovered: int = 0
    skipped: int = 0  # known URLs not due yet (failing, backing off, given up)
    fetched: int = 0
    not_modified: int = 0
    done: int = 0  # URLs whose fetch is over, one way or another
    fetch_failed: Counter[str] = field(default_factory=Counter)  # URL fetches, by reason
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: Counter[str] = field(default_factory=Counter)  # pages and sources, by reason
    dropped: int = 0  # pages whose extraction was cancelled: not failures
    by_host: ByHost = field(default_factory=ByHost)  # `pipeline extract`'s coverage
    sources: dict[str, SourceTally] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The pages' figures (a unit's completion marker, a Ray actor's answer)."""
        return {
            "pages": self.pages,
            "written": self.written,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "failed": dict(sorted(self.failed.items())),
            "by_host": self.by_host.to_dict(),
        }

    def crawl_dict(self) -> dict[str, Any]:
        """The URLs' figures, in all and per source (a run's run.json)."""
        return {
            "discovered": self.discovered,
            "skipped": self.skipped,
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "sources": {name: tally.to_dict() for name, tally in self.sources.items()},
        }


class Ledger:
    """Counts every outcome; writes every record. See the module doc."""

    def __init__(self, counts: Counts | None = None, *, by_host: bool = False) -> None:
        """`by_host`: tally each page under its host too (`pipeline extract --coverage`)."""
        self.counts = counts if counts is not None else Counts()
        self._by_host = by_host
        # URL -> its source's tally, while the URL is in flight.
        self._owner: dict[str, SourceTally] = {}

    # What the sources say --------------------------------------------------------------

    def source(self, name: str) -> SourceTally:
        """The tally of the source `name`, made at its first mention."""
        tally = self.counts.sources.get(name)
        if tally is None:
            tally = self.counts.sources[name] = SourceTally()
        return tally

    def found(self, url: str, source: str) -> None:
        """`url` is the next URL of `source` to work on."""
        self.counts.discovered += 1
        self._owner[url] = self.source(source)

    def due(self, url: str, now: datetime) -> Validators | None:
        """What to revalidate `url`'s fetch with, or None when it is not due."""
        return None, None

    def fetch_failed(self, url: str, error: FetchError, now: datetime) -> None:
        reason = str(error.reason)
        self.counts.fetch_failed[reason] += 1
        self._over(url).failed[reason] += 1

    def not_modified(self, url: str, now: datetime) -> None:
        self.counts.not_modified += 1
        self._over(url).not_modified += 1

    def fetched(
        self, url: str, status: int, etag: str | None, last_modified: str | None, now: datetime
    ) -> None:
        """The response is archived; its page goes on to the runner."""
        self.counts.fetched += 1
        self.counts.done += 1
        tally = self._owner.get(url)
        if tally is not None:
            tally.fetched += 1

    def stopped(self, url: str) -> None:
        """A signal came before the fetch ended: the URL stays due, nothing is noted."""
        self._over(url)

    # What the runner says --------------------------------------------------------------

    def extracted(self, page: Extractable, article: Article) -> Verdict:
        """The page gave `article`: whether it is written."""
        self.counts.pages += 1
        if self._by_host:
            # A saved page given no URL is counted under the host it declares.
            self.counts.by_host.add(article.url or article.canonical_url or page.url, article)
        return self._settled(page, article, Write())

    def rejected(self, page: Extractable | None, error: ExtractionError) -> None:
        """The page gave no record (`page` None: it could not even be read)."""
        reason = str(error.reason)
        self.counts.pages += 1
        self.counts.failed[reason] += 1
        if page is None:
            return
        if self._by_host:
            self.counts.by_host.fail(page.url, reason)
        tally = self._owner.pop(page.requested, None) if page.requested else None
        if tally is not None:
            tally.failed[reason] += 1

    def failed(self, record: ErrorRecord) -> None:
        """A failure of a source's own (a fetch, a feed, a sitemap)."""
        self.counts.failed[record.reason] += 1

    def dropped(self, page: Extractable) -> None:
        """The executor cancelled the page's extraction: not judged, not a failure."""
        self.counts.dropped += 1
        if page.requested:
            self._owner.pop(page.requested, None)

    def committed(self) -> None:
        """The sink has committed every record written so far."""
        return None

    # ------------------------------------------------------------------------------------

    def _over(self, url: str) -> SourceTally:
        """The fetch of `url` is over and gave no page: forget its source."""
        self.counts.done += 1
        return self._owner.pop(url, None) or SourceTally()

    def _settled(self, page: Extractable, article: Article, verdict: Verdict) -> Verdict:
        counts = self.counts
        tally = self._owner.pop(page.requested, None) if page.requested else None
        if tally is not None:
            tally.coverage.add(article)
        if isinstance(verdict, Write):
            counts.written += 1
            if tally is not None:
                tally.written += 1
        elif verdict.why == "unchanged":
            counts.unchanged += 1
            if tally is not None:
                tally.unchanged += 1
        else:
            counts.duplicates += 1
            if tally is not None:
                tally.duplicates += 1
        return verdict


class RunLedger(Ledger):
    """A run's ledger: the state store's rows, the outbox and the de-duplication
    verdicts besides the counts.

    Order of writes, so that a run killed at any point loses nothing and writes
    nothing twice: the response is archived before the fetch is noted; the URL is
    marked extracted in the same transaction that stages its record in the
    outbox; the runner writes the record; once the sink has committed, the batch
    leaves the outbox (pipeline/jobs/run.py delivers what a killed run left).
    """

    def __init__(
        self,
        state: StateStore,
        near: NearDuplicates | None = None,
        *,
        skip_near: bool = False,
        counts: Counts | None = None,
    ) -> None:
        super().__init__(counts)
        self.state, self.near, self.skip_near = state, near, skip_near
        self._staged: list[str] = []

    def due(self, url: str, now: datetime) -> Validators | None:
        known = self.state.get(url)  # one read serves all three
        if known is None:
            self._owner[url].new += 1
        if not is_due(known, now):
            self.counts.skipped += 1
            self._over(url).skipped += 1
            return None
        return validators(known)

    def fetch_failed(self, url: str, error: FetchError, now: datetime) -> None:
        self.state.record_failure(url, error.reason, now, error.status, _not_before(error, now))
        super().fetch_failed(url, error, now)

    def not_modified(self, url: str, now: datetime) -> None:
        self.state.record_not_modified(url, now)
        super().not_modified(url, now)

    def fetched(
        self, url: str, status: int, etag: str | None, last_modified: str | None, now: datetime
    ) -> None:
        self.state.record_fetch(url, status, etag, last_modified, now)
        super().fetched(url, status, etag, last_modified, now)

    def extracted(self, page: Extractable, article: Article) -> Verdict:
        self.counts.pages += 1
        url, now = _key(page), datetime.now(UTC)
        judged = judge(self.state, self.near, url, article)
        state = self.state
        if judged.near and self.skip_near:
            state.record_extracted(url, article.canonical_url, article.content_hash, now)
            return self._settled(page, article, Skip("near_duplicate", judged.repeats))
        if judged.change in ("new", "changed"):
            if judged.near:
                article = replace(article, duplicate_of=judged.repeats)
            data = article.to_dict()
            state.stage_record(url, article.canonical_url, article.content_hash, data, now)
            if self.near is not None:
                self.near.add(article.id, article.text)
            self._staged.append(url)
            return self._settled(page, article, Write(judged.repeats))
        state.record_extracted(url, article.canonical_url, article.content_hash, now)
        return self._settled(page, article, Skip(judged.change, judged.repeats))

    def rejected(self, page: Extractable | None, error: ExtractionError) -> None:
        if page is not None:
            url, now = _key(page), datetime.now(UTC)
            if error.reason in EXTRACTOR_FAILURES:
                self.state.record_failure(url, error.reason, now)
            else:  # a verdict on the page (not an article, no body): not asked again
                self.state.record_extracted(url, None, f"rejected:{error.reason}", now)
        super().rejected(page, error)

    def committed(self) -> None:
        if self._staged:
            self.state.clear_staged(*self._staged)
        self._staged.clear()


def _key(page: Extractable) -> str:
    key = page.requested or page.url
    if key is None:  # a run's pages always carry the URL they were fetched for
        raise ValueError("a page of a run has no URL")
    return key


def _not_before(error: FetchError, now: datetime) -> datetime | None:
    """When the server said to come back (a Deferred's Retry-After), if it did."""
    if isinstance(error, Deferred):
        return now + timedelta(seconds=min(error.retry_after, _LONGEST_DEFERRAL))
    return None
