"""The precheck before parsing: pathological shapes refused at once, real shapes let through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from pipeline.errors import Reason, TooComplex
from pipeline.extraction import limits
from tests.pages import article_page

URL = "https://daily.test/2025/10/river"


def _attributes(n: int) -> str:
    return " ".join(f"a{i}" for i in range(n))


WORST = {
    "100,000 nested divs": "<div>" * 100_000 + "deep",
    "ul/li 30,000 deep": "<ul><li>" * 30_000 + "deep",
    "ul/li closed, 30,000 deep": "<ul><li>x" * 30_000 + "</li></ul>" * 30_000,
    "formatting tags unclosed": "<b><i><span>" * 2_000,
    "upper case": "<DIV>" * 5_000,
    "100,000 attributes": f"<p {_attributes(100_000)}>x</p>",
    "100,000 valued attributes": "<p " + " ".join(f"a{i}='{i}'" for i in range(100_000)) + ">",
    "one attribute repeated": "<p " + "a " * 100_000 + ">x</p>",
    "600,000 table cells": "<table><tr>" + "<td>x" * 600_000 + "</table>",
}


@pytest.mark.parametrize("body", WORST.values(), ids=WORST.keys())
def test_pathological_shapes_are_refused_before_parsing(body: str) -> None:
    with pytest.raises(TooComplex) as caught:
        pipeline.extract(article_page(extra_body=body), url=URL)
    assert caught.value.reason == Reason.TOO_COMPLEX


BENIGN = {
    "lists 220 deep": "<ul><li>item" * 220 + "</li></ul>" * 220,
    "5,000 svg paths": "<svg>" + "<path d='M0 0 L1 1'/>" * 5_000 + "</svg>",
    "markup in a script": "<script>" + "document.write('<div>');" * 5_000 + "</script>",
    "an unclosed script": "<script>" + "<div>" * 5_000,
    "markup in a comment": "<!--" + "<div>" * 5_000 + "-->",
    "an unclosed comment": "<!--" + "<div>" * 5_000,
    "stray end tags": "</div>" * 5_000,
    "many paragraphs": "<p>x" * 20_000,
    "30,000 balanced divs": "<div>x</div>" * 30_000,
    "a long data URI": "<img src='data:image/png;base64," + "A" * 200_000 + "'>",
    "a long style": '<div style="' + "color: red; " * 5_000 + '">x</div>',
    # An SVG in an attribute (a data URI, srcdoc): its path is no attribute list.
    "markup in a quoted value": "<img data-svg=\"<path d='" + "l 1 2 " * 5_000 + "'/>\">",
    "a thousand attributes": f"<p {_attributes(limits.MAX_ATTRIBUTES)}>x</p>",
    "a thousand levels": "<div>" * (limits.MAX_DEPTH - 10) + "x" + "</div>" * 990,
}


@pytest.mark.parametrize("body", BENIGN.values(), ids=BENIGN.keys())
def test_shapes_of_real_pages_pass(body: str) -> None:
    limits.check(article_page(extra_body=body).encode())


def test_depth_estimate() -> None:
    shape = limits.Shape(limits.elements_only(b"<html><body><div><p>a<div><br><span>b"))
    assert shape.depth() == 3  # div, div, span: html, body, p and br never hold a level
    assert limits.Shape(limits.elements_only(b"</a></a><i><i></i>")).depth() == 2


def test_a_page_over_the_size_limit_is_left_to_the_size_check() -> None:
    page = ("<div>" * 5_000).encode()
    limits.check(page, max_bytes=len(page) - 1)  # decode refuses it as too_large
    with pytest.raises(pipeline.errors.TooLarge):
        pipeline.extract(page, options=pipeline.Options(max_bytes=len(page) - 1))


def test_a_refused_page_costs_only_itself(tmp_path: Path) -> None:
    (tmp_path / "deep.html").write_text(article_page(extra_body=WORST["ul/li 30,000 deep"]))
    (tmp_path / "good.html").write_text(article_page())
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [Path(sys.executable).with_name("pipeline"), "extract", tmp_path, "-o", out, "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [r["title"] for r in records] == ["River floods valley"]
    deep = str(tmp_path / "deep.html")
    assert [(e["input"], e["reason"]) for e in errors] == [(deep, "too_complex")]
    assert "nested 30,005 deep" in errors[0]["message"]  # the ul levels, and the page's 5
