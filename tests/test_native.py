"""The compiled walk (`_native.c`) against the pure-Python one, field by field.

`native.walk` must give exactly `pageindex._Walk`'s lists (types included) and
`_native.attributes` exactly selectolax's `node.attributes`, on every fixture
page, every page of the bench sample and generated hostile trees; the C
`visit_counts` exactly py3langid's. Skipped when the module is not built (no
compiler) or PIPELINE_PURE_PYTHON is set; the fallback itself is tested always.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.errors import ExtractionError
from pipeline.extraction import decode, native
from pipeline.extraction.pageindex import _Walk
from pipeline.normalize import word_count

try:
    from pipeline.extraction import _native
except ImportError:  # built without a compiler
    _native = None  # type: ignore[assignment]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
built = pytest.mark.skipif(
    _native is None or native._forced_pure(),
    reason="the native module is not built (or PIPELINE_PURE_PYTHON is set)",
)


def _check(root: LexborNode | None) -> None:
    assert root is not None
    expected = _Walk(root)
    assert native.compare(_native, root, expected) is None
    found = native.walk(root)
    assert found is not None
    assert found.tags == expected.tags and found.words == expected.words


def _check_page(html: str) -> None:
    tree = LexborHTMLParser(html)
    _check(tree.body)
    _check(tree.root)


def _fixture_pages() -> Iterator[Path]:
    yield from sorted(FIXTURES.rglob("*.html"))
    yield from sorted(FIXTURES.rglob("*.html.gz"))


def _read(path: Path) -> str | None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    try:
        return decode.decode(data)
    except ExtractionError:
        return None


@built
def test_available() -> None:
    # Built, and not forced off: the self-check must pass (it is not a silent skip).
    assert native.available()


@built
@pytest.mark.parametrize("path", list(_fixture_pages()), ids=lambda p: p.name)
def test_fixture_pages(path: Path) -> None:
    html = _read(path)
    if html is None:
        pytest.skip("not decodable")
    _check_page(html)


def test_there_are_fixture_pages() -> None:
    pages = list(_fixture_pages())
    assert sum(p.suffix == ".gz" for p in pages) >= 80 and len(pages) >= 100


# -- generated trees -----------------------------------------------------------------

_TAGS = (
    "div p a span b i ul li ol table tr td th tbody select option template svg math mi "
    "use foreignObject my-widget x-y script style textarea title noscript pre h1 br img "
    "iframe font center form button label input dl dt dd ruby rt nobr frameset plaintext"
).split()
_ATTRIBUTE_NAMES = (
    "id class href data-x hidden xlink:href xml:lang xmlns:foo on-click ÿ a_b VIEWBOX".split()
)
_SPECIAL = "\x00'’\u0301\u0903\u200c\u200d日本語한𠀀𪚲😀𝒜_- \t\n\u00a0\u3000&#0;&amp;&#xD800;<>\"é"
_characters = st.characters(codec="utf-8")  # no surrogates
_text = st.text(st.one_of(_characters, st.sampled_from(_SPECIAL)), max_size=40)
_attribute = st.tuples(
    st.sampled_from(_ATTRIBUTE_NAMES), st.one_of(st.none(), st.just(""), _text)
).map(lambda a: a[0] if a[1] is None else f'{a[0]}="{a[1].replace(chr(34), "&quot;")}"')


def _element(parts: tuple[str, list[str], list[str]]) -> str:
    tag, attributes, children = parts
    opening = " ".join([tag, *attributes])
    return f"<{opening}>{''.join(children)}</{tag}>"


_leaf = st.one_of(_text, _text.map(lambda t: f"<!--{t}-->"), st.just("<?pi x?>"))
_tree = st.recursive(
    _leaf,
    lambda children: st.tuples(
        st.sampled_from(_TAGS), st.lists(_attribute, max_size=4), st.lists(children, max_size=5)
    ).map(_element),
    max_leaves=60,
)


@built
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_tree, max_size=6))
def test_generated_trees(parts: list[str]) -> None:
    _check_page("<!DOCTYPE html><html><body>" + "".join(parts) + "</body></html>")


@built
@settings(max_examples=100, deadline=None)
@given(st.text(st.one_of(_characters, st.sampled_from("<>/!-='\" abp" + _SPECIAL))))
def test_tag_soup(soup: str) -> None:
    _check_page(soup)


@built
@settings(max_examples=300, deadline=None)
@given(st.text(st.one_of(_characters, st.sampled_from(_SPECIAL + "a'b’c" + "\u0301\u093f"))))
def test_word_count(text: str) -> None:
    assert _native.word_count(text) == word_count(text)


@built
def test_word_count_long_texts() -> None:
    rng = random.Random(15)
    others = "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(60))
    alphabet = "ab ''’’\u0301\u200d日𠀀é.\n" + others
    for size in (511, 512, 513, 1025, 5000):  # across the C side's 512-character blocks
        for _ in range(20):
            text = "".join(rng.choice(alphabet) for _ in range(size))
            assert _native.word_count(text) == word_count(text)


@built
def test_deep_nesting() -> None:
    # Parsing nests quadratically in lexbor, so the 200,000 levels are built through
    # the DOM; parsing makes a shallower one with links and paragraphs inside.
    tree = LexborHTMLParser("<html><body></body></html>")
    current = tree.body
    for level in range(200_000):
        assert current is not None
        current.insert_child(tree.create_node("a" if level % 3 == 0 else "p"))
        current = current.last_child
    assert current is not None
    current.insert_child("deep text, don't stop")
    _check(tree.body)
    _check_page("<html><body>" + "<span><a href=x>" * 500 + "t<p>u" * 500 + "</body></html>")


@built
def test_huge_text_and_attributes() -> None:
    text = "word " * 400_000 + "日本" * 100_000
    attributes = " ".join(f"a{n}=x" for n in range(20_000))
    _check_page(f"<html><body><p {attributes} bare>{text}</p><!--{text}--></body></html>")


@built
def test_text_nodes_made_by_the_api() -> None:
    tree = LexborHTMLParser("<html><body><div>a</div></body></html>")
    div = tree.css_first("div")
    assert div is not None
    div.insert_child("")
    div.insert_child(b"\xff\xfe bad \xc3 utf-8 \x00 nul")
    div.insert_child("it's ’ 𠀀")
    _check(tree.body)


@built
def test_template_content_and_fragments() -> None:
    tree = LexborHTMLParser("<div><template id=t><p>in <a>x</a></p><!--c--></template></div>")
    fragments = tree.body.template_fragments()  # type: ignore[union-attr]
    assert fragments
    for fragment in fragments:
        _check(fragment)
    # A fragment's top-level node: selectolax walks the whole fragment from it.
    fragment_root = LexborHTMLParser("<p>a</p><p>b</p>", is_fragment=True).root
    assert fragment_root is not None
    assert native.walk(fragment_root) is None


@built
def test_attributes_of_other_nodes() -> None:
    tree = LexborHTMLParser("<html><body>text<!--c--></body></html>")
    for node in tree.root.traverse(include_text=True):  # type: ignore[union-attr]
        assert native.attributes(node.mem_id) == node.attributes


# -- py3langid --------------------------------------------------------------------------


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _texts() -> Iterator[bytes]:
    rng = random.Random(15)
    yield b""
    yield b"a"
    for sample in (
        "The quick brown fox jumps over the lazy dog.",
        "Der schnelle braune Fuchs springt über den faulen Hund.",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "日本語のテキストです。漢字とかなが混ざっています。",
        "हिन्दी एक भाषा है। مرحبا بالعالم 😀",
    ):
        yield sample.encode()
    for path in sorted(FIXTURES.glob("*.html")):
        html = _read(path)
        if html:
            text = LexborHTMLParser(html).body.text(separator=" ")  # type: ignore[union-attr]
            yield text[:1000].encode("utf-8", "surrogatepass")
    for size in (1, 10, 100, 1000, 10_000):
        yield bytes(rng.randrange(256) for _ in range(size))


@built
def test_visit_counts_equal_py3langid() -> None:
    from py3langid.langid import visit_counts

    identifier = _identifier()
    nm, rowbase, out = identifier.tk_nextmove, identifier._rowbase, identifier.tk_output
    for text in _texts():
        expected = visit_counts(nm, rowbase, out, text)
        for given_text in (text, bytearray(text), memoryview(text)):
            found = _native.visit_counts(nm, rowbase, out, given_text)
            assert found == expected and type(found) is type(expected)
            if found is not None:
                assert list(found.items()) == list(expected.items())
        assert native.visit_counts(nm, rowbase, out, text) == expected


@built
def test_visit_counts_errors_and_other_types() -> None:
    from py3langid.langid import visit_counts

    nm, rowbase, out = [1, 0] * 256, [0, 0], [-1, 7]
    # A list for nm is not a buffer: the C function refuses, the wrapper falls back.
    with pytest.raises(TypeError):
        _native.visit_counts(nm, rowbase, out, b"ab")
    assert native.visit_counts(nm, rowbase, out, b"ab") == visit_counts(nm, rowbase, out, b"ab")
    from array import array

    short = array("I", [5] * 10)
    with pytest.raises(IndexError):
        visit_counts(short, [0], [0], b"z")
    with pytest.raises(IndexError):
        _native.visit_counts(short, [0], [0], b"z")


# -- the fallback ------------------------------------------------------------------------


def test_pure_python_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    from py3langid.langid import visit_counts

    monkeypatch.setenv(native.PURE_PYTHON_ENV, "1")
    native.reset()
    try:
        assert not native.available()
        tree = LexborHTMLParser("<html><body><p>x</p></body></html>")
        assert native.walk(tree.body) is None  # type: ignore[arg-type]
        with pytest.raises(RuntimeError):
            native.attributes(tree.body.mem_id)  # type: ignore[union-attr]
        nm, rowbase, out = [1, 0] * 256, [0, 0], [-1, 7]
        assert native.visit_counts(nm, rowbase, out, b"abc") == visit_counts(
            nm, rowbase, out, b"abc"
        )
    finally:
        monkeypatch.delenv(native.PURE_PYTHON_ENV)
        native.reset()
