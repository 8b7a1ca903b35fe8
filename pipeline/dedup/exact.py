"""Exact de-duplication against the state store: is a run's record new?

`judge` compares an extracted record's text hash with what the state store
knows of its URL and of every earlier record: new, changed, unchanged, or the
same text already seen under another URL (`duplicate`). New or changed text is
then checked against the near-duplicate index (pipeline/dedup/near.py), when
the run keeps one. It only reads: the run's ledger (pipeline/ledger.py) writes
what follows from the judgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.record import Article
from pipeline.state import Change, StateStore

if TYPE_CHECKING:  # the index needs numpy: imported by the run that opens it
    from pipeline.dedup.near import NearDuplicates


@dataclass(frozen=True, slots=True)
class Judgement:
    """change: what the state store says of the text at this URL.
    near: new or changed text nearly repeats an earlier record.
    repeats: the id of the record it repeats (exactly or nearly), when known."""

    change: Change
    near: bool = False
    repeats: str | None = None


def judge(state: StateStore, near: NearDuplicates | None, url: str, article: Article) -> Judgement:
    """How `article`, extracted from `url`, stands to what earlier runs kept."""
    change = state.classify(url, article.canonical_url, article.content_hash)
    if change in ("new", "changed"):
        match = near.check(article.id, article.text) if near is not None else None
        if match is None:
            return Judgement(change)
        return Judgement(change, near=True, repeats=match.record_id)
    if change == "duplicate":
        return Judgement(change, repeats=state.duplicate_of(url, article.content_hash))
    return Judgement(change)
