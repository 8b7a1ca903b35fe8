"""The one options object every stage reads."""

from __future__ import annotations

from dataclasses import dataclass

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
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    min_words: int = 25
    references: bool = True
    force: bool = False
    site_rules: tuple[str, ...] = ()


DEFAULT_OPTIONS = Options()
