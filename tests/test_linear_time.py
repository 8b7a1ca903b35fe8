"""Every text pattern of the modules below (extraction, and what records and crawls
pass through) runs in time linear in its input.

Each compiled pattern of each module (found by reading the module: `NAME =
re.compile(...)`, patterns kept in tuples, and `re.search(r"...", ...)` written
inline), is run the way the module runs it (`search`, `sub`, `split`, ...;
read from the source: `match` and `fullmatch` are one anchored attempt) on
worst-case inputs of INPUT_SIZE characters:

* a run of each character the pattern names (its literals, a representative of
  each class and category), and of each two of its punctuation, space, letter
  and digit alternating: a run of spaces is what makes `\\s+X` retry at every
  position, `@.@.@.` what makes `\\S+@\\S+\\.` backtrack;
* each literal piece of the pattern repeated, alone and followed by each of
  those characters;
* 50 KB of words without punctuation, and the hand-made cases in WORST.

A linear pattern finishes each in milliseconds; a quadratic one needs seconds
to minutes at this size. Each case runs in a subprocess under a generous
bound (BOUND seconds of CPU, enforced by SIGVTALRM, which the regex engine
checks), so the test counts cases that did not finish, not their speed.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from re import _constants as C
from re import _parser as P
from types import FrameType, ModuleType

import pytest

MODULES = (
    "structured", "decode", "dates", "people", "bibliography", "entry", "byline", "titles",
    "boilerplate", "metadata", "hydration", "limits", "clean", "features", "header",
    "signals", "measure", "segment", "tables", "published",
    # Outside extraction, on every record's way out (or a crawl's URLs):
    "pipeline.markdown", "pipeline.sinks.markdown", "pipeline.record", "pipeline.jobs.run",
    "pipeline.dedup.near",
)  # fmt: skip
INPUT_SIZE = 50_000
BOUND = 0.5  # CPU seconds for one pattern on one input; linear ones take < 25 ms
_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")
_SCANNING = ("search", "finditer")  # what a pattern of unknown use is run as

#: How a pattern the source does not call by its name is used (held in a tuple and
#: called through a loop variable).
USED_AS = {"entry._QUOTED": ("match",)}

#: Inputs no generic family above builds, by "module.NAME": the shapes that were
#: super-linear before their pattern was rewritten.
WORST: dict[str, tuple[Callable[[int], str], ...]] = {
    "people._EMAIL": (lambda n: "a@" * (n // 2), lambda n: "@." * (n // 2)),
    "entry._JOURNAL_AFTER": (lambda n: "Journal " * (n // 8), lambda n: " 1999 a" * (n // 7)),
    "entry._CONTAINER": (lambda n: "a " * (n // 2),),
    "dates._EN_MDY": (lambda n: "Word " * (n // 5), lambda n: "Mon 1 " * (n // 6)),
    "dates._EN_DMY": (lambda n: "1 Word " * (n // 7),),
    "decode._MARKUP": (lambda n: "<script " * (n // 8), lambda n: "<!--" * (n // 4)),
    "decode._META": (lambda n: "<meta " * (n // 6),),
}


# Extraction's stages are packages: a module's short name, by where it lives.
_PACKAGE = {
    **dict.fromkeys(
        ("byline", "dates", "header", "people", "published", "structured", "titles"), "metadata"
    ),
    **dict.fromkeys(
        ("segment", "features", "blockmodel", "clean", "container", "boilerplate", "furniture"),
        "body",
    ),
    **dict.fromkeys(("signals", "measure"), "pagetype"),
    **dict.fromkeys(("bibliography", "entry"), "references"),
}


def _module(name: str) -> ModuleType:
    if "." in name:
        return importlib.import_module(name)
    package = _PACKAGE.get(name)
    where = f"{package}.{name}" if package else name
    return importlib.import_module(f"pipeline.extraction.{where}")


def patterns(name: str) -> list[tuple[str, re.Pattern[str] | re.Pattern[bytes], tuple[str, ...]]]:
    """(name, pattern, the methods the module calls on it) for every pattern of the module."""
    module = _module(name)
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    tree = ast.parse(source)
    used: dict[str, set[str]] = {}
    inline: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner, method = node.func.value, node.func.attr
        if isinstance(owner, ast.Name) and method in _METHODS:
            if owner.id == "re" and node.args and isinstance(node.args[0], ast.Constant):
                text = node.args[0].value  # re.search(r"...", text) written inline
                inline.append((f"re.{method}@{node.lineno}", re.compile(text), (method,)))
            else:
                used.setdefault(owner.id, set()).add(method)
    found: list[tuple[str, re.Pattern[str] | re.Pattern[bytes], tuple[str, ...]]] = []
    for attribute, value in vars(module).items():
        for label, pattern in _compiled(attribute, value):
            methods = USED_AS.get(f"{name}.{attribute}") or tuple(sorted(used.get(attribute, ())))
            methods = methods or _SCANNING
            found.append((label, pattern, methods))
    return found + list(inline)


def _compiled(
    name: str, value: object
) -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    if isinstance(value, re.Pattern):
        yield name, value
    elif isinstance(value, tuple | list):
        for n, item in enumerate(value):
            yield from _compiled(f"{name}[{n}]", item)


def _alphabet(pattern: re.Pattern[str] | re.Pattern[bytes]) -> tuple[list[str], list[str]]:
    """The characters a pattern names (a representative of each class) and its literal pieces."""
    text = (
        pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    )
    flags = pattern.flags & ~re.UNICODE if isinstance(pattern.pattern, bytes) else pattern.flags
    chars: set[str] = set()
    pieces: set[str] = set()
    _walk(P.parse(text, flags), chars, pieces)
    chars |= set("a A1 .,-:")
    return sorted(chars), sorted(pieces)


_CATEGORY = {
    C.CATEGORY_DIGIT: "1",
    C.CATEGORY_NOT_DIGIT: "a",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: "a",
    C.CATEGORY_WORD: "a",
    C.CATEGORY_NOT_WORD: " ",
}


def _walk(parsed: object, chars: set[str], pieces: set[str]) -> None:
    run = ""
    for op, arg in parsed:  # type: ignore[attr-defined]
        if op is C.LITERAL:
            run += chr(arg)
            chars.add(chr(arg))
            continue
        if run:
            pieces.add(run)
            run = ""
        if op is C.IN:
            for kind, item in arg:
                if kind is C.LITERAL:
                    chars.add(chr(item))
                elif kind is C.RANGE:
                    chars.update((chr(item[0]), chr(item[1])))
                elif kind is C.CATEGORY:
                    chars.add(_CATEGORY.get(item, "a"))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            _walk(arg[2], chars, pieces)
        elif op is C.SUBPATTERN:
            _walk(arg[-1], chars, pieces)
        elif op is C.BRANCH:
            for branch in arg[1]:
                _walk(branch, chars, pieces)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            _walk(arg[1], chars, pieces)
        elif op is C.ATOMIC_GROUP:
            _walk(arg, chars, pieces)
        elif op is C.GROUPREF_EXISTS:
            _walk(arg[1], chars, pieces)
            if arg[2] is not None:
                _walk(arg[2], chars, pieces)
        elif op is C.CATEGORY:
            chars.add(_CATEGORY.get(arg, "a"))
        elif op is C.ANY:
            chars.add("a")
    if run:
        pieces.add(run)


def inputs(label: str, pattern: re.Pattern[str] | re.Pattern[bytes], n: int) -> Iterator[str]:
    """The worst cases of a pattern (see the module doc), each once."""
    seen: set[str] = set()
    for text in _families(label, pattern, n):
        if text not in seen:
            seen.add(text)
            yield text


def _families(label: str, pattern: re.Pattern[str] | re.Pattern[bytes], n: int) -> Iterator[str]:
    chars, pieces = _alphabet(pattern)
    for char in chars:
        yield char * n
    # Two letters alternating are a run of letters, which the singles cover.
    mixed = sorted({c for c in chars if not c.isalnum()} | {"a", "A", "1", " "})
    for first, second in itertools.combinations(mixed, 2):
        yield (first + second) * (n // 2)
    for piece in (p for p in pieces if len(p) > 1):  # one character: a single or a pair
        yield (piece * (n // len(piece) + 1))[:n]
        for char in mixed:
            yield ((piece + char) * (n // (len(piece) + 1) + 1))[:n]
    yield ("word " * n)[:n]
    for make in WORST.get(label, ()):
        yield make(n)


_ANCHORED = ("match", "fullmatch")


def _distinct(methods: tuple[str, ...]) -> list[str]:
    """One anchored attempt of each kind used, and one scan for all the scanning ones."""
    anchored = [m for m in methods if m in _ANCHORED]
    return anchored + (["finditer"] if len(anchored) < len(methods) else [])


class _Slow(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Slow


def slow_cases(name: str, n: int = INPUT_SIZE, bound: float = BOUND) -> list[str]:
    """Run every case of a module; the ones past the bound, described. The bound is
    of the process's own CPU time (ITIMER_VIRTUAL): a loaded machine does not trip it."""
    signal.signal(signal.SIGVTALRM, _alarm)
    slow: list[str] = []
    for label, pattern, methods in patterns(name):
        for text in inputs(f"{name}.{label}", pattern, n):
            subject: str | bytes = text
            if isinstance(pattern.pattern, bytes):
                subject = text.encode("utf-8")
            for method in _distinct(methods):
                signal.setitimer(signal.ITIMER_VIRTUAL, bound)
                try:
                    _apply(pattern, method, subject)
                except _Slow:
                    slow.append(f"{name}.{label}.{method} on {text[:24]!r}... ({len(text)} chars)")
                finally:
                    signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    return slow


