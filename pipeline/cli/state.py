"""`pipeline state CONFIG`: what the state store knows; make failed URLs due again;
check a store and rebuild a damaged one.

--check reads every page of the store; --rebuild sets the file aside and builds
a new store of the rows still readable and the records in the config's run
folders (so the next run does not write those records again).

Exit status: 0; 2 for a bad config; 65 when the store is damaged (--check, or
any other use, says how to recover); 74 for a disk full or failing; 75 when a
run holds the store.
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
    resets.add_argument(
        "--check",
        action="store_true",
        help="read every page of the store and say whether it is damaged (exit 65 if so)",
    )
    resets.add_argument(
        "--rebuild",
        action="store_true",
        help="set a damaged store aside and build a new one from what can still be read "
        "and from the run folders' records",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pipeline.config import load_config
    from pipeline.state import StateStore

    config = load_config(args.config)
    if args.check:
        return _check(config.state_path)
    if args.rebuild:
        return _rebuild(config.state_path, config.output_dir)
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


def _check(path: Path) -> int:
    from pipeline.errors import EXIT_DAMAGED
    from pipeline.state import check

    problems = check(path)
    if not problems:
        print(f"state store {path}: sound" if path.exists() else f"no state store at {path} yet")
        return 0
    print(f"state store {path} is damaged:")
    for problem in problems:
        print(f"  {problem}")
    print(
        "to recover: `pipeline state CONFIG --rebuild` sets the file aside and builds a new"
        " store from the rows still readable and the records in the run folders"
    )
    return EXIT_DAMAGED


def _rebuild(path: Path, output_dir: Path) -> int:
    from pipeline.jobs.run import known_records
    from pipeline.state import rebuild

    done = rebuild(path, known_records(output_dir))
    if done.aside is not None:
        print(f"set aside: {done.aside}")
    salvaged = ", ".join(f"{table} {n}" for table, n in done.salvaged.items()) or "nothing"
    print(f"rows read back: {salvaged}")
    print(f"URLs learnt from the records in {output_dir}: {done.from_records}")
    print(f"new state store: {path}")
    return 0
