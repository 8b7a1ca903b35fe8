"""Fetching: URLs in, page bytes out, politely and within limits.

    async with Fetcher(FetchSettings()) as fetcher:
        result = await fetcher.fetch(url, etag=stored.etag, last_modified=stored.last_modified)
        if not result.not_modified:
            page = Page(result.content, url=result.final_url, http_charset=result.charset)

Every failure is a pipeline.errors.FetchError subclass, never an httpx error.
Modules: _settings (FetchSettings), _client (Fetcher), _politeness (limits and
per-host spacing, the injectable Clock), _robots (robots.txt per origin),
_retry (backoff and Retry-After), _body (size-limited streaming and inflation),
_guard (the network guard: no connection to loopback, private and other
non-public addresses unless `allow_networks` opens them).
"""

from __future__ import annotations

from pipeline.fetch._client import Fetcher
from pipeline.fetch._guard import IPNetwork, parse_networks
from pipeline.fetch._politeness import Clock, SystemClock
from pipeline.fetch._result import FetchResult
from pipeline.fetch._settings import DEFAULT_FETCH_SETTINGS, DEFAULT_USER_AGENT, FetchSettings

__all__ = [
    "DEFAULT_FETCH_SETTINGS",
    "DEFAULT_USER_AGENT",
    "Clock",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "IPNetwork",
    "SystemClock",
    "parse_networks",
]
