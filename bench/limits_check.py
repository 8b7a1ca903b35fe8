"""Check that extraction/limits.py refuses no page of the benchmarks, and how near
each measure comes to its limit (run once after changing a limit, not in the tests).

    .venv/bin/python -m bench.limits_check [BENCH_ROOT]

BENCH_ROOT defaults to ../shared/bench (every `*/html/*.html.gz` under it).
Prints each measure's highest value and its page, the time the check took, and
every page it refuses; exit status 1 when it refuses any.
"""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

from pipeline.errors import TooComplex
from pipeline.extraction import limits


def main(root: Path) -> int:
    pages = sorted(root.glob("*/html/*.html.gz"))
    highest = {"depth": (0, ""), "attributes": (0, ""), "elements": (0, "")}
    refused: list[str] = []
    spent = 0.0
    for path in pages:
        data = gzip.decompress(path.read_bytes())
        shape = limits.Shape(limits.elements_only(data))
        started = time.perf_counter()
        try:
            limits.check(data)
        except TooComplex as exc:
            refused.append(f"{path}: {exc.message}")
        spent += time.perf_counter() - started
        measures = {
            "depth": shape.depth(),
            "attributes": shape.most_attributes(),
            "elements": shape.elements,
        }
        for name, value in measures.items():
            if value > highest[name][0]:
                highest[name] = (value, str(path))
    each = 1000 * spent / max(len(pages), 1)
    print(f"{len(pages)} pages, check: {spent:.2f}s in all, {each:.2f} ms per page")
    limit = {
        "depth": limits.MAX_DEPTH,
        "attributes": limits.MAX_ATTRIBUTES,
        "elements": limits.MAX_ELEMENTS,
    }
    for name, (value, where) in highest.items():
        print(f"highest {name}: {value:,} (limit {limit[name]:,}) in {where}")
    for line in refused:
        print("refused", line)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/bench")))
