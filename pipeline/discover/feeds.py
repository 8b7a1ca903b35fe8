"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds, read with feedparser.

feedparser copes with the feeds found in the wild (bad encodings, unescaped
ampersands, missing namespaces) by falling back to a lenient parser and setting
`bozo`; we accept whatever entries it recovers and only call a feed bad when it
recovers none and complains, or is not a feed at all.

Safety, checked by the tests: the bytes are handed over in a BytesIO because
feedparser treats a bytes *argument* as a possible file name and would open
it. Before parsing, feedparser removes every entity declaration whose value
refers to another entity or to an external resource (so billion-laughs and XXE
payloads have nothing to expand), and it turns off external entities in the
SAX parser; Python's expat also caps entity amplification.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser  # type: ignore[import-untyped]
import lxml.html  # type: ignore[import-untyped, unused-ignore]

from pipeline import urls
from pipeline.discover.urls import Discovered
from pipeline.errors import DiscoveryError, Reason

DEFAULT_MAX_ENTRIES = 5000
"""News feeds carry tens of items; thousands means a dump or a trap, so we stop there."""


def parse_feed(
    content: bytes, base_url: str, *, source: str = "", max_entries: int = DEFAULT_MAX_ENTRIES
) -> tuple[Discovered, ...]:
    """The entries of a feed, in feed order, at most `max_entries` of them.

    `base_url` is where the feed was fetched from: relative links are resolved
    against it (and against any xml:base in the feed). Entries without a link
    are skipped. Raises DiscoveryError(bad_feed) for something that is not a
    readable feed.
    """
    parsed = feedparser.parse(
        io.BytesIO(content),
        # An XML type, so feedparser takes the charset from the XML declaration
        # and does not flag the missing header as a fault of the feed.
        response_headers={"content-location": base_url, "content-type": "application/xml"},
        sanitize_html=True,
    )
    is_rss = str(parsed.get("version") or "").startswith("rss")
    entries = (parsed.get("entries") or [])[:max_entries]
    found = tuple(d for d in (_entry(e, base_url, source, is_rss) for e in entries) if d)
    if not found and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception") or "not an RSS, RDF or Atom feed"
        raise DiscoveryError(f"{base_url}: unreadable feed: {problem}", Reason.BAD_FEED)
    return found


def _entry(entry: Any, base_url: str, source: str, is_rss: bool) -> Discovered | None:
    link = entry.get("link")  # feedparser fills it from a permalink <guid> too
    if not link or not link.strip():
        return None
    # `in` first: a plain get() would hand back the published date instead
    updated = _iso(entry["updated_parsed"]) if "updated_parsed" in entry else None
    published = _iso(entry.get("published_parsed"))
    if published is None and is_rss:
        published = updated  # RSS has one item date; a dc:date is filed as "updated"
    return Discovered(
        # A malformed link is handed on as written: selection counts and logs it.
        url=urls.join(base_url, link.strip()) or link.strip(),
        source=source,
        published=published,
        title=_title(entry),
        lastmod=updated,
    )


def _iso(value: struct_time | None) -> str | None:
    """feedparser's parsed dates are in UTC; write them as ISO 8601 with the offset."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError):  # a struct with an impossible date
        return None


def _title(entry: Any) -> str | None:
    """The entry's title as plain text (an Atom title may be HTML)."""
    title = entry.get("title")
    if not title or not title.strip():
        return None
    detail = entry.get("title_detail") or {}
    if "html" in (detail.get("type") or ""):
        title = lxml.html.fragment_fromstring(title, create_parent="div").text_content()
    return " ".join(title.split()) or None
