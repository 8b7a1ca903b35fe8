"""The page: what every source produces and every executor extracts.

It lives on the ground floor so that sources (files, web archives, the fetcher)
and executors need not import the extraction package to name it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page:
    """A page as it reaches extraction: raw bytes and what is known of where they came from.

    url: the address it was fetched from (None for a saved file given none).
    input: where it was read (a file path, or a WARC path and record id).
    http_charset: the charset the server declared, if any.
    """

    content: bytes
    url: str | None = None
    input: str | None = None
    http_charset: str | None = None
