"""The Fetcher: one httpx client behind robots.txt, politeness, retries and limits.

A fetch is a chain of hops (redirects are followed here, not by httpx, so that
every hop is checked against its own site's robots.txt and waits its own host's
turn); each hop is a series of attempts (retries); each attempt streams one
response and stops reading as soon as the answer is known.
"""

from __future__ import annotations

import asyncio
import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpx

from pipeline import urls
from pipeline.errors import (
    BlockedAddress,
    BodyTooLarge,
    ConnectionFailed,
    Deferred,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    RobotsDisallowed,
    TooManyRedirects,
)
from pipeline.fetch._body import ACCEPT_ENCODING, content_type, read_limited
from pipeline.fetch._guard import Blocked, GuardedTransport, NetworkGuard
from pipeline.fetch._politeness import Clock, Politeness, SystemClock
from pipeline.fetch._result import FetchResult
from pipeline.fetch._retry import backoff, retry_after, retryable_status
from pipeline.fetch._robots import ROBOTS_MAX_BYTES, RobotsCache, origin
from pipeline.fetch._settings import DEFAULT_FETCH_SETTINGS, FetchSettings

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class _Answer:
    """One response as far as it was read: the body only for a 2xx."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes = b""


@dataclass(frozen=True, slots=True)
class _Want:
    """What one fetch asks for, the same on every hop."""

    headers: dict[str, str]
    html: bool
    robots: bool
    max_bytes: int


class _Transient(Exception):
    """An attempt that failed in a way worth another try; carries the error to
    raise if the retries run out."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(error.message)
        self.error = error


