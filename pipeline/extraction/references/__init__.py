"""References stage: find a page's bibliography and parse each entry into a `Reference`.

    bibliography.py   where the bibliography is (explicit markup, entry ids, or a
                      "References" heading and what follows it), and each entry's
                      text as the page shows it
    entry.py          one entry's text parsed: authors, year, title, container,
                      DOI, URL; and whether a text reads as an entry at all

Regexes only ever run over short strings (one entry, one heading, one id
attribute), never over the whole document, so the stage stays cheap on big pages.
"""

from __future__ import annotations

from pipeline.extraction.references.bibliography import (
    Bibliography,
    entry_text,
    locate,
    parse_entries,
)
from pipeline.extraction.references.entry import parse_reference

__all__ = ["Bibliography", "entry_text", "locate", "parse_entries", "parse_reference"]
