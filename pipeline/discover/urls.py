"""Discovered URLs: the record, URL normalisation, plain URL lists and per-source selection.

Normalisation is courlan's (the library trafilatura uses), not rules of our own:
it lowercases the scheme and host, drops the scheme's default port, tidies the
path, and removes tracking parameters (utm_*, fbclid, gclid, mc_*, ...). We use
its non-strict mode on purpose: strict mode keeps only a short allow-list of
query parameters (id, p, page, ...), which would merge distinct articles whose
address is a query such as `?story=123`. Fragments are dropped here because an
article is the same document whatever anchor points into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from courlan import clean_url

if TYPE_CHECKING:
    from pipeline.config import SourceConfig


@dataclass(frozen=True, slots=True)
class Discovered:
    """An article URL found by a source, with what the source said about it.

    `published` and `lastmod` are ISO 8601 strings when known; `source` is the
    name of the source that found it.
    """

    url: str
    source: str
    published: str | None = None
    title: str | None = None
    lastmod: str | None = None


def normalize(url: str) -> str | None:
    """The canonical form of an absolute http(s) URL, or None if it is not one."""
    # courlan deletes inner spaces; a browser encodes them, which keeps the path right
    cleaned = clean_url(url.strip().replace(" ", "%20")) if url else None
    if not cleaned:
        return None
    parts = urlsplit(cleaned)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts._replace(fragment=""))


def parse_url_list(text: str) -> tuple[str, ...]:
    """The URLs of a plain list: one per line; blank lines and `#` comments are skipped.

    A comment may also follow a URL after a space (`#` inside a URL is its
    fragment, and a URL has no spaces). URLs are returned as written; `select`
    normalises them and drops bad ones.
    """
    urls = []
    for line in text.removeprefix("\ufeff").splitlines():
        words = line.split(maxsplit=1)
        if words and not words[0].startswith("#"):
            urls.append(words[0])
    return tuple(urls)


def select(discovered: Iterable[Discovered], source: SourceConfig) -> list[Discovered]:
    """Normalise, de-duplicate (first one wins, order kept), filter, then cap.

    A URL is kept when it matches at least one `include` pattern (if any are
    given) and no `exclude` pattern; patterns are searched in the normalised URL.
    """
    seen: set[str] = set()
    kept: list[Discovered] = []
    for item in discovered:
        url = normalize(item.url)
        if url is None or url in seen:
            continue
        seen.add(url)
        if source.include and not any(p.search(url) for p in source.include):
            continue
        if any(p.search(url) for p in source.exclude):
            continue
        kept.append(item if url == item.url else replace(item, url=url))
        if source.max_articles is not None and len(kept) >= source.max_articles:
            break
    return kept
