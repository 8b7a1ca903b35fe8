"""Web archive: every fetched response kept in one gzipped WARC per run, and read back.

`WarcWriter` writes a warcinfo record, then a `response` record per fetch (and
a `request` record when the request headers are given). Each record is its own
gzip member, flushed to the OS as soon as it is written, so a killed run keeps
every record before the one it was writing.

`iter_warc_pages` replays an archive as Pages for extraction. It never raises
for a damaged archive: it yields the pages it could read, then an `Unread`
(its error undecodable) saying where the damage is. A Page's `input` is
`page_input(path, record_id)`, which the fetcher can use too, so a live run and
its replay give the same records.
"""

from __future__ import annotations

import contextlib
import http
import io
import os
import zlib
from collections.abc import Generator, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import IO, Any

# warcio ships no type hints (see the mypy override in pyproject.toml); its
# objects are handled as Any below.
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from pipeline import urls
from pipeline.errors import OutputError, TooLarge, Undecodable, Unreadable
from pipeline.page import Page, Unread
from pipeline.version import __version__

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
GZIP_LEVEL = 6  # the same size as 9 on HTML, in about 60% of the time

# Headers describing the wire form of a body we store decoded: kept, they would
# make readers de-chunk or inflate bytes that are neither chunked nor compressed.
_WIRE_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})


def page_input(path: str | Path, record_id: str) -> str:
    """The `input` of the Page read from a record: `path#urn:uuid:...`."""
    return f"{path}#{record_id.strip('<>')}"


def is_html(content_type: str | None) -> bool:
    """Whether a Content-Type header names HTML (parameters and case ignored)."""
    return content_type is not None and _parse_type(content_type)[0] in HTML_TYPES


class WarcWriter:
    """One run's archive, created new (an existing file is never overwritten)."""

    def __init__(
        self, path: str | Path, info: Mapping[str, str] | None = None, level: int = GZIP_LEVEL
    ) -> None:
        self.path = Path(path)
        self.info = dict(info or {})
        self.level = level
        self.count = 0
        self._stream: IO[bytes] | None = None
        self._writer: Any = None  # warcio is untyped

    def __enter__(self) -> WarcWriter:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = self.path.open("xb")
        except OSError as exc:
            raise OutputError(f"cannot create {self.path}: {exc.strerror or exc}") from exc
        # Records are built uncompressed and each gzipped here, as its own member, at
        # our level: warcio's own gzip is fixed at level 9, which costs about 1.7x the
        # time of level 6 for a file of the same size.
        self._writer = WARCWriter(io.BytesIO(), gzip=False)
        fields = {"software": f"news-pipeline/{__version__}", "format": "WARC File Format 1.0"}
        record = self._writer.create_warcinfo_record(self.path.name, fields | self.info)
        self._write(record)
        return self

    def write_response(
        self,
        url: str,
        status: int,
        headers: Sequence[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        *,
        decoded: bool = True,
        http_version: str = "HTTP/1.1",
        reason: str | None = None,
        request_headers: Sequence[tuple[str, str]] | None = None,
        method: str = "GET",
    ) -> str:
        """Archive one response (and its request); return the response's record id.

        `decoded` says `body` has had its transfer and content encodings undone
        (what httpx's `response.content` gives); the wire-form headers are then
        replaced by a Content-Length of the stored body. Pass `decoded=False` with
        the raw, compressed body to keep the headers as they came.
        """
        self._require_open()
        date = _warc_date(fetched_at)
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=_response_headers(status, headers, body, decoded, http_version, reason),
            warc_headers_dict={"WARC-Date": date},
        )
        record_id = str(response.rec_headers.get_header("WARC-Record-ID"))
        self._write(response)
        if request_headers is not None:
            self._write(self._request(url, method, http_version, request_headers, date, record_id))
        return record_id.strip("<>")

    def _request(
        self,
        url: str,
        method: str,
        http_version: str,
        headers: Sequence[tuple[str, str]],
        date: str,
        response_id: str,
    ) -> Any:
        target = (urls.path(url) or "/") + (f"?{urls.query(url)}" if urls.query(url) else "")
        line = f"{method} {target} {http_version}"
        http_headers = StatusAndHeaders(line, list(headers), is_http_request=True)
        return self._writer.create_warc_record(
            url,
            "request",
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )

    def _require_open(self) -> None:
        if self._writer is None:
            raise OutputError(f"{self.path} is not open: use WarcWriter as a context manager")

    def _write(self, record: Any) -> None:
        self._require_open()
        assert self._stream is not None
        buffer = io.BytesIO()
        self._writer.out = buffer  # warcio writes where .out points
        self._writer.write_record(record)
        member = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        data = member.compress(buffer.getvalue()) + member.flush()
        try:
            self._stream.write(data)  # one gzip member, flushed
            self._stream.flush()
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        self.count += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is None:
            return
        # Some file systems cannot fsync; every record is flushed to the OS already.
        with contextlib.suppress(OSError):
            os.fsync(self._stream.fileno())
        self._stream.close()
        self._stream = None
        self._writer = None


