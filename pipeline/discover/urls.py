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

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlunsplit

from courlan import clean_url

from pipeline import urls

if TYPE_CHECKING:
    from pipeline.config import SourceConfig

_log = logging.getLogger(__name__)


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
    if not url or urls.http_url(url) is None:
        return None
    try:
        cleaned = clean_url(url.strip().replace(" ", "%20"))
    except ValueError:  # courlan parses with urllib too
        return None
    parts = urls.split(cleaned)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
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


@dataclass(slots=True)
class SourceCounts:
    """What selection made of one source's entries in one run.

    found: entries the source gave; malformed: not an absolute http(s) URL
    (each logged); repeated: a URL the source gave before; filtered: dropped by
    include or exclude; kept: what remains; capped: reading stopped at
    max_articles or max_urls.
    """

    found: int = 0
    malformed: int = 0
    repeated: int = 0
    filtered: int = 0
    kept: int = 0
    capped: bool = False


def select(discovered: Iterable[Discovered], source: SourceConfig) -> list[Discovered]:
    """`iter_select`, all at once."""
    return list(iter_select(discovered, source))


def iter_select(
    discovered: Iterable[Discovered], source: SourceConfig, counts: SourceCounts | None = None
) -> Iterator[Discovered]:
    """Normalise, de-duplicate (first one wins, order kept), filter, then cap, lazily.

    A URL is kept when it matches at least one `include` pattern (if any are
    given) and no `exclude` pattern; patterns are searched in the normalised URL.
    Reading stops once `max_articles` URLs are kept or `max_urls` entries were
    read, so a huge source is never read further than it is used.
    """
    counts = counts if counts is not None else SourceCounts()
    seen: set[str] = set()
    for item in discovered:
        if counts.found >= source.max_urls:
            counts.capped = True
            return
        counts.found += 1
        url = normalize(item.url)
        if url is None:
            counts.malformed += 1
            _log.info("source %s: not an http(s) URL, skipped: %.200r", source.name, item.url)
            continue
        if url in seen:
            counts.repeated += 1
            continue
        seen.add(url)
        if (source.include and not any(p.search(url) for p in source.include)) or any(
            p.search(url) for p in source.exclude
        ):
            counts.filtered += 1
            continue
        counts.kept += 1
        yield item if url == item.url else replace(item, url=url)
        if source.max_articles is not None and counts.kept >= source.max_articles:
            counts.capped = True
            return
