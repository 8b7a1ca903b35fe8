"""The robustness suite: each transformation on a small page does what it says."""

from __future__ import annotations

import gzip
import json
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from bench.evaluate import TRANSFORMS
from bench.evaluate import robustness as rb
from bench.evaluate.command import transform_keys
from bench.evaluate.datasets import BenchPage
from bench.evaluate.report import ROBUSTNESS_SAMPLE, robustness_table
from bench.evaluate.systems import Prediction
from pipeline.cli import main
from tests.pages import PARAGRAPHS, article_page

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "bench"

POOL = tuple(
    rb.Excerpt(f"other{i}", f"Other story {i}", f"https://x.test/{i}", f"Excerpt {i} " * 30 + "…")
    for i in range(8)
)


def _page(html: str | None = None, page_id: str = "p1") -> BenchPage:
    html = html if html is not None else article_page(sidebar='<div class="sidebar box">x</div>')
    return BenchPage(page_id, html.encode(), "https://x.test/a", "\n".join(PARAGRAPHS))


def _apply(key: str, page: BenchPage | None = None) -> str:
    page = page or _page()
    out = rb.registry(POOL)[key].apply(page.html.decode(), page, rb.seed("t", page.id, key))
    assert out is not None
    return out


def _container(html: str) -> object:
    tree = LexborHTMLParser(html)
    node = rb.find_container(tree, "\n".join(PARAGRAPHS))
    assert node is not None
    return node


def test_the_container_is_found_from_the_truth() -> None:
    node = _container(_page().html.decode())
    assert node.attributes["class"] == "entry-content"  # type: ignore[attr-defined]
    assert rb.find_container(LexborHTMLParser("<p>nothing here</p>"), "\n".join(PARAGRAPHS)) is None


def test_every_transformation_keeps_the_article_text_and_is_deterministic() -> None:
    page = _page()
    truth = "\n".join(PARAGRAPHS)
    for key in rb.KEYS:
        out = _apply(key, page)
        assert rb.truth_share(out, truth) == 1.0, key
        assert out == _apply(key, page), key  # same seed, same page
    assert _apply("a", page) != _apply("a", _page(page_id="p2"))


def test_class_and_id_tokens_are_scrambled_consistently() -> None:
    before, after = LexborHTMLParser(_page().html.decode()), LexborHTMLParser(_apply("a"))
    pairs: dict[str, str] = {}
    for old, new in zip(before.root.traverse(), after.root.traverse(), strict=True):
        for name in ("class", "id"):
            old_tokens = (old.attributes.get(name) or "").split()
            new_tokens = (new.attributes.get(name) or "").split()
            assert len(old_tokens) == len(new_tokens)
            for o, n in zip(old_tokens, new_tokens, strict=True):
                assert o != n and pairs.setdefault(o, n) == n
    assert pairs["sidebar"] == after.css_first("aside").attributes["class"]
    assert len(set(pairs.values())) == len(pairs)  # one replacement per token
    assert "entry-content" not in _apply("a")


def test_utility_classes_are_added_to_every_element_and_none_hides() -> None:
    tree = LexborHTMLParser(_apply("b"))
    for node in tree.body.traverse():
        classes = (node.attributes.get("class") or "").split()
        assert any(c in rb.UTILITY for c in classes), node.tag
    assert "entry-content" in tree.css_first("div.entry-content").attributes["class"]
    assert not set(rb.UTILITY) & {"hidden", "invisible", "sr-only", "md:hidden"}


def test_a_furniture_word_goes_on_the_container_and_paragraph_ids() -> None:
    tree = LexborHTMLParser(_apply("c"))
    container = tree.css_first("div.entry-content")
    word = container.attributes["class"].split()[-1]
    assert word in rb.FURNITURE
    ids = [p.attributes["id"] for p in container.css("p")]
    assert ids == [f"{word}-1", f"{word}-2", f"{word}-3"]


@pytest.mark.parametrize(("key", "tag"), [("d-span", "span"), ("d-custom", "x-wrap")])
def test_the_containers_children_are_wrapped(key: str, tag: str) -> None:
    tree = LexborHTMLParser(_apply(key))
    container = tree.css_first("div.entry-content")
    children = rb.elements(container)
    assert [c.tag for c in children] == [tag]
    assert [p.text() for p in children[0].css("p")] == PARAGRAPHS