def _response_headers(
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    decoded: bool,
    http_version: str,
    reason: str | None,
) -> StatusAndHeaders:
    kept = list(headers)
    if decoded:
        kept = [(k, v) for k, v in kept if k.lower() not in _WIRE_HEADERS]
        kept.append(("Content-Length", str(len(body))))
    if reason is None:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    statusline = f"{status} {reason}".rstrip()
    return StatusAndHeaders(statusline, kept, protocol=http_version)


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment))


# Reading


def iter_warc_pages(path: str | Path, max_bytes: int | None = None) -> Iterator[Page | Unread]:
    """Every 2xx HTML `response` record of an archive as a Page; damage as a Unread.

    Other records (warcinfo, request, revisit, non-HTML or non-2xx responses)
    are skipped: the fetcher extracts only 2xx HTML, and a replay must match.
    """
    name = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 -- closed by the with below
    except OSError as exc:
        yield Unread(name, None, Unreadable(f"cannot read the file: {exc.strerror or exc}"))
        return
    with stream:
        size = os.fstat(stream.fileno()).st_size
        records = ArchiveIterator(stream, check_digests=True)
        damaged = yield from _read(name, records, max_bytes)
        # warcio ends quietly at a record cut short (a run killed mid-write): the
        # offset it stopped at, short of the file's end, is the only sign.
        if not damaged and 0 < records.offset < size:
            left = size - records.offset
            message = f"damaged WARC: {left} bytes at offset {records.offset} are no whole record"
            yield Unread(name, None, Undecodable(message))


def _read(name: str, records: Any, max_bytes: int | None) -> Generator[Page | Unread, None, bool]:
    """Yield the archive's items; return whether damage was reported."""
    seen = 0
    while True:
        try:
            record = next(records, None)
            if record is None:
                break
            seen += 1
            item = _item(name, record, max_bytes)
        # warcio is not hardened: a cut header block can raise AttributeError and
        # the like from deep inside it, so anything it raises counts as damage.
        except Exception as exc:
            yield Unread(name, None, Undecodable(_damage(seen, exc)))
            return True
        if item is not None:
            yield item
    if seen == 0:
        yield Unread(name, None, Undecodable("no WARC records: an empty or unfinished file"))
        return True
    return False


def _damage(seen: int, exc: BaseException) -> str:
    where = f"after record {seen}" if seen else "at the start"
    # warcio quotes the bad line, which may be binary: keep it short and printable.
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(exc).split()))
    detail = text[:120] or type(exc).__name__
    return f"damaged WARC {where}, the rest is unreadable: {detail}"


class _NotWarc(Exception):
    """A record without the headers every WARC record has: the file is not (all) WARC."""


def _item(name: str, record: Any, max_bytes: int | None) -> Page | Unread | None:
    """The record as a Page, an error for a damaged or oversized one, or None to skip it."""
    _check_headers(record)
    url = record.rec_headers.get_header("WARC-Target-URI")
    where = page_input(name, str(record.rec_headers.get_header("WARC-Record-ID")))
    item = _page(record, url, where, max_bytes)
    # Checked for skipped records too: a cut-off record is damage whatever its type.
    if not _complete(record):
        damage = Undecodable("record is damaged: cut short or its digest does not match")
        return Unread(where, url, damage)
    return item


def _page(record: Any, url: str | None, where: str, max_bytes: int | None) -> Page | Unread | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = _status(record.http_headers.get_statuscode())
    content_type = record.http_headers.get_header("Content-Type")
    if not (200 <= status < 300 and is_html(content_type)):
        return None
    body = _read_body(record.content_stream(), max_bytes)
    if max_bytes is not None and len(body) > max_bytes:
        return Unread(where, url, TooLarge(f"body is over the {max_bytes}-byte limit"))
    return Page(content=body, url=url, input=where, http_charset=_parse_type(content_type)[1])


def _check_headers(record: Any) -> None:
    # warcio also reads ARC files, and takes a cut-off header block for a record.
    if record.format != "warc":
        raise _NotWarc("not a WARC record (warcio read it as ARC)")
    for name in ("WARC-Type", "WARC-Record-ID", "Content-Length"):
        if record.rec_headers.get_header(name) is None:
            raise _NotWarc(f"a record has no {name} header")


def _read_body(stream: Any, max_bytes: int | None) -> bytes:
    """The decoded body, stopping one byte past `max_bytes` when there is a limit."""
    if max_bytes is None:
        return bytes(stream.read())
    return bytes(stream.read(max_bytes + 1))


def _complete(record: Any) -> bool:
    """Whether the whole stored block was read and matched its digests (when it has any)."""
    raw = record.raw_stream
    while raw.read(65536):  # to the end, so the digests are checked
        pass
    return getattr(raw, "limit", 0) == 0 and record.digest_checker.passed is not False


def _status(code: object) -> int:
    try:
        return int(str(code))
    except ValueError:
        return 0


def _parse_type(content_type: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type value, both lowercased."""
    message = Message()
    message["Content-Type"] = content_type or ""
    return message.get_content_type(), message.get_content_charset()
