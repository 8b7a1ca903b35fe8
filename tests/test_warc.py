"""The per-run WARC: written so warcio and our reader agree, and read back without crashing."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import random
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import brotli
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.errors import OutputError, TooLarge, Undecodable, Unreadable
from pipeline.extraction import Page
from pipeline.page import Unread
from pipeline.warc import WarcWriter, iter_warc_pages, page_input

FETCHED = datetime(2024, 5, 1, 12, 30, 5, tzinfo=UTC)
UTF8_BODY = "<html><body><p>Ünïcode news</p></body></html>".encode()
CP1251_BODY = "<html><body><p>Новости дня</p></body></html>".encode("cp1251")
PNG_BODY = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def write_three(path: Path) -> list[str]:
    with WarcWriter(path, {"run-id": "run-1"}) as warc:
        return [
            warc.write_response(
                "https://news.example/a?id=1",
                200,
                [("Content-Type", "text/html; charset=utf-8"), ("Server", "x")],
                UTF8_BODY,
                FETCHED,
                request_headers=[("Host", "news.example"), ("User-Agent", "pipeline")],
            ),
            warc.write_response(
                "https://news.example/logo.png",
                200,
                [("Content-Type", "image/png")],
                PNG_BODY,
                FETCHED,
            ),
            warc.write_response(
                "https://news.example/b",
                200,
                [("Content-Type", 'text/html; charset="Windows-1251"')],
                CP1251_BODY,
                FETCHED,
            ),
        ]


def pages_and_errors(path: Path, **kwargs: int) -> tuple[list[Page], list[Unread]]:
    items = list(iter_warc_pages(path, **kwargs))
    pages = [item for item in items if isinstance(item, Page)]
    errors = [item for item in items if isinstance(item, Unread)]
    assert len(pages) + len(errors) == len(items)
    return pages, errors


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    ids = write_three(path)
    pages, errors = pages_and_errors(path)
    assert errors == []
    assert pages == [
        Page(UTF8_BODY, "https://news.example/a?id=1", page_input(path, ids[0]), "utf-8"),
        Page(CP1251_BODY, "https://news.example/b", page_input(path, ids[2]), "windows-1251"),
    ]
    assert pages[0].input == f"{path}#{ids[0]}"
    assert ids[0].startswith("urn:uuid:")


def test_file_is_valid_for_warcio(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    ids = write_three(path)
    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout
    with path.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream, check_digests="raise")
        ]
    assert [kind for kind, *_ in records] == [
        "warcinfo",
        "response",
        "request",
        "response",
        "response",
    ]
    assert b"run-id: run-1" in records[0][3]
    _, response, http, body = records[1]
    assert response.get_header("WARC-Target-URI") == "https://news.example/a?id=1"
    assert response.get_header("WARC-Date") == "2024-05-01T12:30:05Z"
    assert response.get_header("WARC-Record-ID") == f"<{ids[0]}>"
    assert http.statusline == "200 OK" and http.protocol == "HTTP/1.1"
    assert http.get_header("Server") == "x" and body == UTF8_BODY
    _, request, http, _ = records[2]
    assert request.get_header("WARC-Concurrent-To") == f"<{ids[0]}>"
    assert http.protocol == "GET" and http.statusline == "/a?id=1 HTTP/1.1"
    assert http.get_header("User-Agent") == "pipeline"


def test_every_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    """Flushed member by member: the bytes so far are a whole gzip stream after each write."""
    path = tmp_path / "run.warc.gz"
    with WarcWriter(path) as warc:
        warc.write_response(
            "https://x.example/", 200, [("Content-Type", "text/html")], b"<p>1", FETCHED
        )
        # Read while the writer is still open, as after a kill.
        assert b"<p>1" in gzip.decompress(path.read_bytes())
        assert [p.content for p in iter_warc_pages(path) if isinstance(p, Page)] == [b"<p>1"]


def test_decoded_body_drops_wire_headers(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    wire = [
        ("Content-Type", "text/html"),
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
        ("Content-Length", "999"),
    ]
    with WarcWriter(path) as warc:
        warc.write_response("https://x.example/d", 200, wire, UTF8_BODY, FETCHED)
        raw = gzip.compress(UTF8_BODY)
        warc.write_response(
            "https://x.example/r",
            200,
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            raw,
            FETCHED,
            decoded=False,
        )
    pages, errors = pages_and_errors(path)
    assert errors == []
    assert [p.content for p in pages] == [UTF8_BODY, UTF8_BODY]  # the raw one inflated on reading
    with path.open("rb") as stream:
        http = [r.http_headers for r in ArchiveIterator(stream) if r.rec_type == "response"]
    assert http[0].headers == [
        ("Content-Type", "text/html"),
        ("Content-Length", str(len(UTF8_BODY))),
    ]
    assert http[1].get_header("Content-Encoding") == "gzip"


def test_only_successful_html_responses_are_pages(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    html = [("Content-Type", "text/html")]
    with WarcWriter(path) as warc:
        warc.write_response("https://x.example/404", 404, html, b"<p>gone", FETCHED)
        warc.write_response("https://x.example/301", 301, html, b"<a>moved</a>", FETCHED)
        warc.write_response("https://x.example/none", 200, [], b"<p>untyped", FETCHED)
        warc.write_response(
            "https://x.example/x",
            200,
            [("content-type", "APPLICATION/XHTML+XML")],
            b"<p/>",
            FETCHED,
        )
        warc.write_response("https://x.example/odd", 299, html, b"<p>odd", FETCHED, reason="Odd")
    pages, _ = pages_and_errors(path)
    assert [p.url for p in pages] == ["https://x.example/x", "https://x.example/odd"]


def test_truncated_at_any_byte_never_crashes(tmp_path: Path) -> None:
    """A run killed mid-write: no crash, at most one error, and no page lost unreported."""
    path = tmp_path / "run.warc.gz"
    write_three(path)
    data = path.read_bytes()
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        starts = {
            r.rec_headers.get_header("WARC-Record-ID").strip("<>"): records.get_record_offset()
            for r in records
        }
    full, _ = pages_and_errors(path)
    cut_path = tmp_path / "cut.warc.gz"
    for cut in range(len(data)):
        cut_path.write_bytes(data[:cut])
        pages, errors = pages_and_errors(cut_path)
        assert len(errors) <= 1, cut
        begun = [p for p in full if starts[str(p.input).rsplit("#", 1)[1]] < cut]
        got = [(p.content, p.url, p.http_charset) for p in pages]
        whole = [(p.content, p.url, p.http_charset) for p in begun]
        # Every page whose record had begun comes back whole, or the last is reported.
        assert got == whole or (errors and got == whole[:-1]), cut


def test_truncated_file_reports_where(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    write_three(path)
    data = path.read_bytes()
    path.write_bytes(data[:-30])  # into the last record's body
    pages, errors = pages_and_errors(path)
    assert [p.url for p in pages] == ["https://news.example/a?id=1"]
    # Cut inside the body: the record is named, and said to be cut short.
    assert errors[0].input.startswith(f"{path}#urn:uuid:")
    assert errors[0].url == "https://news.example/b"
    assert isinstance(errors[0].error, Undecodable)
    assert "cut short" in errors[0].error.message
    path.write_bytes(data[:-330])  # into the last record's headers
    pages, errors = pages_and_errors(path)
    assert [p.url for p in pages] == ["https://news.example/a?id=1"]
    assert errors[0].input == str(path) and errors[0].url is None
    assert "damaged WARC" in errors[0].error.message


def test_garbage_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    write_three(path)
    data = path.read_bytes()
    middle = len(data) // 2
    path.write_bytes(data[:middle] + b"\x00garbage\xff" * 10 + data[middle:])
    pages, errors = pages_and_errors(path)
    assert len(errors) == 1 and isinstance(errors[0].error, Undecodable)
    assert errors[0].error.message.startswith("damaged WARC")
    assert all(p.content in (UTF8_BODY, CP1251_BODY) for p in pages)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x1f\x8b",
        b"not a warc at all\r\n\r\n",
        b"<html><body>hello</body></html>",
        bytes(range(256)),
    ],
)
def test_not_a_warc(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(content)
    pages, errors = pages_and_errors(path)
    assert pages == []
    assert len(errors) == 1 and isinstance(errors[0].error, Undecodable)


def test_missing_file(tmp_path: Path) -> None:
    pages, errors = pages_and_errors(tmp_path / "nope.warc.gz")
    assert pages == [] and isinstance(errors[0].error, Unreadable)


def test_damaged_record_body_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    """In an uncompressed WARC a flipped body byte is caught by the payload digest."""
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=False)
    for url, body in (
        ("https://x.example/1", b"<p>first page</p>"),
        ("https://x.example/2", b"<p>second</p>"),
    ):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http
        )
        writer.write_record(record)
    path = tmp_path / "plain.warc"
    path.write_bytes(stream.getvalue().replace(b"first page", b"first PAGE"))
    pages, errors = pages_and_errors(path)
    assert [p.url for p in pages] == ["https://x.example/2"]
    assert errors[0].url == "https://x.example/1"
    assert errors[0].input.startswith(f"{path}#urn:uuid:")
    assert "digest" in errors[0].error.message


def test_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    write_three(path)
    assert len(UTF8_BODY) > len(CP1251_BODY)
    pages, errors = pages_and_errors(path, max_bytes=len(UTF8_BODY) - 1)
    assert [p.url for p in pages] == ["https://news.example/b"]
    assert errors[0].url == "https://news.example/a?id=1" and isinstance(errors[0].error, TooLarge)


def test_an_existing_archive_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "run.warc.gz"
    write_three(path)
    before = path.read_bytes()
    with pytest.raises(OutputError, match="cannot create"), WarcWriter(path):
        pass
    assert path.read_bytes() == before


def test_write_outside_the_context_is_an_error(tmp_path: Path) -> None:
    warc = WarcWriter(tmp_path / "run.warc.gz")
    with pytest.raises(OutputError, match="not open"):
        warc.write_response("https://x.example/", 200, [], b"", FETCHED)


# Reading damage and oddities that FastWARC leaves to us (see pipeline/warc/reader.py)


def warc_record(
    url: str,
    block: bytes,
    *,
    kind: str = "response",
    warc_type: str = "application/http; msgtype=response",
    digest: str | None = "block",
) -> bytes:
    """One uncompressed WARC record, its digest header written by hand."""
    lines = [
        "WARC/1.0",
        f"WARC-Type: {kind}",
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>",
        f"WARC-Target-URI: {url}",
        "WARC-Date: 2024-05-01T12:30:05Z",
        f"Content-Type: {warc_type}",
    ]
    sha1 = hashlib.sha1(block).digest()
    if digest == "block":
        lines.append(f"WARC-Block-Digest: sha1:{base64.b32encode(sha1).decode()}")
    elif digest == "block-hex":
        lines.append(f"WARC-Block-Digest: sha1:{sha1.hex()}")
    elif digest == "unknown":
        lines.append("WARC-Block-Digest: whirlpool:AAAA")
    elif digest == "payload":
        payload = block.split(b"\r\n\r\n", 1)[1]
        value = base64.b32encode(hashlib.sha1(payload).digest()).decode()
        lines.append(f"WARC-Payload-Digest: sha1:{value}")
    lines.append(f"Content-Length: {len(block)}")
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + block + b"\r\n\r\n"


def http_response(
    body: bytes, *headers: str, status: str = "200 OK", content_type: str = "text/html"
) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", *headers]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + body


def member(record: bytes) -> bytes:
    return gzip.compress(record, mtime=0)


def test_a_body_not_encoded_as_its_headers_say_leaves_the_rest_readable(tmp_path: Path) -> None:
    """FastWARC's own decoding raises here and leaves its iterator unusable: we decode."""
    path = tmp_path / "lies.warc.gz"
    encodings = [
        ("lie", b"<p>plain</p>", "Content-Encoding: gzip"),
        ("chunks", b"<p>not chunked</p>", "Transfer-Encoding: chunked"),
        ("br", brotli.compress(b"<p>brotli</p>"), "Content-Encoding: br"),
        ("br-lie", b"<p>no brotli</p>", "Content-Encoding: br"),
        ("gz", gzip.compress(b"<p>inflated</p>"), "Content-Encoding: gzip"),
    ]
    path.write_bytes(
        b"".join(
            member(warc_record(f"https://x.example/{name}", http_response(body, header)))
            for name, body, header in encodings
        )
    )
    pages, errors = pages_and_errors(path)
    # As warcio did: a body that does not inflate at all is kept as it is.
    assert [(p.url, p.content) for p in pages] == [
        ("https://x.example/lie", b"<p>plain</p>"),
        ("https://x.example/chunks", b"<p>not chunked</p>"),
        ("https://x.example/br", b"<p>brotli</p>"),
        ("https://x.example/gz", b"<p>inflated</p>"),
    ]
    assert [(e.url, e.error.message) for e in errors] == [
        ("https://x.example/br-lie", "body does not decode as its headers say")
    ]


