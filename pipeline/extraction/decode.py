"""Turn a page's bytes into text, weighing the evidence the way browsers do.

Evidence, strongest first: a byte order mark; valid UTF-8 with non-ASCII bytes
(or UTF-8 with a rare broken sequence, replaced as browsers do); the HTTP charset;
the page's own <meta> charset; statistical detection. A declared charset is
believed only if the bytes decode strictly with it and the result is not
gibberish, because mis-declared pages are common (Apache long sent
``charset=ISO-8859-1`` for every page, whatever the page really was).
"""

from __future__ import annotations

import codecs
import functools
import re

from charset_normalizer import CharsetMatch, from_bytes

from pipeline.errors import TooLarge, Undecodable
from pipeline.extraction.thresholds import (
    SNIFF_BYTES,
    STRAY_CONTROL_SHARE,
    STRAY_CONTROLS,
    STRIP_SAMPLE_BYTES,
    UTF8_VALID_PER_BROKEN,
)
from pipeline.options import DEFAULT_OPTIONS

# UTF-32 LE must come before UTF-16 LE: its mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "still gzip-compressed"),
)

# One pattern covers <meta charset=x> and <meta http-equiv=... content="...; charset=x">.
# `[^<>]`: a scan from one `<meta` stops at the next `<` (linear in the bytes).
_META = re.compile(rb"""<meta[^<>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.IGNORECASE)

# Markup, scripts and styles are ASCII and would drown the few non-ASCII bytes that
# charset detection needs, so it is shown the text between them. An unclosed script,
# style or comment runs to the end, as in browsers; `|\Z` also keeps the scan linear
# (a lazy scan to a closer that never comes, retried from every opener, is quadratic).
_MARKUP = re.compile(
    rb"<script\b.*?(?:</script\s*>|\Z)|<style\b.*?(?:</style\s*>|\Z)|<!--.*?(?:-->|\Z)"
    rb"|<[a-z/!][^<>]*>",
    re.IGNORECASE | re.DOTALL,
)

_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r"

# C0 control bytes no text page holds (whitespace and ESC, which ISO-2022-JP uses,
# excepted). A body whose first 4 KB has more than a few of them (STRAY_CONTROLS,
# and more than one in STRAY_CONTROL_SHARE bytes) is binary or UTF-16; fewer are
# stray bytes a browser ignores.
_BINARY_CONTROLS = bytes(b for b in range(0x20) if b not in b"\t\n\x0c\r\x1b")

# Labels browsers accept that Python's codec registry does not know.
_LABELS = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "windows-949": "cp949",
    "x-euc-jp": "euc_jp",
    "x-mac-cyrillic": "mac_cyrillic",
}

# WHATWG decodes these labels with a superset; the narrow codec fails on real pages
# (e.g. curly quotes in "iso-8859-1" pages, or NEC kanji in "shift_jis" ones).
_SUPERSETS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "big5": "big5hkscs",
}


def decode(
    data: bytes, http_charset: str | None = None, max_bytes: int = DEFAULT_OPTIONS.max_bytes
) -> str:
    """Return the text of a page; raise TooLarge or Undecodable."""
    if len(data) > max_bytes:  # first, so a huge body costs nothing more
        raise TooLarge(f"page is {len(data):,} bytes, over the limit of {max_bytes:,}")
    _refuse_non_text(data)
    text = _from_bom(data)
    if text is None:
        data = _without_stray_nuls(data)
        text = _from_evidence(data, http_charset)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise Undecodable("page decodes to whitespace only")
    return text


def _refuse_non_text(data: bytes) -> None:
    """Raise Undecodable for empty bodies and known binary formats."""
    if not data.strip():
        raise Undecodable("empty or whitespace-only body")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise Undecodable(f"body is {kind}, not HTML")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise Undecodable("body is a WebP image, not HTML")


def _without_stray_nuls(data: bytes) -> bytes:
    """The bytes without NULs, when the few there are stray (browsers ignore them);
    raise Undecodable when the first 4 KB hold many control bytes: UTF-16/32 without
    a BOM (not served as HTML) or a binary body."""
    if b"\x00" not in data:
        return data
    head = data[:SNIFF_BYTES]
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    if controls > max(STRAY_CONTROLS, len(head) // STRAY_CONTROL_SHARE):
        raise Undecodable("NUL and control bytes in the first 4 KB: a binary body, not text")
    # No ASCII-compatible charset uses 0x00 inside a character: removing it is safe.
    return data.replace(b"\x00", b"")


def _from_bom(data: bytes) -> str | None:
    """Decode by the BOM, if any; as in browsers it wins over every declaration."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            # A stray bad byte after a BOM is damage, not a different charset.
            return data[len(bom) :].decode(codec, errors="replace")
    return None


def _from_evidence(data: bytes, http_charset: str | None) -> str:
    """Decode a BOM-less body: UTF-8, then declarations, then detection."""
    utf8 = _strict(data, "utf-8")
    # Legacy-encoded text that happens to be valid UTF-8 is vanishingly rare, so
    # valid non-ASCII UTF-8 overrides any declaration (a "latin-1" label is often
    # a server default). This is also the fast path of most pages.
    if utf8 is not None and not data.isascii():
        return utf8
    if utf8 is None and (damaged := _damaged_utf8(data)) is not None:
        return damaged
    for label in (http_charset, _meta_charset(data)):
        text = _from_declared(data, _codec(label))
        if text is not None:
            return text
    return utf8 if utf8 is not None else _detect(data)


def _damaged_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken sequences (a CMS cut a teaser in the middle of a
    character: "papieros\xc3..."), decoded as browsers do, with U+FFFD; None when the
    broken sequences are not rare beside the valid ones (a legacy charset)."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - broken  # non-ASCII, C speed
    return text if 0 < broken * UTF8_VALID_PER_BROKEN <= valid else None


def _meta_charset(data: bytes) -> str | None:
    """The charset label of the page's <meta>, searched in the first 4 KB only."""
    match = _META.search(data, 0, SNIFF_BYTES)
    return match.group(1).decode("ascii") if match else None


@functools.lru_cache(maxsize=256)
def _codec(label: str | None) -> str | None:
    """Map a charset label to the Python codec a browser would use, or None."""
    if not label:
        return None
    key = label.strip(" \t\"'").lower()
    try:
        name = codecs.lookup(_LABELS.get(key, key)).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # WHATWG: a body without NULs cannot be UTF-16, read the label as UTF-8
    name = _SUPERSETS.get(name, name)
    # Only ASCII-compatible text codecs make sense for HTML; this refuses base64,
    # rot13, EBCDIC, HZ and UTF-7 (a known XSS vector) in one test.
    try:
        return name if _PRINTABLE.decode(name) == _PRINTABLE.decode("ascii") else None
    except (LookupError, UnicodeError):
        return None


def _from_declared(data: bytes, codec: str | None) -> str | None:
    """Decode with a declared codec if it fits the bytes, else None (mis-declared)."""
    if codec is None:
        return None
    text = _strict(data, codec)
    if text is None or data.isascii():
        return text
    # Single-byte codecs decode anything; reject a result charset_normalizer finds chaotic.
    return text if _best(_text_sample(data), [codec]) is not None else None


def _detect(data: bytes) -> str:
    """Guess the charset statistically; the last resort."""
    match = _best(_text_sample(data), None)
    codec = _codec(match.encoding) if match else None
    if codec is None:
        raise Undecodable("no charset decodes the body sensibly")
    # The guess came from a sample, so a byte outside it may not fit.
    return data.decode(codec, errors="replace")


def _text_sample(data: bytes) -> bytes:
    """The page's text without markup, or the raw page if its text is all ASCII."""
    text = _MARKUP.sub(b" ", data[:STRIP_SAMPLE_BYTES])
    return data if text.isascii() else text


def _best(data: bytes, isolation: list[str] | None) -> CharsetMatch | None:
    """charset_normalizer's best match, limited to `isolation` codecs if given."""
    try:
        # Declarations were already weighed, so its own <meta> pre-emption is off.
        return from_bytes(data, cp_isolation=isolation, preemptive_behaviour=False).best()
    except Exception as exc:  # a library bug must not escape as an unknown error
        raise Undecodable(f"charset detection failed: {exc}") from exc


def _strict(data: bytes, codec: str) -> str | None:
    """Decode strictly, or None if any byte does not fit."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None
