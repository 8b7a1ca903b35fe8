from __future__ import annotations

import codecs
import gzip
import time

import pytest

from pipeline.errors import TooLarge, Undecodable
from pipeline.extraction import decode as decode_module
from pipeline.extraction.decode import _codec, _meta_charset, decode

# Realistic article text per encoding: (Python codec, label a page would declare, text).
TEXTS = {
    "russian": (
        "cp1251",
        "windows-1251",
        "Правительство России объявило о новых мерах поддержки малого бизнеса. "
        "По словам министра, программа начнёт работать уже в следующем месяце.",
    ),
    "japanese": (
        "shift_jis",
        "Shift_JIS",
        "東京都は来年度から新しい交通政策を導入すると発表した。市民の生活を改善するため、"
        "バスと電車の運行本数を増やし、料金を見直す方針だ。担当者は「利用者の声を反映した」と話した。",
    ),
    "chinese": (
        "gb18030",
        "gb2312",
        "中国国家统计局今天发布的数据显示，今年第一季度国内生产总值同比增长百分之五点三，"
        "经济运行总体平稳，就业形势保持稳定，居民消费价格温和上涨。",
    ),
    "korean": (
        "euc_kr",
        "euc-kr",
        "서울시는 내년부터 새로운 대중교통 정책을 시행한다고 밝혔다. 시민들의 생활을 개선하기 "
        "위해 버스와 지하철 운행을 늘리고 요금 체계를 개편할 계획이다.",
    ),
    "french": (
        "cp1252",
        "iso-8859-1",
        "Le gouvernement français a annoncé mercredi une série de mesures destinées à soutenir "
        "les entreprises touchées par la crise énergétique. « C’est une étape décisive », "
        "a déclaré le ministre.",
    ),
}


def page(text: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="xx"><head>{head}<title>News</title></head>'
        f'<body><article><h1>Titre</h1><p>{text}</p><p class="byline">AFP</p>'
        "</article></body></html>"
    )


def meta(label: str) -> str:
    return f'<meta charset="{label}">'


def http_equiv(label: str) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={label}">'


@pytest.mark.parametrize("name", TEXTS)
@pytest.mark.parametrize("declare", ["none", "meta", "http-equiv", "http"])
def test_legacy_encodings_never_mojibake(name: str, declare: str) -> None:
    codec, label, text = TEXTS[name]
    head = {"meta": meta(label), "http-equiv": http_equiv(label)}.get(declare, "")
    html = page(text, head)
    data = html.encode(codec)
    assert 250 < len(data) < 700  # realistic small pages, not padded ones
    http = label if declare == "http" else None
    assert decode(data, http) == html


@pytest.mark.parametrize("name", TEXTS)
def test_utf8_with_and_without_declaration(name: str) -> None:
    html = page(TEXTS[name][2])
    assert decode(html.encode()) == html
    assert decode(page(TEXTS[name][2], meta("utf-8")).encode()).endswith(html[-60:])


def test_utf8_path_does_not_call_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("charset_normalizer called on a UTF-8 page")

    monkeypatch.setattr(decode_module, "from_bytes", boom)
    html = page(TEXTS["russian"][2], meta("windows-1251"))  # a stale label too
    assert decode(html.encode(), "iso-8859-1") == html


# --- wrong declarations -------------------------------------------------------------


def test_declared_utf8_but_windows_1251() -> None:
    html = page(TEXTS["russian"][2], meta("utf-8"))
    assert decode(html.encode("cp1251")) == html
    assert decode(html.encode("cp1251"), "utf-8") == html


def test_declared_latin1_but_utf8() -> None:
    html = page(TEXTS["french"][2], http_equiv("ISO-8859-1"))
    assert decode(html.encode(), "iso-8859-1") == html


def test_server_default_latin1_over_a_windows_1251_page() -> None:
    # The classic Apache default header, with and without the page's own meta.
    for head in (meta("windows-1251"), ""):
        html = page(TEXTS["russian"][2], head)
        assert decode(html.encode("cp1251"), "ISO-8859-1") == html


def test_declared_shift_jis_but_gb18030() -> None:
    html = page(TEXTS["chinese"][2], meta("shift_jis"))
    assert decode(html.encode("gb18030")) == html


def test_http_charset_beats_meta() -> None:
    html = page(TEXTS["russian"][2], meta("koi8-r"))
    assert decode(html.encode("cp1251"), "windows-1251") == html


