"""The Fetcher against respx mocks: no socket is opened, and time is a fake clock."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from email.utils import formatdate
from typing import Any, TypeVar

import httpx
import pytest
import respx

from pipeline.errors import (
    BodyTooLarge,
    ConfigError,
    ConnectionFailed,
    Deferred,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    RobotsDisallowed,
    RobotsUnreachable,
    TooManyRedirects,
)
from pipeline.fetch import DEFAULT_USER_AGENT, Fetcher, FetchResult, FetchSettings
from pipeline.fetch._body import content_type
from pipeline.fetch._retry import backoff, retry_after

T = TypeVar("T")
SITE = "https://news.test"
HTML = "text/html; charset=utf-8"
WALL = 1_750_000_000.0


class FakeClock:
    """Sleeps return at once and move the clock on; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return WALL + self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds
        await asyncio.sleep(0)


def settings(**changes: Any) -> FetchSettings:
    """Quick, robots off unless asked, no spacing, deterministic enough to assert."""
    base: dict[str, Any] = {"per_host_delay": 0.0, "obey_robots": False, "retries": 3}
    return FetchSettings(**(base | changes))


def run(
    call: Callable[[Fetcher], Awaitable[T]],
    config: FetchSettings | None = None,
    clock: FakeClock | None = None,
    jitter: float = 0.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> T:
    async def main() -> T:
        fetcher = Fetcher(
            config or settings(),
            clock=clock or FakeClock(),
            random=lambda: jitter,
            transport=transport,
        )
        async with fetcher:
            return await call(fetcher)

    return asyncio.run(main())


def get(url: str, **kwargs: Any) -> Callable[[Fetcher], Awaitable[FetchResult]]:
    return lambda fetcher: fetcher.fetch(url, **kwargs)


def raw(status: int, data: bytes, headers: dict[str, str]) -> httpx.Response:
    """A response whose body is still to be streamed, as off the network (one made
    with content= is read at once, and httpx then refuses aiter_raw)."""
    stream = httpx.ByteStream(data)
    return httpx.Response(
        status, headers={"Content-Length": str(len(data)), **headers}, stream=stream
    )


def html(body: str = "<p>hi</p>", status: int = 200) -> httpx.Response:
    return raw(status, body.encode(), {"Content-Type": HTML})


# --- success, conditional requests ------------------------------------------


@respx.mock
def test_success_passes_charset_and_validators() -> None:
    route = respx.get(f"{SITE}/a").mock(
        return_value=httpx.Response(
            200,
            content="<p>café</p>".encode("latin-1"),
            headers={
                "Content-Type": 'text/html; charset="ISO-8859-1"',
                "ETag": '"v1"',
                "Last-Modified": "Wed, 21 Oct 2025 07:28:00 GMT",
            },
        )
    )
    result = run(get(f"{SITE}/a"))
    assert result.status == 200 and not result.not_modified
    assert result.content == "<p>café</p>".encode("latin-1")
    assert (result.charset, result.content_type) == ("ISO-8859-1", "text/html")
    assert (result.etag, result.last_modified) == ('"v1"', "Wed, 21 Oct 2025 07:28:00 GMT")
    assert result.final_url == result.url == f"{SITE}/a" and result.redirects == ()
    assert ("etag", '"v1"') in result.headers
    sent = route.calls.last.request.headers
    assert sent["user-agent"] == DEFAULT_USER_AGENT and "news-pipeline/" in DEFAULT_USER_AGENT
    assert "if-none-match" not in sent and sent["accept-encoding"] == "gzip, deflate"


@respx.mock
def test_304_sends_validators_and_returns_no_content() -> None:
    route = respx.get(f"{SITE}/a").mock(return_value=httpx.Response(304))
    date = "Wed, 21 Oct 2025 07:28:00 GMT"
    result = run(get(f"{SITE}/a", etag='"v1"', last_modified=date))
    sent = route.calls.last.request.headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == date
    assert result.not_modified and result.status == 304 and result.content == b""
    assert (result.etag, result.last_modified) == ('"v1"', date)  # kept when the 304 omits them


# --- retries -----------------------------------------------------------------


@respx.mock
def test_503_retried_with_exponential_backoff_then_200() -> None:
    route = respx.get(f"{SITE}/a").mock(side_effect=[httpx.Response(503)] * 3 + [html()])
    clock = FakeClock()
    result = run(get(f"{SITE}/a"), clock=clock)
    assert result.status == 200 and route.call_count == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


@respx.mock
def test_backoff_jitter_stays_within_bounds_and_cap() -> None:
    respx.get(f"{SITE}/a").mock(side_effect=[httpx.Response(500)] * 3 + [html()])
    clock = FakeClock()
    run(get(f"{SITE}/a"), settings(jitter=0.5), clock=clock, jitter=0.999)
    # Full jitter draw takes off half of each wait, never more.
    assert all(0.5 * c <= s <= c for s, c in zip(clock.sleeps, [0.5, 1.0, 2.0], strict=True))
    config = settings(retry_wait=10.0, retry_wait_cap=15.0, jitter=0.5)
    assert [backoff(config, n, lambda: 0.0) for n in range(4)] == [10.0, 15.0, 15.0, 15.0]
    assert backoff(config, 3, lambda: 1.0) == 7.5


@respx.mock
def test_retry_after_seconds_and_date_are_honoured() -> None:
    # The fake wall clock reads WALL + 1003 after the first 3 s wait: ask for 7 more.
    date = formatdate(WALL + 1003.0 + 7, usegmt=True)
    respx.get(f"{SITE}/a").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(503, headers={"Retry-After": date}),
            html(),
        ]
    )
    clock = FakeClock()
    run(get(f"{SITE}/a"), settings(retry_after_cap=60.0), clock=clock)
    assert clock.sleeps == [3.0, pytest.approx(7.0, abs=1.0)]
    assert retry_after("soon", WALL) is None and retry_after(None, WALL) is None
    assert retry_after(formatdate(WALL - 50, usegmt=True), WALL) == 0.0


