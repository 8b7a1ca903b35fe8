"""Discover stage for saved pages: paths in, Pages (or per-file errors) out."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.errors import ExtractionError, TooLarge, Undecodable, Unreadable
from pipeline.page import Page

SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".warc", ".warc.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every HTML file named, or found (recursively, sorted) under a named folder."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_html(p))
        else:
            yield path


def _is_html(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def is_warc(path: Path) -> bool:
    """A web archive of a run: its HTML responses are replayed as pages."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_page(path: Path, max_bytes: int) -> Page:
    """Read one saved page; gzip is inflated with the size limit applied to the result."""
    try:
        if path.name.lower().endswith(".gz"):
            content = _inflate(path, max_bytes)
        else:
            size = path.stat().st_size
            if size > max_bytes:
                raise TooLarge(f"{size} bytes is over the {max_bytes}-byte limit")
            content = path.read_bytes()
    except ExtractionError:
        raise
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}") from exc
    return Page(content=content, url=None, input=str(path))


def _inflate(path: Path, max_bytes: int) -> bytes:
    try:
        with gzip.open(path, "rb") as stream:
            content = stream.read(max_bytes + 1)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise Undecodable(f"not a valid gzip file: {exc}") from exc
    if len(content) > max_bytes:
        raise TooLarge(f"inflates to more than the {max_bytes}-byte limit")
    return content
