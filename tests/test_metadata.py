from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction.metadata import Metadata, clean_tags, read_metadata, strip_site_suffix


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


def _meta(body: str, head: str = "", url: str | None = None) -> Metadata:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return read_metadata(LexborHTMLParser(html), url)


_BODY_TEXT = "<p>" + "Text of the article, long enough to be a paragraph. " * 5 + "</p>"


# --- titles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("h1", "declared", "expected"),
    [
        # a kicker printed apart from the headline is not glued to it, and goes when
        # the declared title lacks it
        (
            "<h1><span class='kicker'>Ukraine</span>Kyiv holds the line</h1>",
            "Kyiv holds the line",
            "Kyiv holds the line",
        ),
        (
            "<h1><span class='kicker'>Ukraine</span>Kyiv holds the line</h1>",
            "Ukraine: Kyiv holds the line",
            "Ukraine Kyiv holds the line",
        ),
        ("<h1>WEEKEND<br>CODING<br>AGENT</h1>", "Weekend coding agent", "WEEKEND CODING AGENT"),
        # a word split by inline markup stays one word
        ("<h1>Sup<em>er</em>bloom season</h1>", "Superbloom season", "Superbloom season"),
        # the date printed inside the h1 is not part of the headline
        (
            "<h1><time datetime='2025-12-18'>Dec 18 2025</time> Preparing a transition</h1>",
            "Preparing a transition",
            "Preparing a transition",
        ),
    ],
)
def test_headline_pieces(h1: str, declared: str, expected: str) -> None:
    meta = _meta(h1 + _BODY_TEXT, f"<meta property='og:title' content='{declared}'>")
    assert meta.title == expected


def test_h1_linking_up_to_the_blog_is_the_sites_name() -> None:
    head = "<title>Defer, Panic, and Recover - The Go Blog</title>"
    body = "<h1><a href='/blog/'>The Go Blog</a></h1><h1>Defer, Panic, and Recover</h1>"
    meta = _meta(body + _BODY_TEXT, head, "https://go.dev/blog/defer-panic-and-recover")
    assert meta.title == "Defer, Panic, and Recover"


def test_h1_is_the_headline_when_any_declared_title_shares_its_words() -> None:
    # JSON-LD's headline is an SEO variant; og:title is the visible headline
    head = (
        "<meta property='og:title' content='I Tried Amp, the AI Strength System'>"
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "headline": "Amp AI Fitness Machine Review"}</script>'
    )
    meta = _meta("<h1>I Tried Amp, the AI Strength System</h1>" + _BODY_TEXT, head)
    assert meta.title == "I Tried Amp, the AI Strength System"


def test_truncated_jsonld_headline_gives_way_to_the_full_declared_title() -> None:
    full = "Fix It Friday: We Help 4 Readers Find Solutions (Including One Universal Trick)"
    head = (
        f"<meta property='og:title' content='{full} - Emily Henderson'>"
        f"<title>{full} - Emily Henderson</title>"
        '<script type="application/ld+json">{"@type": "BlogPosting",'
        ' "headline": "Fix It Friday: We Help 4 Readers Find Solutions (Including"}</script>'
        "<meta property='og:site_name' content='Emily Henderson'>"
    )
    assert _meta(_BODY_TEXT, head).title == full


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        # after the site's name comes off, a subtitle after a dash stays
        (
            "Best Bread Machines – My Favorites! - Bread Dad",
            "Bread Dad",
            "Best Bread Machines – My Favorites!",
        ),
        # a closing guillemet closes a quote: it is not decoration
        ("«Wir haben keine Wahl»", None, "«Wir haben keine Wahl»"),
        ("Zürich stimmt ab: «Ja zum Velo»", None, "Zürich stimmt ab: «Ja zum Velo»"),
        ("Headline »", None, "Headline"),
        # a dash tail that is a sentence's, not a name, stays
        ("Storm warning - what you need to know", None, "Storm warning - what you need to know"),
        ("Storm warning - Move.org", None, "Storm warning"),
    ],
)
def test_site_suffix_keeps_subtitles_and_quotes(
    title: str, site: str | None, expected: str
) -> None:
    assert strip_site_suffix(title, site) == expected


# --- dates ----------------------------------------------------------------------------


def _ld(**fields: str) -> str:
    pairs = ", ".join(f'"{k}": "{v}"' for k, v in fields.items())
    return f'<script type="application/ld+json">{{"@type": "NewsArticle", {pairs}}}</script>'