@respx.mock
def test_retry_after_past_the_cap_defers_the_url_and_its_host() -> None:
    page = respx.get(f"{SITE}/a").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "999999999"})
    )
    other = respx.get(f"{SITE}/b").mock(return_value=html())

    async def both(fetcher: Fetcher) -> None:
        with pytest.raises(Deferred) as first:
            await fetcher.fetch(f"{SITE}/a")
        assert first.value.reason == "deferred" and first.value.status == 429
        assert first.value.retry_after == 999999999.0
        with pytest.raises(Deferred):  # the host said "not now" for all its URLs
            await fetcher.fetch(f"{SITE}/b")

    clock = FakeClock()
    run(both, settings(retry_after_cap=60.0), clock=clock)
    assert clock.sleeps == [] and page.call_count == 1 and other.call_count == 0


@respx.mock
def test_429_gives_up_after_the_retry_budget() -> None:
    route = respx.get(f"{SITE}/a").mock(return_value=httpx.Response(429))
    with pytest.raises(HTTPStatusError) as caught:
        run(get(f"{SITE}/a"), settings(retries=2))
    assert route.call_count == 3 and caught.value.status == 429
    assert "after 2 retries" in caught.value.message


@respx.mock
def test_404_is_not_retried() -> None:
    route = respx.get(f"{SITE}/a").mock(return_value=httpx.Response(404))
    with pytest.raises(HTTPStatusError) as caught:
        run(get(f"{SITE}/a"))
    assert route.call_count == 1 and caught.value.status == 404
    assert caught.value.reason == "http_error"


@respx.mock
def test_connection_error_retried_then_connection_failed() -> None:
    route = respx.get(f"{SITE}/a").mock(side_effect=httpx.ConnectError("refused"))
    clock = FakeClock()
    with pytest.raises(ConnectionFailed) as caught:
        run(get(f"{SITE}/a"), settings(retries=2), clock=clock)
    assert route.call_count == 3 and clock.sleeps == [0.5, 1.0]
    assert caught.value.status is None and "refused" in caught.value.message


@respx.mock
def test_connection_error_then_success() -> None:
    respx.get(f"{SITE}/a").mock(side_effect=[httpx.ReadError("reset"), html()])
    assert run(get(f"{SITE}/a")).status == 200


@respx.mock
def test_read_timeout_is_fetch_timeout_without_retry() -> None:
    route = respx.get(f"{SITE}/a").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(FetchTimeout) as caught:
        run(get(f"{SITE}/a"))
    assert route.call_count == 1 and caught.value.reason == "timeout"


@respx.mock
def test_connect_timeout_is_retried() -> None:
    route = respx.get(f"{SITE}/a").mock(side_effect=httpx.ConnectTimeout("no answer"))
    with pytest.raises(FetchTimeout):
        run(get(f"{SITE}/a"), settings(retries=1))
    assert route.call_count == 2


# --- redirects ---------------------------------------------------------------


def moved(to: str, status: int = 301) -> httpx.Response:
    return httpx.Response(status, headers={"Location": to})


