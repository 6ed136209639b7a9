"""The printed sheet of plans graded by other schemes: the grade column holds the scheme's labels, a
state is printed by its name in 実績 (中止, 完了) with its label in 評価, the reason is printed where
the scheme asks for one (its labels, a state's note) and the reason column's heading says which, ※1
is the scheme's; a closed year prints by the scheme it was closed with. The same in the Excel book."""

import io
from decimal import Decimal

import openpyxl
import pytest

from evaluation.domain import scheme_files
from evaluation.queries.report import report_data
from evaluation.report.document import render_report, report_context, report_sheet
from evaluation.report.sheet import build_sheet
from tests.builders import make_closed_year, make_graded_result, make_indicator, make_initiative, make_plan

pytestmark = pytest.mark.django_db


def outcome(plan, actual=None, *, state="", reason="", **fields):
    indicator = make_indicator(plan, initiative=make_initiative(plan), **fields)
    values = {"": {"actual_state": state}} if state else None
    make_graded_result(indicator, actual=actual, values_by_label=values, reason=reason)
    return indicator


def printed_outcomes(sheet):
    [area] = sheet.areas
    return [slot.outcome for vision in area.visions for block in vision.initiatives for slot in block.slots]


def test_akiruno_prints_states_by_name_their_labels_and_the_notes_they_need():
    plan = make_plan(scheme="akiruno")
    outcome(plan, Decimal(120), reason="目標を上回った。")
    outcome(plan, Decimal(40), reason="予算が削減された。")
    outcome(plan, state="cancelled", reason="制度改正により中止した。")
    outcome(plan, state="completed", reason="（完了に理由は要らない）")

    sheet = report_sheet(plan, 2024)

    printed = [(o.lines[1].text, o.lines[2].text, o.grade, o.reason) for o in printed_outcomes(sheet)]
    assert printed == [
        ("120 件", "120.0 %", "S", ""),
        ("40 件", "40.0 %", "C", "予算が削減された。"),
        ("中止", "ー", "Y", "制度改正により中止した。"),
        ("完了", "ー", "F", ""),
    ]
    assert printed_outcomes(sheet)[2].lines[1].numeric  # a state stands where a figure would, as 集計中 does
    assert sheet.reason_note == "（評価B・C、中止・評価困難のみ）"
    assert sheet.grading_note.startswith(
        "目標に対しての成果。F:完了、S:100％超、A:100％、B:50％～100％未満、C:50％未満"
    )


def test_kanagawa_page_and_book_print_its_marks_reason_heading_and_note():
    plan = make_plan(scheme="kanagawa")
    outcome(plan, Decimal(100))
    outcome(plan, Decimal(90), reason="事業が遅れた。")
    context = report_context(plan, 2024)

    html = render_report(context, "html").decode()

    assert "達成状況評価の理由<br>（評価×のみ）" in html and "（評価C・Dのみ）" not in html
    assert ">○<" in html and ">×<" in html and "事業が遅れた。" in html
    assert "目標に対しての成果。○:100％以上、×:100％未満" in html
    book = openpyxl.load_workbook(io.BytesIO(render_report(context, "xlsx")))
    texts = {str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value}
    assert "達成状況評価の理由\n（評価×のみ）" in texts
    assert {"○", "×", "事業が遅れた。"} <= texts


def test_a_closed_year_prints_by_the_scheme_it_was_closed_with():
    plan = make_plan()
    outcome(plan, Decimal(70), reason="周知が不足した。")
    make_closed_year(plan, 2024)
    plan.grading_scheme = scheme_files.to_data(scheme_files.preset("kanagawa"))
    plan.save()

    context = report_context(plan, 2024)

    sheet = context["sheet"]
    assert sheet.grading_note == "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"
    assert sheet.reason_note == "（評価C・Dのみ）"
    assert [(o.grade, o.reason) for o in printed_outcomes(sheet)] == [("C", "周知が不足した。")]
    assert [share.letter for share in context["summary"].overall.shares] == ["A", "B", "C", "D", "ー"]


def test_a_state_the_years_scheme_does_not_know_is_printed_by_its_stored_word():
    plan = make_plan(scheme="akiruno")
    outcome(plan, state="cancelled", reason="中止した。")
    outcome(plan, state="tallying")
    setagaya = scheme_files.preset("setagaya")  # knows 集計中 only

    sheet = report_sheet(plan, 2024)
    [cancelled, tallying] = printed_outcomes(sheet)
    [unknown, known] = printed_outcomes(build_sheet(report_data(plan, 2024), closed=False, rule=setagaya))

    assert (cancelled.lines[1].text, tallying.lines[1].text) == ("中止", "集計中")
    assert (unknown.lines[1].text, known.lines[1].text) == ("cancelled", "集計中")
