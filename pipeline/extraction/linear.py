"""The file form of the standardised linear models (page type, record confidence).

A model is, per feature, (mean, scale, weight) and a bias: its score of a page's
features is bias + sum(weight * (value - mean) / scale). The JSON names each
feature, so a model fitted on other features than the code's is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Terms = tuple[tuple[float, float, float], ...]


def read_terms(data: dict[str, Any], features: Sequence[str], what: str) -> tuple[Terms, float]:
    """(terms, bias) of a model's JSON; ValueError when its features are not `features`."""
    terms = data["features"]
    if [t["name"] for t in terms] != list(features):
        raise ValueError(f"{what} was fitted on other features than the code reads")
    found = tuple((float(t["mean"]), float(t["scale"]), float(t["weight"])) for t in terms)
    return found, float(data["bias"])


def terms_json(features: Sequence[str], terms: Terms, bias: float) -> dict[str, Any]:
    """The JSON of (terms, bias), rounded so that a refit on the same data writes the
    same bytes."""
    return {
        "features": [
            {"name": name, "mean": round(m, 6), "scale": round(s, 6), "weight": round(w, 6)}
            for name, (m, s, w) in zip(features, terms, strict=True)
        ],
        "bias": round(bias, 6),
    }


def linear_score(values: Sequence[float], terms: Terms, bias: float) -> float:
    return bias + sum(w * (v - m) / s for v, (m, s, w) in zip(values, terms, strict=True))
