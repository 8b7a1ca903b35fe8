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
   exact Jaccard and containment (from the full shingle sets) and the start of
   both texts, to be judged by eye. All pairs that pass a rule by their exact
   values (found from an inverted index of shingles) are counted as well, to show
   what the index missed of the definition itself.
2. Scale: an index of --scale distinct synthetic texts (words drawn from the
   benchmark texts' vocabulary by frequency, lengths from theirs) and one of
   1,000 get the same new records, alternating; the ratio of their check+add
   times, and the file size per record, show whether the cost stays flat.
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
from pipeline.dedup.near import (  # noqa: E402
    DEFAULT_NEAR_SETTINGS,
    Match,
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


def containment(a: set[str], b: set[str]) -> float:
    """The share of the smaller set inside the larger."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def rule(j: float, c: float) -> str | None:
    """Which rule of pipeline/dedup/near.py a pair with these values passes."""
    settings = DEFAULT_NEAR_SETTINGS
    if j >= settings.threshold:
        return "1"
    if j >= settings.containment_jaccard and c >= settings.containment:
        return "2"
    return None


def median_ms(seconds: list[float]) -> float:
    return 1000 * statistics.median(seconds) if seconds else 0.0


def mean_ms(seconds: list[float]) -> float:
    return 1000 * statistics.fmean(seconds) if seconds else 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# 1. The benchmark pages: cost beside extraction, and false positives.


class Timings:
    """Wall-clock and CPU seconds of one step, sample by sample: on a shared machine
    the wall clock also counts the time other processes had the core."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def add(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        self.wall.append(end[0] - start[0])
        self.cpu.append(end[1] - start[1])

    def row(self, name: str) -> str:
        return (
            f"| {name} | {mean_ms(self.wall):.2f} | {median_ms(self.wall):.2f} "
            f"| {mean_ms(self.cpu):.2f} |"
        )

    def __add__(self, other: Timings) -> Timings:
        both = Timings()
        both.wall = [a + b for a, b in zip(self.wall, other.wall, strict=True)]
        both.cpu = [a + b for a, b in zip(self.cpu, other.cpu, strict=True)]
        return both


def now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def index_benchmarks(folder: Path, limit: int | None, out: list[str]) -> tuple[list[Text], Path]:
    path = folder / "bench.near.sqlite"
    texts: list[Text] = []
    flagged: list[tuple[Text, Match]] = []
    extracting, signing, indexing = Timings(), Timings(), Timings()
    skipped: Counter[str] = Counter()
    by_key: dict[str, Text] = {}
    with NearDuplicates.open(path) as index:
        for key, url, html_path in pages(limit):
            html = gzip.decompress(html_path.read_bytes())
            started = now()
            try:
                article = extract(html, url=url)
            except ExtractionError as exc:
                skipped[str(exc.reason)] += 1
                continue
            extracted = now()
            record = Text(key, url, article.text)
            sig = signature(record.text)  # a pure function: could run in the worker
            signed = now()
            match = None if sig is None else index.check(key, sig)
            added = sig is not None and index.add(key, sig)
            done = now()
            extracting.add(started, extracted)
            if added:
                signing.add(extracted, signed)
                indexing.add(signed, done)
            texts.append(record)
            by_key[key] = record
            if match is not None:
                flagged.append((record, match))
        stats = index.stats()
    indexed = stats.records
    size = path.stat().st_size  # after close: the WAL is checkpointed into the file
    both = signing + indexing
    out += [
        "### Cost per record, on the benchmark texts",
        "",
        f"{len(texts)} pages extracted ({sum(skipped.values())} refused: "
        + ", ".join(f"{r} {n}" for r, n in skipped.most_common())
        + f"); {indexed} texts indexed (the rest under {DEFAULT_NEAR_SETTINGS.min_tokens} tokens).",
        "Each page's extraction and its check+add alternate in one process.",
        "",
        "| per indexed record | mean ms | median ms | mean CPU ms |",
        "|---|---|---|---|",
        signing.row("signature (tokens, shingles, MinHash)"),
        indexing.row("check + add (SQLite: band keys, candidates, insert)"),
        both.row("**check + add, all**"),
        extracting.row("extraction of the same page (`pipeline.extract`)"),
        "",
        f"Index cost / extraction cost (means): wall "
        f"{statistics.fmean(both.wall) / statistics.fmean(extracting.wall):.3f}, CPU "
        f"{statistics.fmean(both.cpu) / statistics.fmean(extracting.cpu):.3f}. "
        f"File: {size / max(indexed, 1):.0f} bytes per record "
        f"({size / 1e6:.1f} MB for {indexed}; bands {stats.bands} x rows "
        f"{stats.rows}).",
        "",
    ]
    report_flagged(flagged, by_key, len(texts), indexed, out)
    report_exact_pairs(texts, {(r.key, m.record_id) for r, m in flagged}, out)
    return texts, path


def report_flagged(
    flagged: list[tuple[Text, Match]],
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
        f"{len(flagged) / max(indexed * (indexed - 1) / 2, 1):.1e} of all pairs). "
        "J: Jaccard, C: share of the shorter text in the longer; est.: from the "
        "signatures, exact: from the shingle sets.",
        "",
        "| # | new | earlier | est. J | est. C | exact J | exact C | words | same text "
        "| start of new / earlier |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, (record, match) in enumerate(flagged, 1):
        other = by_key[match.record_id]
        a, b = shingle_set(record.text, k), shingle_set(other.text, k)
        same = "yes" if record.text == other.text else "no"
        words = f"{len(tokens(record.text))} / {len(tokens(other.text))}"
        start = f"{snippet(record.text)} / {snippet(other.text)}"
        out.append(
            f"| {n} | {record.key} | {match.record_id} | {match.similarity:.3f} "
            f"| {match.containment:.3f} | {jaccard(a, b):.3f} | {containment(a, b):.3f} "
            f"| {words} | {same} | {start} |"
        )
    out.append("")


def snippet(text: str, size: int = 70) -> str:
    flat = " ".join(text.split())
    return (flat[:size] + ("…" if len(flat) > size else "")).replace("|", "\\|")


def report_exact_pairs(texts: list[Text], flagged: set[tuple[str, str]], out: list[str]) -> None:
    """Every pair that passes a rule by its exact values, from an inverted index of
    shingles (shingles in more than 50 texts, boilerplate, are left out of the
    pairing but not of the values)."""
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
    floors = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)
    buckets: Counter[float] = Counter()
    contained: Counter[float] = Counter()
    passing: list[tuple[str, str, str]] = []
    for (a, b), common in shared.items():
        if common < 5:
            continue
        j, c = jaccard(sets[a], sets[b]), containment(sets[a], sets[b])
        for floor in floors:
            buckets[floor] += j >= floor
            contained[floor] += c >= settings.containment and j >= floor
        passed = rule(j, c)
        if passed is not None:
            passing.append((a, b, passed))
    found = sum(1 for a, b, _ in passing if (b, a) in flagged or (a, b) in flagged)
    by_rule = Counter(r for _, _, r in passing)
    out += [
        "### All pairs by their exact values (the definition itself, no LSH)",
        "",
        "| at least this Jaccard | " + " | ".join(str(f) for f in floors) + " |",
        "|---|" + "---|" * len(floors),
        "| pairs | " + " | ".join(str(buckets[f]) for f in floors) + " |",
        f"| of which with C >= {settings.containment} | "
        + " | ".join(str(contained[f]) for f in floors)
        + " |",
        "",
        f"{len(passing)} pairs pass a rule by their exact values (rule 1: {by_rule['1']}, "
        f"rule 2 alone: {by_rule['2']}); {found} of them were flagged (a text is flagged "
        "once, with its earliest match, so a third copy of a text counts one pair).",
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
    fill = Timings()
    probes = 2000
    with (
        NearDuplicates.open(folder / "large.near.sqlite") as large,
        NearDuplicates.open(folder / "small.near.sqlite") as small,
    ):
        for n in range(count):
            sig = synthetic()
            started = now()
            large.check(f"s{n}", sig)
            large.add(f"s{n}", sig)
            fill.add(started, now())
            if n < 1000:
                small.add(f"s{n}", sig)
        timed = {"small": Timings(), "large": Timings()}
        for n in range(probes):
            sig = synthetic()
            pair = [("small", small), ("large", large)]
            for name, index in pair if n % 2 else pair[::-1]:
                started = now()
                index.check(f"p{n}", sig)
                index.add(f"p{n}", sig)
                timed[name].add(started, now())
        records = len(large)
    size = (folder / "large.near.sqlite").stat().st_size
    small_, large_ = timed["small"], timed["large"]
    ratio = statistics.fmean(large_.wall) / statistics.fmean(small_.wall)
    cpu_ratio = statistics.fmean(large_.cpu) / statistics.fmean(small_.cpu)
    out += [
        f"### Scale: an index of {count:,} records beside one of 1,000",
        "",
        f"Distinct synthetic texts (benchmark vocabulary by frequency, benchmark lengths). "
        f"Filling the large index: check + add {mean_ms(fill.wall):.3f} ms a record on "
        f"average, {mean_ms(fill.cpu):.3f} ms of CPU (first 1,000: {mean_ms(fill.cpu[:1000]):.3f}"
        f", last 1,000: {mean_ms(fill.cpu[-1000:]):.3f}). "
        f"Then {probes:,} new records checked and added to both, alternating "
        "(check + add, SQLite part):",
        "",
        "| index | mean ms | median ms | mean CPU ms |",
        "|---|---|---|---|",
        small_.row("1,000 records"),
        large_.row(f"{count:,} records"),
        "",
        f"Large / small (means): wall {ratio:.2f}, CPU {cpu_ratio:.2f}. "
        f"File: {size / records:.0f} bytes per record "
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
    k = settings.shingle
    rng = random.Random(7)
    eligible = [t for t in texts if len(tokens(t.text)) >= settings.min_tokens]
    by_key = {t.key: t for t in texts}
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
        "found: the match is the original (or a text the benchmarks hold twice, identical "
        "to it). rule 1 alone: found with estimated J >= "
        f"{settings.threshold}. by definition: copies whose exact values pass a rule.",
        "",
        "| copy | found | rule 1 alone | wrong id | by definition | found of those | "
        + " | ".join(f"found, {lo}-{hi if hi < 10**9 else ''} words" for lo, hi in buckets)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(buckets),
    ]
    with NearDuplicates.open(path) as index:
        for name, make in kinds.items():
            found = by_jaccard = wrong = defined = found_defined = 0
            per: defaultdict[int, list[bool]] = defaultdict(list)
            for t in chosen:
                copy = make(t)
                match = index.check(f"copy/{t.key}", copy)
                hit = match is not None and (
                    match.record_id == t.key or by_key[match.record_id].text == t.text
                )
                wrong += match is not None and not hit
                found += hit
                by_jaccard += hit and match is not None and match.similarity >= settings.threshold
                a, b = shingle_set(t.text, k), shingle_set(copy, k)
                if rule(jaccard(a, b), containment(a, b)) is not None:
                    defined += 1
                    found_defined += hit
                size = len(tokens(t.text))
                bucket = next(i for i, (lo, hi) in enumerate(buckets) if lo <= size < hi)
                per[bucket].append(hit)
            cells = [
                f"{sum(per[i]) / len(per[i]):.0%} ({len(per[i])})" if per[i] else "-"
                for i in range(len(buckets))
            ]
            out.append(
                f"| {name} | {found / len(chosen):.1%} | {by_jaccard / len(chosen):.1%} "
                f"| {wrong} | {defined} | {found_defined / max(defined, 1):.1%} | "
                + " | ".join(cells)
                + " |"
            )
    out.append("")


def write_report(lines: list[str]) -> None:
    text = REPORT.read_text() if REPORT.exists() else f"# Near-duplicates\n\n{MARKER}\n"
    head = text.split(MARKER)[0]
    REPORT.write_text(head + MARKER + "\n\n" + "\n".join(lines).rstrip() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, help="the first N pages of each benchmark")
    parser.add_argument("--scale", type=int, default=50_000, help="synthetic records")
    parser.add_argument("--sample", type=int, default=300, help="texts to copy for recall")
    parser.add_argument("--write", action="store_true", help="update NEAR_DUPLICATES.md")
    args = parser.parse_args()
    settings = DEFAULT_NEAR_SETTINGS
    load = os.getloadavg()[0]
    lines = [
        f"Run {time.strftime('%Y-%m-%d')} (load average {load:.1f} on {os.cpu_count()} cores): "
        f"Jaccard {settings.threshold}, or containment {settings.containment} with Jaccard "
        f"{settings.containment_jaccard}, word {settings.shingle}-grams, "
        f"{settings.num_perm} permutations, min_tokens {settings.min_tokens}"
        + (f", --limit {args.limit}" if args.limit else "")
        + ".",
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
