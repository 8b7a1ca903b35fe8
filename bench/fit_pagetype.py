"""Fit the page-type model of pipeline/extraction/pagetype.py and print it.

    .venv/bin/python bench/fit_pagetype.py [--data ../shared/bench/wcxb-dev] [--folds 5]

Measures `pagetype.features()` on every WCXB-dev article, listing and collection
page, fits a logistic regression (standardised features, L2, plain gradient
descent: no numerical library needed for ~1,000 pages) and validates it by
cross-validation grouped by site: every page of a host is in one fold, so a
page is always scored by a model fitted on other sites. The figures it prints
are those cross-validated decisions, counted as the extractor decides: a page
is rejected when its body is too short (before the page type is asked) or when
its score is above the threshold, unless it declares an article with a full
body and no listing evidence. The threshold is the lowest whose
cross-validated article rejection stays within the target (2%). Then it prints
the `_MODEL`, `_BIAS`, `_THRESHOLD` lines to paste into pagetype.py, fitted on
all pages. Deterministic: fixed fold assignment, fixed step count.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline import urls

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench/

from bench.evaluate.datasets import load_wcxb
from pipeline.extraction import Page, analyse, pagetype
from pipeline.extraction.pagetype import FEATURES
from pipeline.options import DEFAULT_OPTIONS

_INDEX_TYPES = ("listing", "collection")
_MAX_ARTICLE_REJECTION = 0.02
Model = tuple[list[float], list[float], list[float], float]


@dataclass(frozen=True, slots=True)
class Row:
    values: list[float]
    is_index: int
    site: str
    short_body: bool  # rejected as empty_body before the page type is asked
    protected: bool  # a declared article with a full body and no listing evidence


def measure(root: Path) -> list[Row]:
    rows: list[Row] = []
    for page in load_wcxb(root, types=("article", *_INDEX_TYPES)):
        found = analyse(Page(page.html, page.url))
        short = not found.references and (
            found.words == 0
            or (found.words < DEFAULT_OPTIONS.min_words and not found.declared_article)
        )
        rows.append(
            Row(
                list(found.page_features),
                int(page.page_type in _INDEX_TYPES),
                (urls.hostname(page.url) or "").removeprefix("www."),
                short,
                pagetype.protected(found.page_features, found.declared_schema),
            )
        )
    return rows


def fit(rows: list[Row], l2: float = 0.01, steps: int = 1500, rate: float = 0.3) -> Model:
    n = len(rows[0].values)
    mean = [sum(r.values[j] for r in rows) / len(rows) for j in range(n)]
    scale = [
        max(1e-6, math.sqrt(sum((r.values[j] - mean[j]) ** 2 for r in rows) / len(rows)))
        for j in range(n)
    ]
    xs = [[(r.values[j] - mean[j]) / scale[j] for j in range(n)] for r in rows]
    weights, bias = [0.0] * n, 0.0
    for _ in range(steps):
        grad, grad_bias = [0.0] * n, 0.0
        for x, row in zip(xs, rows, strict=True):
            z = sum(w * v for w, v in zip(weights, x, strict=True)) + bias
            error = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - row.is_index
            grad_bias += error
            for j in range(n):
                grad[j] += error * x[j]
        weights = [w - rate * (g / len(xs) + l2 * w) for w, g in zip(weights, grad, strict=True)]
        bias -= rate * grad_bias / len(xs)
    return mean, scale, weights, bias


def score(model: Model, values: list[float]) -> float:
    mean, scale, weights, bias = model
    return bias + sum(
        w * (v - m) / s for v, m, s, w in zip(values, mean, scale, weights, strict=True)
    )


def cross_validate(rows: list[Row], folds: int) -> list[float]:
    """Each page's score from a model fitted on the other folds' sites."""
    sites = sorted({r.site for r in rows})
    random.Random(1).shuffle(sites)
    fold_of = {site: i % folds for i, site in enumerate(sites)}
    scores = [0.0] * len(rows)
    for k in range(folds):
        model = fit([r for r in rows if fold_of[r.site] != k])
        for i, row in enumerate(rows):
            if fold_of[row.site] == k:
                scores[i] = score(model, row.values)
    return scores


def rates(rows: list[Row], scores: list[float], threshold: float) -> tuple[float, float]:
    """(articles rejected, listing and collection pages rejected), as extraction decides."""

    def rejected(row: Row, value: float) -> bool:
        return row.short_body or (value > threshold and not row.protected)

    articles = [rejected(r, s) for r, s in zip(rows, scores, strict=True) if not r.is_index]
    indexes = [rejected(r, s) for r, s in zip(rows, scores, strict=True) if r.is_index]
    return sum(articles) / len(articles), sum(indexes) / len(indexes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/bench/wcxb-dev"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = measure(args.data)
    sites = len({r.site for r in rows})
    indexes = sum(r.is_index for r in rows)
    print(f"{len(rows)} pages of {sites} sites, {indexes} listing or collection")
    scores = cross_validate(rows, args.folds)
    chosen = None
    for step in range(-20, 41):
        threshold = step / 10
        articles, indexes = rates(rows, scores, threshold)
        print(
            f"threshold {threshold:5.1f}: articles rejected {articles:.3f}, "
            f"listing and collection rejected {indexes:.3f}  (cross-validated, grouped by site)"
        )
        if chosen is None and articles <= _MAX_ARTICLE_REJECTION:
            chosen = threshold
    mean, scale, weights, bias = fit(rows)
    print("\n_MODEL: tuple[tuple[float, float, float], ...] = (")
    for name, m, s, w in zip(FEATURES, mean, scale, weights, strict=True):
        print(f"    ({m:.4f}, {s:.4f}, {w:.4f}),  # {name}")
    print(f")\n_BIAS = {bias:.4f}\n_THRESHOLD = {chosen}")


if __name__ == "__main__":
    main()
