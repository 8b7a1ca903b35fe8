"""robots.txt: fetched once per origin per run, failures included, and asked about
every URL and every redirect hop.

What an origin's robots.txt fetch ends in decides the rules (RFC 9309, 2.3.1):
    2xx                    the file's rules
    4xx other than 429     "unavailable": everything allowed
    too many redirects     "unavailable" too (the RFC allows either)
    5xx, 429, a file past the size limit
                           "unreachable": no URL of the origin is fetched in this
                           run (a struggling site is not crawled blind); each fails
                           as robots_unreachable, which is tried again later, not
                           robots_disallowed
    a connection that failed, a timeout
                           no URL of the origin is fetched either, and each fails
                           with what happened (connection_error, timeout): the
                           host, not its robots.txt, could not be reached
    a Retry-After past the cap, a blocked address
                           every URL of the origin fails the same way (deferred,
                           blocked_address)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from protego import Protego

from pipeline import urls
from pipeline.errors import (
    BlockedAddress,
    ConnectionFailed,
    Deferred,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RobotsUnreachable,
    TooManyRedirects,
)
from pipeline.fetch._result import FetchResult

# RFC 9309 asks parsers to read at least 500 KiB; more is a crawler trap.
ROBOTS_MAX_BYTES = 512 * 1024


class Rules:
    """One origin's answer: a parsed file, a blanket allow or disallow, or the
    error that every fetch from the origin fails with in this run."""

    def __init__(
        self, parser: Protego | None, allow_all: bool, why: str, error: FetchError | None = None
    ) -> None:
        self._parser = parser
        self._allow_all = allow_all
        self.why = why
        self.error = error

    def allows(self, url: str, agent: str) -> bool:
        if self._parser is None:
            return self._allow_all
        return self._parser.can_fetch(url, agent)

    def delay(self, agent: str) -> float | None:
        """Seconds between requests the file asks of us: Crawl-delay, or Request-rate."""
        if self._parser is None:
            return None
        delays = []
        crawl_delay = self._parser.crawl_delay(agent)
        if crawl_delay is not None:
            delays.append(float(crawl_delay))
        rate = self._parser.request_rate(agent)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays, default=None)


def origin(url: str) -> str:
    """scheme://host[:port], lowercased: robots.txt belongs to exactly this."""
    parts = urls.split(url)
    if parts is None:  # the fetcher checks URLs first; a malformed one has no robots.txt
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def rules_from_text(text: str, why: str = "robots.txt") -> Rules:
    return Rules(Protego.parse(text), allow_all=False, why=why)


async def load_rules(robots_url: str, fetch: Callable[[str], Awaitable[FetchResult]]) -> Rules:
    """Fetch and parse one robots.txt; every failure becomes a blanket rule."""
    try:
        result = await fetch(robots_url)
    except HTTPStatusError as exc:
        if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
            return Rules(None, allow_all=True, why=f"robots.txt answered {exc.status}")
        return _unreachable(exc)
    except TooManyRedirects as exc:
        return Rules(None, allow_all=True, why=f"robots.txt unavailable: {exc.message}")
    except (BlockedAddress, Deferred) as exc:
        return Rules(None, allow_all=False, why=exc.message, error=exc)
    except ConnectionFailed as exc:
        why = f"the host could not be reached for robots.txt: {exc.message}"
        return Rules(None, allow_all=False, why=why, error=ConnectionFailed(why, exc.status))
    except FetchTimeout as exc:
        why = f"robots.txt timed out: {exc.message}"
        return Rules(None, allow_all=False, why=why, error=FetchTimeout(why, exc.status))
    except FetchError as exc:
        return _unreachable(exc)
    # The RFC says UTF-8; a stray byte should not cost the whole file.
    return rules_from_text(result.content.decode("utf-8", errors="replace"))


def _unreachable(exc: FetchError) -> Rules:
    why = f"robots.txt unreachable: {exc.message}"
    return Rules(None, allow_all=False, why=why, error=RobotsUnreachable(why, exc.status))


class RobotsCache:
    """The rules of every origin seen in this run, each fetched exactly once."""

    def __init__(self, fetch: Callable[[str], Awaitable[FetchResult]]) -> None:
        self._fetch = fetch
        self._rules: dict[str, Rules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, url: str) -> Rules:
        key = origin(url)
        if key in self._rules:
            return self._rules[key]
        # Many tasks meet a new site at once; one fetches, the rest wait for it.
        async with self._locks.setdefault(key, asyncio.Lock()):
            if key not in self._rules:
                self._rules[key] = await load_rules(key + "/robots.txt", self._fetch)
        return self._rules[key]