class Fetcher:
    """Fetches URLs politely; use as `async with Fetcher(settings) as fetcher:`.

    clock and random are for tests: a clock whose sleep returns at once, and a
    fixed jitter. transport replaces httpx's network (a MockTransport).
    """

    def __init__(
        self,
        settings: FetchSettings = DEFAULT_FETCH_SETTINGS,
        *,
        clock: Clock | None = None,
        random: Callable[[], float] = _random.random,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock or SystemClock()
        self._random = random
        s = settings
        self._politeness = Politeness(s.concurrency, s.per_host, s.per_host_delay, self._clock)
        # Hosts that asked for a wait past the cap: host -> (monotonic end, status).
        self._deferred: dict[str, tuple[float, int]] = {}
        self._robots = RobotsCache(self._fetch_robots)
        limits = httpx.Limits(max_connections=s.concurrency)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.connect_timeout,
            ),
            follow_redirects=False,
            transport=transport or GuardedTransport(NetworkGuard(s.allow_networks), limits),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch an HTML page; a 304 to the validators given returns not_modified.

        Raises a FetchError subclass for everything that is not a usable page.
        """
        accept = ", ".join(self.settings.html_types) + ", */*;q=0.1"
        want = _Want(
            _request_headers(accept, etag, last_modified),
            html=True,
            robots=self.settings.obey_robots,
            max_bytes=self.settings.max_bytes,
        )
        return await self._fetch(url, want, etag, last_modified)

    async def fetch_raw(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch any content type (feeds, sitemaps, gzip files); every other limit holds."""
        want = _Want(
            _request_headers("*/*", etag, last_modified),
            html=False,
            robots=self.settings.obey_robots,
            max_bytes=self.settings.max_bytes,
        )
        return await self._fetch(url, want, etag, last_modified)

    async def _fetch_robots(self, url: str) -> FetchResult:
        """robots.txt itself: not checked against robots.txt, and kept small."""
        limit = min(self.settings.max_bytes, ROBOTS_MAX_BYTES)
        want = _Want(
            _request_headers("text/plain, */*;q=0.1", None, None),
            html=False,
            robots=False,
            max_bytes=limit,
        )
        return await self._fetch(url, want, None, None)

    async def _fetch(
        self, url: str, want: _Want, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        started = self._clock.monotonic()
        _check_scheme(url)
        redirects: list[str] = []
        current = url
        while True:
            if want.robots:
                await self._check_robots(current)
            answer = await self._with_retries(current, want)
            target = _redirect_target(answer)
            if target is None:
                break
            if len(redirects) >= self.settings.max_redirects:
                raise _too_many(url, [*redirects, current], answer.status)
            redirects.append(current)
            current = target
        if 300 <= answer.status < 400 and answer.status != 304:
            raise HTTPStatusError(
                f"{current}: HTTP {answer.status} without a usable Location", answer.status
            )
        return self._result(url, answer, redirects, started, etag, last_modified)

    async def _check_robots(self, url: str) -> None:
        if urls.path(url) == "/robots.txt":  # always allowed (RFC 9309, 2.2.2)
            return
        rules = await self._robots.rules(url)
        if rules.error is not None:
            raise _for_url(rules.error, url)
        agent = self.settings.user_agent
        delay = rules.delay(agent)
        if delay is not None:
            self._politeness.slow_down(_host(url), delay)
        if not rules.allows(url, agent):
            raise RobotsDisallowed(f"{url}: disallowed by {origin(url)}/robots.txt ({rules.why})")

    async def _with_retries(self, url: str, want: _Want) -> _Answer:
        """Attempt until an answer that is not worth retrying, or the budget is spent."""
        host = _host(url)
        self._check_deferred(url, host)
        retry = 0
        while True:
            try:
                async with self._politeness.slot(host):
                    answer = await self._attempt(url, want)
            except _Transient as exc:
                if retry >= self.settings.retries:
                    raise exc.error from exc.__cause__
                wait = backoff(self.settings, retry, self._random)
            else:
                if not retryable_status(answer.status):
                    if answer.status >= 400:
                        raise HTTPStatusError(f"{url}: HTTP {answer.status}", answer.status)
                    return answer
                if retry >= self.settings.retries:
                    raise HTTPStatusError(
                        f"{url}: HTTP {answer.status} after {retry} retries", answer.status
                    )
                wait = self._wait_after(url, host, answer, retry)
            await self._clock.sleep(wait)
            retry += 1

    def _wait_after(self, url: str, host: str, answer: _Answer, retry: int) -> float:
        """Retry-After when the server gave one, else the backoff. A wait past the
        cap is not waited: the URL is Deferred, and so is the rest of the host's
        in this fetcher's life (the server spoke for the whole host)."""
        asked = retry_after(_header(answer.headers, "retry-after"), self._clock.wall())
        if asked is None:
            return backoff(self.settings, retry, self._random)
        cap = self.settings.retry_after_cap
        if asked > cap:
            self._deferred[host] = (self._clock.monotonic() + asked, answer.status)
            raise Deferred(
                f"{url}: HTTP {answer.status} with Retry-After {asked:.0f} s, over the"
                f" {cap:g} s a fetch waits: left for a later run",
                answer.status,
                retry_after=asked,
            )
        self._politeness.defer(host, asked)
        return asked

    def _check_deferred(self, url: str, host: str) -> None:
        """Fail at once, without a request, on a host that asked us to come back later."""
        if host not in self._deferred:
            return
        until, status = self._deferred[host]
        left = until - self._clock.monotonic()
        if left <= 0:
            del self._deferred[host]
            return
        raise Deferred(
            f"{url}: its host asked to wait {left:.0f} s more (Retry-After): left for a later run",
            status,
            retry_after=left,
        )

    async def _attempt(self, url: str, want: _Want) -> _Answer:
        """One request, within the total timeout; httpx errors become FetchErrors here."""
        total = self.settings.total_timeout
        try:
            async with asyncio.timeout(total):
                return await self._exchange(url, want)
        except TimeoutError as exc:
            raise FetchTimeout(f"{url}: no complete response within {total:g} s") from exc
        except Blocked as exc:
            raise BlockedAddress(f"{url}: {exc}") from exc
        except httpx.ConnectTimeout as exc:
            raise _Transient(FetchTimeout(f"{url}: connect timed out")) from exc
        except httpx.TimeoutException as exc:
            # A server that took the request and went quiet is not retried:
            # another try would most likely cost the same wait again.
            raise FetchTimeout(f"{url}: {_describe(exc, 'timed out')}") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Transient(
                ConnectionFailed(f"{url}: {_describe(exc, 'connection failed')}")
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise ConnectionFailed(f"{url}: {_describe(exc, 'request failed')}") from exc

    async def _exchange(self, url: str, want: _Want) -> _Answer:
        """Send the request; read the body only of a 2xx that passes every check."""
        async with self._client.stream("GET", url, headers=want.headers) as response:
            status, headers = response.status_code, response.headers
            if not 200 <= status < 300:
                return _Answer(url, status, headers)
            if want.html:
                _check_html(url, status, headers, self.settings.html_types)
            _check_length(url, status, headers, want.max_bytes)
            encoding = _header(headers, "content-encoding")
            body = await read_limited(response.aiter_raw(), encoding, want.max_bytes, url)
            return _Answer(url, status, headers, body)

    def _result(
        self,
        url: str,
        answer: _Answer,
        redirects: list[str],
        started: float,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        headers = answer.headers
        kind = content_type(_header(headers, "content-type"))
        not_modified = answer.status == 304
        # A 304 may omit the validators; the ones we sent are still the page's.
        kept_etag = etag if not_modified else None
        kept_modified = last_modified if not_modified else None
        return FetchResult(
            url=url,
            final_url=answer.url,
            status=answer.status,
            content=answer.content,
            charset=kind.charset,
            content_type=kind.media_type,
            etag=_header(headers, "etag") or kept_etag,
            last_modified=_header(headers, "last-modified") or kept_modified,
            not_modified=not_modified,
            fetched_at=datetime.fromtimestamp(self._clock.wall(), UTC).isoformat(
                timespec="seconds"
            ),
            elapsed=self._clock.monotonic() - started,
            redirects=tuple(redirects),
            headers=tuple(headers.multi_items()),
        )


def _request_headers(accept: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Accept, plus the validators; sent on every hop, since the page stored under
    a redirecting URL is the one at the end of its chain."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _for_url(error: FetchError, url: str) -> FetchError:
    """The error of an origin's robots.txt, told about one of its URLs."""
    if isinstance(error, Deferred):
        return Deferred(f"{url}: {error.message}", error.status, error.retry_after)
    return type(error)(f"{url}: {error.message}", error.status)


def _host(url: str) -> str:
    """Politeness is per machine name: http and https of one site share it."""
    return urls.hostname(url) or ""


def _check_scheme(url: str) -> None:
    if urls.http_url(url) is None:
        raise ConnectionFailed(f"{url}: not an http(s) URL")


def _redirect_target(answer: _Answer) -> str | None:
    """The next hop's absolute URL, or None when the answer is not a redirect."""
    location = _header(answer.headers, "location")
    if answer.status not in _REDIRECTS or not location:
        return None
    target = urls.http_url(location, base=answer.url)
    if target is None:
        message = f"{answer.url}: redirected to a malformed or non-http(s) URL {location!r}"
        raise HTTPStatusError(message, answer.status)
    return target


def _too_many(url: str, chain: list[str], status: int) -> TooManyRedirects:
    looped = len(set(chain)) < len(chain)
    what = "a redirect loop" if looped else f"more than {len(chain) - 1} redirects"
    return TooManyRedirects(f"{url}: {what} ({' -> '.join(chain)})", status)


def _check_html(url: str, status: int, headers: httpx.Headers, html_types: tuple[str, ...]) -> None:
    """Refuse before the body: a PDF or an image is not worth the download.
    A missing Content-Type passes; telling bytes apart is the decoder's job."""
    media = content_type(_header(headers, "content-type")).media_type
    if media is not None and media not in html_types:
        raise NotHTML(f"{url}: content type {media} is not HTML", status)


def _check_length(url: str, status: int, headers: httpx.Headers, max_bytes: int) -> None:
    """A declared length over the limit is refused before a byte of the body is read."""
    declared = _header(headers, "content-length") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(
            f"{url}: Content-Length {declared} is over the {max_bytes}-byte limit", status
        )


def _header(headers: httpx.Headers, name: str) -> str | None:
    """A header's value, None when absent or blank (httpx types .get as Any)."""
    value: str | None = headers.get(name)
    if value is None:
        return None
    return value.strip() or None


def _describe(exc: Exception, fallback: str) -> str:
    """httpx's message, or a plain word when it has none (some carry an empty one)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else f"{fallback} ({type(exc).__name__})"
