"""Gate a refactor on identical records: extract every dev page, diff against a base.

    python bench/same_records.py snapshot OUT.jsonl.gz       # this checkout's records
    python bench/same_records.py diff OLD.jsonl.gz NEW.jsonl.gz
    python bench/same_records.py check [--rev HEAD]         # snapshot REV (a git
                                                            # worktree) and this checkout, diff

Every page of the three dev sets (`aeb`, `wcxb-dev`, `trafilatura-eval` under
`--data`, default `../shared/bench`) is extracted with `extract_page`, on `--jobs`
processes; each line of the snapshot is one page: its set and id, and its record
without the volatile `extracted_at` (or its rejection reason and message). `diff`
lists every page whose line changed, with the fields that differ, and exits 1 when
any did. The base of `check` is cached under `output/records/<commit>.jsonl.gz`,
so checking many steps against one base costs one snapshot of it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SETS = ("aeb", "wcxb-dev", "trafilatura-eval")
_CACHE = ROOT / "output" / "records"


def _pages(data: Path) -> Iterator[tuple[str, str, Path, str | None]]:
    """(set, id, html path, url) of every dev page, in set and id order."""
    for name in SETS:
        root = data / name
        if name == "wcxb-dev":
            for path in sorted((root / "ground-truth").glob("*.json")):
                url = json.loads(path.read_text("utf-8")).get("url")
                yield name, path.stem, root / "html" / f"{path.stem}.html.gz", url
        else:
            truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
            for page_id in sorted(truth):
                yield name, page_id, root / "html" / f"{page_id}.html.gz", truth[page_id].get("url")


def _extract(item: tuple[str, str, Path, str | None]) -> str:
    from pipeline.errors import ExtractionError
    from pipeline.extraction import Page, extract_page

    name, page_id, path, url = item
    line: dict[str, Any] = {"set": name, "id": page_id}
    try:
        record = extract_page(Page(gzip.decompress(path.read_bytes()), url)).to_dict()
    except ExtractionError as exc:
        line["error"] = [str(exc.reason), exc.message]
    else:
        record.pop("extracted_at", None)
        line["record"] = record
    return json.dumps(line, ensure_ascii=False, sort_keys=True)


def snapshot(out: Path, data: Path, jobs: int) -> int:
    items = list(_pages(data))
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    with ProcessPoolExecutor(jobs) as pool, gzip.open(part, "wt", encoding="utf-8") as sink:
        for line in pool.map(_extract, items, chunksize=8):
            sink.write(line + "\n")
    part.replace(out)
    return len(items)


def _read(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as source:
        lines = (json.loads(line) for line in source)
        return {(d["set"], d["id"]): d for d in lines}


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if "record" in old and "record" in new:
        a, b = old["record"], new["record"]
        return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return [f"{_outcome(old)} -> {_outcome(new)}"]


def _outcome(line: dict[str, Any]) -> str:
    return "record" if "record" in line else f"error {line['error'][0]}"


def diff(old_path: Path, new_path: Path, show: int = 60) -> int:
    old, new = _read(old_path), _read(new_path)
    changed = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None or b is None:
            changed.append((key, ["only in " + ("new" if a is None else "old")]))
        elif a != b:
            changed.append((key, _changed_fields(a, b)))
    per_set = {name: sum(1 for (s, _), _f in changed if s == name) for name in SETS}
    print(
        f"{len(changed)} of {len(new)} pages differ: "
        + ", ".join(f"{name} {count}" for name, count in per_set.items())
    )
    for (name, page_id), fields in changed[:show]:
        print(f"  {name}/{page_id}: {', '.join(fields)}")
    if len(changed) > show:
        print(f"  ... {len(changed) - show} more")
    return 1 if changed else 0


def _base_snapshot(rev: str, data: Path, jobs: int) -> Path:
    commit = subprocess.check_output(["git", "rev-parse", rev], cwd=ROOT, text=True).strip()
    cached = _CACHE / f"{commit}.jsonl.gz"
    if cached.exists():
        return cached
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.check_call(
            ["git", "worktree", "add", "--detach", str(tree), commit],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            env = {**os.environ, "PYTHONPATH": str(tree)}
            subprocess.check_call(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "snapshot",
                    str(cached),
                    "--data",
                    str(data),
                    "--jobs",
                    str(jobs),
                ],
                cwd=tree,
                env=env,
            )
        finally:
            subprocess.call(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    return cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("snapshot", "diff", "check"))
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rev", default="HEAD", help="the base of `check` (default HEAD)")
    parser.add_argument("--show", type=int, default=60, help="pages listed by diff")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        count = snapshot(args.paths[0], args.data, args.jobs)
        print(f"{count} pages written to {args.paths[0]}")
        return 0
    if args.command == "diff":
        return diff(args.paths[0], args.paths[1], args.show)
    base = _base_snapshot(args.rev, args.data, args.jobs)
    current = _CACHE / "current.jsonl.gz"
    snapshot(current, args.data, args.jobs)
    return diff(base, current, args.show)


if __name__ == "__main__":
    sys.exit(main())
