"""Arguments and helpers shared by the commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pipeline.exec import DEFAULT_WORKER_SETTINGS, ENGINES, WorkerSettings
from pipeline.ledger import Counts
from pipeline.logs import interactive
from pipeline.options import DEFAULT_OPTIONS, Options
from pipeline.progress import Progress, progress_for

DEFAULT_ROOT = Path("output")


def positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return parse


def worker_arguments(parser: argparse.ArgumentParser) -> None:
    workers = DEFAULT_WORKER_SETTINGS
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive(int),
        default=workers.jobs,
        help="worker processes (default: one per core); 1 extracts in this process, "
        "without limits, for debugging",
    )
    parser.add_argument(
        "--time-limit",
        type=positive(float),
        default=workers.time_limit,
        metavar="SECONDS",
        help=f"per-page time limit on the workers (default {workers.time_limit:g})",
    )
    parser.add_argument(
        "--memory-limit",
        type=positive(int),
        default=workers.memory_mb,
        metavar="MIB",
        help=f"per-page memory limit on the workers (default {workers.memory_mb})",
    )


def page_arguments(parser: argparse.ArgumentParser) -> None:
    """What both extract and fetch take: the format, the size limit, --force."""
    parser.add_argument(
        "--format",
        metavar="FORMAT",
        help="records as jsonl (JSON Lines), parquet (a folder of part files) or markdown, "
        "a format an installed package adds, or a sink class as module:Class; default: "
        "what -o's suffix says (.jsonl, .parquet, .md), else JSON Lines",
    )
    parser.set_defaults(format_from_output=True)
    parser.add_argument(
        "--max-bytes", type=int, default=DEFAULT_OPTIONS.max_bytes, help="refuse larger pages"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="keep pages the page-type decision rejects as not_article; their record "
        "says so in 'forced'",
    )
    rules_argument(parser)


def rules_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE (a dotted name on the Python path) for the site rules it "
        "registers; repeatable; workers import it too",
    )


def site_rules(args: argparse.Namespace, given: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The rule modules of the command line after those `given` (a config's), each
    once; imported here first, so that a wrong name is a usage error (exit 2)
    before any page is read."""
    from pipeline.extraction import sites

    names = tuple(dict.fromkeys((*given, *getattr(args, "rules", []))))
    sites.load(names)
    return names


def options_of(args: argparse.Namespace) -> Options:
    return replace(
        DEFAULT_OPTIONS, max_bytes=args.max_bytes, force=args.force, site_rules=site_rules(args)
    )


def workers_of(args: argparse.Namespace) -> WorkerSettings:
    return WorkerSettings(
        jobs=args.jobs, time_limit=args.time_limit, memory_mb=max(int(args.memory_limit), 16)
    )


def engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="where extraction runs: this machine's worker processes (default) or Ray",
    )
    parser.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="the Ray cluster to use with --engine ray (default: start a local Ray)",
    )


def errors_beside(records: str) -> str:
    """Error records named after the output they belong to, so two outputs in one
    folder never share (or overwrite) one file; stderr for records on stdout."""
    if records == "-":
        return "/dev/stderr"
    path = Path(records)
    stem = path.name.removesuffix(".jsonl") if path.suffix == ".jsonl" else path.name
    return str(path.with_name(f"{stem}.errors.jsonl"))


def progress(args: argparse.Namespace, unit: str) -> Progress:
    quiet = args.quiet > args.verbose
    return progress_for(interactive(args.verbose - args.quiet, args.log_format), quiet, unit)


def reporter(bar: Progress, total: int | None) -> Callable[[Counts], None]:
    """The runner's progress callback, drawing on `bar`."""

    def report(counts: Counts) -> None:
        bar.update(counts.pages, total, counts.written, sum(counts.failed.values()))

    return report
