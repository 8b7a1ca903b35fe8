"""Discovery: turn already-fetched feeds, sitemaps and URL lists into article URLs.

Nothing here touches the network: the parsers take bytes (or text) that the
fetch stage got, and return `Discovered` records; `select` then normalises,
de-duplicates and filters them for one source.
"""

from pipeline.discover.feeds import DEFAULT_MAX_ENTRIES, parse_feed
from pipeline.discover.sitemaps import (
    DEFAULT_MAX_SITEMAP_BYTES,
    DEFAULT_MAX_URLS,
    ChildSitemap,
    SitemapPage,
    iter_sitemap,
    parse_sitemap,
)
from pipeline.discover.urls import (
    Discovered,
    SourceCounts,
    iter_select,
    normalize,
    parse_url_list,
    select,
)

__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_MAX_SITEMAP_BYTES",
    "DEFAULT_MAX_URLS",
    "ChildSitemap",
    "Discovered",
    "SitemapPage",
    "SourceCounts",
    "iter_select",
    "iter_sitemap",
    "normalize",
    "parse_feed",
    "parse_sitemap",
    "parse_url_list",
    "select",
]
