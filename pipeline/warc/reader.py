"""Web archive, reading: an archive replayed as Pages for extraction, read with FastWARC.

`iter_warc_pages` never raises for a damaged archive: it yields the pages it could
read, then an `Unread` (its error undecodable) saying where the damage is. A
Page's `input` is `page_input(path, record_id)`, which the fetcher can use too,
so a live run and its replay give the same records. Each record's block is read
once and checked against its digests (block.py).
"""

from __future__ import annotations

import io
import logging
import os
import zlib
from collections import Counter
from collections.abc import Generator, Iterator
from email.message import Message
from http import HTTPStatus
from pathlib import Path
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

from pipeline.errors import TooLarge, Undecodable, Unreadable
from pipeline.page import Page, Unread
from pipeline.record import writable
from pipeline.warc.block import CHUNK, Block, digest_key

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_log = logging.getLogger(__name__)


def page_input(path: str | Path, record_id: str) -> str:
    """The `input` of the Page read from a record: `path#urn:uuid:...` (a file name's
    bytes that are not UTF-8 as `\\xNN`, see record.writable)."""
    return writable(f"{path}#{record_id.strip('<>')}")


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

_GZIP_MAGIC = b"\x1f\x8b\x08"
_HTTP_SCHEMES = ("http:", "https:")  # the records warcio parses an HTTP message in
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)

# Why a record gave no page (besides its type, for warcinfo, request, metadata, ...).
NOT_HTML = "not_html"  # a response or resource that is not HTML
NOT_2XX = "not_2xx"  # a response whose status is not a success
NOT_HTTP = "not_http"  # a response of another protocol (dns:, ftp:) or with no message
REVISIT_UNRESOLVED = "revisit_unresolved"  # a revisit whose original is not in the file


def iter_warc_pages(
    path: str | Path, max_bytes: int | None = None, skipped: Counter[str] | None = None
) -> Iterator[Page | Unread]:
    """Every HTML page of an archive as a Page; damage as an Unread.

    Pages are the 2xx HTML `response` records (the fetcher extracts only those,
    and a replay must match), the HTML `resource` records (a browser
    archiver's snapshot), and the `revisit` records whose original is in the
    same file: the record they refer to, else the page with their payload
    digest, else the latest page of the URI they refer to; such a revisit is
    that page again, under its own URI and record id. The other records are
    counted in `skipped`, by their type (`request`, `metadata`, `warcinfo`,
    ...) or by NOT_HTML, NOT_2XX, NOT_HTTP, REVISIT_UNRESOLVED.
    """
    name = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 -- closed by the with below
    except OSError as exc:
        yield Unread(name, None, Unreadable(f"cannot read the file: {exc.strerror or exc}"))
        return
    with stream, _Reader(path, max_bytes, skipped) as reader:
        last = yield from reader.read(stream)
        try:
            damage = None if last is None else _cut_member(stream, last)
        except OSError as exc:
            yield Unread(name, None, Unreadable(f"cannot read the file: {exc.strerror or exc}"))
            return
        if damage is not None:
            yield Unread(name, None, Undecodable(damage))


def target_uri(value: str | None) -> str | None:
    """A WARC-Target-URI as a URL: WARC 1.0's grammar put it in angle brackets, and
    GNU wget writes it so (`<http://...>`); WARC 1.1 and most tools do not."""
    if value is None:
        return None
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    return writable(text) or None


class _NotWarc(Exception):
    """A record without the headers every WARC record has: the file is not (all) WARC."""


