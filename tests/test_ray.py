"""--engine ray gives the local engine's records: the same ids and content hashes,
on the fixture pages and on web archives of them (in partitions, one per archive)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("ray")

from pipeline.cli import main
from pipeline.warc import WarcWriter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(FIXTURES.glob("*.html"))


def _pairs(paths: list[Path]) -> list[tuple[str, str]]:
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted((r["id"], r["content_hash"]) for r in map(json.loads, lines))


def _archives(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for number in range(count):
        with WarcWriter(folder / f"part-{number}.warc.gz") as writer:
            for index, page in enumerate(PAGES):
                if index % count == number:
                    headers = [("Content-Type", "text/html")]
                    when = datetime(2026, 1, 1, tzinfo=UTC)
                    writer.write_response(
                        f"https://news.test/{index}", 200, headers, page.read_bytes(), when
                    )


def test_ray_gives_the_local_records(tmp_path: Path) -> None:
    _archives(tmp_path / "in", 3)
    local, ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert main(["extract", str(FIXTURES), "-o", str(local), "--jobs", "2"]) == 0
    assert main(["extract", str(FIXTURES), "-o", str(ray), "--engine", "ray", "--jobs", "2"]) == 0
    assert _pairs([ray]) == _pairs([local]) and len(_pairs([local])) > 5
    # Web archives, one unit (and partition) each, side by side on the actors.
    out_local, out_ray = tmp_path / "out-local", tmp_path / "out-ray"
    assert main(["extract", str(tmp_path / "in"), "-o", f"{out_local}/", "--jobs", "2"]) == 0
    command = ["extract", str(tmp_path / "in"), "-o", f"{out_ray}/", "--engine", "ray"]
    assert main([*command, "--jobs", "2"]) == 0
    for name in ("part-0", "part-1", "part-2"):
        assert (out_ray / name / "_SUCCESS").exists()
    assert _pairs(sorted(out_ray.rglob("articles.jsonl"))) == _pairs(
        sorted(out_local.rglob("articles.jsonl"))
    )
    assert len(_pairs(sorted(out_local.rglob("articles.jsonl")))) > 5