def test_date_tostring_in_jsonld_beats_a_teasers_time() -> None:
    head = _ld(datePublished="Fri Apr 28 19:20:36 CEST 2023")
    body = (
        "<main><h1>Budget vote delayed</h1>" + _BODY_TEXT + "</main>"
        "<div><article><h3><a href='/b'>Other story</a></h3>"
        "<time datetime='2023-05-02T08:00:00Z'>2 May</time></article></div>"
    )
    assert _meta(body, head).published == "2023-04-28T19:20:36+02:00"


def test_declared_date_beats_a_visible_time_of_day() -> None:
    head = "<meta property='article:published_time' content='2023-04-28T15:48:00+02:00'>"
    body = "<main><h1>Budget vote delayed</h1><p>Heute, 3:48 Uhr</p>" + _BODY_TEXT + "</main>"
    assert _meta(body, head).published == "2023-04-28T15:48:00+02:00"


def test_header_date_beats_a_declared_date_of_another_day() -> None:
    # the CMS re-saved the page: its JSON-LD dates are the re-save's
    head = _ld(datePublished="Jun 24, 2025", dateModified="Jun 24, 2025")
    body = "<main><h1>What to charge</h1><p>Shauna Mitchell · August 25, 2024</p>" + _BODY_TEXT
    assert _meta(body + "</main>", head).published == "2024-08-25"


def test_declared_date_kept_when_the_header_shows_the_same_day() -> None:
    head = _ld(datePublished="2024-08-25T09:30:00+00:00")
    body = "<main><h1>What to charge</h1><p>August 25, 2024</p>" + _BODY_TEXT + "</main>"
    assert _meta(body, head).published == "2024-08-25T09:30:00+00:00"


@pytest.mark.parametrize(
    "dateline",
    [
        "<p>Last updated: Nov 6, 2025</p>",
        "<p>Updated on <time datetime='2025-11-06T12:40:44-08:00'>November 6, 2025</time></p>",
        # shown without a label, on the day the page declares as its modification
        "<p>Jane Doe · November 6, 2025</p>",
    ],
)
def test_update_dates_in_the_header_are_not_the_publication(dateline: str) -> None:
    head = _ld(datePublished="2025-02-12T23:21:00+00:00", dateModified="2025-11-06T20:40:44Z")
    body = "<main><h1>Hottest markets</h1>" + dateline + _BODY_TEXT + "</main>"
    assert _meta(body, head).published == "2025-02-12T23:21:00+00:00"


def test_originally_published_after_an_update_in_one_time_element() -> None:
    body = (
        "<main><h1>Anxiety screening</h1><time datetime='2022-11-11T20:23:00-05:00'>"
        "<span>Updated November 11, 2022</span> <span>Originally published November 9, 2022"
        "</span></time>" + _BODY_TEXT + "</main>"
    )
    assert _meta(body).published == "2022-11-09"


def test_a_date_above_the_headline_counts_but_not_the_sites_today_bar() -> None:
    body = (
        "<header class='site-header'><p>Wednesday, February 4, 2026</p></header>"
        "<main><p>Travel · September 8, 2021</p><h1>How to rent a car</h1>" + _BODY_TEXT + "</main>"
    )
    assert _meta(body).published == "2021-09-08"


def test_many_teaser_dates_are_no_page_date() -> None:
    cards = "".join(
        f"<div class='card'><h2><a href='/p{i}'>Story {i}</a></h2>"
        f"<time datetime='2025-11-{10 + i}'>Nov {10 + i}</time></div>"
        for i in range(5)
    )
    assert _meta(f"<div>{cards}</div>").published is None


# --- authors --------------------------------------------------------------------------


def test_labelled_header_byline_beats_the_declared_cms_account() -> None:
    head = "<meta name='author' content='KatieS'>"
    body = "<main><h1>Rental car companies</h1><p>by Aoife O'Riordan Oct 22, 2025</p>"
    assert _meta(body + _BODY_TEXT + "</main>", head).authors == ("Aoife O'Riordan",)


def test_header_byline_of_linked_names() -> None:
    body = (
        "<main><h1>Glaciers retreat</h1><p>By <a href='/a/jd'>Jane Doe</a> and "
        "<a href='/a/js'>John Smith</a> · Oct 18, 2025</p>" + _BODY_TEXT + "</main>"
    )
    assert _meta(body).authors == ("Jane Doe", "John Smith")