def test_paragraphs_are_unwrapped_into_text_set_off_by_two_breaks() -> None:
    body = "<p>" + "</p><p>".join(PARAGRAPHS) + "</p>"
    html = article_page().replace(body, f"Lead words here.{body}tail words")
    out = _apply("e", _page(html))
    inner = LexborHTMLParser(out).css_first("div.entry-content").inner_html
    assert "<p" not in inner
    assert inner == "<br><br>".join(["Lead words here.", *PARAGRAPHS, "tail words"])
    assert _apply("e") is not None
    no_paragraphs = _page(article_page().replace("<p>", "<div>").replace("</p>", "</div>"))
    assert (
        rb.registry()["e"].apply(no_paragraphs.html.decode(), no_paragraphs, rb.seed("t", "x", "e"))
        is None
    )


def test_hidden_interface_blocks_are_inserted_hidden() -> None:
    out = _apply("f")
    inserted = [text for _, text in rb.BANK if text in out]
    assert 4 <= len(inserted) <= 7
    visible = rb.visible_text(out)
    assert not any(text[:40] in visible for text in inserted)
    assert all(p in visible for p in PARAGRAPHS)
    container = LexborHTMLParser(out).css_first("div.entry-content")
    assert 1 <= sum(1 for text in inserted if text in container.html) <= 2
    bank = [len(re.findall(r"[.!?](?:\s|$)", text)) for _, text in rb.BANK]
    assert len(rb.BANK) >= 40 and min(bank) >= 2 and max(bank) <= 4  # 2-4 sentences each


def test_every_hiding_is_hidden_by_the_suites_own_rule() -> None:
    for tag, attrs in rb.HIDINGS:
        written = "".join(f' {k}="{v}"' for k, v in attrs.items())
        html = f"<body><p>shown</p><{tag}{written}><p>secret words</p></{tag}></body>"
        assert rb.visible_text(html).split() == ["shown"], (tag, attrs)


def test_the_flat_copy_has_one_line_per_block_and_all_the_text() -> None:
    html = "<div>Lead <b>bold</b> text<p>One</p>tail<br>after break<ul><li>item</li></ul>"
    html += "<script>var x = 1;</script></div>"
    assert rb.flat_lines(html) == ["Lead bold text", "One", "tail", "after break", "item"]


def test_the_flat_copy_keeps_table_cells_apart_and_leaves_form_fields_out() -> None:
    """As the rendered text reads: "Rank" and "Company" are two words, not one, and
    a textarea's source (a "republish this story" box) is no text of the page."""
    html = "<div><table><tr><th>Rank</th><th>Company</th></tr><tr><td>1</td><td>Acme</td>"
    html += "</tr></table><textarea>&lt;p&gt;the article's HTML&lt;/p&gt;</textarea></div>"
    assert rb.flat_lines(html) == ["Rank", "Company", "1", "Acme"]


def test_a_hidden_flat_copy_of_the_article_is_inserted() -> None:
    out = _apply("g")
    tree = LexborHTMLParser(out)
    copy = tree.css_first("div.entry-content").next
    copy = copy if copy.tag == "div" and "entry-content" not in str(copy.attributes) else None
    copy = copy or tree.css_first("div.entry-content").prev
    assert [p.text() for p in copy.css("p")] == PARAGRAPHS
    assert "hidden" in copy.attributes or "display:none" in copy.attributes.get("style", "")
    assert all(out.count(p) == 2 and rb.visible_text(out).count(p) == 1 for p in PARAGRAPHS)


def test_related_cards_come_from_other_pages_without_links_in_excerpts() -> None:
    tree = LexborHTMLParser(_apply("h"))
    cards = tree.css("div.card")
    assert 3 <= len(cards) <= 6
    assert tree.css_first("div.entry-content").next.css_first("div.card") is not None
    for card in cards:
        assert card.css_first("h3") is not None and not card.css("p a")
        assert card.css_first("p").text().startswith("Excerpt")
    own = (rb.Excerpt("p1", "Mine", "https://x.test/p1", "Mine " * 45), *POOL[:2])
    page = _page()
    assert rb.RelatedCards(own).apply(page.html.decode(), page, rb.seed("t", "p1", "h")) is None


