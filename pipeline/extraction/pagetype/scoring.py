"""Page type, the learned model: a standardised logistic regression over FEATURES.

Fitted on the WCXB development split by bench/fit_pagetype.py, shipped as
models/pagetype.json; a page scoring above its threshold is a listing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pipeline.extraction import linear
from pipeline.extraction.pagetype.measure import FEATURES

_MODEL_FILE = "pagetype.json"


@dataclass(frozen=True, slots=True)
class Model:
    """The standardised logistic model: per feature (mean, scale, weight), in the
    order of FEATURES; a page scoring above `threshold` is a listing."""

    terms: tuple[tuple[float, float, float], ...]
    bias: float
    threshold: float


@cache
def model() -> Model:
    """The shipped model, `models/pagetype.json`, written by bench/fit_pagetype.py
    (fitted on WCXB-dev's article, listing and collection pages with the
    trafilatura-eval and AEB pages as articles; the threshold is the lowest at
    which cross-validation grouped by site rejects at most 2% of the WCXB articles)."""
    text = resources.files("pipeline.extraction.models").joinpath(_MODEL_FILE).read_text("utf-8")
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> Model:
    terms, bias = linear.read_terms(data, FEATURES, _MODEL_FILE)
    return Model(terms=terms, bias=bias, threshold=float(data["threshold"]))


def to_json(fitted: Model) -> dict[str, Any]:
    data = linear.terms_json(FEATURES, fitted.terms, fitted.bias)
    return {**data, "threshold": round(fitted.threshold, 4)}


def page_score(values: tuple[float, ...]) -> float:
    fitted = model()
    return linear.linear_score(values, fitted.terms, fitted.bias)
