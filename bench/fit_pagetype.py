"""Fit the page-type model of pipeline/extraction/pagetype/ (its features: measure.py).

    .venv/bin/pip install -e '.[train]'      # scikit-learn, for fitting only
    .venv/bin/python bench/fit_pagetype.py [--data ../shared/bench] [--folds 5] [--write]

Measures `pagetype.features()` (through `analyse`, as extraction does) on every
WCXB-dev article, listing and collection page, and on the trafilatura-eval and
AEB pages, which are content pages with no page-type label and serve as
articles, weighing `--others-weight` each (WCXB's labelled pages weigh 1). It
fits a logistic regression over the standardised features (L2, `--c`) and
validates it by cross-validation grouped by site: every page of a host is in
one fold, so a page is always scored by a model fitted on other sites. The
figures it prints are those cross-validated decisions, counted as the
extractor decides: a page is rejected when its body is too short (before the
page type is asked) or when its score is above the threshold, unless it
declares an article with a full body and no listing evidence. The threshold is
the lowest whose cross-validated WCXB article rejection stays within the
target (2%). With `--write` the model fitted on all pages goes to
`pipeline/extraction/models/pagetype.json`. Deterministic: fixed fold
assignment, a deterministic solver, rounded weights.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench/

from bench.evaluate.datasets import (
    AEB_DIR,
    TRAFEVAL_DIR,
    WCXB_DIR,
    BenchPage,
    load_aeb,
    load_trafeval,
    load_wcxb,
)
from pipeline import urls
from pipeline.errors import ExtractionError
from pipeline.extraction import Page, analyse, pagetype
from pipeline.options import DEFAULT_OPTIONS

_INDEX_TYPES = ("listing", "collection")
_MAX_ARTICLE_REJECTION = 0.02
_MODEL_PATH = Path(__file__).resolve().parent.parent / "pipeline/extraction/models/pagetype.json"


@dataclass(frozen=True, slots=True)
class Row:
    values: list[float]
    is_index: int
    site: str
    bench: str  # wcxb, trafeval, aeb
    short_body: bool  # rejected as empty_body before the page type is asked
    protected: bool  # a declared article with a full body and no listing evidence


def _pages(root: Path) -> Iterator[tuple[str, BenchPage]]:
    for page in load_wcxb(root / WCXB_DIR, types=("article", *_INDEX_TYPES)):
        yield "wcxb", page
    for page in load_trafeval(root / TRAFEVAL_DIR):
        yield "trafeval", page
    for page in load_aeb(root / AEB_DIR):
        yield "aeb", page


def measure(root: Path) -> tuple[list[Row], int]:
    """Every page's row, and how many pages no analysis reached (undecodable ...)."""
    rows: list[Row] = []
    failed = 0
    for bench, page in _pages(root):
        try:
            found = analyse(Page(page.html, page.url))
        except ExtractionError:
            failed += 1
            continue
        short = not found.references and (
            found.words == 0
            or (found.words < DEFAULT_OPTIONS.min_words and not found.declared_article)
        )
        rows.append(
            Row(
                list(found.page_features),
                int(page.page_type in _INDEX_TYPES),
                (urls.hostname(page.url) or page.id).removeprefix("www."),
                bench,
                short,
                pagetype.protected(found.page_features, found.declared_schema),
            )
        )
    return rows, failed


def fit(rows: list[Row], c: float, others: float) -> pagetype.Model:
    """The standardised L2 logistic regression over `rows` (threshold left at 0)."""
    import numpy as np  # the train extra: fitting only
    from sklearn.linear_model import LogisticRegression

    x = np.array([r.values for r in rows])
    y = np.array([r.is_index for r in rows])
    weights = np.array([1.0 if r.bench == "wcxb" else others for r in rows])
    mean = x.mean(axis=0)
    scale = np.maximum(x.std(axis=0), 1e-6)
    fitted = LogisticRegression(C=c, max_iter=10_000).fit(
        (x - mean) / scale, y, sample_weight=weights
    )
    terms = tuple(
        (float(m), float(s), float(w)) for m, s, w in zip(mean, scale, fitted.coef_[0], strict=True)
    )
    return pagetype.Model(terms, float(fitted.intercept_[0]), 0.0)


