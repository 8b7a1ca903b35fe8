"""The source of saved pages: files and folders of HTML, and web archives.

    async for item in FileSource(paths, max_bytes).items():   # Page | Unread

Files come in the order given, a folder's files sorted by path, an archive's
pages in archive order; each is read when its turn comes. A file that cannot
be read, or a damaged archive record, is an `Unread` item with its error.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import TooLarge, Undecodable, Unreadable
from pipeline.page import Page, SavedPage, Unread
from pipeline.record import writable
from pipeline.warc import iter_warc_pages

_log = logging.getLogger(__name__)

NOT_HTML = "not_html"  # a file in a folder that is neither a page nor an archive
SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".warc", ".warc.gz")
_GZIP_MAGIC = b"\x1f\x8b"
WARC_SUFFIXES = (".warc", ".warc.gz")


def expand(arguments: Iterable[str]) -> list[Path]:
    """Command-line inputs as paths: a file or folder as it is; `@LIST` the paths
    listed in that file, one per line (relative ones against the list's folder;
    blank lines and `#` comments skipped); a pattern with `*`, `?` or `[` that
    names no file, the paths it matches (sorted; `**` descends). A path that
    does not exist is kept (reading it gives an `unreadable` error record, and
    the batch goes on); a pattern that matches nothing and a list that cannot
    be read raise FileNotFoundError."""
    paths: list[Path] = []
    for argument in arguments:
        if argument.startswith("@") and not Path(argument).exists():
            paths.extend(_listed(Path(argument[1:])))
        elif any(c in argument for c in "*?[") and not Path(argument).exists():
            matches = sorted(
                Path().glob(argument)
                if not Path(argument).is_absolute()
                else Path("/").glob(argument.lstrip("/"))
            )
            if not matches:
                raise FileNotFoundError(argument)
            paths.extend(matches)
        else:
            paths.append(Path(argument))
    return paths


def _listed(list_file: Path) -> list[Path]:
    try:
        lines = list_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FileNotFoundError(f"@{list_file}: {exc.strerror or exc}") from exc
    paths = []
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        path = Path(entry)
        paths.append(path if path.is_absolute() else list_file.parent / path)
    return paths


def discover(paths: Iterable[Path], skipped: Counter[str] | None = None) -> Iterator[Path]:
    """Every file named, and the pages and archives found (recursively, sorted)
    under a named folder: files with a page or archive suffix, and files of any
    other name (wget saves `.php`, `.asp`, none) whose first bytes look like HTML.
    What a folder holds besides is counted in `skipped`, by reason, and named in
    the debug log (`-v`)."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            if not found.is_file():
                continue
            if _is_page_name(found) or looks_like_html(found):
                yield found
            elif skipped is not None:
                skipped[NOT_HTML] += 1
                _log.debug("skipped %s: neither a web page nor a web archive", found)


def _is_page_name(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


_SNIFF_BYTES = 2048
_HTML_OPENINGS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<?xml")


def looks_like_html(path: Path) -> bool:
    """Whether the file's first bytes (inflated, if it is gzipped) open an HTML page."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
        if head.startswith(_GZIP_MAGIC):
            head = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16).decompress(head, _SNIFF_BYTES)
    except (OSError, zlib.error):
        return False
    return sniff(head)


def sniff(head: bytes) -> bool:
    """Whether bytes open an HTML document (after a BOM, blanks and comments)."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    while text.startswith(b"<!--"):
        end = text.find(b"-->")
        if end < 0:
            return False
        text = text[end + 3 :].lstrip()
    if text.startswith(b"<?xml"):  # XHTML: an XML declaration, then the document
        return b"<html" in text
    return text.startswith(_HTML_OPENINGS)


def is_warc(path: Path) -> bool:
    """A web archive of a run: its HTML responses are replayed as pages."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_page(path: Path, max_bytes: int) -> Page:
    """Read one saved page now (see SavedPage.read)."""
    return SavedPage(str(path), max_bytes).read()


class FileSource:
    """Saved pages and the pages of web archives under `paths`; `pages` given as
    they are (a page read from stdin); `url`, when given, for every saved page."""

    def __init__(
        self,
        paths: Iterable[Path],
        max_bytes: int,
        *,
        pages: Iterable[Page] = (),
        url: str | None = None,
    ) -> None:
        self.paths = tuple(paths)
        self.given = tuple(pages)
        self.max_bytes = max_bytes
        self.url = None if url is None else writable(url)  # an argv byte may not be UTF-8
        self.skipped: Counter[str] = Counter()  # files, by reason
        self.records_skipped: Counter[str] = Counter()  # archive records, by reason

    async def items(self) -> AsyncIterator[Page | SavedPage | Unread]:
        for item in self.pages():
            yield item

    def pages(self) -> Iterator[Page | SavedPage | Unread]:
        yield from self.given
        for path in discover(self.paths, self.skipped):
            if is_warc(path):
                yield from iter_warc_pages(path, self.max_bytes, self.records_skipped)
                continue
            yield SavedPage(str(path), self.max_bytes, self.url)


def read_stream(
    stream: BinaryIO, max_bytes: int, url: str | None, name: str = "-"
) -> Page | Unread:
    """One page from a stream (stdin), gzipped or not, within the size limit."""
    url = None if url is None else writable(url)
    try:
        content = stream.read(max_bytes + 1)
    except OSError as exc:
        return Unread(name, url, Unreadable(f"cannot read {name}: {exc.strerror or exc}"))
    try:
        if content.startswith(_GZIP_MAGIC):
            inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
            content = inflater.decompress(content, max_bytes + 1)
    except zlib.error as exc:
        return Unread(name, url, Undecodable(f"not valid gzip data: {exc}"))
    if len(content) > max_bytes:
        return Unread(name, url, TooLarge(f"over the {max_bytes}-byte limit"))
    return Page(content=content, url=url, input=name)
