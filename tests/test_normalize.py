from __future__ import annotations

import unicodedata

import pytest

from pipeline.normalize import normalize_multiline, normalize_text, word_count


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("donâ€™t", "don’t"),  # UTF-8 read as windows-1252
        ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет"),  # Russian UTF-8 read as windows-1252
        ("РїСЂРёРІРµС‚", "привет"),  # Russian UTF-8 read as windows-1251
        ("l’Ã©tÃ© Ã  Paris", "l’été à Paris"),
        ("Price: Â£5", "Price: £5"),
    ],
)
def test_mojibake_repaired(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    "text",
    ["ESPAÑA y SÃO PAULO", "«СССР» и «Россия»", "naïve café", "Grüße aus Köln", "résumé’s"],
)
def test_clean_text_that_looks_suspicious_is_left_alone(text: str) -> None:
    assert normalize_text(text) == text


def test_entities_decoded() -> None:
    assert normalize_text("Tom &amp; Jerry") == "Tom & Jerry"
    assert normalize_text("10&nbsp;km") == "10 km"
    assert normalize_text("it&#8217;s &quot;fine&quot;") == 'it’s "fine"'
    assert normalize_text("AT&T") == "AT&T"


def test_typographic_quotes_and_dashes_kept() -> None:
    text = "‘single’ “double” «guillemets» „low“ – en — em … ellipsis"
    assert normalize_text(text) == text
    assert normalize_text("donâ€™t say “no” — ever") == "don’t say “no” — ever"


def test_zero_width_removed_but_joiners_kept() -> None:
    assert normalize_text("zero\u200bwidth\u2060join\ufeffbom soft\u00adhyphen") == (
        "zerowidthjoinbom softhyphen"
    )
    family = "👨\u200d👩\u200d👧"  # ZWJ makes one emoji of three
    assert normalize_text(f" {family} ") == family
    persian = "می\u200cخواهم"  # ZWNJ is spelling in Persian
    assert normalize_text(persian) == persian


def test_control_characters_removed() -> None:
    assert normalize_text("a\x00b\x07c\x1bd\x7fe\x9ff") == "abcdef"
    assert normalize_text("line\ttab\nnew\r\nline") == "line tab new line"


def test_nfd_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Crème brûlée, Ångström, Đặng")
    assert normalize_text(nfd) == unicodedata.normalize("NFC", nfd)
    assert len(normalize_text("e\u0301")) == 1


def test_whitespace_collapsed() -> None:
    raw = "  one \t two\n\n three\u00a0four\u2003five\u3000six\u202fseven\u2028eight  "
    assert normalize_text(raw) == "one two three four five six seven eight"
    assert normalize_text(" \n\t\u00a0 ") == ""


def test_multiline_keeps_lines_and_indentation() -> None:
    raw = "\r\n\r\ndef f():\r\n\t    return '&amp;'   \r\n\r\n\u00a0\u00a0x = 1\u200b\rend  \n \n"
    assert normalize_multiline(raw) == "def f():\n\t    return '&amp;'\n\n  x = 1\nend"
    assert normalize_multiline("donâ€™t\n  indent") == "don’t\n  indent"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("The quick brown fox jumps over the lazy dog.", 9),
        ("Don’t count contractions twice, it's one word.", 7),
        ("Правительство России объявило о новых мерах.", 6),
        ("東京都は新しい政策を発表した。", 14),  # one per kanji/kana, punctuation not
        ("中国经济增长", 6),
        ("Apple发布了新的iPhone 15", 8),  # 3 Latin/number words + 5 Han
        ("हिन्दी भाषा", 2),  # combining vowel signs stay inside the word
        ("서울시는 내년부터", 2),  # Korean is written with spaces
        ("", 0),
        ("— … !!", 0),
    ],
)
def test_word_count(text: str, count: int) -> None:
    assert word_count(text) == count


def test_latin1_read_mojibake_with_c1_controls_is_repaired() -> None:
    # UTF-8 bytes of ’ read as latin-1 give â plus two C1 controls, not cp1252's €™.
    assert normalize_text("Investor\u00e2\u0080\u0099s guide") == "Investor’s guide"
