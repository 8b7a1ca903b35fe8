"""The one options object every stage reads."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import ConfigError

MiB = 1024 * 1024
# The one default page-size limit: extraction refuses larger pages, the fetcher
# larger bodies (a 50 MB page is a crawler trap or a data dump, not an article).
DEFAULT_MAX_BYTES = 10 * MiB


@dataclass(frozen=True, slots=True)
class Options:
    """Settings for extraction; frozen so a run can share it across processes.

    max_bytes: pages larger than this are refused as `too_large` before parsing.
    min_words: an article body shorter than this is `empty_body`, unless the
        page declares itself an article (then short bodies such as a paywalled
        teaser are kept).
    references: extract a bibliography into `references`.
    force: keep a page the page-type decision would reject as `not_article`; its
        record says so in `forced` ("not_article: <the evidence>").
    site_rules: modules (import names) whose import registers site rules
        (extraction/sites.py). Named, not passed as classes: every worker process
        and Ray actor that receives the options imports them itself.

    These are the keys of a run config's `[extraction]` table; there, max_bytes
    defaults to the `[fetch]` table's (a body the fetcher refused is never read).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    min_words: int = 25
    references: bool = True
    force: bool = False
    site_rules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.max_bytes < 1:
            raise ConfigError(f"extraction.max_bytes must be at least 1, got {self.max_bytes}")
        if self.min_words < 0:
            raise ConfigError(f"extraction.min_words must be at least 0, got {self.min_words}")


DEFAULT_OPTIONS = Options()
