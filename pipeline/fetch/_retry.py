"""When to try again: which answers are worth a retry, and how long to wait first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime

from pipeline.fetch._settings import FetchSettings


def retryable_status(status: int) -> bool:
    """429 and 5xx say "not now"; every other status is the server's last word."""
    return status == 429 or 500 <= status <= 599


def backoff(settings: FetchSettings, retry: int, random: Callable[[], float]) -> float:
    """Seconds before retry number `retry` (0 for the first): exponential, capped,
    less up to `jitter` of itself at random."""
    ceiling = min(settings.retry_wait_cap, settings.retry_wait * 2.0**retry)
    return ceiling * (1.0 - settings.jitter * random())


def retry_after(header: str | None, now: float) -> float | None:
    """Seconds asked for by Retry-After (delta-seconds or an HTTP date), None if
    absent or unreadable; `now` is wall time, for the date form."""
    if header is None:
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)
