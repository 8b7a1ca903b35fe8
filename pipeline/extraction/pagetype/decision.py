"""Page type, the decision: article or listing, and the evidence that made a listing.

`classify` compares the model's score with its threshold; a page that declares an
article (JSON-LD or microdata) with a full body stays one unless teaser cards
dominate it (`protected`). A listing's reason names, in plain words, the features
that pushed its score up the most.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.extraction.pagetype.measure import FEATURES
from pipeline.extraction.pagetype.scoring import model, page_score
from pipeline.extraction.thresholds import (
    DOMINANT_CARD_SHARE,
    DOMINANT_CARDS,
    EVIDENCE_ITEMS,
    FULL_BODY_WORDS,
)


@dataclass(frozen=True, slots=True)
class PageType:
    """The decision; `reason` (for a listing) joins `evidence`, what made it one."""

    is_article: bool
    declared_article: bool
    reason: str
    score: float = 0.0
    evidence: tuple[str, ...] = ()


def classify(
    values: tuple[float, ...], declared_article: bool, declared_schema: bool = False
) -> PageType:
    """Article or listing, by the fitted score of the page's features; a page that
    declares an article (JSON-LD or microdata) with a full body is one unless
    teaser cards dominate it. The reason names the evidence of a listing."""
    score = page_score(values)
    evidence = _evidence(values)
    if score > model().threshold and not protected(values, declared_schema):
        return PageType(False, declared_article, "; ".join(evidence), score, evidence)
    return PageType(True, declared_article, "", score, evidence)


def protected(values: tuple[float, ...], declared_schema: bool) -> bool:
    """A declared Article, NewsArticle, BlogPosting, ScholarlyArticle (...) with a full
    body, and no strong listing evidence: teaser cards holding most of the page."""
    if not declared_schema:
        return False
    named = dict(zip(FEATURES, values, strict=True))
    cards = round(math.expm1(named["log_cards"]))
    if named["card_share"] >= DOMINANT_CARD_SHARE and cards >= DOMINANT_CARDS:
        return False
    return round(math.expm1(named["log_free_prose"])) >= FULL_BODY_WORDS


def _evidence(values: tuple[float, ...]) -> tuple[str, ...]:
    """What made the page look like a listing, in plain words, strongest first: the
    features that pushed its score up (an absence counts: "no article date")."""
    pushes = sorted(
        (
            (w * (v - m) / s, name, v)
            for v, (m, s, w), name in zip(values, model().terms, FEATURES, strict=True)
        ),
        key=lambda push: -push[0],
    )
    named = dict(zip(FEATURES, values, strict=True))
    words: list[str] = []
    for push, name, value in pushes:
        if push <= 0 or len(words) == EVIDENCE_ITEMS:
            break
        said = _SAY[name](value, named)
        if said and said not in words:
            words.append(said)
    return tuple(words)


def _count(value: float) -> int:
    return round(math.expm1(value))


def _percent(value: float) -> str:
    return f"{value:.0%}"


# How each feature reads as evidence of a listing (its value, all values by name).
_SAY: dict[str, Callable[[float, dict[str, float]], str]] = {
    "published": lambda v, _: "" if v else "no article date",
    "declared_article": lambda v, _: "" if v else "no article markup",
    "author": lambda v, _: "" if v else "no byline",
    "slug_url": lambda v, _: "" if v else "no article slug in the URL",
    "declared_listing": lambda v, _: (
        "declares an index (schema, archive class or path)" if v else ""
    ),
    "log_paragraph_block_words": lambda v, _: f"{_count(v)} words of paragraphs",
    "log_long_paragraph_words": lambda v, _: f"{_count(v)} words in long paragraphs",
    "link_share": lambda v, _: f"{_percent(v)} of text in links",
    "log_long_paragraphs": lambda v, _: f"{_count(v)} long paragraphs",
    "pagination": lambda v, _: "pagination" if v else "",
    "og_article": lambda v, _: "" if v else "no og:type article",
    "query": lambda v, _: "a query string in the URL" if v else "",
    "log_image_links": lambda v, _: f"{_count(v)} linked images",
    "log_prices": lambda v, _: f"{_count(v)} prices",
    "teaser_share": lambda v, _: f"{_percent(v)} of the body in teaser headings",
    "log_cards": lambda v, named: _cards_said(named),
    "card_share": lambda v, named: _cards_said(named),
    "prose_share": lambda v, _: f"{_percent(v)} of words in paragraphs",
    "log_title_links": lambda v, _: f"{_count(v)} linked titles",
    "log_free_prose": lambda v, _: f"{_count(v)} words of prose outside teasers",
    "log_title_words": lambda v, _: f"a title of {_count(v)} word{'' if _count(v) == 1 else 's'}",
    "log_dates": lambda v, _: f"{_count(v)} dates (<time>)",
    "sentence_share": lambda v, _: f"{_percent(v)} of paragraph words in sentences",
    "declared_product": lambda v, _: "declares products" if v else "",
    "kept_link_share": lambda v, _: f"{_percent(v)} of the body in links",
    "kept_heading_share": lambda v, _: f"{_percent(v)} of the body's blocks are headings",
    "log_linked_headings": lambda v, _: f"{_count(v)} linked headings",
    "kept_share": lambda v, _: f"{_percent(v)} of the page's blocks kept",
    "card_block_share": lambda v, _: f"{_percent(v)} of the page's block words in teaser cards",
    "after_share": lambda v, _: f"{_percent(v)} of the page's block words after the body",
    "grid_share": lambda v, _: f"{_percent(v)} of the page's block words in a grid of cards",
    "kept_parent_spread": lambda v, _: f"{_percent(v)} of the kept blocks in parents of their own",
}


def _cards_said(named: dict[str, float]) -> str:
    cards = _count(named["log_cards"])
    return f"{cards} teaser cards holding {_percent(named['card_share'])} of the text"
