"""Pages per second of `pipeline extract` and `pipeline run` with 1 and more jobs.

    .venv/bin/python bench/throughput.py extract [--pages DIR] [--jobs 1,2] [--rounds 3]
    .venv/bin/python bench/throughput.py run [--pages DIR] [--hosts 20] [--jobs 1,2]
                                         [--code DIR --old-config] [--rounds 3]
    .venv/bin/python bench/throughput.py both [--pages DIR] [--limit 600] [--jobs 2]

extract: runs the command as a user does (`python -m pipeline extract DIR -o FILE
--jobs N`) on every page of DIR (default the WCXB dev pages), the job counts in
turn, round after round, and reports the median pages/s of each and their ratio
to the first.

run: serves the pages of DIR (at most --limit) from a child process on --hosts
loopback addresses (127.0.0.1, 127.0.0.2, ...), lists them in one urls source,
and times `pipeline run` on a fresh state store each round (per_host_delay 0,
robots.txt served), reporting fetched pages per second from run.json. --code
runs the pipeline package found in another checkout (to measure an older
version beside this one); --old-config writes the config an older reader
takes: the fetch keys at the top level (not in [fetch]), and without the keys it
refuses (allow_networks, [workers]).

both: the run and the extract of the same --limit pages with the last --jobs
count, alternating within each round, and the run's share of extract's pages/s
(issue 9's measure).

The machine is shared: each figure is a median over rounds, and the job counts
alternate within a round so that a busy spell hits all of them alike.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "bench" / "wcxb-dev" / "html"


def _command(code: Path | None) -> tuple[list[str], dict[str, str]]:
    """The command line, run from the checkout whose package is measured (`-m`
    puts the working folder first on the module path)."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return [sys.executable, "-m", "pipeline"], env


def _cwd(code: Path | None) -> Path:
    return code if code is not None else ROOT


def _extract_once(pages: Path, jobs: int, code: Path | None) -> float:
    command, env = _command(code)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "a.jsonl"
        started = time.perf_counter()
        subprocess.run(
            [*command, "extract", str(pages.resolve()), "-o", str(out), "--jobs", str(jobs)],
            env=env,
            cwd=_cwd(code),
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
    count = sum(1 for p in pages.iterdir() if p.is_file())
    return count / elapsed


def _serve(files: list[Path], hosts: int, conn: Connection) -> None:
    """Child process: the pages, spread over loopback addresses, until told to stop."""
    sys.path.insert(0, str(ROOT))
    from tests.localserver import LocalServer, page

    robots = page("User-agent: *\nAllow: /\n", "text/plain")
    servers = [LocalServer(host=f"127.0.0.{n + 1}") for n in range(hosts)]
    urls = []
    for number, path in enumerate(files):
        server = servers[number % hosts]
        body = path.read_bytes()
        if path.name.endswith(".gz"):
            body = gzip.decompress(body)
        server.route(f"/{number}.html", page(body, "text/html; charset=utf-8"))
    for server in servers:
        server.route("/robots.txt", robots)
        server.start()
    for number in range(len(files)):
        urls.append(servers[number % hosts].url(f"/{number}.html"))
    conn.send(urls)
    conn.recv()
    for server in servers:
        server.stop()


def _run_once(urls: list[str], jobs: int, code: Path | None, old_config: bool) -> float:
    command, env = _command(code)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "run.toml"
        listed = ",\n".join(f'  "{url}"' for url in urls)
        fetch = "per_host_delay = 0.0\nconcurrency = 16\nper_host = 4\n"
        if old_config:  # an older reader takes the fetch keys at the top level only
            text = f'output_dir = "out"\n{fetch}'
        else:
            text = f'output_dir = "out"\n[fetch]\n{fetch}allow_networks = ["127.0.0.0/8"]\n'
            text += f"[workers]\njobs = {jobs}\n"
        text += f'[[sources]]\nname = "pages"\nkind = "urls"\nurls = [\n{listed}\n]\n'
        config.write_text(text, encoding="utf-8")
        subprocess.run(
            [*command, "run", str(config), "--run-id", "bench"],
            env=env,
            cwd=_cwd(code),
            check=True,
            capture_output=True,
        )
        summary = json.loads((Path(folder) / "out" / "bench" / "run.json").read_text())
    return float(summary["fetched"]) / float(summary["elapsed_s"])


def _spin(seconds: float) -> float:
    """Pure Python work for about `seconds`; returns loops done a second."""
    started, loops = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        for _ in range(10_000):
            pass
        loops += 1
    return loops / (time.perf_counter() - started)


def machine_scaling(workers: int = 2, seconds: float = 3.0) -> float:
    """What the machine gives `workers` CPU-bound processes at once, against one:
    the ceiling any job count's speed-up meets here."""
    with multiprocessing.Pool(workers) as pool:
        one = pool.apply(_spin, (seconds,))
        together = sum(pool.map(_spin, [seconds] * workers))
    return together / one


def _report(title: str, rates: dict[int, list[float]]) -> None:
    base_jobs = next(iter(rates))
    base = statistics.median(rates[base_jobs])
    print(f"{title}: median pages/s over {len(rates[base_jobs])} rounds")
    for jobs, values in rates.items():
        median = statistics.median(values)
        shown = ", ".join(f"{v:.1f}" for v in values)
        ratio = f"{median / base:.2f}x jobs {base_jobs}"
        print(f"  jobs {jobs}: {median:7.1f} pages/s  ({ratio})  [{shown}]")


@contextlib.contextmanager
def _served(files: list[Path], hosts: int) -> Iterator[list[str]]:
    """The pages served from a child process (see _serve), as their URLs."""
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(files, hosts, child), daemon=True)
    server.start()
    try:
        yield parent.recv()
    finally:
        parent.send("stop")
        server.join(10)


