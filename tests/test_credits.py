"""Agency and desk credits: a field of their own, never persons (issue 16).

End to end through `pipeline.extract` on small pages, and the field in every
output: JSON (its schema), Parquet, Markdown front matter, records read back."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline
from pipeline.extraction.metadata.byline import dateline_credits
from pipeline.markdown import to_markdown
from pipeline.record import article_from_dict
from pipeline.sinks import open_sink
from tests.records import article
from tests.schema import validate

_PARAGRAPHS = [
    "The river rose overnight and flooded the valley, forcing hundreds of families to leave "
    "their homes before dawn as the water reached the first floors of houses near the bank.",
    "Rescue teams worked through the morning with boats and trucks, and the regional "
    "government opened schools and sports halls as shelters for those who had nowhere to go.",
    "Forecasters expect more rain over the weekend, and officials warned that the dams "
    "upstream were close to their limits after a month of storms across the whole region.",
]


def _page(byline: str = "", first: str = "", head: str = "") -> str:
    paragraphs = [first + _PARAGRAPHS[0], *_PARAGRAPHS[1:]]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!doctype html><html lang='en'><head><title>River floods valley</title>"
        f"<meta property='og:type' content='article'>{head}</head><body><main><article>"
        f"<h1>River floods valley</h1>{byline}"
        "<time datetime='2025-10-19T06:12:00+02:00'>October 19, 2025</time>"
        f"<div class='entry-content'>{body}</div></article></main></body></html>"
    )


@pytest.mark.parametrize(
    ("byline", "authors", "credits"),
    [
        ("<p>By Jane Doe, dpa</p>", ("Jane Doe",), ("dpa",)),
        ("<p>Von Max Muster und dpa</p>", ("Max Muster",), ("dpa",)),
        ("<p>By AFP/Reuters</p>", (), ("AFP", "Reuters")),
        ("<p>By the Podium Staff</p>", (), ("the Podium Staff",)),
        ("<p>By Jane Doe</p>", ("Jane Doe",), ()),
        ("", (), ()),
    ],
)
def test_byline_credits_end_to_end(
    byline: str, authors: tuple[str, ...], credits: tuple[str, ...]
) -> None:
    record = pipeline.extract(_page(byline), url="https://daily.test/floods")
    assert (record.authors, record.credits) == (authors, credits)


def test_a_declared_organisation_is_a_credit_end_to_end() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        '[{"@type": "Person", "name": "Jane Doe"}, {"@type": "Organization", '
        '"name": "Politics Desk"}]}</script>'
    )
    record = pipeline.extract(_page(head=head), url="https://daily.test/floods")
    assert (record.authors, record.credits) == (("Jane Doe",), ("Politics Desk",))


def test_an_opening_dateline_credits_its_agency_and_stays_in_the_text() -> None:
    record = pipeline.extract(
        _page("<p>By Jane Doe</p>", first="WASHINGTON (AP) — "), url="https://daily.test/floods"
    )
    assert (record.authors, record.credits) == (("Jane Doe",), ("AP",))
    assert record.text.startswith("WASHINGTON (AP) — The river rose")


def test_an_agency_later_in_the_body_is_no_credit() -> None:
    later = "<p>Officials told Reuters (AP) — and the AFP desk — that the dams held.</p>"
    html = _page("<p>By Jane Doe</p>").replace("</div></article>", later + "</div></article>")
    record = pipeline.extract(html, url="https://daily.test/floods")
    assert record.credits == ()


@pytest.mark.parametrize(
    ("first", "credits"),
    [
        ("WASHINGTON (AP) — The president said", ("AP",)),
        ("LONDON, Oct 5 (Reuters) - Shares fell", ("Reuters",)),
        ("Berlin (dpa) - Die Regierung hat", ("dpa",)),
        ("Frankfurt/Main (dpa/lhe) - Die Stadt", ("dpa",)),
        ("KYIV, Ukraine (AP) — Drones struck", ("AP",)),
        ("The film (Video) — a review", ()),  # not an agency
        ("WASHINGTON — The president (AP) — said", ()),  # not where a dateline is
        ("the report said (AP) — nothing", ()),  # a sentence, not a place
        ("Some long sentence about many things (AP) — x", ()),
    ],
)
def test_dateline_credits(first: str, credits: tuple[str, ...]) -> None:
    assert dateline_credits(first) == credits


def test_the_field_in_every_output(tmp_path: Path) -> None:
    record = article(1, credits=("dpa", "Politics Desk"))
    data = record.to_dict()
    keys = list(data)
    assert keys[keys.index("authors") + 1] == "credits" and data["credits"] == [
        "dpa",
        "Politics Desk",
    ]
    validate(data)
    assert article_from_dict(data) == record
    # A record written before the field existed reads back with none.
    assert article_from_dict({k: v for k, v in data.items() if k != "credits"}).credits == ()
    assert '\ncredits: ["dpa", "Politics Desk"]\n' in to_markdown(record)
    assert "\ncredits:" not in to_markdown(article(2, credits=()))
    for fmt, target in (("parquet", tmp_path / "parquet"), ("jsonl", tmp_path / "a.jsonl")):
        with open_sink(fmt, target, tmp_path / "errors.jsonl") as sink:
            sink.write(record)
            sink.commit()
        table = pipeline.read(target)
        assert table.column("credits").to_pylist() == [["dpa", "Politics Desk"]]
        assert table.schema.field("credits").type == table.schema.field("authors").type
