"""Which date is the article's publication date.

The date the article's header shows beside its headline wins when the page
declares none or another day; when they agree the declared one is kept, for
its time and zone. A shown
"09/10/2024" that is the declared day with day and month swapped is read
as declared. Then the declared date (JSON-LD datePublished,
article:published_time and the like); then a date shown in the article region,
near the headline, or anywhere outside the site's furniture (header bars,
footers, related posts). A date labelled "Updated", or shown on the day the
page declares as its modification, is the modification date: it counts only
when the page shows or declares no other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extraction.body.furniture import Furniture
from pipeline.extraction.metadata import dates
from pipeline.extraction.metadata.header import Header, read_dateline
from pipeline.extraction.metadata.structured import StructuredData
from pipeline.extraction.thresholds import (
    HEADLINE_TEXT_CHARS,
    MAX_PAGE_DAYS,
    MAX_SELECTED_NODES,
    UPDATE_LABEL_CHARS,
    ZONE_DAYS,
)

_DATE_SELECTORS = "time[datetime], [itemprop=datePublished]"
_UPDATE_NAMES = ("updat", "modif", "changed", "revis", "edited")
_UPDATE_LABEL = re.compile(
    r"\b(?:updated|last\s+updated|modified|revised|reviewed|edited|aktualisiert|mis\s+à\s+jour"
    r"|actualizado|aggiornato)\b|обновлено|更新",
    re.I,
)
_DATE_TEXT_SELECTORS = (
    "time, [class*=date], [class*=time], [class*=byline], [class*=meta], [class*=posted]"
)


def published_date(
    data: StructuredData,
    tree: LexborHTMLParser,
    region: LexborNode | None,
    h1: LexborNode | None,
    header: Header | None,
    furniture: Furniture,
    langs: list[str] | None,
) -> Dated:
    """The article's publication date (see the module's docstring)."""
    declared = dates.to_iso(data.published, langs) if data.published else None
    modified = dates.to_iso(data.modified, langs) if data.modified else None
    if modified and declared and modified[:10] == declared[:10]:
        modified = None  # never updated: a date on that day is the publication's
    shown = read_dateline(header, langs, modified) if header is not None else None
    if (
        shown is not None
        and shown.published
        and (declared is None or not _agrees(declared, shown.published))
    ):
        return Dated(shown.published, HEADER)
    if declared:
        return Dated(declared, DECLARED)
    updated: str | None = shown.updated if shown is not None else None
    block = h1.parent if h1 is not None else None
    body = tree.body
    for scope in (region, block, body):
        if scope is None:
            continue
        found, update = _shown_date(scope, langs, furniture, unique=scope is not block)
        if found:
            return Dated(found, PAGE if scope is body else REGION)
        updated = updated or update
        if scope is block:
            found, update = _headline_text_date(scope, langs)
            if found:
                return Dated(found, REGION)
            updated = updated or update
    return Dated(updated, UPDATE if updated else "")


@dataclass(frozen=True, slots=True)
class Dated:
    """A publication date and where it was found (one of the names below, "" for none)."""

    iso: str | None
    source: str


HEADER = "header"  # beside the headline
DECLARED = "declared"  # JSON-LD, meta tags, microdata
REGION = "region"  # elsewhere in the article's region
PAGE = "page"  # anywhere on the page, or htmldate's search
UPDATE = "update"  # only an update date was shown
#: Sources that date the article itself, not just something on the page.
ARTICLE_SOURCES = frozenset((HEADER, DECLARED, REGION))


def _near(declared: str, shown: str) -> bool:
    """The same day, give or take the zone the declared time is written in."""
    try:
        a, b = date.fromisoformat(declared[:10]), date.fromisoformat(shown[:10])
    except ValueError:
        return False
    return abs((a - b).days) <= ZONE_DAYS


def _agrees(declared: str, shown: str) -> bool:
    return _near(declared, shown) or _swapped(declared, shown)


def _swapped(declared: str, shown: str) -> bool:
    """The shown date is the declared one with day and month read the other way round
    ("09/10/2024" for 10 September): the declared one is unambiguous."""
    year, month, day = declared[:4], declared[5:7], declared[8:10]
    return month != day and shown[:10] == f"{year}-{day}-{month}"


def _headline_text_date(
    block: LexborNode, langs: list[str] | None
) -> tuple[str | None, str | None]:
    """A date in the plain text around the headline ("Jane Doe • March 17, 2025")."""
    text = block.text(deep=True, separator=" ")[:HEADLINE_TEXT_CHARS]
    found = dates.find_date_in_text(text, langs)
    if found and _UPDATE_LABEL.search(text):
        return None, found
    return found, None


def _shown_date(
    scope: LexborNode, langs: list[str] | None, furniture: Furniture, *, unique: bool = False
) -> tuple[str | None, str | None]:
    """The first publication date shown in `scope`, and the first update date.
    `unique`: none when the scope shows several days (page-wide, one date per
    teaser is a listing's)."""
    if unique and len(_days(scope, langs, furniture)) > MAX_PAGE_DAYS:
        return None, None
    update: str | None = None
    candidates = [
        (node, node.attributes.get("datetime") or node.attributes.get("content") or node.text())
        for node in scope.css(_DATE_SELECTORS)[:MAX_SELECTED_NODES]
    ] + [(node, None) for node in scope.css(_DATE_TEXT_SELECTORS)[:MAX_SELECTED_NODES]]
    for node, machine in candidates:
        found = _date_of(node, machine, langs)
        if not found or furniture.around(node, scope):
            continue
        if not _is_update(node):
            return found, update
        update = update or found
    return None, update


def _days(scope: LexborNode, langs: list[str] | None, furniture: Furniture) -> set[str]:
    found = set()
    for node in scope.css(_DATE_SELECTORS)[:MAX_SELECTED_NODES]:
        machine = node.attributes.get("datetime") or node.attributes.get("content")
        iso = dates.to_iso(machine, langs) if machine else None
        if iso and not furniture.around(node, scope):
            found.add(iso[:10])
    return found


def _date_of(node: LexborNode, machine: str | None, langs: list[str] | None) -> str | None:
    if machine:
        return dates.to_iso(machine, langs)
    text = node.text(deep=True)
    return dates.find_date_in_text(text, langs) if len(text) <= 120 else None


def _is_update(node: LexborNode) -> bool:
    """A date labelled as an update is the modification date, not the publication:
    by the element's names, its own text, or its parent's text when that is a label."""
    names = (node.attributes.get("class") or "").casefold()
    if any(w in names for w in _UPDATE_NAMES):
        return True
    for scope in (node, node.parent):
        if scope is None:
            break
        label = scope.text(deep=True)
        if len(label) <= UPDATE_LABEL_CHARS and _UPDATE_LABEL.search(label):
            return True
    return False
