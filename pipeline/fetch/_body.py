"""Reading a response body within a byte limit, and what its headers say about it.

httpx would inflate gzip for us, but a whole network chunk at a time: a 64 KB
chunk of a gzip bomb becomes 64 MB in memory before any limit could look at it.
So the raw bytes are read and inflated here, never more than the limit plus one
byte per step.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import NoReturn, Protocol

from pipeline.errors import BodyTooLarge, ConnectionFailed

# Only what we can inflate within the limit; brotli and zstd would need more
# libraries for the same care.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True, slots=True)
class ContentType:
    """A Content-Type header split into its media type and charset."""

    media_type: str | None
    charset: str | None


def content_type(header: str | None) -> ContentType:
    """Parse `text/html; charset="utf-8"`; an absent or empty header gives Nones."""
    if not header:
        return ContentType(None, None)
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").strip() or None
    return ContentType(media.strip().lower() or None, charset)


class _Decoder(Protocol):
    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...

    @property
    def unconsumed_tail(self) -> bytes: ...


class _Deflate:
    """HTTP "deflate" is meant to be zlib-wrapped, but some servers send it raw."""

    def __init__(self) -> None:
        self._inner: _Decoder | None = None

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        if self._inner is None:
            raw = bool(data) and (data[0] & 0x0F) != 8  # no zlib header: raw deflate
            self._inner = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return self._inner.decompress(data, max_length)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._inner.unconsumed_tail if self._inner is not None else b""


def _decoders(encoding: str | None) -> list[_Decoder]:
    """One decoder per listed coding, in the order they must be undone."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    decoders: list[_Decoder] = []
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            decoders.append(zlib.decompressobj(16 + zlib.MAX_WBITS))
        elif coding == "deflate":
            decoders.append(_Deflate())
        elif coding != "identity":
            raise ConnectionFailed(f"the body came in an encoding we cannot read: {coding}")
    return decoders


def _inflate(decoder: _Decoder, data: bytes, room: int) -> bytes:
    """Inflate at most `room` bytes; the caller only needs to know it went past."""
    try:
        return decoder.decompress(data, room)
    except zlib.error as exc:
        raise ConnectionFailed(f"the compressed body is corrupt: {exc}") from exc


async def read_limited(
    chunks: AsyncIterator[bytes], encoding: str | None, max_bytes: int, url: str
) -> bytes:
    """Read and decompress the body; raise BodyTooLarge as soon as it passes max_bytes."""
    decoders = _decoders(encoding)
    body = bytearray()
    async for chunk in chunks:
        data = chunk
        for decoder in decoders:
            room = max_bytes - len(body) + 1
            data = _inflate(decoder, data, room)
            if decoder.unconsumed_tail:
                _too_large(url, max_bytes)
        body += data
        if len(body) > max_bytes:
            _too_large(url, max_bytes)
    return bytes(body)


def _too_large(url: str, max_bytes: int) -> NoReturn:
    raise BodyTooLarge(f"{url}: the body passed the {max_bytes}-byte limit (after decompression)")
