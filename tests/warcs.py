"""Small WARCs written byte by byte the way other tools write them (tests/test_warc_tools.py).

Each builder follows its tool's header conventions, as their sources and
published files show:

- GNU wget (1.19.4 and later): WARC/1.0, `WARC-Target-URI` in angle brackets
  (WARC 1.0's grammar), request then response records, sha1 base32 block and
  payload digests, the response as received (chunked if the server chunked it),
  `revisit` records naming the original by `WARC-Refers-To` (the original in
  an earlier crawl's file, with --warc-dedup), and at the end a `metadata`
  manifest and `resource` records of its arguments and log, as text/plain;
- Heritrix 3: WARC/1.0, `dns:` responses, `WARC-Payload-Digest` without a block
  digest (over the de-chunked body since its fix, over the bytes as stored
  before), `metadata` records of outlinks, revisits by payload digest with
  `WARC-Refers-To-Target-URI` and `-Date`, and 304 `server-not-modified` ones;
- Common Crawl: Heritrix-like triplets (request, response, metadata), the body
  stored decoded with the wire headers renamed `X-Crawler-Content-Encoding` etc.,
  `WARC-Identified-Payload-Type`, and `WARC-Truncated: length` past 1 MiB;
- ArchiveWeb.page / warcio.js (a browser's archiver): WARC/1.1, sha256 digests
  in hex, the response (decoded by the browser, `x-orig-content-encoding`)
  before its request, revisits by payload digest with `WARC-Refers-To-Target-URI`
  and `-Date` and no body, `WARC-Page-ID`, and `resource` records of the page's
  text (`urn:text:`) and of an HTML snapshot.

warcio itself writes its files in tests/test_warc_tools.py.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import uuid
import zlib

CRLF = "\r\n"


def record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def sha256_hex(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def record(
    headers: list[tuple[str, str]],
    block: bytes = b"",
    version: str = "WARC/1.0",
    length: int | None = None,
) -> bytes:
    """One record: the version line, `headers` in order, Content-Length, the block."""
    lines = [version, *(f"{name}: {value}" for name, value in headers)]
    lines.append(f"Content-Length: {len(block) if length is None else length}")
    return (CRLF.join(lines) + CRLF + CRLF).encode() + block + (CRLF + CRLF).encode()


def member(data: bytes) -> bytes:
    """One gzip member, as wget, Heritrix and warcio write each record."""
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(data) + packer.flush()


def http_response(
    body: bytes, headers: list[tuple[str, str]], status: str = "200 OK", head: str = "HTTP/1.1"
) -> bytes:
    lines = [f"{head} {status}", *(f"{name}: {value}" for name, value in headers)]
    return (CRLF.join(lines) + CRLF + CRLF).encode() + body


def chunked(body: bytes, size: int = 700) -> bytes:
    """`body` in chunks as a server sends it (Transfer-Encoding: chunked)."""
    parts = [
        f"{len(body[i : i + size]):x}\r\n".encode() + body[i : i + size] + b"\r\n"
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def payload_of(message: bytes) -> bytes:
    return message.split(b"\r\n\r\n", 1)[1]


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


def warcinfo(fields: list[tuple[str, str]], version: str = "WARC/1.0", name: str = "") -> bytes:
    block = (CRLF.join(f"{k}: {v}" for k, v in fields) + CRLF).encode()
    headers = [("WARC-Type", "warcinfo"), ("WARC-Date", "2024-05-01T12:00:00Z")]
    if name:
        headers.append(("WARC-Filename", name))
    headers += [("WARC-Record-ID", record_id()), ("Content-Type", "application/warc-fields")]
    return record(headers, block, version)


# --- GNU wget -----------------------------------------------------------------------------

WGET_UNRESOLVED = "https://news.example/old"  # a revisit of a page in an earlier crawl's file


def wget(first: bytes, second: bytes, compress: bool = True) -> bytes:
    """`wget --warc-file=news --warc-dedup=old.cdx`: /a (chunked), /b, /a-copy (a
    revisit of /a), /old (a revisit of a page in the earlier crawl), then the
    manifest, arguments and log."""
    info_id = record_id()
    info = [
        ("software", "Wget/1.21.3 (linux-gnu)"),
        ("format", "WARC File Format 1.0"),
        ("conformsTo", "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf"),
        ("robots", "classic"),
        ("wget-arguments", '"--warc-file=news" "--warc-dedup=old.cdx" "https://news.example/"'),
    ]
    out = [warcinfo(info, name="news.warc.gz")]
    a = http_response(
        chunked(first),
        [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")],
    )
    b = http_response(second, [("Content-Type", "text/html"), ("Content-Length", str(len(second)))])
    a_id = record_id()
    for path, message, response_id in (("/a", a, a_id), ("/b", b, record_id())):
        out += _wget_exchange(f"https://news.example{path}", message, response_id, info_id)
    # Revisits keep the response's headers, not its body (WARC-Truncated: length).
    for path, refers_to, message in (("/a-copy", a_id, a), ("/old", record_id(), b"")):
        url = f"https://news.example{path}"
        request_id = record_id()
        out.append(_wget_request(url, request_id, info_id))
        head = (
            message.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
            if message
            else http_response(b"", [("Content-Type", "text/html")])
        )
        digest = sha1(payload_of(message) if message else b"a page of the earlier crawl")
        headers = [
            ("WARC-Type", "revisit"),
            ("WARC-Record-ID", record_id()),
            ("WARC-Warcinfo-ID", info_id),
            ("WARC-Concurrent-To", request_id),
            ("WARC-Refers-To", refers_to),
            ("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
            ("WARC-Truncated", "length"),
            ("WARC-Target-URI", f"<{url}>"),
            ("WARC-Date", "2024-05-01T12:00:02Z"),
            ("WARC-IP-Address", "93.184.216.34"),
            ("Content-Type", "application/http;msgtype=response"),
            ("WARC-Block-Digest", sha1(head)),
            ("WARC-Payload-Digest", digest),
        ]
        out.append(record(headers, head))
    manifest = f"{info_id}\n".encode()
    out.append(_wget_meta("metadata", "MANIFEST.txt", manifest, info_id))
    out.append(_wget_meta("resource", "wget_arguments.txt", b'"--warc-file=news"\n', info_id))
    out.append(
        _wget_meta("resource", "wget.log", b"--2024-05-01 12:00:00--  https://...\n", info_id)
    )
    return b"".join(member(r) if compress else r for r in out)


def _wget_request(url: str, request_id: str, info_id: str) -> bytes:
    path = url.split("news.example", 1)[1]
    block = (
        f"GET {path} HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
        "Accept-Encoding: identity\r\nHost: news.example\r\nConnection: Keep-Alive\r\n\r\n"
    ).encode()
    headers = [
        ("WARC-Type", "request"),
        ("WARC-Target-URI", f"<{url}>"),
        ("Content-Type", "application/http;msgtype=request"),
        ("WARC-Date", "2024-05-01T12:00:01Z"),
        ("WARC-Record-ID", request_id),
        ("WARC-IP-Address", "93.184.216.34"),
        ("WARC-Warcinfo-ID", info_id),
        ("WARC-Block-Digest", sha1(block)),
        ("WARC-Payload-Digest", sha1(b"")),
    ]
    return record(headers, block)


def _wget_exchange(url: str, message: bytes, response_id: str, info_id: str) -> list[bytes]:
    request_id = record_id()
    headers = [
        ("WARC-Type", "response"),
        ("WARC-Record-ID", response_id),
        ("WARC-Warcinfo-ID", info_id),
        ("WARC-Concurrent-To", request_id),
        ("WARC-Target-URI", f"<{url}>"),
        ("WARC-Date", "2024-05-01T12:00:01Z"),
        ("WARC-IP-Address", "93.184.216.34"),
        ("WARC-Block-Digest", sha1(message)),
        ("WARC-Payload-Digest", sha1(payload_of(message))),  # wget hashes the bytes as sent
        ("Content-Type", "application/http;msgtype=response"),
    ]
    return [_wget_request(url, request_id, info_id), record(headers, message)]


def _wget_meta(kind: str, name: str, block: bytes, info_id: str) -> bytes:
    headers = [
        ("WARC-Type", kind),
        ("WARC-Record-ID", record_id()),
        ("WARC-Warcinfo-ID", info_id),
        ("WARC-Concurrent-To", info_id),
        ("WARC-Target-URI", f"<metadata://gnu.org/software/wget/warc/{name}>"),
        ("WARC-Date", "2024-05-01T12:00:03Z"),
        ("WARC-Block-Digest", sha1(block)),
        ("Content-Type", "text/plain"),
    ]
    return record(headers, block)


# --- Heritrix -----------------------------------------------------------------------------


def heritrix(first: bytes, second: bytes, third: bytes) -> bytes:
    """A Heritrix 3 crawl: dns:, robots.txt, /a and /b chunked (HTTP/1.1; /a's payload
    digest over the de-chunked body, /b's over the bytes as stored), /c gzipped, a 404,
    metadata records, a revisit of /a under another URI and a 304 revisit of /b."""
    out = [
        warcinfo(
            [
                ("software", "Heritrix/3.4.0-20220727 http://crawler.archive.org"),
                ("ip", "10.0.0.5"),
                ("hostname", "crawler"),
                ("format", "WARC File Format 1.0"),
                ("conformsTo", "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf"),
                ("isPartOf", "news-crawl"),
                ("robots", "obey"),
                ("http-header-user-agent", "Mozilla/5.0 (compatible; heritrix/3.4.0)"),
            ],
            name="NEWS-20240501120000-00000-crawler.warc.gz",
        )
    ]
    dns = b"20240501120000\nnews.example.\t300\tIN\tA\t93.184.216.34\n"
    out.append(_heritrix("response", "dns:news.example", dns, "text/dns", sha1(dns)))
    robots = http_response(b"User-agent: *\nAllow: /\n", [("Content-Type", "text/plain")])
    out.append(
        _heritrix_response("https://news.example/robots.txt", robots, sha1(payload_of(robots)))
    )
    html = [("Content-Type", "text/html; charset=UTF-8"), ("Transfer-Encoding", "chunked")]
    a = http_response(chunked(first), html)
    out.append(_heritrix_response("https://news.example/a", a, sha1(first)))  # de-chunked
    b = http_response(chunked(second, 333), html)
    out.append(_heritrix_response("https://news.example/b", b, sha1(payload_of(b))))  # as stored
    zipped = gzipped(third)
    c = http_response(
        zipped, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], head="HTTP/1.0"
    )
    out.append(_heritrix_response("https://news.example/c", c, sha1(zipped)))
    gone = http_response(
        b"<html><body>Not found</body></html>", [("Content-Type", "text/html")], "404 Not Found"
    )
    out.append(_heritrix_response("https://news.example/gone", gone, sha1(payload_of(gone))))
    outlinks = (
        b"via: https://news.example/\r\nhopsFromSeed: L\r\n"
        b"outlink: https://news.example/b L a/@href\r\n"
    )
    out.append(
        _heritrix("metadata", "https://news.example/a", outlinks, "application/warc-fields", None)
    )
    request = (
        b"GET /a HTTP/1.0\r\nUser-Agent: Mozilla/5.0 (compatible; heritrix/3.4.0)\r\n"
        b"Host: news.example\r\n\r\n"
    )
    out.append(
        _heritrix(
            "request", "https://news.example/a", request, "application/http; msgtype=request", None
        )
    )
    head = a.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    out.append(
        _heritrix_revisit(
            "https://news.example/a?utm_source=feed",
            head,
            sha1(first),
            "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
            "https://news.example/a",
        )
    )
    not_modified = b'HTTP/1.1 304 Not Modified\r\nETag: "b1"\r\n\r\n'
    out.append(
        _heritrix_revisit(
            "https://news.example/b",
            not_modified,
            None,
            "http://netpreserve.org/warc/1.0/revisit/server-not-modified",
            "https://news.example/b",
        )
    )
    return b"".join(member(r) for r in out)


def _heritrix(kind: str, url: str, block: bytes, content_type: str, digest: str | None) -> bytes:
    headers = [("WARC-Type", kind), ("WARC-Target-URI", url), ("WARC-Date", "2024-05-01T12:00:01Z")]
    if digest is not None:
        headers.append(("WARC-Payload-Digest", digest))
    headers += [
        ("WARC-IP-Address", "93.184.216.34"),
        ("WARC-Record-ID", record_id()),
        ("Content-Type", content_type),
    ]
    return record(headers, block)


def _heritrix_response(url: str, message: bytes, digest: str) -> bytes:
    return _heritrix("response", url, message, "application/http; msgtype=response", digest)


def _heritrix_revisit(
    url: str, block: bytes, digest: str | None, profile: str, refers_to: str
) -> bytes:
    headers = [
        ("WARC-Type", "revisit"),
        ("WARC-Target-URI", url),
        ("WARC-Date", "2024-05-02T12:00:00Z"),
    ]
    if digest is not None:
        headers.append(("WARC-Payload-Digest", digest))
    headers += [
        ("WARC-IP-Address", "93.184.216.34"),
        ("WARC-Profile", profile),
        ("WARC-Truncated", "length"),
        ("WARC-Refers-To-Target-URI", refers_to),
        ("WARC-Refers-To-Date", "2024-05-01T12:00:01Z"),
        ("WARC-Record-ID", record_id()),
        ("Content-Type", "application/http; msgtype=response"),
    ]
    return record(headers, block)


# --- Common Crawl -------------------------------------------------------------------------


def common_crawl(first: bytes, second: bytes) -> bytes:
    """A Common Crawl file: request, response, metadata per URL; the bodies stored
    decoded (wire headers renamed X-Crawler-*), /b truncated at the crawler's limit,
    and an image."""
    info_id = record_id()
    fields = [
        ("software", "Apache Nutch 1.19 (modified, https://github.com/commoncrawl/nutch/)"),
        ("isPartOf", "CC-MAIN-2024-18"),
        ("operator", "Common Crawl Admin (info@commoncrawl.org)"),
        ("description", "Wide crawl of the web for April 2024"),
        ("publisher", "Common Crawl"),
        ("format", "WARC File Format 1.1"),
        (
            "conformsTo",
            "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        ),
    ]
    out = [warcinfo(fields, name="CC-MAIN-20240501120000-20240501150000-00000.warc.gz")]
    cut = second[: len(second) // 2]  # WARC-Truncated: the body past the limit is not kept
    image = b"\xff\xd8\xff\xe0" + bytes(200)
    for path, body, kind, truncated in (
        ("/a", first, "text/html", False),
        ("/b", cut, "text/html", True),
        ("/logo.jpg", image, "image/jpeg", False),
    ):
        url = f"https://news.example{path}"
        message = http_response(
            body,
            [
                ("Content-Type", f"{kind}; charset=UTF-8" if kind == "text/html" else kind),
                ("X-Crawler-Content-Encoding", "gzip"),
                ("X-Crawler-Transfer-Encoding", "chunked"),
                ("Content-Length", str(len(body))),
            ],
        )
        request_id, response_id = record_id(), record_id()
        request = f"GET {path} HTTP/1.1\r\nHost: news.example\r\nAccept-Encoding: br,gzip\r\n\r\n"
        out.append(
            record(
                [
                    ("WARC-Type", "request"),
                    ("WARC-Date", "2024-04-12T08:00:01Z"),
                    ("WARC-Record-ID", request_id),
                    ("Content-Type", "application/http; msgtype=request"),
                    ("WARC-Warcinfo-ID", info_id),
                    ("WARC-IP-Address", "93.184.216.34"),
                    ("WARC-Target-URI", url),
                ],
                request.encode(),
            )
        )
        headers = [
            ("WARC-Type", "response"),
            ("WARC-Date", "2024-04-12T08:00:01Z"),
            ("WARC-Record-ID", response_id),
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Warcinfo-ID", info_id),
            ("WARC-Concurrent-To", request_id),
            ("WARC-IP-Address", "93.184.216.34"),
            ("WARC-Target-URI", url),
            ("WARC-Payload-Digest", sha1(body)),
            ("WARC-Block-Digest", sha1(message)),
            ("WARC-Identified-Payload-Type", kind),
        ]
        if truncated:
            headers.append(("WARC-Truncated", "length"))
        out.append(record(headers, message))
        meta = (
            b"fetchTimeMs: 112\r\ncharset-detected: UTF-8\r\n"
            b'languages-cld2: {"reliable":true,"languages":[{"code":"en"}]}\r\n'
        )
        out.append(
            record(
                [
                    ("WARC-Type", "metadata"),
                    ("WARC-Date", "2024-04-12T08:00:01Z"),
                    ("WARC-Record-ID", record_id()),
                    ("Content-Type", "application/warc-fields"),
                    ("WARC-Warcinfo-ID", info_id),
                    ("WARC-Concurrent-To", response_id),
                    ("WARC-Target-URI", url),
                ],
                meta,
            )
        )
    return b"".join(member(r) for r in out)


# --- ArchiveWeb.page (warcio.js) ----------------------------------------------------------


def archiveweb_page(first: bytes, snapshot: bytes) -> bytes:
    """ArchiveWeb.page's WARC download: /a (decoded by the browser), its request, a
    revisit of it under another URI, its text as a resource, a page-info resource,
    and /b kept as an HTML resource."""
    version = "WARC/1.1"
    out = [
        warcinfo(
            [
                ("software", "ArchiveWeb.page 0.12.8, wabac.js 2.19.9"),
                ("format", "WARC File Format 1.1"),
                ("isPartOf", "My Archiving Session"),
            ],
            version,
            "my-archiving-session.warc",
        )
    ]
    page_id = str(uuid.uuid4())
    url = "https://news.example/a"
    message = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n"
        b"x-orig-content-encoding: br\r\ncontent-length: "
        + str(len(first)).encode()
        + b"\r\n\r\n"
        + first
    )
    response_id = record_id()
    out.append(
        _awp(
            version,
            [
                ("WARC-Target-URI", url),
                ("WARC-Type", "response"),
                ("WARC-Record-ID", response_id),
                ("WARC-Page-ID", page_id),
                ("Content-Type", "application/http; msgtype=response"),
                ("WARC-Payload-Digest", sha256_hex(first)),
            ],
            message,
        )
    )
    request = (
        b"GET /a HTTP/1.1\r\nuser-agent: Mozilla/5.0 Chrome/124.0\r\naccept: text/html\r\n\r\n"
    )
    out.append(
        _awp(
            version,
            [
                ("WARC-Target-URI", url),
                ("WARC-Type", "request"),
                ("WARC-Record-ID", record_id()),
                ("WARC-Concurrent-To", response_id),
                ("WARC-Page-ID", page_id),
                ("Content-Type", "application/http; msgtype=request"),
            ],
            request,
        )
    )
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: 0\r\n\r\n"
    out.append(
        _awp(
            version,
            [
                ("WARC-Target-URI", url + "?ref=home"),
                ("WARC-Type", "revisit"),
                ("WARC-Record-ID", record_id()),
                ("WARC-Page-ID", page_id),
                ("WARC-Payload-Digest", sha256_hex(first)),
                (
                    "WARC-Profile",
                    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                ),
                ("WARC-Refers-To-Target-URI", url),
                ("WARC-Refers-To-Date", "2024-05-01T12:00:00.123Z"),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            head,
        )
    )
    text = b"River floods valley\n\nThe river rose three metres overnight."
    out.append(
        _awp(
            version,
            [
                ("WARC-Target-URI", f"urn:text:20240501120000123/{url}"),
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", record_id()),
                ("Content-Type", 'text/plain; charset="UTF-8"'),
            ],
            text,
        )
    )
    info = b'{"id":"' + page_id.encode() + b'","url":"' + url.encode() + b'","title":"River"}'
    out.append(
        _awp(
            version,
            [
                ("WARC-Target-URI", f"urn:pageinfo:{url}"),
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", record_id()),
                ("Content-Type", "application/json"),
            ],
            info,
        )
    )
    out.append(
        _awp(
            version,
            [
                ("WARC-Target-URI", "https://news.example/b"),
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", record_id()),
                ("Content-Type", "text/html; charset=utf-8"),
            ],
            snapshot,
        )
    )
    return b"".join(member(r) for r in out)


def _awp(version: str, headers: list[tuple[str, str]], block: bytes) -> bytes:
    headers = [*headers[:2], ("WARC-Date", "2024-05-01T12:00:00.123Z"), *headers[2:]]
    if not any(name == "WARC-Payload-Digest" for name, _ in headers):
        payload = payload_of(block) if block.startswith((b"HTTP/", b"GET ")) else block
        headers.append(("WARC-Payload-Digest", sha256_hex(payload)))
    headers.append(("WARC-Block-Digest", sha256_hex(block)))
    return record(headers, block, version)
