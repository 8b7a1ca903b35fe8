"""Odd inputs cost only themselves: a missing file, a file name that is not UTF-8, a
URL holding a lone surrogate. From the command line, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pipeline
from tests.pages import article_page

PIPELINE = os.fsencode(Path(sys.executable).with_name("pipeline"))


def _run(*args: bytes | str | Path) -> subprocess.CompletedProcess[bytes]:
    command = [PIPELINE, *(os.fsencode(a) if not isinstance(a, bytes) else a for a in args)]
    return subprocess.run(command, capture_output=True, timeout=120)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_missing_file_beside_good_ones_is_an_error_record(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(article_page())
    out = tmp_path / "out.jsonl"
    done = _run("extract", good, tmp_path / "missing.html", "-o", out, "-j", "1")
    assert done.returncode == 0, done.stderr
    assert [r["title"] for r in _lines(out)] == ["River floods valley"]
    errors = _lines(tmp_path / "out.errors.jsonl")
    assert [(e["input"], e["reason"]) for e in errors] == [
        (str(tmp_path / "missing.html"), "unreadable")
    ]
    assert b"no such file or folder" in done.stderr and b"unreadable 1" in done.stderr


def test_only_missing_inputs_is_a_wrong_command_line(tmp_path: Path) -> None:
    done = _run("extract", tmp_path / "a.html", tmp_path / "b.html", "-o", tmp_path / "o.jsonl")
    assert done.returncode == 2
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"caf\xe9.html")  # Latin-1, not UTF-8
    with open(odd, "wb") as stream:
        stream.write(article_page().encode())
    (folder / "good.html").write_text(article_page().replace("River floods", "Storm hits"))
    with open(os.path.join(os.fsencode(folder), b"empty\xff.html"), "wb"):
        pass  # and an error record for one such name
    out = tmp_path / "out.jsonl"
    done = _run("extract", folder, "-o", out, "-j", "1")
    assert done.returncode == 0, done.stderr
    inputs = sorted(r["input"] for r in _lines(out))
    assert inputs == [f"{folder}/caf\\xe9.html", f"{folder}/good.html"]  # bytes as \xNN
    (error,) = _lines(tmp_path / "out.errors.jsonl")
    assert error["input"] == f"{folder}/empty\\xff.html" and error["reason"] == "undecodable"


def test_a_url_argument_that_is_not_utf8_is_written_as_utf8(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(article_page())
    done = _run("extract", page, "--url", b"https://daily.test/caf\xe9", "-o", "-", "-j", "1")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout.decode("utf-8"))
    assert record["url"] == "https://daily.test/caf\\xe9"


def test_a_url_holding_a_lone_surrogate_gives_a_writable_record() -> None:
    article = pipeline.extract(article_page(), url="https://daily.test/\ud800story")
    assert article.url == "https://daily.test/\ufffdstory"
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")  # no UnicodeEncodeError
