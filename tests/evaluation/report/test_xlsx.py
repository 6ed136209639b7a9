"""The report's Excel book (evaluation.report.xlsx) read back with openpyxl: one worksheet per policy
area, the furniture, headings and table in the cells of the sheet's layout, numbers as numbers with
their formats, texts guarded against formulas, the merges, the footnotes, the rows' heights, the page
breaks and the page setup; and the demo plan's every indicator on the sheet of its own policy area."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from evaluation import display
from evaluation.domain.enums import IndicatorKind
from evaluation.models import Initiative, Plan, Result, Vision
from evaluation.report.document import render_report, report_context, report_sheet
from evaluation.report.xlsx import ACTIVITY, DEPARTMENT, GRADE, OUTCOME, REASON, WIDTHS, render_xlsx
from evaluation.report.xlsx_layout import page_height, text_height
from evaluation.workbook.cells import spreadsheet_safe
from evaluation.workbook.plan_import import import_plan_file
from tests.builders import (
    make_closed_year,
    make_department,
    make_graded_result,
    make_indicator,
    make_initiative,
    make_plan,
)
from tests.evaluation.workbook.plan_files import DEMO_CSV

pytestmark = pytest.mark.django_db

LABEL = "資料１－３"
REVISION = "策定時の現況値に誤りがあったため、現況値及び目標値を修正した"
NOTE = "※１　目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"


def _book(sheet) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))


def _merged(ws) -> set[str]:
    return {str(cell_range) for cell_range in ws.merged_cells.ranges}


def _row_of(ws, column: str, value) -> int:
    """The first row whose cell in the column holds the value."""
    return next(cell.row for cell in ws[column] if cell.value == value)


@pytest.fixture
def plan():
    """A plan of two policy areas. The first: an initiative with an activity (1,830 回 planned) beside a
    C-graded outcome whose name begins with 「=」 and carries ※2; an initiative with a compound outcome,
    an outcome still 集計中 and a text plan; an initiative without indicators. The second: one outcome."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    first = make_initiative(plan, number=1)
    Initiative.objects.filter(pk=first.pk).update(
        title="地域資源の開発", description="団体を訪問します。", implementation_ref="施策８－２", is_relisted=True
    )
    Vision.objects.filter(pk=first.vision_id).update(heading="", statement="相談できています。", plan_pages="40-44")
    activity = make_indicator(
        plan,
        initiative=first,
        department=make_department("地域行政課"),
        kind=IndicatorKind.ACTIVITY,
        label="1",
        unit="回",
        name="研修の実施",
        baseline_text="１回",
        baseline_as_of="令和５年度見込み",
    )
    make_graded_result(
        activity, target=None, actual=Decimal(5), values_by_label={"": {"original_plan_value": Decimal(1830)}}
    )
    welfare = make_department("保健福祉政策課")
    outcome = make_indicator(
        plan, initiative=first, department=welfare, label="1", unit="%", name="=1+1 認知度", footnote="※2"
    )
    result = make_graded_result(outcome, target=Decimal(9), actual=Decimal(7))
    result.reason, result.revision_reason = "参加者が減った。", REVISION
    result.save()

    second = make_initiative(plan, number=2)
    compound = make_indicator(
        plan, initiative=second, department=welfare, label="2-1", unit="件", sub_items=("a", "b"), name="複合"
    )
    make_graded_result(compound, target=Decimal(60), actual=Decimal(139))
    tallying = make_indicator(plan, initiative=second, department=welfare, label="2-2", unit="%", name="集計")
    make_graded_result(tallying, target=Decimal(26), actual="集計中")
    text_plan = make_indicator(
        plan, initiative=second, department=welfare, kind=IndicatorKind.ACTIVITY, label="2", name="計画づくり"
    )
    make_graded_result(
        text_plan, target=None, actual="一部運用", values_by_label={"": {"original_plan_text": "課題整理"}}
    )
    make_initiative(plan, number=3)

    other = make_initiative(plan, policy_area=2, number=1)
    make_graded_result(
        make_indicator(plan, initiative=other, department=welfare, label="1", name="他の施策の指標"),
        target=Decimal(100),
        actual=Decimal(100),
    )
    return plan


@pytest.fixture
def book(plan):
    return _book(report_sheet(plan, 2024, label=LABEL))


def test_one_worksheet_per_policy_area_in_plan_order(book):
    assert book.sheetnames == ["推進施策1", "推進施策2"]
    assert book["推進施策2"]["A3"].value == "推進施策2　推進施策2"
    assert book["推進施策2"]["A2"].value is None  # the pillar heading prints where the pillar begins


