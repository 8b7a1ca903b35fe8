"""The `pipeline` command line: one module per command.

    pipeline extract PATH...      saved pages, folders, web archives, stdin  (extract.py)
    pipeline fetch URL...         fetch and extract pages, no state           (fetch.py)
    pipeline run CONFIG           a scheduled run of a config                 (run.py)
    pipeline state CONFIG         what the state store knows; resets          (state.py)
    pipeline eval ...             quality and speed beside trafilatura        (evaluate.py)
    pipeline explain PAGE         every block kept or dropped, and why        (explain.py)
    pipeline report RUN_DIR       a run's report.html                         (report.py)

Exit statuses common to every command (the README's "Exit statuses"): 0 done;
1 the work could not complete (the error is logged); 2 a wrong command line,
config or run id, an output that cannot be written; 65 a damaged state store;
74 a disk full or failing; 75 a state store or output folder in use by another
job (try later); 130 / 143 stopped by SIGINT / SIGTERM; 141 stdout closed by
its reader (`| head`), quietly. Each command documents its others.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys

from pipeline.cli import evaluate, explain, extract, fetch, report, run, state
from pipeline.errors import (
    EXIT_CLOSED_PIPE,
    EXIT_STORAGE,
    PipelineError,
    closed_pipe,
    exit_status,
    storage_fault,
)
from pipeline.interrupt import Interrupts
from pipeline.logs import setup
from pipeline.sinks import format_for
from pipeline.version import __version__

_COMMANDS = (extract, fetch, run, state, evaluate, explain, report)
_log = logging.getLogger("pipeline")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    setup(args.verbose - args.quiet, args.log_format)
    args.argv = argv
    # extract, fetch and run stop cleanly on a first signal (pipeline/interrupt.py);
    # the other commands keep Python's Ctrl-C, a KeyboardInterrupt.
    interrupts = Interrupts() if getattr(args, "interruptible", False) else None
    args.interrupts = interrupts
    try:
        if getattr(args, "format_from_output", False):  # extract, fetch: -o names it
            args.format = format_for(args.output, args.format)
        with interrupts or contextlib.nullcontext():
            status = int(args.handler(args))
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints a traceback
        if interrupts is not None and interrupts.exit_status is not None:
            return interrupts.exit_status
        return status
    except PipelineError as exc:
        status = exit_status(exc) or 1
        if status == EXIT_CLOSED_PIPE:
            return _reader_gone()
        _log.error("pipeline %s: %s", args.command, exc, exc_info=status == 1 and args.verbose > 0)
        return status
    except OSError as exc:
        if closed_pipe(exc):
            return _reader_gone()
        if storage_fault(exc) is None:
            raise
        _log.error("pipeline %s: %s", args.command, exc)
        return EXIT_STORAGE
    except KeyboardInterrupt:  # Ctrl-C where the command has no handling of its own
        _log.error("pipeline %s: interrupted", args.command)
        return 130


def _reader_gone() -> int:
    """stdout's reader left (`| head`): end quietly, as `cat` would. What is left in
    stdout's buffer goes nowhere, not into a traceback at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a test's capture): nothing to flush
        pass
    return EXIT_CLOSED_PIPE


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
