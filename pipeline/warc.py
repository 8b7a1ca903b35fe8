"""Web archive: every fetched response kept in one gzipped WARC per run, and read back.

`WarcWriter` writes a warcinfo record, then a `response` record per fetch (and
a `request` record when the request headers are given). Each record is its own
gzip member, flushed to the OS as soon as it is written, so a killed run keeps
every record before the one it was writing.

`iter_warc_pages` replays an archive as Pages for extraction, read with
FastWARC. It never raises for a damaged archive: it yields the pages it could
read, then an `Unread` (its error undecodable) saying where the damage is. A Page's `input` is
`page_input(path, record_id)`, which the fetcher can use too, so a live run and
its replay give the same records.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import http
import io
import os
import zlib
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from fastwarc.stream_io import BrotliReader
from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

# warcio ships no type hints (see the mypy override in pyproject.toml); its
# objects are handled as Any below.
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import (
    StatusAndHeaders,
    StatusAndHeadersParser,
    StatusAndHeadersParserException,
)
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
#
# FastWARC walks the archive in Rust: gzip members (their CRCs checked), WARC
# headers and record boundaries, at about twice warcio's speed here (see
# bench/WARC_READ.md). The rest is done below, on each record's raw block:
# - the digests, hashed as the block streams by: FastWARC's own check keeps a
#   whole record in memory to verify it and still parse it;
# - the HTTP message, parsed and decoded by warcio's parser and decoders, as
#   before: FastWARC's decoding of a body that is not what its Content-Encoding
#   says raises and leaves the iterator unusable for the rest of the file;
# - the damage FastWARC passes over in silence: a record cut short (it yields
#   the bytes there are) and a gzip member cut short after the last record (it
#   ends there as at a clean end of file).

_CHUNK = 1 << 20  # bytes read from a record at a time
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HTTP_SCHEMES = ("http:", "https:")  # the records warcio parses an HTTP message in
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


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
        last = yield from _read(name, stream, max_bytes)
        try:
            damage = None if last is None else _cut_member(stream, last)
        except OSError as exc:
            yield Unread(name, None, Unreadable(f"cannot read the file: {exc.strerror or exc}"))
            return
        if damage is not None:
            yield Unread(name, None, Undecodable(damage))


def _read(
    name: str, stream: IO[bytes], max_bytes: int | None
) -> Generator[Page | Unread, None, int | None]:
    """Yield the archive's items; return where the last record began, or None when
    damage was reported (the last record's own included)."""
    seen = 0
    last: int | None = None
    try:
        for record in ArchiveIterator(stream, parse_http=False):
            seen += 1
            item, whole = _item(name, record, max_bytes)
            last = record.stream_pos if whole else None
            if item is not None:
                yield item
    # FastWARC raises OSError for damage, and a bug of its surfaces as a Rust panic
    # (a BaseException); either way the rest of the file cannot be read.
    except BaseException as exc:
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        yield Unread(name, None, Undecodable(_damage(seen, exc)))
        return None
    if seen == 0:
        yield Unread(name, None, Undecodable("no WARC records: an empty or unfinished file"))
        return None
    return last


def _damage(seen: int, exc: BaseException) -> str:
    where = f"after record {seen}" if seen else "at the start"
    # The message may quote the bad line, which may be binary: keep it short and printable.
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(exc).split()))
    detail = text[:120] or type(exc).__name__
    return f"damaged WARC {where}, the rest is unreadable: {detail}"


class _NotWarc(Exception):
    """A record without the headers every WARC record has: the file is not (all) WARC."""


def _item(
    name: str, record: WarcRecord, max_bytes: int | None
) -> tuple[Page | Unread | None, bool]:
    """The record as a Page, an error for a damaged or oversized one, or None to skip
    it; and whether the record was whole."""
    _check_headers(record)
    url = record.headers.get("WARC-Target-URI")
    where = page_input(name, str(record.headers.get("WARC-Record-ID")))
    block = _Block(record)
    item = _page(block, url, where, max_bytes) if _has_http(record, url) else None
    block.drain()
    # Checked for skipped records too: a cut-off record is damage whatever its type.
    if not block.complete():
        damage = Undecodable("record is damaged: cut short or its digest does not match")
        return Unread(where, url, damage), False
    return item, True


