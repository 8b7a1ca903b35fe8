"""Fixtures: saved pages paired with their expected records.

    fixtures/<name>.html (or .html.gz)   the page as the site served it
    fixtures/<name>.json                 what extraction must give:
        url       the address the page was saved from (passed to extract)
        absent    strings of the page around the article that must not appear
                  in text, blocks or tables
        key       hand-checked values (never rewritten by this script): record
                  fields, plus tables_count, references_count, text_contains,
                  references_sample, tables
        record    the whole expected record without volatile fields
                  (rewritten by `update`, to be reviewed as a diff)
        error     instead of key/record: the reason code the page must give

Usage:
    python -m scripts.fixtures diff [NAME...]     show what changed, write nothing
    python -m scripts.fixtures update [NAME...]   rewrite `record` of each fixture
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ExtractionError
from pipeline.extraction import Page, extract_page
from pipeline.record import VOLATILE_FIELDS

ROOT = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class Fixture:
    name: str
    page: Path
    spec_path: Path
    spec: dict[str, Any]

    def content(self) -> bytes:
        data = self.page.read_bytes()
        return gzip.decompress(data) if self.page.suffix == ".gz" else data


def load_all(root: Path = ROOT) -> list[Fixture]:
    found = []
    for spec_path in sorted(root.glob("*.json")):
        name = spec_path.stem
        pages = [p for p in (root / f"{name}.html", root / f"{name}.html.gz") if p.exists()]
        if pages:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            found.append(Fixture(name, pages[0], spec_path, spec))
    return found


def run(fixture: Fixture) -> dict[str, Any]:
    """The record (without volatile fields), or {'error': reason} for a rejected page."""
    try:
        article = extract_page(Page(fixture.content(), fixture.spec.get("url")))
    except ExtractionError as exc:
        return {"error": str(exc.reason), "message": exc.message}
    record = article.to_dict()
    for key in VOLATILE_FIELDS:
        record.pop(key, None)
    return record


def problems(fixture: Fixture, record: dict[str, Any]) -> list[str]:
    """Every way `record` falls short of the fixture's expectations."""
    spec = fixture.spec
    if "error" in spec:
        got = record.get("error")
        return [] if got == spec["error"] else [f"expected error {spec['error']}, got {got!r}"]
    if "error" in record:
        return [f"no record: {record['error']}: {record.get('message')}"]
    found = _absent_problems(spec.get("absent", []), record)
    found += _key_problems(spec.get("key", {}), record)
    if "record" in spec and spec["record"] != record:
        found.append("record differs from the stored one (python -m scripts.fixtures diff)")
    return found


def _absent_problems(absent: list[str], record: dict[str, Any]) -> list[str]:
    body = json.dumps([record["text"], record["blocks"], record["tables"]], ensure_ascii=False)
    return [f"boilerplate kept: {s!r}" for s in absent if s in body]


def _key_problems(key: dict[str, Any], record: dict[str, Any]) -> list[str]:
    found = []
    for name, want in key.items():
        got = _derived(name, record)
        if name == "text_contains":
            found += [f"text lacks {s!r}" for s in want if s not in record["text"]]
        elif name == "references_sample":
            found += [
                f"reference missing: {r['text'][:60]!r}"
                for r in want
                if r not in record["references"]
            ]
        elif got != want:
            found.append(f"{name}: expected {want!r}, got {got!r}")
    return found


def _derived(name: str, record: dict[str, Any]) -> Any:
    if name == "tables_count":
        return len(record["tables"])
    if name == "references_count":
        return len(record["references"])
    return record.get(name)


def diff(fixture: Fixture, record: dict[str, Any]) -> str:
    old = json.dumps(fixture.spec.get("record"), ensure_ascii=False, indent=2).splitlines()
    new = json.dumps(record, ensure_ascii=False, indent=2).splitlines()
    lines = difflib.unified_diff(
        old, new, f"{fixture.name} (stored)", f"{fixture.name} (now)", lineterm="", n=2
    )
    return "\n".join(lines)


def update(fixture: Fixture, record: dict[str, Any]) -> None:
    spec = dict(fixture.spec)
    if "error" in spec:
        return
    spec["record"] = record
    text = json.dumps(spec, ensure_ascii=False, indent=2) + "\n"
    fixture.spec_path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.fixtures")
    parser.add_argument("action", choices=("diff", "update", "check"))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    failing = 0
    for fixture in load_all():
        if args.names and fixture.name not in args.names:
            continue
        record = run(fixture)
        issues = [p for p in problems(fixture, record) if not p.startswith("record differs")]
        for issue in issues:
            print(f"{fixture.name}: {issue}")
        failing += bool(issues)
        if args.action == "diff" and "error" not in fixture.spec:
            print(diff(fixture, record) or f"{fixture.name}: unchanged")
        elif args.action == "update":
            update(fixture, record)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