def test_http_messages_read_as_warcio_read_them(tmp_path: Path) -> None:
    """Bare LF line ends and long header blocks (FastWARC's parser refuses both), an
    unparseable status, a non-HTTP response."""
    path = tmp_path / "odd.warc"
    path.write_bytes(
        warc_record(
            "https://x.example/lf", b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n<p>lf</p>"
        )
        + warc_record(
            "https://x.example/long", http_response(b"<p>long</p>", "X-Long: " + "a" * 40000)
        )
        + warc_record("https://x.example/odd", http_response(b"<p>odd</p>", status="abc Odd"))
        + warc_record("https://x.example/none", b"\x00\xff not HTTP at all")
        + warc_record("dns:x.example", b"20240501 93.184.216.34", warc_type="text/dns")
        + warc_record(
            "https://x.example/latin",
            http_response(b"<p>latin</p>", content_type="text/html; charset=ISO-8859-1"),
        )
    )
    pages, errors = pages_and_errors(path)
    assert errors == []
    assert [(p.url, p.content, p.http_charset) for p in pages] == [
        ("https://x.example/lf", b"<p>lf</p>", None),
        ("https://x.example/long", b"<p>long</p>", None),
        ("https://x.example/latin", b"<p>latin</p>", "iso-8859-1"),
    ]


