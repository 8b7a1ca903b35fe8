"""What hostile inputs cost: pathological pages, and a huge sitemap index.

    .venv/bin/python bench/hostile.py

1. Pathological pages: 500 KB of nested <div>s, and one element with 100,000
   attributes, each among ten good pages, through `pipeline extract --jobs 2`
   with the default per-page time limit: the seconds the batch takes and what
   each page became.
2. A sitemap index of 200 gzipped children of 50,000 URLs each, served on
   127.0.0.1, in `pipeline run` with `max_articles = 100` (robots.txt disallows
   the article paths, so nothing but discovery is measured): the run's elapsed
   time, its peak resident memory, and how many child sitemaps it fetched.
3. Runs of 10,000 and 100,000 listed URLs (robots.txt disallows them: each URL
   goes through discovery, the state store, the robots check, the error record),
   `--urls N,M` to change: the peak resident memory of each, which must not
   grow with the number of URLs beyond what their strings take.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.localserver import LocalServer, page  # noqa: E402
from tests.pages import article_page  # noqa: E402

PIPELINE = [sys.executable, "-m", "pipeline"]
PATHOLOGICAL = {
    "nested-divs-500KB": "<html><body>" + "<div>" * 100_000 + "text</body></html>",
    "100k-attributes": "<html><body><p "
    + " ".join(f"a{n}=x" for n in range(100_000))
    + ">text</p></body></html>",
}


def pathological_pages() -> None:
    with tempfile.TemporaryDirectory() as folder:
        pages = Path(folder) / "pages"
        pages.mkdir()
        for name, html in PATHOLOGICAL.items():
            (pages / f"{name}.html").write_text(html, encoding="utf-8")
        for number in range(10):
            (pages / f"good-{number}.html").write_text(article_page(), encoding="utf-8")
        out = Path(folder) / "out" / "a.jsonl"
        started = time.perf_counter()
        command = [*PIPELINE, "extract", str(pages), "-o", str(out), "--jobs", "2"]
        subprocess.run(command, check=True, capture_output=True)
        elapsed = time.perf_counter() - started
        records = out.read_text().splitlines()
        errors = [
            json.loads(line) for line in out.with_name("a.errors.jsonl").read_text().splitlines()
        ]
    print(f"pathological pages: the batch of {len(PATHOLOGICAL) + 10} took {elapsed:.1f} s")
    print(f"  records: {len(records)}")
    for error in errors:
        print(f"  {Path(error['input']).name}: {error['reason']} ({error['message']})")


def huge_sitemap_index() -> None:
    child = gzip.compress(
        (
            '<?xml version="1.0"?><urlset>'
            + "".join(f"<url><loc>/story-{n}.html</loc></url>" for n in range(50_000))
            + "</urlset>"
        ).encode()
    )
    with LocalServer() as server, tempfile.TemporaryDirectory() as folder:
        children = "".join(
            f"<sitemap><loc>{server.url(f'/child-{n}.xml.gz')}</loc></sitemap>" for n in range(200)
        )
        server.route("/index.xml", page(f"<sitemapindex>{children}</sitemapindex>", "text/xml"))
        for n in range(200):
            server.route(f"/child-{n}.xml.gz", page(child, "application/gzip"))
        server.route("/robots.txt", page("User-agent: *\nDisallow: /story\n", "text/plain"))
        config = Path(folder) / "run.toml"
        config.write_text(
            'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
            f'[[sources]]\nname = "index"\nkind = "sitemap"\nurl = "{server.url("/index.xml")}"\n'
            "max_articles = 100\n",
            encoding="utf-8",
        )
        started = time.perf_counter()
        # Every URL is disallowed by robots.txt: nothing is fetched, and the run says so
        # by its exit status (3: no fetch succeeded).
        done = subprocess.run([*PIPELINE, "run", str(config)], check=False, capture_output=True)
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        fetched = sum(1 for r in server.requests if r.path.startswith("/child-"))
    size = len(child)
    print(
        f"sitemap index of 200 children x 50,000 URLs ({size / 1e6:.1f} MB gzipped each),"
        f" max_articles 100: {elapsed:.1f} s, peak RSS {peak_kib / 1024:.0f} MiB"
        f" (largest child process), {fetched} child sitemap(s) fetched, exit {done.returncode}"
    )


def many_urls(counts: list[int]) -> None:
    with LocalServer() as server, tempfile.TemporaryDirectory() as folder:
        server.route("/robots.txt", page("User-agent: *\nDisallow: /story\n", "text/plain"))
        for count in counts:
            listing = Path(folder) / f"urls-{count}.txt"
            listing.write_text(
                "".join(f"{server.url(f'/story-{n}.html')}\n" for n in range(count)),
                encoding="utf-8",
            )
            config = Path(folder) / f"run-{count}.toml"
            config.write_text(
                f'output_dir = "out-{count}"\n[fetch]\nper_host_delay = 0.0\n'
                'allow_networks = ["127.0.0.1"]\n'
                f'[[sources]]\nname = "list"\nkind = "urls"\npath = "{listing}"\n'
                f"max_urls = {count}\n",
                encoding="utf-8",
            )
            started = time.perf_counter()
            done = subprocess.run(
                ["/usr/bin/time", "-f", "%M", *PIPELINE, "run", str(config), "-q"],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            peak_kib = int(done.stderr.strip().splitlines()[-1])
            print(
                f"run of {count:,} URLs: {elapsed:.1f} s, peak RSS {peak_kib / 1024:.0f} MiB"
                f" (the run's process), exit {done.returncode}"
            )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", default="10000,100000")
    parser.add_argument("--only", choices=["pages", "sitemap", "urls"])
    args = parser.parse_args()
    if args.only in (None, "pages"):
        pathological_pages()
    if args.only in (None, "sitemap"):
        huge_sitemap_index()
    if args.only in (None, "urls"):
        many_urls([int(n) for n in args.urls.split(",")])
