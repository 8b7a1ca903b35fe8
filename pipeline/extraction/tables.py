"""Tables: tell article data tables from layout tables and calendar widgets, and
read a table into `Table` records with its spans expanded to a regular grid.

A table's own rows and cells are those not inside a nested table. A nested table
is read as a record of its own, so its text never leaks into the outer cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from selectolax.lexbor import LexborNode

from pipeline.extraction.thresholds import (
    CALENDAR_ROWS,
    LONG_CELL_CHARS,
    MAX_COLSPAN,
    MAX_GRID_SLOTS,
    MAX_ROWSPAN,
)
from pipeline.record import Table


class TableKind(StrEnum):
    DATA = "data"  # an article data table: keep it
    LAYOUT = "layout"  # page layout or a menu: read its cells as ordinary content
    WIDGET = "widget"  # a calendar: drop it


_LEADING_DIGITS = re.compile(r"[0-9]+")

_CELL_TAGS = frozenset({"td", "th"})
# Visual order of row groups: a <tfoot> written before the <tbody> still renders last.
_GROUP_RANK = {"thead": 0, "tbody": 1, "tfoot": 2}

# Subtrees that are not the cell's text: nested tables are records of their own.
_OPAQUE = frozenset({"table", "script", "style", "template", "noscript"})

# Elements that break a line: their edges become spaces in the cell text.
_BREAKS = frozenset(
    """p div h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre figure figcaption address
    section article header footer aside nav hr table tr td th br""".split()
)

# Blocks that, two or more to a cell, mean the cell holds page content, not a datum.
_TEXT_BLOCKS = frozenset("p div h1 h2 h3 h4 h5 h6 blockquote pre address figure".split())
_LISTS = frozenset({"ul", "ol", "dl"})
# Page structure a data cell never holds.
_STRUCTURE = frozenset(
    "form nav header footer aside main article section menu select textarea".split()
)


_BOLD_TAGS = frozenset({"b", "strong"})
_BOLD_WEIGHTS = frozenset({"bold", "bolder", "600", "700", "800", "900"})

# Weekday names, abbreviations and initials as calendar headers print them,
# lowercased and without a trailing dot.
_WEEKDAYS = frozenset(
    """
    m t w f s l j v x d
    su mo tu we th fr sa sun mon tue tues wed thu thur thurs fri sat
    monday tuesday wednesday thursday friday saturday sunday
    di mi do so ma wo vr za zo
    lun mar mer jeu ven sam dim mié jue vie sáb dom gio sab seg ter qua qui sex
    pzt sal çar per cum cmt paz wt śr cz pt sb nd pon wto śro czw pią sob nie
    пн вт ср чт пт сб вс нд п в с ч
    пон вто сре чет пят суб вос
    月 火 水 木 金 土 日 一 二 三 四 五 六 天 월 화 수 목 금 토 일
    周一 周二 周三 周四 周五 周六 周日 星期一 星期二 星期三 星期四 星期五 星期六 星期日
    """.split()
)


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    is_th: bool
    bold: bool
    colspan: int
    rowspan: int  # 0: down to the end of its row group, as in HTML


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[_Cell, ...]
    group_end: int  # index past the last row of its thead/tbody/tfoot: rowspans stop there
    in_head: bool


_Line = list[_Cell | None]  # one grid row: a slot per column, None where nothing reaches


# --- public interface -------------------------------------------------------------


def classify(node: LexborNode) -> TableKind:
    """Say whether a table holds article data, page layout or a calendar widget."""
    if _is_calendar(node):
        return TableKind.WIDGET
    if _is_layout(node):
        return TableKind.LAYOUT
    return TableKind.DATA


def parse(node: LexborNode) -> tuple[Table, ...]:
    """The table as a record, then every table nested in it, in document order."""
    # css() matches the node itself too, and lists descendants in document order,
    # which is exactly the order a recursive walk of the cells would give.
    nested = [table for table in node.css("table") if table != node]
    return (_parse_one(node), *(_parse_one(table) for table in nested))


# --- reading ----------------------------------------------------------------------


def _parse_one(table: LexborNode) -> Table:
    rows = _read_rows(table)
    kept = [(row, line) for row, line in zip(rows, _layout(rows), strict=True) if _filled(line)]
    grid = [line for _, line in kept]
    count = _header_count([row for row, _ in kept], grid)
    return Table(
        caption=_caption(table),
        header=_join_header(grid[:count]),
        rows=tuple(tuple(cell.text if cell else "" for cell in line) for line in grid[count:]),
    )


def _row_groups(table: LexborNode) -> list[tuple[int, list[LexborNode]]]:
    """The table's own row groups as (rank, rows), in the order they render."""
    groups: list[tuple[int, list[LexborNode]]] = []
    seen_head = False
    for child in table.iter():
        if child.tag == "tr":  # the parser wraps bare rows in a tbody; a built DOM may not
            groups.append((1, [child]))
        elif child.tag in _GROUP_RANK:
            rank = _GROUP_RANK[child.tag]
            # Only the first <thead> is the header; a later one is body text.
            rank = 1 if rank == 0 and seen_head else rank
            seen_head = seen_head or rank == 0
            groups.append((rank, [tr for tr in child.iter() if tr.tag == "tr"]))
    groups.sort(key=lambda group: group[0])  # stable: bodies keep their source order
    return groups


