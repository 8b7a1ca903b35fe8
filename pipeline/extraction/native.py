"""The optional C walk (`_native.c`): load it, check it, or say it is not there.

The page index's walk (`pageindex._Walk`) and py3langid's DFA walk are loops
over every node and every byte of a page; `_native` does both in C with
identical results. It is compiled at install time when a compiler is present
and is never required: every function here answers what the pure-Python code
would, or says to use it.

    available()        True once the compiled walk is loaded and has passed its
                       self-check (at first use); False without a compiler, with
                       PIPELINE_PURE_PYTHON=1, or if anything is off
    walk(root)         `_Walk`'s lists for the subtree of `root` (all but `nodes`:
                       `list(root.traverse(include_text=True))` gives those), or
                       None: use `_Walk`
    attributes(mem_id) selectolax's `node.attributes`, from the node's mem_id
    visit_counts(...)  py3langid's `visit_counts`, in C when it can be

The module binds lexbor's functions from selectolax's own extension module (no
lexbor header is compiled in), and learns the few facts it needs about lexbor
from a document parsed here: the tag ids `.tag` names ("-text", "-comment",
"-doctype", "-document") and where a text node keeps its data. Then it walks a
built-in document that holds the awkward cases (comments, nested links and
paragraphs, CJK, combining marks, apostrophes, astral characters, attributes
with and without values, namespaced attributes, custom elements, a template)
and compares every list with `_Walk`'s and every element's attributes with
selectolax's: any difference, or any exception, and the pure-Python path is
used, with a debug log line saying why. selectolax 1.0.x is the version the
lexbor signatures were read from; another version is used only if the
self-check passes, as always.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode

log = logging.getLogger(__name__)

PURE_PYTHON_ENV = "PIPELINE_PURE_PYTHON"
_Attributes = dict[str, str | None]


class Walked(NamedTuple):
    """What `_Walk` records, `nodes` aside, with the same types and values."""

    tags: list[str]
    parents: list[int]
    ends: list[int]
    texts: list[str | None]
    linked: list[int]
    paragraphed: list[int]
    by_tag: dict[str, list[int]]
    pos: dict[int, int]
    chars: list[int]
    words: list[int]
    nonblank: list[bool]


# The self-check page: every kind of node and text the walk treats apart.
_CHECK_PAGE = (
    "<!DOCTYPE html><html><head><title>t</title></head><body class='b' data-x>"
    "<!-- a comment --><p>Don't stop: l’homme, rock'n'roll, 'quoted' x' 'y</p>"
    "<a href='/1'><p>linked <a href='/2'>nested <b>deep</b></a> paragraph</p></a>"
    "<p><p>quirks</p></p><div id='' hidden title=\"v\" data-n=0>"
    "日本語のテキスト、漢字とかな。中文句子。𠀋𪚲 한국어 텍스트</div>"
    "<p>Hindi हिन्दी मानक, Thai ภาษาไทย, e\u0301te\u0301 \u0301lead mark, "
    "zw\u200cnj\u200dzwj, astral 𝒜𝓁𝓅𝒽𝒶 𐐀𐐨 😀 𝟘𝟙, ℕ², x_y 3.14</p>"
    "<svg viewBox='0 0 1 1'><use href='/a' xlink:href='/b'></use>"
    "<foreignObject><p>inside</p></foreignObject></svg>"
    "<my-widget some-attr>custom <x-y>element</x-y></my-widget>"
    "<template><p>template content</p></template>"
    "<math><mi>x</mi></math><ul><li>one<li>two</ul>"
    "<table><tr><td>cell</td></tr></table>"
    "<p>\u00a0\u3000 </p><span> </span><i></i>"
    "<p>&#0; nul &#xD800; lone &#x110000; far</p>"
    "<?xml processing?><![CDATA[bogus]]>é\u00e9\u0065\u0301"
    "</body></html>"
)
# Texts for the word-count check beyond the page's own.
_CHECK_TEXTS = (
    "",
    " ",
    "''",
    "a'",
    "'a",
    "a''b",
    "a'’b",
    "x'\u0301y",
    "\u0301'a",
    "don't-won’t can't'",
    "日本'語",
    "a日b",
    "𠀀x𠀀",
    "\u0301\u0301",
    "a\u200c\u200db",
    "\x00a\x00b",
)

_module: ModuleType | None = None  # `_native`, once loaded
_walk_ok: bool | None = None  # None: not decided yet
_visit_ok: bool | None = None


def _forced_pure() -> bool:
    return os.environ.get(PURE_PYTHON_ENV, "").strip() not in ("", "0")


def _import() -> ModuleType | None:
    global _module
    if _module is None:
        if _forced_pure():
            log.debug("native walk disabled: %s is set", PURE_PYTHON_ENV)
            return None
        try:
            from pipeline.extraction import _native
        except ImportError as exc:  # built without a compiler
            log.debug("native walk not built: %s", exc)
            return None
        _module = _native
    return _module


_switched_off = False


def switch_off(off: bool = True) -> None:
    """Use the pure-Python path in this process from now on (or again the C one,
    when built and checked): to measure both in one process."""
    global _switched_off
    _switched_off = off


def available() -> bool:
    """Whether `walk` and `attributes` run in C (decided once, at first call)."""
    global _walk_ok
    if _switched_off:
        return False
    if _walk_ok is None:
        _walk_ok = False
        module = _import()
        if module is not None:
            try:
                _setup(module)
                problem = _self_check(module)
            except Exception as exc:  # whatever goes wrong, Python does the work
                problem = f"{type(exc).__name__}: {exc}"
            if problem:
                log.debug("native walk disabled: %s", problem)
            else:
                _walk_ok = True
    return _walk_ok


def walk(root: LexborNode) -> Walked | None:
    """`_Walk(root)`'s lists but `nodes`, or None when the pure-Python walk must run."""
    if not available() or type(root) is not LexborNode:
        return None
    module = _module
    assert module is not None
    try:
        if root.parent is None and module.parent(root.mem_id):
            # A fragment's top-level node: selectolax walks the whole fragment from it.
            return None
        return Walked._make(module.walk(root.mem_id))
    except Exception as exc:
        log.debug("native walk failed, the Python walk runs: %s", exc)
        return None


