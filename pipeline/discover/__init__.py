"""Discovery: turn already-fetched feeds, sitemaps and URL lists into article URLs.

Nothing here touches the network: the parsers take bytes (or text) that the
fetch stage got, and return `Discovered` records; `select` then normalises,
de-duplicates and filters them for one source.
"""

from pipeline.discover.feeds import DEFAULT_MAX_ENTRIES, parse_feed
from pipeline.discover.sitemaps import (
    DEFAULT_MAX_SITEMAP_BYTES,
    DEFAULT_MAX_URLS,
    SitemapPage,
    parse_sitemap,
)
from pipeline.discover.urls import Discovered, normalize, parse_url_list, select

__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_SITEMAP_BYTES",
    "DEFAULT_MAX_URLS",
    "Discovered",
    "SitemapPage",
    "normalize",
    "parse_feed",
    "parse_sitemap",
    "parse_url_list",
    "select",
]
