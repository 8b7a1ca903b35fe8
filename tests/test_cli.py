"""The `pipeline extract` command on good and hostile inputs."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pipeline
from pipeline.cli import main
from pipeline.warc import WarcWriter
from tests.pages import article_page
from tests.schema import validate


def read_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    (pages / "nested").mkdir(parents=True)
    (pages / "good.html").write_text(article_page(), encoding="utf-8")
    (pages / "nested" / "good2.htm.gz").write_bytes(gzip.compress(article_page().encode()))
    (pages / "empty.html").write_bytes(b"")
    (pages / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (pages / "huge.html").write_bytes(b"<p>" + b"a" * (2 * 1024 * 1024))
    (pages / "broken.html.gz").write_bytes(b"not gzip at all")
    (pages / "unclosed.html").write_text(
        article_page().replace("</p>", "").replace("</div>", ""), encoding="utf-8"
    )
    (pages / "deep.html").write_text("<div>" * 20000 + "x" + "</div>" * 20000)
    nav = "".join(f"<li><a href='/{i}'>Section {i}</a></li>" for i in range(200))
    (pages / "allnav.html").write_text(f"<html><body><nav><ul>{nav}</ul></nav></body></html>")
    (pages / "notes.txt").write_text("not html, not picked up")
    return pages


def test_batch_goes_on_past_bad_pages(
    batch: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "articles.jsonl"
    status = main(["extract", str(batch), "-o", str(out), "--max-bytes", str(1024 * 1024)])
    assert status == 0
    records = read_lines(out)
    errors = {
        Path(str(e["input"])).name: e["reason"]
        for e in read_lines(out.parent / "articles.errors.jsonl")
    }
    assert len(records) == 3  # good, good2 (gzip), unclosed
    for record in records:
        validate(record)
        assert record["title"] == "River floods valley"
    assert errors == {
        "empty.html": "undecodable",
        "binary.html": "undecodable",
        "huge.html": "too_large",
        "broken.html.gz": "undecodable",
        "deep.html": "too_complex",  # refused before parsing (extraction/limits.py)
        "allnav.html": "empty_body",
    }
    summary = capsys.readouterr().err
    assert "pages read: 9, records written: 3, errors: 6" in summary
    assert "pages/s" in summary


def test_stdout_output(batch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(batch / "good.html"), "-o", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["authors"] == ["Jane Doe"]


def test_unwritable_output_is_exit_2(batch: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["extract", str(batch), "-o", str(blocker / "sub" / "a.jsonl")]) == 2


def test_wrong_command_line_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["extract"])
    assert exc.value.code == 2
    assert main(["extract", str(tmp_path / "missing")]) == 2


def test_warc_replay_gives_the_same_record_as_the_saved_page(tmp_path: Path) -> None:
    html = article_page().encode("utf-8")
    warc = tmp_path / "run.warc.gz"
    with WarcWriter(warc) as writer:
        headers = [("Content-Type", "text/html; charset=utf-8")]
        writer.write_response(
            "https://daily.test/river", 200, headers, html, datetime(2026, 1, 1, tzinfo=UTC)
        )
        writer.write_response(
            "https://daily.test/logo.png",
            200,
            [("Content-Type", "image/png")],
            b"\x89PNG",
            datetime(2026, 1, 1, tzinfo=UTC),
        )
    out = tmp_path / "out" / "articles.jsonl"
    assert main(["extract", str(warc), "-o", str(out)]) == 0
    (record,) = read_lines(out)
    direct = pipeline.extract(html, url="https://daily.test/river").to_dict()
    assert record["url"] == "https://daily.test/river"
    assert str(record["input"]).startswith(str(warc) + "#")
    for key in ("text", "title", "published", "content_hash", "id"):
        assert record[key] == direct[key]


def test_damaged_warc_is_an_error_record_not_a_crash(tmp_path: Path) -> None:
    warc = tmp_path / "broken.warc.gz"
    warc.write_bytes(b"\x1f\x8b\x08\x00garbage that is not a gzip member")
    out = tmp_path / "out" / "articles.jsonl"
    assert main(["extract", str(warc), "-o", str(out)]) == 0
    (error,) = read_lines(out.parent / "articles.errors.jsonl")
    assert error["reason"] == "undecodable"
