"""The source of saved pages: files and folders of HTML, and web archives.

    async for item in FileSource(paths, max_bytes).items():   # Page | Unread

Files come in the order given, a folder's files sorted by path, an archive's
pages in archive order; each is read when its turn comes. A file that cannot
be read, or a damaged archive record, is an `Unread` item with its error.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path

from pipeline.errors import ExtractionError, TooLarge, Undecodable, Unreadable
from pipeline.page import Page, Unread
from pipeline.warc import iter_warc_pages

SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".warc", ".warc.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")


def expand(arguments: Iterable[str]) -> list[Path]:
    """Command-line inputs as paths: a file or folder as it is; `@LIST` the paths
    listed in that file, one per line (relative ones against the list's folder;
    blank lines and `#` comments skipped); a pattern with `*`, `?` or `[` that
    names no file, the paths it matches (sorted; `**` descends). Raises
    FileNotFoundError naming the first input that is none of these."""
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
        elif Path(argument).exists():
            paths.append(Path(argument))
        else:
            raise FileNotFoundError(argument)
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
        path = path if path.is_absolute() else list_file.parent / path
        if not path.exists():
            raise FileNotFoundError(f"{entry} (listed in {list_file})")
        paths.append(path)
    return paths


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


class FileSource:
    """Saved pages and the pages of web archives under `paths`."""

    def __init__(self, paths: Iterable[Path], max_bytes: int) -> None:
        self.paths = tuple(paths)
        self.max_bytes = max_bytes

    async def items(self) -> AsyncIterator[Page | Unread]:
        for item in self.pages():
            yield item

    def pages(self) -> Iterator[Page | Unread]:
        for path in discover(self.paths):
            if is_warc(path):
                yield from iter_warc_pages(path, self.max_bytes)
                continue
            try:
                yield read_page(path, self.max_bytes)
            except ExtractionError as exc:
                yield Unread(str(path), None, exc)
