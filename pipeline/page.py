"""The page: what every source produces and every executor extracts.

It lives on the ground floor so that sources (files, web archives, the fetcher)
and executors need not import the extraction package to name it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import ExtractionError


@dataclass(frozen=True, slots=True)
class Page:
    """A page as it reaches extraction: raw bytes and what is known of where they came from.

    url: the address it was fetched from (None for a saved file given none).
    input: where it was read (a file path, or a WARC path and record id).
    http_charset: the charset the server declared, if any.
    requested: the URL a crawl asked for, when redirects led to `url`: the
        crawl's state is kept under it. Extraction does not read it.
    """

    content: bytes
    url: str | None = None
    input: str | None = None
    http_charset: str | None = None
    requested: str | None = None


@dataclass(frozen=True, slots=True)
class Unread:
    """A page that could not even be read (an unreadable file, a damaged archive
    record): where it was, and the error to report like any page's."""

    input: str | None
    url: str | None
    error: ExtractionError
