"""The near-duplicate index: reposts and syndicated copies found with the earlier id,
distinct articles not, persistence across runs, deterministic signatures, short
and CJK texts, the file's parameters."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.dedup import near
from pipeline.dedup.near import (
    DEFAULT_NEAR_SETTINGS,
    Match,
    NearDuplicates,
    NearSettings,
    band_split,
    near_path,
    signature,
    tokens,
)
from pipeline.errors import ConfigError, StateError

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

INTRO = (
    "Editor's note: this story first appeared in our partner publication and is shared "
    "here as part of a content exchange. Our newsroom has not edited it for style. Readers "
    "in the region can find more coverage of local transport and weather on our live pages, "
    "updated every morning."
)
FOOTER = (
    "Copyright 2025 Regional News Network. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed. Subscribe to our newsletter for the "
    "day's top stories."
)
# A text with a fixed, stored signature: if it ever changes, every index on disk
# silently stops matching, so this test must fail first.
KNOWN = (
    "The city council approved a new budget on Tuesday that raises spending on public "
    "transport by twelve percent, funds two additional bus routes to the northern "
    "suburbs, and freezes fares for students and pensioners until the end of next year. "
    "Opposition members said the plan relies on optimistic forecasts of tax revenue."
)
KNOWN_SHA256 = "71ff67a763fca32a89597f1cecf55915fed196a4afc85303e97b0671d9e8ff69"
KNOWN_FIRST = (6212910, 26859727, 281578633, 19176671)


def fixture_text(name: str) -> str:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    text: str = data["record"]["text"]
    return text


ARTICLES = (
    "amp_article",
    "asia_news_wp_repost",
    "live_blog",
    "news_jsonld_opengraph",
    "russian_cp1251",
    "tables_colspan_rowspan",
    "wp_aggregator_generatepress",
    "japanese_article",
    "paywalled_teaser",
)


@pytest.fixture
def index(tmp_path: Path) -> NearDuplicates:
    opened = NearDuplicates.open(tmp_path / "state.sqlite.near.sqlite")
    yield opened  # type: ignore[misc]
    opened.close()


def edit_every(text: str, every: int) -> str:
    """A syndicated copy: every `every`-th word replaced."""
    words = text.split()
    return " ".join("edited" if i % every == every // 2 else w for i, w in enumerate(words))


def test_repost_with_another_intro_and_footer_is_found_with_the_earlier_id(
    index: NearDuplicates,
) -> None:
    original = fixture_text("asia_news_wp_repost")
    assert index.add("original-id", original)
    match = index.check("repost-id", f"{INTRO}\n\n{original}\n\n{FOOTER}")
    assert match is not None
    assert match.record_id == "original-id"
    assert DEFAULT_NEAR_SETTINGS.threshold <= match.similarity <= 1.0


def test_a_short_article_reposted_or_cut_short_is_found_by_containment(
    index: NearDuplicates,
) -> None:
    short = " ".join(fixture_text("live_blog").split()[:250])
    index.add("short", short)
    # An intro and footer of some 80 words put 250 words under Jaccard 0.8 (rule 1),
    # but the whole article is inside the repost (rule 2).
    repost = index.check("repost", f"{INTRO}\n\n{short}\n\n{FOOTER}")
    assert repost is not None and repost.record_id == "short"
    assert repost.similarity < DEFAULT_NEAR_SETTINGS.threshold <= repost.containment
    # A copy cut short: two thirds of it.
    cut = index.check("cut", " ".join(short.split()[:170]))
    assert cut is not None and cut.record_id == "short"
    assert cut.similarity < DEFAULT_NEAR_SETTINGS.threshold <= cut.containment


def test_a_teaser_is_not_a_duplicate_of_the_article_it_starts(index: NearDuplicates) -> None:
    article = fixture_text("asia_news_wp_repost")
    teaser = " ".join(article.split()[:80])
    index.add("teaser", teaser)
    assert index.check("article", article) is None  # wholly inside, but 1/16 of it
    index.remove("teaser")
    index.add("article", article)
    assert index.check("teaser", teaser) is None


def test_syndicated_copy_with_light_edits_is_found(index: NearDuplicates) -> None:
    original = fixture_text("news_jsonld_opengraph")
    index.add("original-id", original)
    match = index.check("copy-id", edit_every(original, 100).upper())
    assert match is not None and match.record_id == "original-id"
    assert DEFAULT_NEAR_SETTINGS.threshold <= match.similarity < 1.0


def test_distinct_articles_are_not_near_duplicates(index: NearDuplicates) -> None:
    for name in ARTICLES:
        text = fixture_text(name)
        assert index.check(name, text) is None, name
        index.add(name, text)
    # Two halves of one article are different texts, too.
    story = fixture_text("asia_news_wp_repost")
    half = len(story) // 2
    index.add("first-half", story[:half])
    assert index.check("second-half", story[half:]) is None


def test_the_earliest_of_several_matches_wins_and_a_record_never_matches_itself(
    index: NearDuplicates,
) -> None:
    original = fixture_text("live_blog")
    index.add("first", original)
    index.add("second", f"{INTRO}\n\n{original}")
    third = index.check("third", f"{original}\n\n{FOOTER}")
    assert third is not None and third.record_id == "first"
    # Checked again under its own id (a new version of the record), "first" is not a
    # copy of itself, but still one of "second".
    again = index.check("first", original)
    assert again is not None and again.record_id == "second"


def test_adding_an_id_again_replaces_its_text(index: NearDuplicates) -> None:
    old, new = fixture_text("amp_article"), fixture_text("live_blog")
    index.add("story", old)
    index.add("story", new)
    assert len(index) == 1
    assert index.check("other", old) is None
    match = index.check("other", new)
    assert match is not None and match.record_id == "story"
    assert index.remove("story") and not index.remove("story")
    assert index.check("other", new) is None and len(index) == 0


def test_the_index_persists_across_runs(tmp_path: Path) -> None:
    path = near_path(tmp_path / "state" / "state.sqlite")
    assert path == tmp_path / "state" / "state.sqlite.near.sqlite"
    original = fixture_text("asia_news_wp_repost")
    with NearDuplicates.open(path) as first_run:
        first_run.add("run1-record", original)
    with NearDuplicates.open(path) as second_run:
        assert len(second_run) == 1
        match = second_run.check("run2-record", f"{INTRO}\n\n{original}\n\n{FOOTER}")
    assert match is not None and match.record_id == "run1-record"


def test_a_file_made_with_other_parameters_is_refused_but_the_threshold_may_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "near.sqlite"
    with NearDuplicates.open(path) as index:
        index.add("a", fixture_text("amp_article"))
    with pytest.raises(StateError, match="shingle 5, not 4"):
        NearDuplicates.open(path, NearSettings(shingle=4))
    with pytest.raises(StateError, match="num_perm"):
        NearDuplicates.open(path, NearSettings(num_perm=256))
    with NearDuplicates.open(path, NearSettings(threshold=0.6)) as looser:
        # The band split stays the file's (made for 0.8); the threshold is the new one.
        assert (looser.bands, looser.rows) == band_split(0.6, 128)
        assert looser.settings.threshold == 0.6


def test_a_file_whose_signatures_this_code_no_longer_makes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "near.sqlite"
    NearDuplicates.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = 'ff' WHERE key = 'canary'")
    conn.close()
    with pytest.raises(StateError, match="no longer"):
        NearDuplicates.open(path)


def test_other_files_are_refused_with_a_state_error(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE urls (url TEXT)")
    conn.close()
    with pytest.raises(StateError, match="not a near-duplicate index"):
        NearDuplicates.open(other)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StateError):
        NearDuplicates.open(garbage)
    closed = NearDuplicates.open(tmp_path / "near.sqlite")
    closed.close()
    with pytest.raises(StateError, match="closed"):
        closed.check("a", KNOWN)


def test_signatures_are_the_same_in_another_process_and_match_the_stored_values() -> None:
    sig = signature(KNOWN)
    assert sig is not None and len(sig.values) == 4 * 128
    code = (
        "import sys; from pipeline.dedup.near import signature;"
        f" sys.stdout.write(signature({KNOWN!r}).values.hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout == sig.values.hex()
    assert hashlib.sha256(sig.values).hexdigest() == KNOWN_SHA256
    assert tuple(sig.array()[:4]) == KNOWN_FIRST


@pytest.mark.parametrize("num_perm", [16, 128, 200])
def test_signatures_are_datasketchs_affine32_minhash_value_for_value(num_perm: int) -> None:
    datasketch = pytest.importorskip("datasketch")
    from datasketch.hashfunc import sha1_hash32

    texts = [fixture_text("asia_news_wp_repost"), fixture_text("amp_article"), KNOWN]
    sets = [{" ".join(w[i : i + 5]) for i in range(len(w) - 4)} for w in map(near.tokens, texts)]
    sets += [set(), {"one"}, {str(i) for i in range(near._BATCH + 10)}]
    for shingles in sets:
        reference = datasketch.MinHash(
            num_perm=num_perm, seed=near.SEED, hashfunc=sha1_hash32, scheme=near.SCHEME
        )
        reference.update_batch(s.encode("utf-8") for s in shingles)
        assert near._minhash(shingles, num_perm).tolist() == reference.hashvalues.tolist()


def test_batching_the_shingles_does_not_change_the_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = fixture_text("asia_news_wp_repost")
    whole = signature(text)
    monkeypatch.setattr(near, "_BATCH", 7)
    assert signature(text) == whole


def test_a_precomputed_signature_gives_the_same_answer(index: NearDuplicates) -> None:
    original = fixture_text("amp_article")
    sig = signature(original)
    assert sig is not None
    assert index.add("a", sig)
    assert index.check("b", original) == index.check("b", sig)
    assert index.check("b", sig) == Match("a", 1.0, 1.0)
    other = signature(original, NearSettings(shingle=3))
    assert other is not None
    with pytest.raises(ValueError, match="3-grams"):
        index.check("b", other)


def test_short_texts_are_never_near_duplicates(index: NearDuplicates) -> None:
    short = " ".join(KNOWN.split()[:40])  # 40 tokens, under min_tokens (50)
    assert len(tokens(short)) < DEFAULT_NEAR_SETTINGS.min_tokens
    assert index.add("a", short) is False
    assert len(index) == 0
    assert index.check("b", short) is None
    assert signature(short) is None
    # A text of fewer tokens than a shingle is just as short.
    assert index.check("c", "one two three") is None


def test_tokens_fold_case_and_width_and_split_scripts_without_spaces() -> None:
    assert tokens("Hello, WORLD! Straße ＡＢＣ") == ["hello", "world", "strasse", "abc"]
    assert tokens("東京の天気は晴れ") == ["東", "京", "の", "天", "気", "は", "晴", "れ"]
    assert tokens("北京市2025年") == ["北", "京", "市", "2025", "年"]
    assert tokens("ภาษาไทย") == ["ภ", "า", "ษ", "า", "ไ", "ท", "ย"]
    assert tokens("한국어 문장입니다") == ["한국어", "문장입니다"]  # Korean has spaces


def test_cjk_repost_is_found_and_another_cjk_text_is_not(index: NearDuplicates) -> None:
    story = fixture_text("japanese_article")
    assert len(tokens(story)) > 500  # characters, not the few space-separated runs
    half = len(story) // 2
    first, second = story[:half], story[half:]
    index.add("ja-first", first)
    intro = "本記事は提携紙の記事を転載したものです。内容は掲載時点の情報に基づいています。"
    footer = "無断転載を禁じます。ニュースレターの登録はこちらから。"
    match = index.check("ja-repost", f"{intro}\n{first}\n{footer}")
    assert match is not None and match.record_id == "ja-first"
    assert index.check("ja-second", second) is None


def test_prune_forgets_records_added_before_a_time(index: NearDuplicates) -> None:
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    old, new = fixture_text("amp_article"), fixture_text("live_blog")
    index.add("old", old, now=t0)
    index.add("new", new, now=t0 + timedelta(days=30))
    assert index.prune(t0 + timedelta(days=1)) == 1
    assert index.check("x", old) is None
    assert index.check("x", new) == Match("new", 1.0, 1.0)
    assert index.stats().records == 1


def test_the_band_split_is_the_documented_one() -> None:
    assert DEFAULT_NEAR_SETTINGS.floor == 0.6
    assert band_split(0.6, 128) == (32, 4)
    assert band_split(0.8, 128) == (18, 7)
    bands, rows = band_split(0.6, 128)

    def proposed(j: float) -> float:
        return 1 - (1 - j**rows) ** bands

    assert proposed(0.6) == pytest.approx(0.988, abs=0.001)
    assert proposed(0.7) == pytest.approx(0.9998, abs=0.0001)
    assert proposed(0.5) == pytest.approx(0.87, abs=0.01)
    assert proposed(0.3) == pytest.approx(0.23, abs=0.01)
    assert proposed(0.1) == pytest.approx(0.003, abs=0.0005)
    assert near.__doc__ is not None and "r = 4, b = 32" in near.__doc__


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": float("nan")}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"containment": 0.0}, "containment"),
        ({"containment_jaccard": 0.9}, "containment_jaccard"),
        ({"shingle": 0}, "shingle"),
        ({"num_perm": 8}, "num_perm"),
        ({"min_tokens": 3}, "min_tokens"),
        ({"action": "drop"}, "action"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        NearSettings(**settings)  # type: ignore[arg-type]


def test_a_run_forgets_records_older_than_keep_days(tmp_path: Path) -> None:
    from pipeline.dedup.near import NearSettings
    from pipeline.jobs.run import _prune

    text = " ".join(f"word{n}" for n in range(120))
    with NearDuplicates.open(tmp_path / "near.sqlite", NearSettings()) as index:
        index.add("old-record", text)
        now = datetime.now(UTC)
        _prune(index, NearSettings(keep_days=0), now + timedelta(days=4000))  # keep all
        assert index.check("new-record", text) is not None
        _prune(index, NearSettings(keep_days=30), now + timedelta(days=10))  # too recent
        assert index.check("new-record", text) is not None
        _prune(index, NearSettings(keep_days=30), now + timedelta(days=31))
        assert index.check("new-record", text) is None and index.stats().records == 0
    with pytest.raises(ConfigError, match="keep_days"):
        NearSettings(keep_days=-1)