def test_declared_site_name_gives_way_to_the_visible_byline() -> None:
    head = (
        "<meta property='og:site_name' content='Cleveland Clinic'>"
        '<script type="application/ld+json">{"@type": "Article",'
        ' "author": {"name": "Cleveland Clinic"}}</script>'
    )
    body = "<main><h1>How to meditate</h1><div class='author'>Holly Wilgus</div>"
    assert _meta(body + _BODY_TEXT + "</main>", head).authors == ("Holly Wilgus",)


def test_names_printed_apart_are_two_people() -> None:
    body = (
        "<main><h1>Solar installation</h1><div class='author-names'>"
        "<a href='/author/ew'><span>Emily Walker</span><span>Casey McDevitt</span></a></div>"
    )
    assert _meta(body + _BODY_TEXT + "</main>").authors[0] == "Emily Walker"


def test_an_organisation_is_a_credit_never_an_author() -> None:
    body = "<main><h1>Plumbing trends</h1><p>By Podium Staff</p>" + _BODY_TEXT + "</main>"
    meta = _meta(body)
    assert (meta.authors, meta.credits) == ((), ("Podium Staff",))
    org = (
        '<script type="application/ld+json">{"@type": "Article", "author":'
        ' {"@type": "Organization", "name": "InstaTunnel Team"}}</script>'
    )
    meta = _meta("<main><h1>LDAP DoS</h1>" + _BODY_TEXT + "</main>", org)
    assert (meta.authors, meta.credits) == ((), ("InstaTunnel Team",))
    # A declared Organization is credited beside the person the byline names.
    with_person = "<main><h1>LDAP DoS</h1><p>By Jane Doe</p>" + _BODY_TEXT + "</main>"
    meta = _meta(with_person, org)
    assert (meta.authors, meta.credits) == (("Jane Doe",), ("InstaTunnel Team",))


def test_the_site_as_declared_author_is_a_credit() -> None:
    head = (
        "<meta property='og:site_name' content='Cleveland Clinic'>"
        '<script type="application/ld+json">{"@type": "Article",'
        ' "author": {"name": "Cleveland Clinic"}}</script>'
    )
    meta = _meta("<main><h1>How to meditate</h1>" + _BODY_TEXT + "</main>", head)
    assert (meta.authors, meta.credits) == ((), ("Cleveland Clinic",))


@pytest.mark.parametrize(
    ("byline", "authors", "credits"),
    [
        ("<p>By Jane Doe, dpa</p>", ("Jane Doe",), ("dpa",)),
        ("<p>Von Max Muster und dpa</p>", ("Max Muster",), ("dpa",)),
        ("<p>By AFP/Reuters</p>", (), ("AFP", "Reuters")),
        ("<p>By Jane Doe | Politics Desk</p>", ("Jane Doe",), ("Politics Desk",)),
        ("<div class='byline'>Jane Doe (AP)</div>", ("Jane Doe",), ("AP",)),
        ("<p>By Jane Doe, Staff Writer</p>", ("Jane Doe",), ()),  # a role is no credit
        ("<p>By Jane Doe for The Times</p>", ("Jane Doe",), ()),  # nor an employer
    ],
)
def test_agency_and_desk_credits_of_a_byline(
    byline: str, authors: tuple[str, ...], credits: tuple[str, ...]
) -> None:
    meta = _meta("<main><h1>Floods in the valley</h1>" + byline + _BODY_TEXT + "</main>")
    assert (meta.authors, meta.credits) == (authors, credits)


def test_a_declared_agency_is_a_credit() -> None:
    head = "<meta name='author' content='Jane Doe, Reuters'>"
    meta = _meta("<main><h1>Markets fall</h1>" + _BODY_TEXT + "</main>", head)
    assert (meta.authors, meta.credits) == (("Jane Doe",), ("Reuters",))


def test_an_agency_in_the_body_text_is_no_credit() -> None:
    text = "<p>" + "Officials told Reuters and the AP that the desk was closed. " * 3 + "</p>"
    meta = _meta("<main><h1>Floods</h1><p>By Jane Doe</p>" + text + "</main>")
    assert (meta.authors, meta.credits) == (("Jane Doe",), ())


def test_one_byline_per_teaser_is_no_author() -> None:
    cards = "".join(
        f"<div class='card'><h2><a href='/p{i}'>Story {i}</a></h2><p>By Writer {name}</p></div>"
        for i, name in enumerate(("Adams", "Baker", "Clark"))
    )
    assert _meta(f"<div>{cards}</div>").authors == ()


def test_a_headline_nested_thousands_deep_is_read_without_recursion() -> None:
    deep = "<span>" * 5000 + "Deep title" + "</span>" * 5000
    assert _meta(f"<main><h1>{deep}</h1>{_BODY_TEXT}</main>").title == "Deep title"


