"""The everyday commands, from the user's side: one URL, stdin, odd file names,
quiet and JSON logs, --version, and run reports that catch a dead feed."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.version import __version__
from tests.localserver import LocalServer, Response, page
from tests.pages import article_page


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == f"pipeline {__version__}"
    import pipeline

    assert pipeline.__version__ == __version__


@pytest.mark.parametrize("gzipped", [False, True])
def test_extract_from_stdin_with_its_url(
    gzipped: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = article_page().encode()
    data = gzip.compress(data) if gzipped else data
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    url = "https://daily.test/2025/river-floods-valley"
    assert main(["extract", "-", "-o", "-", "--url", url, "--jobs", "1"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["url"] == url and record["input"] == "-"
    assert record["title"] == "River floods valley"


def test_url_gives_one_saved_page_its_address(tmp_path: Path) -> None:
    saved = tmp_path / "page.html"
    saved.write_text(article_page(), encoding="utf-8")
    out = tmp_path / "a.jsonl"
    url = "https://daily.test/river"
    assert main(["extract", str(saved), "--url", url, "-o", str(out), "--jobs", "1"]) == 0
    (record,) = _lines(out)
    assert record["url"] == url
    assert main(["extract", str(saved), str(saved), "--url", url]) == 2


def test_wget_folder_pages_of_any_name_are_sniffed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "mirror"
    (site / "news").mkdir(parents=True)
    for name in ("story.php", "page.xhtml", "news/index", "old.asp?id=3"):
        (site / name).write_text(article_page(), encoding="utf-8")
    (site / "gz-page").write_bytes(gzip.compress(article_page().encode()))
    (site / "notes.txt").write_text("just notes")
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    out = tmp_path / "a.jsonl"
    assert main(["extract", str(site), "-o", str(out), "--jobs", "1"]) == 0
    assert len(_lines(out)) == 5
    assert "files skipped: 2 (not html 2)" in capsys.readouterr().err


def test_empty_folder_says_so_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["extract", str(tmp_path / "empty"), "-o", str(tmp_path / "a.jsonl")]) == 1
    assert "no page found" in capsys.readouterr().err


def _extract_command(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    saved = tmp_path / "page.html"
    saved.write_text(article_page(), encoding="utf-8")
    command = [sys.executable, "-m", "pipeline", "extract", str(saved), "--jobs", "1", *flags]
    return subprocess.run(
        [*command, "-o", str(tmp_path / "a.jsonl")], capture_output=True, text=True
    )


def test_quiet_and_json_logs(tmp_path: Path) -> None:
    plain = _extract_command(tmp_path)
    lines = plain.stderr.splitlines()
    assert plain.returncode == 0 and any("pages read: 1" in line for line in lines)
    assert all(line[:4].isdigit() and "Z " in line[:22] for line in lines)  # timestamped
    assert _extract_command(tmp_path, "-q").stderr == ""
    as_json = _extract_command(tmp_path, "--log-format", "json").stderr.splitlines()
    entries = [json.loads(line) for line in as_json]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert any("pages read: 1" in e["message"] for e in entries)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as site:
        site.route("/robots.txt", page("User-agent: *\nAllow: /\n", "text/plain"))
        site.route("/story.html", page(article_page()))
        site.route("/gone.html", lambda _r: Response(404))
        yield site


def test_fetch_one_url(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["fetch", server.url("/story.html"), "--allow-network", "127.0.0.1", "-j", "1"])
    assert code == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["url"] == server.url("/story.html") and record["title"] == "River floods valley"


def test_fetch_is_guarded_and_failures_exit_1(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch", server.url("/story.html"), "-j", "1"]) == 1
    error = json.loads(capsys.readouterr().err.splitlines()[0])
    assert error["reason"] == "blocked_address" and server.requests == []
    flags = ["--allow-network", "127.0.0.1/32", "-j", "1"]
    assert main(["fetch", server.url("/story.html"), server.url("/gone.html"), *flags]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1
    assert any('"http_error"' in line for line in err.splitlines())
    assert main(["fetch", "not a url"]) == 2


def _run_config(tmp_path: Path, server: LocalServer, feed: str = "/feed.xml") -> Path:
    config = tmp_path / "run.toml"
    config.write_text(
        'output_dir = "out"\n[fetch]\nper_host_delay = 0.0\nallow_networks = ["127.0.0.1"]\n'
        "[workers]\njobs = 1\n"
        f'[[sources]]\nname = "news"\nkind = "feed"\nurl = "{server.url(feed)}"\n',
        encoding="utf-8",
    )
    return config


def _feed(server: LocalServer, paths: list[str]) -> str:
    items = "".join(f"<item><title>t</title><link>{server.url(p)}</link></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'


def test_run_reports_per_source_and_a_feed_gone_dry_exits_3(
    server: LocalServer, tmp_path: Path
) -> None:
    server.route("/feed.xml", page(_feed(server, ["/story.html", "/gone.html"]), "text/xml"))
    config = _run_config(tmp_path, server)
    assert main(["run", str(config), "--run-id", "one"]) == 0
    report = json.loads((tmp_path / "out" / "one" / "run.json").read_text())
    news = report["sources"]["news"]
    assert (news["found"], news["new"], news["fetched"], news["written"]) == (2, 2, 1, 1)
    assert news["failed"] == {"http_error": 1} and report["alerts"] == []
    # The feed still answers, but lists nothing: a run that looks fine, and is not.
    server.route("/feed.xml", page(_feed(server, []), "text/xml"))
    assert main(["run", str(config), "--run-id", "two"]) == 3
    report = json.loads((tmp_path / "out" / "two" / "run.json").read_text())
    assert report["alerts"] == ["source 'news' gave no URLs; it gave 2 in run one"]
    assert not (tmp_path / "out" / "two" / "articles.jsonl").exists()  # no empty files
    assert (tmp_path / "out" / "latest").resolve() == (tmp_path / "out" / "two").resolve()


def test_run_whose_every_source_fails_exits_3(server: LocalServer, tmp_path: Path) -> None:
    config = _run_config(tmp_path, server, "/no-such-feed.xml")
    assert main(["run", str(config), "--run-id", "dead"]) == 3
    report = json.loads((tmp_path / "out" / "dead" / "run.json").read_text())
    assert report["alerts"] == ["every source failed (http_error)"]
    assert report["sources"]["news"]["error"] == "http_error"


def test_markdown_output(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    stream = tmp_path / "articles.md"
    page_ = fixtures / "tables_colspan_rowspan.html"
    assert main(["extract", str(page_), "--format", "markdown", "-o", str(stream), "-j", "1"]) == 0
    text = stream.read_text(encoding="utf-8")
    assert text.startswith("---\nid: ") and "\n# Labour market overview" in text
    assert "\n## Main points\n\n- The employment rate" in text
    assert "\n| --- |" in text or "| --- | --- |" in text  # a pipe table
    # A folder: one file per article, named by its id.
    folder = tmp_path / "md"
    assert (
        main(["extract", str(fixtures), "--format", "markdown", "-o", f"{folder}/", "-j", "1"]) == 0
    )
    files = sorted((folder / "pages" / "markdown").glob("*.md"))
    assert len(files) > 5 and all(f.read_text().startswith("---\nid: ") for f in files)


def test_markdown_of_lists_quotes_code_and_escapes() -> None:
    import pipeline
    from pipeline.markdown import to_markdown
    from pipeline.record import Code, ListBlock, ListItem, Paragraph, Quote

    article = pipeline.extract(article_page(), url="https://daily.test/a")
    nested = ListBlock(False, (ListItem("outer", (ListBlock(True, (ListItem("inner"),)),)),))
    blocks = (
        Paragraph("1. not a list, # not a heading"),
        nested,
        Quote("quoted\nsecond"),
        Code("a ``` fence"),
    )
    from dataclasses import replace

    text = to_markdown(replace(article, blocks=blocks, tables=()), front_matter=False)
    assert "1\\. not a list, # not a heading" in text
    assert "- outer\n  1. inner" in text
    assert "> quoted\n> second" in text
    assert "````\na ``` fence\n````" in text


def test_force_keeps_a_rejected_page_and_says_so(tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    out = tmp_path / "a.jsonl"
    tag_page = fixtures / "tag_listing_page.html"
    assert main(["extract", str(tag_page), "-o", str(out), "-j", "1"]) == 0
    assert _lines(out) == []
    assert main(["extract", str(tag_page), "-o", str(out), "-j", "1", "--force"]) == 0
    (record,) = _lines(out)
    assert str(record["forced"]).startswith("not_article: ")


def test_ordered_list_keeps_its_numbering() -> None:
    import pipeline

    page = article_page('<ol start="6"><li>six</li><li>seven</li></ol>')
    article = pipeline.extract(page, url="https://daily.test/a/b-c")
    assert "6. six\n7. seven" in article.text
    assert "6. six\n7. seven" in article.to_markdown()


_STORY = " ".join(
    f"Sentence {n} of the wire story tells how the harbour reopened after the storm and "
    f"what the council said about the repairs to the old sea wall near berth {n}."
    for n in range(12)
)


@pytest.mark.parametrize("action", ["write", "skip"])
def test_a_repost_is_a_near_duplicate(server: LocalServer, tmp_path: Path, action: str) -> None:
    original = article_page(f"<p>{_STORY}</p>").replace("River floods valley", "Harbour reopens")
    repost = article_page(
        "<p>Republished from our partners at the Coast Gazette, with permission.</p>"
        f"<p>{_STORY}</p><p>Want more stories like this? Read our partners' pages.</p>"
    ).replace("River floods valley", "Harbour reopens again")
    server.route("/original.html", page(original))
    server.route("/repost.html", page(repost))
    server.route("/feed.xml", page(_feed(server, ["/original.html", "/repost.html"]), "text/xml"))
    config = _run_config(tmp_path, server)
    config.write_text(
        config.read_text().replace(
            "[workers]", f'[near_duplicates]\naction = "{action}"\n[workers]'
        )
    )
    assert main(["run", str(config), "--run-id", "r"]) == 0
    # The two are fetched side by side: whichever is extracted first is the original.
    records = _lines(tmp_path / "out" / "r" / "articles.jsonl")
    if action == "write":
        original, copy = sorted(records, key=lambda r: r["duplicate_of"] is not None)
        assert original["duplicate_of"] is None and copy["duplicate_of"] == original["id"]
    else:
        (kept,) = records
        errors = _lines(tmp_path / "out" / "r" / "errors.jsonl")
        (skipped,) = [e for e in errors if e["reason"] == "near_duplicate"]
        assert skipped["duplicate_of"] == kept["id"] and skipped["url"] != kept["url"]
