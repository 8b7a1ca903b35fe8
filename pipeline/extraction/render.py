"""Render blocks as the record's plain `text`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.record import Block, Code, Heading, ListBlock, Paragraph, Quote, Table, TableRef

_INDENT = "  "


def render_text(blocks: Sequence[Block], tables: Sequence[Table]) -> str:
    """Blocks in reading order, separated by a blank line; nested items indented;
    tables as Markdown tables."""
    return "\n\n".join(_render(block, tables) for block in blocks)


def _render(block: Block, tables: Sequence[Table]) -> str:
    match block:
        case Heading() | Paragraph() | Quote() | Code():
            return block.text
        case ListBlock():
            return list_text(block)
        case TableRef():
            return _table_text(tables[block.index])
    raise TypeError(f"unknown block {block!r}")  # pragma: no cover - exhaustive above


def list_text(block: ListBlock) -> str:
    """A list as lines: "- " or "1. " markers, nested items indented."""
    return "\n".join(_list_lines(block, 0))


def _list_lines(block: ListBlock, depth: int) -> Iterable[str]:
    for number, item in enumerate(block.items, start=block.start):
        marker = f"{number}." if block.ordered else "-"
        if item.text:
            yield f"{_INDENT * depth}{marker} {item.text}"
        for child in item.children:
            yield from _list_lines(child, depth + 1)


def _table_text(table: Table) -> str:
    """A Markdown table (caption first): the plain-text form readers and tools know."""
    lines = [table.caption] if table.caption else []
    if table.header:
        lines.append(_row(table.header))
        lines.append(_row(tuple("---" for _ in table.header)))
    lines.extend(_row(row) for row in table.rows if row)
    return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    # A pipe inside a cell would split it: escape it as Markdown does.
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