def attributes(mem_id: int) -> _Attributes:
    """selectolax's `node.attributes` for the node at `mem_id` (the node must be in a
    live tree). Only when `available()`: RuntimeError otherwise."""
    if not available():
        raise RuntimeError("the native walk is not available")
    module = _module
    assert module is not None
    found: _Attributes = module.attributes(mem_id)
    return found


def visit_counts(nm: Any, rowbase: list[int], out: list[int], text: bytes) -> Counter[int] | None:
    """py3langid.langid.visit_counts(nm, rowbase, out, text), in C when it can be.

    The C function copies `rowbase` and `out` once per pair of list objects and
    keeps the copy while the same lists come back: py3langid builds them once per
    identifier and never changes them; lists changed in place would not be seen."""
    global _visit_ok
    if _visit_ok is None:
        _visit_ok = _check_visit_counts()
    if _visit_ok and not _switched_off:
        module = _module
        assert module is not None
        try:
            found: Counter[int] | None = module.visit_counts(nm, rowbase, out, text)
            return found
        except TypeError:  # types the C function does not take: Python says what it means
            pass
    result: Counter[int] | None = _python_visit_counts()(nm, rowbase, out, text)
    return result


_python_visit: Any = None


def _python_visit_counts() -> Any:
    """py3langid's own DFA walk (taken before `use_in_py3langid` replaces it)."""
    global _python_visit
    if _python_visit is None:
        from py3langid import langid

        _python_visit = langid.visit_counts
    return _python_visit


def use_in_py3langid() -> None:
    """Make py3langid's classifier count with `visit_counts` (the same counts, in C
    when the module is there). py3langid reads its module-level function at each
    call, so this holds for identifiers already loaded."""
    from py3langid import langid

    _python_visit_counts()  # keep the original before it is replaced
    langid.visit_counts = visit_counts


def reset() -> None:
    """Decide again at next use (after PIPELINE_PURE_PYTHON changes, in tests)."""
    global _module, _walk_ok, _visit_ok
    _module = None
    _walk_ok = None
    _visit_ok = None


# -- loading and checking -----------------------------------------------------------