def test_unknown_label_is_ignored() -> None:
    html = page(TEXTS["russian"][2], meta("x-no-such-charset"))
    assert decode(html.encode("cp1251"), "bogus") == html


def test_meta_beyond_4kb_is_ignored() -> None:
    filler = "<script>/*" + "x" * 5000 + "*/</script>"
    html = page(TEXTS["russian"][2], filler + meta("windows-1251"))
    data = html.encode("cp1251")
    assert _meta_charset(data) is None
    assert decode(data) == html  # detection still gets it right


def test_superset_codecs_as_browsers_use() -> None:
    # Curly quotes exist only in windows-1252; circled digits only in cp932 (NEC).
    html = page("“Quoted” — text", meta("iso-8859-1"))
    assert decode(html.encode("cp1252")) == html
    html = page("東京①番地の道路", meta("shift_jis"))
    assert decode(html.encode("cp932")) == html


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("ascii", "cp1252"),
        ("us-ascii", "cp1252"),
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("shift_jis", "cp932"),
        ("sjis", "cp932"),
        ("x-sjis", "cp932"),
        ("euc-kr", "cp949"),
        ("windows-1251", "cp1251"),
        ('"utf-8"', "utf-8"),
        ("utf-16", "utf-8"),  # WHATWG: a body without NULs is not UTF-16
        ("no-such-charset", None),
        ("utf-7", None),  # not ASCII-compatible: an XSS vector
        ("base64", None),  # not a text codec
        ("", None),
    ],
)
def test_label_mapping(label: str, codec: str | None) -> None:
    assert _codec(label) == codec


# --- byte order marks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_wins_and_is_stripped(bom: bytes, codec: str) -> None:
    html = page(TEXTS["japanese"][2], meta("windows-1251"))  # the BOM beats the lie
    assert decode(bom + html.encode(codec), "iso-8859-1") == html


# --- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\t  ", codecs.BOM_UTF8 + b" \n "])
def test_empty_or_whitespace_only(data: bytes) -> None:
    with pytest.raises(Undecodable):
        decode(data)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"RIFF\x24\x00\x00\x00WEBPVP8 ",
        gzip.compress(page("compressed").encode()),
    ],
)
def test_binary_magic_numbers(data: bytes) -> None:
    with pytest.raises(Undecodable, match=r"not HTML|gzip"):
        decode(data)


def test_nul_bytes_are_binary() -> None:
    with pytest.raises(Undecodable, match="NUL"):
        decode(b"<html>\x00\x01\x02\x03 some data \x00\x00\x00" * 10)


def test_utf16_without_bom_is_refused() -> None:
    with pytest.raises(Undecodable):
        decode(page("text").encode("utf-16-le"))


def test_gibberish_is_undecodable() -> None:
    noise = bytes(range(1, 256)) * 8
    with pytest.raises(Undecodable, match="no charset"):
        decode(noise)


def test_too_large() -> None:
    data = page("x" * 900).encode()
    with pytest.raises(TooLarge, match=f"{len(data):,} bytes.*1,000"):
        decode(data, max_bytes=1000)
    assert decode(data[:1000], max_bytes=1000)  # at the limit is fine


def test_50_mb_refused_quickly_against_the_default_limit() -> None:
    data = b"\x00" * (50 * 1024 * 1024)  # binary too: size is checked first
    start = time.perf_counter()
    with pytest.raises(TooLarge, match="52,428,800 bytes"):
        decode(data)
    assert time.perf_counter() - start < 0.05


def test_utf8_with_a_character_cut_in_half_is_utf8() -> None:
    # A CMS cut a teaser in the middle of "ó": one broken sequence among many valid ones.
    text = "Zakończyła się akcja służb. Funkcjonariusze udaremnili przemyt papierosów. " * 5
    html = page(text, meta("utf-8")).encode() + b"<span>papieros\xc3...</span>"
    decoded = decode(html)
    assert text in decoded and decoded.endswith("papieros\ufffd...</span>")


def test_legacy_page_with_one_accent_is_not_damaged_utf8() -> None:
    # One cp1252 byte and no valid UTF-8 beside it: a legacy page, not broken UTF-8.
    html = page("Le caf\xe9 est ouvert.", meta("windows-1252"))
    assert decode(html.encode("cp1252")) == html
