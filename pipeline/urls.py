"""URLs from outside (pages, feeds, sitemaps, configs, servers), parsed without surprises.

`urllib.parse` raises ValueError on input it finds malformed: a bracketed host
that is not an IPv6 address (`http://[link]`), an unclosed bracket
(`http://[::1`), a host that NFKC-normalises into a separator, and, when
`.port` is read, a port that is not a number or is out of range. Every URL the
pipeline did not write itself goes through this module, where a malformed one
is None, never an exception.

    split(url)             SplitResult | None
    join(base, ref)        the absolute URL, or None
    hostname(url)          lowercased host, or None
    path(url)              the path ('' when malformed)
    http_url(value, base)  an absolute http(s) URL with a host, or None
"""

from __future__ import annotations

from urllib.parse import SplitResult, urljoin, urlsplit

# Longer "URLs" are data dumps or traps; browsers and servers refuse them too.
MAX_URL_CHARS = 16_384
HTTP_SCHEMES = ("http", "https")


def split(url: str | None) -> SplitResult | None:
    """The parts of `url`, or None when urllib would raise on it (port included)."""
    if not url or len(url) > MAX_URL_CHARS:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def join(base: str | None, ref: str | None) -> str | None:
    """`ref` resolved against `base` (ref alone when there is no base); None if malformed."""
    if not ref:
        return None
    ref = ref.strip()
    if split(ref) is None:
        return None
    if not base or split(base) is None:
        return ref
    try:
        joined = urljoin(base, ref)
    except ValueError:
        return None
    return joined if split(joined) is not None else None


def hostname(url: str | None) -> str | None:
    """The host, lowercased (urllib already lowercases it), or None."""
    parts = split(url)
    return (parts.hostname or None) if parts is not None else None


def path(url: str | None) -> str:
    parts = split(url)
    return parts.path if parts is not None else ""


def query(url: str | None) -> str:
    parts = split(url)
    return parts.query if parts is not None else ""


def http_url(value: str | None, base: str | None = None) -> str | None:
    """`value` (resolved against `base`) when it is an absolute http(s) URL with a host."""
    url = join(base, value) if base else (value.strip() if value else None)
    parts = split(url)
    if parts is None or parts.scheme.lower() not in HTTP_SCHEMES or not parts.hostname:
        return None
    return url
