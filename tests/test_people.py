from __future__ import annotations

import pytest

from pipeline.extraction.metadata.people import agency_credits, clean_authors, organisation_credit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Jane Doe"], ("Jane Doe",)),
        (["Jane Doe and John Smith, Staff Writers"], ("Jane Doe", "John Smith")),
        (["Jane Doe & John Smith"], ("Jane Doe", "John Smith")),
        (["Jane Doe; John Smith"], ("Jane Doe", "John Smith")),
        (["Иван Петров и Мария Иванова"], ("Иван Петров", "Мария Иванова")),
        (["By Jane Doe"], ("Jane Doe",)),
        (["by Jane Doe"], ("Jane Doe",)),
        (["By: Jane Doe"], ("Jane Doe",)),
        (["Von Max Mustermann"], ("Max Mustermann",)),
        (["Par Jean Dupont"], ("Jean Dupont",)),
        (["Por María García"], ("María García",)),
        (["Автор: Иван Петров"], ("Иван Петров",)),
        (["Byron Smith"], ("Byron Smith",)),  # "By" only as a word
        (["Afua Hirsch"], ("Afua Hirsch",)),
    ],
)
def test_prefixes_and_splits(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Jane Doe, Staff Writer"], ("Jane Doe",)),
        (["Jane Doe, Senior Political Correspondent"], ("Jane Doe",)),
        (["Jane Doe Staff Reporter"], ("Jane Doe",)),
        (["Senior Correspondent Jane Doe"], ("Jane Doe",)),
        (["Jane Doe, Editor"], ("Jane Doe",)),
        (["Jane Doe | Reuters"], ("Jane Doe",)),
        (["Jane Doe - Reuters"], ("Jane Doe",)),
        (["Jane Doe (Reuters)"], ("Jane Doe",)),
        (["Jane Doe for The Times"], ("Jane Doe",)),
        (["Jane Doe at Bloomberg"], ("Jane Doe",)),
        (["Jack White"], ("Jack White",)),  # "White" alone is no title
        (["By Jane Doe, with additional reporting by John Smith"], ("Jane Doe", "John Smith")),
        (["Reporting by Jane Doe; Editing by John Smith"], ("Jane Doe",)),
    ],
)
def test_titles_and_employers(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["jane@example.com"], ()),
        (["Jane Doe jane@example.com"], ("Jane Doe",)),
        (["Jane Doe (@janedoe)"], ("Jane Doe",)),
        (["@janedoe"], ()),
        (["https://site.com/author/jane-doe/"], ("Jane Doe",)),
        (["https://site.com/authors/jean-luc-picard"], ("Jean Luc Picard",)),
        (["https://twitter.com/janedoe"], ()),
        (["https://facebook.com/some.page"], ()),
    ],
)
def test_contacts_and_urls(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "Staff",
        "Staff Writer",
        "News Desk",
        "Editorial Team",
        "Editorial Board",
        "The Editors",
        "Associated Press",
        "The Associated Press",
        "Reuters",
        "AFP",
        "AP",
        "Xinhua News Agency",
        "Редакция",
        "admin",
        "Daily Test Staff",
        "Press Association",
        "This is a sentence that is definitely not a name at all",
        "A" * 70,
        "Jane Doe 2",
        "Read more: the story",
    ],
)
def test_not_people(raw: str) -> None:
    assert clean_authors([raw]) == ()


@pytest.mark.parametrize("site", ["Daily Test", "daily test", "DailyTest"])
def test_site_name_is_dropped(site: str) -> None:
    assert clean_authors(["Daily Test", "Jane Doe"], site_name=site) == ("Jane Doe",)


