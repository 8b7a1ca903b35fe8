from __future__ import annotations

import pytest

import pipeline
from pipeline.errors import EmptyBody, NotArticle, Reason, TooLarge, Undecodable
from tests.pages import PARAGRAPHS, article_page


def test_extract_from_text_and_bytes_agree() -> None:
    a = pipeline.extract(article_page(), url="https://daily.test/2025/10/river")
    b = pipeline.extract(article_page().encode("utf-8"), url="https://daily.test/2025/10/river")
    assert a.text == b.text and a.id == b.id and a.content_hash == b.content_hash
    assert a.title == "River floods valley"
    assert a.published == "2025-10-19T06:12:00+02:00"  # not the header's "today" date
    assert a.authors == ("Jane Doe",)
    assert a.text == "\n\n".join(PARAGRAPHS)


def test_content_hash_ignores_the_page_around_the_text() -> None:
    a = pipeline.extract(article_page())
    b = pipeline.extract(
        article_page().replace("Monday, November 23, 2026", "Tuesday, May 5, 2027")
    )
    assert a.content_hash == b.content_hash


@pytest.mark.parametrize(
    ("html", "error", "reason"),
    [
        (b"", Undecodable, Reason.UNDECODABLE),
        (b"<html><body><nav><a href='/a'>A</a></nav></body></html>", EmptyBody, Reason.EMPTY_BODY),
    ],
)
def test_named_errors(html: bytes, error: type[Exception], reason: Reason) -> None:
    with pytest.raises(error) as exc:
        pipeline.extract(html)
    assert exc.value.reason == reason  # type: ignore[attr-defined]


def test_too_large() -> None:
    with pytest.raises(TooLarge):
        pipeline.extract(b"<p>" + b"x" * 100, options=pipeline.Options(max_bytes=50))


def test_listing_is_not_an_article() -> None:
    teasers = "".join(
        f"<article><h2><a href='/p{i}'>Story number {i} about the floods</a></h2>"
        f"<p>A short teaser of story {i}.</p></article>"
        for i in range(10)
    )
    html = f"<html><body class='archive tag'><main>{teasers}</main></body></html>"
    with pytest.raises(NotArticle):
        pipeline.extract(html, url="https://daily.test/tag/floods/")
