"""The near-duplicate index (pipeline/dedup/near.py): its cost per record, its false
positives on the benchmark pages, its recall on constructed copies.

    nice -n 10 .venv/bin/python bench/near_duplicates.py [--limit N] [--scale 20000]
                                                        [--sample 300] [--write]

1. Every page of ../shared/bench/aeb, wcxb-dev and trafilatura-eval is extracted
   with `pipeline.extract` (a page that raises is skipped) and its text checked
   against, then added to, one fresh index: each page's extraction and its
   check+add alternate in this process, so their ratio is measured on the same
   pages under the same load. Every check that finds a match is a flagged pair;
   the pages are all distinct articles, so each flagged pair is a false positive
   unless the benchmarks hold the same text twice. Each pair is listed with its
   exact Jaccard (from the full shingle sets) and the start of both texts, to be
   judged by eye. All pairs with an exact Jaccard at or above the threshold
   (from an inverted index of shingles) are counted as well, to show what the
   index missed of the definition itself.
2. Scale: --scale distinct synthetic texts (words drawn from the benchmark texts'
   vocabulary by frequency, lengths from theirs) go into another fresh index;
   the check+add time of the first and the last thousand, and the file size per
   record, show whether the cost stays flat.
3. Recall: for --sample texts of at least min_tokens tokens, three constructed
   copies are checked against the index of step 1: a repost (an intro paragraph
   of 40-60 words from another article, and a footer of about 30 words), and
   syndicated copies with one word edit (substitution, deletion or insertion) in
   100 and in 50 words. A copy is found when the match is its original.

--write replaces the "Latest results" section of bench/NEAR_DUPLICATES.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import ExtractionError, extract  # noqa: E402
from pipeline.dedup import (  # noqa: E402
    DEFAULT_NEAR_SETTINGS,
    NearDuplicates,
    Signature,
    signature,
    tokens,
)

BENCH = ROOT.parent / "shared" / "bench"
REPORT = ROOT / "bench" / "NEAR_DUPLICATES.md"
MARKER = "## Latest results"
FOOTERS = (
    "This article was originally published by {site}. Read the original article. "
    "Copyright {year} {site}. All rights reserved. Subscribe to our newsletter to get "
    "the latest stories delivered to your inbox every morning.",
    "Follow {site} on social media for more news. Republished with permission. "
    "The views expressed are the author's own and do not reflect those of {site}. "
    "Share this story with your friends.",
    "{site} is an independent news outlet supported by readers like you. Donate today "
    "to keep our journalism free. Originally appeared in {year}. Sign up for alerts.",
)


@dataclass(frozen=True, slots=True)
class Text:
    key: str  # benchmark/page id
    url: str | None
    text: str


def pages(limit: int | None) -> Iterator[tuple[str, str | None, Path]]:
    """(key, url, html.gz path) of every benchmark page, in a fixed order."""
    aeb = json.loads((BENCH / "aeb" / "ground-truth.json").read_text())
    for page_id in sorted(aeb)[:limit]:
        yield (
            f"aeb/{page_id[:12]}",
            aeb[page_id]["url"],
            BENCH / "aeb" / "html" / f"{page_id}.html.gz",
        )
    wcxb = sorted((BENCH / "wcxb-dev" / "html").glob("*.html.gz"))[:limit]
    for path in wcxb:
        page_id = path.name.removesuffix(".html.gz")
        truth = BENCH / "wcxb-dev" / "ground-truth" / f"{page_id}.json"
        url = json.loads(truth.read_text()).get("url") if truth.exists() else None
        yield f"wcxb/{page_id}", url, path
    traf = json.loads((BENCH / "trafilatura-eval" / "ground-truth.json").read_text())
    for page_id in sorted(traf)[:limit]:
        path = BENCH / "trafilatura-eval" / "html" / f"{page_id}.html.gz"
        if path.exists():
            yield f"traf/{page_id}", traf[page_id]["url"], path


def shingle_set(text: str, k: int) -> set[str]:
    words = tokens(text)
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def median_ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds) if seconds else 0.0


def mean_ms(seconds: list[float]) -> float:
    return 1000 * statistics.fmean(seconds) if seconds else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# 1. The benchmark pages: cost beside extraction, and false positives.


def index_benchmarks(folder: Path, limit: int | None, out: list[str]) -> tuple[list[Text], Path]:
    path = folder / "bench.near.sqlite"
    texts: list[Text] = []
    flagged: list[tuple[Text, str, float]] = []
    extract_s: list[float] = []
    signature_s: list[float] = []
    index_s: list[float] = []
    skipped: Counter[str] = Counter()
    by_key: dict[str, Text] = {}
    with NearDuplicates.open(path) as index:
        for key, url, html_path in pages(limit):
            html = gzip.decompress(html_path.read_bytes())
            started = time.perf_counter()
            try:
                article = extract(html, url=url)
            except ExtractionError as exc:
                skipped[str(exc.reason)] += 1
                continue
            extracted = time.perf_counter()
            record = Text(key, url, article.text)
            sig = signature(record.text)  # a pure function: could run in the worker
            signed = time.perf_counter()
            match = None if sig is None else index.check(key, sig)
            added = sig is not None and index.add(key, sig)
            done = time.perf_counter()
            extract_s.append(extracted - started)
            if added:
                signature_s.append(signed - extracted)
                index_s.append(done - signed)
            texts.append(record)
            by_key[key] = record
            if match is not None:
                flagged.append((record, match.record_id, match.similarity))
        stats = index.stats()
    indexed = stats.records
    size = path.stat().st_size  # after close: the WAL is checkpointed into the file
    per_record = [s + i for s, i in zip(signature_s, index_s, strict=True)]
    out += [
        "### Cost per record, on the benchmark texts",
        "",
        f"{len(texts)} pages extracted ({sum(skipped.values())} refused: "
        + ", ".join(f"{r} {n}" for r, n in skipped.most_common())
        + f"); {indexed} texts indexed (the rest under {DEFAULT_NEAR_SETTINGS.min_tokens} tokens).",
        "Each page's extraction and its check+add alternate in one process.",
        "",
        "| per indexed record | mean ms | median ms |",
        "|---|---|---|",
        f"| signature (tokens, shingles, MinHash) | {mean_ms(signature_s):.2f} "
        f"| {median_ms(signature_s):.2f} |",
        f"| check + add (SQLite: band keys, candidates, insert) | {mean_ms(index_s):.2f} "
        f"| {median_ms(index_s):.2f} |",
        f"| **check + add, all** | **{mean_ms(per_record):.2f}** "
        f"| **{median_ms(per_record):.2f}** |",
        f"| extraction of the same page (`pipeline.extract`) | {mean_ms(extract_s):.2f} "
        f"| {median_ms(extract_s):.2f} |",
        "",
        f"Index cost / extraction cost (means): "
        f"{statistics.fmean(per_record) / statistics.fmean(extract_s):.3f}. "
        f"File: {size / max(indexed, 1):.0f} bytes per record "
        f"({size / 1e6:.1f} MB for {indexed}; bands {stats.bands} x rows "
        f"{stats.rows}).",
        "",
    ]
    report_flagged(flagged, by_key, len(texts), indexed, out)
    report_exact_pairs(texts, {(r.key, other) for r, other, _ in flagged}, out)
    return texts, path


def report_flagged(
    flagged: list[tuple[Text, str, float]],
    by_key: dict[str, Text],
    pages_: int,
    indexed: int,
    out: list[str],
) -> None:
    k = DEFAULT_NEAR_SETTINGS.shingle
    out += [
        "### Flagged pairs on the benchmark pages (all distinct articles)",
        "",
        f"{len(flagged)} of {indexed} indexed texts were flagged as near-duplicates of an "
        f"earlier one ({len(flagged) / max(indexed, 1):.2%} of records; "
        f"{len(flagged) / max(indexed * (indexed - 1) / 2, 1):.1e} of all pairs).",
        "",
        "| # | new | earlier | est. J | exact J | words | same text | start of new / earlier |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, (record, other_key, similarity) in enumerate(flagged, 1):
        other = by_key[other_key]
        exact = jaccard(shingle_set(record.text, k), shingle_set(other.text, k))
        same = "yes" if record.text == other.text else "no"
        words = f"{len(tokens(record.text))} / {len(tokens(other.text))}"
        start = f"{snippet(record.text)} / {snippet(other.text)}"
        out.append(
            f"| {n} | {record.key} | {other_key} | {similarity:.3f} | {exact:.3f} | {words} "
            f"| {same} | {start} |"
        )
    out.append("")


def snippet(text: str, size: int = 70) -> str:
    flat = " ".join(text.split())
    return (flat[:size] + ("…" if len(flat) > size else "")).replace("|", "\\|")


def report_exact_pairs(texts: list[Text], flagged: set[tuple[str, str]], out: list[str]) -> None:
    """Every pair at or above the threshold by exact Jaccard, from an inverted index
    of shingles (shingles in more than 50 texts, boilerplate, are left out of the
    pairing but not of the Jaccard)."""
    settings = DEFAULT_NEAR_SETTINGS
    sets = {
        t.key: shingle_set(t.text, settings.shingle)
        for t in texts
        if len(tokens(t.text)) >= settings.min_tokens
    }
    postings: defaultdict[str, list[str]] = defaultdict(list)
    for key, shingles in sets.items():
        for shingle in shingles:
            postings[shingle].append(key)
    shared: Counter[tuple[str, str]] = Counter()
    for keys in postings.values():
        if 1 < len(keys) <= 50:
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    shared[(a, b)] += 1
    buckets: Counter[str] = Counter()
    over: list[tuple[str, str, float]] = []
    for (a, b), common in shared.items():
        if common < 5:
            continue
        exact = jaccard(sets[a], sets[b])
        for floor in (0.3, 0.5, 0.7, settings.threshold, 0.9):
            if exact >= floor:
                buckets[f"{floor}"] += 1
        if exact >= settings.threshold:
            over.append((a, b, exact))
    found = sum(1 for a, b, _ in over if (b, a) in flagged or (a, b) in flagged)
    out += [
        "### All pairs by exact Jaccard (the definition itself, no LSH)",
        "",
        "| exact Jaccard at least | 0.3 | 0.5 | 0.7 | 0.8 | 0.9 |",
        "|---|---|---|---|---|---|",
        "| pairs | "
        + " | ".join(str(buckets[f"{f}"]) for f in (0.3, 0.5, 0.7, settings.threshold, 0.9))
        + " |",
        "",
        f"Of the {len(over)} pairs at or above {settings.threshold}, {found} were flagged "
        "(a text is flagged once, with its earliest match, so a third copy counts one pair).",
        "",
    ]


# 2. Scale: flat cost and file size per record.


def scale(folder: Path, texts: list[Text], count: int, out: list[str]) -> None:
    """Fill a large index with `count` records and a small one with 1,000, then time
    check+add of the same new records on both, alternating: their ratio shows
    whether the cost grows with the index, whatever the machine's load."""
    rng = random.Random(20240501)
    vocabulary: Counter[str] = Counter()
    lengths = []
    for t in texts:
        words = tokens(t.text)
        vocabulary.update(words)
        if len(words) >= DEFAULT_NEAR_SETTINGS.min_tokens:
            lengths.append(len(words))
    words_, weights = zip(*vocabulary.most_common(50_000), strict=True)

    def synthetic() -> Signature:
        sig = signature(" ".join(rng.choices(words_, weights, k=rng.choice(lengths))))
        assert sig is not None
        return sig

    rss_start = peak_rss_mb()
    fill: list[float] = []
    probes = 2000
    with (
        NearDuplicates.open(folder / "large.near.sqlite") as large,
        NearDuplicates.open(folder / "small.near.sqlite") as small,
    ):
        for n in range(count):
            sig = synthetic()
            started = time.perf_counter()
            large.check(f"s{n}", sig)
            large.add(f"s{n}", sig)
            fill.append(time.perf_counter() - started)
            if n < 1000:
                small.add(f"s{n}", sig)
        timed: dict[str, list[float]] = {"small": [], "large": []}
        for n in range(probes):
            sig = synthetic()
            pair = [("small", small), ("large", large)]
            for name, index in pair if n % 2 else pair[::-1]:
                started = time.perf_counter()
                index.check(f"p{n}", sig)
                index.add(f"p{n}", sig)
                timed[name].append(time.perf_counter() - started)
        records = len(large)
    size = (folder / "large.near.sqlite").stat().st_size
    ratio = statistics.fmean(timed["large"]) / statistics.fmean(timed["small"])
    out += [
        f"### Scale: an index of {count:,} records beside one of 1,000",
        "",
        f"Distinct synthetic texts (benchmark vocabulary by frequency, benchmark lengths). "
        f"Filling the large index: check + add {mean_ms(fill):.3f} ms a record on average "
        f"(first 1,000: {mean_ms(fill[:1000]):.3f}, last 1,000: {mean_ms(fill[-1000:]):.3f}). "
        f"Then {probes:,} new records checked and added to both, alternating:",
        "",
        "| index | records | check + add (SQLite), mean ms | median ms |",
        "|---|---|---|---|",
        f"| small | 1,000 | {mean_ms(timed['small']):.3f} | {median_ms(timed['small']):.3f} |",
        f"| large | {count:,} | {mean_ms(timed['large']):.3f} | {median_ms(timed['large']):.3f} |",
        "",
        f"Large / small: {ratio:.2f}. File: {size / records:.0f} bytes per record "
        f"({size / 1e6:.1f} MB for {records:,}). Peak RSS of the process: {rss_start:.0f} MB "
        f"before the scale run, {peak_rss_mb():.0f} MB after.",
        "",
    ]


