from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction import extract_page
from pipeline.extraction.body import clean, container
from pipeline.extraction.pageindex import PageIndex
from pipeline.page import Page
from tests.pages import PARAGRAPHS, article_page

_EXCERPT = (
    "Residents of the valley packed the hall on Thursday evening to hear the plan for"
    " a new ring road, which would take through traffic away from the market square"
)


def cleaned(html: str) -> str:
    """The page's text once what is never text is gone and the furniture flagged
    by the clean stage is dropped."""
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    index = PageIndex(tree.body)
    body = clean.clean(tree.body, index)
    clean.drop(clean.flag(body, index), index)
    return body.text(deep=True, separator=" ")


def test_article_survives_and_furniture_goes() -> None:
    text = cleaned(article_page())
    assert all(p in text for p in PARAGRAPHS)
    for junk in ("World", "Share on Facebook", "Other story one", "All rights reserved"):
        assert junk not in text


@pytest.mark.parametrize(
    "names",
    [
        "jeg_share_button",
        "ad-slot",
        "sidebar-widget",
        "cookie-notice",
        "relatedPosts",
        "ez-toc-container",
        "widget_tag_cloud",
        "post-navigation",
        "author-box",
    ],
)
def test_boilerplate_names(names: str) -> None:
    assert clean.names_are_boilerplate(names)


@pytest.mark.parametrize(
    "names", ["header-content", "shadow", "entry-content", "has-sidebar", "download", "loaded"]
)
def test_ordinary_names(names: str) -> None:
    assert not clean.names_are_boilerplate(names)


def test_misnamed_wrapper_holding_the_article_is_kept() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (
        f"<body><div class='post tag-sidebar'>{paragraphs}</div><div class='sidebar'>x</div></body>"
    )
    text = cleaned(html)
    assert PARAGRAPHS[0] in text and " x" not in text


def _flags(html: str) -> clean.Flags:
    tree = LexborHTMLParser(html)
    assert tree.body is not None
    index = PageIndex(tree.body)
    return clean.flag(clean.clean(tree.body, index), index)


def test_a_furniture_word_does_not_sink_the_main_run_of_text() -> None:
    """The article (text between <br>s, no <p>) holds a third of the page's plain text
    and none of its paragraphs, and is named "comment": the text alone, links
    weighed against, says it is the page's main run of text, so the name is not a
    verdict. The same name on a box that is not the main text is still furniture."""
    text = " ".join(PARAGRAPHS)
    article = "".join(f"<div>{p}<br>{p}</div>" for p in PARAGRAPHS)
    boxes = "".join(f"<div class='box'><p>{text[: len(text) // 2]}</p></div>" for _ in range(7))
    links = (
        "<div class='grid'>" + "".join(f"<a href='/{n}'>{text}</a>" for n in range(6)) + "</div>"
    )
    html = f"<body><div class='article comment'>{article}</div>{boxes}{links}</body>"
    flags = _flags(html)
    assert "comment" in flags.spared.values()
    assert "comment" not in flags.furniture.values()
    flags = _flags(html.replace("class='box'", "class='box comment'", 1))
    assert list(flags.furniture.values()).count("comment") == 1


@pytest.mark.parametrize("word", ["comment", "promo"])
def test_a_word_naming_the_main_text_and_its_paragraphs_is_the_sites_own(word: str) -> None:
    """The article's wrapper and each of its paragraphs carry a furniture word (in the
    class, in the ids: `<p id="promo-2">`); the paragraphs hold most of the main run
    of text (found without names) but not of the page, which has seven other boxes of
    prose. The word is the site's naming of its article: the paragraphs are spared.
    A box outside the main text named by the same word is still furniture."""
    text = " ".join(PARAGRAPHS)
    article = "".join(f"<p id='{word}-{n}'>{p} {p}</p>" for n, p in enumerate(PARAGRAPHS, 1))
    boxes = "".join(f"<div class='box'><p>{text[: len(text) // 2]}</p></div>" for _ in range(7))
    links = (
        "<div class='grid'>" + "".join(f"<a href='/{n}'>{text}</a>" for n in range(6)) + "</div>"
    )
    teaser = "Readers who liked this story also read about the harbour's new ferry timetable."
    aside = f"<div class='box {word}'><p>{teaser}</p></div>"
    html = (
        f"<body><h1>River floods valley</h1><div class='story {word}'>{article}</div>"
        f"{boxes}{aside}{links}</body>"
    )
    flags = _flags(html)
    assert list(flags.spared.values()).count(word) == 1 + len(PARAGRAPHS)
    assert list(flags.furniture.values()).count(word) == 1
    record = extract_page(Page(content=html.encode(), url="https://daily.test/2026/floods"))
    assert all(p in record.text for p in PARAGRAPHS)
    assert teaser not in record.text


