"""Exit statuses an operator can read, and storage faults that end a job promptly
(issue 17, items 2, 7, 8, 9), from the user's side.

Disks are filled by injection (an OSError ENOSPC, or SQLite's own "database or
disk is full"), so no test needs root or a mounted volume.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.state import StateStore
from tests.localserver import LocalServer, Response, page
from tests.pages import article_page

PIPELINE = [sys.executable, "-m", "pipeline"]
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "live_blog.html"


def _lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _story(number: int) -> str:
    return article_page(f"<p>Story {number} was the story of the day in the region.</p>")


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        for number in range(3):
            server.route(f"/story-{number}.html", page(_story(number)))
        yield server


def _config(tmp_path: Path, urls: list[str], extra: str = "") -> Path:
    config = tmp_path / "run.toml"
    listed = ", ".join(f'"{url}"' for url in urls)
    config.write_text(
        'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
        f"{extra}[workers]\njobs = 1\n"
        f'[[sources]]\nname = "list"\nkind = "urls"\nurls = [{listed}]\n',
        encoding="utf-8",
    )
    return config


def _stories(site: LocalServer) -> list[str]:
    return [site.url(f"/story-{n}.html") for n in range(3)]


# --- item 2: statuses cron can read ---------------------------------------------------


def test_a_urls_source_whose_every_fetch_fails_exits_3_naming_the_connection(
    tmp_path: Path,
) -> None:
    with LocalServer() as server:
        port = server.port
    dead = [f"http://127.0.0.1:{port}/story-{n}.html" for n in range(2)]
    config = _config(tmp_path, dead)
    assert main(["run", str(config), "--run-id", "dead"]) == 3
    summary = json.loads((tmp_path / "out" / "dead" / "run.json").read_text())
    assert summary["failed"] == {"connection_error": 2}  # refused: not robots_unreachable
    assert summary["alerts"] == [
        "no URL could be fetched: all 2 fetches failed (connection_error 2)"
    ]
    (first, _) = _lines(tmp_path / "out" / "dead" / "errors.jsonl")
    assert "could not be reached" in first["message"]


def test_a_busy_state_store_exits_75_not_2(site: LocalServer, tmp_path: Path) -> None:
    config = _config(tmp_path, _stories(site))
    with StateStore.open(load_config(config).state_path, "holder"):
        done = subprocess.run(
            [*PIPELINE, "run", str(config)], capture_output=True, text=True, cwd=tmp_path
        )
    assert done.returncode == 75, done.stderr
    assert f"is in use by run holder (pid {os.getpid()})" in done.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sources]]\nname = 'x'\nkind = 'carrier-pigeon'\n", encoding="utf-8")
    assert main(["run", str(bad)]) == 2  # a bad config stays 2


def test_a_second_extract_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a-story.html").write_text(article_page(), encoding="utf-8")
    # Seconds of extraction (a flat table, under the shape limits of
    # extraction/limits.py): the first job is busy with it meanwhile.
    slow = "<html><body><table><tr>" + "<td>x" * 200_000 + "</table></body></html>"
    (pages / "z-slow.html").write_text(slow, encoding="utf-8")
    out = tmp_path / "out"
    first = subprocess.Popen(
        [*PIPELINE, "extract", str(pages), "-o", f"{out}/", "--jobs", "2", "--time-limit", "300"],
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not _lines(out / "pages" / "articles.jsonl") and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.run(
            [*PIPELINE, "extract", str(pages), "-o", f"{out}/", "--jobs", "1"],
            capture_output=True,
            text=True,
        )
    finally:
        for _ in range(2):  # Ctrl-C twice: stop at once
            os.killpg(first.pid, signal.SIGINT)
            time.sleep(0.2)
        first.wait(60)
    assert second.returncode == 75, second.stderr
    assert f"output folder {out} is in use by another job" in second.stderr
    assert "Traceback" not in second.stderr
    assert len(_lines(out / "pages" / "articles.jsonl")) == 1  # the first job's, untouched


# --- item 7: storage faults -----------------------------------------------------------


def _sqlite_full() -> sqlite3.Error:
    """SQLite's own error for a full disk, made by a database allowed no room."""
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA max_page_count = 1")
    try:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (randomblob(9000))")
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("SQLite found room")


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("full", ["records", "archive", "state store"])
def test_a_full_disk_ends_the_run_promptly_with_74(
    full: str,
    site: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if full == "records":  # /dev/full: a device every write to fails with ENOSPC
        full_device = lambda self: open("/dev/full", "w", encoding="utf-8")  # noqa: E731, SIM115
        monkeypatch.setattr("pipeline.sinks.jsonl.JsonLines._create", full_device)
    elif full == "archive":  # its records, and its closing too
        monkeypatch.setattr("pipeline.warc.WarcWriter.write_response", _no_space)
        monkeypatch.setattr("pipeline.warc.WarcWriter.__exit__", _no_space)
    else:  # every write: in the fetch tasks and in the de-duplication step alike
        error = _sqlite_full()

        def upsert(self: StateStore, *args: object, **columns: object) -> None:
            with self._guard():
                raise error

        monkeypatch.setattr(StateStore, "_upsert", upsert)
    config = _config(tmp_path, _stories(site))
    assert main(["run", str(config), "--run-id", "full"]) == 74
    stderr = capsys.readouterr().err
    # The first fault is the one reported, naming what could not be written.
    named = {"records": "articles.jsonl", "archive": "pages.warc.gz", "state store": "state.sqlite"}
    assert named[full] in stderr
    assert "No space left on device" in stderr or "database or disk is full" in stderr
    assert "never retrieved" not in stderr and "Traceback" not in stderr


def test_a_full_disk_ends_extract_with_74_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full_device = lambda self: open("/dev/full", "w", encoding="utf-8")  # noqa: E731, SIM115
    monkeypatch.setattr("pipeline.sinks.jsonl.JsonLines._create", full_device)
    out = tmp_path / "a.jsonl"
    assert main(["extract", str(FIXTURE), "-o", str(out), "--jobs", "1"]) == 74
    stderr = capsys.readouterr().err
    assert f"cannot write {out}: No space left on device" in stderr
    assert "Traceback" not in stderr


def _damage(store: Path) -> None:
    """Overwrite every page but the first (the header stays intact)."""
    size = 4096
    data = bytearray(store.read_bytes())
    assert len(data) > 2 * size and int.from_bytes(data[16:18], "big") == size
    data[size:] = b"\xff" * (len(data) - size)
    store.write_bytes(bytes(data))


def test_a_damaged_store_is_named_checked_and_rebuilt_without_rewriting_records(
    site: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, _stories(site))
    assert main(["run", str(config), "--run-id", "one"]) == 0
    assert len(_lines(tmp_path / "out" / "one" / "articles.jsonl")) == 3
    store = load_config(config).state_path
    _damage(store)
    capsys.readouterr()
    assert main(["run", str(config), "--run-id", "two"]) == 65
    stderr = capsys.readouterr().err
    assert "is damaged" in stderr and "--rebuild" in stderr
    assert "never retrieved" not in stderr and "Traceback" not in stderr
    assert main(["state", str(config), "--check"]) == 65
    assert "is damaged" in capsys.readouterr().out
    assert main(["state", str(config), "--rebuild"]) == 0
    shown = capsys.readouterr().out
    assert "URLs learnt from the records" in shown and ": 3" in shown
    assert list(store.parent.glob("state.sqlite.damaged-*"))  # set aside, not deleted
    assert main(["state", str(config), "--check"]) == 0
    assert main(["run", str(config), "--run-id", "three"]) == 0
    summary = json.loads((tmp_path / "out" / "three" / "run.json").read_text())
    assert (summary["written"], summary["unchanged"]) == (0, 3)  # not written again


def test_a_zero_length_store_is_not_taken_as_a_new_one(site: LocalServer, tmp_path: Path) -> None:
    config = _config(tmp_path, _stories(site))
    store = load_config(config).state_path
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(b"")
    done = subprocess.run(
        [*PIPELINE, "run", str(config)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 65, done.stderr
    assert "is empty (0 bytes)" in done.stderr and "--rebuild" in done.stderr
    assert not (tmp_path / "out" / "latest").exists()  # nothing was written again


# --- item 8: Retry-After past the cap ------------------------------------------------


def test_a_huge_retry_after_defers_the_url_instead_of_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LocalServer() as server:
        server.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        busy = Response(429, b"", (("Retry-After", "999999999"),))
        server.route("/busy.html", lambda _request: busy)
        out = tmp_path / "a.jsonl"
        args = ["fetch", server.url("/busy.html"), "-o", str(out), "--timeout", "5"]
        args += ["--allow-network", "127.0.0.1", "--jobs", "1"]
        done = subprocess.run([*PIPELINE, *args], capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        assert server.hits("/busy.html") == 1  # no retry, no wait
        # fetch -o FILE: error records beside it, as --help and the README say.
        (error,) = _lines(tmp_path / "a.errors.jsonl")
        assert (error["reason"], error["status"]) == ("deferred", 429)
        assert "error records in" in done.stderr
        # A run holds the URL back as long as the server asked (up to the retry cap).
        config = _config(tmp_path, [server.url("/busy.html")])
        assert main(["run", str(config), "--run-id", "one", "--log-format", "json"]) == 3
        with StateStore.open(load_config(config).state_path, "look") as store:
            state = store.get(server.url("/busy.html"))
        assert state is not None and state.next_retry is not None
        assert state.next_retry > datetime.now(UTC) + timedelta(days=6)
    # The summary's figures are fields of the JSON log line.
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    (summary,) = [line for line in logged if line["message"].startswith("run one:")]
    assert summary["failed"] == {"deferred": 1} and summary["written"] == 0
    assert summary["alerts"] == ["no URL could be fetched: all 1 fetches failed (deferred 1)"]


# --- item 9: the smaller ones ---------------------------------------------------------


def test_fetch_help_and_guard_name_the_real_flags(tmp_path: Path) -> None:
    shown = subprocess.run([*PIPELINE, "fetch", "--help"], capture_output=True, text=True)
    assert "<output>.errors.jsonl" in " ".join(shown.stdout.split())
    with LocalServer() as server:
        server.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        server.route("/a.html", page(article_page()))
        done = subprocess.run(
            [*PIPELINE, "fetch", server.url("/a.html"), "--jobs", "1"],
            capture_output=True,
            text=True,
        )
    assert done.returncode == 1
    (error,) = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert error["reason"] == "blocked_address"
    assert "--allow-network 127.0.0.1" in error["message"]


def test_the_extract_summary_log_has_its_figures_as_fields(tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    done = subprocess.run(
        [*PIPELINE, "extract", str(FIXTURE), "-o", str(out), "--jobs", "1", "--log-format", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    logged = [json.loads(line) for line in done.stderr.splitlines()]
    (summary,) = [line for line in logged if line["message"].startswith("pages read:")]
    assert (summary["pages"], summary["written"], summary["failed"]) == (1, 1, {})
    assert summary["interrupted"] is False
