"""Source kinds: how a config's source gives its article URLs.

A kind is a small class: its `name`, the `locations` a source of it may give
(`url`, `path`, `urls`: exactly one of them), and `entries`, which yields the
source's entries a batch at a time. The built-in kinds are `feed` (RSS, Atom),
`sitemap` (urlsets and indexes, followed) and `urls` (a list). Others are found
by name, as sinks are (pipeline/sinks/): a name that an installed package
declares in the `news_pipeline.sources` entry point group, or `module:Class`.

    class Archive:                      # kind = "mypkg.kinds:Archive"
        name = "archive"
        locations = frozenset({"url"})

        async def entries(self, source, fetcher, child_failed):
            page = await fetcher.fetch_raw(source.url)
            yield [Discovered(url, source.name) for url in my_links(page.content)]
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.discover import ChildSitemap, Discovered, iter_sitemap, parse_feed, parse_url_list
from pipeline.errors import ConfigError, DiscoveryError, FetchError

if TYPE_CHECKING:
    from pipeline.config import SourceConfig
    from pipeline.fetch import Fetcher

ENTRY_POINTS = "news_pipeline.sources"
# A file of a source that could not be read, besides its first (a sitemap's child).
ChildFailed = Callable[[str, DiscoveryError | FetchError], Awaitable[None]]

_MAX_SITEMAPS = 200  # sitemap files followed per source: indexes can nest and loop
_SITEMAP_BATCH = 500  # entries handed to selection at a time


class SourceKind(Protocol):
    name: str
    locations: frozenset[str]

    def entries(
        self, source: SourceConfig, fetcher: Fetcher, child_failed: ChildFailed
    ) -> AsyncIterator[list[Discovered]]: ...


class Feed:
    """An RSS 2.0, RSS 1.0 (RDF) or Atom feed."""

    name = "feed"
    locations = frozenset({"url"})

    async def entries(
        self, source: SourceConfig, fetcher: Fetcher, child_failed: ChildFailed
    ) -> AsyncIterator[list[Discovered]]:
        result = await fetcher.fetch_raw(_required(source.url))
        yield list(parse_feed(result.content, result.final_url, source=source.name))


class Sitemap:
    """A sitemap and, for an index, its children (breadth first, each once). A child
    that cannot be read is reported (`child_failed`); the others are still read."""

    name = "sitemap"
    locations = frozenset({"url"})

    async def entries(
        self, source: SourceConfig, fetcher: Fetcher, child_failed: ChildFailed
    ) -> AsyncIterator[list[Discovered]]:
        root = _required(source.url)
        todo, done = [root], set[str]()
        while todo and len(done) < _MAX_SITEMAPS:
            url = todo.pop(0)
            if url in done:
                continue
            done.add(url)
            batch: list[Discovered] = []
            try:
                result = await fetcher.fetch_raw(url)
                for entry in iter_sitemap(result.content, result.final_url, source=source.name):
                    if isinstance(entry, ChildSitemap):
                        todo.append(entry.url)
                        continue
                    batch.append(entry)
                    if len(batch) >= _SITEMAP_BATCH:
                        yield batch
                        batch = []
            except (DiscoveryError, FetchError) as exc:
                if url == root:
                    raise
                await child_failed(url, exc)
            if batch:
                yield batch


class Urls:
    """A list of URLs: inline (`urls`), in a local file (`path`) or at a `url`."""

    name = "urls"
    locations = frozenset({"url", "path", "urls"})

    async def entries(
        self, source: SourceConfig, fetcher: Fetcher, child_failed: ChildFailed
    ) -> AsyncIterator[list[Discovered]]:
        if source.urls:
            listed = source.urls
        elif source.path is not None:
            listed = parse_url_list(Path(source.path).read_text(encoding="utf-8"))
        else:
            result = await fetcher.fetch_raw(_required(source.url))
            listed = parse_url_list(result.content.decode(result.charset or "utf-8", "replace"))
        yield [Discovered(url, source.name) for url in listed]


_BUILT_IN: dict[str, str] = {
    "feed": "pipeline.sources.kinds:Feed",
    "sitemap": "pipeline.sources.kinds:Sitemap",
    "urls": "pipeline.sources.kinds:Urls",
}
KINDS = tuple(_BUILT_IN)  # the built-in ones


@functools.cache
def known_kinds() -> dict[str, str]:
    """Kind names and their classes' paths: the built-in ones, then those of installed
    packages' entry points."""
    found = dict(_BUILT_IN)
    for entry in metadata.entry_points(group=ENTRY_POINTS):
        found.setdefault(entry.name, entry.value)
    return found


@functools.cache
def kind_named(name: str) -> Any:
    """The source kind a config names (an instance); ConfigError when it names none."""
    path = known_kinds().get(name) or (name if ":" in name else None)
    if path is None:
        known = ", ".join(known_kinds())
        raise ConfigError(f"{name!r} is not one of: {known} (or a source kind as module:Class)")
    module, _, attribute = path.partition(":")
    try:
        return getattr(importlib.import_module(module), attribute)()
    except ImportError as exc:
        raise ConfigError(f"source kind {name!r}: cannot import {module}: {exc}") from exc
    except AttributeError as exc:
        raise ConfigError(f"source kind {name!r}: {module} has no {attribute}") from exc


def _required(url: str | None) -> str:
    if url is None:  # the config loader guarantees a url where a kind needs one
        raise DiscoveryError("the source has no url")
    return url
