"""Web archive, writing: every fetched response kept in one gzipped WARC per run.

`WarcWriter` writes a warcinfo record, then a `response` record per fetch (and
a `request` record when the request headers are given). Each record is its own
gzip member, flushed to the OS as soon as it is written, so a killed run keeps
every record before the one it was writing.
"""

from __future__ import annotations

import contextlib
import http
import io
import os
import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

# warcio ships no type hints (see the mypy override in pyproject.toml); its
# objects are handled as Any below.
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from pipeline import urls
from pipeline.errors import OutputError
from pipeline.version import __version__

GZIP_LEVEL = 6  # the same size as 9 on HTML, in about 60% of the time

# Headers describing the wire form of a body we store decoded: kept, they would
# make readers de-chunk or inflate bytes that are neither chunked nor compressed.
_WIRE_HEADERS = frozenset({"transfer-encoding", "content-encoding", "content-length"})


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
