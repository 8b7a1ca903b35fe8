"""Tables: classification (data / layout / calendar widget) and reading into records."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipeline.extraction.tables import TableKind, classify, parse
from pipeline.record import Table


def _table(html: str) -> LexborNode:
    node = LexborHTMLParser(f"<html><body>{html}</body></html>").css_first("table")
    assert node is not None
    return node


def _one(html: str) -> Table:
    tables = parse(_table(html))
    assert len(tables) == 1
    return tables[0]


def _month(first_weekday: int, days: int) -> str:
    """Body rows of a month calendar, with WordPress's `pad` cells before day 1."""
    slots = [""] * first_weekday + [str(day) for day in range(1, days + 1)]
    rows = []
    for start in range(0, len(slots), 7):
        week = slots[start : start + 7]
        cells = "".join(f"<td>{text}</td>" for text in week if text)
        pad = week.count("")
        pad_cell = f'<td colspan="{pad}" class="pad">&nbsp;</td>' if pad else ""
        rows.append(f"<tr>{pad_cell}{cells}</tr>")
    return "".join(rows)


# --- header -----------------------------------------------------------------------


def test_thead_th_header() -> None:
    table = _one(
        "<table><thead><tr><th>Name</th><th>Age</th></tr></thead>"
        "<tbody><tr><td>Ann</td><td>31</td></tr><tr><td>Bob</td><td>42</td></tr></tbody></table>"
    )
    assert table == Table(None, ("Name", "Age"), (("Ann", "31"), ("Bob", "42")))


def test_bold_first_row_is_header_without_thead() -> None:
    table = _one(
        "<table><tr><td><strong>City</strong></td><td><b> Population </b></td>"
        '<td style="font-weight: 700">Area</td></tr>'
        "<tr><td>Oslo</td><td>709,000</td><td>454</td></tr></table>"
    )
    assert table.header == ("City", "Population", "Area")
    assert table.rows == (("Oslo", "709,000", "454"),)


def test_partly_bold_first_row_is_not_header() -> None:
    table = _one(
        "<table><tr><td><b>Mayor</b>:</td><td>Ann</td></tr>"
        "<tr><td>Founded</td><td>1048</td></tr></table>"
    )
    assert table.header == ()
    assert table.rows == (("Mayor:", "Ann"), ("Founded", "1048"))


def test_th_first_row_in_tbody() -> None:
    table = _one(
        "<table><tbody><tr><td></td><th>2023</th><th>2024</th></tr>"
        "<tr><th>Revenue</th><td>10</td><td>12</td></tr></tbody></table>"
    )
    assert table.header == ("", "2023", "2024")
    assert table.rows == (("Revenue", "10", "12"),)


def test_all_th_table_keeps_its_rows() -> None:
    table = _one("<table><tr><th>A</th><th>B</th></tr><tr><th>1</th><th>2</th></tr></table>")
    assert table.header == ("A", "B")
    assert table.rows == (("1", "2"),)


def test_no_header() -> None:
    table = _one("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>")
    assert table.header == ()
    assert table.rows == (("a", "b"), ("c", "d"))


# --- spans ------------------------------------------------------------------------


def test_colspan_in_two_row_thead() -> None:
    table = _one(
        "<table><thead>"
        '<tr><th rowspan="2">Region</th><th colspan="2">2024</th></tr>'
        "<tr><th>Q1</th><th>Q2</th></tr>"
        "</thead><tbody><tr><td>North</td><td>1</td><td>2</td></tr></tbody></table>"
    )
    assert table.header == ("Region", "2024 Q1", "2024 Q2")
    assert table.rows == (("North", "1", "2"),)


def test_rowspan_in_body_first_column() -> None:
    table = _one(
        "<table><thead><tr><th>Team</th><th>Player</th></tr></thead><tbody>"
        '<tr><td rowspan="2">Reds</td><td>Ann</td></tr><tr><td>Bob</td></tr>'
        "<tr><td>Blues</td><td>Cy</td></tr></tbody></table>"
    )
    assert table.rows == (("Reds", "Ann"), ("Reds", "Bob"), ("Blues", "Cy"))


def test_colspan_and_rowspan_together() -> None:
    table = _one(
        "<table><tr><th>A</th><th>B</th><th>C</th></tr>"
        '<tr><td rowspan="2" colspan="2">big</td><td>1</td></tr>'
        "<tr><td>2</td></tr>"
        "<tr><td>x</td><td>y</td><td>z</td></tr></table>"
    )
    assert table.header == ("A", "B", "C")
    assert table.rows == (("big", "big", "1"), ("big", "big", "2"), ("x", "y", "z"))


def test_short_rows_padded_and_empty_rows_dropped() -> None:
    table = _one(
        "<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td> </td></tr>"
        "<tr><td>d</td></tr><tr><td></td><td>&nbsp;</td></tr></table>"
    )
    assert table.rows == (("a", "b", "c"), ("d", "", ""))