def _both(files: list[Path], hosts: int, jobs: int, rounds: int) -> int:
    """`pipeline run` and `pipeline extract` on the same pages with the same jobs,
    alternating within each round, and the run's share of extract's pages/s."""
    runs: list[float] = []
    extracts: list[float] = []
    with _served(files, hosts) as urls, tempfile.TemporaryDirectory() as folder:
        pages = Path(folder)
        for path in files:
            (pages / path.name).symlink_to(path.resolve())
        for _ in range(rounds):
            runs.append(_run_once(urls, jobs, None, False))
            extracts.append(_extract_once(pages, jobs, None))
    ratios = [r / e for r, e in zip(runs, extracts, strict=True)]
    print(f"{len(files)} pages, jobs {jobs}, {rounds} alternating rounds")
    for name, values in (("run", runs), ("extract", extracts)):
        shown = ", ".join(f"{v:.1f}" for v in values)
        print(f"  pipeline {name:8s} {statistics.median(values):7.1f} pages/s  [{shown}]")
    print(f"  run / extract    {statistics.median(ratios):.2f} (median of the rounds' ratios)")
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["extract", "run", "both"])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--jobs", default="1,2", help="job counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--limit", type=int, default=600, help="pages served (run)")
    parser.add_argument("--code", type=Path, help="a checkout whose pipeline package to run")
    parser.add_argument("--old-config", action="store_true")
    args = parser.parse_args()
    job_counts = [int(j) for j in args.jobs.split(",")]
    rates: dict[int, list[float]] = {jobs: [] for jobs in job_counts}
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} at the start", flush=True)
    print(f"the machine: 2 CPU-bound processes run {machine_scaling():.2f}x one", flush=True)
    if args.what == "extract":
        for _ in range(args.rounds):
            for jobs in job_counts:
                rates[jobs].append(_extract_once(args.pages, jobs, args.code))
        _report(f"pipeline extract {args.pages}", rates)
        return 0
    files = sorted(p for p in args.pages.iterdir() if p.is_file())[: args.limit]
    if args.what == "both":
        return _both(files, args.hosts, job_counts[-1], args.rounds)
    with _served(files, args.hosts) as urls:
        for _ in range(args.rounds):
            for jobs in job_counts:
                rates[jobs].append(_run_once(urls, jobs, args.code, args.old_config))
    _report(f"pipeline run, {len(urls)} pages on {args.hosts} hosts", rates)
    print(f"load {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