def test_the_furniture_and_headings_head_the_sheet(book):
    ws = book["推進施策1"]
    today = timezone.localdate()
    assert ws["A1"].value == "令和６年度"
    assert ws["D1"].value == f"暫定（{today.year}年{today.month}月{today.day}日時点）"
    assert ws["O1"].value == LABEL and ws["O1"].alignment.horizontal == "right"
    assert (ws["A2"].value, ws["A3"].value) == ("１　柱1", "推進施策1　推進施策1")
    assert ws["A2"].font.b and ws["A3"].font.b
    assert {"A2:P2", "A3:P3", "O1:P1"} <= _merged(ws)


def test_a_vision_heads_its_table_with_the_pages_two_merged_header_rows(book):
    ws = book["推進施策1"]
    band = _row_of(ws, "A", "めざす姿")
    assert ws.cell(band + 1, 1).value == "めざす姿" and ws.cell(band + 1, 3).value == "相談できています。"
    top = band + 2
    assert ws.cell(top, 1).value == "計画書\nP40～44"
    assert [ws.cell(top, column).value for column in (2, 3, 4, 9, 14, 15, 16)] == [
        "番号",
        "主な取組み",
        "取組みの行動量",
        "取組みの成果指標",
        "評価\n※１",
        "達成状況評価の理由\n（評価C・Dのみ）",
        "担当\n所管課",
    ]
    assert [ws.cell(top + 1, column).value for column in range(4, 14)] == [
        "番号",
        "行動量",
        "現況値\n（策定時）",
        "区分",
        "令和６年度",
        "番号",
        "成果指標",
        "現況値\n（策定時）",
        "区分",
        "令和６年度",
    ]
    assert {f"A{band}:P{band}", f"C{band + 1}:P{band + 1}", f"D{top}:H{top}", f"I{top}:M{top}"} <= _merged(ws)
    assert {f"{column}{top}:{column}{top + 1}" for column in "ABCNOP"} <= _merged(ws)
    assert ws.cell(top, 4).font.b and ws.cell(top, 4).fill.fgColor.rgb.endswith("F0F0F0")


def test_an_initiative_prints_its_slot_as_three_rows_with_numbers_as_numbers(book):
    ws = book["推進施策1"]
    first = _row_of(ws, "B", "1")
    assert ws.cell(first, 3).value == "地域資源の開発【再掲】\n団体を訪問します。"
    assert ws.cell(first, 3).alignment.wrap_text and ws.cell(first, 3).alignment.vertical == "top"
    assert ws.cell(first, 4).value == "1"
    assert ws.cell(first, 5).value == "研修の実施【再掲】【実施計画 施策８－２】"
    assert ws.cell(first, 6).value == "１回\n（令和５年度見込み）"
    assert [ws.cell(row, 7).value for row in range(first, first + 3)] == ["当初計画", "修正計画", "実績"]
    planned, revised, actual = (ws.cell(row, 8) for row in range(first, first + 3))
    assert (planned.value, planned.data_type, planned.number_format) == (1830, "n", '#,##0" 回"')
    assert (revised.value, revised.data_type) == ("ー", "s")
    assert (actual.value, actual.number_format) == (5, '#,##0" 回"')
    assert [ws.cell(row, 12).value for row in range(first, first + 3)] == ["目標", "実績", "達成状況"]
    target, achieved, achievement = (ws.cell(row, 13) for row in range(first, first + 3))
    assert (target.value, target.number_format) == (9, '#,##0.0" %"')
    assert (achieved.value, achieved.number_format) == (7, '#,##0.0" %"')
    assert (achievement.value, achievement.number_format) == (77.8, '#,##0.0" %"')
    assert ws.cell(first, 14).value == "C"
    assert ws.cell(first, 15).value == "参加者が減った。" and ws.cell(first, 15).alignment.wrap_text
    assert ws.cell(first, 16).value == "（行動量）地域行政課（成果指標）保健福祉政策課"
    last = first + 2
    assert {f"{column}{first}:{column}{last}" for column in "ABCDEFIJKNOP"} <= _merged(ws)
    assert ws.cell(first, 8).border.left.style == "thin" and ws.cell(last, 16).border.bottom.style == "thin"


def test_a_name_beginning_with_a_formula_sign_is_written_as_text(book):
    ws = book["推進施策1"]
    first = _row_of(ws, "B", "1")
    name = ws.cell(first, 10)
    assert (name.value, name.data_type) == ("'=1+1 認知度※2【再掲】【実施計画 施策８－２】", "s")
    assert not [cell for row in ws.iter_rows() for cell in row if cell.data_type == "f"]


