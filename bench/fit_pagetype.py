"""Fit the page-type model of pipeline/extraction/pagetype.py and print it.

    .venv/bin/python bench/fit_pagetype.py [--data ../shared/bench/wcxb-dev] [--folds 5]

Measures `pagetype.features()` on every WCXB-dev article, listing and collection
page, fits a logistic regression (standardised features, L2, plain gradient
descent: no numerical library needed for ~900 pages), reports k-fold
cross-validated rejection rates at several thresholds, and prints the
`_MODEL`, `_BIAS` lines to paste into pagetype.py. The threshold is chosen as
the lowest one whose cross-validated article rejection stays within the target
(2%), so the figures printed are for pages the model was not fitted on.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.errors import ExtractionError
from pipeline.evaluate.datasets import load_wcxb
from pipeline.extraction import Page, analyse
from pipeline.extraction.pagetype import FEATURES

Row = tuple[list[float], int]
_INDEX_TYPES = ("listing", "collection")
_MAX_ARTICLE_REJECTION = 0.02


def measure(root: Path) -> list[Row]:
    rows: list[Row] = []
    for page in load_wcxb(root, types=("article", *_INDEX_TYPES)):
        try:
            found = analyse(Page(page.html, page.url))
        except ExtractionError:
            continue  # undecodable or bodiless: decided before the page type
        rows.append((list(found.page_features), int(page.page_type in _INDEX_TYPES)))
    return rows


def fit(rows: list[Row], l2: float = 0.01, steps: int = 3000, rate: float = 0.1) -> tuple:
    n = len(rows[0][0])
    mean = [sum(r[0][j] for r in rows) / len(rows) for j in range(n)]
    scale = [
        max(1e-6, math.sqrt(sum((r[0][j] - mean[j]) ** 2 for r in rows) / len(rows)))
        for j in range(n)
    ]
    xs = [[(r[0][j] - mean[j]) / scale[j] for j in range(n)] for r in rows]
    ys = [r[1] for r in rows]
    weights, bias = [0.0] * n, 0.0
    for _ in range(steps):
        grad, grad_bias = [0.0] * n, 0.0
        for x, y in zip(xs, ys, strict=True):
            z = sum(w * v for w, v in zip(weights, x, strict=True)) + bias
            error = 1 / (1 + math.exp(-z)) - y
            grad_bias += error
            for j in range(n):
                grad[j] += error * x[j]
        weights = [w - rate * (g / len(xs) + l2 * w) for w, g in zip(weights, grad, strict=True)]
        bias -= rate * grad_bias / len(xs)
    return mean, scale, weights, bias


def score(model: tuple, values: list[float]) -> float:
    mean, scale, weights, bias = model
    return bias + sum(
        w * (v - m) / s for v, m, s, w in zip(values, mean, scale, weights, strict=True)
    )


def cross_validate(rows: list[Row], folds: int) -> list[float]:
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    scores = [0.0] * len(rows)
    for k in range(folds):
        held = set(order[k::folds])
        model = fit([rows[i] for i in order if i not in held])
        for i in held:
            scores[i] = score(model, rows[i][0])
    return scores


def rates(rows: list[Row], scores: list[float], threshold: float) -> tuple[float, float]:
    articles = [s for s, r in zip(scores, rows, strict=True) if r[1] == 0]
    indexes = [s for s, r in zip(scores, rows, strict=True) if r[1] == 1]
    return (
        sum(s > threshold for s in articles) / len(articles),
        sum(s > threshold for s in indexes) / len(indexes),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/bench/wcxb-dev"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    rows = measure(args.data)
    print(f"{len(rows)} pages, {sum(r[1] for r in rows)} listing or collection")
    scores = cross_validate(rows, args.folds)
    chosen = None
    for step in range(-20, 31):
        threshold = step / 10
        articles, indexes = rates(rows, scores, threshold)
        print(
            f"threshold {threshold:5.1f}: articles rejected {articles:.3f}, "
            f"listing and collection rejected {indexes:.3f}  (cross-validated)"
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
