"""The Python entry point: `pipeline.extract(html, url=None) -> Article`."""

from __future__ import annotations

from pipeline.extraction import extract_page
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.page import Page
from pipeline.record import Article


def extract(
    html: str | bytes | bytearray | memoryview,
    url: str | None = None,
    options: Options = DEFAULT_OPTIONS,
) -> Article:
    """Extract the article of one page.

    `html` is the page as text or as the bytes a server sent (their charset is
    then detected). Raises a subclass of `pipeline.errors.ExtractionError`
    (its `reason` is the code written to errors.jsonl) when the page yields no
    article.
    """
    if isinstance(html, str):
        # "replace": a str may hold lone surrogates, which UTF-8 cannot encode.
        content = html.encode("utf-8", "replace")
        return extract_page(Page(content, url, http_charset="utf-8"), options)
    return extract_page(Page(bytes(html), url), options)