def _check_headers(record: WarcRecord) -> None:
    # FastWARC takes a header block cut off at the end of a file for a record.
    for name in ("WARC-Type", "WARC-Record-ID", "Content-Length"):
        if record.headers.get(name) is None:
            raise _NotWarc(f"a record has no {name} header")


def _has_http(record: WarcRecord, url: str | None) -> bool:
    """Whether warcio would parse an HTTP message in the record (it did, before)."""
    return (
        record.record_type == WarcRecordType.response
        and record.content_length > 0
        and url is not None
        and url.startswith(_HTTP_SCHEMES)
    )


def _page(
    block: _Block, url: str | None, where: str, max_bytes: int | None
) -> Page | Unread | None:
    stream = io.BytesIO(block.read_head())
    try:
        http = _HTTP_PARSER.parse(stream)
    except (EOFError, StatusAndHeadersParserException):
        return Unread(where, url, Undecodable("the record holds no HTTP response"))
    block.payload_from(stream.tell())
    status = _status(http.get_statuscode())
    media_type, charset = _parse_type(http.get_header("Content-Type"))
    if not (200 <= status < 300 and media_type in HTML_TYPES):
        return None
    # A body stored as it is needs no more than the limit; an encoded one is read whole.
    encoded = _encoded(http)
    payload = block.read_payload(None if encoded or max_bytes is None else max_bytes + 1)
    body = _decode(payload, http, max_bytes) if encoded else payload
    if body is None:
        return Unread(where, url, Undecodable("body does not decode as its headers say"))
    if max_bytes is not None and len(body) > max_bytes:
        return Unread(where, url, TooLarge(f"body is over the {max_bytes}-byte limit"))
    return Page(content=body, url=url, input=where, http_charset=charset)


def _encoded(http: StatusAndHeaders) -> bool:
    return bool(http.get_header("Content-Encoding") or http.get_header("Transfer-Encoding"))


def _decode(payload: bytes, http: StatusAndHeaders, max_bytes: int | None) -> bytes | None:
    """The body as warcio decoded it (de-chunked, inflated; kept as it is when it does
    not inflate at all), or None when it cannot be decoded."""
    size = None if max_bytes is None else max_bytes + 1
    try:
        # warcio's brotli decoder fails with brotli 1.2 (which FastWARC brings in).
        if (http.get_header("Content-Encoding") or "").strip().lower() == "br":
            chunked = http.get_header("Transfer-Encoding") == "chunked"  # warcio's own test
            raw = ChunkedDataReader(io.BytesIO(payload)).read() if chunked else payload
            return BrotliReader(io.BytesIO(raw)).read(-1 if size is None else size)
        record = ArcWarcRecord("warc", "response", None, io.BytesIO(payload), http, None, 0)
        return bytes(record.content_stream().read(size))
    except Exception:  # the decoders raise what zlib and brotli raise
        return None


class _Block:
    """A record's block, read once: hashed for its digests on the way, kept as far as asked."""

    def __init__(self, record: WarcRecord) -> None:
        self._reader = record.reader
        self._declared = record.content_length
        self._length = 0
        self._data = b""  # bytes read and not yet handed out
        headers = record.headers
        checked = record.record_type != WarcRecordType.revisit  # as warcio: no digest there
        self._block = _Digest.of(headers.get("WARC-Block-Digest")) if checked else None
        # The payload digest covers a part of what the block digest does: checked alone.
        payload = headers.get("WARC-Payload-Digest") if checked and self._block is None else None
        self._payload = _Digest.of(payload)
        self._payload_started = False
        if not _has_http(record, headers.get("WARC-Target-URI")):
            self.payload_from(0)

    def _take(self, size: int) -> bytes:
        chunk = self._reader.read(size)
        self._length += len(chunk)
        if self._block is not None:
            self._block.update(chunk)
        if self._payload is not None and self._payload_started:
            self._payload.update(chunk)
        return chunk

    def read_head(self) -> bytes:
        """The bytes read up to the end of the HTTP header block (or of the block),
        with whatever of the payload came with them."""
        data = self._data
        while not _has_blank_line(data):
            chunk = self._take(_CHUNK)
            if not chunk:
                break
            data += chunk
        self._data = data
        return data

    def payload_from(self, offset: int) -> None:
        """Start the payload (for its digest) at `offset` in the bytes read so far."""
        self._payload_started = True
        if self._payload is not None:
            self._payload.update(self._data[offset:])
        self._data = self._data[offset:]

    def read_payload(self, limit: int | None) -> bytes:
        """The payload, or its first `limit` bytes."""
        parts = [self._data]
        size = len(self._data)
        while limit is None or size < limit:
            chunk = self._take(_CHUNK)
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        self._data = b""
        payload = b"".join(parts)
        return payload if limit is None else payload[:limit]

    def drain(self) -> None:
        """Read the block to its end (unkept), so that it is hashed whole."""
        self._data = b""
        if self._block is None and self._payload is None:
            self._length += self._reader.consume()
            return
        while self._take(_CHUNK):
            pass

    def complete(self) -> bool:
        """Whether the whole block was there and matched its digests."""
        digests = (d for d in (self._block, self._payload) if d is not None)
        return self._length == self._declared and all(d.matches() for d in digests)


