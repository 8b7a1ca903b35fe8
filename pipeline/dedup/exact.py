"""Exact de-duplication against the state store, with the outbox for exactly-once output.

For each extracted page of a run: `decide` compares the text's hash with what
the state store knows. New or changed text is staged in the outbox in the same
transaction that marks the URL extracted, and written; unchanged text, and
text already seen under another URL, is noted and not written. With a
near-duplicate index (pipeline/dedup/near.py), new or changed text that nearly
repeats an earlier record is written with `duplicate_of` set, or skipped, as
the config's `near_duplicates.action` says; every written record joins the
index when it is staged (adding is idempotent, so a killed run's staged
records are already there). Once the sink
has committed a batch, `committed` clears that batch from the outbox: a run
killed before then leaves the records staged, and the next run delivers the
ones its output does not hold (pipeline/jobs/run.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from pipeline.dedup.near import NearDuplicates
from pipeline.errors import ExtractionError, Reason
from pipeline.page import Extractable
from pipeline.record import Article
from pipeline.runner import Skip, Verdict, Write
from pipeline.state import StateStore

# Failures of the extractor itself, not verdicts on the page: the URL backs off
# and is given up like a failed fetch, never re-fetched in a loop.
EXTRACTOR_FAILURES = frozenset({Reason.EXTRACTOR_ERROR, Reason.TOO_SLOW, Reason.TOO_MUCH_MEMORY})


class StateDedup:
    """The run's de-duplication step; see the module doc."""

    def __init__(
        self, state: StateStore, near: NearDuplicates | None = None, skip_near: bool = False
    ) -> None:
        self.state, self.near, self.skip_near = state, near, skip_near
        self._staged: list[str] = []

    def decide(self, page: Extractable, article: Article) -> Verdict:
        url, now = _key(page), datetime.now(UTC)
        change = self.state.classify(url, article.canonical_url, article.content_hash)
        if change in ("new", "changed"):
            match = self.near.check(article.id, article.text) if self.near else None
            if match is not None and self.skip_near:
                self.state.record_extracted(url, article.canonical_url, article.content_hash, now)
                return Skip("near_duplicate", match.record_id)
            if match is not None:
                article = replace(article, duplicate_of=match.record_id)
            data = article.to_dict()
            self.state.stage_record(url, article.canonical_url, article.content_hash, data, now)
            if self.near is not None:
                self.near.add(article.id, article.text)
            self._staged.append(url)
            return Write(match.record_id if match else None)
        earlier = (
            self.state.duplicate_of(url, article.content_hash) if change == "duplicate" else None
        )
        self.state.record_extracted(url, article.canonical_url, article.content_hash, now)
        return Skip(change, earlier)

    def rejected(self, page: Extractable, error: ExtractionError) -> None:
        url, now = _key(page), datetime.now(UTC)
        if error.reason in EXTRACTOR_FAILURES:
            self.state.record_failure(url, error.reason, now)
        else:  # a verdict on the page (not an article, no body): not asked again
            self.state.record_extracted(url, None, f"rejected:{error.reason}", now)

    def committed(self) -> None:
        if self._staged:
            self.state.clear_staged(*self._staged)
        self._staged.clear()


def _key(page: Extractable) -> str:
    key = page.requested or page.url
    if key is None:  # a run's pages always carry the URL they were fetched for
        raise ValueError("a page of a run has no URL")
    return key
