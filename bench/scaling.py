"""Scaling of `pipeline extract` over web archives, on the local pool and on Ray.

    .venv/bin/python bench/scaling.py [--archives 8] [--pages DIR] [--rounds 3]

Builds --archives WARC files from the pages of DIR (default the WCXB dev pages,
spread round-robin), then times, round after round and alternating, the bulk
job (`pipeline extract ARCHIVES -o OUT/`, one partition per archive) with the
local engine at 1 and 2 jobs and with Ray (a local Ray started for the job) at
1 and 2 workers. Prints pages/s (median over rounds), pages/s per worker, and
the scaling efficiency from 1 to 2 workers: rate(2) / (2 * rate(1)). Each
configuration is also timed on one archive of a single page, and that fixed
cost (interpreter, worker start, a local Ray's start) is taken off, so the
rates are those of the steady state; both figures are printed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "bench" / "wcxb-dev" / "html"


def build_archives(pages: Path, folder: Path, count: int) -> int:
    from pipeline.warc import WarcWriter

    files = sorted(p for p in pages.iterdir() if p.is_file())
    writers = [WarcWriter(folder / f"part-{n:03d}.warc.gz").__enter__() for n in range(count)]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for number, path in enumerate(files):
        body = path.read_bytes()
        body = gzip.decompress(body) if path.name.endswith(".gz") else body
        headers = [("Content-Type", "text/html; charset=utf-8")]
        writers[number % count].write_response(
            f"https://bench.test/{number}", 200, headers, body, when
        )
    for writer in writers:
        writer.__exit__(None, None, None)
    return len(files)


def time_job(archives: Path, engine: str, jobs: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "pipeline", "extract", str(archives), "-o", f"{out}/"]
        command += ["--engine", engine, "--jobs", str(jobs), "-q"]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archives", type=int, default=8)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default="local,ray")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} at the start", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        archives = Path(folder)
        pages = build_archives(args.pages, archives, args.archives)
        print(f"{pages} pages in {args.archives} archives", flush=True)
        tiny = Path(folder) / "tiny"
        tiny.mkdir()
        one_page = Path(folder) / "one-page"
        one_page.mkdir()
        first = sorted(p for p in args.pages.iterdir() if p.is_file())[0]
        (one_page / first.name).write_bytes(first.read_bytes())
        build_archives(one_page, tiny, 1)
        runs = [(engine, jobs) for engine in args.engines.split(",") for jobs in (1, 2)]
        times: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        fixed: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        for _ in range(args.rounds):
            for engine, jobs in runs:
                fixed[(engine, jobs)].append(time_job(tiny, engine, jobs))
                times[(engine, jobs)].append(time_job(archives, engine, jobs))
    for engine in args.engines.split(","):
        wall = [statistics.median(times[(engine, n)]) for n in (1, 2)]
        start = [statistics.median(fixed[(engine, n)]) for n in (1, 2)]
        steady = [w - s for w, s in zip(wall, start, strict=True)]
        for label, seconds in (("wall", wall), ("steady", steady)):
            rate1, rate2 = pages / seconds[0], pages / seconds[1]
            print(
                f"{engine} ({label}): 1 worker {rate1:.1f} pages/s, 2 workers {rate2:.1f}"
                f" pages/s ({rate2 / 2:.1f} per worker); efficiency {rate2 / (2 * rate1):.2f}"
            )
        print(f"  fixed cost per job: {start[0]:.1f} s (1 worker), {start[1]:.1f} s (2)")
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