def _has_blank_line(data: bytes) -> bool:
    return data.startswith((b"\r\n", b"\n")) or b"\n\r\n" in data or b"\n\n" in data


class _Digest:
    """A WARC digest header (`sha1:BASE32`, base 16 or base 64 accepted, as warcio does)."""

    def __init__(self, algorithm: str, expected: str) -> None:
        self._hash = hashlib.new(algorithm)
        self._expected = expected.strip()

    @classmethod
    def of(cls, header: str | None) -> _Digest | None:
        """The digest a header names, or None without one or for an unknown algorithm."""
        if header is None:
            return None
        algorithm, _, expected = header.partition(":")
        try:
            return cls(algorithm.strip().lower().replace("-", ""), expected)
        except ValueError:
            return None  # an algorithm hashlib does not know: no check is possible

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def matches(self) -> bool:
        actual = self._hash.digest()
        return any(_decoded(self._expected, way) == actual for way in _DIGEST_CODINGS)


_DIGEST_CODINGS = (
    base64.b32decode,
    functools.partial(base64.b16decode, casefold=True),
    base64.b64decode,
    base64.urlsafe_b64decode,
)


def _decoded(text: str, decode: Callable[[str], bytes]) -> bytes | None:
    try:
        return decode(text)
    except (ValueError, binascii.Error):
        return None


def _cut_member(stream: IO[bytes], last: int) -> str | None:
    """Where a gzip file is cut short after the record that began at `last`, if it is.

    FastWARC reads a cut-off member as a clean end of file, so the members from the
    last record's on are inflated again here (the whole file when records share a
    member and `last` is not where one begins). A plain file needs no such check:
    FastWARC takes a header block cut off there for a record without Content-Length.
    """
    stream.seek(0)
    if stream.read(3) != _GZIP_MAGIC:
        return None
    stream.seek(last)
    member = last if stream.read(3) == _GZIP_MAGIC else 0  # where the member inflated begins
    position = stream.seek(member)
    inflater, begun = _inflater(), False
    while chunk := stream.read(_CHUNK):
        position += len(chunk)
        while chunk:
            begun = True
            try:
                chunk = _inflate(inflater, chunk)
            except zlib.error:
                return _no_whole_record(stream, member)
            if not inflater.eof:
                break  # the member goes on in the next chunk
            member = position - len(chunk)
            inflater, begun = _inflater(), False
    return _no_whole_record(stream, member) if begun else None


def _inflater() -> Any:  # zlib's Decompress type is not public
    return zlib.decompressobj(zlib.MAX_WBITS | 16)


def _inflate(inflater: Any, data: bytes) -> bytes:
    """Feed `data` to a member's inflater, output thrown away (bounded, so a gzip bomb
    costs time, not memory); return the bytes past the member's end."""
    while data and not inflater.eof:
        inflater.decompress(data, _CHUNK)
        data = inflater.unconsumed_tail
    return bytes(inflater.unused_data) if inflater.eof else b""


def _no_whole_record(stream: IO[bytes], offset: int) -> str:
    left = stream.seek(0, os.SEEK_END) - offset
    return f"damaged WARC: {left} bytes at offset {offset} are no whole record"


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
