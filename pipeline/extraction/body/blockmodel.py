"""The block model: two logistic regressions over named binary block features.

The first scores each block by its own evidence (`features.py`). The second
sees the same evidence plus the first's scores of the block's neighbours and of
the region it sits in, so a short caption between two article paragraphs and a
long teaser inside a column of teasers are judged by their company. A block's
final score is a log-odds that it belongs to the article; it is kept at or above
the threshold. Features the model never saw weigh nothing.

The weights live in `models/blocks.json`, written by `bench/train_blocks.py`,
which fits them on the dev benchmarks and reports cross-validated figures.
Pure Python: a page's blocks score in about a millisecond, the same on every
machine.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat
from typing import Any

from pipeline.extraction.thresholds import (
    REGION_BLOCKS,
    REGION_DEPTH,
)

_MODEL_FILE = "blocks.json"
_ZEROS = repeat(0.0)  # the default of each weight lookup
# Bins of first-stage scores (log-odds) for the second stage's context features.
_SCORE_EDGES = (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0)
# The score a block decided by rule counts as (a sure "no", in log-odds).
RULED_SCORE = -6.0


@dataclass(frozen=True, slots=True)
class Stage:
    bias: float
    weights: dict[str, float]

    def score(self, features: Iterable[str]) -> float:
        return self.bias + sum(map(self.weights.get, features, _ZEROS))


@dataclass(frozen=True, slots=True)
class Model:
    first: Stage
    second: Stage | None
    threshold: float
    version: str = ""


@cache
def model() -> Model:
    """The shipped model (read once per process)."""
    text = resources.files("pipeline.extraction.models").joinpath(_MODEL_FILE).read_text("utf-8")
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> Model:
    second = data.get("second")
    return Model(
        first=_stage(data["first"]),
        second=_stage(second) if second else None,
        threshold=float(data["threshold"]),
        version=str(data.get("version", "")),
    )


def to_json(fitted: Model) -> dict[str, Any]:
    out: dict[str, Any] = {"version": fitted.version, "threshold": fitted.threshold}
    out["first"] = _stage_json(fitted.first)
    if fitted.second is not None:
        out["second"] = _stage_json(fitted.second)
    return out


def _stage(data: dict[str, Any]) -> Stage:
    return Stage(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()})


def _stage_json(stage: Stage) -> dict[str, Any]:
    return {"bias": stage.bias, "weights": dict(sorted(stage.weights.items()))}


def context_features(
    scores: Sequence[float], chains: Sequence[tuple[int, ...]]
) -> list[tuple[str, ...]]:
    """What the second stage adds to each block: the first stage's score of the
    block, of its two neighbours on each side, and the mean over its region (the
    nearest ancestor holding three blocks) and over its siblings."""
    totals: defaultdict[int, float] = defaultdict(float)
    counts: defaultdict[int, int] = defaultdict(int)
    for score, chain in zip(scores, chains, strict=True):
        for mem_id in chain[:REGION_DEPTH]:
            totals[mem_id] += score
            counts[mem_id] += 1
    n = len(scores)
    out = []
    for i, chain in enumerate(chains):
        names = [_bin("s1", scores[i])]
        for offset, tag in ((-1, "p1"), (1, "n1"), (-2, "p2"), (2, "n2")):
            j = i + offset
            names.append(_bin(tag, scores[j]) if 0 <= j < n else f"{tag}:none")
        region = next((m for m in chain if counts[m] >= REGION_BLOCKS), None)
        if region is not None:
            names.append(_bin("region", totals[region] / counts[region]))
        if len(chain) > 1 and counts[chain[1]] >= 2:
            parent = chain[1]
            names.append(_bin("siblings", (totals[parent] - scores[i]) / (counts[parent] - 1)))
        out.append(tuple(names))
    return out


def score_blocks(
    rows: Sequence[tuple[str, ...]],
    chains: Sequence[tuple[int, ...]],
    ruled: Sequence[bool],
    fitted: Model | None = None,
) -> tuple[list[float], list[tuple[str, ...]]]:
    """Final scores of a page's blocks, and the context features the second stage
    added to each. Blocks a rule decided (`ruled`) are not scored: they count as
    RULED_SCORE for their neighbours and keep it."""
    m = fitted or model()
    first = first_scores(rows, ruled, m.first)
    if m.second is None:
        return first, [() for _ in rows]
    extra = context_features(first, chains)
    final = [
        RULED_SCORE if r else m.second.score(row + e)
        for row, e, r in zip(rows, extra, ruled, strict=True)
    ]
    return final, extra


def first_scores(
    rows: Sequence[tuple[str, ...]], ruled: Sequence[bool], first: Stage
) -> list[float]:
    return [RULED_SCORE if r else first.score(row) for row, r in zip(rows, ruled, strict=True)]


def contributions(features: Iterable[str], fitted: Model | None = None) -> list[tuple[str, float]]:
    """The features that moved a final score, strongest first (for `pipeline explain`)."""
    m = fitted or model()
    weights = (m.second or m.first).weights
    found = [(f, weights[f]) for f in features if weights.get(f, 0.0) != 0.0]
    return sorted(found, key=lambda item: -abs(item[1]))


def _bin(prefix: str, score: float) -> str:
    return _SCORE_LABELS[prefix][bisect.bisect_right(_SCORE_EDGES, score)]


# "s1:0" ... "s1:7" and the like, made once.
_SCORE_LABELS = {
    prefix: tuple(f"{prefix}:{i}" for i in range(len(_SCORE_EDGES) + 1))
    for prefix in ("s1", "p1", "n1", "p2", "n2", "region", "siblings")
}
