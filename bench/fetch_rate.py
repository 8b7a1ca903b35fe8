"""How fast pipeline.fetch.Fetcher fetches from many hosts, against what politeness allows.

    .venv/bin/python bench/fetch_rate.py [--hosts 50] [--pages 30] [--write]

Serves the demo news site (demo.DemoSite, the top-level fixture pages
only) on `--hosts` loopback addresses 127.0.0.2, 127.0.0.3, ... (one host name
each, as politeness is per host name; Linux routes all of 127/8 to loopback),
from a child process so that the servers do not share the fetcher's CPU and GIL.
Then fetches `--pages` pages per host, twice:

1. unthrottled: per_host_delay 0, so only `concurrency` (and the machine) limit
   the rate; this is the concurrency bound on this machine;
2. polite: the configured per_host_delay, per_host and concurrency; robots.txt
   is obeyed, so each host gets one request more than it has pages.

The politeness bound is hosts / per_host_delay requests per second; with R
requests per host the run cannot end before (R - 1) * per_host_delay seconds
(a host's first request waits for nothing). Nothing leaves the loopback
interface; the whole run is capped at `--budget` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from demo import DemoSite
from pipeline.errors import FetchError
from pipeline.fetch import Fetcher, FetchSettings, parse_networks

HERE = Path(__file__).resolve().parent
REPORT = HERE / "FETCH.md"


def _serve(hosts: list[str], conn: Connection) -> None:
    """Child process: one DemoSite per loopback address, until the parent says stop."""
    sites = [DemoSite(host=host, port=0, bench_pages=False).start() for host in hosts]
    conn.send([(site.base_url, [p.path for p in site.pages]) for site in sites])
    conn.recv()  # any message: stop
    served = sum(len(site.requests) for site in sites)
    for site in sites:
        site.stop()
    conn.send(served)


@dataclass(frozen=True, slots=True)
class Pass:
    """One timed fetch of every URL."""

    name: str
    settings: FetchSettings
    pages: int
    requests: int
    bytes: int
    elapsed: float
    errors: Counter[str]

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.elapsed


async def _fetch_all(name: str, urls: list[str], settings: FetchSettings, hosts: int) -> Pass:
    errors: Counter[str] = Counter()
    size = 0
    async with Fetcher(settings) as fetcher:

        async def one(url: str) -> None:
            nonlocal size
            try:
                result = await fetcher.fetch(url)
            except FetchError as exc:
                errors[type(exc).__name__] += 1
                return
            size += len(result.content)

        started = time.perf_counter()
        await asyncio.gather(*(one(url) for url in urls))
        elapsed = time.perf_counter() - started
    robots = hosts if settings.obey_robots else 0
    ok = len(urls) - sum(errors.values())
    return Pass(name, settings, ok, len(urls) + robots, size, elapsed, errors)


def _urls(sites: list[tuple[str, list[str]]], pages: int) -> list[str]:
    """`pages` URLs per host, interleaved host by host (as a crawl frontier would be).
    A host has a dozen pages; past those, a query string makes the URL new (the
    site ignores it)."""
    urls = []
    for n in range(pages):
        for base, paths in sites:
            path = paths[n % len(paths)]
            urls.append(base + path + (f"?n={n}" if n >= len(paths) else ""))
    return urls


def _report(args: argparse.Namespace, raw: Pass, polite: Pass, served: int) -> str:
    s = polite.settings
    per_host = polite.requests // args.hosts
    steady = args.hosts / s.per_host_delay
    earliest = (per_host - 1) * s.per_host_delay
    politeness_bound = polite.requests / earliest  # a little above `steady`: see the docstring
    concurrency_bound = raw.requests_per_s
    bound = min(politeness_bound, concurrency_bound)
    limit = "politeness" if politeness_bound <= concurrency_bound else "concurrency"
    lines = [
        "# Fetch rate: pipeline.fetch.Fetcher against local servers",
        "",
        "```sh",
        f".venv/bin/python bench/fetch_rate.py --hosts {args.hosts} --pages {args.pages} "
        f"--delay {args.delay:g} --per-host {args.per_host} --concurrency {args.concurrency} "
        "--write",
        "```",
        "",
        f"{args.hosts} hosts (DemoSite on 127.0.0.2 … 127.0.0.{args.hosts + 1}, served from a "
        f"child process), {args.pages} pages per host (the {len(PAGE_PATHS)} top-level "
        "fixture pages in turn, 9–128 KB each), robots.txt obeyed. "
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{multiprocessing.cpu_count()} CPUs, Python {platform.python_version()}.",
        "",
        "| pass | per_host_delay | per_host | concurrency | pages | requests | elapsed | "
        "pages/s | requests/s | MB/s | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in (raw, polite):
        errors = ", ".join(f"{k} {v}" for k, v in sorted(p.errors.items())) or "none"
        lines.append(
            f"| {p.name} | {p.settings.per_host_delay:g} s | {p.settings.per_host} | "
            f"{p.settings.concurrency} | {p.pages} | {p.requests} | {p.elapsed:.2f} s | "
            f"{p.pages_per_s:.1f} | {p.requests_per_s:.1f} | {p.bytes / p.elapsed / 1e6:.1f} | "
            f"{errors} |"
        )
    lines += [
        "",
        "Bounds for the polite pass (requests include one robots.txt per host):",
        "",
        f"- politeness: hosts / per_host_delay = {args.hosts} / {s.per_host_delay:g} s = "
        f"{steady:.0f} requests/s in the steady state; with {per_host} requests per host the "
        f"pass cannot end before ({per_host} − 1) × {s.per_host_delay:g} s = {earliest:.1f} s, "
        f"so at most **{politeness_bound:.0f} requests/s** over this pass",
        f"- concurrency: what {s.concurrency} requests in flight reach here, measured by the "
        f"unthrottled pass: **{concurrency_bound:.0f} requests/s**",
        f"- achieved: **{polite.requests_per_s:.0f} requests/s** "
        f"({polite.pages_per_s:.0f} pages/s, of at most {polite.pages / earliest:.0f} pages/s "
        f"over this pass), **{polite.requests_per_s / bound:.0%}** of the tighter bound "
        f"({limit}); elapsed {polite.elapsed:.2f} s against the earliest possible "
        f"{earliest:.1f} s",
        f"- the servers answered {served} requests in all (both passes)",
        "",
    ]
    return "\n".join(lines)


PAGE_PATHS: list[str] = []  # one host's pages, filled in once the servers are up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=50, help="loopback hosts, at most 250")
    parser.add_argument("--pages", type=int, default=30, help="pages per host")
    parser.add_argument("--delay", type=float, default=0.2, help="per_host_delay, seconds")
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--budget", type=float, default=50.0, help="seconds for both passes")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.name}")
    args = parser.parse_args(argv)
    if not 1 <= args.hosts <= 250 or not 1 <= args.pages <= 500 or args.delay <= 0:
        parser.error("need 1-250 hosts, 1-500 pages per host and a positive delay")

    hosts = [f"127.0.0.{n}" for n in range(2, args.hosts + 2)]
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=_serve, args=(hosts, child), daemon=True)
    server.start()
    try:
        if not parent.poll(30):
            raise SystemExit("the servers did not start")
        sites: list[tuple[str, list[str]]] = parent.recv()
        PAGE_PATHS[:] = sites[0][1]
        urls = _urls(sites, args.pages)
        polite_settings = FetchSettings(
            per_host_delay=args.delay,
            per_host=args.per_host,
            concurrency=args.concurrency,
            retries=0,  # a failure is a finding here, not something to hide
            allow_networks=parse_networks(["127.0.0.0/8"]),  # the hosts are loopback addresses
        )
        raw_settings = dataclasses.replace(polite_settings, per_host_delay=0.0)

        async def both() -> tuple[Pass, Pass]:
            async with asyncio.timeout(args.budget):
                raw = await _fetch_all("unthrottled", urls, raw_settings, args.hosts)
                polite = await _fetch_all("polite", urls, polite_settings, args.hosts)
            return raw, polite

        raw, polite = asyncio.run(both())
        parent.send("stop")
        served = parent.recv() if parent.poll(10) else -1
    finally:
        server.join(10)
        if server.is_alive():
            server.terminate()
    report = _report(args, raw, polite, served)
    print(report)
    if args.write:
        REPORT.write_text(report, encoding="utf-8")
        print(f"wrote {REPORT}", file=sys.stderr)
    return 0 if not (raw.errors or polite.errors) else 1


if __name__ == "__main__":
    sys.exit(main())
