"""The run report: what it says, that it is one self-contained file, the
`pipeline report` command, and that a real browser (headless Chromium) draws
its charts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.report import REPORT, render, write_report

_CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _run_folder(tmp_path: Path, *, alerts: list[str] | None = None) -> Path:
    folder = tmp_path / "run-7"
    folder.mkdir()
    summary = {
        "run_id": "run-7",
        "started": "2026-11-20T06:00:00+00:00",
        "elapsed_s": 12.5,
        "interrupted": False,
        "discovered": 9,
        "fetched": 8,
        "not_modified": 1,
        "written": 6,
        "failed": {"not_article": 1, "http_error": 1},
        "sources": {
            "wire": {
                "found": 9,
                "kept": 9,
                "fetched": 8,
                "written": 6,
                "not_modified": 1,
                "unchanged": 0,
                "duplicates": 0,
                "failed": {"not_article": 1, "http_error": 1},
                "error": None,
            },
        },
        "coverage": {
            "wire": {
                "records": 6,
                "failed": 2,
                "title": 1.0,
                "authors": 0.1667,
                "published": 1.0,
                "published_at": 1.0,
                "language": 1.0,
                "tables": 0.0,
                "median_words": 420.0,
                "failed_not_article": 0.125,
            },
        },
        "trend": {
            "wire": [
                [
                    "run-5",
                    {
                        "records": 7,
                        "failed": 0,
                        "title": 1.0,
                        "authors": 0.9,
                        "published": 1.0,
                        "published_at": 1.0,
                        "language": 1.0,
                        "tables": 0.0,
                        "median_words": 800.0,
                    },
                ],
                [
                    "run-6",
                    {
                        "records": 8,
                        "failed": 1,
                        "title": 1.0,
                        "authors": 0.95,
                        "published": 1.0,
                        "published_at": 1.0,
                        "language": 1.0,
                        "tables": 0.0,
                        "median_words": 760.0,
                    },
                ],
                [
                    "run-7",
                    {
                        "records": 6,
                        "failed": 2,
                        "title": 1.0,
                        "authors": 0.1667,
                        "published": 1.0,
                        "published_at": 1.0,
                        "language": 1.0,
                        "tables": 0.0,
                        "median_words": 420.0,
                    },
                ],
            ]
        },
        "alerts": alerts or [],
    }
    (folder / "run.json").write_text(json.dumps(summary), encoding="utf-8")
    records = []
    for n in range(6):
        records.append(
            {
                "id": f"r{n}",
                "url": f"https://wire.test/story-{n}",
                # Four records carry the run's own day: a "today" bar taken for the date.
                "published": "2026-11-20T05:00:00+00:00" if n < 4 else f"2026-11-1{n}",
                "title": "<script>alert(1)</script> Story" if n == 0 else f"Story {n}",
                "word_count": 300 + 40 * n,
                "duplicate_of": "r0" if n in (4, 5) else None,
            }
        )
    lines = "\n".join(json.dumps(r) for r in records) + "\n" + '{"torn'
    (folder / "articles.jsonl").write_text(lines, encoding="utf-8")
    return folder


def test_the_report_says_what_the_run_did(tmp_path: Path) -> None:
    alert = "source 'wire': authors in 17% of records, usually 92% (median of 2 runs)"
    page = render(_run_folder(tmp_path, alerts=[alert]))
    assert "<h1>Run run-7</h1>" in page
    assert 'id="alerts"' in page and "authors in 17% of records, usually 92%" in page
    assert "not_article 1" in page and "http_error 1" in page  # failures by reason
    assert '<td class="low">17%</td>' in page  # author coverage, flagged
    assert page.count('<figure class="chart"') == 5  # funnel, 2 trends, words, dates
    assert 'data-chart="trend-wire"' in page and 'data-chart="published"' in page
    # The near-duplicate cluster, under its first record's title (as text, not markup).
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Story</strong> repeated by 2" in page
    # No script at all, and nothing fetched from elsewhere.
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_a_quiet_run_and_a_run_without_records(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    (folder / "articles.jsonl").unlink()
    page = render(folder)
    assert "<strong>No alerts.</strong>" in page and "No records." in page
    assert "No record of this run repeats another." in page


def test_pipeline_report_writes_the_file_and_refuses_a_folder_without_a_run(
    tmp_path: Path,
) -> None:
    folder = _run_folder(tmp_path)
    assert main(["report", str(folder)]) == 0
    assert (folder / REPORT).read_text(encoding="utf-8").startswith("<!doctype html>")
    elsewhere = tmp_path / "copy.html"
    assert main(["report", str(folder), "-o", str(elsewhere)]) == 0 and elsewhere.is_file()
    assert main(["report", str(tmp_path / "nothing-here")]) == 2


def test_the_same_run_gives_the_same_report(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    assert write_report(folder).read_bytes() == write_report(folder).read_bytes()


def _pixels_of(png: Path, colour: tuple[int, int, int]) -> int:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        return sum(
            count
            for count, pixel in rgb.getcolors(maxcolors=1 << 20) or []
            if all(abs(a - b) <= 8 for a, b in zip(pixel, colour, strict=True))
        )


def _render(report: Path, shot: Path) -> str:
    """The DOM headless Chromium builds from the report, and a screenshot of it."""
    with tempfile.TemporaryDirectory() as profile:
        flags = [
            str(_CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
        ]
        dom = subprocess.run(
            [*flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
        ).stdout
        subprocess.run(
            [*flags, "--window-size=1200,3200", f"--screenshot={shot}", report.as_uri()],
            capture_output=True,
            timeout=120,
            check=True,
        )
    return dom


@pytest.mark.skipif(_CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_chromium_draws_the_charts(tmp_path: Path) -> None:
    report = write_report(_run_folder(tmp_path))
    shot = tmp_path / "shot.png"
    dom = _render(report, shot)
    # The browser parsed five charts, each an SVG with its bars or lines in it.
    assert dom.count('<figure class="chart"') == 5
    assert len(re.findall(r"<svg[^>]*>", dom)) == 5
    # And painted them: the bars' blue and the run's-day red are on screen.
    assert _pixels_of(shot, (0x4C, 0x78, 0xA8)) > 2_000
    assert _pixels_of(shot, (0xE4, 0x57, 0x56)) > 300


@pytest.mark.skipif(_CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_chromium_draws_the_report_of_the_readme_main_job(tmp_path: Path) -> None:
    """`make run`'s first run: its report opens in a real browser with its charts."""
    from demo import run_twice

    assert run_twice(tmp_path) == 0
    (folder,) = (tmp_path / "demo").iterdir()
    report = folder / "run-1" / REPORT
    shot = tmp_path / "demo.png"
    dom = _render(report, shot)
    # The funnel, the words and the published-day charts (no trends: a first run).
    assert dom.count('<figure class="chart"') == 3 and "<strong>No alerts.</strong>" in dom
    assert _pixels_of(shot, (0x4C, 0x78, 0xA8)) > 2_000


