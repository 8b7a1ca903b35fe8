"""The compiled page walk against the Python one, on every benchmark page.

    .venv/bin/python bench/native_check.py [--data ../shared/bench] [--each]

Each page (`*/html/*.html.gz` under `--data`: the 2,668 pages of the three dev
sets) is decoded with `decode.decode`, parsed with LexborHTMLParser, and its
body walked by `pageindex._Walk` and by `native.walk`. Every list must be equal
(types included), the node order too, and `_native.attributes` must equal
selectolax's `node.attributes` on every node: a mismatch is printed with its
page. Then the CPU time (time.process_time, the machine being shared) of each
walk per page: the Python walk; the native walk alone; the native walk plus the
list of nodes the index also needs (`list(root.traverse(include_text=True))`),
which is what replaces `_Walk`; and the attributes of every element both ways.
`--each` prints the times of every page. Exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from pipeline.errors import ExtractionError  # noqa: E402
from pipeline.extraction import decode, native  # noqa: E402
from pipeline.extraction.pageindex import _Walk  # noqa: E402

_REPEAT = 3  # each walk is timed this many times, the least kept


def _least(run: object, repeat: int = _REPEAT) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--each", action="store_true", help="print every page's times")
    args = parser.parse_args()
    if not native.available():
        print("the native walk is not available (not built, or PIPELINE_PURE_PYTHON set)")
        return 1
    from pipeline.extraction import _native

    paths = sorted(args.data.glob("*/html/*.html.gz"))
    if not paths:
        print(f"no pages under {args.data}/*/html/")
        return 1
    python_ms: list[float] = []
    native_ms: list[float] = []
    with_nodes_ms: list[float] = []
    attrs_python_ms: list[float] = []
    attrs_native_ms: list[float] = []
    sizes: list[int] = []
    mismatches = skipped = 0
    for path in paths:
        page = f"{path.parent.parent.name}/{path.name}"
        try:
            html = decode.decode(gzip.decompress(path.read_bytes()))
        except ExtractionError as exc:
            print(f"{page}: not decoded ({exc})")
            skipped += 1
            continue
        tree = LexborHTMLParser(html)
        body = tree.body
        if body is None:
            print(f"{page}: no body")
            skipped += 1
            continue
        expected = _Walk(body)
        problem = native.compare(_native, body, expected)
        if problem:
            mismatches += 1
            print(f"{page}: MISMATCH {problem}")
            continue
        tags = expected.tags
        elements = [n for n, tag in zip(expected.nodes, tags, strict=True) if tag[:1] != "-"]
        mem_ids = [node.mem_id for node in elements]
        python_ms.append(_least(lambda: _Walk(body)) * 1000)  # noqa: B023
        native_ms.append(_least(lambda: native.walk(body)) * 1000)  # noqa: B023
        with_nodes_ms.append(
            _least(lambda: (native.walk(body), list(body.traverse(include_text=True))))  # noqa: B023
            * 1000
        )
        attrs_python_ms.append(_least(lambda: [n.attributes for n in elements]) * 1000)  # noqa: B023
        attrs_native_ms.append(
            _least(lambda: [_native.attributes(m) for m in mem_ids]) * 1000  # noqa: B023
        )
        sizes.append(len(expected.nodes))
        if args.each:
            print(
                f"{page}: {len(expected.nodes)} nodes, python {python_ms[-1]:.3f} ms, "
                f"native {native_ms[-1]:.3f} ms, with nodes {with_nodes_ms[-1]:.3f} ms"
            )
    compared = len(python_ms)
    print(f"pages: {len(paths)}, compared {compared}, skipped {skipped}, mismatches {mismatches}")
    if compared:
        print(
            f"nodes per page: mean {statistics.fmean(sizes):,.0f}, "
            f"median {statistics.median(sizes):,.0f}, max {max(sizes):,}"
        )
        print("CPU ms per page (least of 3)       mean   median      p95   total s")
        for label, values in (
            ("python walk (_Walk)", python_ms),
            ("native walk", native_ms),
            ("native walk + nodes list", with_nodes_ms),
            ("attributes, node.attributes", attrs_python_ms),
            ("attributes, _native", attrs_native_ms),
        ):
            ordered = sorted(values)
            p95 = ordered[int(0.95 * (len(ordered) - 1))]
            print(
                f"  {label:<30} {statistics.fmean(values):7.3f} {statistics.median(values):8.3f}"
                f" {p95:8.3f} {sum(values) / 1000:9.2f}"
            )
        print(
            f"speedup (total): native walk {sum(python_ms) / sum(native_ms):.1f}x, "
            f"with nodes list {sum(python_ms) / sum(with_nodes_ms):.1f}x, "
            f"attributes {sum(attrs_python_ms) / sum(attrs_native_ms):.1f}x"
        )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
