"""`pipeline fetch URL...`: fetch pages and extract them, once, with no state store.

The fetches are as polite and as guarded as a run's: robots.txt, the per-host
delay, the size limit, and the network guard (loopback and private addresses
are refused unless --allow-network opens them). Records go to stdout by
default, error records to stderr; with -o FILE, error records go beside it
(FILE minus .jsonl, plus .errors.jsonl), as `pipeline extract` puts them, or
where --errors says.

Exit status: 0 when every URL gave a record; 1 when any did not (its error
record says why); 2 for a wrong command line; 130 or 143 when SIGINT or
SIGTERM stopped it (the records fetched so far are written); 141 when stdout's
reader left (`| head`).
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from typing import Any

from pipeline import urls as url_parser
from pipeline.cli._common import (
    errors_beside,
    options_of,
    page_arguments,
    positive,
    progress,
    reporter,
    worker_arguments,
    workers_of,
)
from pipeline.errors import ConfigError, closed_after
from pipeline.fetch import DEFAULT_FETCH_SETTINGS, parse_networks
from pipeline.jobs.fetch import fetch_urls
from pipeline.sinks import open_sink

_log = logging.getLogger("pipeline.fetch")


def add(commands: Any, common: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "fetch",
        parents=[common],
        help="fetch URLs and extract them (no state store)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument("-o", "--output", default="-", help="the records (default: stdout)")
    parser.add_argument(
        "--errors",
        metavar="FILE",
        help="the error records (JSON Lines); default: stderr for records on stdout, else "
        "beside the output, named after it (<output>.errors.jsonl)",
    )
    parser.add_argument(
        "--allow-network",
        action="append",
        default=[],
        metavar="CIDR",
        help="open an address or range the network guard closes (loopback, private, ...); "
        "repeatable, as the config's allow_networks",
    )
    fetch = DEFAULT_FETCH_SETTINGS
    parser.add_argument("--user-agent", default=fetch.user_agent)
    parser.add_argument(
        "--delay",
        type=float,
        default=fetch.per_host_delay,
        metavar="SECONDS",
        help=f"between two requests to one host (default {fetch.per_host_delay:g})",
    )
    parser.add_argument(
        "--timeout",
        type=positive(float),
        default=fetch.total_timeout,
        metavar="SECONDS",
        help=f"for a whole fetch (default {fetch.total_timeout:g})",
    )
    page_arguments(parser)
    worker_arguments(parser)
    parser.set_defaults(handler=handle, interruptible=True)


def handle(args: argparse.Namespace) -> int:
    bad = [url for url in args.urls if url_parser.http_url(url) is None]
    if bad:
        _log.error("pipeline fetch: not an absolute http(s) URL: %s", bad[0])
        return 2
    try:
        networks = parse_networks(args.allow_network)
    except ValueError as exc:
        raise ConfigError(f"--allow-network: {exc}") from exc
    fetch = replace(
        DEFAULT_FETCH_SETTINGS,
        user_agent=args.user_agent,
        per_host_delay=max(args.delay, 0.0),
        total_timeout=args.timeout,
        max_bytes=args.max_bytes,
        allow_networks=networks,
    )
    errors = args.errors or errors_beside(args.output)
    with (
        progress(args, "pages") as bar,
        closed_after(open_sink(args.format, args.output, errors), args.output) as sink,
    ):
        counts = fetch_urls(
            args.urls,
            sink,
            fetch,
            options_of(args),
            workers_of(args),
            reporter(bar, None),
            args.interrupts,
        )
    failed = sum(counts.failed.values())
    where = "" if not failed or errors == "/dev/stderr" else f"; error records in {errors}"
    _log.info(
        "pipeline fetch: %d URL%s, %d record%s written, %d failed%s",
        len(args.urls),
        "s" if len(args.urls) != 1 else "",
        counts.written,
        "s" if counts.written != 1 else "",
        failed,
        where,
        extra={
            "urls": len(args.urls),
            "written": counts.written,
            "failed": dict(sorted(counts.failed.items())),
        },
    )
    return 0 if counts.written == len(set(args.urls)) and not failed else 1
