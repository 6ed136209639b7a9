"""The arithmetic of the report's Excel book (evaluation.report.xlsx_layout), without a database:
worksheet names, number formats, text heights, row heights and page breaks."""

from decimal import Decimal

import pytest

from evaluation.report.sheet_parts import Figure, PrintedArea
from evaluation.report.xlsx_layout import (
    LINE_HEIGHT,
    PADDING,
    Need,
    area_titles,
    fit_heights,
    number_format,
    page_breaks,
    sheet_name,
    text_height,
)


def _area(heading: str, pillar: str = "") -> PrintedArea:
    return PrintedArea(pillar_heading=pillar, heading=heading, visions=[])


def test_an_area_is_named_by_its_number():
    areas = [_area("推進施策1　地区で相談", "１　強化する"), _area("推進施策2　連携")]
    assert area_titles(areas) == ["推進施策1", "推進施策2"]


def test_areas_numbered_afresh_in_each_pillar_are_named_with_their_pillar():
    areas = [
        _area("推進施策1　a", "１　柱"),
        _area("推進施策2　b"),
        _area("推進施策1　c", "２　柱"),
        _area("推進施策2　d"),
    ]
    assert area_titles(areas) == ["柱1 推進施策1", "柱1 推進施策2", "柱2 推進施策1", "柱2 推進施策2"]


@pytest.mark.parametrize(
    ("title", "taken", "expected"),
    [
        ("推進施策1", set(), "推進施策1"),
        ("施策[1]: a/b\\c*?", set(), "施策1 abc"),
        ("'引用'", set(), "引用"),
        ("", set(), "推進施策"),
        ("推進施策1", {"推進施策1"}, "推進施策1 (2)"),
        ("Area", {"area", "AREA (2)"}, "Area (3)"),
        ("あ" * 40, set(), "あ" * 31),
        ("あ" * 40, {"あ" * 31}, "あ" * 27 + " (2)"),
    ],
)
def test_a_sheet_name_keeps_to_what_excel_accepts(title, taken, expected):
    name = sheet_name(title, taken)
    assert name == expected
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (Figure("", "1,830", "回", Decimal(1830), 0), '#,##0" 回"'),
        (Figure("", "9.0", "%", Decimal(9), 1), '#,##0.0" %"'),
        (Figure("", "1.25", "", Decimal("1.25"), 2), "#,##0.00"),
        (Figure("", "3", 'a"b', Decimal(3), 0), '#,##0" a"\\""b"'),
    ],
)
def test_a_number_format_carries_the_separators_the_decimals_and_the_unit_apart(figure, expected):
    assert number_format(figure) == expected


def test_a_longer_text_or_a_narrower_column_needs_more_lines():
    one_line = LINE_HEIGHT + PADDING
    assert text_height("相談", 20) == one_line
    assert text_height("相談\n窓口", 20) == 2 * LINE_HEIGHT + PADDING
    assert text_height("相談窓口" * 20, 20) > text_height("相談窓口" * 20, 40) > one_line


def test_a_merged_range_shares_the_height_it_lacks_among_its_rows():
    heights = fit_heights({1: 15, 2: 15, 3: 15}, [Need(1, 1, 30), Need(1, 3, 90)], default=15)
    assert heights[1] == 40 and heights[2] == heights[3] == 25  # 30 first, then the 20 missing shared by three
    assert fit_heights({1: 15}, [Need(1, 1, 10)], default=15) == {1: 15}


def test_pages_break_before_an_initiative_that_would_not_fit():
    heights = [10.0] * 10
    # initiatives begin at rows 4 and 8: a page of 75 points holds rows 1–7, not the initiative at 8.
    assert page_breaks(heights, preferred=[4, 8], allowed=[], page=75) == [7]
    assert page_breaks(heights, preferred=[4, 8], allowed=[], page=65) == [3, 7]
    assert page_breaks(heights, preferred=[4, 8], allowed=[], page=100) == []


def test_an_initiative_taller_than_a_page_breaks_between_its_slots():
    heights = [10.0] * 12
    # one initiative of 100 points from row 3, its slots at rows 3, 6 and 9: it begins a page, and its
    # slots go on to the next pages; nothing breaks inside a slot.
    assert page_breaks(heights, preferred=[3], allowed=[6, 9], page=55) == [2, 5, 8]
    assert page_breaks(heights, preferred=[3], allowed=[6, 9], page=75) == [2, 8]


def test_a_row_taller_than_a_page_is_left_to_the_spreadsheet():
    assert page_breaks([10.0, 500.0, 10.0], preferred=[2, 3], allowed=[], page=100) == [1]