def test_hidden_elements_go() -> None:
    html = (
        "<body><p>seen</p><div hidden>a</div><div style='display: none'>b</div>"
        "<div aria-hidden='true'>c</div></body>"
    )
    assert cleaned(html).split() == ["seen"]


def test_page_without_body_text() -> None:
    assert cleaned("<html><body></body></html>") == ""


@pytest.mark.parametrize(
    ("classes", "hidden"),
    [
        ("hidden", True),
        ("modal is-hidden", True),
        ("d-none", True),
        ("hidden md:block", False),  # shown from the md breakpoint on
        ("d-none d-lg-flex", False),
        ("hidden-xs", False),
        ("overflow-hidden", False),
        (None, False),
    ],
)
def test_classes_that_hide(classes: str | None, hidden: bool) -> None:
    assert clean._hidden_by_class(classes) is hidden


def test_teaser_cards_beside_a_short_article_do_not_take_its_place() -> None:
    """Link-free teaser excerpts, each in a card of its own, outweigh a short article
    (a share bar of links pulls the article's wrapper down) whose class holds a
    furniture phrase (`...-read-more`). The wrapper holds the page's main run of text
    (the most paragraph text of one element's own) under the headline: it is spared,
    and the article is kept."""
    article = [
        "The county board voted on Monday to close the old river bridge to lorries"
        f" for the winter, citing cracks found in two of its piers ({n})."
        for n in range(3)
    ]
    cards = "".join(
        f'<div class="card"><h3>Other story {n}</h3><p>{_EXCERPT} ({n}).</p></div>'
        for n in range(8)
    )
    share = "".join(
        f'<li><a href="/share/{n}">Share this story on network {n}</a></li>' for n in range(12)
    )
    page = (
        "<html><body><div class='post'><h1>Bridge closed to lorries</h1>"
        "<div class='entry-content entry-content-read-more'>"
        + "".join(f"<p>{p}</p>" for p in article)
        + f"<ul>{share}</ul></div><div class='grid'>{cards}</div></div></body></html>"
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    clean.clean(tree.body, index)
    entry = index.position(tree.body.css_first("div.entry-content"))
    flags = clean.flag(tree.body, index)
    assert flags.spared.get(entry) == "read-more" and entry not in flags.furniture
    record = extract_page(Page(content=page.encode(), url="https://daily.test/2026/bridge"))
    assert all(p in record.text for p in article)


def test_the_container_search_does_not_leave_the_main_run_of_text_for_a_grid() -> None:
    """A grid of teaser cards can hold nearly all of a wrapper's score (the article
    beside it carries a share bar of links); going down into the grid would leave
    the article's own run of paragraphs out of the container."""
    article = "".join(
        f"<p>The county board voted on Monday to close the old river bridge to lorries for"
        f" the winter, citing cracks in two of its piers ({n}).</p>"
        for n in range(3)
    )
    share = "".join(
        f'<li><a href="/s/{n}">Share this story on network {n}</a></li>' for n in range(8)
    )
    cards = "".join(
        f'<div class="card"><h3>Other story {n}</h3><p>{_EXCERPT} ({n}).</p></div>'
        for n in range(8)
    )
    page = (
        f"<html><body><div class='wrap'><div class='entry'>{article}<ul>{share}</ul></div>"
        f"<div class='grid'>{cards}</div></div></body></html>"
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    index = PageIndex(tree.body)
    found, run = container.locate(index, 0)
    assert index.attributes(run).get("class") == "entry"
    assert index.attributes(found).get("class") == "wrap"
