"""The package's import graph has no circle: modules import downwards only.

A module-level import is an edge (an import inside a function, or under
TYPE_CHECKING, is deferred on purpose and is not); `from a.b import c` is an edge
to the module `a.b.c` when it is one, else to `a.b`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _modules(root: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(sub, ast.Import):
                edges.update(alias.name for alias in sub.names if alias.name in modules)
            elif isinstance(sub, ast.ImportFrom):
                base = sub.module or ""
                if sub.level:
                    parent = package.split(".")[: len(package.split(".")) - sub.level + 1]
                    base = ".".join([*parent, *([sub.module] if sub.module else [])])
                for alias in sub.names:
                    full = f"{base}.{alias.name}"
                    edges.add(full if full in modules else base)
    return {edge for edge in edges if edge in modules and edge != name}


def circles(root: Path, package: str) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan's algorithm)."""
    modules = _modules(root, package)
    graph = {name: sorted(_imports(name, path, modules)) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_the_package_imports_in_no_circle() -> None:
    assert len(_modules(ROOT, "pipeline")) > 80
    assert circles(ROOT, "pipeline") == []


def test_a_circle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "loop"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "inner" / "__init__.py").write_text("")
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import loop.d\n"
    (package / "a.py").write_text("from loop.inner import b\n" + typing_only)
    (package / "inner" / "b.py").write_text("from .. import c\n")
    (package / "c.py").write_text("import loop.a\n")
    (package / "d.py").write_text("import loop.a\n")  # a needs d for its types only
    assert circles(tmp_path, "loop") == [["loop.a", "loop.c", "loop.inner.b"]]