@pytest.mark.parametrize("digest", ["block", "block-hex", "payload"])
def test_digests_in_every_form_are_checked(tmp_path: Path, digest: str) -> None:
    path = tmp_path / "digests.warc"
    good = warc_record("https://x.example/good", http_response(b"<p>good</p>"), digest=digest)
    bad = warc_record("https://x.example/bad", http_response(b"<p>BAD!</p>"), digest=digest)
    path.write_bytes(good + bad.replace(b"BAD!", b"good"))  # the digest is of BAD!
    pages, errors = pages_and_errors(path)
    assert [p.url for p in pages] == ["https://x.example/good"]
    assert [e.url for e in errors] == ["https://x.example/bad"]
    assert "digest does not match" in errors[0].error.message


def test_a_digest_of_an_unknown_algorithm_cannot_be_checked_and_is_no_damage(
    tmp_path: Path,
) -> None:
    path = tmp_path / "whirlpool.warc"
    path.write_bytes(
        warc_record("https://x.example/", http_response(b"<p>x</p>"), digest="unknown")
    )
    pages, errors = pages_and_errors(path)
    assert [p.content for p in pages] == [b"<p>x</p>"] and errors == []


def test_plain_warc_truncated_at_any_byte(tmp_path: Path) -> None:
    """Uncompressed, a header block cut off is read by FastWARC as a record: reported."""
    records = [
        warc_record(f"https://x.example/{n}", http_response(f"<p>page {n}</p>".encode()))
        for n in range(3)
    ]
    data = b"".join(records)
    starts = [sum(len(r) for r in records[:n]) for n in range(3)]
    path = tmp_path / "cut.warc"
    for cut in range(len(data)):
        path.write_bytes(data[:cut])
        pages, errors = pages_and_errors(path)
        begun = sum(1 for start in starts if start < cut)
        # A record cut anywhere before its final CRLFs is reported; none is lost unsaid.
        assert len(errors) <= 1, cut
        assert len(pages) + len(errors) == begun or (not pages and errors), cut
        assert [p.url for p in pages] == [f"https://x.example/{n}" for n in range(len(pages))]


