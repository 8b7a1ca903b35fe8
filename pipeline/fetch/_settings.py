"""The fetcher's settings: one frozen object, shared by every request of a run."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.errors import ConfigError
from pipeline.fetch._guard import IPNetwork
from pipeline.options import DEFAULT_MAX_BYTES
from pipeline.version import __version__

DEFAULT_USER_AGENT = f"news-pipeline/{__version__} (+https://example.invalid/news-pipeline)"

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How politely, patiently and how much to fetch.

    user_agent: sent on every request and matched against robots.txt groups;
        its product token ("news-pipeline") is what site owners write rules for.
    concurrency: requests in flight at once, across all hosts.
    per_host: requests in flight at once to one host.
    per_host_delay: seconds between the starts of two requests to one host;
        a larger robots.txt Crawl-delay (or Request-rate) wins.
    connect_timeout, read_timeout: httpx's per-phase limits, in seconds.
    total_timeout: one attempt from sending the request to the body's last byte;
        the read timeout alone lets a server drip bytes forever.
    retries: further attempts after the first, on connection errors, 429 and 5xx.
    retry_wait, retry_wait_cap: within one fetch, the n-th retry waits
        min(retry_wait_cap, retry_wait * 2**n) ...
    jitter: ... less a random share of up to this fraction, so that many tasks
        failing together do not come back together.
    retry_after_cap: the longest Retry-After a fetch waits; a server asking for
        longer gets no wait and no retry: the URL fails as `deferred`, and a run's
        state store holds it back for as long as the server asked (at most the
        retry policy's cap), as it does every URL of that host met in the run.
    max_redirects: redirects followed for one fetch; each hop is re-checked.
    max_bytes: the largest body, counted after decompression.
    obey_robots: check robots.txt before every request (off only for tests and
        sites the operator owns).
    html_types: the media types `Fetcher.fetch` accepts; `fetch_raw` takes any.
    allow_networks: addresses and CIDR ranges the network guard lets through
        although they are loopback, private, link-local, shared, multicast,
        unspecified or reserved (see _guard); empty: only public addresses.

    Every field but two is a key of a run config's `[fetch]` table (config.py):
    obey_robots is not, so that a scheduled run always honours robots.txt, nor is
    html_types, since only HTML goes on to extraction.
    """

    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 16
    per_host: int = 2
    per_host_delay: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    retries: int = 3
    retry_wait: float = 0.5
    retry_wait_cap: float = 30.0
    jitter: float = 0.5
    retry_after_cap: float = 120.0
    max_redirects: int = 5
    max_bytes: int = DEFAULT_MAX_BYTES
    obey_robots: bool = field(default=True, metadata={"config": False})
    html_types: tuple[str, ...] = field(default=HTML_TYPES, metadata={"config": False})
    allow_networks: tuple[IPNetwork, ...] = ()

    def __post_init__(self) -> None:
        # Each check is `not` of the wanted range, so that nan is refused too.
        if not self.user_agent.strip():
            raise ConfigError("fetch.user_agent must not be empty")
        for name in ("concurrency", "per_host", "max_bytes"):
            if not getattr(self, name) >= 1:
                raise ConfigError(f"fetch.{name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "per_host_delay",
            "retries",
            "retry_wait",
            "retry_wait_cap",
            "retry_after_cap",
            "max_redirects",
        ):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"fetch.{name} must be at least 0, got {getattr(self, name)}")
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"fetch.{name} must be positive, got {getattr(self, name)}")
        if not 0 <= self.jitter <= 1:
            raise ConfigError(f"fetch.jitter must be from 0 to 1, got {self.jitter}")


DEFAULT_FETCH_SETTINGS = FetchSettings()