# --- tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a comma-separated keyword string is several tags
        (["climate, glaciers,  Alps"], ("climate", "glaciers", "Alps")),
        (["climate", "Climate", "water"], ("climate", "water")),
        # CMS identifiers and internal labels are no tags
        (["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "glaciers"], ("glaciers",)),
        (["5f1d7a2b9c3e4f6a8b0c", "Category: Life", "tag:featured", "1234"], ()),
        (["A whole sentence that a CMS put into the keywords field of the page"], ()),
    ],
)
def test_declared_tags_are_split_and_cleaned(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_tags(raw) == expected


def test_article_tag_metas_holding_one_keyword_string() -> None:
    head = (
        "<meta property='article:tag' content='Kyrgyzstan, rail, China'>"
        "<meta property='article:tag' content='a1b2c3d4-e5f6-7890-abcd-ef1234567890'>"
    )
    assert _meta("<main><h1>Rail</h1>" + _BODY_TEXT + "</main>", head).tags == (
        "Kyrgyzstan",
        "rail",
        "China",
    )


def test_of_several_h1s_the_one_the_declared_title_names() -> None:
    head = "<meta property='og:title' content='Top rental car companies of 2025'>"
    body = (
        "<div class='promo'><h1>FX Excursions</h1></div>"
        "<main><h1>Top rental car companies of 2025</h1><p>by Aoife O'Riordan</p>"
        + _BODY_TEXT
        + "</main>"
    )
    meta = _meta(body, head)
    assert meta.title == "Top rental car companies of 2025"
    assert meta.authors == ("Aoife O'Riordan",)


def test_an_article_header_outside_the_article_is_not_the_sites() -> None:
    site_header = "<header><nav><a href='/'>Home</a></nav><p>By Site Admin Team</p></header>"
    article_header = (
        "<header class='entry-header'><h1>Cloud innovations</h1>"
        "<p>By Juliette Carreiro · February 4, 2025</p></header>"
    )
    meta = _meta(site_header + article_header + _BODY_TEXT)
    assert meta.title == "Cloud innovations"
    assert meta.authors == ("Juliette Carreiro",)
    assert meta.published == "2025-02-04"


def test_reviewers_and_labels_are_not_authors() -> None:
    body = (
        "<main><h1>Best tax software</h1><div class='author-box'><span>Updated on</span></div>"
        "<p>Reviewed by Jane Roe</p>" + _BODY_TEXT + "</main>"
    )
    assert _meta(body).authors == ()


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


# --- titles: agreement between the h1 and the declared titles --------------------------


def test_an_h1_in_a_widget_named_wrapper_is_the_headline_when_it_matches() -> None:
    # page builders name every block a widget; the h1 that matches og:title is the headline
    head = "<meta property='og:title' content='House Renovation Costs in the Bay Area'>"
    body = (
        "<div class='elementor-widget-container'>"
        "<h1>House Renovation Costs in the Bay Area: Room-by-Room Breakdown</h1></div>" + _BODY_TEXT
    )
    assert _meta(body, head).title == (
        "House Renovation Costs in the Bay Area: Room-by-Room Breakdown"
    )


def test_a_widget_h1_sharing_a_word_or_two_is_not_the_headline() -> None:
    head = "<title>GAAP Compliance: Applying Accounting Best Practices To Your Business</title>"
    body = "<div class='widget-span'><h1>SUPPORTING GAAP COMPLIANCE</h1></div>" + _BODY_TEXT
    assert _meta(body, head).title == (
        "GAAP Compliance: Applying Accounting Best Practices To Your Business"
    )


def test_of_several_h1s_the_one_agreeing_best_with_the_declared_title() -> None:
    head = "<title>The Fold-and-Cut Problem (Erik Demaine)</title>"
    body = "<h1>Erik Demaine's Folding and Unfolding:</h1><h1>The Fold-and-Cut Problem</h1>"
    assert _meta(body + _BODY_TEXT, head).title == "The Fold-and-Cut Problem"


def test_a_one_word_h1_of_a_long_declared_title_is_not_its_headline() -> None:
    title = "How we pwned X, Vercel, Cursor, Discord, and hundreds of companies at once"
    head = f"<meta property='og:title' content='{title}'>"
    assert _meta("<main><h1>Discord</h1>" + _BODY_TEXT + "</main>", head).title == title


_AGENCIES = "Best Advertising Agencies in the U.S. in 2025"


@pytest.mark.parametrize(
    ("h1", "expected"),
    [
        # a label glued before the declared title goes
        (f"Blog: {_AGENCIES}", _AGENCIES),
        (f"Title:{_AGENCIES}", _AGENCIES),
        # words that read on into the title stay
        (f"The {_AGENCIES}", f"The {_AGENCIES}"),
    ],
)
def test_a_label_before_the_headline(h1: str, expected: str) -> None:
    head = f"<meta property='og:title' content='{_AGENCIES}'>"
    assert _meta(f"<h1>{h1}</h1>" + _BODY_TEXT, head).title == expected


@pytest.mark.parametrize(
    "longer",
    [
        "Local Trails Worth Riding | Blue Line Bike Lab Houston Texas",
        "Local Trails Worth Riding (of the 30 We Rode)",
        "Local Trails Worth Riding:Our shop rides all of these every week, join us.",
    ],
)
def test_a_declared_title_with_a_suffix_is_not_the_full_form_of_the_plain_one(
    longer: str,
) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting",'
        ' "headline": "Local Trails Worth Riding"}</script>'
        f"<meta property='og:title' content='{longer}'>"
    )
    assert _meta(_BODY_TEXT, head).title == "Local Trails Worth Riding"


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        # the site's name as the title prints it: shortened, or as initials
        (
            "Website Design Portfolio | Thrive Internet Marketing",
            "Thrive Internet Marketing Agency",
            "Website Design Portfolio",
        ),
        (
            "Practical Tips for Beginners - Eat Your Greens",
            "Eat Your Greens - From nutrition to everyday habits",
            "Practical Tips for Beginners",
        ),
        (
            "Healthy meals on a budget - BHF",
            "British Heart Foundation",
            "Healthy meals on a budget",
        ),
        # a site's name holding a separator comes off whole
        (
            "Startups with solutions | NSF - U.S. National Science Foundation",
            "NSF - U.S. National Science Foundation",
            "Startups with solutions",
        ),
        # one shared first word is not the site's name
        ("Bread machines - bread", "Bread Dad", "Bread machines - bread"),
    ],
)
def test_site_names_as_titles_print_them(title: str, site: str, expected: str) -> None:
    assert strip_site_suffix(title, site) == expected