def score(model: pagetype.Model, values: list[float]) -> float:
    return model.bias + sum(
        w * (v - m) / s for v, (m, s, w) in zip(values, model.terms, strict=True)
    )


def cross_validate(rows: list[Row], folds: int, c: float, others: float) -> list[float]:
    """Each page's score from a model fitted on the other folds' sites."""
    sites = sorted({r.site for r in rows})
    random.Random(1).shuffle(sites)
    fold_of = {site: i % folds for i, site in enumerate(sites)}
    scores = [0.0] * len(rows)
    for k in range(folds):
        model = fit([r for r in rows if fold_of[r.site] != k], c, others)
        for i, row in enumerate(rows):
            if fold_of[row.site] == k:
                scores[i] = score(model, row.values)
    return scores


@dataclass(frozen=True, slots=True)
class Rates:
    articles: float  # WCXB article pages rejected
    indexes: float  # WCXB listing and collection pages rejected
    trafeval: int  # trafilatura-eval pages rejected (short body or listing)
    aeb: int


def rates(rows: list[Row], scores: list[float], threshold: float) -> Rates:
    """The rejections as extraction decides them, at `threshold`."""

    def rejected(row: Row, value: float) -> bool:
        return row.short_body or (value > threshold and not row.protected)

    pairs = list(zip(rows, scores, strict=True))
    articles = [rejected(r, s) for r, s in pairs if r.bench == "wcxb" and not r.is_index]
    indexes = [rejected(r, s) for r, s in pairs if r.is_index]
    return Rates(
        sum(articles) / len(articles),
        sum(indexes) / len(indexes),
        sum(rejected(r, s) for r, s in pairs if r.bench == "trafeval"),
        sum(rejected(r, s) for r, s in pairs if r.bench == "aeb"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=0.1, help="inverse L2 strength")
    parser.add_argument(
        "--others-weight",
        type=float,
        default=0.6,
        help="weight of each trafilatura-eval and AEB page (articles) in the fit",
    )
    parser.add_argument("--write", action="store_true", help=f"write {_MODEL_PATH.name}")
    args = parser.parse_args()
    rows, failed = measure(args.data)
    counts = {b: sum(r.bench == b for r in rows) for b in ("wcxb", "trafeval", "aeb")}
    print(
        f"{len(rows)} pages of {len({r.site for r in rows})} sites: WCXB {counts['wcxb']}"
        f" ({sum(r.is_index for r in rows)} listing or collection), trafilatura-eval"
        f" {counts['trafeval']}, AEB {counts['aeb']}; {failed} not analysed"
    )
    scores = cross_validate(rows, args.folds, args.c, args.others_weight)
    chosen = None
    print("cross-validated, grouped by site (rejected: short body or listing):")
    for step in range(-40, 61):
        threshold = step / 10
        found = rates(rows, scores, threshold)
        print(
            f"threshold {threshold:5.1f}: WCXB articles {found.articles:.3f},"
            f" listing+collection {found.indexes:.3f}; trafilatura-eval"
            f" {found.trafeval}/{counts['trafeval']}, AEB {found.aeb}/{counts['aeb']}"
        )
        if chosen is None and found.articles <= _MAX_ARTICLE_REJECTION:
            chosen = threshold
    if chosen is None:
        raise SystemExit("no threshold keeps the article rejection within the target")
    fitted = fit(rows, args.c, args.others_weight)
    model = pagetype.Model(fitted.terms, fitted.bias, chosen)
    in_sample = rates(rows, [score(model, r.values) for r in rows], chosen)
    print(f"chosen threshold {chosen}; cross-validated at it: {rates(rows, scores, chosen)}")
    print(f"in-sample at it: {in_sample}")
    text = json.dumps(pagetype.to_json(model), indent=1) + "\n"
    if args.write:
        _MODEL_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {_MODEL_PATH}")
    else:
        print(text)


if __name__ == "__main__":
    main()