@pytest.mark.parametrize(
    "name",
    [
        "Nicola P. Contessi",
        "Jean-Luc Picard",
        "Иван Петров",
        "山田太郎",
        "Martin Luther King Jr.",
        "Ursula von der Leyen",
        "Seán O'Brien",
        "J. K. Rowling",
    ],
)
def test_names_kept_intact(name: str) -> None:
    assert clean_authors([name]) == (name,)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["JANE DOE"], ("Jane Doe",)),
        (["By JEAN-LUC PICARD"], ("Jean-Luc Picard",)),
        (["ИВАН ПЕТРОВ"], ("Иван Петров",)),
        (["JD Vance"], ("JD Vance",)),
    ],
)
def test_all_caps(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Contessi, Nicola P."], ("Nicola P. Contessi",)),
        (["Doe, Jane"], ("Jane Doe",)),
        (["Smith, Reporter"], ("Smith",)),
        (["Jane Doe, John Smith"], ("Jane Doe", "John Smith")),
    ],
)
def test_citation_style_names(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


def test_deduplicated_case_insensitively_order_kept() -> None:
    raw = ["John Smith", "Jane Doe", "JANE DOE", "jane doe", "By John Smith"]
    assert clean_authors(raw) == ("John Smith", "Jane Doe")


def test_empty_input() -> None:
    assert clean_authors([]) == ()
    assert clean_authors(["", "   "]) == ()


@pytest.mark.parametrize(
    "raw",
    [
        "of the article",  # a phrase, starting with a function word
        "Twitter",
        "Email",
        "View",
        "Sat",
        "RAJSHAHI",  # a dateline's place in capitals
        "フォロー",  # "follow"
        "page.head.extra.author",  # a template placeholder
        "{{ author }}",
        "Our Editors",  # a team, not a person (see organisation_credit)
        "Full Bio",  # an author box's link
        "Learn about our",  # buttons and function words only
        "Image by",  # a photo credit's label
    ],
)
def test_junk_is_no_author(raw: str) -> None:
    assert clean_authors([raw]) == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Preetam Jinka Co-founder"], ("Preetam Jinka",)),
        (["Meghan Neville Content Marketing Coordinator"], ("Meghan Neville",)),
        (["Matthew Richardson ⋅ Review Editor ⋅"], ("Matthew Richardson",)),
        (["Jane Doe Jane Doe"], ("Jane Doe",)),  # a link and its label
        (["Md Aynal Haque RAJSHAHI"], ("Md Aynal Haque",)),
        (["Published by Damien Walter"], ("Damien Walter",)),
    ],
)
def test_roles_repeats_and_places_come_off(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By The Investopedia Team"], "The Investopedia Team"),
        (["Podium Staff"], "Podium Staff"),
        (["Written by: Great Day Editorial Team | 5 min read"], "Great Day Editorial Team"),
        (["Center for Drug Evaluation and Research"], "Center for Drug Evaluation and Research"),
        (["Share", "News Desk"], "News Desk"),
        (["https://example.com/team"], None),
        (["Is this the team you want?"], None),
    ],
)
def test_organisation_credit(raw: list[str], expected: str | None) -> None:
    assert organisation_credit(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["View all posts by Ray Ansari"], ("Ray Ansari",)),
        (["Insights from Liza Burke"], ("Liza Burke",)),
        (["Fact checked by Jane Roe"], ()),
        (["Updated on"], ()),
        (["mins read"], ()),
        (["Last update"], ()),
    ],
)
def test_byline_labels_are_no_names(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "authors", "credits"),
    [
        (["Jane Doe, dpa"], ("Jane Doe",), ("dpa",)),
        (["Von Max Muster und dpa"], ("Max Muster",), ("dpa",)),
        (["By AFP/Reuters"], (), ("AFP", "Reuters")),
        (["Jane Doe (Reuters)"], ("Jane Doe",), ("Reuters",)),
        (["Jane Doe | CNN"], ("Jane Doe",), ("CNN",)),
        (["By The Associated Press"], (), ("The Associated Press",)),
        (["Politics Desk"], (), ("Politics Desk",)),
        (["By Reuters Staff", "REUTERS"], (), ("Reuters Staff", "REUTERS")),
        (["Reuters", "reuters"], (), ("Reuters",)),  # de-duplicated
        (["Redaktion"], (), ("Redaktion",)),
        (["The Editors"], (), ("The Editors",)),  # a team, though "editors" is a role
    ],
)
def test_agency_and_desk_credits(
    raw: list[str], authors: tuple[str, ...], credits: tuple[str, ...]
) -> None:
    assert (clean_authors(raw), agency_credits(raw)) == (authors, credits)


@pytest.mark.parametrize(
    "raw",
    [
        "Jane Doe, Staff Writer",  # roles
        "Jane Doe and John Smith, Staff Writers",
        "Washington Bureau Chief",
        "Jane Doe for The Times",  # an employer
        "Jane Doe at Bloomberg",
        "Jane Doe Reuters",  # a name and an agency run together: neither is sure
        "Jane Doe, University of Oxford",  # an affiliation
        "AP Photo/Jane Doe",  # a picture's credit
        "Photos by Reuters",
        "admin",  # an account
        "Ap Dillon",  # case matters: "Ap" is a name
        "Reporting by Jane Doe; Editing by John Smith",
    ],
)
def test_no_credit(raw: str) -> None:
    assert agency_credits([raw]) == ()


def test_an_account_is_no_organisation() -> None:
    assert organisation_credit(["admin"]) is None
