"""`pipeline eval aeb|wcxb|trafeval|speed|memory|robustness|all`: the evaluation's command line.

Only `run` loads the measuring modules (and trafilatura with them), so that
building the `pipeline` parser stays cheap for `pipeline extract`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bench.evaluate import PARTS, TRANSFORMS

if TYPE_CHECKING:
    from bench.evaluate.run import Plan

DEFAULT_DATA = Path("../shared/bench")
DEFAULT_RESULTS = Path("bench/results")
DEFAULT_README = Path("bench/README.md")


def _parts(value: str) -> tuple[str, ...]:
    """`all`, or parts by name ("aeb,wcxb"), in the report's order."""
    if value.strip() == "all":
        return PARTS
    asked = {p.strip() for p in value.split(",") if p.strip()}
    unknown = sorted(asked - set(PARTS))
    if unknown or not asked:
        raise argparse.ArgumentTypeError(
            f"unknown part {', '.join(unknown) or value!r}: choose all or from {', '.join(PARTS)}"
        )
    return tuple(p for p in PARTS if p in asked)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "what",
        type=_parts,
        help=f"which measurements to run: all, or some of {', '.join(PARTS)} (comma-separated)",
    )
    parser.add_argument("--limit", type=int, help="only the first N pages of each benchmark")
    parser.add_argument("--types", help="WCXB page types, comma-separated (default: all)")
    parser.add_argument("--no-peers", action="store_true", help="skip trafilatura")
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder holding aeb/, wcxb-dev/ and trafilatura-eval/",
    )
    parser.add_argument("--rounds", type=int, default=5, help="speed rounds (default 5)")
    parser.add_argument(
        "--memory-pages", type=int, default=5000, help="pages of the memory run (default 5000)"
    )
    parser.add_argument(
        "--transforms",
        help="robustness transformations, comma-separated (default: all; "
        f"{','.join(TRANSFORMS)}; d is both d-span and d-custom)",
    )
    parser.add_argument("--workers", type=int, help="robustness: processes (default: one per core)")
    parser.add_argument("--worst", type=int, default=15, help="worst pages listed per benchmark")
    parser.add_argument(
        "--write", action="store_true", help="save results and update the bench README table"
    )
    parser.add_argument(
        "--results", type=Path, default=DEFAULT_RESULTS, help="folder of results (--write)"
    )
    parser.add_argument(
        "--readme", type=Path, default=DEFAULT_README, help="README whose table --write updates"
    )


def transform_keys(text: str | None) -> tuple[str, ...]:
    """`a,d,f` -> the keys, in report order ("d" is both d-span and d-custom)."""
    if not text:
        return TRANSFORMS
    asked = {t.strip() for t in text.split(",") if t.strip()}
    families = {k.split("-")[0] for k in TRANSFORMS}
    unknown = sorted(asked - set(TRANSFORMS) - families)
    if unknown:
        known = ", ".join(TRANSFORMS)
        raise ValueError(f"unknown transformations: {', '.join(unknown)} (known: {known})")
    return tuple(k for k in TRANSFORMS if k in asked or k.split("-")[0] in asked)


def plan_of(args: argparse.Namespace, argv: list[str]) -> Plan:
    from bench.evaluate.run import Plan

    types = frozenset(t.strip() for t in args.types.split(",") if t.strip()) if args.types else None
    return Plan(
        parts=args.what,
        data=args.data,
        limit=args.limit,
        types=types,
        peers=not args.no_peers,
        rounds=args.rounds,
        memory_pages=args.memory_pages,
        command=" ".join(["pipeline", *argv]),
        transforms=transform_keys(args.transforms),
        workers=args.workers,
    )


def missing_data(plan: Plan) -> list[Path]:
    needs = {
        "aeb": ("aeb",),
        "speed": ("aeb",),
        "wcxb": ("wcxb-dev",),
        "memory": ("wcxb-dev",),
        "trafeval": ("trafilatura-eval",),
        "robustness": ("aeb", "wcxb-dev", "trafilatura-eval"),
    }
    folders = {plan.data / folder for p in plan.parts for folder in needs[p]}
    return sorted(f for f in folders if not f.is_dir())


def run(args: argparse.Namespace, argv: list[str]) -> int:
    from bench.evaluate import report
    from bench.evaluate.run import execute

    try:
        plan = plan_of(args, argv)
    except ValueError as exc:
        print(f"pipeline eval: {exc}", file=sys.stderr)
        return 2
    missing = missing_data(plan)
    if missing:
        print(f"pipeline eval: no benchmark folder {missing[0]} (see --data)", file=sys.stderr)
        return 2
    results = execute(plan, lambda line: print(f"pipeline eval: {line}", file=sys.stderr))
    print(report.render(results, args.worst))
    if args.write and report.has_main_parts(results):
        figures, pages = report.write_results(results, args.results)
        report.update_readme(args.readme, results)
        print(f"results: {figures}  pages: {pages}  table: {args.readme}", file=sys.stderr)
    if args.write and results.robustness is not None:
        figures, pages = report.write_robustness(results, args.results)
        report.update_robustness_readme(args.readme, results)
        print(f"robustness: {figures}  pages: {pages}  table: {args.readme}", file=sys.stderr)
    return 0
