"""`pipeline run CONFIG`: one scheduled run of a config (for cron).

Exit status: 0 when the run completed, whatever failed per page (run.json
counts it); 3 when it completed with alerts: every source failed, no URL could
be fetched (every fetch failed), a source that gave URLs in an earlier run
gave none, or a source's field coverage or body length departed from its recent
history (run.json's "alerts" and report.html say which; see the README's "Field
coverage, layout-change alerts and the run report"); 2 for a bad config or --run-id, or
an unwritable output; 65 for a damaged state store (`pipeline state CONFIG
--check`); 74 for a disk full or failing; 75 when the state store is in use by
another run; 130 or 143 when SIGINT or SIGTERM stopped it (run.json is
written, with "interrupted": true); 1 when the run could not complete.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.cli._common import progress, rules_argument, site_rules
from pipeline.errors import exit_status, storage_fault
from pipeline.sinks import sink_class

_log = logging.getLogger("pipeline.run")


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "run",
        parents=[common],
        help="discover, fetch and extract the sources of a config (for cron)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("config", type=Path, metavar="CONFIG.toml")
    parser.add_argument("--run-id", help="name of the run's folder (default: UTC timestamp)")
    parser.add_argument(
        "--format",
        metavar="FORMAT",
        help="the records' format: jsonl, parquet, markdown, an installed one, or a sink "
        "class as module:Class (default: the config's, or jsonl)",
    )
    rules_argument(parser)
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help="set a config key for this run, over the file's value: a dotted key and a "
        "TOML value (workers.jobs=4, fetch.per_host_delay=0.5, format=parquet); repeatable",
    )
    parser.set_defaults(handler=handle, interruptible=True)


def handle(args: argparse.Namespace) -> int:
    from pipeline.config import load_config
    from pipeline.jobs.run import check_run_id, run

    if args.run_id is not None:
        check_run_id(args.run_id)
    config = load_config(args.config, args.overrides)
    if args.format:
        sink_class(args.format)  # a wrong name is a usage error before the run starts
        config = replace(config, format=args.format)
    rules = site_rules(args, config.extraction.site_rules)
    config = replace(config, extraction=replace(config.extraction, site_rules=rules))
    try:
        with progress(args, "URLs") as bar:
            result = run(config, args.run_id, bar, args.interrupts)
    except Exception as exc:
        if exit_status(exc) is not None or storage_fault(exc) is not None:
            raise  # a fault with a status of its own (cli/__init__.py)
        # The run as a whole failed: say so, and exit non-zero.
        _log.error("pipeline run: the run could not complete: %r", exc, exc_info=True)
        return 1
    _log.info("pipeline run: records in %s", result.folder)
    return result.exit_status
