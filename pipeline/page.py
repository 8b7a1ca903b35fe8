"""The page: what every source produces and every executor extracts.

It lives on the ground floor so that sources (files, web archives, the fetcher)
and executors need not import the extraction package to name it.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ExtractionError, TooLarge, Undecodable, Unreadable
from pipeline.record import Provenance, writable

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Page:
    """A page as it reaches extraction: raw bytes and what is known of where they came from.

    url: the address it was fetched from (None for a saved file given none).
    input: where it was read (a file path, or a WARC path and record id).
    http_charset: the charset the server declared, if any.
    requested: the URL a crawl asked for, when redirects led to `url`: the
        crawl's state is kept under it. Extraction does not read it.
    provenance: what a run knows of the page's source and fetch, added to its
        record after extraction (record.Provenance). Extraction does not read it.
    """

    content: bytes
    url: str | None = None
    input: str | None = None
    http_charset: str | None = None
    requested: str | None = None
    provenance: Provenance | None = None


@dataclass(frozen=True, slots=True)
class Unread:
    """A page that could not even be read (an unreadable file, a damaged archive
    record): where it was, and the error to report like any page's."""

    input: str | None
    url: str | None
    error: ExtractionError


@dataclass(frozen=True, slots=True)
class SavedPage:
    """A saved page not read yet: the worker that extracts it reads it, so the
    reading (and inflating) is spread over the workers with the extraction."""

    path: str
    max_bytes: int
    url: str | None = None

    @property
    def input(self) -> str:
        """The path as records and error records give it: a file name's bytes that
        are not UTF-8 as `\\xNN` (see record.writable), so that it can be written."""
        return writable(self.path)

    @property
    def requested(self) -> str | None:
        return None  # only a crawl's pages are requested

    def read(self) -> Page:
        """The page; gzip (by name or by its first bytes) inflated with the size limit
        applied to the result. Raises TooLarge, Undecodable or Unreadable."""
        path = Path(self.path)
        try:
            if path.name.lower().endswith(".gz") or _starts_gzipped(path):
                content = _inflate(path, self.max_bytes)
            else:
                size = path.stat().st_size
                if size > self.max_bytes:
                    raise TooLarge(f"{size} bytes is over the {self.max_bytes}-byte limit")
                content = path.read_bytes()
        except ExtractionError:
            raise
        except OSError as exc:
            raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from exc
        return Page(content=content, url=self.url, input=self.input)


def _starts_gzipped(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(2) == _GZIP_MAGIC


def _inflate(path: Path, max_bytes: int) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            content = stream.read(max_bytes + 1)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise Undecodable(f"not a valid gzip file: {exc}") from exc
    if len(content) > max_bytes:
        raise TooLarge(f"inflates to more than the {max_bytes}-byte limit")
    return content


#: What an executor extracts: a page in memory, or a saved one its worker reads.
Extractable = Page | SavedPage
