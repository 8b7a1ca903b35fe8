"""Extraction's thresholds live in one module (pipeline/extraction/thresholds.py).

A number a stage compares a page against belongs there, named by what it is
for; these tests catch one defined beside the code again, and a name there that
no stage reads any more.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.extraction import thresholds

EXTRACTION = Path(thresholds.__file__).parent

# Module-level numbers that are not thresholds, by "module path:NAME", and why.
NOT_THRESHOLDS = {
    "limits.py:_NAME_BYTES",  # the longest of a word list's names, in bytes
    "body/segment.py:_ANY_HEADING",  # a sentinel level below every heading's
    "body/blockmodel.py:RULED_SCORE",  # the score a ruled block counts as, not a bound
}


def _is_number(node: ast.expr) -> bool:
    """A literal number, or arithmetic of literal numbers (`1024 * 1024`, `-6.0`)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _is_number(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_number(node.left) and _is_number(node.right)
    return False


def _modules() -> list[Path]:
    return sorted(p for p in EXTRACTION.rglob("*.py") if p.name != "thresholds.py")


def test_no_module_but_thresholds_defines_a_numeric_constant() -> None:
    found = []
    for path in _modules():
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            names = [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
            if names and _is_number(value):
                found += [f"{path.relative_to(EXTRACTION).as_posix()}:{n}" for n in names]
    assert sorted(set(found) - NOT_THRESHOLDS) == []


def test_every_threshold_is_read_somewhere() -> None:
    defined = {name for name in vars(thresholds) if name.isupper()}
    used: set[str] = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "pipeline.extraction.thresholds":
                used.update(alias.name for alias in node.names)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "thresholds"
            ):
                used.add(node.attr)
    assert sorted(defined - used) == []
    assert sorted(used - defined) == []
