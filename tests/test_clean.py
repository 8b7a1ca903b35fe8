from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.extraction import clean
from pipeline.extraction.pageindex import PageIndex
from tests.pages import PARAGRAPHS, article_page


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