def test_one_gzip_member_for_the_whole_file(tmp_path: Path) -> None:
    """`gzip file.warc`: read whole; cut short, the loss is reported."""
    records = [
        warc_record(f"https://x.example/{n}", http_response(f"<p>page {n}</p>".encode()))
        for n in range(3)
    ]
    data = gzip.compress(b"".join(records), mtime=0)
    path = tmp_path / "one.warc.gz"
    path.write_bytes(data)
    pages, errors = pages_and_errors(path)
    assert len(pages) == 3 and errors == []
    for cut in range(10, len(data)):
        path.write_bytes(data[:cut])
        pages, errors = pages_and_errors(path)
        assert len(errors) == 1, cut  # however little is cut, the file is known to be cut
        assert all(p.url == f"https://x.example/{n}" for n, p in enumerate(pages))


def test_a_gzip_member_cut_after_the_last_record(tmp_path: Path) -> None:
    """FastWARC ends quietly at a cut-off member; we look at the file's tail."""
    path = tmp_path / "run.warc.gz"
    write_three(path)
    data = path.read_bytes()
    extra = member(warc_record("https://x.example/late", http_response(b"<p>late</p>")))
    path.write_bytes(data + extra[:20])  # too little of it inflates for FastWARC to see
    pages, errors = pages_and_errors(path)
    assert len(pages) == 2 and len(errors) == 1
    assert errors[0].error.message == (
        f"damaged WARC: 20 bytes at offset {len(data)} are no whole record"
    )
    path.write_bytes(data + member(b""))  # an empty member is no damage
    assert len(pages_and_errors(path)[0]) == 2 and pages_and_errors(path)[1] == []


