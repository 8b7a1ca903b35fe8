"""The real Fetcher against a real local HTTP server: sockets, gzip and resets included.

Waits the fetcher asks for (backoff, Retry-After, crawl delay) are recorded and
skipped by a fast-forward clock, so the file runs in well under the 10 s budget;
only the timeouts are real, and short.
"""

from __future__ import annotations

import asyncio
import gzip
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from pipeline.errors import (
    BodyTooLarge,
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    RobotsDisallowed,
)
from pipeline.fetch import Fetcher, FetchSettings, parse_networks
from tests.localserver import LocalServer, Request, Response, page, redirect

T = TypeVar("T")
ARTICLE = "<html><body><p>Le café est prêt.</p></body></html>"
BOMB = gzip.compress(b"\0" * (8 * 1024 * 1024))  # about 8 KB on the wire, 8 MiB inflated
ROBOTS = "User-agent: *\nDisallow: /private\nCrawl-delay: 2\n"


class FastForwardClock:
    """Real time, plus every sleep asked for, which is recorded and not waited."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    def wall(self) -> float:
        return time.time() + self.skipped

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.skipped += seconds
        await asyncio.sleep(0)


def conditional_page(request: Request) -> Response:
    if request.header("if-none-match") == '"v1"':
        return Response(304, headers=(("ETag", '"v1"'),))
    headers = (("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"'))
    return Response(200, ARTICLE.encode(), headers)


def busy_then_ok() -> Callable[[Request], Response]:
    """429 with Retry-After: 1 twice, then the page."""
    calls = {"n": 0}

    def handler(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] <= 2:
            return Response(429, b"slow down", (("Retry-After", "1"),))
        return conditional_page(request)

    return handler


def routes() -> dict[str, Callable[[Request], Any]]:
    return {
        "/robots.txt": page(ROBOTS, "text/plain"),
        "/page": conditional_page,
        "/busy": busy_then_ok(),
        "/error": lambda _r: Response(500, b"oops"),
        "/slow": lambda _r: Response(200, ARTICLE.encode(), delay=3.0),
        "/drip": lambda _r: Response(
            200, b"x" * 4000, (("Content-Type", "text/html"),), chunk_size=500, chunk_delay=0.1
        ),
        "/reset": lambda _r: Response(
            200, b"x" * 10_000, (("Content-Type", "text/html"),), reset_after=100
        ),
        "/r1": redirect("/r2", 301),
        "/r2": redirect("/r3", 302),
        "/r3": redirect("/page", 307),
        "/to-private": redirect("/private/a"),
        "/private/a": page(ARTICLE),
        "/bomb": page(BOMB, headers=(("Content-Encoding", "gzip"),)),
        "/feed.xml": page("<rss/>", "application/rss+xml"),
    }


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer(routes()) as running:
        yield running


def fast(**changes: Any) -> FetchSettings:
    base: dict[str, Any] = {
        "per_host_delay": 0.0,
        "obey_robots": False,
        "retries": 2,
        "retry_wait": 0.05,
        "connect_timeout": 2.0,
        "read_timeout": 1.0,
        "total_timeout": 3.0,
        "allow_networks": parse_networks(["127.0.0.1/32"]),
    }
    return FetchSettings(**(base | changes))


def run(
    call: Callable[[Fetcher], Awaitable[T]],
    config: FetchSettings | None = None,
    clock: FastForwardClock | None = None,
) -> T:
    async def main() -> T:
        async with Fetcher(config or fast(), clock=clock or FastForwardClock()) as fetcher:
            return await call(fetcher)

    return asyncio.run(asyncio.wait_for(main(), 8))


def test_page_then_304(server: LocalServer) -> None:
    async def twice(fetcher: Fetcher) -> tuple[Any, Any]:
        first = await fetcher.fetch(server.url("/page"))
        again = await fetcher.fetch(server.url("/page"), etag=first.etag)
        return first, again

    first, again = run(twice)
    assert first.content == ARTICLE.encode() and first.charset == "utf-8"
    assert first.etag == '"v1"' and not first.not_modified
    assert again.not_modified and again.status == 304 and again.content == b""
    assert (server.requests[-1].header("user-agent") or "").startswith("news-pipeline/")


def test_429_waits_the_retry_after(server: LocalServer) -> None:
    clock = FastForwardClock()
    result = run(lambda f: f.fetch(server.url("/busy")), clock=clock)
    assert result.status == 200 and server.hits("/busy") == 3
    assert clock.sleeps == [1.0, 1.0]


def test_500_gives_up_after_retries(server: LocalServer) -> None:
    clock = FastForwardClock()
    with pytest.raises(HTTPStatusError) as caught:
        run(lambda f: f.fetch(server.url("/error")), clock=clock)
    assert caught.value.status == 500 and server.hits("/error") == 3
    # Backoff 0.05 then 0.1 s, each less up to half of itself at random.
    assert len(clock.sleeps) == 2
    assert 0.025 <= clock.sleeps[0] <= 0.05 and 0.05 <= clock.sleeps[1] <= 0.1


def test_slow_server_times_out(server: LocalServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        run(lambda f: f.fetch(server.url("/slow")), fast(read_timeout=0.2))
    assert time.monotonic() - started < 1.5 and server.hits("/slow") == 1


def test_dripping_body_hits_the_total_timeout(server: LocalServer) -> None:
    with pytest.raises(FetchTimeout, match="no complete response"):
        run(lambda f: f.fetch(server.url("/drip")), fast(total_timeout=0.3))


def test_reset_mid_body_is_retried_then_connection_failed(server: LocalServer) -> None:
    with pytest.raises(ConnectionFailed):
        run(lambda f: f.fetch(server.url("/reset")), fast(retries=1))
    assert server.hits("/reset") == 2


def test_redirect_chain(server: LocalServer) -> None:
    result = run(lambda f: f.fetch(server.url("/r1")))
    assert result.final_url == server.url("/page") and result.status == 200
    assert result.redirects == tuple(server.url(p) for p in ("/r1", "/r2", "/r3"))


def test_gzip_bomb_is_abandoned(server: LocalServer) -> None:
    assert len(BOMB) < 16 * 1024
    with pytest.raises(BodyTooLarge, match="after decompression"):
        run(lambda f: f.fetch(server.url("/bomb")), fast(max_bytes=256 * 1024))


def test_robots_disallow_crawl_delay_and_redirect_hops(server: LocalServer) -> None:
    clock = FastForwardClock()

    async def crawl(fetcher: Fetcher) -> None:
        await fetcher.fetch(server.url("/page"))
        await fetcher.fetch(server.url("/page"))
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(server.url("/private/a"))
        with pytest.raises(RobotsDisallowed):
            await fetcher.fetch(server.url("/to-private"))

    run(crawl, fast(obey_robots=True, per_host_delay=0.5), clock=clock)
    assert server.hits("/robots.txt") == 1 and server.hits("/private/a") == 0
    # Each request after robots.txt started at least the Crawl-delay after the last.
    assert clock.sleeps and all(s == pytest.approx(2.0, abs=0.05) for s in clock.sleeps)
    assert len(clock.sleeps) == 3  # page, page, to-private


def test_fetch_raw_takes_a_feed(server: LocalServer) -> None:
    result = run(lambda f: f.fetch_raw(server.url("/feed.xml")))
    assert result.content == b"<rss/>" and result.content_type == "application/rss+xml"


def test_connection_refused(server: LocalServer) -> None:
    port = server.port
    server.stop()
    with pytest.raises(ConnectionFailed):
        run(lambda f: f.fetch(f"http://127.0.0.1:{port}/page"), fast(retries=1))
