from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.errors import NotArticle
from pipeline.extraction import Page, analyse, extract_page, pagetype

_PROSE = "<p>" + "The council voted on the plan after a long debate about the costs. " * 6 + "</p>"


def _cards(count: int, words: int = 12) -> str:
    blurb = " ".join(["word"] * words)
    return "".join(
        f"<div class='card'><h3><a href='/story-{i}'>A story title number {i}</a></h3>"
        f"<p>{blurb}</p></div>"
        for i in range(count)
    )


def _page(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_teaser_cards_are_repeated_linked_titles_with_short_blurbs() -> None:
    body = LexborHTMLParser(_page("<div>" + _cards(6) + "</div>" + _PROSE).decode()).body
    assert body is not None
    cards, card_words, _ = pagetype.teaser_cards(body)
    assert cards == 6
    assert 6 * 15 <= card_words <= 6 * 25  # each a title and a blurb, not the prose
    # long items are a listicle's sections, not teasers; menus are not cards
    long_items = LexborHTMLParser(_page("<div>" + _cards(6, words=200) + "</div>").decode())
    menu = LexborHTMLParser(_page("<nav>" + _cards(6) + "</nav>").decode())
    for tree in (long_items, menu):
        assert tree.body is not None and pagetype.teaser_cards(tree.body)[0] == 0


def test_free_prose_leaves_out_the_blurbs_of_cards() -> None:
    listing = pagetype.page_signals(LexborHTMLParser(_page(_cards(8, words=40)).decode()))
    article = pagetype.page_signals(LexborHTMLParser(_page(_PROSE * 3).decode()))
    assert listing.free_prose == 0 and listing.cards == 8
    assert article.free_prose > 200 and article.cards == 0


def test_listing_is_rejected_with_the_evidence_in_words() -> None:
    html = _page("<h1>Topic: Climate</h1><div>" + _cards(30) + "</div>")
    with pytest.raises(NotArticle) as caught:
        extract_page(Page(html, "https://news.example/topic/climate"))
    message = str(caught.value)
    assert "teaser" in message  # the cards, or the prose outside them
    assert "score" not in message and "slug_url" not in message  # plain words, not names


def test_a_tag_archive_with_a_three_word_slug_is_still_a_listing() -> None:
    html = _page("<h1>Central Asia rail</h1><div>" + _cards(30) + "</div>")
    with pytest.raises(NotArticle):
        extract_page(Page(html, "https://news.example/tag/central-asia-rail"))


def test_declared_news_article_with_a_full_body_is_an_article_despite_its_links() -> None:
    # a link-heavy body (every sentence cites a source) on a short, slug-less URL
    linked = "<p>" + "<a href='/src'>The council voted on the plan</a> after a debate. " * 8
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Vote",'
        ' "datePublished": "2025-10-19"}</script>'
    )
    body = "<main><h1>Vote</h1>" + (linked + "</p>") * 3 + _PROSE * 2 + "</main>"
    html = _page(body, head)
    found = analyse(Page(html, "https://news.example/a/9"))
    assert pagetype.protected(found.page_features, found.declared_schema)
    assert extract_page(Page(html, "https://news.example/a/9")).title == "Vote"


def test_declared_article_loses_its_protection_when_cards_dominate() -> None:
    head = '<script type="application/ld+json">{"@type": "Article", "headline": "x"}</script>'
    html = _page("<h1>Best of the week</h1>" + _PROSE * 2 + _cards(40), head)
    found = analyse(Page(html, "https://news.example/best-of-the-week"))
    assert found.declared_schema
    assert not pagetype.protected(found.page_features, found.declared_schema)
