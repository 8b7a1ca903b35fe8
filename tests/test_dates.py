from __future__ import annotations

import pytest

from pipeline.extraction.metadata import dates
from pipeline.extraction.metadata.dates import find_date_in_text, to_iso


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-19T06:12:00+00:00", "2025-10-19T06:12:00+00:00"),
        ("2025-10-19T06:12:00Z", "2025-10-19T06:12:00+00:00"),
        ("2025-10-19T06:12:00.123-0400", "2025-10-19T06:12:00-04:00"),
        ("2025-10-19T06:12:00+05:30", "2025-10-19T06:12:00+05:30"),
        ("2025-10-19T06:12", "2025-10-19T06:12:00"),
        ("2025-10-19 06:12:00", "2025-10-19T06:12:00"),
        ("2025-10-19 06:12:00 UTC", "2025-10-19T06:12:00+00:00"),
        ("2025-10-19", "2025-10-19"),
        ("  2025-10-19\n", "2025-10-19"),
        ("2018/06/20", "2018-06-20"),
        ("2025.10.19", "2025-10-19"),
        ("20251019", "2025-10-19"),
        ("20251019T061200Z", "2025-10-19T06:12:00+00:00"),
        ("Sun, 19 Oct 2025 06:12:00 GMT", "2025-10-19T06:12:00+00:00"),
        ("Sun, 19 Oct 2025 06:12:00 +0300", "2025-10-19T06:12:00+03:00"),
        ("19 Oct 2025 06:12", "2025-10-19T06:12:00"),
    ],
)
def test_machine_formats(value: str, expected: str) -> None:
    assert to_iso(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("October 19, 2025", "2025-10-19"),
        ("Oct. 19, 2025", "2025-10-19"),
        ("19 Oct 2025", "2025-10-19"),
        ("19th of October 2025", "2025-10-19"),
        ("Sunday, October 19, 2025 at 6:12 pm", "2025-10-19T18:12:00"),
        ("October 19, 2025 12:05 AM", "2025-10-19T00:05:00"),
        ("October 19, 2025 6:12 AM EDT", "2025-10-19T06:12:00-04:00"),
        ("Published online: 20 Jun 2018", "2018-06-20"),
        ("19.10.2025", "2025-10-19"),
        ("19.10.2025 14:30", "2025-10-19T14:30:00"),
        ("19/10/2025", "2025-10-19"),
        ("10/19/2025", "2025-10-19"),
        ("2025年10月19日", "2025-10-19"),
        ("2025年10月19日 08:15", "2025-10-19T08:15:00"),
        ("2025年10月19日(日) 午後3時05分", "2025-10-19T15:05:00"),
        ("2025년 10월 19일", "2025-10-19"),
    ],
)
def test_human_formats(value: str, expected: str) -> None:
    assert to_iso(value) == expected


@pytest.mark.parametrize(
    ("value", "languages", "expected"),
    [
        ("19 октября 2025, 14:30", ["ru"], "2025-10-19T14:30:00"),
        ("19 октября 2025, 14:30", None, "2025-10-19T14:30:00"),
        ("19 октября 2025 г.", ["ru-RU"], "2025-10-19"),
        ("19. Oktober 2025", ["de"], "2025-10-19"),
        ("19 de octubre de 2025", ["es"], "2025-10-19"),
        ("October 2025", ["en"], "2025-10-01"),
        ("19 октября 2025", ["xx"], "2025-10-19"),  # unknown code: detect instead
    ],
)
def test_dateparser_languages(value: str, languages: list[str] | None, expected: str) -> None:
    assert to_iso(value, languages) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "nonsense",
        "Updated 3 hours ago",
        "yesterday",
        "Oct 19",  # no year: not a publication date
        "123",
        "1985-01-01",
        "2150-06-01",
        "19 Oct 1975",
        "2025-02-30",
        "2025-13-01",
        "2025-10-19T25:00:00",
        "x" * 300,
    ],
)
def test_not_a_date(value: str) -> None:
    assert to_iso(value, ["en"]) is None


def test_ambiguous_slash_date_goes_to_dateparser() -> None:
    # 3/4/2025 is March in the US, April elsewhere: the language decides.
    assert to_iso("3/4/2025", ["en"]) == "2025-03-04"


def test_machine_formats_skip_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(text: str, langs: tuple[str, ...] | None) -> str | None:
        raise AssertionError(f"dateparser called for {text!r}")

    monkeypatch.setattr(dates, "_parse_dateparser", boom)
    for value in (
        "2025-10-19T06:12:00Z",
        "20251019",
        "Sun, 19 Oct 2025 06:12:00 GMT",
        "October 19, 2025",
        "19.10.2025",
        "2025年10月19日",
        "Updated 3 hours ago",
    ):
        to_iso(value)


def test_parser_is_cached() -> None:
    assert dates._parser(("en",)) is dates._parser(("en",))


@pytest.mark.parametrize(
    ("line", "languages", "expected"),
    [
        ("by Noah Rodriguez October 19, 2025 in Kyrgyzstan", ["en"], "2025-10-19"),
        ("Опубликовано 19 октября 2025, 14:30", ["ru"], "2025-10-19T14:30:00"),
        ("Posted on 2025-10-19 by admin", None, "2025-10-19"),
        ("公開日 2025年10月19日 08:15", None, "2025-10-19T08:15:00"),
        ("Jane Doe | 19.10.2025 14:30", None, "2025-10-19T14:30:00"),
        ("Published: 20 Jun 2018 · 5 min read", None, "2018-06-20"),
        ("Chapter 12, 2025 then October 19, 2025", ["en"], "2025-10-19"),
        ("Updated 3 hours ago", ["en"], None),
        ("No date here at all", ["en"], None),
        ("", None, None),
    ],
)
def test_find_date_in_text(line: str, languages: list[str] | None, expected: str | None) -> None:
    assert find_date_in_text(line, languages) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Java's Date.toString(), which CMSs print into JSON-LD
        ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T19:20:36+02:00"),
        ("Fri Apr 28 19:20:36 UTC 2023", "2023-04-28T19:20:36+00:00"),
        ("Fri Apr 28 19:20:36 XYZ 2023", "2023-04-28T19:20:36"),  # unknown zone: none
        # JavaScript's
        (
            "Fri Apr 28 2023 19:20:36 GMT+0200 (Central European Summer Time)",
            "2023-04-28T19:20:36+02:00",
        ),
    ],
)
def test_date_tostring_forms(value: str, expected: str) -> None:
    assert to_iso(value) == expected


def test_every_date_of_a_header_with_offsets() -> None:
    text = "Updated Sep 17, 2025 · first published 3 March 2024 · 5 min read"
    assert dates.dates_in_text(text) == [(8, "2025-09-17"), (39, "2024-03-03")]
