"""Record confidence: the shipped model, the features it reads, and what it says
of sure and unsure records."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.extraction import confidence, extract_page
from pipeline.options import DEFAULT_OPTIONS
from pipeline.page import Page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MODEL = Path(confidence.__file__).parent / "models" / "confidence.json"


def test_the_shipped_model_is_small_and_reads_the_features_extraction_gives() -> None:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    assert [t["name"] for t in data["features"]] == list(confidence.FEATURES)
    assert MODEL.stat().st_size < 4_000
    fitted = confidence.model()
    # The margin above the block model's line counts for a record, nearly being a
    # listing against it: the fit found what the features mean.
    weights = dict(zip(confidence.FEATURES, (w for _, _, w in fitted.terms), strict=True))
    assert weights["margin"] > 0 and weights["listing_margin"] > 0


@pytest.mark.parametrize("name", ["news_jsonld_opengraph", "japanese_article", "amp_article"])
def test_a_clean_article_is_sure(name: str) -> None:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    record = extract_page(Page((FIXTURES / f"{name}.html").read_bytes(), url=spec.get("url")))
    assert 0.9 <= record.confidence <= 1.0


@pytest.mark.parametrize("name", ["news_home_page", "tag_listing_page"])
def test_a_listing_forced_through_as_an_article_is_not(name: str) -> None:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    forced = replace(DEFAULT_OPTIONS, force=True)
    page = Page((FIXTURES / f"{name}.html").read_bytes(), url=spec.get("url"))
    record = extract_page(page, forced)
    assert record.forced is not None and record.confidence < 0.3


def test_features_of_a_page_without_kept_blocks_and_agreement() -> None:
    values = confidence.features((), 0.0, 0, -2.0, ("a", "b", "c"), "a b c", False)
    named = dict(zip(confidence.FEATURES, values, strict=True))
    assert named["margin"] < 0 and named["near_line"] == 1.0 and named["kept_share"] == 0.0
    assert named["declared"] == 1.0 and named["agreement"] == 1.0
    half = confidence.features((), 0.0, 0, 0.0, ("a", "b", "c"), "x b c", False)
    assert dict(zip(confidence.FEATURES, half, strict=True))["agreement"] == 0.5
    assert 0.0 <= confidence.score(values) <= 1.0