# 3. Recall on constructed copies.


def repost(text: str, other: str, rng: random.Random) -> str:
    words = other.split()
    size = rng.randint(40, 60)
    start = rng.randrange(max(len(words) - size, 1))
    intro = " ".join(words[start : start + size])
    site = rng.choice(("Daily Courier", "Asia News Wire", "The Metro Herald", "Regional Post"))
    footer = rng.choice(FOOTERS).format(site=site, year=rng.randint(2015, 2026))
    return f"{intro}\n\n{text}\n\n{footer}"


def edited(text: str, every: int, vocabulary: list[str], rng: random.Random) -> str:
    """One edit (substitute, delete or insert a word) per `every` words, on average."""
    out: list[str] = []
    for word in text.split():
        if rng.random() < 1 / every:
            kind = rng.randrange(3)
            if kind == 0:
                out.append(rng.choice(vocabulary))
            elif kind == 2:
                out += [word, rng.choice(vocabulary)]
            continue
        out.append(word)
    return " ".join(out)


def recall(path: Path, texts: list[Text], sample: int, out: list[str]) -> None:
    settings = DEFAULT_NEAR_SETTINGS
    rng = random.Random(7)
    eligible = [t for t in texts if len(tokens(t.text)) >= settings.min_tokens]
    chosen = rng.sample(eligible, min(sample, len(eligible)))
    vocabulary = sorted({w for t in chosen for w in t.text.split()})
    kinds = {
        "repost (new intro 40-60 words, footer ~30)": lambda t: repost(
            t.text, rng.choice(eligible).text, rng
        ),
        "syndicated, 1 edit per 100 words": lambda t: edited(t.text, 100, vocabulary, rng),
        "syndicated, 1 edit per 50 words": lambda t: edited(t.text, 50, vocabulary, rng),
    }
    buckets = ((50, 200), (200, 500), (500, 1000), (1000, 10**9))
    out += [
        f"### Recall on constructed copies ({len(chosen)} texts of at least "
        f"{settings.min_tokens} tokens, checked against the index of all benchmark texts)",
        "",
        "| copy | found | wrong id | exact J >= 0.8 | found of those | "
        + " | ".join(f"found, {lo}-{hi if hi < 10**9 else ''} words" for lo, hi in buckets)
        + " |",
        "|---|---|---|---|---|" + "---|" * len(buckets),
    ]
    with NearDuplicates.open(path) as index:
        for name, make in kinds.items():
            found = wrong = over = found_over = 0
            per: defaultdict[int, list[bool]] = defaultdict(list)
            for t in chosen:
                copy = make(t)
                match = index.check(f"copy/{t.key}", copy)
                hit = match is not None and match.record_id == t.key
                wrong += match is not None and not hit
                found += hit
                exact = jaccard(
                    shingle_set(t.text, settings.shingle), shingle_set(copy, settings.shingle)
                )
                if exact >= settings.threshold:
                    over += 1
                    found_over += hit
                size = len(tokens(t.text))
                bucket = next(i for i, (lo, hi) in enumerate(buckets) if lo <= size < hi)
                per[bucket].append(hit)
            cells = [
                f"{sum(per[i]) / len(per[i]):.0%} ({len(per[i])})" if per[i] else "-"
                for i in range(len(buckets))
            ]
            out.append(
                f"| {name} | {found / len(chosen):.1%} | {wrong} | {over} "
                f"| {found_over / max(over, 1):.1%} | " + " | ".join(cells) + " |"
            )
    out.append("")