def _setup(module: Any) -> None:
    """Bind lexbor's functions and tell the module what it cannot know by itself."""
    import numpy as np
    import selectolax
    import selectolax.lexbor

    from pipeline.wordcount import _table

    version = str(getattr(selectolax, "__version__", "?"))
    if not version.startswith("1.0."):
        log.debug("selectolax %s: native walk unverified, used if the self-check passes", version)
    module.bind(selectolax.lexbor.__file__)
    long_a = "probe ü " * 160  # 1,440 UTF-8 bytes
    long_b = "другая проба " * 150  # 3,600
    tree = LexborHTMLParser(f"<!DOCTYPE html><body>{long_a}<!--c--><p>{long_b}</p></body>")
    body = tree.body
    root = tree.root
    if body is None or root is None or root.parent is None or root.prev is None:
        raise LookupError("the probe page has no body, document or doctype")
    named = [root.parent, root.prev, *body.traverse(include_text=True)]
    specials: dict[int, str] = {}
    for node in named:
        tag = node.tag
        if tag in ("-text", "-comment", "-doctype", "-document"):
            tag_id = module.tag_id(node.mem_id)
            if specials.setdefault(tag_id, tag) != tag:
                raise LookupError(f"tag id {tag_id} is both {specials[tag_id]} and {tag}")
    if sorted(specials.values()) != ["-comment", "-doctype", "-document", "-text"]:
        raise LookupError(f"named tags not all found: {specials}")
    probes = [
        (node.mem_id, (node.text_content or "").encode())
        for node in body.traverse(include_text=True)
        if node.tag == "-text"
    ]
    offset = module.probe_text_offset(probes)
    module.setup(np.ascontiguousarray(_table(), dtype=np.uint8), specials, offset)


def _self_check(module: Any) -> str | None:
    """What differs between the native and the Python walk on the check page, or None."""
    from pipeline.extraction.pageindex import _Walk
    from pipeline.normalize import word_count

    tree = LexborHTMLParser(_CHECK_PAGE)
    for root in (tree.body, tree.root, tree.head):
        if root is None:
            return "the check page did not parse"
        problem = compare(module, root, _Walk(root))
        if problem:
            return problem
    texts = [
        node.text_content or ""
        for node in tree.root.traverse(include_text=True)  # type: ignore[union-attr]
        if node.tag == "-text"
    ]
    for text in (*_CHECK_TEXTS, *texts):
        if module.word_count(text) != word_count(text):
            return f"word count of {text!r}"
    return None


def compare(module: Any, root: LexborNode, expected: Any) -> str | None:
    """The first difference between `module.walk` and `_Walk` (`expected`), or None.
    Checks the attributes of every element and the node order too."""
    found = Walked._make(module.walk(root.mem_id))
    for field in Walked._fields:
        mine, theirs = getattr(found, field), getattr(expected, field)
        if mine != theirs or type(mine) is not type(theirs):
            return f"field {field} differs"
        if isinstance(mine, list) and [type(v) for v in mine] != [type(v) for v in theirs]:
            return f"types of field {field} differ"
        if field == "by_tag" and list(mine) != list(theirs):
            return "by_tag's order differs"
    nodes: Sequence[LexborNode] = expected.nodes
    if list(found.pos) != [node.mem_id for node in nodes]:
        return "node order differs"
    for node in nodes:
        if module.attributes(node.mem_id) != node.attributes:
            return f"attributes of <{node.tag}> differ"
    return None


def _check_visit_counts() -> bool:
    """The C visit_counts against py3langid's on a small random automaton."""
    module = _import()
    if module is None:
        return False
    try:
        import random
        from array import array

        python_visit_counts = _python_visit_counts()  # the original, even once replaced
        rng = random.Random(15)
        states = 40
        nm = array("I", (rng.randrange(states) for _ in range(states * 256)))
        rowbase = [r << 8 for r in range(states)]
        out = [rng.choice((-1, -1, rng.randrange(500))) for _ in range(states)]
        for size in (0, 1, 7, 300, 5000):
            text = bytes(rng.randrange(256) for _ in range(size))
            mine = module.visit_counts(nm, rowbase, out, text)
            theirs = python_visit_counts(nm, rowbase, out, text)
            if mine != theirs or type(mine) is not type(theirs):
                log.debug("native visit_counts disabled: differs on %d bytes", size)
                return False
            if mine is not None and list(mine.items()) != list(theirs.items()):
                log.debug("native visit_counts disabled: order differs on %d bytes", size)
                return False
    except Exception as exc:
        log.debug("native visit_counts disabled: %s: %s", type(exc).__name__, exc)
        return False
    return True
