"""The evaluation: metrics on hand-made texts, loaders on the fixture sample, the report."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from bench.evaluate import metrics
from bench.evaluate.datasets import BenchPage, load_aeb, load_trafeval, load_wcxb, wcxb_types
from bench.evaluate.memory import measure_memory
from bench.evaluate.quality import (
    PageRow,
    aeb_summary,
    score_page,
    trafeval_summary,
    wcxb_summary,
)
from bench.evaluate.report import BEGIN, END, update_readme, worst_first, write_results
from bench.evaluate.run import Plan, Results
from bench.evaluate.sample import every_kth
from bench.evaluate.speed import measure_speed
from bench.evaluate.systems import Prediction, Trafilatura, run_safely
from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "bench"
SHARED = ROOT.parent / "shared" / "bench"


# --- AEB metric ------------------------------------------------------------------------


def test_shingles_are_four_token_runs_with_case_kept() -> None:
    assert metrics.shingles("One two, three four five!") == Counter(
        [("One", "two", "three", "four"), ("two", "three", "four", "five")]
    )


def test_a_short_text_is_one_shingle_and_an_empty_one_none() -> None:
    assert metrics.shingles("just two") == Counter([("just", "two")])
    assert metrics.shingles(" … ") == Counter()


def test_shingle_overlap_counts_repeats_and_case() -> None:
    o = metrics.shingle_overlap("one two three four five", "one two three four six")
    assert (o.tp, o.fp, o.fn) == (1, 1, 1)
    assert (o.precision, o.recall, o.f1) == (0.5, 0.5, 0.5)
    assert metrics.shingle_overlap("a b c d a b c d", "a b c d").tp == 1
    assert metrics.shingle_overlap("The cat sat down", "the cat sat down").tp == 0


def test_aeb_means_skip_undefined_pages_and_f1_is_of_the_means() -> None:
    pages = [metrics.Overlap(1, 1, 1), metrics.Overlap(0, 0, 4), metrics.Overlap(3, 1, 0)]
    score = metrics.aeb_score(pages)
    assert score.precision == pytest.approx((0.5 + 0.75) / 2)  # the empty prediction: no say
    assert score.recall == pytest.approx((0.5 + 0.0 + 1.0) / 3)  # ... but it costs recall
    assert score.f1 == pytest.approx(2 * 0.625 * 0.5 / 1.125)


# --- WCXB metric -----------------------------------------------------------------------


def test_word_score_is_a_lowercase_bag() -> None:
    score = metrics.word_score("The cat sat on the mat.", "the CAT sat")
    assert (score.precision, score.recall) == (1.0, 0.5)
    assert score.f1 == pytest.approx(2 / 3)


def test_word_score_of_empty_sides() -> None:
    assert metrics.word_score("", "  ").f1 == 1.0
    assert metrics.word_score("", "words").f1 == 0.0
    assert metrics.word_score("words", "").f1 == 0.0


def test_snippets_match_across_case_and_whitespace() -> None:
    text = "Intro.\n\nHello   WORLD, said the\nreader."
    assert metrics.snippets_in(["hello world", "said the reader", "absent"], text) == 2


def test_first_author_and_exact_fields() -> None:
    assert metrics.first_author("Dylan Bailey, MS, RD, FAND") == "dylan bailey"
    assert metrics.first_author("Jared Newman and Sam Singleton") == "jared newman"
    assert metrics.first_author("Sergio Martínez | The Texas Newsroom") == "sergio martínez"
    assert metrics.first_author("Anderson Cooper") == "anderson cooper"
    assert metrics.same_author("Maria & Katerina", "maria")
    assert metrics.same_title("Top  Ten\nTips", "top ten tips")
    assert metrics.same_title("Ｆｕｌｌ width", "Full width")  # NFKC
    assert not metrics.same_title("A title", None)
    assert metrics.same_date("2025-09-04", "2025-09-04T06:12:00+00:00")
    assert metrics.same_date("2003-11", "2003-11-20")
    assert not metrics.same_date("2025-09-04", "2025-09-05")


# --- trafilatura-eval metric -------------------------------------------------------------


def test_segments_match_whitespace_collapsed_with_case_kept() -> None:
    text = "Intro.\n\nHello   WORLD, said the\nreader. Footer"
    counts = metrics.segment_counts(
        ["Hello WORLD,", "hello world", "said the reader"],
        [
            "Footer",
            "Impressum",
        ],
        text,
    )
    assert counts == metrics.Confusion(tp=2, fp=1, fn=1, tn=1)
    assert metrics.segment_counts(["a"], ["b"], "") == metrics.Confusion(0, 0, 1, 1)


def test_trafeval_scores_come_from_the_summed_counts() -> None:
    total = metrics.Confusion(3, 1, 1, 0) + metrics.Confusion(1, 0, 3, 4)
    assert total == metrics.Confusion(4, 1, 4, 4)
    assert (total.precision, total.recall) == (0.8, 0.5)
    assert total.accuracy == pytest.approx(8 / 13)
    assert total.f == pytest.approx(2 * 4 / (8 + 1 + 4))
    assert metrics.Confusion().f == 0.0


def test_trafeval_rows_and_summary_count_pages_without_a_record() -> None:
    page = _page(text="", with_=("kept text",), without=("menu",))
    good = score_page("trafeval", page, "s", Prediction("kept text and menu"))
    none = score_page("trafeval", page, "s", Prediction("", rejected="not_article"))
    assert (good.with_found, good.without_leaked, good.f1) == (1, 1, pytest.approx(2 / 3))
    summary = trafeval_summary([good, none])
    assert (summary.pages, summary.no_record, summary.crashed) == (2, 1, 0)
    assert (summary.precision, summary.recall) == (0.5, 0.5)


# --- loaders and sample ----------------------------------------------------------------


def test_aeb_loader_reads_the_sample() -> None:
    pages = list(load_aeb(SAMPLE / "aeb"))
    assert len(pages) == 20
    assert all(p.html.lstrip()[:1] == b"<" and p.url and p.text for p in pages)
    assert [p.id for p in pages] == sorted(p.id for p in pages)
    assert len(list(load_aeb(SAMPLE / "aeb", limit=3))) == 3


def test_wcxb_loader_reads_types_truth_and_snippets() -> None:
    kinds = Counter(wcxb_types(SAMPLE / "wcxb-dev").values())
    assert kinds == {"article": 20, "listing": 5, "collection": 5}
    index = list(load_wcxb(SAMPLE / "wcxb-dev", types={"listing", "collection"}))
    assert len(index) == 10 and {p.page_type for p in index} == {"listing", "collection"}
    first = next(load_wcxb(SAMPLE / "wcxb-dev", limit=1))
    assert first.id == "0001" and first.page_type == "article"
    assert first.author == "Andrew King" and first.published == "2025-09-04"
    assert first.with_ and first.without and first.text


def test_trafeval_loader_reads_snippets_as_the_truth() -> None:
    pages = list(load_trafeval(SAMPLE / "trafilatura-eval"))
    assert len(pages) == 40 and [p.id for p in pages] == sorted(p.id for p in pages)
    assert all(p.with_ and p.without and p.url and not p.text for p in pages)
    assert len(list(load_trafeval(SAMPLE / "trafilatura-eval", limit=2))) == 2


def test_sample_rule_is_every_kth_sorted_id() -> None:
    assert every_kth([str(i) for i in range(10, 0, -1)], 3) == ["1", "3", "6"]


# --- rows and summaries ----------------------------------------------------------------


def _page(**fields: object) -> BenchPage:
    base: dict[str, object] = {"id": "p", "html": b"<p>x</p>", "url": None, "text": "a b c d"}
    return BenchPage(**(base | fields))  # type: ignore[arg-type]


def test_a_crash_becomes_a_row() -> None:
    class Broken:
        name = "broken"

        def run(self, page: BenchPage) -> Prediction:
            raise RuntimeError("boom")

    pred = run_safely(Broken(), _page())
    assert (pred.rejected, pred.message) == ("crash", "RuntimeError: boom")
    row = score_page("aeb", _page(), "broken", pred)
    assert (row.f1, row.precision, row.recall) == (0.0, None, 0.0)
    assert aeb_summary([row]).crashed == 1


def test_wcxb_row_checks_snippets_and_metadata() -> None:
    page = _page(
        text="hello world",
        title="Hello",
        author="Ann Lee, PhD",
        published="2024-01-02",
        with_=("hello world",),
        without=("cookie policy",),
        page_type="listing",
    )
    pred = Prediction("Hello world. Cookie  Policy", "hello", "ann lee", "2024-01-02T10:00")
    row = score_page("wcxb", page, "x", pred)
    assert (row.with_found, row.without_leaked) == (1, 1)
    assert (row.title_ok, row.author_ok, row.date_ok) == (True, True, True)
    empty = score_page("wcxb", _page(text=""), "x", Prediction(""))  # both empty: F1 1
    summary = wcxb_summary([row, empty])
    assert summary.f1 == pytest.approx((row.f1 + 1.0) / 2)
    assert (summary.accepted, summary.title) == (2, 1.0)


# --- speed and memory ------------------------------------------------------------------


class _Echo:
    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, page: BenchPage) -> Prediction:
        return Prediction(page.text or "")


def test_speed_rounds_and_ratio() -> None:
    result = measure_speed([_Echo("ours"), _Echo("trafilatura")], [_page()] * 5, rounds=3)
    assert [len(v) for v in result.per_round.values()] == [3, 3]
    assert result.ratio("ours", "trafilatura") == pytest.approx(
        result.median["ours"] / result.median["trafilatura"]
    )
    assert result.ratio("ours", "nobody") is None


def test_memory_samples_every_n_pages_cycling_through_the_pages() -> None:
    result = measure_memory(_Echo("ours"), lambda: [_page(), _page()], total=10, every=4)
    assert [s.pages for s in result.samples] == [0, 4, 8, 10]
    assert all(s.rss_kib > 0 and s.peak_kib >= s.rss_kib for s in result.samples)


# --- report files ----------------------------------------------------------------------


def _results(tmp_path: Path) -> Results:
    def row(system: str, page_id: str, f1: float) -> PageRow:
        return PageRow("aeb", page_id, None, "article", system, f1, f1, f1)

    rows = (row("ours", "a", 0.9), row("ours", "b", 0.2), row("trafilatura", "a", 0.5))
    plan = Plan(parts=("aeb",), data=tmp_path, command="pipeline eval aeb")
    return Results(
        plan=plan,
        date="2026-01-02",
        versions={"pipeline": "0", "trafilatura": "0", "python": "3", "platform": "linux"},
        aeb=rows,
    )


def test_results_files_hold_figures_and_pages_worst_first(tmp_path: Path) -> None:
    figures, pages = write_results(_results(tmp_path), tmp_path / "results")
    assert figures.name == "2026-01-02.json" and pages.name == "2026-01-02-pages.jsonl.gz"
    saved = json.loads(figures.read_text())
    assert saved["command"] == "pipeline eval aeb"
    assert set(saved["aeb"]) == {"ours", "trafilatura"}
    assert saved["aeb"]["ours"]["f1"] == pytest.approx(0.55)
    lines = gzip.decompress(pages.read_bytes()).decode().splitlines()
    order = [(r["system"], r["id"]) for r in map(json.loads, lines)]
    assert order == [("ours", "b"), ("ours", "a"), ("trafilatura", "a")]
    assert worst_first(_results(tmp_path).aeb)[0].id == "b"


def test_readme_table_is_replaced_between_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Bench\n\n{BEGIN}\nold table\n{END}\n\nafter\n")
    update_readme(readme, _results(tmp_path))
    text = readme.read_text()
    assert "old table" not in text and text.startswith("# Bench") and text.endswith("after\n")
    assert "`pipeline eval aeb`" in text and "| ours | 0.550 |" in text
    update_readme(readme, _results(tmp_path))
    assert text == readme.read_text()


def test_cli_eval_on_the_sample_writes_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["eval", "aeb", "--data", str(SAMPLE), "--no-peers", "--limit", "3", "--write"]
    argv += ["--results", str(tmp_path), "--readme", str(tmp_path / "README.md")]
    assert main(argv) == 0
    assert "| ours | 3 |" in capsys.readouterr().out
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert BEGIN in (tmp_path / "README.md").read_text()
    assert main(["eval", "wcxb", "--data", str(tmp_path / "nowhere")]) == 2


def test_cli_eval_runs_several_parts_named_together(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "trafeval,aeb", "--data", str(SAMPLE), "--no-peers", "--limit", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "## trafilatura-eval" in out and "## AEB" in out
    assert out.index("## AEB") < out.index("## trafilatura-eval")  # the report's order
    with pytest.raises(SystemExit):
        main(["eval", "aeb,nonsense", "--data", str(SAMPLE)])


def test_cli_eval_trafeval_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "trafeval", "--data", str(SAMPLE), "--no-peers", "--limit", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "## trafilatura-eval" in out and "| ours | 3 |" in out


# --- the metric against a published value ------------------------------------------------


@pytest.mark.skipif(not (SHARED / "aeb").is_dir(), reason="needs ../shared/bench/aeb")
def test_aeb_metric_gives_trafilaturas_published_score() -> None:
    """trafilatura 2.3.1 without comments scores 0.960 on AEB (about 4 s)."""
    system = Trafilatura("t", include_comments=False)
    rows = [score_page("aeb", p, "t", system.run(p)) for p in load_aeb(SHARED / "aeb")]
    assert len(rows) == 181
    assert aeb_summary(rows).f1 == pytest.approx(0.960, abs=0.002)
