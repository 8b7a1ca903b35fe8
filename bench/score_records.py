"""Score a records snapshot (bench/same_records.py) with the benchmarks' own metrics.

    python bench/score_records.py SNAPSHOT.jsonl.gz [BASE.jsonl.gz] [--worst 20]

Prints AEB F1, WCXB article F1 with `with`/`without`, listing and collection pages
kept, and trafilatura-eval F with its pages without a record, as `pipeline eval`
does for ours, from the records alone (no extraction). With BASE, the same figures
for it, and the pages whose F1 moved most between the two, worst first: the quick
look at what a change did, before a full `pipeline eval all`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.evaluate import datasets  # noqa: E402
from bench.evaluate.datasets import BenchPage  # noqa: E402
from bench.evaluate.quality import (  # noqa: E402
    INDEX_TYPES,
    PageRow,
    aeb_summary,
    score_page,
    trafeval_summary,
    wcxb_summary,
)
from bench.evaluate.systems import Prediction  # noqa: E402

_SETS = {"aeb": "aeb", "wcxb-dev": "wcxb", "trafilatura-eval": "trafeval"}


def _predictions(path: Path) -> dict[tuple[str, str], Prediction]:
    found = {}
    with gzip.open(path, "rt", encoding="utf-8") as source:
        for line in source:
            d: dict[str, Any] = json.loads(line)
            record = d.get("record")
            if record is None:
                reason, message = d["error"]
                pred = Prediction("", rejected=reason, message=message)
            else:
                authors = record.get("authors") or []
                pred = Prediction(
                    record["text"],
                    record.get("title"),
                    authors[0] if authors else None,
                    record.get("published"),
                )
            found[(d["set"], d["id"])] = pred
    return found


def _pages(data: Path) -> dict[str, list[BenchPage]]:
    return {
        "aeb": list(datasets.load_aeb(data / datasets.AEB_DIR)),
        "wcxb-dev": list(datasets.load_wcxb(data / datasets.WCXB_DIR)),
        "trafilatura-eval": list(datasets.load_trafeval(data / datasets.TRAFEVAL_DIR)),
    }


def score(path: Path, pages: dict[str, list[BenchPage]]) -> dict[str, list[PageRow]]:
    preds = _predictions(path)
    rows: dict[str, list[PageRow]] = {}
    for name, items in pages.items():
        rows[name] = [
            score_page(_SETS[name], p, "ours", preds[(name, p.id)])
            for p in items
            if (name, p.id) in preds
        ]
    return rows


def summary(rows: dict[str, list[PageRow]]) -> str:
    aeb = aeb_summary(rows["aeb"])
    articles = [r for r in rows["wcxb-dev"] if r.page_type == "article"]
    wcxb = wcxb_summary(articles)
    index = [r for r in rows["wcxb-dev"] if r.page_type in INDEX_TYPES]
    kept = sum(1 for r in index if not r.rejected)
    rejected = sum(1 for r in articles if r.rejected)
    traf = trafeval_summary(rows["trafilatura-eval"])
    return (
        f"AEB F1 {aeb.f1:.4f} (P {aeb.precision:.4f} R {aeb.recall:.4f}) | "
        f"WCXB article F1 {wcxb.f1:.4f} with {wcxb.with_found:.1%} without "
        f"{wcxb.without_leaked:.1%} | listing+coll kept {kept}/{len(index)}, articles "
        f"rejected {rejected}/{len(articles)} | traf-eval F {traf.f:.4f} no record "
        f"{traf.no_record}/{traf.pages}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("base", type=Path, nargs="?")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--worst", type=int, default=20)
    args = parser.parse_args(argv)
    pages = _pages(args.data)
    new = score(args.snapshot, pages)
    print(f"new:  {summary(new)}")
    if args.base is None:
        return 0
    old = score(args.base, pages)
    print(f"base: {summary(old)}")
    moved = []
    for name in new:
        before = {r.id: r for r in old[name]}
        for row in new[name]:
            was = before.get(row.id)
            if was is None:
                continue
            delta = _quality(row) - _quality(was)
            if abs(delta) > 1e-9:
                moved.append((delta, name, row, was))
    moved.sort(key=lambda m: m[0])
    print(f"{len(moved)} pages moved; worst and best:")
    for delta, name, row, was in [*moved[: args.worst], *moved[-args.worst :][::-1]]:
        print(
            f"  {delta:+.3f} {name}/{row.id} ({row.page_type}) {_quality(was):.3f} -> "
            f"{_quality(row):.3f} {row.rejected or ''} {row.url or ''}"
        )
    return 0


def _quality(row: PageRow) -> float:
    """F1, or for trafilatura-eval (no main text) the share of snippets right."""
    if row.dataset == "trafeval":
        right = row.with_found + (row.without_total - row.without_leaked)
        total = row.with_total + row.without_total
        return right / total if total else 1.0
    return row.f1


if __name__ == "__main__":
    sys.exit(main())
