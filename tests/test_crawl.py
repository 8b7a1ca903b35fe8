"""`pipeline run` end to end against a real server on 127.0.0.1, faults included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.localserver import LocalServer, Request, Response, page
from tests.pages import article_page

_ETAG = '"v1"'


def _story(title: str) -> str:
    extra = f"<p>{title} was the main story of the day in the whole region.</p>"
    return article_page(extra).replace("River floods valley", title)


def _conditional(body: str) -> object:
    """A page that answers 304 when the client already has its ETag."""
    data = body.encode()

    def handler(request: Request) -> Response:
        if request.header("if-none-match") == _ETAG:
            return Response(304, headers=(("ETag", _ETAG),))
        headers = (("Content-Type", "text/html; charset=utf-8"), ("ETag", _ETAG))
        return Response(200, data, headers)

    return handler


def _feed(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>{p}</title><link>{base}{p}?utm_source=rss</link></item>" for p in paths
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


PATHS = [
    "/a.html",
    "/b.html",
    "/copy-of-a.html",
    "/broken.html",
    "/reset.html",
    "/gone.html",
    "/logo.png",
]


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        server.route("/a.html", _conditional(_story("Harbour reopens after the storm")))
        server.route("/b.html", _conditional(_story("Council agrees the budget")))
        server.route("/copy-of-a.html", _conditional(_story("Harbour reopens after the storm")))
        server.route("/broken.html", lambda _r: Response(500, b"oops"))
        server.route("/reset.html", lambda _r: Response(200, b"x" * 5000, reset_after=100))
        server.route("/logo.png", page(b"\x89PNG", "image/png"))
        server.route(
            "/feed.xml", page(_feed(server.url("").rstrip("/"), PATHS), "application/rss+xml")
        )
        yield server


def _config(tmp_path: Path, server: LocalServer) -> Path:
    config = tmp_path / "run.toml"
    config.write_text(
        f"""
output_dir = "out"
[fetch]
per_host_delay = 0.0
allow_networks = ["127.0.0.1"]
concurrency = 4
connect_timeout = 2
read_timeout = 2
total_timeout = 5
[[sources]]
name = "feed"
kind = "feed"
url = "{server.url("/feed.xml")}"
[[sources]]
name = "dead"
kind = "sitemap"
url = "{server.url("/no-such-sitemap.xml")}"
""",
        encoding="utf-8",
    )
    return config


def _lines(path: Path) -> list[dict[str, object]]:
    """The records of a file; a run with nothing to write leaves none."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_two_runs_new_then_nothing(site: LocalServer, tmp_path: Path) -> None:
    config = _config(tmp_path, site)
    assert main(["run", str(config), "--run-id", "first"]) == 0
    first = json.loads((tmp_path / "out" / "first" / "run.json").read_text())
    records = _lines(tmp_path / "out" / "first" / "articles.jsonl")
    assert sorted(r["title"] for r in records) == [
        "Council agrees the budget",
        "Harbour reopens after the storm",
    ]
    assert all("utm_source" not in str(r["url"]) for r in records)
    assert first["discovered"] == len(PATHS)
    assert first["written"] == 2 and first["duplicates"] == 1
    # The 500 page (after its retries), the missing page and the missing sitemap;
    # the connection reset mid-body; the image.
    assert first["failed"] == {"connection_error": 1, "http_error": 3, "not_html": 1}
    errors = _lines(tmp_path / "out" / "first" / "errors.jsonl")
    reasons = sorted(str(e["reason"]) for e in errors)
    assert "not_html" in reasons and "connection_error" in reasons and "http_error" in reasons
    assert (tmp_path / "out" / "first" / "pages.warc.gz").stat().st_size > 0

    assert main(["run", str(config), "--run-id", "second"]) == 0
    second = json.loads((tmp_path / "out" / "second" / "run.json").read_text())
    assert second["written"] == 0
    assert second["not_modified"] == 3  # a, b and the copy answer 304
    # Nothing to write leaves no empty file; `latest` points at the newest run.
    assert not (tmp_path / "out" / "second" / "articles.jsonl").exists()
    assert (tmp_path / "out" / "latest").resolve() == (tmp_path / "out" / "second").resolve()


def test_replaying_the_run_archive_gives_the_same_records(
    site: LocalServer, tmp_path: Path
) -> None:
    config = _config(tmp_path, site)
    assert main(["run", str(config), "--run-id", "live"]) == 0
    live = _lines(tmp_path / "out" / "live" / "articles.jsonl")
    replay_out = tmp_path / "replay" / "articles.jsonl"
    assert (
        main(["extract", str(tmp_path / "out" / "live" / "pages.warc.gz"), "-o", str(replay_out)])
        == 0
    )
    replayed = {r["url"]: r for r in _lines(replay_out)}
    for record in live:
        again = replayed[record["url"]]
        for key in ("text", "title", "content_hash", "id", "input"):
            assert again[key] == record[key]


def test_bad_config_exits_2_and_busy_state_75(site: LocalServer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sources]]\nname = 'x'\nkind = 'carrier-pigeon'\n", encoding="utf-8")
    assert main(["run", str(bad)]) == 2
    config = _config(tmp_path, site)
    from pipeline.config import load_config
    from pipeline.state import StateStore

    with StateStore.open(load_config(config).state_path, "holder"):
        assert main(["run", str(config), "--run-id", "blocked"]) == 75  # try later


def test_a_killed_run_loses_nothing_and_the_next_one_finishes(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from demo import DemoSite

    with DemoSite(port=0, bench_pages=False) as site:
        config = tmp_path / "slow.toml"
        config.write_text(
            'output_dir = "out"\n[fetch]\nper_host_delay = 0.25\nconcurrency = 1\nper_host = 1\n'
            'allow_networks = ["127.0.0.1"]\n'
            f'[[sources]]\nname = "feed"\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n',
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "pipeline", "run", str(config), "--run-id", "killed"]
        child = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        killed = tmp_path / "out" / "killed" / "articles.jsonl"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_read_or_empty(killed)) < 2:
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        first = _read_or_empty(killed)
        assert first, "the run was killed before writing anything"
        assert main(["run", str(config), "--run-id", "resumed"]) == 0
    second = _lines(tmp_path / "out" / "resumed" / "articles.jsonl")
    urls = [r["url"] for r in first + second]
    assert len(urls) == len(set(urls)), "a record was written twice"
    article_pages = [p for p in site.feed_pages if p.article]
    assert len(urls) == len(article_pages)


def _read_or_empty(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def test_an_existing_run_folder_is_never_overwritten(site: LocalServer, tmp_path: Path) -> None:
    config = _config(tmp_path, site)
    assert main(["run", str(config), "--run-id", "once"]) == 0
    before = (tmp_path / "out" / "once" / "articles.jsonl").read_bytes()
    assert main(["run", str(config), "--run-id", "once"]) == 2
    assert (tmp_path / "out" / "once" / "articles.jsonl").read_bytes() == before