class _Reader:
    """One archive's records as pages, with what revisits need: where each page's
    record begins, by record id, payload digest and URI."""

    def __init__(self, path: str | Path, max_bytes: int | None, skipped: Counter[str] | None):
        self.path = path
        self.name = str(path)
        self.max_bytes = max_bytes
        self.skipped = skipped if skipped is not None else Counter()
        self._pages: dict[str, int] = {}
        self._again: IO[bytes] | None = None  # a second handle, to read an original again

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._again is not None:
            self._again.close()

    def read(self, stream: IO[bytes]) -> Generator[Page | Unread, None, int | None]:
        """Yield the archive's items; return where the last record began, or None when
        damage was reported (the last record's own included)."""
        seen = 0
        last: int | None = None
        try:
            for record in ArchiveIterator(stream, parse_http=False):
                seen += 1
                item, whole, why = self._item(record)
                last = record.stream_pos if whole else None
                if item is not None:
                    yield item
                if isinstance(item, Page) and whole and not _is_revisit(record):
                    self._remember(record, item)
                if why is not None:
                    self.skipped[why] += 1
        # FastWARC raises OSError for damage, and a bug of its surfaces as a Rust panic
        # (a BaseException); either way the rest of the file cannot be read.
        except BaseException as exc:
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            yield Unread(self.name, None, Undecodable(_damage(seen, exc)))
            return None
        if seen == 0:
            yield Unread(
                self.name, None, Undecodable("no WARC records: an empty or unfinished file")
            )
            return None
        return last

    def _item(self, record: WarcRecord) -> tuple[Page | Unread | None, bool, str | None]:
        """The record as a Page, an error for a damaged or oversized one, or None to
        skip it; whether the record was whole; why it gave no page."""
        _check_headers(record)
        url = target_uri(record.headers.get("WARC-Target-URI"))
        where = page_input(self.name, str(record.headers.get("WARC-Record-ID")))
        kind = record.record_type
        http = _has_http(record, url)
        revisit = kind == WarcRecordType.revisit  # as warcio: no digest is checked there
        block = Block(
            record.reader,
            record.content_length,
            None if revisit else record.headers.get("WARC-Block-Digest"),
            None if revisit else record.headers.get("WARC-Payload-Digest"),
            http,
        )
        item: Page | Unread | None = None
        why: str | None = _kind_name(kind)
        if kind == WarcRecordType.response:
            item, why = self._page(block, url, where) if http else (None, NOT_HTTP)
        elif kind == WarcRecordType.resource:
            item, why = self._resource(block, record, url, where)
        elif revisit:
            item, why = self._revisit(block, record, url, where, http)
        block.drain()
        # Checked for skipped records too: a cut-off record is damage whatever its type.
        if not block.complete():
            damage = Undecodable("record is damaged: cut short or its digest does not match")
            return Unread(where, url, damage), False, None
        return item, True, why

    def _page(
        self, block: Block, url: str | None, where: str
    ) -> tuple[Page | Unread | None, str | None]:
        stream = io.BytesIO(block.read_head())
        try:
            http = _HTTP_PARSER.parse(stream)
        except (EOFError, StatusAndHeadersParserException):
            return Unread(where, url, Undecodable("the record holds no HTTP response")), None
        chunked = "chunked" in (http.get_header("Transfer-Encoding") or "").lower()
        block.payload_from(stream.tell(), chunked)
        status = _status(http.get_statuscode())
        media_type, charset = _parse_type(http.get_header("Content-Type"))
        if not 200 <= status < 300:
            return None, NOT_2XX
        if media_type not in HTML_TYPES:
            return None, NOT_HTML
        # A body stored as it is needs no more than the limit; an encoded one is read whole.
        encoded = _encoded(http)
        limit = None if encoded or self.max_bytes is None else self.max_bytes + 1
        payload = block.read_payload(limit)
        body = _decode(payload, http, self.max_bytes) if encoded else payload
        if body is None:
            return Unread(where, url, Undecodable("body does not decode as its headers say")), None
        return self._sized(Page(content=body, url=url, input=where, http_charset=charset)), None

    def _sized(self, page: Page) -> Page | Unread:
        if self.max_bytes is not None and len(page.content) > self.max_bytes:
            return Unread(
                page.input, page.url, TooLarge(f"body is over the {self.max_bytes}-byte limit")
            )
        return page

    def _resource(
        self, block: Block, record: WarcRecord, url: str | None, where: str
    ) -> tuple[Page | Unread | None, str | None]:
        """A resource record of HTML: the page itself, with no HTTP message around it
        (a browser archiver's snapshot, a page saved by hand)."""
        media_type, charset = _parse_type(record.headers.get("Content-Type"))
        if media_type not in HTML_TYPES:
            return None, NOT_HTML
        limit = None if self.max_bytes is None else self.max_bytes + 1
        web = url if url is not None and url.startswith(_HTTP_SCHEMES) else None
        body = block.read_payload(limit)
        return self._sized(Page(content=body, url=web, input=where, http_charset=charset)), None

    def _revisit(
        self, block: Block, record: WarcRecord, url: str | None, where: str, http: bool
    ) -> tuple[Page | Unread | None, str | None]:
        """The page a revisit record repeats, read again from its original's record."""
        charset = None
        if http:
            try:
                message = _HTTP_PARSER.parse(io.BytesIO(block.read_head()))
            except (EOFError, StatusAndHeadersParserException):
                message = None
            if message is not None:
                status = _status(message.get_statuscode())
                media_type, charset = _parse_type(message.get_header("Content-Type"))
                if not (200 <= status < 300 or status == HTTPStatus.NOT_MODIFIED):
                    return None, NOT_2XX
                if message.get_header("Content-Type") and media_type not in HTML_TYPES:
                    return None, NOT_HTML
        original = self._original(record, url)
        if original is None:
            _log.debug("%s: a revisit without its original in the file", where)
            return None, REVISIT_UNRESOLVED
        return Page(
            original.content, url or original.url, where, charset or original.http_charset
        ), None

    def _remember(self, record: WarcRecord, page: Page) -> None:
        """Where a page's record begins, for the revisits of it that may follow."""
        at = record.stream_pos
        for key in _keys(record.headers, page.url):
            self._pages[key] = at

    def _original(self, revisit: WarcRecord, url: str | None) -> Page | None:
        headers = revisit.headers
        keys = (
            "id:" + (target_uri(headers.get("WARC-Refers-To")) or ""),
            "digest:" + (digest_key(headers.get("WARC-Payload-Digest")) or ""),
            "uri:" + (target_uri(headers.get("WARC-Refers-To-Target-URI")) or url or ""),
        )
        at = next((self._pages[key] for key in keys if key in self._pages), None)
        return None if at is None else self._read_again(at)

    def _read_again(self, at: int) -> Page | None:
        """The page of the record that begins at `at`, read again through a second handle."""
        try:
            if self._again is None:
                self._again = open(self.path, "rb")  # noqa: SIM115 -- closed in __exit__
            self._again.seek(at)
            record = next(iter(ArchiveIterator(self._again, parse_http=False)), None)
            if record is None:
                return None
            item, whole, _ = self._item(record)
        except (OSError, _NotWarc):
            return None
        return item if isinstance(item, Page) and whole else None


