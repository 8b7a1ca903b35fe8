from __future__ import annotations

import pytest

from pipeline.extraction.body.boilerplate import (
    is_boilerplate_heading,
    is_boilerplate_text,
    is_credit,
    is_dateline,
    is_pointer,
    is_prompt,
    is_view_count,
)


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
        ("Mehr zum Thema", True),
        ("Das könnte Sie auch interessieren!", True),
        ("Ähnliche Beiträge", True),
        ("Noticias relacionadas", True),
        ("Articles similaires", True),
        ("Über den Autor", True),
        ("Kontakt:", True),
        ("Weiterführende Informationen", True),
        ("Weitere Informationen zum Coronavirus in Thüringen:", True),
        ("Mehr Infos auch auf der Seite von New Balance: newbalance.de", False),
        ("Kommentar", False),  # an opinion piece's heading, not a comments widget
        ("What comes next", False),
        ("Related work in the field", False),
    ],
)
def test_headings(text: str, furniture: bool) -> None:
    assert is_boilerplate_heading(text) is furniture


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("Lesen Sie auch: Der Streit um die Brücke", True),
        ("Auch interessant:", True),
        ("À lire aussi » Ballonnements", True),
        ("LE PUEDE INTERESAR: La ficha de Juan", True),
        ("Czytaj też: Wyścig zbrojeń ruszył z kopyta", True),
        ("Weiterlesen:", True),
        ("Lesen Sie weiter, wenn Sie wissen wollen, wie es ausging.", False),
        ("Mirador de la ciudad: una vista", False),
        ("Auch in diesem Jahr ist der Fluss über die Ufer getreten.", False),
    ],
)
def test_pointers(text: str, pointer: bool) -> None:
    assert is_pointer(text) is pointer


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("Foto: dpa", True),
        ("Crédits photos : Bestimage", True),
        ("Titelbild: Geyres Christophe/ABACA/picture-alliance", True),
        ("Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO", True),
        ("Golf im TV: Die Übertragungszeiten im Überblick. (Foto: Getty)", True),
        ("Son tres los periodos de vacaciones. Foto: Andina", True),
        ("Abbildung 4: klassische Schwachschicht. Der Unterschied in der Kornform.", True),
        ("Figure 2: Rainfall by month in the valley", True),
        ("Figures released on Monday showed a rise in rainfall.", False),
        ("Cost per Credit:In-State | $472Out-of-State | $472", False),
        ("The photos: they were great and we loved them.", False),
        ("Officials said the dam upstream had held, Foto: none of it was true.", False),
    ],
)
def test_credits(text: str, credit: bool) -> None:
    assert is_credit(text) is credit


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("Jetzt zum kostenlosen Newsletter anmelden »", True),
        ("(Noch keine Bewertungen)Loading...", True),
        ("Möchten Sie den Artikel teilen?", True),
        ("*Werbung. Dieser Beitrag enthält Werbung für eine Marke.", True),
        ("Follow The Gleaner on Twitter and Instagram", True),
        ("HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS EXCLUSIVOS", True),
        ("Werbung ist ein großes Geschäft, sagte der Verleger.", False),
        ("Anzeige erstattet: Die Polizei ermittelt gegen den Fahrer.", False),
        ("Follow-up visits were planned for the spring.", False),
        ("Want more from Daily Test? Sign up for our newsletter and shop smarter.", True),
        ("Disclosure: This post contains affiliate links. If you buy, we may earn.", True),
        ("This post may contain affiliate links, view my full disclosure policy.", True),
        ("Did you make one of my recipes? Please leave a star rating.", True),
        ("Pin this for later!", True),
        ("This article is exclusive to Daily+ subscribers", True),
        ("GitHub analytics - what is actually happening (Sponsored)", True),
        ("Advertisement: New AI Book!", True),
        ("Receive growth tips, delivered to your inbox", True),
        ("Affiliate links in posts were banned by the network last year.", False),
        ("Sign up numbers for the course doubled, the college said.", False),
        ("The sponsored athletes wore the new kit.", False),
    ],
)
def test_prompts(text: str, prompt: bool) -> None:
    assert is_prompt(text) is prompt


@pytest.mark.parametrize(
    ("text", "meta"),
    [
        ("Общество | Анна Соколова | 19 октября 2025, 14:30 | Просмотров: 1 248", True),
        ("Politics · Jane Roe · Views: 12,480", True),
        ("The video had 2 million views: a record for the channel.", False),
    ],
)
def test_view_count_lines(text: str, meta: bool) -> None:
    assert is_view_count(text) is meta


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("- Published Oct. 18, 2025, 6:00 a.m. ET\n- Updated Oct. 18, 2025, 1:45 p.m. ET", True),
        ("Updated 19 October 2025", True),
        ("Last updated on 2025-10-19", True),
        ("The council met on October 19, 2025 and voted to fund the tram line.", False),
        ("Posted by Jane Doe on October 19, 2025", False),
        ("Published", False),
    ],
)
def test_a_block_of_labelled_dates_is_a_dateline(text: str, dateline: bool) -> None:
    assert is_dateline(text) is dateline
