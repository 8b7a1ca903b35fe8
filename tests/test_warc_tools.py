"""Web archives other tools wrote: GNU wget, warcio, Heritrix, Common Crawl, ArchiveWeb.page.

Each file is built as its writer builds it (tests/warcs.py says how each
writes its headers); the pages must come out, revisits resolved to their
original in the file or counted, and every record that gives no page counted
by reason.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.page import Page, Unread
from pipeline.warc import iter_warc_pages, target_uri
from tests import warcs
from tests.pages import article_page

FIRST = article_page().encode()
SECOND = article_page().replace("River floods valley", "Storm hits coast").encode()
THIRD = article_page().replace("River floods valley", "Dam holds firm").encode()
NEWS = "https://news.example"


def _read(path: Path) -> tuple[list[tuple[str | None, bytes]], Counter[str]]:
    skipped: Counter[str] = Counter()
    items = list(iter_warc_pages(path, 10 * 1024 * 1024, skipped))
    assert [i for i in items if isinstance(i, Unread)] == []
    pages = [(i.url, i.content) for i in items if isinstance(i, Page)]
    return pages, skipped


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_gnu_wget(tmp_path: Path, compress: bool) -> None:
    name = "news.warc.gz" if compress else "news.warc"
    pages, skipped = _read(_write(tmp_path, name, warcs.wget(FIRST, SECOND, compress)))
    # Bracketed URIs read as URLs; /a de-chunked; /a-copy is a revisit of /a in the file.
    assert pages == [(f"{NEWS}/a", FIRST), (f"{NEWS}/b", SECOND), (f"{NEWS}/a-copy", FIRST)]
    assert skipped == {
        "warcinfo": 1,
        "request": 4,
        "revisit_unresolved": 1,  # /old: its original is in an earlier crawl's file
        "metadata": 1,  # the manifest
        "not_html": 2,  # the arguments and the log, text/plain resources
    }


def test_heritrix(tmp_path: Path) -> None:
    pages, skipped = _read(_write(tmp_path, "crawl.warc.gz", warcs.heritrix(FIRST, SECOND, THIRD)))
    assert pages == [
        (f"{NEWS}/a", FIRST),  # payload digest of the de-chunked body: no damage
        (f"{NEWS}/b", SECOND),  # payload digest of the chunked bytes: no damage either
        (f"{NEWS}/c", THIRD),  # gzipped on the wire, inflated
        (f"{NEWS}/a?utm_source=feed", FIRST),  # a revisit by payload digest
        (f"{NEWS}/b", SECOND),  # a 304 revisit: the page of that URI
    ]
    assert skipped == {
        "warcinfo": 1,
        "not_http": 1,  # dns:
        "not_html": 1,  # robots.txt
        "not_2xx": 1,
        "metadata": 1,
        "request": 1,
    }


def test_common_crawl(tmp_path: Path) -> None:
    pages, skipped = _read(_write(tmp_path, "CC.warc.gz", warcs.common_crawl(FIRST, SECOND)))
    # Stored decoded (X-Crawler-Content-Encoding says what it was); /b cut by WARC-Truncated.
    assert pages == [(f"{NEWS}/a", FIRST), (f"{NEWS}/b", SECOND[: len(SECOND) // 2])]
    assert skipped == {"warcinfo": 1, "request": 3, "metadata": 3, "not_html": 1}


def test_archiveweb_page(tmp_path: Path) -> None:
    pages, skipped = _read(_write(tmp_path, "session.warc", warcs.archiveweb_page(FIRST, SECOND)))
    assert pages == [
        (f"{NEWS}/a", FIRST),  # sha256 digests in hex
        (f"{NEWS}/a?ref=home", FIRST),  # a revisit by payload digest, with no body
        (f"{NEWS}/b", SECOND),  # an HTML resource: the page without an HTTP message
    ]
    assert skipped == {"warcinfo": 1, "request": 1, "not_html": 2}  # urn:text:, urn:pageinfo:


def test_warcio(tmp_path: Path) -> None:
    path = tmp_path / "warcio.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "warcio"}))
        body = warcs.chunked(gzip.compress(FIRST))
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
        ]
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        response = writer.create_warc_record(
            f"{NEWS}/a", "response", payload=io.BytesIO(body), http_headers=http
        )
        writer.write_record(response)
        request = StatusAndHeaders(
            "GET /a HTTP/1.1", [("Host", "news.example")], is_http_request=True
        )
        writer.write_record(writer.create_warc_record(f"{NEWS}/a", "request", http_headers=request))
        digest = response.rec_headers.get_header("WARC-Payload-Digest")
        revisit = writer.create_revisit_record(
            f"{NEWS}/a/amp", digest, f"{NEWS}/a", "2024-05-01T12:00:00Z", http_headers=http
        )
        writer.write_record(revisit)
    pages, skipped = _read(path)
    assert pages == [(f"{NEWS}/a", FIRST), (f"{NEWS}/a/amp", FIRST)]
    assert skipped == {"warcinfo": 1, "request": 1}


def test_a_file_gzipped_whole_counts_its_revisits(tmp_path: Path) -> None:
    """`gzip news.warc`: one member, so an original cannot be read again by its offset."""
    path = _write(tmp_path, "news.warc.gz", gzip.compress(warcs.wget(FIRST, SECOND, False)))
    pages, skipped = _read(path)
    assert pages == [(f"{NEWS}/a", FIRST), (f"{NEWS}/b", SECOND)]
    assert skipped["revisit_unresolved"] == 2


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("<http://a.example/x>", "http://a.example/x"),
        (" <https://a.example/> ", "https://a.example/"),
        ("https://a.example/<b>", "https://a.example/<b>"),
        ("<>", None),
        (None, None),
    ],
)
def test_target_uri(value: str | None, url: str | None) -> None:
    assert target_uri(value) == url


def _pipeline(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [Path(sys.executable).with_name("pipeline"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_extract_a_wget_archive_and_name_what_was_skipped(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "news.warc.gz").write_bytes(warcs.wget(FIRST, SECOND))
    (crawl / "news.cdx").write_text("CDX N b a m s k r M S V g\n")  # wget --warc-cdx
    out = tmp_path / "out.jsonl"
    done = _pipeline("extract", crawl, "-o", out, "-v")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["url"] for r in records] == [f"{NEWS}/a", f"{NEWS}/b", f"{NEWS}/a-copy"]
    assert records[0]["text"] == records[2]["text"] and records[2]["title"] == "River floods valley"
    assert "files skipped: 1 (not html 1)" in done.stderr
    assert (
        "archive records skipped: 9 (metadata 1, not html 2, request 4, "
        "revisit unresolved 1, warcinfo 1)"
    ) in done.stderr
    assert f"skipped {crawl / 'news.cdx'}: neither a web page nor a web archive" in done.stderr
