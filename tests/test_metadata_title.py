from __future__ import annotations

import pytest

from pipeline.extraction.metadata import strip_site_suffix


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        (
            "Glaciers Near Point of No Return | The Daily Courier",
            None,
            "Glaciers Near Point of No Return",
        ),
        (
            "How to help babies sleep through the night | Patient Education | UC Davis Health",
            None,
            "How to help babies sleep through the night",
        ),
        (
            "Exploring Central Asia’s Rail Corridors - Asia News",
            "Asia News",
            "Exploring Central Asia’s Rail Corridors",
        ),
        (
            "Top Home Gym Must Haves For Every Budget ⋆",
            None,
            "Top Home Gym Must Haves For Every Budget",
        ),
        ("Spider-Man - Far From Home review", None, "Spider-Man - Far From Home review"),
        (
            "Why the Fed paused - and what comes next for rates",
            None,
            "Why the Fed paused - and what comes next for rates",
        ),
    ],
)
def test_site_suffix(title: str, site: str | None, expected: str) -> None:
    assert strip_site_suffix(title, site) == expected
