"""Confidence: how likely a record's body is the article, whole and clean.

Each record gets `confidence` between 0 and 1, so that users can send weak
records to review. It is a logistic model over what the extraction already
decided, read from the analysis (no new pass over the page):

    margin          the kept blocks' mean distance above the block model's line
    near_line       the share of kept words in blocks within one point of it
    log_words       the body's length
    kept_share      the share of the page's block words that were kept
    listing_margin  how far the page-type score is below its line (a page that
                    nearly was a listing is less sure to be an article)
    declared        the page declares its body (JSON-LD articleBody) ...
    agreement       ... and this share of the declared body's word pairs is in ours
    from_declared   the body is the declared one (the HTML gave too little)

`bench/fit_confidence.py` fits the weights on the dev sets (a record is good
when its body's F1 against the truth is at least 0.8 and the page is an
article), checks their calibration by cross-validation grouped by site (the
reliability curve is in bench/README.md), and writes `models/confidence.json`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from pipeline.extraction import linear
from pipeline.extraction.body import Decision
from pipeline.extraction.thresholds import (
    MARGIN_CLIP,
    NEAR_MARGIN,
)

FEATURES = (
    "margin",
    "near_line",
    "log_words",
    "kept_share",
    "listing_margin",
    "declared",
    "agreement",
    "from_declared",
)
_MODEL_FILE = "confidence.json"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Model:
    """Per feature (mean, scale, weight) in the order of FEATURES, and the bias."""

    terms: tuple[tuple[float, float, float], ...]
    bias: float


@cache
def model() -> Model:
    """The shipped model, `models/confidence.json` (bench/fit_confidence.py)."""
    text = resources.files("pipeline.extraction.models").joinpath(_MODEL_FILE).read_text("utf-8")
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> Model:
    return Model(*linear.read_terms(data, FEATURES, _MODEL_FILE))


def to_json(fitted: Model) -> dict[str, Any]:
    return linear.terms_json(FEATURES, fitted.terms, fitted.bias)


def features(
    decisions: Sequence[Decision],
    threshold: float,
    words: int,
    listing_margin: float,
    declared_body: Sequence[str],
    text: str,
    from_declared: bool,
) -> tuple[float, ...]:
    """The evidence of one page, in the order of FEATURES (see the module docstring)."""
    kept = [d for d in decisions if d.kept]
    kept_words = [d.candidate.words for d in kept]  # CJK-aware, counted once per block
    total_words = sum(d.candidate.words for d in decisions)
    if kept:
        margins = [max(-MARGIN_CLIP, min(MARGIN_CLIP, d.score - threshold)) for d in kept]
        margin = sum(margins) / len(margins)
        near = sum(
            w for d, w in zip(kept, kept_words, strict=True) if d.score - threshold < NEAR_MARGIN
        )
        near_line = near / sum(kept_words) if sum(kept_words) else 1.0
    else:
        margin, near_line = -MARGIN_CLIP, 1.0
    kept_share = sum(kept_words) / total_words if total_words else 0.0
    declared = bool(declared_body)
    return (
        margin,
        near_line,
        math.log1p(words),
        kept_share,
        max(-MARGIN_CLIP, min(MARGIN_CLIP, listing_margin)),
        float(declared),
        _agreement(declared_body, text) if declared else 0.0,
        float(from_declared),
    )


def _agreement(declared: Sequence[str], text: str) -> float:
    """The share of the declared body's word pairs found in the text."""
    wanted = set(pairwise(declared))
    if not wanted:
        return 0.0
    ours = [w.lower() for w in _WORD.findall(text)]
    return len(wanted & set(pairwise(ours))) / len(wanted)


def score(values: Sequence[float], fitted: Model | None = None) -> float:
    """The probability that the record is good, rounded to three places."""
    fitted = fitted or model()
    z = linear.linear_score(values, fitted.terms, fitted.bias)
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 3)
