"""`pipeline state CONFIG`: what the state store knows; make failed URLs due again.

Exit status: 0; 2 for a bad config or a state store in use by a run.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

_log = logging.getLogger("pipeline.state")


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "state",
        parents=[common],
        help="show the state store of a config: counts, failing and given-up URLs",
        description=__doc__,
    )
    parser.add_argument("config", type=Path, metavar="CONFIG.toml")
    parser.add_argument("--limit", type=int, default=20, help="URLs listed (default 20)")
    resets = parser.add_mutually_exclusive_group()
    resets.add_argument("--reset", metavar="URL", help="make this failing or given-up URL due")
    resets.add_argument(
        "--reset-reason",
        metavar="REASON",
        help="make every URL whose latest failure had this reason due (e.g. robots_unreachable)",
    )
    resets.add_argument(
        "--reset-all", action="store_true", help="make every failing or given-up URL due"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pipeline.config import load_config
    from pipeline.state import StateStore

    config = load_config(args.config)
    with StateStore.open(config.state_path, "pipeline-state", policy=config.retry) as store:
        if args.reset or args.reset_reason or args.reset_all:
            made = store.reset(url=args.reset, reason=args.reset_reason)
            _log.info("%d URL%s made due again", made, "s" if made != 1 else "")
        stats = store.stats()
        print(f"state store: {config.state_path}")
        print(
            f"URLs: {stats.urls}, extracted: {stats.extracted}, failing: {stats.failing}, "
            f"given up: {stats.given_up}, runs: {stats.runs}"
        )
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(store.reasons().items()))
        if reasons:
            print(f"failing or given up, by latest reason: {reasons}")
        for url_state in store.failing(args.limit):
            if url_state.given_up_reason is not None:
                when = f"given up ({url_state.given_up_reason})"
            else:
                retry = url_state.next_retry
                when = f"next try {retry.isoformat(timespec='minutes') if retry else 'now'}"
            failures = f"{url_state.failures} failure{'s' if url_state.failures != 1 else ''}"
            print(f"  {url_state.url}  {url_state.last_error}, {failures}, {when}")
    return 0