def test_damaged_archives_never_crash(tmp_path: Path) -> None:
    """Cuts, flipped bytes and junk over an archive of real pages: Pages and Unreads
    only, and every Page one of the archive's own (bench/warc_read.py --fuzz runs more)."""
    pages_in = sorted(Path("fixtures").glob("*.html"))[:8]
    path = tmp_path / "real.warc.gz"
    with WarcWriter(path) as warc:
        for page in pages_in:
            warc.write_response(
                f"https://x.example/{page.stem}",
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                page.read_bytes(),
                FETCHED,
                request_headers=[("Host", "x.example")],
            )
    originals = {(p.content, p.url) for p in pages_and_errors(path)[0]}
    assert len(originals) == len(pages_in)
    archives = {"gzip": path.read_bytes(), "plain": gzip.decompress(path.read_bytes())}
    rng = random.Random(9)
    spoilt = tmp_path / "spoilt.warc"
    for number in range(150):
        form = "gzip" if number % 2 else "plain"
        data = bytearray(archives[form])
        at = rng.randrange(len(data))
        if number % 3 == 0:
            del data[at:]
        elif number % 3 == 1:
            data[at] ^= 1 << rng.randrange(8)
        else:
            data[at:at] = rng.randbytes(rng.randint(1, 40))
        spoilt.write_bytes(data)
        pages, _ = pages_and_errors(spoilt)  # raises nothing
        for page in pages:
            # In a plain file no digest covers a WARC header: a flip there may change a URL.
            assert page.content in {c for c, _ in originals}, (form, number)
            assert form == "plain" or (page.content, page.url) in originals, (form, number)