def _keys(headers: Any, url: str | None) -> Iterator[str]:
    """How a revisit may name the record: its id, its payload digest, its URI."""
    yield "id:" + (target_uri(headers.get("WARC-Record-ID")) or "")
    digest = digest_key(headers.get("WARC-Payload-Digest"))
    if digest is not None:
        yield "digest:" + digest
    if url is not None:
        yield "uri:" + url


def _is_revisit(record: WarcRecord) -> bool:
    # A revisit is never an original: the chain would lead back to itself.
    return bool(record.record_type == WarcRecordType.revisit)


def _kind_name(kind: WarcRecordType) -> str:
    return str(kind)  # FastWARC's names are WARC's: "request", "metadata", ...


def _damage(seen: int, exc: BaseException) -> str:
    where = f"after record {seen}" if seen else "at the start"
    # The message may quote the bad line, which may be binary: keep it short and printable.
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(exc).split()))
    detail = text[:120] or type(exc).__name__
    return f"damaged WARC {where}, the rest is unreadable: {detail}"


def _check_headers(record: WarcRecord) -> None:
    # FastWARC takes a header block cut off at the end of a file for a record.
    for name in ("WARC-Type", "WARC-Record-ID", "Content-Length"):
        if record.headers.get(name) is None:
            raise _NotWarc(f"a record has no {name} header")


def _has_http(record: WarcRecord, url: str | None) -> bool:
    """Whether the record holds an HTTP message (warcio would parse one in it)."""
    return (
        record.record_type in (WarcRecordType.response, WarcRecordType.revisit)
        and record.content_length > 0
        and url is not None
        and url.startswith(_HTTP_SCHEMES)
    )


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
    while chunk := stream.read(CHUNK):
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
        inflater.decompress(data, CHUNK)
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
