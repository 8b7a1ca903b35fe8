"""Evidence, not vetoes: pages whose article carries names of furniture, hides in
the markup, or is only declared in structured data still give their article."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

import pipeline
from pipeline.cli import main
from pipeline.extraction.body import clean

SENTENCES = [
    "The council voted on Tuesday to extend the tram line to the northern suburbs, "
    "ending a debate that has divided the city for almost a decade.",
    "Supporters said the extension would cut commuting times in half for thousands "
    "of residents who now rely on crowded buses along the ring road.",
    "Opponents argued that the cost, estimated at 400 million euros, would leave "
    "little money for repairing the existing network over the next years.",
    "Construction is expected to begin next spring, and the first trams could run "
    "on the new tracks before the end of the decade, the mayor said.",
]
TITLE = "Council approves tram extension"


def page(article: str, head: str = "", around: str = "") -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{TITLE} - City News</title>"
        f"<meta property='og:type' content='article'>{head}</head><body>"
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/city'>City</a></li>"
        "<li><a href='/sport'>Sport</a></li></ul></nav></header>"
        f"{article}{around}"
        "<footer><p>© 2026 City News. All rights reserved.</p></footer></body></html>"
    )


def paragraphs(cls: str = "") -> str:
    attr = f" class='{cls}'" if cls else ""
    return "".join(f"<p{attr}>{s}</p>" for s in SENTENCES)


def text_of(html: str, url: str | None = "https://news.example/city/tram-extension") -> str:
    return pipeline.extract(html, url).text


def test_paragraphs_the_paywall_script_marks_are_article_text() -> None:
    html = page(
        f"<main><article><h1>{TITLE}</h1>{paragraphs('paywall-content')}"
        "<div class='paywall'><p>Subscribe to read more.</p></div></article></main>"
    )
    text = text_of(html)
    assert all(s in text for s in SENTENCES)
    assert "Subscribe to read more" not in text


def test_tailwind_variant_classes_are_not_names() -> None:
    assert clean.name_string({"class": "prose print:max-w-none md:hidden w-[3px]"}) == "prose"
    html = page(
        f"<main><article class='prose print:max-w-none'><h1>{TITLE}</h1>"
        f"<div class='print:hidden lg:flex'>{paragraphs()}</div></article></main>"
    )
    assert all(s in text_of(html) for s in SENTENCES)


def test_a_layout_grid_named_sidebar_holding_the_article_is_not_furniture() -> None:
    html = page(
        "<div class='sidebar-grid__container'>"
        f"<div class='sidebar-grid__main'><h1>{TITLE}</h1>{paragraphs()}</div>"
        "<div class='sidebar-grid__aside'><ul><li><a href='/a'>Other story</a></li>"
        "<li><a href='/b'>More news</a></li></ul></div></div>"
    )
    text = text_of(html)
    assert all(s in text for s in SENTENCES)
    assert "Other story" not in text


def test_a_tag_link_inside_a_sentence_keeps_its_words() -> None:
    sentence = (
        "<p>Donna Kelce has praised <a class='tag' href='/t/swift'>Taylor Swift</a>'s new "
        "album in an interview with a morning show on Wednesday.</p>"
    )
    html = page(f"<main><article><h1>{TITLE}</h1>{sentence}{paragraphs()}</article></main>")
    assert "Donna Kelce has praised Taylor Swift's new album" in text_of(html)


def test_hidden_streaming_markup_that_holds_the_article_is_kept() -> None:
    """React streaming: the shell shows the headline, the article waits in a
    hidden div until a script swaps it in."""
    html = page(
        f"<main><h1>{TITLE}</h1><div id='B:0'><p>Loading…</p></div></main>"
        f"<div hidden id='S:0'><article>{paragraphs()}</article></div>"
        "<div hidden class='menu-drawer'><ul><li><a href='/x'>Menu item</a></li></ul></div>"
    )
    text = text_of(html)
    assert all(s in text for s in SENTENCES)
    assert "Menu item" not in text


def test_a_cookie_panel_never_becomes_the_body() -> None:
    consent = (
        "<div class='cookie-consent' role='dialog'><p>We and our 842 partners use cookies "
        "and similar technologies to store and access information on your device, to "
        "personalise content and ads, and to measure audiences.</p>"
        "<button>Accept all</button></div>"
    )
    html = page(
        f"<main><div class='article-body paywall'><h1>{TITLE}</h1>{paragraphs('paywall')}"
        "</div></main>",
        around=consent,
    )
    text = text_of(html)
    assert SENTENCES[0] in text and "842 partners" not in text


def test_json_ld_article_body_stands_in_for_an_empty_html_body() -> None:
    body = "\n\n".join(SENTENCES)
    ld = json.dumps({"@type": "NewsArticle", "headline": TITLE, "articleBody": body})
    html = page(
        f"<main><h1>{TITLE}</h1><div id='app'></div></main>",
        head=f"<script type='application/ld+json'>{ld}</script>",
    )
    article = pipeline.extract(html, "https://news.example/city/tram-extension")
    assert article.text.split("\n\n") == SENTENCES


def test_next_data_stands_in_for_an_empty_html_body() -> None:
    state = {
        "props": {
            "pageProps": {
                "menu": [{"label": "Home"}, {"label": "City"}],
                "article": {"title": TITLE, "body": "".join(f"<p>{s}</p>" for s in SENTENCES)},
            }
        }
    }
    html = page(
        f"<main><h1>{TITLE}</h1><div id='__next'></div></main>"
        f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(state)}</script>"
    )
    assert text_of(html).split("\n\n") == SENTENCES


def _flight(rows: str, parts: int) -> str:
    """A React Server Components payload as Next.js streams it: chunks pushed by
    scripts, a row possibly cut between two of them."""
    size = -(-len(rows) // parts)
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    return "".join(f"<script>self.__next_f.push({json.dumps([1, c])})</script>" for c in chunks)


def _link(text: str) -> list[object]:
    return ["$", "a", None, {"href": "/more", "children": text}]


def test_a_streamed_payload_stands_in_for_a_spinner() -> None:
    # Each paragraph an element whose children mix text and a link element.
    tree = [
        "$",
        "article",
        None,
        {
            "children": [
                ["$", "h1", None, {"children": TITLE}],
                *(
                    [
                        "$",
                        "p",
                        str(i),
                        {"children": [s[:30], ["$", "a", None, {"children": s[30:]}]]},
                    ]
                    for i, s in enumerate(SENTENCES)
                ),
            ]
        },
    ]
    text = "A text row: its length is in bytes, and ünïcödé counts twice."
    rows = (
        '0:["$","$L1",null,{}]\n1:I["chunk.js",[],"default"]\n'
        f'2:{json.dumps(tree)}\n3:T{len(text.encode()):x},{text}4:["$$5 is a price"]\n'
    )
    html = page(f"<main><div class='spinner'>Loading…</div></main>{_flight(rows, 3)}")
    assert text_of(html).split("\n\n") == SENTENCES


def test_a_full_html_body_is_not_replaced_by_a_shorter_declared_one() -> None:
    ld = json.dumps({"@type": "NewsArticle", "articleBody": SENTENCES[0]})
    html = page(
        f"<main><article><h1>{TITLE}</h1>{paragraphs()}</article></main>",
        head=f"<script type='application/ld+json'>{ld}</script>",
    )
    assert all(s in text_of(html) for s in SENTENCES)


def test_explain_shows_every_block_and_the_page_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "story.html"
    saved.write_text(page(f"<main><article><h1>{TITLE}</h1>{paragraphs()}</article></main>"))
    assert main(["explain", str(saved), "--url", "https://news.example/city/tram"]) == 0
    out = capsys.readouterr().out
    assert "page type: article" in out
    assert out.count("KEEP") == len(SENTENCES)
    assert "[headline]" in out and "), not prose]" in out
    # The signals behind a model score: named features with their signed weights.
    assert re.search(r"^ +[\w:&=.-]+ [+-]\d+\.\d\d, [\w:&=.-]+ [+-]\d+\.\d\d", out, re.M)

    assert main(["explain", str(saved), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    kept = [b["text"] for b in report["blocks"] if b["kept"]]
    assert kept == SENTENCES and report["page_type"]["is_article"] is True


def test_explain_says_why_a_page_gives_no_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "empty.html"
    saved.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert main(["explain", str(saved)]) == 1
    assert "empty_body" in capsys.readouterr().out
    assert main(["explain", str(tmp_path / "missing.html")]) == 2


def test_explain_brief_is_brief(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "story.html"
    saved.write_text(page(f"<main><article><h1>{TITLE}</h1>{paragraphs()}</article></main>"))
    assert main(["explain", str(saved), "--url", "https://news.example/city/tram"]) == 0
    full = capsys.readouterr().out.splitlines()
    assert main(["explain", str(saved), "--brief", "--url", "https://news.example/city/tram"]) == 0
    brief = capsys.readouterr().out.splitlines()
    assert "page type: article" in brief[3]
    assert not any(line.startswith(("drop", "KEEP", "  evidence")) for line in brief)
    assert not any("in_container" in line for line in brief)  # no signals
    header = next(n for n, line in enumerate(brief) if line.startswith("kept ("))
    kept = brief[header + 1 :]
    assert len(kept) == len(SENTENCES)  # one line per kept block, nothing per dropped one
    assert all(line.split()[1] == "p" for line in kept)
    assert len(brief) == 5 + len(SENTENCES) < len(full)


def test_explain_html_outlines_each_block_in_the_page_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "story.html"
    hostile = "<script>alert(1)</script><iframe src='https://ads.example/'></iframe>"
    saved.write_text(
        page(
            f"<main><article><h1>{TITLE}</h1>{paragraphs()}"
            f"<p onclick='steal()'>Share this story</p>{hostile}</article></main>"
        )
    )
    view = tmp_path / "view.html"
    argv = ["explain", str(saved), "--url", "https://news.example/city/tram", "--html", str(view)]
    assert main([*argv, "--brief"]) == 0
    tree = LexborHTMLParser(view.read_text(encoding="utf-8"))
    kept = tree.css('[data-pipeline="kept"]')
    assert [node.text(strip=True) for node in kept] == SENTENCES
    assert all(node.attributes["title"].startswith("KEPT +") for node in kept)
    headline = tree.css_first("h1")
    assert headline is not None and headline.attributes.get("data-pipeline") == "ruled"
    assert "[headline]" in (headline.attributes.get("title") or "")
    # The view is for reading: nothing of the page runs, nothing is loaded from a frame.
    assert not tree.css("script, iframe") and "onclick" not in view.read_text(encoding="utf-8")
    panel = tree.css_first("#pipeline-explain")
    assert panel is not None and f"{len(SENTENCES)} kept" in panel.text()
    assert "kept (" in capsys.readouterr().out  # the terminal form is printed as well


def test_explain_html_of_a_page_without_a_record_says_why(tmp_path: Path) -> None:
    saved = tmp_path / "binary.html"
    saved.write_bytes(b"\x00\x01\x02" * 400)
    view = tmp_path / "view.html"
    assert main(["explain", str(saved), "--html", str(view)]) == 1
    assert "undecodable" in view.read_text(encoding="utf-8")
