from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction.metadata import read_metadata, strip_site_suffix


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


@pytest.mark.parametrize(
    "byline",
    [
        "<p>By Jane Doe</p>",
        "<div><p>Written by</p><p>Jane Doe</p></div>",
        "<span class='x9'>Written by: Jane Doe | March 3, 2025</span>",
    ],
)
def test_labelled_bylines(byline: str) -> None:
    html = (
        "<html><head><title>River floods valley</title></head><body><main>"
        f"<h1>River floods valley</h1>{byline}<p>{'Text of the article. ' * 20}</p>"
        "</main></body></html>"
    )
    meta = read_metadata(LexborHTMLParser(html), None)
    assert meta.authors == ("Jane Doe",)


def test_updated_date_is_not_the_publication_date_when_another_is_shown() -> None:
    html = (
        "<html><body><article><h1>River floods valley</h1>"
        "<p class='meta'>Updated March 9, 2025</p><p class='date'>March 3, 2025</p>"
        f"<p>{'Text of the article. ' * 20}</p></article></body></html>"
    )
    assert read_metadata(LexborHTMLParser(html), None).published == "2025-03-03"


def test_text_language_wins_over_a_template_declaration() -> None:
    """A German article on a site whose template declares English is German."""
    from pipeline.extraction import language

    german = (
        "Die Bundesregierung hat am Mittwoch ein neues Gesetz zur Förderung erneuerbarer "
        "Energien beschlossen. Nach Angaben des Wirtschaftsministeriums sollen damit bis zum "
        "Jahr 2030 mehr als achtzig Prozent des Stroms aus Wind und Sonne kommen. Kritiker "
        "aus der Opposition bemängeln, dass die Netze dafür nicht schnell genug ausgebaut werden."
    )
    assert language.decide("en", german) == "de"
    assert language.decide(None, german) == "de"
    assert language.decide("de", german) == "de"
    # Too little text never overrules the page's declaration.
    assert language.decide("en", "Die Regierung hat beschlossen.") == "en"
    # Neighbours the detector confuses keep the declaration.
    norwegian = "Regjeringen la onsdag fram et nytt forslag om fornybar energi. " * 5
    assert language.detect(norwegian) is not None
    assert language.decide("da", norwegian) == "da"


def test_the_german_page_declaring_english_is_recorded_german() -> None:
    import pipeline

    body = "".join(
        f"<p>Die Bundesregierung hat am Mittwoch in Berlin ein Gesetz beschlossen, Absatz {n}. "
        "Nach Angaben des Ministeriums sollen damit mehr Wohnungen gebaut werden.</p>"
        for n in range(6)
    )
    html = (
        '<html lang="en"><head><title>Gesetz</title></head><body><article>'
        f"<h1>Gesetz beschlossen</h1>{body}</article></body></html>"
    )
    assert pipeline.extract(html, url="https://news.example/politik/gesetz").language == "de"