def test_a_run_of_many_sources_draws_the_largest_and_the_alerted(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    summary = json.loads((folder / "run.json").read_text())
    wire = summary["coverage"]["wire"]
    for n in range(60):
        name = f"feed-{n:02d}"
        summary["sources"][name] = {**summary["sources"]["wire"], "found": 100 + n}
        summary["coverage"][name] = {**wire, "records": 100 + n}
        summary["trend"][name] = summary["trend"]["wire"]
    summary["alerts"] = ["source 'wire': authors in 17% of records, usually 92% (median of 2 runs)"]
    (folder / "run.json").write_text(json.dumps(summary), encoding="utf-8")
    page = render(folder)
    assert page.count('data-chart="trend-') == 20
    assert 'data-chart="trend-wire"' in page  # few records, but an alert names it
    assert 'data-chart="trend-feed-59"' in page and 'data-chart="trend-feed-00"' not in page
    assert "the 20 sources that found most, of 61" in page
    assert page.count("<tr><td>feed-") == 2 * 60  # every source in both tables


def test_a_run_summary_of_another_shape_is_a_clear_error(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    summary = json.loads((folder / "run.json").read_text())
    summary["sources"] = ["not", "a", "table"]
    (folder / "run.json").write_text(json.dumps(summary), encoding="utf-8")
    assert main(["report", str(folder)]) == 2  # OutputError, named; no traceback
    assert not (folder / REPORT).exists()
