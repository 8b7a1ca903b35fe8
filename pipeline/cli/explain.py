"""`pipeline explain PAGE [--url URL]`: why a saved page gives the record it gives.

Prints every candidate block, kept or dropped, with its score, the rule that
decided it or the strongest signals behind its score, and the page-type
decision with the features it read (`--json` for the same as one JSON object).
`--html FILE` writes the page itself with every block outlined (green kept, red
dropped by its score, grey dropped by a rule) and its decision on hover; scripts
and frames are taken out.

Exit status: 0 when the page gives a record; 1 when it does not (the reason is
printed); 2 for a wrong command line or an unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.cli._common import rules_argument, site_rules
from pipeline.errors import ExtractionError, os_fault
from pipeline.options import DEFAULT_OPTIONS


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "explain",
        parents=[common],
        help="show every block kept or dropped, with its score and signals, and the page type",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("page", type=Path, help="a saved page (.html, or gzipped)")
    parser.add_argument("--url", help="the address the page was saved from")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    rules_argument(parser)
    parser.add_argument(
        "--brief",
        action="store_true",
        help="the decisions and the kept blocks, one line each (no dropped block, no signals)",
    )
    parser.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="write the page with its blocks outlined and their decisions on hover",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pipeline.explain import explain, explain_html, render, render_brief, to_json
    from pipeline.sources.files import read_page

    try:
        page = read_page(args.page, DEFAULT_OPTIONS.max_bytes)
    except ExtractionError as exc:
        print(f"pipeline explain: {args.page}: {exc.message}", file=sys.stderr)
        return 2
    page = replace(page, url=args.url)
    options = replace(DEFAULT_OPTIONS, site_rules=site_rules(args))
    if args.html is not None:
        report, view = explain_html(page, options)
        try:
            args.html.write_text(view, encoding="utf-8")
        except OSError as exc:
            raise os_fault(exc, f"cannot write {args.html}") from exc
    else:
        report = explain(page, options)
    if args.json:
        print(json.dumps(to_json(report), ensure_ascii=False, indent=1))
    else:
        print(render_brief(report) if args.brief else render(report))
    return 1 if report.error else 0
