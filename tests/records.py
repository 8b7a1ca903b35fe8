"""Article records built in code: every field set, every block kind, nested lists."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from pipeline.record import (
    SCHEMA_VERSION,
    Article,
    Code,
    Heading,
    ListBlock,
    ListItem,
    Paragraph,
    Provenance,
    Quote,
    Reference,
    Source,
    Table,
    TableRef,
)

# Two sublists under one item (kept apart), three levels, an item with only children.
NESTED = ListBlock(
    True,
    (
        ListItem("first", (ListBlock(False, (ListItem("a"), ListItem("b"))),)),
        ListItem(
            "",
            (
                ListBlock(False, (ListItem("c", (ListBlock(True, (ListItem("deep"),)),)),)),
                ListBlock(True, (ListItem("d"),)),
            ),
        ),
        ListItem("last"),
    ),
)


def article(n: int = 0, **changes: Any) -> Article:
    """A full record (`n` varies its id); `changes` replace fields."""
    text = f"Story {n} text."
    full = Article(
        schema_version=SCHEMA_VERSION,
        id=hashlib.sha256(str(n).encode()).hexdigest()[:32],
        input=f"pages/{n}.html",
        url=f"https://news.example/{n}",
        canonical_url=f"https://news.example/{n}",
        site_name="Example News",
        title=f"Story {n}",
        authors=("Jane Doe", "Li Wei"),
        credits=("dpa", "Politics Desk"),
        published="2025-10-21T13:10:00+01:00",
        modified="2025-10-22",
        language="en",
        section="World",
        tags=("floods", "rivers"),
        description="A story.",
        doi="10.1234/example.5678",
        source=Source("Original Times", "https://original.example/story"),
        access="paywalled",
        confidence=0.875,
        text=text,
        blocks=(
            Heading(2, "A heading"),
            Paragraph("A paragraph."),
            Quote("A quote."),
            Code("print(1)"),
            NESTED,
            TableRef(0),
        ),
        tables=(Table("Results", ("team", "score"), (("A", "1"), ("B", ""))),),
        references=(
            Reference("Doe J (2020) A paper. J Tests 1:2.", ("Doe J",), "2020", "A paper"),
            Reference("Unparsed reference"),
        ),
        word_count=3,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        extracted_at="2026-12-01T21:01:05+00:00",
        extractor_version="0.1.0",
        provenance=Provenance(
            "wire-feed",
            "Story title",
            "2025-10-21T12:00:00+00:00",
            "2026-12-01T21:01:00Z",
            200,
            "page",
        ),
    )
    return replace(full, **changes)


def bare(n: int = 0) -> Article:
    """A record with every optional field null or empty."""
    return article(
        n,
        input=None,
        url=None,
        canonical_url=None,
        site_name=None,
        title=None,
        authors=(),
        credits=(),
        published=None,
        modified=None,
        language=None,
        section=None,
        tags=(),
        description=None,
        doi=None,
        source=None,
        provenance=None,
        blocks=(Paragraph("Only text."),),
        tables=(),
        references=(),
    )