@respx.mock
def test_redirect_chain_is_followed_and_recorded() -> None:
    respx.get(f"{SITE}/a").mock(return_value=moved("/b"))
    respx.get(f"{SITE}/b").mock(return_value=moved("https://other.test/c", 302))
    respx.get("https://other.test/c").mock(return_value=html())
    result = run(get(f"{SITE}/a"))
    assert result.final_url == "https://other.test/c"
    assert result.redirects == (f"{SITE}/a", f"{SITE}/b")


@respx.mock
def test_too_many_redirects() -> None:
    for n in range(4):
        respx.get(f"{SITE}/{n}").mock(return_value=moved(f"/{n + 1}"))
    with pytest.raises(TooManyRedirects) as caught:
        run(get(f"{SITE}/0"), settings(max_redirects=2))
    assert "more than 2 redirects" in caught.value.message


@respx.mock
def test_redirect_loop() -> None:
    respx.get(f"{SITE}/x").mock(return_value=moved("/y"))
    respx.get(f"{SITE}/y").mock(return_value=moved("/x"))
    with pytest.raises(TooManyRedirects, match="loop"):
        run(get(f"{SITE}/x"))


@respx.mock
def test_redirect_into_a_robots_disallowed_path() -> None:
    respx.get(f"{SITE}/robots.txt").mock(
        return_value=httpx.Response(200, text="User-agent: *\nDisallow: /private\n")
    )
    respx.get(f"{SITE}/a").mock(return_value=moved("/private/p"))
    private = respx.get(f"{SITE}/private/p").mock(return_value=html())
    with pytest.raises(RobotsDisallowed):
        run(get(f"{SITE}/a"), settings(obey_robots=True))
    assert private.call_count == 0


@respx.mock
def test_redirect_to_another_host_checks_that_hosts_robots() -> None:
    respx.get(f"{SITE}/robots.txt").mock(return_value=httpx.Response(404))
    respx.get("https://other.test/robots.txt").mock(
        return_value=httpx.Response(200, text="User-agent: news-pipeline\nDisallow: /\n")
    )
    respx.get(f"{SITE}/a").mock(return_value=moved("https://other.test/c"))
    with pytest.raises(RobotsDisallowed, match=r"other\.test"):
        run(get(f"{SITE}/a"), settings(obey_robots=True))


# --- robots.txt ----------------------------------------------------------------


@respx.mock
def test_robots_disallow_is_obeyed_and_fetched_once() -> None:
    robots = respx.get(f"{SITE}/robots.txt").mock(
        return_value=httpx.Response(
            200, text="User-agent: *\nAllow: /\n\nUser-agent: news-pipeline\nDisallow: /secret\n"
        )
    )
    respx.get(f"{SITE}/open").mock(return_value=html())

    async def both(fetcher: Fetcher) -> FetchResult:
        result = await fetcher.fetch(f"{SITE}/open")
        with pytest.raises(RobotsDisallowed) as caught:
            await fetcher.fetch(f"{SITE}/secret/1")
        assert caught.value.reason == "robots_disallowed"
        return result

    assert run(both, settings(obey_robots=True)).status == 200
    assert robots.call_count == 1


@pytest.mark.parametrize(("answer", "allowed"), [(404, True), (410, True), (503, False)])
@respx.mock
def test_robots_failures(answer: int, allowed: bool) -> None:
    respx.get(f"{SITE}/robots.txt").mock(return_value=httpx.Response(answer))
    respx.get(f"{SITE}/a").mock(return_value=html())
    call = get(f"{SITE}/a")
    if allowed:
        assert run(call, settings(obey_robots=True, retries=0)).status == 200
    else:
        with pytest.raises(RobotsUnreachable, match="unreachable") as caught:
            run(call, settings(obey_robots=True, retries=0))
        assert caught.value.reason == "robots_unreachable"  # try later, not "disallowed"


@respx.mock
def test_crawl_delay_widens_the_per_host_spacing() -> None:
    respx.get(f"{SITE}/robots.txt").mock(
        return_value=httpx.Response(200, text="User-agent: *\nCrawl-delay: 5\n")
    )
    respx.get(url__regex=rf"{SITE}/p\d").mock(return_value=html())
    clock = FakeClock()

    async def three(fetcher: Fetcher) -> None:
        for n in range(3):
            await fetcher.fetch(f"{SITE}/p{n}")

    run(three, settings(obey_robots=True, per_host_delay=1.0), clock=clock)
    assert clock.sleeps == [5.0, 5.0, 5.0]


def test_per_host_delay_alone_spaces_requests() -> None:
    clock = FakeClock()
    transport = httpx.MockTransport(lambda request: html())

    async def two(fetcher: Fetcher) -> None:
        await fetcher.fetch(f"{SITE}/1")
        await fetcher.fetch(f"{SITE}/2")
        await fetcher.fetch("https://elsewhere.test/1")  # another host does not wait

    run(two, settings(per_host_delay=2.0), clock=clock, transport=transport)
    assert clock.sleeps == [2.0]


