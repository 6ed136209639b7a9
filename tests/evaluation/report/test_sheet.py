"""The printed sheet (evaluation.report.sheet) of built plans: what each cell of the seed's layout
holds, the footnotes, 暫定, and the report's queries at two sizes."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from departments.enums import Role
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, IndicatorKind, RevisionField
from evaluation.domain.workflow import Action
from evaluation.models import Initiative, Vision
from evaluation.queries.report import report_data
from evaluation.report.document import render_report, report_context, report_sheet
from evaluation.report.sheet import build_sheet, grading_note
from evaluation.report.xlsx import render_xlsx
from evaluation.services.results import review
from evaluation.services.revisions import revise
from tests.builders import (
    add_membership,
    enter_actual,
    make_closed_year,
    make_department,
    make_graded_result,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db

SETAGAYA_NOTE = "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"


@pytest.fixture
def plan():
    return make_plan("世田谷区地域保健医療福祉総合計画")


@pytest.fixture
def welfare():
    return make_department("保健福祉政策課")


@pytest.fixture
def initiative(plan):
    initiative = make_initiative(plan)
    Initiative.objects.filter(pk=initiative.pk).update(
        title="地域資源の開発", description="団体を訪問します。", implementation_ref="施策８－２", is_relisted=True
    )
    Vision.objects.filter(pk=initiative.vision_id).update(
        heading="", statement="相談できています。", plan_pages="40-44"
    )
    initiative.refresh_from_db()
    return initiative


def _outcome(plan, initiative, department, *, label="1", actual=Decimal(90), target=Decimal(100), **fields):
    indicator = make_indicator(
        plan, initiative=initiative, department=department, label=label, unit="件", name=f"成果{label}", **fields
    )
    return make_graded_result(indicator, target=target, actual=actual)


def _only_initiative(sheet):
    [area] = sheet.areas
    [vision] = area.visions
    [initiative] = vision.initiatives
    return area, vision, initiative


def test_an_initiative_prints_its_activity_beside_its_outcome_with_the_sheets_numbers_and_marks(
    plan, initiative, welfare
):
    activity = make_indicator(
        plan,
        initiative=initiative,
        department=make_department("地域行政課"),
        kind=IndicatorKind.ACTIVITY,
        label="1-1",
        unit="回",
        name="研修の実施",
        baseline_text="１回",
        baseline_as_of="令和５年度見込み",
    )
    make_graded_result(
        activity, target=None, actual=Decimal(5), values_by_label={"": {"original_plan_value": Decimal(5)}}
    )
    result = _outcome(plan, initiative, welfare, label="1-1", actual=Decimal(70), footnote="※2")
    result.reason = "参加者が減った。"
    result.revision_reason = "策定時の現況値に誤りがあったため、現況値及び目標値を修正した"
    result.save()

    sheet = report_sheet(plan, 2024, label="資料１－３")

    area, vision, printed = _only_initiative(sheet)
    assert (area.pillar_heading, area.heading) == ("１　柱1", "推進施策1　推進施策1")
    assert (vision.band, vision.statement, vision.pages) == ("めざす姿", "相談できています。", "計画書 P40～44")
    assert (printed.number, printed.title, printed.tags) == ("1", "地域資源の開発", ["【再掲】"])
    [slot] = printed.slots
    assert slot.activity.number == "１－①" and slot.outcome.number == "１－①"
    assert slot.activity.full_name == "研修の実施【再掲】【実施計画 施策８－２】"
    assert (slot.activity.baseline, slot.activity.baseline_as_of) == ("１回", "（令和５年度見込み）")
    assert [(line.heading, line.text) for line in slot.activity.lines] == [
        ("当初計画", "5 回"),
        ("修正計画", "ー"),
        ("実績", "5 回"),
    ]
    assert [(line.heading, line.text) for line in slot.outcome.lines] == [
        ("目標", "100 件"),
        ("実績", "70 件"),
        ("達成状況", "70.0 %"),
    ]
    assert (slot.grade, slot.reason) == ("C", "参加者が減った。")
    assert slot.department == "（行動量）地域行政課（成果指標）保健福祉政策課"
    assert slot.outcome.marks == "※2" and printed.marks == {"※２"}
    assert sheet.footnotes == {"※２": "策定時の現況値に誤りがあったため、現況値及び目標値を修正した"}
    assert vision.footnotes_used == {"※２"}
    assert sheet.label == "資料１－３" and sheet.year_heading == "令和６年度"


def test_a_reason_prints_only_for_c_and_d(plan, initiative, welfare):
    result = _outcome(plan, initiative, welfare, actual=Decimal(95))
    result.reason = "説明"
    result.save()
    [slot] = _only_initiative(report_sheet(plan, 2024))[2].slots
    assert (slot.grade, slot.reason) == ("B", "")


def test_tallying_texts_and_missing_figures_print_as_the_sheet_does(plan, initiative, welfare):
    tallying = _outcome(plan, initiative, welfare, label="1", actual="集計中")
    text_plan = make_indicator(plan, initiative=initiative, department=welfare, kind=IndicatorKind.ACTIVITY, label="1")
    make_graded_result(
        text_plan, target=None, actual="一部運用", values_by_label={"": {"original_plan_text": "課題整理"}}
    )

    [slot] = _only_initiative(report_sheet(plan, 2024))[2].slots

    assert [line.text for line in slot.outcome.lines] == ["100 件", "集計中", "ー"]
    assert slot.grade == "ー" and tallying.values.get().actual_state == ActualState.TALLYING
    assert [line.text for line in slot.activity.lines] == ["課題整理", "ー", "一部運用"]
    assert [line.numeric for line in slot.activity.lines] == [False, True, False]


def test_a_rate_keeps_the_plans_decimals_and_a_figure_its_stored_number(plan, initiative, welfare):
    indicator = make_indicator(plan, initiative=initiative, department=welfare, unit="%", label="1")
    make_graded_result(indicator, target=Decimal(9), actual=Decimal(9))
    [slot] = _only_initiative(report_sheet(plan, 2024))[2].slots
    target, actual, achievement = (line.figures[0] for line in slot.outcome.lines)
    assert (target.text, target.unit, target.number, target.places) == ("9.0", "%", Decimal(9), 1)
    assert (achievement.text, achievement.number) == ("100.0", Decimal("100.0"))


def test_a_compound_indicator_prints_each_sub_item(plan, initiative, welfare):
    indicator = make_indicator(plan, initiative=initiative, department=welfare, sub_items=("a", "b"), unit="件")
    make_graded_result(
        indicator,
        target=Decimal(60),
        values_by_label={
            "a": {"actual_state": ActualState.NUMBER, "actual_value": Decimal(139)},
            "b": {"actual_state": ActualState.NUMBER, "actual_value": Decimal(30)},
        },
    )
    [slot] = _only_initiative(report_sheet(plan, 2024))[2].slots
    assert [line.text for line in slot.outcome.lines] == [
        "a)60 件　b)60 件",
        "a)139 件　b)30 件",
        "a)231.7 %　b)50.0 %",
    ]
    assert slot.grade == "C"  # the worst sub-item's


def test_an_initiative_without_indicators_prints_one_blank_row(plan, initiative):
    [slot] = _only_initiative(build_sheet(report_data(plan, 2024), closed=True))[2].slots
    assert slot.activity is None and slot.outcome is None and slot.department == ""


def test_more_activities_than_outcomes_leave_the_outcome_side_blank(plan, initiative, welfare):
    for label in ("1-1", "1-2"):
        activity = make_indicator(
            plan, initiative=initiative, department=welfare, kind=IndicatorKind.ACTIVITY, label=label
        )
        make_graded_result(activity, target=None, actual=Decimal(1))
    _outcome(plan, initiative, welfare, label="1")
    slots = _only_initiative(report_sheet(plan, 2024))[2].slots
    assert [(slot.activity.number, slot.outcome.number if slot.outcome else None) for slot in slots] == [
        ("１－①", "1"),
        ("１－②", None),
    ]


def test_several_visions_print_their_number_and_heading(plan, welfare):
    first = make_initiative(plan, vision=1)
    second = make_initiative(plan, vision=2)
    for initiative in (first, second):
        _outcome(plan, initiative, welfare)
    [area] = report_sheet(plan, 2024).areas
    assert [vision.band for vision in area.visions] == ["めざす姿1　めざす姿1", "めざす姿2　めざす姿2"]


def test_the_grading_note_is_made_from_the_plans_settings(plan):
    assert grading_note(plan.scheme) == SETAGAYA_NOTE
    plan.grading_scheme = scheme_files.to_data(
        scheme_files.with_thresholds(plan.scheme, threshold_b=Decimal(90), threshold_d=Decimal(10))
    )
    expected = "目標に対しての成果。A:100％、B：90％～100％未満、C:９０％未満、D:１０％以下"
    assert grading_note(plan.scheme) == expected


def test_the_sheet_is_provisional_until_the_year_is_closed(plan, initiative, welfare):
    _outcome(plan, initiative, welfare)
    assert report_sheet(plan, 2024).provisional
    make_closed_year(plan)
    assert not report_sheet(plan, 2024).provisional
    assert build_sheet(report_data(plan, 2024), closed=False, today=datetime.date(2025, 6, 1)).printed_on == (
        datetime.date(2025, 6, 1)
    )


def test_a_revision_with_a_footnote_mark_is_printed_as_a_footnote(plan, initiative, welfare):
    result = _outcome(plan, initiative, welfare, footnote="※3")
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    revise(
        result,
        user=planner,
        field=RevisionField.TARGET,
        new_value="120",
        reason="設問の変更があったため",
        expected_version=result.version,
        footnote="※3",
    )
    sheet = report_sheet(plan, 2024)
    assert sheet.footnotes == {"※３": "設問の変更があったため"}
    assert sheet.footnotes_for({"※３"}) == [("※３", "設問の変更があったため")]


def test_department_staff_see_only_their_departments_initiatives(plan, welfare):
    mine, theirs = make_initiative(plan, number=1), make_initiative(plan, number=2)
    _outcome(plan, mine, welfare)
    _outcome(plan, theirs, make_department("住宅課"))
    make_initiative(plan, number=3)  # no indicator: not the department's either

    [area] = build_sheet(report_data(plan, 2024, department_ids={welfare.pk}), closed=False).areas

    assert [initiative.number for initiative in area.visions[0].initiatives] == ["1"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_report_reads_the_plan_in_a_fixed_number_of_queries(plan, welfare, count, django_assert_num_queries):
    for number in range(1, count + 1):
        initiative = make_initiative(plan, policy_area=number % 3 + 1, vision=1, number=number)
        _outcome(plan, initiative, welfare, label=str(number))
        activity = make_indicator(
            plan, initiative=initiative, department=welfare, kind=IndicatorKind.ACTIVITY, sub_items=("a", "b")
        )
        make_graded_result(activity, target=None, actual=Decimal(1))
    with django_assert_num_queries(6):  # one reads the year's grading rule (a closed year's snapshot)
        sheet = build_sheet(report_data(plan, 2024), closed=True)
    assert sum(len(vision.initiatives) for area in sheet.areas for vision in area.visions) == count


def _printed_outcome(plan, fiscal_year):
    sheet = build_sheet(report_data(plan, fiscal_year), closed=False)
    [slot] = _only_initiative(sheet)[2].slots
    return sheet, slot.outcome


def test_a_revision_mark_belongs_to_the_year_it_was_made_for(plan, initiative, welfare):
    """Marks per year (issue 9): a ※3 revision of FY2025's target leaves FY2024's sheet with the
    indicator's own mark and no ※3 footnote; FY2025 prints ※3 once."""
    result_2024 = _outcome(plan, initiative, welfare, footnote="※")
    result_2025 = make_graded_result(result_2024.indicator, fiscal_year=2025, target=Decimal(100), actual=Decimal(90))
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    for target in ("120", "110"):  # the same mark twice is printed once
        result_2025.refresh_from_db()
        revise(
            result_2025,
            user=planner,
            field=RevisionField.TARGET,
            new_value=target,
            reason="区民意識調査にて設問の変更があったため",
            expected_version=result_2025.version,
            footnote="※3",
        )

    sheet_2024, printed_2024 = _printed_outcome(plan, 2024)
    assert printed_2024.marks == "※"
    assert sheet_2024.footnotes == {}
    sheet_2025, printed_2025 = _printed_outcome(plan, 2025)
    assert printed_2025.marks == "※※3"
    assert printed_2025.marks.count("※3") == 1
    assert sheet_2025.footnotes == {"※３": "区民意識調査にて設問の変更があったため"}
    result_2024.refresh_from_db()
    result_2025.refresh_from_db()
    assert (result_2024.marks, result_2025.marks) == ("※", "※※3")