def test_compound_tallying_and_text_values_are_text_cells(book):
    ws = book["推進施策1"]
    second = _row_of(ws, "B", "2")
    assert [ws.cell(row, 13).value for row in range(second, second + 3)] == [
        "a)60 件　b)60 件",
        "a)139 件　b)139 件",
        "a)231.7 %　b)231.7 %",
    ]
    assert [ws.cell(row, 13).value for row in range(second + 3, second + 6)] == [26, "集計中", "ー"]
    assert ws.cell(second + 3, 14).value == "ー"
    assert [ws.cell(row, 8).value for row in range(second, second + 3)] == ["課題整理", "ー", "一部運用"]
    assert ws.cell(second, 8).alignment.horizontal == "left" and ws.cell(second + 1, 8).alignment.horizontal == "right"
    # the second slot has no activity: its side is blank but ruled
    assert [ws.cell(second + 3, column).value for column in range(4, 9)] == [None] * 5
    assert ws.cell(second + 3, 5).border.top.style == "thin"
    assert f"B{second}:B{second + 5}" in _merged(ws)


def test_an_initiative_without_indicators_prints_one_blank_row(book):
    ws = book["推進施策1"]
    third = _row_of(ws, "B", "3")
    assert ws.cell(third, 3).value == "取組み"
    assert [ws.cell(third, column).value for column in range(4, 17)] == [None] * 13
    assert ws.cell(third + 1, 1).value == "※２　" + REVISION  # the vision's footnote follows its table
    assert all(ws.cell(third, column).border.bottom.style == "thin" for column in range(1, 17))


def test_the_footnotes_follow_the_vision_that_uses_them_and_the_grading_note_ends_each_sheet(book):
    first, second = book["推進施策1"], book["推進施策2"]
    assert _row_of(first, "A", "※２　" + REVISION) < _row_of(first, "A", NOTE) == first.max_row
    assert "※２　" + REVISION not in [cell.value for cell in second["A"]]
    assert second.cell(second.max_row, 1).value == NOTE


def test_every_row_has_its_height_and_a_long_reason_makes_its_rows_taller(plan):
    result = Result.objects.get(indicator__name="=1+1 認知度")
    short = _book(report_sheet(plan, 2024))["推進施策1"]
    result.reason = "参加者が減った。" * 30
    result.save()
    ws = _book(report_sheet(plan, 2024))["推進施策1"]
    first = _row_of(ws, "B", "1")
    assert all(ws.row_dimensions[row].height for row in range(1, ws.max_row + 1))
    slot = range(first, first + 3)
    assert sum(ws.row_dimensions[row].height for row in slot) > sum(short.row_dimensions[row].height for row in slot)
    assert sum(ws.row_dimensions[row].height for row in slot) >= text_height(result.reason, WIDTHS[REASON - 1])


