"""Fit the block model (pipeline/extraction/models/blocks.json) and report its
cross-validated figures.

    .venv/bin/python bench/train_blocks.py [--data ../shared/bench] [--folds 5] [--write]

Needs the `train` extra (scikit-learn). Steps:

1. Every AEB page and every WCXB-dev article page goes through the extractor up
   to its candidate blocks (`analyse`), so training measures exactly the
   features the extractor measures in use.
2. Each block is labelled from the page's ground truth (AEB `articleBody`, WCXB
   `main_content`): a block of three words or more is article text when at least
   half of its word trigrams occur in the truth; a shorter one when it equals a
   line of the truth.
3. Features seen on too few sites are left out (a class name of one site teaches
   nothing about the next), and the logistic regression is fitted with blocks
   weighted by their length.
4. Cross-validation is grouped by site (registered domain): every fold's pages
   come from sites the fold's model never saw. For each held-out page the
   blocks the model keeps are rendered as the extractor renders them and scored
   with the benchmark's own metric; those are the figures reported, beside the
   shipped model's (as it was before this run) and the labels' own ceiling.
5. The model refitted on all pages is written with --write, weights rounded,
   keys sorted: the same data gives the same file.

trafilatura-eval has no block-level truth; it checks the written model through
`pipeline eval trafeval`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout: bench/

from bench.evaluate import metrics, robustness
from bench.evaluate.datasets import BenchPage, load_aeb, load_wcxb
from pipeline.errors import ExtractionError
from pipeline.extraction import Page, analyse, body
from pipeline.extraction.body import blockmodel
from pipeline.extraction.body.features import PageEvidence
from pipeline.extraction.body.segment import Candidate
from pipeline.extraction.decode import decode
from pipeline.extraction.render import render_text

MODEL_PATH = Path(__file__).resolve().parents[1] / "pipeline/extraction/models/blocks.json"
_MIN_SITES = 3  # a feature must occur on this many sites to get a weight
_MIN_SITES_NAMES = 5  # class/id words: more, they are the most site-specific
_SHINGLE = 3
_LEAK_COST = 0.1
_PAGE_WEIGHT = 200.0  # a page's blocks weigh this much in all
_COMMON_SUFFIXES = ("co", "com", "org", "net", "gov", "ac", "edu", "ne", "or")
# The robustness transformations trained on (all but g, whose hidden copy repeats
# article text the truth holds: a rule drops it, see body._drop_hidden_copies).
AUGMENT = ("a", "b", "c", "d-span", "e", "f", "h")


@dataclass
class PageData:
    dataset: str  # "aeb" or "wcxb"
    id: str  # with "#<key>" for a transformed copy
    site: str
    truth: str
    with_: tuple[str, ...]
    without: tuple[str, ...]
    candidates: list[Candidate]
    rows: list[tuple[str, ...]]
    labels: list[int]
    evidence: PageEvidence
    variant: str = ""  # the robustness transformation applied ("": the page as it is)
    weight: float = 1.0  # of the page's blocks in the fit, beside an original's


# --- data ------------------------------------------------------------------------------


def site_of(url: str | None) -> str:
    """The registered domain, roughly: the last two labels, three under co.uk-like suffixes."""
    host = (urlsplit(url or "").hostname or "").removeprefix("www.")
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _COMMON_SUFFIXES and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:]) or "unknown"


def measure(
    data: Path, limit: int | None, augment: Sequence[str] = (), jobs: int = 1
) -> list[PageData]:
    """Every page measured as the extractor measures it, and with `augment`, each
    also after those robustness transformations (bench/evaluate/robustness.py,
    seeded apart from the suite's own), labelled by the same truth: the model
    learns from markup it would otherwise meet only on unseen sites."""
    loaded: list[tuple[str, BenchPage]] = [
        *(("aeb", p) for p in load_aeb(data / "aeb", limit)),
        *(("wcxb", p) for p in load_wcxb(data / "wcxb-dev", ("article",), limit)),
    ]
    tasks = [(dataset, page, key) for dataset, page in loaded for key in ("", *augment)]
    if augment:
        global _TRANSFORMS
        _TRANSFORMS = robustness.registry(robustness.excerpt_pool(p for _, p in loaded))
    if jobs <= 1:
        found = map(_measured, tasks)
        return [p for p in found if p is not None]
    with ProcessPoolExecutor(jobs) as pool:
        return [p for p in pool.map(_measured, tasks, chunksize=8) if p is not None]


_TRANSFORMS: dict[str, robustness.Transform] = {}
_AUGMENT_WEIGHT = 0.5  # a transformed copy's blocks weigh this much of its original's


def _measured(task: tuple[str, BenchPage, str]) -> PageData | None:
    dataset, page, key = task
    source = page
    if key:
        html = _TRANSFORMS[key].apply(
            decode(page.html), page, robustness.seed(f"train/{dataset}", page.id, key)
        )
        if html is None:
            return None
        source = replace(page, html=html.encode("utf-8"))
    found = _analysed(source)
    if found is None:
        return None
    # Hidden copies are set aside before scoring, as the extractor does.
    scored = [d for d in found.decisions if d.reason != body.HIDDEN_COPY]
    candidates = [d.candidate for d in scored]
    return PageData(
        dataset,
        f"{page.id}#{key}" if key else page.id,
        site_of(page.url),
        page.text,
        page.with_,
        page.without,
        candidates,
        [d.features for d in scored],
        align(candidates, page.text),
        found.evidence,
        key,
        _AUGMENT_WEIGHT if key else 1.0,
    )


def _analysed(page: BenchPage):  # type: ignore[no-untyped-def]
    try:
        return analyse(Page(page.html, page.url))
    except ExtractionError:
        return None


def _words(text: str) -> list[str]:
    return metrics._TOKEN.findall(text.lower())


def align(candidates: Sequence[Candidate], truth: str) -> list[int]:
    """1 for the blocks that are article text by the ground truth, else 0."""
    tokens = _words(truth)
    grams = {tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1)}
    lines = {tuple(_words(line)) for line in truth.splitlines() if line.strip()}
    out = []
    for candidate in candidates:
        words = _words(candidate.text)
        if len(words) >= _SHINGLE:
            own = [tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)]
            out.append(int(sum(g in grams for g in own) >= 0.5 * len(own)))
        else:
            out.append(int(bool(words) and tuple(words) in lines))
    return out


# --- fitting ---------------------------------------------------------------------------


Rows = list[list[tuple[str, ...]]]  # per page, per block: its features


def vocabulary(pages: Sequence[PageData], rows: Rows) -> list[str]:
    sites: dict[str, set[str]] = defaultdict(set)
    for page, page_rows in zip(pages, rows, strict=True):
        for row in page_rows:
            for name in row:
                sites[name].add(page.site)
    keep = []
    for name, where in sites.items():
        needed = _MIN_SITES_NAMES if name.startswith(("own:", "near:")) else _MIN_SITES
        if len(where) >= needed:
            keep.append(name)
    return sorted(keep)


def matrix(pages: Sequence[PageData], rows: Rows, index: dict[str, int]):  # type: ignore[no-untyped-def]
    cells_r, cells_c, ys, weights = [], [], [], []
    r = 0
    for page, page_rows in zip(pages, rows, strict=True):
        sizes = [1 + len(_words(c.text)) for c in page.candidates]
        total = (
            sum(s for s, c in zip(sizes, page.candidates, strict=True) if not body.ruled_out(c))
            or 1
        )
        for candidate, names, label, size in zip(
            page.candidates, page_rows, page.labels, sizes, strict=True
        ):
            if body.ruled_out(candidate):
                continue  # decided by rule (the headline, furniture text), not by the model
            for name in names:
                j = index.get(name)
                if j is not None:
                    cells_r.append(r)
                    cells_c.append(j)
            ys.append(label)
            # Each page weighs the same (the benchmarks average over pages), and
            # within it each block by its words (their metrics count words).
            weights.append(page.weight * _PAGE_WEIGHT * size / total)
            r += 1
    x = sparse.csr_matrix(
        (np.ones(len(cells_r)), (np.array(cells_r), np.array(cells_c))), shape=(r, len(index))
    )
    return x, np.array(ys), np.array(weights)


def fit_stage(pages: Sequence[PageData], rows: Rows, c: float) -> blockmodel.Stage:
    names = vocabulary(pages, rows)
    index = {n: i for i, n in enumerate(names)}
    x, y, w = matrix(pages, rows, index)
    regression = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
    regression.fit(x, y, sample_weight=w)
    weights = {n: round(float(v), 4) for n, v in zip(names, regression.coef_[0], strict=True)}
    return blockmodel.Stage(
        round(float(regression.intercept_[0]), 4), {n: v for n, v in weights.items() if v}
    )


def second_rows(page: PageData, first: blockmodel.Stage) -> list[tuple[str, ...]]:
    ruled = [bool(body.ruled_out(c)) for c in page.candidates]
    scores = blockmodel.first_scores(page.rows, ruled, first)
    chains = [c.context.chain for c in page.candidates]
    extra = blockmodel.context_features(scores, chains)
    return [r + e for r, e in zip(page.rows, extra, strict=True)]


def fit(pages: Sequence[PageData], c: float, threshold: float, inner: int = 3) -> blockmodel.Model:
    """Both stages. The second learns from first-stage scores of pages the first
    stage was not fitted on (inner folds by site), as it will meet them in use."""
    first = fit_stage(pages, [p.rows for p in pages], c)
    held_rows: dict[str, list[tuple[str, ...]]] = {}
    for k in range(inner):
        train = [p for p in pages if fold_of(p.site, inner, salt="inner") != k]
        inner_first = fit_stage(train, [p.rows for p in train], c)
        for page in pages:
            if fold_of(page.site, inner, salt="inner") == k:
                held_rows[page.id] = second_rows(page, inner_first)
    second = fit_stage(pages, [held_rows[p.id] for p in pages], c)
    return blockmodel.Model(first, second, threshold)


# --- scoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    aeb_f1: float
    aeb_p: float
    aeb_r: float
    wcxb_f1: float
    with_found: float
    without_leaked: float

    def line(self, name: str) -> str:
        return (
            f"| {name} | {self.aeb_f1:.3f} | {self.aeb_p:.3f} | {self.aeb_r:.3f} | "
            f"{self.wcxb_f1:.3f} | {100 * self.with_found:.1f}% | "
            f"{100 * self.without_leaked:.1f}% |"
        )


def page_text(page: PageData, model: blockmodel.Model | None, labels: bool = False) -> str:
    if labels:
        kept = [c for c, y in zip(page.candidates, page.labels, strict=True) if y and not c.title]
        built = body.Body()
        for c in kept:
            if c.table is not None:
                built.blocks.append(body.TableRef(len(built.tables)))
                built.tables.append(c.table)
            else:
                built.blocks.append(c.block)
    else:
        decisions = body.decide(page.candidates, page.evidence, model, page.rows)
        built = body.assemble(decisions)
    return render_text(built.blocks, built.tables)


def figures(pages: Sequence[PageData], texts: dict[str, str]) -> Figures:
    """The benchmarks' figures over the pages as they are (transformed copies aside)."""
    pages = [p for p in pages if not p.variant]
    aeb = [metrics.shingle_overlap(p.truth, texts[p.id]) for p in pages if p.dataset == "aeb"]
    wcxb = [p for p in pages if p.dataset == "wcxb"]
    scores = [metrics.word_score(p.truth, texts[p.id]).f1 for p in wcxb]
    found = [metrics.snippets_in(p.with_, texts[p.id]) / len(p.with_) for p in wcxb if p.with_]
    leaked = [
        metrics.snippets_in(p.without, texts[p.id]) / len(p.without) for p in wcxb if p.without
    ]
    a = metrics.aeb_score(aeb) if aeb else metrics.Score(0, 0, 0)
    return Figures(
        a.f1,
        a.precision,
        a.recall,
        metrics.mean(scores),
        metrics.mean(found),
        metrics.mean(leaked),
    )


def robust_line(pages: Sequence[PageData], texts: dict[str, str], name: str) -> str:
    """Per transformation: the mean change of F1 (AEB's shingles, WCXB's words) from
    each page to its transformed copy, both sets' pages together."""
    originals = {p.id: p for p in pages if not p.variant}
    changes: dict[str, list[float]] = defaultdict(list)
    for page in pages:
        base = originals.get(page.id.split("#")[0])
        if not page.variant or base is None:
            continue
        changes[page.variant].append(_f1(page, texts[page.id]) - _f1(base, texts[base.id]))
    cells = " | ".join(
        f"{key} {statistics.fmean(v):+.3f}" for key, v in sorted(changes.items()) if v
    )
    return f"| {name} | {cells} |"


def _f1(page: PageData, text: str) -> float:
    if page.dataset == "aeb":
        return metrics.aeb_score([metrics.shingle_overlap(page.truth, text)]).f1
    return metrics.word_score(page.truth, text).f1


def fold_of(site: str, folds: int, salt: str = "") -> int:
    return zlib.crc32((salt + site).encode()) % folds


def cross_validate(
    pages: Sequence[PageData], folds: int, c: float, thresholds: Sequence[float]
) -> dict[float, tuple[Figures, str]]:
    """Held-out texts per threshold: each fold's model never saw the fold's sites
    (nor their transformed copies). Figures of the pages as they are, and the
    robustness line of their copies."""
    texts: dict[float, dict[str, str]] = {t: {} for t in thresholds}
    for k in range(folds):
        train = [p for p in pages if fold_of(p.site, folds) != k]
        held = [p for p in pages if fold_of(p.site, folds) == k]
        model = fit(train, c, 0.0)
        for t in thresholds:
            shifted = blockmodel.Model(model.first, model.second, t)
            for page in held:
                texts[t][page.id] = page_text(page, shifted)
    return {
        t: (figures(pages, texts[t]), robust_line(pages, texts[t], f"CV C={c} t={t:+.1f}"))
        for t in thresholds
    }


# --- main ------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, help="first N pages of each benchmark")
    parser.add_argument("--c", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[-0.5, 0.0, 0.5])
    parser.add_argument("--write", action="store_true", help="write the model file")
    parser.add_argument(
        "--augment",
        default=",".join(AUGMENT),
        help="robustness transformations to train on as well (comma-separated; '' for none)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    augment = [k for k in args.augment.split(",") if k]
    pages = measure(args.data, args.limit, augment, args.jobs)
    sites = len({p.site for p in pages})
    blocks = sum(len(p.candidates) for p in pages)
    positive = sum(sum(p.labels) for p in pages)
    print(
        f"{len(pages)} pages of {sites} sites, {blocks} blocks ({positive} article), "
        f"measured in {time.perf_counter() - start:.0f}s",
        file=sys.stderr,
    )
    header = "| model | AEB F1 | AEB P | AEB R | WCXB F1 | with | without |\n" + "| --- " * 7 + "|"
    print(header)
    shipped = blockmodel.model()
    print(figures(pages, {p.id: page_text(p, shipped) for p in pages}).line("shipped (in-sample)"))
    print(figures(pages, {p.id: page_text(p, None, labels=True) for p in pages}).line("labels"))
    best: tuple[float, float, float] | None = None
    robust_lines = []
    for c in args.c:
        results = cross_validate(pages, args.folds, c, args.thresholds)
        for t, (fig, robust) in results.items():
            print(fig.line(f"CV C={c} t={t:+.1f}"))
            robust_lines.append(robust)
            # Both benchmarks alike, and a leak of boilerplate costs a little more.
            goal = statistics.fmean((fig.aeb_f1, fig.wcxb_f1)) - _LEAK_COST * fig.without_leaked
            if best is None or goal > best[0]:
                best = (goal, c, t)
    assert best is not None
    if augment:
        print("\nF1 change from each page to its transformed copy (CV, AEB and WCXB pages):")
        print("\n".join(robust_lines))
    _, c, t = best
    print(f"chosen by CV: C={c}, threshold={t:+.1f}", file=sys.stderr)
    if args.write:
        model = fit(pages, c, t)
        write(model, c, len(pages), sites)
        size = len(model.first.weights) + len(model.second.weights if model.second else ())
        print(f"wrote {MODEL_PATH} ({size} weights)", file=sys.stderr)
    return 0


def write(model: blockmodel.Model, c: float, pages: int, sites: int) -> None:
    version = f"two-stage logistic regression, C={c}, {pages} pages of {sites} sites"
    data = blockmodel.to_json(blockmodel.Model(model.first, model.second, model.threshold, version))
    MODEL_PATH.write_text(json.dumps(data, indent=0, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