def test_the_excerpt_pool_cuts_40_to_80_words_of_other_pages() -> None:
    long = " ".join(f"w{i}" for i in range(120))
    pages = [
        BenchPage(f"id{i}", b"<title>Floods close the road | Site</title>", None, f"short\n{long}")
        for i in range(5)
    ]
    pool = rb.excerpt_pool(pages)
    assert len(pool) == 5
    assert all(
        40 <= len(e.text.split()) - 1 <= 80 and e.heading == "Floods close the road" for e in pool
    )


def test_duplicates_and_leaks_are_counted_against_the_original_output() -> None:
    line = " ".join(f"word{i}" for i in range(25))
    assert rb.duplicated(f"{line}\n{line}", line)
    assert not rb.duplicated(f"{line}\n{line}", f"{line}\n{line}")
    assert rb.duplicated("a b c d e", "a b c", growth=True)
    assert not rb.duplicated("a b c d e", "a b c")
    index = rb.TextIndex([("s1", line), ("s2", "other text entirely of some length here")])
    assert index.found(f"intro {line} outro") == {0}
    assert index.found(f"intro {line} outro", exclude="s1") == set()


def test_transform_keys_expand_d_and_refuse_unknown_ones() -> None:
    assert rb.KEYS == TRANSFORMS
    assert transform_keys("a,d") == ("a", "d-span", "d-custom")
    assert transform_keys(None) == TRANSFORMS
    with pytest.raises(ValueError, match="unknown"):
        transform_keys("a,z")


@dataclass(frozen=True)
class _AllParagraphs:
    """Every `<p>` of the page, hidden or not: leaks hidden text and copies."""

    name: str = "all-p"

    def run(self, page: BenchPage) -> Prediction:
        tree = LexborHTMLParser(page.html.decode())
        return Prediction("\n".join(p.text() for p in tree.css("p")))


def test_evaluate_page_scores_against_the_original_truth_and_counts_leaks() -> None:
    rows = rb.evaluate_page("wcxb", _page(), ("0", "f", "g"), [_AllParagraphs()])
    by_key = {r.transform: r for r in rows}
    assert by_key["0"].row.f1 == pytest.approx(by_key[rb.ORIGINAL].row.f1)
    assert by_key["f"].inserted_leaked >= 4 and by_key["f"].row.precision < 0.8
    assert by_key["g"].duplicated and not by_key["0"].duplicated
    run = rb.RobustnessRun(tuple(rows), ("0", "f", "g"), ("all-p",), {"wcxb": 1}, {}, 1, None)
    shifts = {s.transform: s for s in rb.shifts(run)}
    assert shifts["f"].inserted_leaked == 1 and shifts["f"].change < 0
    assert "| f: hidden dialogs" in robustness_table(run)


def test_cli_robustness_on_the_sample_writes_its_own_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Bench\n")
    argv = ["eval", "robustness", "--data", str(SAMPLE), "--no-peers", "--limit", "1"]
    argv += ["--workers", "1", "--transforms", "0,c", "--write"]
    argv += ["--results", str(tmp_path), "--readme", str(readme)]
    assert main(argv) == 0
    assert "| c: furniture word" in capsys.readouterr().out
    figures = next(tmp_path.glob("*-robustness-limit1.json"))
    assert {f["transform"] for f in json.loads(figures.read_text())["figures"]} == {"0", "c"}
    pages = next(tmp_path.glob("*-robustness-limit1-pages.jsonl.gz"))
    assert len(gzip.decompress(pages.read_bytes()).decode().splitlines()) == 9  # 3 sets × 3
    assert ROBUSTNESS_SAMPLE[0] in readme.read_text()
    assert not list(tmp_path.glob("????-??-??.json"))  # the main results are left alone
    assert main(["eval", "robustness", "--transforms", "z", "--data", str(SAMPLE)]) == 2


def test_a_pool_worker_does_not_outlive_a_killed_suite() -> None:
    """`kill -9` of `pipeline eval robustness` leaves no worker waiting for it."""
    script = (
        "import multiprocessing, os, signal\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from bench.evaluate.robustness import _init_worker\n"
        "pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('fork'),\n"
        "    initializer=_init_worker, initargs=({}, os.getpid()))\n"
        "print(pool.submit(os.getpid).result(), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root)
    assert run.returncode == -signal.SIGKILL
    worker = int(run.stdout)
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)


def _running(pid: int) -> bool:
    """The process exists and has not exited (a zombie waits only to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
