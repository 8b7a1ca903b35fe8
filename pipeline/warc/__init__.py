"""Web archive: every fetched response kept in one gzipped WARC per run, and read back.

    writer.py   WarcWriter: a warcinfo record, then a response (and request) record
                per fetch, each its own gzip member, flushed as it is written
    reader.py   iter_warc_pages: an archive replayed as Pages (read with FastWARC),
                its damage reported as an `Unread`, never raised
    block.py    one record's block, read once and checked against its digests

A Page's `input` is `page_input(path, record_id)`, which the fetcher can use too,
so a live run and its replay give the same records.
"""

from __future__ import annotations

from pipeline.warc.reader import (
    HTML_TYPES,
    NOT_2XX,
    NOT_HTML,
    NOT_HTTP,
    REVISIT_UNRESOLVED,
    iter_warc_pages,
    page_input,
    target_uri,
)
from pipeline.warc.writer import GZIP_LEVEL, WarcWriter

__all__ = [
    "GZIP_LEVEL",
    "HTML_TYPES",
    "NOT_2XX",
    "NOT_HTML",
    "NOT_HTTP",
    "REVISIT_UNRESOLVED",
    "WarcWriter",
    "iter_warc_pages",
    "page_input",
    "target_uri",
]
