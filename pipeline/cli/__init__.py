"""The `pipeline` command line: one module per command.

    pipeline extract PATH...      saved pages, folders, web archives, stdin  (extract.py)
    pipeline fetch URL...         fetch and extract pages, no state           (fetch.py)
    pipeline run CONFIG           a scheduled run of a config                 (run.py)
    pipeline state CONFIG         what the state store knows; resets          (state.py)
    pipeline eval ...             quality and speed beside trafilatura        (evaluate.py)
    pipeline explain PAGE         every block kept or dropped, and why        (explain.py)

Exit statuses common to every command: 0 done; 2 a wrong command line, config
or run id, a state store in use, an output that cannot be written; 130 after
Ctrl-C outside a run's own handling. Each command documents its others.
"""

from __future__ import annotations

import argparse
import logging
import sys

from pipeline.cli import evaluate, explain, extract, fetch, run, state
from pipeline.errors import ConfigError, OutputError, StateError
from pipeline.logs import setup
from pipeline.sinks import format_for
from pipeline.version import __version__

_COMMANDS = (extract, fetch, run, state, evaluate, explain)
_log = logging.getLogger("pipeline")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    setup(args.verbose - args.quiet, args.log_format)
    args.argv = argv
    try:
        if getattr(args, "format_from_output", False):  # extract, fetch: -o names it
            args.format = format_for(args.output, args.format)
        return int(args.handler(args))
    except (OutputError, ConfigError, StateError) as exc:
        _log.error("pipeline %s: %s", args.command, exc)
        return 2
    except KeyboardInterrupt:  # Ctrl-C outside a run's own handling: no traceback
        _log.error("pipeline %s: interrupted", args.command)
        return 130


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="count", default=0, help="only warnings and errors")
    common.add_argument(
        "-v", "--verbose", action="count", default=0, help="debug lines (tracebacks too)"
    )
    common.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="log lines as timestamped text (default) or one JSON object each",
    )
    top = argparse.ArgumentParser(prog="pipeline", description=__doc__.splitlines()[0])
    top.add_argument("--version", action="version", version=f"pipeline {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        command.add(commands, common)
    return top
