from __future__ import annotations

import pytest

from pipeline.extraction.boilerplate import is_boilerplate_heading, is_boilerplate_text


@pytest.mark.parametrize(
    "text",
    [
        "ADVERTISEMENT",
        "Denial of responsibility! This site is an automatic aggregator of the world's media.",
        "Read more: Another story",
        "YOU MIGHT ALSO LIKE:",
        "By Chris McNamara ⋅ Founder and Editor-in-Chief ⋅ Updated May 6, 2025",
        "By Jane Doe",
        "LIVE Updated 6 minutes ago",
        "A version of this article appears in print on Oct. 19, 2025, Section A, Page 8.",
        "This field is for validation purposes and should be left unchanged.",
        '<img height="1" width="1" src="http://b.example/p?c1=2">',
        "© 2024 Daily Test. All rights reserved.",
    ],
)
def test_furniture_text(text: str) -> None:
    assert is_boilerplate_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "By the end of the year, prices had risen in every region.",
        "By January, the river had risen past the old mark in every village.",
        "Officials said the dam upstream had held.",
        "Read the report in full before deciding.",
        "Share prices fell sharply on Monday.",
    ],
)
def test_article_text(text: str) -> None:
    assert not is_boilerplate_text(text)


@pytest.mark.parametrize(
    ("text", "furniture"),
    [
        ("Related Posts", True),
        ("Leave a Reply", True),
        ("3 Comments", True),
        ("What comes next", False),
        ("Related work in the field", False),
    ],
)
def test_headings(text: str, furniture: bool) -> None:
    assert is_boilerplate_heading(text) is furniture
