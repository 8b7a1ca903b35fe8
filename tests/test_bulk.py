"""Bulk archives: many web archives, one partition and one completion marker each;
an interrupted job resumes without redoing finished archives, every record once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.jobs.extract import DONE, plan_units
from pipeline.warc import WarcWriter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PAGES = sorted(FIXTURES.glob("*.html"))
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def _archives(folder: Path, count: int, repeat: int = 1) -> list[Path]:
    """The fixture pages spread over `count` archives (each page `repeat` times)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"crawl-{n}.warc.gz" for n in range(count)]
    for number, path in enumerate(paths):
        with WarcWriter(path) as writer:
            for index, page in enumerate(PAGES * repeat):
                if index % count == number:
                    url = f"https://news.test/{index}/{page.stem}"
                    headers = [("Content-Type", "text/html")]
                    writer.write_response(url, 200, headers, page.read_bytes(), WHEN)
    return paths


def _records(out: Path) -> list[dict[str, object]]:
    lines = []
    for part in sorted(out.rglob("articles.jsonl")):
        lines += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
    return lines


def test_one_partition_per_archive(tmp_path: Path) -> None:
    _archives(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "in" / "*.warc.gz"), "-o", f"{out}/"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["crawl-0", "crawl-1", "crawl-2"]
    for name in names:
        marker = json.loads((out / name / DONE).read_text())
        assert marker["unit"] == name and marker["pages"] > 0
    single = tmp_path / "single.jsonl"
    assert main(["extract", str(tmp_path / "in"), "-o", str(single)]) == 0
    whole = [json.loads(line) for line in single.read_text().splitlines()]
    assert sorted(r["id"] for r in _records(out)) == sorted(r["id"] for r in whole)  # type: ignore[type-var]


def test_list_file_input_and_loose_pages(tmp_path: Path) -> None:
    archives = _archives(tmp_path / "in", 2)
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# the crawl\n{archives[0]}\nin/crawl-1.warc.gz\n{PAGES[0]}\n")
    units = plan_units([archives[0], archives[1], PAGES[0]])
    assert [u.name for u in units] == ["crawl-0", "crawl-1", "pages"]
    out = tmp_path / "out"
    assert main(["extract", f"@{listing}", "-o", f"{out}/"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["crawl-0", "crawl-1", "pages"]


def test_missing_input_in_a_list_is_exit_2(tmp_path: Path) -> None:
    listing = tmp_path / "inputs.txt"
    listing.write_text("nope.warc.gz\n")
    assert main(["extract", f"@{listing}", "-o", f"{tmp_path}/out/"]) == 2
    assert main(["extract", str(tmp_path / "none-*.warc.gz")]) == 2


def test_a_finished_job_run_again_redoes_nothing(tmp_path: Path) -> None:
    _archives(tmp_path / "in", 2)
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "in"), "-o", f"{out}/"]) == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert main(["extract", str(tmp_path / "in"), "-o", f"{out}/"]) == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("how", [signal.SIGKILL])
def test_a_killed_job_resumes_and_writes_every_record_once(
    tmp_path: Path, how: signal.Signals
) -> None:
    _archives(tmp_path / "in", 6, repeat=6)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "extract", str(tmp_path / "in"), "-o", f"{out}/"]
    child = subprocess.Popen([*command, "--jobs", "1"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob(f"*/{DONE}")):
        time.sleep(0.02)
    child.send_signal(how)
    child.wait(10)
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{DONE}")}
    assert 1 <= len(finished) < 6, "the kill came too late to test a resume"
    assert main(["extract", str(tmp_path / "in"), "-o", f"{out}/", "--jobs", "2"]) == 0
    again = {p.parent.name: p.stat().st_mtime_ns for p in out.glob(f"*/{DONE}")}
    assert len(again) == 6
    assert all(again[name] == stamp for name, stamp in finished.items())  # not redone
    # A page repeated under another URL keeps its canonical id: count records by
    # the archive record they came from, which is unique.
    inputs = [r["input"] for r in _records(out)]
    assert len(inputs) == len(set(inputs))
    single = tmp_path / "single.jsonl"
    assert main(["extract", str(tmp_path / "in"), "-o", str(single)]) == 0
    whole = [json.loads(line)["input"] for line in single.read_text().splitlines()]
    assert sorted(inputs) == sorted(whole)  # type: ignore[type-var]
