"""`pipeline eval ...`: score the extractor on benchmarks beside trafilatura."""

from __future__ import annotations

import argparse
from typing import Any


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    from pipeline.evaluate.command import add_arguments  # light: trafilatura loads in run

    parser = commands.add_parser(
        "eval",
        parents=[common],
        help="score the extractor on benchmarks beside trafilatura (bench/README.md)",
    )
    add_arguments(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pipeline.evaluate.command import run

    return run(args, args.argv)
