"""Response records per second read from a WARC: warcio, FastWARC, and our reader.

    .venv/bin/python bench/warc_read.py [--pages DIR] [--rounds 5] [--before REV] [--write]
    .venv/bin/python bench/warc_read.py --fuzz 2000 [--fuzz-pages 40] [--seed 1]

Builds a WARC of the pages of DIR (default the WCXB dev pages, .html or .html.gz)
with `pipeline.warc.WarcWriter`, as a run archives them (a request and a response
record per page, each its own gzip member at our level), then times, in turn
within each round so that a busy spell of the shared machine hits all alike:

- warcio raw: warcio's ArchiveIterator, every response record's content read;
- FastWARC raw: FastWARC's ArchiveIterator (HTTP headers parsed), the same;
- FastWARC + digests: the same with FastWARC's own block-digest check, the floor
  for a reader that verifies digests;
- ours before: `iter_warc_pages` as it was at REV (warcio, digests checked);
- ours now: `iter_warc_pages` as it is in this checkout.

Each figure is the median over the rounds of records/s (wall clock) and of
records per CPU-second (this process's CPU time, less swayed by the other work
on the machine); ratios are to "ours before". `--write` replaces the results in
bench/WARC_READ.md.

`--fuzz N` instead damages a small archive of real pages (the first
--fuzz-pages of DIR) N times: cut at a random byte, one to three bytes flipped,
or junk inserted, in its gzipped and its plain form, and checks that the reader
yields only Pages and Unreads, never raises, and that every Page it yields is one
of the archive's own, unaltered.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastwarc.warc import ArchiveIterator as FastIterator  # noqa: E402
from fastwarc.warc import WarcRecordType  # noqa: E402
from warcio.archiveiterator import ArchiveIterator as WarcioIterator  # noqa: E402

from pipeline.page import Page, Unread  # noqa: E402
from pipeline.warc import WarcWriter, iter_warc_pages  # noqa: E402

DEFAULT_PAGES = ROOT.parent / "shared" / "bench" / "wcxb-dev" / "html"
BEFORE = "9ed171f"  # the last commit whose iter_warc_pages read with warcio
RESULTS = ROOT / "bench" / "WARC_READ.md"
FETCHED = datetime(2025, 1, 1, tzinfo=UTC)


def page_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith((".html", ".html.gz")))


def page_url(path: Path) -> str:
    """The page's address from a WCXB ground truth beside the folder, else a made-up one."""
    page_id = path.name.split(".")[0]
    truth = path.parent.parent / "ground-truth" / f"{page_id}.json"
    if truth.is_file():
        url = json.loads(truth.read_text(encoding="utf-8")).get("url")
        if isinstance(url, str) and url:
            return url
    return f"https://pages.example/{page_id}"


def build_warc(files: list[Path], path: Path) -> int:
    """Archive the pages as a run does; return the number of response records."""
    with WarcWriter(path, {"run-id": "bench"}) as warc:
        for file in files:
            body = file.read_bytes()
            if file.name.endswith(".gz"):
                body = gzip.decompress(body)
            warc.write_response(
                page_url(file),
                200,
                [("Content-Type", "text/html; charset=utf-8"), ("Server", "bench")],
                body,
                FETCHED,
                request_headers=[("Host", "pages.example"), ("User-Agent", "bench")],
            )
    return len(files)