def test_rowspan_stops_at_its_row_group() -> None:
    table = _one(
        "<table><thead><tr><th>K</th><th>V</th></tr></thead>"
        '<tbody><tr><td rowspan="5">k</td><td>1</td></tr></tbody>'
        "<tfoot><tr><td>Total</td><td>1</td></tr></tfoot></table>"
    )
    assert table.rows == (("k", "1"), ("Total", "1"))


def test_tfoot_written_first_renders_last() -> None:
    table = _one(
        "<table><tfoot><tr><td>sum</td><td>3</td></tr></tfoot>"
        "<tbody><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></tbody></table>"
    )
    assert table.rows == (("a", "1"), ("b", "2"), ("sum", "3"))


# --- text, captions, nesting ------------------------------------------------------


def test_br_and_whitespace_in_cell() -> None:
    table = _one("<table><tr><td>  line one<br>line\n\t two </td><td>x</td></tr></table>")
    assert table.rows == (("line one line two", "x"),)


def test_block_edges_are_spaces() -> None:
    table = _one("<table><tr><td><p>a</p>b<div>c</div></td><td>d</td></tr></table>")
    assert table.rows == (("a b c", "d"),)


def test_caption_element() -> None:
    table = _one(
        "<figure><table><caption> Results\n 2024 </caption>"
        "<tr><td>a</td><td>b</td></tr></table><figcaption>ignored</figcaption></figure>"
    )
    assert table.caption == "Results 2024"


def test_caption_from_wordpress_figcaption() -> None:
    table = _one(
        '<figure class="wp-block-table"><table><tbody><tr><td>a</td><td>b</td></tr></tbody>'
        '</table><figcaption class="wp-element-caption">Table 1: <em>Prices</em></figcaption>'
        "</figure>"
    )
    assert table.caption == "Table 1: Prices"


def test_no_caption_from_a_figure_holding_other_tables() -> None:
    tables = _table(
        "<figure><table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>"
        "<figcaption>Both</figcaption></figure>"
    )
    assert parse(tables)[0].caption is None


def test_nested_table_is_its_own_record() -> None:
    node = _table(
        "<table><tr><th>Item</th><th>Detail</th></tr>"
        "<tr><td>Engine</td><td>V8 <table><tr><td>hp</td><td>450</td></tr>"
        "<tr><td>torque</td><td>550</td></tr></table> petrol</td></tr>"
        "<tr><td>Gearbox</td><td>manual</td></tr></table>"
    )
    outer, inner = parse(node)
    assert outer.header == ("Item", "Detail")
    assert outer.rows == (("Engine", "V8 petrol"), ("Gearbox", "manual"))
    assert inner == Table(None, (), (("hp", "450"), ("torque", "550")))
    assert classify(node) is TableKind.DATA


def test_nested_tables_in_document_order() -> None:
    node = _table(
        "<table><tr><td>a<table id=one><tr><td>1<table><tr><td>deep</td></tr></table>"
        "</td></tr></table></td><td>b<table><tr><td>2</td></tr></table></td></tr></table>"
    )
    assert [table.rows for table in parse(node)] == [
        (("a", "b"),),
        (("1",),),
        (("deep",),),
        (("2",),),
    ]


# --- classification ---------------------------------------------------------------


def test_wordpress_calendar_is_widget() -> None:
    days = "MTWTFSS"
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    head = "".join(
        f'<th scope="col" title="{name}">{day}</th>' for day, name in zip(days, names, strict=True)
    )
    node = _table(
        '<div id="calendar_wrap" class="calendar_wrap">'
        '<table id="wp-calendar" class="wp-calendar-table"><caption>February 2026</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{_month(6, 28)}</tbody></table></div>"
    )
    assert classify(node) is TableKind.WIDGET
    assert parse(node)[0].caption == "February 2026"


@pytest.mark.parametrize(
    "days",
    [
        "M T W T F S S",
        "Mon Tue Wed Thu Fri Sat Sun",
        "Su Mo Tu We Th Fr Sa",
        "Пн Вт Ср Чт Пт Сб Вс",
        "月 火 水 木 金 土 日",
    ],
)
def test_weekday_header_calendar_is_widget(days: str) -> None:
    head = "".join(f"<th>{day}</th>" for day in days.split())
    node = _table(
        '<table class="month"><tr><th colspan="7">March 2026</th></tr>'
        f"<tr>{head}</tr>{_month(3, 31)}</table>"
    )
    assert classify(node) is TableKind.WIDGET


def test_weekday_opening_hours_are_data() -> None:
    head = "".join(f"<th>{day}</th>" for day in "Mon Tue Wed Thu Fri Sat Sun".split())
    hours = "".join("<td>9:00–17:00</td>" for _ in range(5)) + "<td>closed</td><td>closed</td>"
    node = _table(f"<table><tr>{head}</tr><tr>{hours}</tr></table>")
    assert classify(node) is TableKind.DATA


def test_role_presentation_is_layout() -> None:
    node = _table(
        '<table role="presentation"><tr><td>a</td><td>b</td></tr>'
        "<tr><td>c</td><td>d</td></tr></table>"
    )
    assert classify(node) is TableKind.LAYOUT