def write_report(lines: list[str]) -> None:
    text = REPORT.read_text() if REPORT.exists() else f"# Near-duplicates\n\n{MARKER}\n"
    head = text.split(MARKER)[0]
    REPORT.write_text(head + MARKER + "\n\n" + "\n".join(lines).rstrip() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, help="the first N pages of each benchmark")
    parser.add_argument("--scale", type=int, default=20_000, help="synthetic records")
    parser.add_argument("--sample", type=int, default=300, help="texts to copy for recall")
    parser.add_argument("--write", action="store_true", help="update NEAR_DUPLICATES.md")
    args = parser.parse_args()
    settings = DEFAULT_NEAR_SETTINGS
    load = os.getloadavg()[0]
    lines = [
        f"Run {time.strftime('%Y-%m-%d')} (load average {load:.1f} on {os.cpu_count()} cores): "
        f"threshold {settings.threshold}, word "
        f"{settings.shingle}-grams, {settings.num_perm} permutations, min_tokens "
        f"{settings.min_tokens}" + (f", --limit {args.limit}" if args.limit else "") + ".",
        "",
    ]
    with tempfile.TemporaryDirectory() as folder:
        texts, path = index_benchmarks(Path(folder), args.limit, lines)
        recall(path, texts, args.sample, lines)
        if args.scale:
            scale(Path(folder), texts, args.scale, lines)
    print("\n".join(lines))
    if args.write:
        write_report(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
