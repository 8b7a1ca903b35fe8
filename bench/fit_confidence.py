"""Fit the record confidence model (pipeline/extraction/confidence.py) on the dev sets.

    .venv/bin/python bench/fit_confidence.py [--data ../shared/bench] [--jobs 2] [--write]

Every page of AEB, WCXB dev and trafilatura-eval that gives a record is one
example: its features are what extraction reads (`confidence_features`), and it
is good when its body scores F1 >= 0.8 against the truth with the set's own metric
(AEB: shingle overlap; WCXB: word F1; trafilatura-eval: F of its snippets), except
that a WCXB listing or collection page kept as an article is never good.

The weights are a logistic regression (scikit-learn, the `train` extra) on
standardised features. The script prints, from 5-fold cross-validation grouped by
site (no site in both the fitting and the scored fold): the Brier score and log
loss beside a constant model's, the AUC, and the reliability curve (out-of-fold
predictions in ten bins: the mean confidence against the share of good records).
With --write it fits on every example and writes the model (small, deterministic:
the same data gives the same bytes).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.evaluate import datasets  # noqa: E402
from bench.evaluate.datasets import BenchPage  # noqa: E402
from bench.evaluate.quality import INDEX_TYPES, score_page  # noqa: E402
from bench.evaluate.systems import Prediction  # noqa: E402
from pipeline.errors import ExtractionError  # noqa: E402
from pipeline.extraction import (  # noqa: E402
    analyse,
    confidence,
    confidence_features,
    extract_page,
    pagetype,
)
from pipeline.page import Page  # noqa: E402

MODEL = ROOT / "pipeline" / "extraction" / "models" / "confidence.json"
GOOD_F1 = 0.8
BINS = 10
FOLDS = 5
Example = tuple[str, str, str, tuple[float, ...], int]  # set, id, site, features, good


def _pages(data: Path) -> Iterator[tuple[str, BenchPage]]:
    yield from (("aeb", p) for p in datasets.load_aeb(data / datasets.AEB_DIR))
    yield from (("wcxb", p) for p in datasets.load_wcxb(data / datasets.WCXB_DIR))
    yield from (("trafeval", p) for p in datasets.load_trafeval(data / datasets.TRAFEVAL_DIR))


def example(item: tuple[str, BenchPage]) -> Example | None:
    """One page's features and label, or None when it gives no record."""
    name, bench = item
    page = Page(bench.html, url=bench.url)
    try:
        record = extract_page(page)
        found = analyse(page)
    except ExtractionError:
        return None
    kind = pagetype.classify(found.page_features, found.declared_article, found.declared_schema)
    values = confidence_features(found, kind)
    authors = record.authors
    pred = Prediction(record.text, record.title, authors[0] if authors else None, record.published)
    row = score_page(name, bench, "ours", pred)
    good = row.f1 >= GOOD_F1 and not (name == "wcxb" and bench.page_type in INDEX_TYPES)
    site = urlsplit(bench.url or "").hostname or bench.id
    return name, bench.id, site.removeprefix("www."), values, int(good)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
    from sklearn.model_selection import GroupKFold

    with ProcessPoolExecutor(args.jobs) as pool:
        found = [e for e in pool.map(example, _pages(args.data), chunksize=8) if e is not None]
    x = np.array([e[3] for e in found], dtype=float)
    y = np.array([e[4] for e in found])
    groups = [e[2] for e in found]
    print(f"{len(found)} records, {y.mean():.1%} good (F1 >= {GOOD_F1}), {len(set(groups))} sites")

    def fit(rows: np.ndarray, labels: np.ndarray) -> confidence.Model:
        mean, scale = rows.mean(axis=0), rows.std(axis=0)
        scale[scale == 0] = 1.0
        model = LogisticRegression(C=1.0, max_iter=2000).fit((rows - mean) / scale, labels)
        terms = tuple(
            (float(m), float(s), float(w))
            for m, s, w in zip(mean, scale, model.coef_[0], strict=True)
        )
        return confidence.Model(terms, float(model.intercept_[0]))

    oof = np.zeros(len(found))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        fold = fit(x[train], y[train])
        oof[test] = [confidence.score(row, fold) for row in x[test]]
    base = np.full(len(y), y.mean())
    print(
        f"cross-validated by site ({FOLDS} folds): Brier {brier_score_loss(y, oof):.4f}"
        f" (constant {brier_score_loss(y, base):.4f}), log loss"
        f" {log_loss(y, np.clip(oof, 1e-6, 1 - 1e-6)):.4f} (constant {log_loss(y, base):.4f}),"
        f" AUC {roc_auc_score(y, oof):.3f}"
    )
    print("reliability (out of fold): confidence bin | records | mean confidence | share good")
    for k in range(BINS):
        low, high = k / BINS, (k + 1) / BINS
        inside = (oof >= low) & ((oof < high) if k < BINS - 1 else (oof <= high))
        if inside.any():
            print(
                f"  {low:.1f}-{high:.1f} | {int(inside.sum()):5d} |"
                f" {oof[inside].mean():.3f} | {y[inside].mean():.3f}"
            )
    for name in ("aeb", "wcxb", "trafeval"):
        mask = np.array([e[0] == name for e in found])
        if mask.any():
            print(
                f"  {name}: {int(mask.sum())} records, {y[mask].mean():.1%} good,"
                f" mean confidence {oof[mask].mean():.3f}"
            )
    final = fit(x, y)
    for feature, (_, _, weight) in zip(confidence.FEATURES, final.terms, strict=True):
        print(f"  weight {feature:15s} {weight:+.3f}")
    if args.write:
        MODEL.write_text(json.dumps(confidence.to_json(final), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL}")
    return 0 if math.isfinite(final.bias) else 1


if __name__ == "__main__":
    raise SystemExit(main())
