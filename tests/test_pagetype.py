from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipeline.errors import NotArticle
from pipeline.extraction import Page, analyse, extract_page, pagetype
from pipeline.extraction.pageindex import PageIndex

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
    cards, card_words, _ = pagetype.teaser_cards(PageIndex(body))
    assert cards == 6
    assert 6 * 15 <= card_words <= 6 * 25  # each a title and a blurb, not the prose
    # long items are a listicle's sections, not teasers; menus are not cards
    long_items = LexborHTMLParser(_page("<div>" + _cards(6, words=200) + "</div>").decode())
    menu = LexborHTMLParser(_page("<nav>" + _cards(6) + "</nav>").decode())
    for tree in (long_items, menu):
        assert tree.body is not None and pagetype.teaser_cards(PageIndex(tree.body))[0] == 0


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


_CHINESE = "<p>" + "市政府今天宣布了新的交通计划，居民对此表示欢迎并提出了许多建议。" * 4 + "</p>"


def test_chinese_prose_without_spaces_is_counted_in_words() -> None:
    # one whitespace-free run per paragraph: a split() count would see 1 word each
    signals = pagetype.page_signals(LexborHTMLParser(_page(_CHINESE * 3).decode()))
    assert signals.free_prose > 200


@pytest.mark.parametrize("wrapper", ["form action='/post'", "header"])
def test_a_site_part_wrapping_the_whole_page_does_not_shut_out_its_prose(wrapper: str) -> None:
    tag = wrapper.split()[0]
    wrapped = pagetype.page_signals(
        LexborHTMLParser(_page(f"<{wrapper}><main>{_PROSE * 3}</main></{tag}>").decode())
    )
    assert wrapped.free_prose > 200
    # a menu beside the article is still a site part: its text is not the article's
    menu = f"<nav>{_PROSE}</nav><main>{_PROSE * 3}</main>"
    beside = pagetype.page_signals(LexborHTMLParser(_page(menu).decode()))
    assert 200 < beside.free_prose < 4 * 70


def _named(html: bytes, url: str) -> dict[str, float]:
    found = analyse(Page(html, url))
    return dict(zip(pagetype.FEATURES, found.page_features, strict=True))


def test_the_site_root_is_a_home_page_but_a_numbered_post_there_is_not() -> None:
    html = _page("<h1>A post</h1>" + _PROSE * 2)
    assert _named(html, "https://blog.example/")["declared_listing"] == 1.0
    assert _named(html, "https://blog.example/?p=2895")["declared_listing"] == 0.0


def test_linked_teaser_headings_and_the_kept_body_are_measured() -> None:
    listing = _named(
        _page("<h1>News</h1><main>" + _cards(12) + "</main>"), "https://x.example/news"
    )
    article = _named(_page("<h1>A vote</h1><main>" + _PROSE * 3 + "</main>"), "https://x.example/a")
    assert listing["log_linked_headings"] > article["log_linked_headings"] == 0.0
    assert article["sentence_share"] > 0.9
    assert article["kept_link_share"] == 0.0


def test_the_shipped_model_matches_the_features_and_round_trips() -> None:
    shipped = pagetype.model()
    assert len(shipped.terms) == len(pagetype.FEATURES)
    assert pagetype.from_json(pagetype.to_json(shipped)) == shipped
    broken = pagetype.to_json(shipped)
    broken["features"] = broken["features"][:-1]
    with pytest.raises(ValueError, match="other features"):
        pagetype.from_json(broken)


def test_a_chinese_article_is_not_rejected_as_a_listing() -> None:
    head = "<title>市政府宣布新的交通计划并征求居民意见</title>"
    html = _page(
        "<h1>市政府宣布新的交通计划并征求居民意见</h1><main>" + _CHINESE * 5 + "</main>", head
    )
    record = extract_page(Page(html, "https://news.example.cn/local/2020-02/19/c_1125597921.htm"))
    assert record.title is not None and "交通" in (record.text or "")


def test_grids_cards_and_the_spread_of_the_kept_body_are_read_from_the_decisions() -> None:
    listing = _named(
        _page("<h1>News</h1><main>" + _PROSE + _cards(12) + "</main>"), "https://x.example/news"
    )
    prose = "".join(_PROSE.replace("plan", f"plan {i}") for i in range(4))  # no repeats
    article = _named(
        _page("<h1>A vote</h1><main><div>" + prose + "</div></main>"), "https://x.example/a"
    )
    assert listing["grid_share"] > 0.3 and article["grid_share"] == 0.0
    assert listing["card_block_share"] > 0.3 and article["card_block_share"] == 0.0
    assert article["kept_parent_spread"] == 0.0 and article["after_share"] == 0.0