def test_an_item_approved_by_its_own_submitter_is_flagged_on_the_sheet_and_in_the_book(plan, initiative, welfare):
    """Separation of duties (issue 9): where the plan allows a one-person section to approve its own
    submission, the report says so beside 実績 and explains 自己承認 under the vision's table; an item
    approved by someone else carries no such note, nor does one reopened since."""
    plan.allows_own_review = True
    plan.save()
    make_open_year(plan, 2024)
    alone = make_user("alone", department=welfare, role=Role.PLANNING)
    add_membership(alone, welfare, Role.ENTRY)
    own = enter_actual(
        make_result(make_indicator(plan, initiative=initiative, department=welfare, label="1"), target=Decimal(100)),
        alone,
        "120",
        then_submit=True,
    )
    review(own, Action.APPROVE, user=alone, expected_version=own.version)

    sheet = build_sheet(report_data(plan, 2024), closed=False)
    [slot] = _only_initiative(sheet)[2].slots
    assert slot.outcome.actual_notes == ["自己承認"]
    [vision] = sheet.areas[0].visions
    assert vision.has_own_approval
    html = render_report(report_context(plan, 2024), "html").decode()
    assert html.count('<span class="rpt-asof">自己承認</span>') == 1
    assert "自己承認　提出した担当者自身が承認した項目" in html
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))
    texts = [cell.value for row in book.active.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "実績\n自己承認" in texts
    assert any(text.startswith("自己承認　提出した担当者自身が承認") for text in texts)

    own.refresh_from_db()
    review(
        own,
        Action.REOPEN,
        user=make_user("other", department=welfare, role=Role.PLANNING),
        expected_version=own.version,
        comment="再確認します。",
    )
    sheet = build_sheet(report_data(plan, 2024), closed=False)
    [slot] = _only_initiative(sheet)[2].slots
    assert slot.outcome.actual_notes == []
    assert not sheet.areas[0].visions[0].has_own_approval
