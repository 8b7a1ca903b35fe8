"""`pipeline extract PATH...`: saved pages, folders, web archives, or stdin.

Exit status: 0 when the batch ran, whatever failed per page (an input that does
not exist among others is one: its error record says unreadable); 1 when it
found no page at all; 2 for a wrong command line (no input exists, a pattern
matches nothing, --url with several inputs) or an output that cannot be written;
74 for a disk full or failing; 75 when another job writes the same output
folder; 130 or 143 when SIGINT or SIGTERM stopped it (what was extracted is
written; a partition cut short is redone by the next job); 141 when stdout's
reader left (`| head`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.cli._common import (
    DEFAULT_ROOT,
    engine_arguments,
    errors_beside,
    options_of,
    page_arguments,
    progress,
    reporter,
    worker_arguments,
    workers_of,
)
from pipeline.errors import closed_after, os_fault
from pipeline.jobs.extract import Engine, Summary, extract_files, extract_partitioned
from pipeline.page import Page
from pipeline.sinks import open_sink, records_in
from pipeline.sources.files import FileSource, discover, expand, read_stream

_log = logging.getLogger("pipeline.extract")


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "extract",
        parents=[common],
        help="extract articles from saved pages, folders, web archives or stdin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an HTML file (any name: it is sniffed), a web archive (.warc, .warc.gz), a "
        "folder of them, a glob pattern ('crawl/*.warc.gz'), @LIST (a file listing "
        "paths), or - for one page on stdin",
    )
    parser.add_argument(
        "-o",
        "--output",
        help="the records: a file ('-' for stdout), or a folder (ending in '/', or an "
        "existing one) for one partition per web archive, resumable; "
        "default output/<UTC timestamp>/articles.jsonl",
    )
    parser.add_argument(
        "--errors",
        metavar="FILE",
        help="the error records (JSON Lines); default: beside the output, named after it "
        "(<output>.errors.jsonl), or stderr for '-o -'",
    )
    parser.add_argument(
        "--url", help="the address of the page (a single input): it decides the record's id"
    )
    parser.add_argument(
        "--coverage",
        metavar="FILE",
        type=Path,
        help="write each host's field coverage (records, share with a title, authors, "
        "published, ..., median words, failures by reason) to FILE as JSON",
    )
    page_arguments(parser)
    worker_arguments(parser)
    engine_arguments(parser)
    parser.set_defaults(handler=handle, interruptible=True)


def handle(args: argparse.Namespace) -> int:
    stdin = args.paths == ["-"]
    try:
        paths = [] if stdin else expand(args.paths)
    except FileNotFoundError as exc:
        _log.error("pipeline extract: no such file or folder: %s", exc)
        return 2
    missing = [path for path in paths if not path.exists()]
    if paths and len(missing) == len(paths):  # nothing to do: a wrong command line
        _log.error("pipeline extract: no such file or folder: %s", missing[0])
        return 2
    for path in missing:  # the others are extracted; this one's error record says unreadable
        _log.warning("pipeline extract: no such file or folder: %s", path)
    if args.url and not stdin and (len(paths) != 1 or paths[0].is_dir()):
        _log.error("pipeline extract: --url gives one page its address: give one file or -")
        return 2
    options = options_of(args)
    workers, engine = workers_of(args), Engine(args.engine, args.ray_address)
    output: str | None = args.output
    if output is not None and _partition_root(output):
        folder = Path(output).resolve()  # Ray's workers run elsewhere: no relative paths
        with progress(args, "pages") as bar:
            summary = extract_partitioned(
                paths,
                folder,
                args.format,
                options,
                workers,
                engine,
                reporter(bar, None),
                args.interrupts,
            )
        return _finish(summary, f"partitions in {output}", args.coverage)
    given: list[Page] = []
    if stdin:
        page = read_stream(sys.stdin.buffer, args.max_bytes, args.url)
        given = [page] if isinstance(page, Page) else []
        if not isinstance(page, Page):
            _log.error("pipeline extract: stdin: %s", page.error.message)
            return 1
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    records = output or str(records_in(DEFAULT_ROOT / stamp, args.format))
    errors = args.errors or errors_beside(records)
    source = FileSource(paths, args.max_bytes, pages=given, url=args.url)
    total = (
        None
        if any(p.name.lower().endswith((".warc", ".warc.gz")) for p in paths)
        else (len(given) + sum(1 for _ in discover(paths)))
    )
    sink = open_sink(args.format, records, errors)
    with progress(args, "pages") as bar, closed_after(sink, records):
        summary = extract_files(
            source, sink, options, workers, engine, reporter(bar, total), args.interrupts
        )
    return _finish(summary, f"records in {records}, errors in {errors}", args.coverage)


def _partition_root(output: str) -> bool:
    """`-o DIR/`, or an existing folder that is not itself a records folder (the
    part files of a Parquet output, the documents of a Markdown one)."""
    if output == "-":
        return False
    if output.endswith("/"):
        return True
    folder = Path(output)
    if not folder.is_dir():
        return False
    return not any(folder.glob("part-*.parquet")) and not any(folder.glob("*.md"))


def _finish(summary: Summary, where: str, coverage: Path | None = None) -> int:
    _log.info(summary.render(), extra=summary.fields())
    if coverage is not None:
        text = json.dumps(summary.coverage(), indent=1, ensure_ascii=False) + "\n"
        try:
            coverage.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise os_fault(exc, f"cannot write {coverage}") from exc
        _log.info("pipeline extract: coverage per host in %s", coverage)
    if summary.pages == 0 and not summary.units_skipped:
        _log.warning("pipeline extract: no page found in the inputs")
        return 1
    _log.info(where)
    return 0