# --- dates: the dateline after a standfirst, swapped day and month, meta names ---------


def test_the_dateline_after_a_standfirst_is_the_articles() -> None:
    standfirst = "<p>" + "Why analytics agents are reshaping how companies decide. " * 4 + "</p>"
    body = (
        "<main><h1>Enterprise analytics</h1>" + standfirst + "<p>Product · January 5, 2026</p>"
        "<p>" + "The body of the article, which mentions March 3, 2024 in passing. " * 4 + "</p>"
        "</main>"
    )
    assert _meta(body).published == "2026-01-05"


def test_a_date_inside_the_standfirst_is_not_the_dateline() -> None:
    standfirst = "<p>" + "Since March 3, 2024 the agents have reshaped decisions. " * 4 + "</p>"
    head = _ld(datePublished="2026-01-05")
    body = "<main><h1>Enterprise analytics</h1>" + standfirst + _BODY_TEXT + "</main>"
    assert _meta(body, head).published == "2026-01-05"


def test_a_shown_date_with_day_and_month_swapped_is_the_declared_one() -> None:
    head = _ld(datePublished="2024-09-10T16:07:00Z")
    body = "<main><h1>Renovation phases</h1><p>09/10/2024</p>" + _BODY_TEXT + "</main>"
    assert _meta(body, head).published == "2024-09-10T16:07:00+00:00"


def test_a_meta_named_published() -> None:
    head = "<meta name='published' content='July 17, 2025'>"
    assert _meta("<main><h1>Data tools</h1>" + _BODY_TEXT + "</main>", head).published == (
        "2025-07-17"
    )


def test_a_page_without_a_date_of_its_own_does_not_take_the_sites_today_bar() -> None:
    """The last-resort search (htmldate) reads the page without the site's header,
    navigation, footer and sidebars: their dates are the site's."""
    from pipeline.extraction import extract_page
    from pipeline.page import Page
    from tests.pages import article_page

    dated = article_page()
    undated = dated.replace(
        '<time datetime="2025-10-19T06:12:00+02:00">October 19, 2025</time>', ""
    )
    assert "Monday, November 23, 2026" in undated  # the header's "today" bar is still there
    url = "https://daily.test/news/river-floods-valley"
    assert extract_page(Page(undated.encode(), url=url)).published is None
    assert extract_page(Page(dated.encode(), url=url)).published == "2025-10-19T06:12:00+02:00"