def _own_cells(table: LexborNode) -> list[LexborNode]:
    return [
        cell
        for _, trs in _row_groups(table)
        for tr in trs
        for cell in tr.iter()
        if cell.tag in _CELL_TAGS
    ]


def _read_rows(table: LexborNode) -> list[_Row]:
    rows: list[_Row] = []
    for rank, trs in _row_groups(table):
        end = len(rows) + len(trs)
        for tr in trs:
            cells = tuple(_read_cell(cell) for cell in tr.iter() if cell.tag in _CELL_TAGS)
            rows.append(_Row(cells, end, rank == 0))
    return rows


def _read_cell(node: LexborNode) -> _Cell:
    attributes = node.attributes
    return _Cell(
        text=_text(node),
        is_th=node.tag == "th",
        bold=_is_bold(node),
        colspan=max(1, _span(attributes.get("colspan"), MAX_COLSPAN)),  # HTML: 0 means 1
        rowspan=_span(attributes.get("rowspan"), MAX_ROWSPAN),
    )


def _span(value: str | None, cap: int) -> int:
    """Read a span as browsers do: the leading digits ("2px" is 2), else 1."""
    match = _LEADING_DIGITS.match((value or "").strip())
    if match is None:
        return 1
    digits = match.group(0).lstrip("0") or "0"
    # More digits than the cap has is over the cap: no int() of 5,000 digits.
    return cap if len(digits) > len(str(cap)) else min(int(digits), cap)


def _children(node: LexborNode) -> list[LexborNode]:
    return list(node.iter(include_text=True))


def _descend(node: LexborNode) -> Iterator[LexborNode]:
    """Every node under `node` in document order, without entering nested tables or
    scripts (those are yielded themselves, so callers still see them)."""
    # An explicit stack, not recursion: junk markup can nest thousands deep.
    stack = _children(node)[::-1]
    while stack:
        current = stack.pop()
        yield current
        if current.tag not in _OPAQUE:
            stack.extend(_children(current)[::-1])


def _text(node: LexborNode) -> str:
    """The node's text with whitespace collapsed; <br> and block edges are spaces."""
    parts: list[str] = []
    for sub in _descend(node):
        previous = sub.prev
        # A space after a block too: "<p>a</p>b" must not read "ab".
        if sub.tag in _BREAKS or (previous is not None and previous.tag in _BREAKS):
            parts.append(" ")
        if sub.tag == "-text":
            parts.append(sub.text(deep=False))
    return " ".join("".join(parts).split())


def _filled(line: _Line) -> bool:
    return any(cell is not None and cell.text for cell in line)


# --- bold -------------------------------------------------------------------------


def _bold_style(node: LexborNode) -> bool:
    style = (node.attributes.get("style") or "").lower()
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() == "font-weight":
            return value.replace("!important", "").strip() in _BOLD_WEIGHTS
    return False


