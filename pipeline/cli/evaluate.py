"""`pipeline eval ...`: score the extractor on benchmarks beside trafilatura.

The harness is not part of the installed package: it lives in the checkout's
`bench/evaluate/` (with trafilatura, the `bench` extra), beside the benchmarks
it reads. From a checkout (an editable install, as `make` makes) the command
finds it; from an installed wheel it says where to get it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pipeline

_log = logging.getLogger("pipeline.eval")
_CHECKOUT = Path(pipeline.__file__).resolve().parent.parent


def _harness() -> ModuleType | None:
    if (_CHECKOUT / "bench" / "evaluate").is_dir() and str(_CHECKOUT) not in sys.path:
        sys.path.insert(0, str(_CHECKOUT))
    try:
        return importlib.import_module("bench.evaluate.command")
    except ImportError:
        return None


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "eval",
        parents=[common],
        help="score the extractor on benchmarks beside trafilatura (bench/README.md)",
    )
    harness = _harness()
    if harness is not None:
        harness.add_arguments(parser)  # light: trafilatura loads when it runs
    else:
        parser.add_argument("rest", nargs="*")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    harness = _harness()
    if harness is None:
        _log.error(
            "pipeline eval: the evaluation harness is in a checkout of the repository "
            "(bench/evaluate), with the bench extra: pip install -e '.[bench]'"
        )
        return 2
    return int(harness.run(args, args.argv))
