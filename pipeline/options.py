"""The one options object every stage reads."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Options:
    """Settings for extraction; frozen so a run can share it across processes.

    max_bytes: pages larger than this are refused as `too_large` before parsing
        (a 50 MB page is a crawler trap or a data dump, not an article).
    min_words: an article body shorter than this is `empty_body`, unless the
        page declares itself an article (then short bodies such as a paywalled
        teaser are kept).
    references: extract a bibliography into `references`.
    """

    max_bytes: int = 10 * MiB
    min_words: int = 25
    references: bool = True


DEFAULT_OPTIONS = Options()