def test_single_cell_wrapping_page_is_layout() -> None:
    node = _table(
        '<table width="100%"><tr><td><div class="header"><h1>Daily News</h1></div>'
        "<h2>Headline</h2><p>First paragraph.</p><p>Second paragraph.</p>"
        "<table><tr><td>x</td><td>1</td></tr><tr><td>y</td><td>2</td></tr></table>"
        "</td></tr></table>"
    )
    assert classify(node) is TableKind.LAYOUT


def test_cells_with_several_paragraphs_are_layout() -> None:
    node = _table(
        "<table><tr><td><p>Story one starts.</p><p>Story one goes on.</p></td>"
        "<td><h3>Side</h3><ul><li>link</li></ul></td></tr></table>"
    )
    assert classify(node) is TableKind.LAYOUT


def test_form_in_cell_is_layout() -> None:
    node = _table("<table><tr><td>Search</td><td><form><input name=q></form></td></tr></table>")
    assert classify(node) is TableKind.LAYOUT


def test_very_long_cell_is_layout() -> None:
    node = _table(f"<table><tr><td>menu</td><td>{'word ' * 400}</td></tr></table>")
    assert classify(node) is TableKind.LAYOUT


def test_link_menu_is_layout() -> None:
    links = "".join(f'<td><a href="/{name}">{name}</a></td>' for name in "home news sport".split())
    node = _table(f"<table><tr>{links}<td><a href='/weather'>Weather</a> |</td></tr></table>")
    assert classify(node) is TableKind.LAYOUT


def test_two_column_data_table_with_links_and_bold_labels() -> None:
    node = _table(
        "<table>"
        "<tr><td><b>Population</b></td><td>709,037</td></tr>"
        '<tr><td><b>Website</b></td><td><a href="https://oslo.kommune.no">oslo.kommune.no</a></td></tr>'
        '<tr><td><b>Mayor</b></td><td><a href="/wiki/Anne_Lindboe">Anne Lindboe</a></td></tr>'
        "<tr><td><b>Area</b></td><td>454 km²</td></tr>"
        "</table>"
    )
    assert classify(node) is TableKind.DATA
    table = parse(node)[0]
    assert table.header == ()
    assert table.rows[1] == ("Website", "oslo.kommune.no")


def test_data_table_with_one_list_cell_is_data() -> None:
    node = _table(
        "<table><thead><tr><th>Phone</th><th>Pros</th><th>Price</th></tr></thead>"
        "<tr><td>A1</td><td><ul><li>battery</li><li>screen</li></ul></td><td>$499</td></tr>"
        "<tr><td>B2</td><td><p>camera</p></td><td>$599</td></tr></table>"
    )
    assert classify(node) is TableKind.DATA


# --- malformed markup -------------------------------------------------------------


def test_missing_closing_td_and_tr() -> None:
    table = _one("<table><tr><th>A<th>B<tr><td>1<td>2<tr><td>3<td>4</table>")
    assert table == Table(None, ("A", "B"), (("1", "2"), ("3", "4")))


def test_tr_outside_tbody() -> None:
    table = _one(
        "<table><thead><tr><th>A</th><th>B</th></tr></thead>"
        "<tr><td>1</td><td>2</td></tr><tbody><tr><td>3</td><td>4</td></tr></tbody></table>"
    )
    assert table.header == ("A", "B")
    assert table.rows == (("1", "2"), ("3", "4"))


def test_non_numeric_colspan_counts_as_one() -> None:
    table = _one(
        '<table><tr><td colspan="abc">a</td><td colspan="2px">b</td></tr>'
        "<tr><td>1</td><td>2</td><td>3</td></tr></table>"
    )
    assert table.rows == (("a", "b", "b"), ("1", "2", "3"))


def test_rowspan_zero_reaches_end_of_group() -> None:
    table = _one(
        '<table><tbody><tr><td rowspan="0">k</td><td>1</td></tr>'
        "<tr><td>2</td></tr><tr><td>3</td></tr></tbody></table>"
    )
    assert table.rows == (("k", "1"), ("k", "2"), ("k", "3"))


def test_huge_colspan_clamped_to_real_width() -> None:
    table = _one(
        "<table><tr><th>A</th><th>B</th><th>C</th></tr>"
        '<tr><td colspan="99999">note</td></tr>'
        '<tr><td>1</td><td colspan="1000">2</td><td>3</td></tr></table>'
    )
    assert table.header == ("A", "B", "C")
    assert table.rows == (("note", "note", "note"), ("1", "2", "3"))
    assert all(len(row) == 3 for row in table.rows)


def test_huge_rowspan_and_empty_table() -> None:
    assert _one('<table><tr><td rowspan="99999">a</td></tr></table>').rows == (("a",),)
    assert _one("<table></table>") == Table(None, (), ())
    assert classify(_table("<table></table>")) is TableKind.LAYOUT


def test_deeply_nested_markup_does_not_recurse() -> None:
    deep = "<span>" * 3000 + "x" + "</span>" * 3000
    table = _one(f"<table><tr><td>{deep}</td><td>y</td></tr></table>")
    assert table.rows == (("x", "y"),)
