"""A WARC record's block, read once and checked against its digests (reader.py).

The block digest covers the whole block; the payload digest, checked only
without a block digest (it covers a part of what the block digest does), the
HTTP body. Writers disagree on what that body is when it is chunked: the
standard's "entity-body" is de-chunked (wget-lua, Heritrix since its fix),
while warcio, wpull and older Heritrix hash the bytes as stored. Both are
accepted: a digest that matches either is no damage.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

CHUNK = 1 << 20  # bytes read from a record at a time


class Block:
    """A record's block, read once: hashed for its digests on the way, kept as far as asked.

    `reader` is the record's stream, `declared` its Content-Length; `http` says
    the block holds an HTTP message, whose payload starts after its headers
    (see payload_from), else the payload is the whole block.
    """

    def __init__(
        self,
        reader: Any,
        declared: int,
        block_digest: str | None,
        payload_digest: str | None,
        http: bool,
    ) -> None:
        self._reader = reader
        self._declared = declared
        self._length = 0
        self._data = b""  # bytes read and not yet handed out
        self._block = Digest.of(block_digest)
        self._payload = Digest.of(payload_digest) if self._block is None else None
        self._dechunked: Digest | None = None
        self._dechunker: Dechunker | None = None
        self._payload_started = False
        if not http:
            self.payload_from(0)

    def _take(self, size: int) -> bytes:
        chunk: bytes = self._reader.read(size)
        self._length += len(chunk)
        if self._block is not None:
            self._block.update(chunk)
        if self._payload_started:
            self._hash_payload(chunk)
        return chunk

    def _hash_payload(self, data: bytes) -> None:
        if self._payload is not None:
            self._payload.update(data)
        if self._dechunker is not None:
            self._dechunker.feed(data)

    def read_head(self) -> bytes:
        """The bytes read up to the end of the HTTP header block (or of the block),
        with whatever of the payload came with them."""
        data = self._data
        while not has_blank_line(data):
            chunk = self._take(CHUNK)
            if not chunk:
                break
            data += chunk
        self._data = data
        return data

    def payload_from(self, offset: int, chunked: bool = False) -> None:
        """Start the payload (for its digest) at `offset` in the bytes read so far;
        `chunked`: the HTTP body is chunked, and may have been hashed de-chunked."""
        self._payload_started = True
        if chunked and self._payload is not None:
            self._dechunked = self._payload.fresh()
            self._dechunker = Dechunker(self._dechunked.update)
        self._hash_payload(self._data[offset:])
        self._data = self._data[offset:]

    def read_payload(self, limit: int | None) -> bytes:
        """The payload, or its first `limit` bytes."""
        parts = [self._data]
        size = len(self._data)
        while limit is None or size < limit:
            chunk = self._take(CHUNK)
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
        while self._take(CHUNK):
            pass

    def complete(self) -> bool:
        """Whether the whole block was there and matched its digests."""
        if self._length != self._declared:
            return False
        if self._block is not None:
            return self._block.matches()
        if self._payload is None:
            return True
        return self._payload.matches() or (
            self._dechunked is not None and self._dechunked.matches()
        )


def has_blank_line(data: bytes) -> bool:
    return data.startswith((b"\r\n", b"\n")) or b"\n\r\n" in data or b"\n\n" in data


class Digest:
    """A WARC digest header (`sha1:BASE32`, base 16 or base 64 accepted, as warcio does)."""

    def __init__(self, algorithm: str, expected: str) -> None:
        self._algorithm = algorithm
        self._hash = hashlib.new(algorithm)
        self._expected = expected.strip()

    @classmethod
    def of(cls, header: str | None) -> Digest | None:
        """The digest a header names, or None without one or for an unknown algorithm."""
        if header is None:
            return None
        algorithm, _, expected = header.partition(":")
        try:
            return cls(_algorithm(algorithm), expected)
        except ValueError:
            return None  # an algorithm hashlib does not know: no check is possible

    def fresh(self) -> Digest:
        """The same expected digest, hashed anew."""
        return Digest(self._algorithm, self._expected)

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def matches(self) -> bool:
        actual = self._hash.digest()
        return any(value == actual for value in _values(self._expected))


def digest_key(header: str | None) -> str | None:
    """A digest header in one form whatever its coding (`sha1:hex`), to compare the
    digest a revisit record repeats with its original's; None when it names none."""
    if not header:
        return None
    name, _, expected = header.partition(":")
    try:
        size = hashlib.new(_algorithm(name)).digest_size
    except ValueError:
        return header.strip()  # unknown: compared as written
    value = _value(expected.strip(), size)
    return None if value is None else f"{_algorithm(name)}:{value.hex()}"


def _algorithm(name: str) -> str:
    return name.strip().lower().replace("-", "")


def _value(text: str, size: int) -> bytes | None:
    """The digest's bytes, in the coding that gives a digest of its size."""
    return next((value for value in _values(text) if len(value) == size), None)


def _values(text: str) -> Iterator[bytes]:
    """The bytes `text` decodes to in each coding it is valid in."""
    for decode in _DIGEST_CODINGS:
        try:
            yield decode(text)
        except (ValueError, binascii.Error):
            continue


_DIGEST_CODINGS: tuple[Callable[[str], bytes], ...] = (
    base64.b32decode,
    functools.partial(base64.b16decode, casefold=True),
    base64.b64decode,
    base64.urlsafe_b64decode,
)


class Dechunker:
    """HTTP/1.1 chunked transfer coding undone as bytes stream by, each piece of
    the body handed to `sink`: `size[;ext] CRLF data CRLF ... 0 CRLF trailers`.
    Malformed framing stops it (the digest then cannot match)."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink
        self._line = b""  # a size line read so far
        self._left = 0  # bytes of the current chunk still to come
        self._skip = 0  # CRLF after a chunk's data
        self._done = False

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._done:
            if self._left:
                piece = view[: self._left]
                self._sink(bytes(piece))
                self._left -= len(piece)
                view = view[len(piece) :]
                if not self._left:
                    self._skip = 2
            elif self._skip:
                skipped = min(self._skip, len(view))
                view = view[skipped:]
                self._skip -= skipped
            else:
                view = self._size_line(view)

    def _size_line(self, view: memoryview) -> memoryview:
        end = bytes(view[:4096]).find(b"\n")
        if end < 0:
            self._line += bytes(view)
            self._done = len(self._line) > 4096  # no size line is that long
            return view[len(view) :]
        line = (self._line + bytes(view[:end])).split(b";")[0].strip()
        self._line = b""
        try:
            self._left = int(line, 16)
        except ValueError:
            self._done = True
        self._done = self._done or self._left == 0
        return view[end + 1 :]