def warcio_raw(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for record in WarcioIterator(stream):
            if record.rec_type == "response":
                record.content_stream().read()
                count += 1
    return count


def fastwarc_raw(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for record in FastIterator(stream, record_types=WarcRecordType.response):
            record.reader.read()
            count += 1
    return count


def fastwarc_digests(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for record in FastIterator(stream, parse_http=False):
            if record.record_type == WarcRecordType.response:
                record.verify_block_digest(consume=False)  # buffered, then parsed
                record.parse_http()
                record.reader.read()
                count += 1
            else:
                record.verify_block_digest(consume=True)
    return count


def load_before(rev: str) -> ModuleType:
    """The WARC reader as it was at `rev` (pipeline/warc/reader.py, or pipeline/warc.py
    before the package), imported under another name. A single-file warc.py of the
    time of pipeline/warcblock.py reads that module as it was at `rev` too."""
    reader = _show(rev, "pipeline/warc/reader.py")
    if reader is None:
        reader = _show(rev, "pipeline/warc.py")
        block = _show(rev, "pipeline/warcblock.py")
        if reader is None:
            raise SystemExit(f"no WARC reader at {rev}")
        if block is not None:
            sys.modules["pipeline.warcblock"] = _load("warcblock_before", block)
    return _load("warc_before", reader)


def _show(rev: str, path: str) -> str | None:
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True, text=True
    )
    return shown.stdout if shown.returncode == 0 else None


def _load(name: str, source: str) -> ModuleType:
    folder = Path(tempfile.mkdtemp(prefix="warc-before-"))
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pages_of(reader: Callable[[Path], Iterator[Page | Unread]]) -> Callable[[Path], int]:
    def read(path: Path) -> int:
        count = 0
        for item in reader(path):
            if not isinstance(item, Page):
                raise SystemExit(f"{path}: the reader reported {item}")
            count += 1
        return count

    return read


def time_readers(
    readers: dict[str, Callable[[Path], int]], path: Path, rounds: int, expected: int
) -> dict[str, tuple[list[float], list[float]]]:
    """(records/s, records per CPU-second) of each reader, round after round."""
    rates: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in readers}
    for number in range(rounds):
        for name, read in readers.items():
            wall, cpu = time.perf_counter(), time.process_time()
            count = read(path)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if count != expected:
                raise SystemExit(f"{name} read {count} records, not {expected}")
            rates[name][0].append(count / wall)
            rates[name][1].append(count / cpu)
        shown = ", ".join(f"{name} {values[0][-1]:.0f}" for name, values in rates.items())
        print(f"round {number + 1}: {shown}", flush=True)
    return rates


def report(rates: dict[str, tuple[list[float], list[float]]], base: str) -> list[str]:
    base_wall = statistics.median(rates[base][0])
    base_cpu = statistics.median(rates[base][1])
    rows = [
        "| reader | records/s | vs ours before | records per CPU-s | vs ours before |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, (wall, cpu) in rates.items():
        w, c = statistics.median(wall), statistics.median(cpu)
        rows.append(
            f"| {name} | {w:,.0f} | {w / base_wall:.2f}x | {c:,.0f} | {c / base_cpu:.2f}x |"
        )
    return rows


def write_results(
    header: list[str], rows: list[str], rates: dict[str, tuple[list[float], list[float]]]
) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    marker = "## Latest results"
    kept = text.split(marker)[0].rstrip() if marker in text else text.rstrip()
    rounds = "\n".join(
        f"- {name}: " + ", ".join(f"{v:,.0f}" for v in wall) for name, (wall, _) in rates.items()
    )
    body = "\n".join([marker, "", *header, "", *rows, "", "Records/s of each round:", "", rounds])
    RESULTS.write_text(f"{kept}\n\n{body}\n" if kept else f"{body}\n", encoding="utf-8")


def bench(args: argparse.Namespace) -> int:
    files = page_files(args.pages)
    if not files:
        raise SystemExit(f"no pages in {args.pages}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.warc.gz"
        expected = build_warc(files, path)
        size = path.stat().st_size
        before = load_before(args.before)
        readers: dict[str, Callable[[Path], int]] = {
            "warcio raw": warcio_raw,
            "FastWARC raw": fastwarc_raw,
            "FastWARC + digests": fastwarc_digests,
            f"ours before ({args.before})": pages_of(before.iter_warc_pages),
            "ours now": pages_of(iter_warc_pages),
        }
        print(f"{expected} response records, {size / 1e6:.1f} MB gzipped; {args.rounds} rounds")
        rates = time_readers(readers, path, args.rounds, expected)
    rows = report(rates, f"ours before ({args.before})")
    shown = (
        args.pages.relative_to(ROOT.parent)
        if args.pages.is_relative_to(ROOT.parent)
        else args.pages
    )
    header = [
        f"{expected} response records (and as many request records) of the pages in "
        f"`../{shown}`, "
        f"{size / 1e6:.1f} MB gzipped; {args.rounds} rounds, readers alternating. Run "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}.",
    ]
    print("\n".join(["", *rows]))
    if args.write:
        write_results(header, rows, rates)
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


# Fuzzing


def damaged(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["cut", "flip", "junk"])
    if kind == "cut":
        at = rng.randrange(len(data))
        return f"cut at {at}", data[:at]
    if kind == "flip":
        spoilt = bytearray(data)
        places = [rng.randrange(len(data)) for _ in range(rng.randint(1, 3))]
        for at in places:
            spoilt[at] ^= 1 << rng.randrange(8)
        return f"flipped at {places}", bytes(spoilt)
    at = rng.randrange(len(data))
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return f"{len(junk)} junk bytes at {at}", data[:at] + junk + data[at:]


def fuzz(args: argparse.Namespace) -> int:
    files = page_files(args.pages)[: args.fuzz_pages]
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        packed = Path(folder) / "real.warc.gz"
        build_warc(files, packed)
        archives = {"gzip": packed.read_bytes(), "plain": gzip.decompress(packed.read_bytes())}
        pages = [item for item in iter_warc_pages(packed) if isinstance(item, Page)]
        assert len(pages) == len(files), "the undamaged archive does not read back whole"
        originals = {
            "gzip": {(page.content, page.url, page.http_charset) for page in pages},
            "plain": {(page.content, None, page.http_charset) for page in pages},
        }
        spoilt = Path(folder) / "spoilt.warc"
        counts = {"pages": 0, "errors": 0}
        for number in range(args.fuzz):
            form = "gzip" if number % 2 == 0 else "plain"
            how, data = damaged(archives[form], rng)
            spoilt.write_bytes(data)
            try:
                items = list(iter_warc_pages(spoilt))
            except BaseException as exc:  # anything at all is a failure to report
                failures += 1
                print(f"{form}, {how}: raised {type(exc).__name__}: {exc}")
                continue
            for item in items:
                if isinstance(item, Page):
                    counts["pages"] += 1
                    # No digest covers a WARC header: in a plain file a flip there may
                    # change a page's URL. The gzip CRC covers every byte.
                    url = item.url if form == "gzip" else None
                    if (item.content, url, item.http_charset) not in originals[form]:
                        failures += 1
                        print(f"{form}, {how}: a page that is not the archive's: {item.url}")
                elif isinstance(item, Unread):
                    counts["errors"] += 1
                else:
                    failures += 1
                    print(f"{form}, {how}: yielded {type(item).__name__}")
    print(
        f"{args.fuzz} damaged archives of {len(files)} pages: {counts['pages']} pages and "
        f"{counts['errors']} errors read back, {failures} failures"
    )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", default=BEFORE, help="the revision of the reader to compare")
    parser.add_argument("--write", action="store_true", help="update bench/WARC_READ.md")
    parser.add_argument("--fuzz", type=int, default=0, help="damaged archives to read instead")
    parser.add_argument("--fuzz-pages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    return fuzz(args) if args.fuzz else bench(args)


if __name__ == "__main__":
    sys.exit(main())
