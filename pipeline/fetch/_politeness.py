"""How many requests run at once, and how far apart they start on one host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol


class Clock(Protocol):
    """Time as the fetcher sees it; tests pass one whose sleep returns at once."""

    def monotonic(self) -> float: ...

    def wall(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clocks: monotonic for spacing, wall time for HTTP dates."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Host:
    """One host's share: its own request limit, and when it may next be asked."""

    def __init__(self, limit: int, delay: float) -> None:
        self.slots = asyncio.Semaphore(limit)
        # Held while waiting for the start time, so that two requests holding
        # slots cannot both see the same free moment and start together.
        self.start = asyncio.Lock()
        self.delay = delay
        self.last_start = float("-inf")
        self.next_start = 0.0


class Politeness:
    """A global limit, a per-host limit, and a per-host gap between request starts."""

    def __init__(self, concurrency: int, per_host: int, delay: float, clock: Clock) -> None:
        self._global = asyncio.Semaphore(concurrency)
        self._per_host = per_host
        self._delay = delay
        self._clock = clock
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        if host not in self._hosts:
            self._hosts[host] = _Host(self._per_host, self._delay)
        return self._hosts[host]

    def delay(self, host: str) -> float:
        return self._host(host).delay

    def slow_down(self, host: str, delay: float) -> None:
        """Widen the host's gap (robots.txt Crawl-delay); never narrow it. The
        request after the one that brought the news waits the new gap too."""
        entry = self._host(host)
        entry.delay = max(entry.delay, delay)
        entry.next_start = max(entry.next_start, entry.last_start + entry.delay)

    def defer(self, host: str, seconds: float) -> None:
        """Hold every request to the host back for a while (its Retry-After)."""
        entry = self._host(host)
        entry.next_start = max(entry.next_start, self._clock.monotonic() + seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for the host's turn, then for a global slot; hold both for the request."""
        entry = self._host(host)
        async with entry.slots:
            async with entry.start:
                wait = entry.next_start - self._clock.monotonic()
                if wait > 0:
                    await self._clock.sleep(wait)
                # The global slot is taken last: a task queued behind a slow
                # host must not hold one of the few slots other hosts could use.
                await self._global.acquire()
                entry.last_start = self._clock.monotonic()
                entry.next_start = entry.last_start + entry.delay
            try:
                yield
            finally:
                self._global.release()