def test_the_page_is_a4_landscape_one_page_wide_with_its_print_area_label_and_page_numbers(book):
    ws = book["推進施策1"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area == f"'推進施策1'!$A$1:$P${ws.max_row}"
    assert ws.page_margins.left == 0.25 and ws.page_margins.top == 0.75
    assert ws.oddHeader.right.text == LABEL and ws.oddHeader.left.text.startswith("暫定（")
    assert ws.HeaderFooter.differentFirst and not ws.firstHeader.right.text  # page 1 has them in its cells
    assert ws.oddFooter.right.text == ws.firstFooter.right.text == "&P / &N"


def test_a_closed_years_book_says_nothing_provisional(plan):
    make_closed_year(plan)
    ws = _book(report_sheet(plan, 2024))["推進施策1"]
    assert ws["D1"].value is None and ws["O1"].value is None
    assert not ws.oddHeader.left.text and not ws.oddHeader.right.text


def test_a_plan_without_areas_still_makes_a_book_and_an_ampersand_in_the_label_prints_as_one():
    content = render_xlsx(report_sheet(make_plan(), 2024, label="資料1&2"))
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws.title == "令和６年度" and ws["A1"].value == "令和６年度" and ws["O1"].value == "資料1&2"
    assert ws.cell(ws.max_row, 1).value == NOTE
    # & begins a code in a page header (&2 would set the size): written doubled. openpyxl reads it back
    # wrongly, so the sheet's XML is read.
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert '"資料1&amp;&amp;2</oddHeader>' in xml


def test_a_long_area_breaks_its_pages_between_initiatives(plan):
    welfare = make_department()
    for number in range(4, 24):
        initiative = make_initiative(plan, number=number)
        make_graded_result(
            make_indicator(plan, initiative=initiative, department=welfare, label=str(number)),
            target=Decimal(100),
            actual=Decimal(90),
        )
    ws = _book(report_sheet(plan, 2024))["推進施策1"]
    breaks = [page_break.id for page_break in ws.row_breaks.brk]
    assert len(breaks) >= 2
    for row in breaks:  # a page begins with an initiative: its number in column B
        assert ws.cell(row + 1, 2).value is not None
    heights = [ws.row_dimensions[row].height for row in range(1, ws.max_row + 1)]
    for start, end in zip([0, *breaks], [*breaks, ws.max_row], strict=True):
        assert sum(heights[start:end]) <= page_height(WIDTHS)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo plan imported and its FY2024 book read back: (sheet, book). Rolled back after the module."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            import_plan_file(DEMO_CSV)
            context = report_context(Plan.objects.get(), 2024, label=LABEL)
            sheet = context["sheet"]
            book = openpyxl.load_workbook(io.BytesIO(render_report(context, "xlsx")))
            transaction.set_rollback(True)
    return sheet, book


def test_the_demo_book_has_a_sheet_per_policy_area_named_with_its_pillar(demo):
    sheet, book = demo
    assert len(book.sheetnames) == len(sheet.areas) == 17
    assert book.sheetnames[:2] == ["柱1 推進施策1", "柱1 推進施策2"] and book.sheetnames[10] == "柱2 推進施策1"
    assert [book[name]["A3"].value for name in book.sheetnames] == [area.heading for area in sheet.areas]


def _printed(cell) -> Decimal | str | None:
    """A cell as the sheet's model holds it: a number as its Decimal, a text as it is."""
    return Decimal(str(cell.value)) if cell.data_type == "n" and cell.value is not None else cell.value


def _expected(line) -> Decimal | str:
    [figure, *others] = line.figures
    return display.plain_decimal(figure.number) if figure.number is not None and not others else line.text


def test_every_demo_indicator_is_in_its_cells_on_the_sheet_of_its_own_area(demo):
    """Each indicator's number, name, lines, grade, reason and department, slot after slot, on the rows
    of its own policy area's worksheet."""
    sheet, book = demo
    printed, wrong = 0, []
    for area, ws in zip(sheet.areas, book.worksheets, strict=True):
        row = 1
        for initiative in (initiative for vision in area.visions for initiative in vision.initiatives):
            for slot in initiative.slots:
                for indicator, side in ((slot.activity, ACTIVITY), (slot.outcome, OUTCOME)):
                    if indicator is None:
                        continue
                    printed += 1
                    name = spreadsheet_safe(indicator.full_name)
                    found = next((r for r in range(row, ws.max_row + 1) if ws.cell(r, side + 1).value == name), None)
                    if found is None:
                        wrong.append((ws.title, indicator.code, "name"))
                        continue
                    cells = {
                        "number": (ws.cell(found, side).value, indicator.number),
                        "department": (ws.cell(found, DEPARTMENT).value, slot.department),
                        "lines": (
                            [
                                (ws.cell(found + i, side + 3).value, _printed(ws.cell(found + i, side + 4)))
                                for i in range(3)
                            ],
                            [(line.heading, _expected(line)) for line in indicator.lines],
                        ),
                    }
                    if indicator is slot.outcome:
                        cells["grade"] = (ws.cell(found, GRADE).value, indicator.grade)
                        cells["reason"] = (ws.cell(found, REASON).value, indicator.reason or None)
                    wrong += [(ws.title, indicator.code, key) for key, (got, want) in cells.items() if got != want]
                    row = found
                row += 1
    assert printed == 134  # the demo's 65 activity and 69 outcome indicators
    assert wrong == []
    grades = [
        slot.outcome.grade
        for area in sheet.areas
        for v in area.visions
        for i in v.initiatives
        for slot in i.slots
        if slot.outcome
    ]
    assert {"A", "B", "C", "ー"} <= set(grades)


def test_the_demo_figures_are_numbers_with_their_units_in_the_format(demo):
    _sheet, book = demo
    numbers = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows(min_col=8, max_col=13)
        for cell in row
        if cell.column in (8, 13) and cell.data_type == "n" and cell.value is not None
    ]
    assert len(numbers) > 200
    assert all(cell.number_format.startswith("#,##0") for cell in numbers)
    assert {cell.number_format for cell in numbers} >= {'#,##0" 回"', '#,##0.0" %"', '#,##0" 人"'}
    assert not [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row if cell.data_type == "f"]