def _apply(pattern: re.Pattern[str] | re.Pattern[bytes], method: str, subject: str | bytes) -> None:
    if method in _ANCHORED:
        getattr(pattern, method)(subject)
        return
    # search, sub, split, findall find their matches as finditer does: the same work,
    # without building the result.
    for _ in pattern.finditer(subject):
        pass


def test_every_pattern_is_linear() -> None:
    """One subprocess per module, side by side; each lists the cases past the bound."""
    root = Path(__file__).resolve().parents[1]
    runs = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import json, {__name__} as t; print(json.dumps(t.slow_cases({name!r})))",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        for name in MODULES
    }
    slow: dict[str, list[str]] = {}
    for name, run in runs.items():
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        slow[name] = json.loads(out.splitlines()[-1])
    assert slow == {name: [] for name in MODULES}


@pytest.mark.parametrize("name", MODULES)
def test_the_patterns_of_each_module_are_found(name: str) -> None:
    found = patterns(name)
    assert len(found) >= 1  # tables and published have one; references dozens
    assert all(methods for _, _, methods in found)


def test_a_quadratic_pattern_is_caught() -> None:
    """The harness itself: `\\s+x` searched over spaces retries at every position."""
    quadratic = re.compile(r"\s+x")
    signal.signal(signal.SIGVTALRM, _alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, 0.2)
    with pytest.raises(_Slow):
        try:
            quadratic.search(" " * 100_000)  # about 15 s of CPU to the end
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    assert " " * INPUT_SIZE in set(inputs("x", quadratic, INPUT_SIZE))


@pytest.mark.parametrize(
    "text",
    [
        " " * INPUT_SIZE + "x",
        " \t" * (INPUT_SIZE // 2) + "\nx",
        "'" * INPUT_SIZE,
        "a'" * (INPUT_SIZE // 2),
    ],
    ids=["spaces", "blanks-then-newline", "apostrophes", "word-apostrophe"],
)
def test_text_normalisation_is_linear(text: str) -> None:
    """normalize's classes hold thousands of characters (too many for the generic
    inputs above), so its functions are run directly on the runs that once made
    trailing-blank trimming quadratic."""
    from pipeline.normalize import normalize_multiline, normalize_text, word_count

    signal.signal(signal.SIGVTALRM, _alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, BOUND)
    try:
        for function in (normalize_multiline, normalize_text, word_count):
            function(text)
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