def _under_bold(node: LexborNode, cell: LexborNode) -> bool:
    current = node.parent
    while current is not None and current != cell:
        if current.tag in _BOLD_TAGS or _bold_style(current):
            return True
        current = current.parent
    return False


def _is_bold(cell: LexborNode) -> bool:
    """True when all the cell's visible text is bold, by the cell's own style or
    because every piece of it sits in a <b>, <strong> or bold-styled element."""
    if _bold_style(cell):
        return True
    texts = [n for n in _descend(cell) if n.tag == "-text" and n.text(deep=False).strip()]
    return bool(texts) and all(_under_bold(text, cell) for text in texts)


# --- grid -------------------------------------------------------------------------


def _layout(rows: Sequence[_Row]) -> list[_Line]:
    """Expand spans so every row has one slot per column.

    A colspan wider than any row's cell count is a markup slip (colspan=1000): it
    counts as 1 while measuring the table, then stretches as far as the row's other
    cells leave room for.
    """
    natural = max((len(row.cells) for row in rows), default=0)
    width = _width(_place(rows, natural, None))
    placed = _place(rows, natural, width)
    width = _width(placed)  # cells pushed right by overlapping spans may widen it
    return [[placed.get((r, c)) for c in range(width)] for r in range(len(rows))]


def _width(placed: dict[tuple[int, int], _Cell]) -> int:
    return max((column + 1 for _, column in placed), default=0)


def _place(rows: Sequence[_Row], natural: int, width: int | None) -> dict[tuple[int, int], _Cell]:
    """Put each cell in the grid slots it covers, skipping slots that rowspans from
    rows above already hold, as browsers do."""
    placed: dict[tuple[int, int], _Cell] = {}
    for r, row in enumerate(rows):
        column = 0
        for index, cell in enumerate(row.cells):
            while (r, column) in placed:
                column += 1
            after = len(row.cells) - index - 1
            across = cell.colspan if cell.colspan <= natural else _fill(width, column, after)
            down = min(cell.rowspan or row.group_end, row.group_end - r)
            down = 1 if len(placed) > MAX_GRID_SLOTS else down
            for rr in range(r, r + down):
                for cc in range(column, column + across):
                    placed.setdefault((rr, cc), cell)  # overlaps: the first cell wins
            column += across
    return placed


def _fill(width: int | None, column: int, after: int) -> int:
    # Up to the right edge, leaving a slot for each cell that follows in the row.
    return 1 if width is None else max(1, width - column - after)


# --- header and caption -----------------------------------------------------------


def _all_th(line: _Line) -> bool:
    # An empty corner <td> above row labels does not stop a row being a header.
    filled = [cell for cell in line if cell is not None and cell.text]
    return bool(filled) and all(cell.is_th for cell in filled)


def _bold_header(grid: Sequence[_Line]) -> bool:
    """A first row set in bold over rows that are not: a header without <th>."""
    first = [cell for cell in grid[0] if cell is not None and cell.text]
    rest = [cell for line in grid[1:] for cell in line if cell is not None and cell.text]
    return bool(first and rest) and all(c.bold for c in first) and not all(c.bold for c in rest)


def _header_count(rows: Sequence[_Row], grid: Sequence[_Line]) -> int:
    """How many leading (non-empty) rows are the header."""
    head = sum(1 for row in rows if row.in_head)  # thead rows come first
    if head:
        return head
    leading = 0
    while leading < len(grid) and _all_th(grid[leading]):
        leading += 1
    if leading:
        # A table all of <th> is still data: only its first row is the header.
        return leading if leading < len(grid) else 1
    return 1 if len(grid) > 1 and _bold_header(grid) else 0


def _join_header(lines: Sequence[_Line]) -> tuple[str, ...]:
    """One string per column: the header rows' texts top-down, a text repeated by a
    rowspan or by equal cells given once ("2024" over "Q1" gives "2024 Q1")."""
    header: list[str] = []
    for column in zip(*lines, strict=True):
        parts: list[str] = []
        for cell in column:
            if cell is not None and cell.text and (not parts or parts[-1] != cell.text):
                parts.append(cell.text)
        header.append(" ".join(parts))
    return tuple(header)


