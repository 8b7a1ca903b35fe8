"""The network guard, proven on loopback: 127.0.0.2 stands in for a forbidden address
while only 127.0.0.1 is allowed. No test connects to a real private address."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.errors import BlockedAddress
from pipeline.fetch import Fetcher, FetchSettings, parse_networks
from pipeline.fetch._guard import Blocked, NetworkGuard, forbidden_kind
from tests.localserver import LocalServer, page, redirect

ONLY_FIRST = parse_networks(["127.0.0.1/32"])
ARTICLE = "<html><body><article><p>text</p></article></body></html>"


def settings(allow: Any = ONLY_FIRST) -> FetchSettings:
    return FetchSettings(
        per_host_delay=0.0, obey_robots=False, retries=0, total_timeout=3.0, allow_networks=allow
    )


def fetch(url: str, config: FetchSettings | None = None, raw: bool = False) -> Any:
    async def main() -> Any:
        async with Fetcher(config or settings()) as fetcher:
            return await (fetcher.fetch_raw(url) if raw else fetcher.fetch(url))

    return asyncio.run(asyncio.wait_for(main(), 8))


@pytest.fixture
def forbidden() -> Iterator[LocalServer]:
    """A server on 127.0.0.2: the address the guard must refuse."""
    with LocalServer({"/page": page(ARTICLE)}, host="127.0.0.2") as server:
        yield server


@pytest.fixture
def allowed(forbidden: LocalServer) -> Iterator[LocalServer]:
    routes = {
        "/page": page(ARTICLE),
        "/away": redirect(forbidden.url("/page")),
        "/robots.txt": page("User-agent: *\nAllow: /\n", "text/plain"),
    }
    with LocalServer(routes) as server:
        yield server


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata address
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared or non-global"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("::ffff:10.0.0.1", "private"),  # IPv4-mapped forms are unmapped first
        ("::ffff:127.0.0.1", "loopback"),
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_classes(address: str, kind: str | None) -> None:
    assert forbidden_kind(ipaddress.ip_address(address)) == kind


def test_allow_networks_opens_exactly_what_it_lists() -> None:
    guard = NetworkGuard(parse_networks(["127.0.0.1", "10.0.0.0/8"]))
    guard.check("127.0.0.1")
    guard.check("10.9.9.9")
    for closed in ("127.0.0.2", "192.168.0.1", "169.254.169.254"):
        with pytest.raises(Blocked):
            guard.check(closed)


def test_bad_network_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not an IP address or CIDR range"):
        parse_networks(["10.0.0.0/33"])


def test_allowed_address_is_fetched(allowed: LocalServer) -> None:
    assert fetch(allowed.url("/page")).status == 200


def test_forbidden_address_is_refused_before_any_request(forbidden: LocalServer) -> None:
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2 is a loopback address") as caught:
        fetch(forbidden.url("/page"))
    assert caught.value.reason == "blocked_address"
    assert forbidden.requests == []


def test_default_refuses_loopback(allowed: LocalServer) -> None:
    with pytest.raises(BlockedAddress):
        fetch(allowed.url("/page"), settings(allow=()))
    assert allowed.requests == []


def test_redirect_to_a_forbidden_address_is_refused(
    allowed: LocalServer, forbidden: LocalServer
) -> None:
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2"):
        fetch(allowed.url("/away"))
    assert allowed.hits("/away") == 1 and forbidden.requests == []


def test_feed_or_sitemap_fetch_is_guarded_too(forbidden: LocalServer) -> None:
    with pytest.raises(BlockedAddress):
        fetch(forbidden.url("/page"), raw=True)
    assert forbidden.requests == []


def test_robots_txt_of_a_forbidden_host_is_not_fetched(forbidden: LocalServer) -> None:
    config = FetchSettings(per_host_delay=0.0, retries=0, allow_networks=ONLY_FIRST)
    with pytest.raises(BlockedAddress):
        fetch(forbidden.url("/page"), config)
    assert forbidden.requests == []  # neither robots.txt nor the page


def test_a_name_resolving_to_a_forbidden_address(
    forbidden: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public-looking name whose DNS answer is forbidden: refused, and the name told."""
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("news.example.com", b"news.example.com"):  # anyio passes IDNA bytes
            host = "127.0.0.2"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    url = f"http://news.example.com:{forbidden.port}/page"
    with pytest.raises(BlockedAddress, match=r"news\.example\.com resolves to 127\.0\.0\.2"):
        fetch(url)
    assert forbidden.requests == []


def test_localhost_by_name_is_loopback(allowed: LocalServer) -> None:
    """localhost resolves (through /etc/hosts) to loopback: refused by default."""
    with pytest.raises(BlockedAddress, match="localhost resolves to"):
        fetch(f"http://localhost:{allowed.port}/page", settings(allow=()))


def test_a_feed_link_to_a_forbidden_address_in_a_run(
    allowed: LocalServer, forbidden: LocalServer, tmp_path: Any
) -> None:
    import json

    from pipeline.cli import main

    items = "".join(
        f"<item><title>t</title><link>{url}</link></item>"
        for url in (allowed.url("/page"), forbidden.url("/page"))
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    allowed.route("/feed.xml", page(feed, "application/rss+xml"))
    config = tmp_path / "run.toml"
    config.write_text(
        'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1/32"]\n'
        f'[[sources]]\nname = "f"\nkind = "feed"\nurl = "{allowed.url("/feed.xml")}"\n',
        encoding="utf-8",
    )
    assert main(["run", str(config), "--run-id", "r"]) == 0
    summary = json.loads((tmp_path / "out" / "r" / "run.json").read_text())
    # The allowed page is a stub (empty_body); the forbidden one is never asked for.
    assert summary["failed"] == {"blocked_address": 1, "empty_body": 1}
    assert summary["fetched"] == 1 and forbidden.requests == []
