"""The network guard: no connection to an address inside the network the crawler runs in.

A page, a feed or a redirect can name any host, and a DNS name can resolve to
any address; without a guard, every one of them makes the crawler probe its own
network (the cloud metadata address, an admin page on loopback, a database on a
private range). The guard sits where connections are made, in the network
backend under httpx: the host is resolved here, every address it resolves to is
checked, and the connection goes to a checked address only, so a name cannot
resolve to one address for the check and another for the connection. After the
connection, the peer address is checked once more. Redirect hops, robots.txt,
feeds and sitemaps all connect through here.

Forbidden unless `allow_networks` lists them: loopback, private (RFC 1918,
fc00::/7), link-local, shared (100.64.0.0/10), multicast, unspecified, reserved
and every other range that is not globally routable (documentation, benchmarking),
IPv4-mapped IPv6 forms of all of these included.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Blocked(Exception):
    """A connection the guard refused; the fetcher turns it into BlockedAddress."""


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Addresses or CIDR ranges ("127.0.0.1", "10.0.0.0/8"); ValueError names a bad one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an IP address or CIDR range") from exc
    return tuple(networks)


def forbidden_kind(address: IPAddress) -> str | None:
    """What makes `address` off limits ("loopback", "private", ...), or None if public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    for kind, hit in checks:
        if hit:
            return kind
    # Shared address space (100.64.0.0/10) and the like: neither private nor global.
    return None if address.is_global else "shared or non-global"


class NetworkGuard:
    """Decides whether an address may be connected to."""

    def __init__(self, allow: Sequence[IPNetwork] = ()) -> None:
        self.allow = tuple(allow)

    def check(self, host: str) -> None:
        """Raise Blocked unless `host` (an address literal) is public or allowed."""
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone
        except ValueError as exc:
            raise Blocked(f"{host!r} is not an IP address") from exc
        kind = forbidden_kind(address)
        if kind is not None and not any(address in network for network in self.allow):
            raise Blocked(
                f"{address} is a {kind} address (`--allow-network {address}`, or the"
                " config's fetch.allow_networks, opens it)"
            )


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving names itself and connecting to checked
    addresses only."""

    def __init__(self, guard: NetworkGuard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        allowed = await self._allowed_addresses(host, port)
        error: httpcore.ConnectError | None = None
        for address in allowed:
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # the next address may answer
                error = exc
                continue
            await self._check_peer(stream)
            return stream
        assert error is not None  # `allowed` is never empty
        raise error

    async def _allowed_addresses(self, host: str, port: int) -> list[str]:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:  # gaierror is an OSError
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed, refusals = [], []
        for address in addresses:
            try:
                self._guard.check(address)
            except Blocked as exc:
                refusals.append(str(exc))
            else:
                allowed.append(address)
        if not allowed:
            named = "" if [host] == addresses else f"{host} resolves to {', '.join(addresses)}: "
            raise Blocked(named + "; ".join(refusals))
        return allowed

    async def _check_peer(self, stream: httpcore.AsyncNetworkStream) -> None:
        """The connected-to address is the one that counts, whatever DNS said."""
        peer = stream.get_extra_info("server_addr")
        if not peer:
            return
        try:
            self._guard.check(str(peer[0]))
        except Blocked:
            await stream.aclose()
            raise

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise Blocked(f"unix socket {path} is not a network address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over the guarded backend. httpx takes no backend
    argument, so the connection pool it built is replaced by one that has it.
    Proxies from the environment are not used: through a proxy, the guard could
    not see the addresses connected to."""

    def __init__(self, guard: NetworkGuard, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(guard),
        )