def test_concurrency_limits_global_and_per_host() -> None:
    in_flight: dict[str, int] = {}
    peaks = {"total": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        peaks[host] = max(peaks.get(host, 0), in_flight[host])
        peaks["total"] = max(peaks["total"], sum(in_flight.values()))
        await asyncio.sleep(0.005)
        in_flight[host] -= 1
        return html()

    async def many(fetcher: Fetcher) -> None:
        urls = [f"https://h{n % 3}.test/{n}" for n in range(18)]
        await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    config = settings(concurrency=4, per_host=2)
    run(many, config, transport=httpx.MockTransport(handler))
    assert peaks["total"] == 4
    assert all(peaks[f"h{n}.test"] == 2 for n in range(3))


# --- content type and size -------------------------------------------------------


@respx.mock
def test_not_html_is_refused_but_fetch_raw_takes_it() -> None:
    respx.get(f"{SITE}/doc.pdf").mock(
        return_value=httpx.Response(
            200, headers={"Content-Type": "application/pdf"}, content=b"%PDF"
        )
    )
    with pytest.raises(NotHTML) as caught:
        run(get(f"{SITE}/doc.pdf"))
    assert caught.value.status == 200
    raw = run(lambda fetcher: fetcher.fetch_raw(f"{SITE}/doc.pdf"))
    assert raw.content == b"%PDF" and raw.content_type == "application/pdf"


class ExplodingStream(httpx.AsyncByteStream):
    """A body that must never be read."""

    read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        ExplodingStream.read = True
        yield b"x"


@respx.mock
def test_content_length_over_the_limit_is_refused_unread() -> None:
    headers = {"Content-Type": HTML, "Content-Length": str(10**9)}
    respx.get(f"{SITE}/big").mock(
        return_value=httpx.Response(200, headers=headers, stream=ExplodingStream())
    )
    with pytest.raises(BodyTooLarge, match="Content-Length"):
        run(get(f"{SITE}/big"), settings(max_bytes=1000))
    assert not ExplodingStream.read


@respx.mock
def test_body_over_the_limit_without_content_length() -> None:
    respx.get(f"{SITE}/big").mock(return_value=html("x" * 5000))
    with pytest.raises(BodyTooLarge):
        run(get(f"{SITE}/big"), settings(max_bytes=4000))
    assert run(get(f"{SITE}/big"), settings(max_bytes=5000)).content == b"x" * 5000


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
@respx.mock
def test_compressed_bodies_are_inflated(coding: str) -> None:
    text = b"<p>" + b"news " * 2000 + b"</p>"
    if coding == "gzip":
        data = gzip.compress(text)
    elif coding == "deflate":
        data = zlib.compress(text)
    else:
        squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data = squeeze.compress(text) + squeeze.flush()
    encoding = coding.removeprefix("raw-")
    headers = {"Content-Type": HTML, "Content-Encoding": encoding}
    respx.get(f"{SITE}/z").mock(return_value=raw(200, data, headers))
    assert run(get(f"{SITE}/z")).content == text
    with pytest.raises(BodyTooLarge, match="after decompression"):
        run(get(f"{SITE}/z"), settings(max_bytes=len(text) - 1))


def test_unknown_encoding_and_corrupt_gzip_are_connection_failures() -> None:
    # A MockTransport, since respx would decode the body itself before we see it.
    bodies = {"/br": ("br", b"??"), "/bad": ("gzip", b"not gzip")}

    def handler(request: httpx.Request) -> httpx.Response:
        encoding, data = bodies[request.url.path]
        return raw(200, data, {"Content-Type": HTML, "Content-Encoding": encoding})

    transport = httpx.MockTransport(handler)
    with pytest.raises(ConnectionFailed, match="br"):
        run(get(f"{SITE}/br"), transport=transport)
    with pytest.raises(ConnectionFailed, match="corrupt"):
        run(get(f"{SITE}/bad"), transport=transport)


def test_non_http_urls_are_refused() -> None:
    with pytest.raises(ConnectionFailed, match="not an http"):
        run(get("ftp://news.test/a"))


def test_content_type_parsing() -> None:
    assert content_type('Text/HTML; Charset="UTF-8"') == content_type("text/html;charset=UTF-8")
    assert content_type("text/html").charset is None
    assert content_type(None).media_type is None


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError):
        FetchSettings(concurrency=0)
    with pytest.raises(ConfigError):
        FetchSettings(jitter=2.0)
