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
            json.loads(line) for line in (out.parent / "errors.jsonl").read_text().splitlines()
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
            'output_dir = "out"\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
            f'[[sources]]\nname = "index"\nkind = "sitemap"\nurl = "{server.url("/index.xml")}"\n'
            "max_articles = 100\n",
            encoding="utf-8",
        )
        started = time.perf_counter()
        subprocess.run([*PIPELINE, "run", str(config)], check=True, capture_output=True)
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        fetched = sum(1 for r in server.requests if r.path.startswith("/child-"))
    size = len(child)
    print(
        f"sitemap index of 200 children x 50,000 URLs ({size / 1e6:.1f} MB gzipped each),"
        f" max_articles 100: {elapsed:.1f} s, peak RSS {peak_kib / 1024:.0f} MiB"
        f" (largest child process), {fetched} child sitemap(s) fetched"
    )


if __name__ == "__main__":
    pathological_pages()
    huge_sitemap_index()