def _caption(table: LexborNode) -> str | None:
    for child in table.iter():
        if child.tag == "caption" and (text := _text(child)):
            return text
    figure = _enclosing_figure(table)
    if figure is None:
        return None
    for child in figure.iter():
        if child.tag == "figcaption":
            return _text(child) or None
    return None


def _enclosing_figure(table: LexborNode) -> LexborNode | None:
    """The <figure> this table is the content of (WordPress `figure.wp-block-table`),
    looking through a couple of wrapper divs, but never out of a cell or up to a
    figure that holds other tables too."""
    current = table.parent
    for _ in range(3):
        if current is None or current.tag not in {"figure", "div", "span"}:
            return None
        if current.tag == "figure":
            alone = len(current.css("table")) == len(table.css("table"))
            return current if alone else None
        current = current.parent
    return None


# --- classification ---------------------------------------------------------------


def _is_calendar(table: LexborNode) -> bool:
    attributes = table.attributes
    names = f"{attributes.get('id') or ''} {attributes.get('class') or ''}".lower()
    if "calendar" in names or "datepicker" in names:
        return True
    # A month is at most six weeks, plus title, weekday and navigation rows.
    if sum(len(trs) for _, trs in _row_groups(table)) > CALENDAR_ROWS:
        return False
    grid = _layout(_read_rows(table))
    for index, line in enumerate(grid[:3]):  # a month-title row may come first
        if _weekday_row(line):
            return _day_numbers(grid[index + 1 :])
    return False


def _weekday_row(line: _Line) -> bool:
    texts = [cell.text for cell in line if cell is not None and cell.text]
    days = sum(1 for text in texts if text.lower().rstrip(".") in _WEEKDAYS)
    return days >= 7 and len(texts) <= 8  # room for a week-number column


def _day_numbers(lines: Sequence[_Line]) -> bool:
    """Most of the cells below the weekday row are day numbers 1-31."""
    # By identity: a spanned cell fills several slots but is one cell.
    cells = {id(cell): cell for line in lines for cell in line if cell is not None and cell.text}
    texts = [cell.text for cell in cells.values()]
    days = [t for t in texts if t.isdecimal() and len(t) <= 2 and 1 <= int(t) <= 31]
    return len(days) >= 7 and len(days) * 5 >= len(texts) * 4


def _is_layout(table: LexborNode) -> bool:
    role = (table.attributes.get("role") or "").strip().lower()
    if role in {"presentation", "none"}:
        return True
    cells = _own_cells(table)
    if len(cells) <= 1:
        return True
    filled = [(cell, text) for cell in cells if (text := _text(cell))]
    if not filled:  # spacers and image grids: nothing to read as data
        return True
    if any(len(text) > LONG_CELL_CHARS for _, text in filled):
        return True
    if any(node.tag in _STRUCTURE for cell in cells for node in _descend(cell)):
        return True
    blocky = sum(1 for cell, _ in filled if _block_count(cell) >= 2)
    if blocky * 10 >= len(filled) * 3:
        return True
    links = sum(1 for cell, text in filled if _link_only(cell, text))
    return links * 5 >= len(filled) * 4  # a menu: one link a cell


def _block_count(cell: LexborNode) -> int:
    """Lists, and blocks with text of their own: wrapper divs do not count."""
    return sum(
        1
        for node in _descend(cell)
        if node.tag in _LISTS or (node.tag in _TEXT_BLOCKS and _own_text(node))
    )


def _own_text(node: LexborNode) -> bool:
    return any(child.tag == "-text" and child.text(deep=False).strip() for child in _children(node))


def _link_only(cell: LexborNode, text: str) -> bool:
    """One link holding the cell's words: separators such as "|" or "»" aside."""
    anchors = [node for node in _descend(cell) if node.tag == "a"]
    return len(anchors) == 1 and _alnum(_text(anchors[0])) * 10 >= _alnum(text) * 8


def _alnum(text: str) -> int:
    return sum(1 for char in text if char.isalnum())
