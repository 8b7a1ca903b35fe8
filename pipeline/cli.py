"""The `pipeline` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import ConfigError, OutputError, StateError
from pipeline.exec import DEFAULT_WORKER_SETTINGS, WorkerSettings
from pipeline.options import DEFAULT_OPTIONS
from pipeline.run import extract_files
from pipeline.store import JsonLines

_DEFAULT_ROOT = Path("output")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.command == "eval":
        return _eval(args, argv)
    try:
        return int(args.handler(args))
    except (OutputError, ConfigError, StateError) as exc:
        print(f"pipeline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C outside a run's own handling: no traceback
        print("pipeline: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="extract articles from saved HTML files or folders"
    )
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    extract.add_argument(
        "-o",
        "--output",
        help="JSON Lines file for the records ('-' for stdout); "
        "default output/<UTC timestamp>/articles.jsonl",
    )
    extract.add_argument(
        "--max-bytes", type=int, default=DEFAULT_OPTIONS.max_bytes, help="refuse larger pages"
    )
    _worker_arguments(extract)
    extract.set_defaults(handler=_extract)
    run = commands.add_parser(
        "run", help="discover, fetch and extract the sources of a config (for cron)"
    )
    run.add_argument("config", type=Path, metavar="CONFIG.toml")
    run.add_argument("--run-id", help="name of the run's folder (default: UTC timestamp)")
    run.set_defaults(handler=_run)
    state = commands.add_parser(
        "state", help="show the state store of a config: counts, failing and given-up URLs"
    )
    state.add_argument("config", type=Path, metavar="CONFIG.toml")
    state.add_argument("--limit", type=int, default=20, help="URLs listed (default 20)")
    resets = state.add_mutually_exclusive_group()
    resets.add_argument("--reset", metavar="URL", help="make this failing or given-up URL due")
    resets.add_argument(
        "--reset-reason",
        metavar="REASON",
        help="make every URL whose latest failure had this reason due (e.g. robots_unreachable)",
    )
    resets.add_argument(
        "--reset-all", action="store_true", help="make every failing or given-up URL due"
    )
    state.set_defaults(handler=_state)
    demo = commands.add_parser(
        "demo",
        help="serve the bundled demo news site, run examples/demo.toml on it twice, stop",
    )
    demo.add_argument("-o", "--output", type=Path, default=_DEFAULT_ROOT, help="output folder")
    demo.set_defaults(handler=_demo)
    evaluate = commands.add_parser(
        "eval", help="score the extractor on benchmarks beside trafilatura (bench/README.md)"
    )
    _eval_arguments(evaluate)
    return parser


def _worker_arguments(parser: argparse.ArgumentParser) -> None:
    workers = DEFAULT_WORKER_SETTINGS
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive(int),
        default=workers.jobs,
        help="worker processes (default: one per core); 1 extracts in this process, "
        "without limits, for debugging",
    )
    parser.add_argument(
        "--time-limit",
        type=_positive(float),
        default=workers.time_limit,
        metavar="SECONDS",
        help=f"per-page time limit on the workers (default {workers.time_limit:g})",
    )
    parser.add_argument(
        "--memory-limit",
        type=_positive(int),
        default=workers.memory_mb,
        metavar="MIB",
        help=f"per-page memory limit on the workers (default {workers.memory_mb})",
    )


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return parse


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    from pipeline.evaluate.command import add_arguments  # light: trafilatura loads in run

    add_arguments(parser)


def _eval(args: argparse.Namespace, argv: list[str]) -> int:
    from pipeline.evaluate.command import run

    return run(args, argv)


def _run(args: argparse.Namespace) -> int:
    """Exit 0 when the run completed, whatever failed per page (run.json counts it);
    2 for a bad config or --run-id, a busy or broken state store, or an unwritable
    output; 130 or 143 when SIGINT or SIGTERM stopped it (run.json is written, with
    "interrupted": true); 1 when the run could not complete."""
    from pipeline.config import load_config
    from pipeline.crawl import EXIT_INTERRUPTED, check_run_id, run, stderr_log

    if args.run_id is not None:
        check_run_id(args.run_id)
    config = load_config(args.config)
    try:
        result = run(config, args.run_id, log=stderr_log)
    except (OutputError, ConfigError, StateError):
        raise
    except Exception as exc:  # the run as a whole failed: say so, and exit non-zero
        print(f"pipeline run: the run could not complete: {exc!r}", file=sys.stderr)
        return 1
    print(f"pipeline run: records in {result.folder}", file=sys.stderr)
    return EXIT_INTERRUPTED[result.interrupted] if result.interrupted else 0


def _state(args: argparse.Namespace) -> int:
    """Exit 0; 2 for a bad config or a state store in use by a run."""
    from pipeline.config import load_config
    from pipeline.state import StateStore

    config = load_config(args.config)
    with StateStore.open(config.state_path, "pipeline-state", policy=config.retry) as store:
        if args.reset or args.reset_reason or args.reset_all:
            made = store.reset(url=args.reset, reason=args.reset_reason)
            print(f"{made} URL{'s' if made != 1 else ''} made due again", file=sys.stderr)
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
            print(
                f"  {url_state.url}  {url_state.last_error}, "
                f"{url_state.failures} failure{'s' if url_state.failures != 1 else ''}, {when}"
            )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from pipeline.demo import run_twice

    return run_twice(args.output)


def _extract(args: argparse.Namespace) -> int:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    articles_path = args.output or str(_DEFAULT_ROOT / stamp / "articles.jsonl")
    if articles_path == "-":
        errors_path = _DEFAULT_ROOT / stamp / "errors.jsonl"
    else:
        errors_path = Path(articles_path).parent / "errors.jsonl"
    for path in args.paths:
        if not path.exists():
            print(f"pipeline extract: no such file or folder: {path}", file=sys.stderr)
            return 2
    options = replace(DEFAULT_OPTIONS, max_bytes=args.max_bytes)
    workers = WorkerSettings(
        jobs=args.jobs, time_limit=args.time_limit, memory_mb=max(args.memory_limit, 16)
    )
    with JsonLines(articles_path) as articles, JsonLines(errors_path) as errors:
        summary = extract_files(args.paths, articles, errors, options, workers)
    print(summary.render(), file=sys.stderr)
    print(f"records: {articles_path}  errors: {errors_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
