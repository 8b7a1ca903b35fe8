"""`pipeline report RUN_DIR`: the run's report as one self-contained HTML file.

Every `pipeline run` writes report.html into its folder; this command writes it
again, from the folder's run.json and records (after the records were moved, or
to see a report of a run made before reports existed), to RUN_DIR/report.html
or to -o FILE. `pipeline report OUTPUT_DIR/latest` reports the newest run.

Exit status: 0 written; 2 when RUN_DIR is not a run folder or FILE cannot be
written.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

_log = logging.getLogger("pipeline.report")


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report",
        parents=[common],
        help="write a run's report.html (funnel, coverage and trends, alerts)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument(
        "-o", "--output", type=Path, help="where to write (default: RUN_DIR/report.html)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pipeline.report import write_report

    written = write_report(args.run_dir, args.output)
    _log.info("pipeline report: %s", written)
    return 0
