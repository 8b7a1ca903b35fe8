"""An article as Markdown: what people read and what language models are fed.

    text = article.to_markdown()                  # front matter, then the article
    text = to_markdown(article, front_matter=False)

Rendered from the typed blocks, CommonMark style: the title as `#`, headings
one `#` per level (the headline is the page's h1, so an h2 stays `##`),
paragraphs with the characters that would start a block escaped, lists nested
by indentation with their numbering kept (`start`), quotes as `>`, code in
fences longer than any run of backticks it holds, tables as pipe tables with
the caption above in italics, and the bibliography as a numbered list under
"References". The front matter is YAML: each value written as a JSON scalar or
list, which YAML reads as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from pipeline.record import (
    Article,
    Block,
    Code,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    TableRef,
)

# Front matter, in this order; absent (None or empty) values are left out.
_FIELDS = (
    "id",
    "title",
    "url",
    "canonical_url",
    "site_name",
    "authors",
    "credits",
    "published",
    "published_date",
    "modified",
    "language",
    "section",
    "tags",
    "description",
    "doi",
    "access",
    "confidence",
    "word_count",
)
# At the start of a line these would make a heading, quote, list item, rule or fence.
_BLOCK_START = re.compile(r"^(\s*)(?:(\d{1,9})([.)])|([#>+\-*=]|`{3,}|~{3,}))")
_INLINE = re.compile(r"([\\`*_\[\]<])")


def to_markdown(article: Article, front_matter: bool = True) -> str:
    parts = [_front_matter(article)] if front_matter else []
    if article.title:
        parts.append(f"# {_inline(article.title)}")
    parts.extend(_block(block, article.tables) for block in article.blocks)
    if article.references:
        lines = [f"{n}. {_inline(ref.text)}" for n, ref in enumerate(article.references, 1)]
        parts.append("## References\n\n" + "\n".join(lines))
    return "\n\n".join(part for part in parts if part) + "\n"


def _front_matter(article: Article) -> str:
    lines = ["---"]
    data = article.to_dict()
    for name in _FIELDS:
        value = data.get(name)
        if value in (None, "", []):
            continue
        lines.append(f"{name}: {json.dumps(value, ensure_ascii=False)}")
    if article.source is not None:
        source = json.dumps(article.source.to_dict(), ensure_ascii=False)
        lines.append(f"source: {source}")
    if article.provenance is not None:
        provenance = json.dumps(article.provenance.to_dict(), ensure_ascii=False)
        lines.append(f"provenance: {provenance}")
    lines.append("---")
    return "\n".join(lines)


def _block(block: Block, tables: tuple[Table, ...]) -> str:
    match block:
        case Heading():
            return f"{'#' * max(block.level, 2)} {_inline(block.text)}"
        case Paragraph():
            return _paragraph(block.text)
        case Quote():
            return "\n".join(
                f"> {_inline(line)}" if line else ">" for line in block.text.split("\n")
            )
        case Code():
            fence = "`" * max(3, _longest_backticks(block.text) + 1)
            return f"{fence}\n{block.text}\n{fence}"
        case ListBlock():
            return "\n".join(_list(block, ""))
        case TableRef():
            return _table(tables[block.index])
    raise TypeError(f"unknown block {block!r}")  # pragma: no cover - exhaustive above


def _paragraph(text: str) -> str:
    return "\n".join(_not_a_block(_inline(line)) for line in text.split("\n"))


def _not_a_block(line: str) -> str:
    """Escape what would make the line a heading, quote, list item, rule or fence:
    `1\\.` for a number's dot, a backslash before any other marker."""
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    indent, digits, dot, marker = match.groups()
    escaped = f"{digits}\\{dot}" if digits else f"\\{marker}"
    return indent + escaped + line[match.end() :]


def _inline(text: str) -> str:
    return _INLINE.sub(r"\\\1", text)


def _list(block: ListBlock, indent: str) -> Iterator[str]:
    for number, item in enumerate(block.items, start=block.start):
        marker = f"{number}." if block.ordered else "-"
        text = _not_a_block(_inline(item.text)) if item.text else ""
        yield f"{indent}{marker} {text}".rstrip()
        for child in item.children:
            # CommonMark nests an item under the first character of its parent's text.
            yield from _list(child, indent + " " * (len(marker) + 1))


def _table(table: Table) -> str:
    width = max([len(table.header), *(len(row) for row in table.rows)], default=0)
    if width == 0:
        return ""
    header = table.header or tuple("" for _ in range(width))
    lines = [f"*{_inline(table.caption)}*", ""] if table.caption else []
    lines.append(_row(header, width))
    lines.append(_row(tuple("---" for _ in range(width)), width))
    lines.extend(_row(row, width) for row in table.rows if row)
    return "\n".join(lines)


def _row(cells: tuple[str, ...], width: int) -> str:
    padded = [*cells, *("" for _ in range(width - len(cells)))]
    # A pipe inside a cell would split it; a line break would end the table.
    shown = (_inline(cell).replace("|", "\\|").replace("\n", " ") for cell in padded)
    return "| " + " | ".join(shown) + " |"


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)
