"""A plan's four years (令和6〜9年度), through the services as the people would act, then read back on
the screens, the export and the report:

- FY2024 entered, approved and closed with a 集計中 item;
- FY2025 opened with last year's target carried; the indicator moved to another department from
  FY2025 and its target revised with a ※3 mark; the FY2024 figure completed late; closed, then
  reopened by the planning section with a reason to correct a figure, and closed again;
- FY2026 opened with the target carried; the planning section raises B's threshold (regrading the
  open year only); graded C with a reason; closed;
- FY2027, the plan's last year, opened, entered and closed; FY2028 is refused until the period is
  extended on the record.

Each year shows as it was: its figures, grade, department, marks, ※1 and late completion."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.enums import Role
from departments.models import Department
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, ResultStatus, RevisionField, YearStatus
from evaluation.domain.workflow import Action
from evaluation.models import EvaluationYear, Plan, Result
from evaluation.report.document import report_sheet
from evaluation.services import years
from evaluation.services.late_figures import report_late_figure, review_late_figure
from evaluation.services.regrading import apply_regrading
from evaluation.services.results import ActualInput, review, save_draft, submit
from evaluation.services.revisions import revise
from evaluation.services.years import YearRefused
from evaluation.workbook.plan_export import workbook_rows
from evaluation.workbook.plan_import import import_plan_rows
from evaluation.workbook.results_export import result_rows
from tests.builders import enter_actual, make_department, make_indicator, make_plan, make_result, make_user, thresholds

pytestmark = pytest.mark.django_db


def _outcome(sheet):
    [slot] = sheet.areas[0].visions[0].initiatives[0].slots
    return slot.outcome


def _result(fiscal_year: int) -> Result:
    return Result.objects.get(fiscal_year=fiscal_year)


def _approve(fiscal_year: int, planner) -> Result:
    result = _result(fiscal_year)
    return review(result, Action.APPROVE, user=planner, expected_version=result.version)


def _close(fiscal_year: int, planner) -> None:
    years.close_year(EvaluationYear.objects.get(fiscal_year=fiscal_year), user=planner)


@pytest.fixture
def story(client):
    """The four years lived through; returns who acted."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画", first_fiscal_year=2024, last_fiscal_year=2027)
    welfare = make_department("保健福祉政策課")
    staff = make_user("staff", department=welfare)
    planner = make_user("planner", department=make_department("計画課"), role=Role.PLANNING)
    indicator = make_indicator(plan, department=welfare, name="相談窓口の認知度", unit="%")
    make_result(indicator, fiscal_year=2024, target=Decimal(9))

    # FY2024: opened, the survey is still being tallied, submitted, approved, closed.
    years.open_year(plan, 2024, user=planner)
    result = _result(2024)
    value = result.values.get()
    tallying = {value.pk: ActualInput(ActualState.TALLYING)}
    result = save_draft(result, user=staff, expected_version=result.version, actuals=tallying, reason="")
    submit(result, user=staff, expected_version=result.version)
    _approve(2024, planner)
    _close(2024, planner)
    assert EvaluationYear.objects.get(fiscal_year=2024).status == YearStatus.CLOSED

    # FY2025: opened with last year's target carried forward.
    assert years.opening_preview(plan, 2025).carriable == [indicator]
    years.open_year(plan, 2025, user=planner, carry_forward=True)
    carried = _result(2025).values.get()
    assert (carried.target_value, carried.carried_from) == (Decimal(9), 2024)

    # From FY2025 the indicator moves to another department (plan workbook), and its target is
    # revised with a ※3 mark: both belong to FY2025 and later only.
    rows = list(workbook_rows(plan, {2025}))
    for row in rows:
        row["担当所管課"] = "地域福祉課"
    import_plan_rows(rows)
    fy2025 = _result(2025)
    revise(
        fy2025,
        user=planner,
        field=RevisionField.TARGET,
        new_value="10",
        reason="区民意識調査の設問変更",
        expected_version=fy2025.version,
        footnote="※3",
    )
    new_staff = make_user("new-staff", department=Department.objects.get(name="地域福祉課"))
    fy2025 = enter_actual(_result(2025), new_staff, "9.5", then_submit=True)
    assert (fy2025.status, fy2025.grade) == (ResultStatus.SUBMITTED, "B")  # 9.5 against the revised 10
    _approve(2025, planner)

    # The FY2024 figure arrives late: reported, approved, written into the closed year only.
    figure = report_late_figure(
        _result(2024), user=staff, actuals={value.pk: ActualInput(ActualState.NUMBER, Decimal("8.5"))}
    )
    review_late_figure(figure, user=planner, approve=True)
    _close(2025, planner)

    # FY2025 is reopened to correct its figure: on the record, the item reopened, corrected, approved.
    years.reopen_year(EvaluationYear.objects.get(fiscal_year=2025), user=planner, reason="実績値の転記誤りの訂正")
    fy2025 = _result(2025)
    review(fy2025, Action.REOPEN, user=planner, expected_version=fy2025.version, comment="実績を確認してください。")
    enter_actual(_result(2025), new_staff, "10.2", then_submit=True)
    _approve(2025, planner)
    _close(2025, planner)

    # FY2026: the target carried from FY2025 (its revised 10); B's threshold raised to 95 %, which
    # regrades the open year only; 9.0 of 10 is then C, with its reason.
    years.open_year(plan, 2026, user=planner, carry_forward=True)
    assert _result(2026).values.get().target_value == Decimal(10)
    plan = Plan.objects.get(pk=plan.pk)
    apply_regrading(plan, scheme_files.with_thresholds(plan.scheme, threshold_b=Decimal(95)), user=planner)
    enter_actual(_result(2026), new_staff, "9.0", reason="相談窓口の周知が遅れたため", then_submit=True)
    assert _result(2026).grade == "C"
    _approve(2026, planner)
    _close(2026, planner)

    # FY2027, the last year of the plan.
    years.open_year(plan, 2027, user=planner, carry_forward=True)
    enter_actual(_result(2027), new_staff, "11", then_submit=True)
    _approve(2027, planner)
    _close(2027, planner)
    with pytest.raises(YearRefused):
        years.open_year(plan, 2028, user=planner)
    years.extend_period(plan, 2028, user=planner, reason="次期計画の策定を1年延期")
    assert Plan.objects.get(pk=plan.pk).fiscal_years == range(2024, 2029)
    return {"plan": Plan.objects.get(pk=plan.pk), "planner": planner, "staff": staff, "new_staff": new_staff}


# What each year printed: (target, actual, achievement, grade, department, ※ marks, late, B's threshold).
AS_IT_WAS = {
    2024: ("9.0 %", "8.5 %", "94.4 %", "B", "保健福祉政策課", "", True, "80"),
    2025: ("10.0 %", "10.2 %", "102.0 %", "A", "地域福祉課", "※3", False, "80"),
    2026: ("10.0 %", "9.0 %", "90.0 %", "C", "地域福祉課", "", False, "95"),
    2027: ("10.0 %", "11.0 %", "110.0 %", "A", "地域福祉課", "", False, "95"),
}


@pytest.mark.parametrize("fiscal_year", AS_IT_WAS)
def test_each_years_report_shows_the_year_as_it_was(story, fiscal_year):
    target, actual, achievement, grade, department, marks, late, threshold_b = AS_IT_WAS[fiscal_year]
    sheet = report_sheet(story["plan"], fiscal_year)
    printed = _outcome(sheet)
    assert not sheet.provisional
    assert [line.text for line in printed.lines] == [target, actual, achievement]
    assert (printed.grade, printed.department, printed.marks) == (grade, department, marks)
    assert printed.late.startswith("確定値 ") is late
    assert f"B：{threshold_b}％" in sheet.grading_note
    assert ("※３" in sheet.footnotes) is (fiscal_year == 2025)
    if grade == "C":
        assert printed.reason == "相談窓口の周知が遅れたため"


@pytest.mark.parametrize("fiscal_year", AS_IT_WAS)
def test_each_years_export_shows_the_year_as_it_was(story, fiscal_year):
    target, actual, achievement, grade, department, marks, _late, _b = AS_IT_WAS[fiscal_year]
    [row] = result_rows(story["plan"], fiscal_year)
    assert (row["目標"], row["実績"], row["達成状況"]) == tuple(
        Decimal(text.removesuffix(" %")) for text in (target, actual, achievement)
    )
    assert (row["評価"], row["担当所管課"], row["注記"] or "", row["状態"]) == (grade, department, marks, "承認済")


@pytest.mark.parametrize("fiscal_year", AS_IT_WAS)
def test_each_years_screens_show_the_year_as_it_was(story, client, fiscal_year):
    _target, actual, achievement, grade, department, _marks, late, _b = AS_IT_WAS[fiscal_year]
    client.force_login(story["planner"])
    queue = client.get(reverse("review_queue", args=[fiscal_year]), {"plan": story["plan"].pk}).content.decode()
    assert department in queue and achievement.replace(" ", "") in queue
    item = client.get(reverse("review_item", args=[_result(fiscal_year).pk])).content.decode()
    assert f'<td class="num">{actual.removesuffix(" %")}</td>' in item and department in item
    assert ("確定値" in item) is late


def test_the_old_department_still_reads_its_year_and_the_new_one_the_later_years(story, client):
    client.force_login(story["staff"])
    assert client.get(reverse("review_item", args=[_result(2024).pk])).status_code == 200
    assert client.get(reverse("review_item", args=[_result(2025).pk])).status_code == 404
    client.force_login(story["new_staff"])
    assert client.get(reverse("review_item", args=[_result(2026).pk])).status_code == 200
    assert client.get(reverse("review_item", args=[_result(2024).pk])).status_code == 404


def test_the_record_keeps_the_reopening_and_the_regrading(story):
    fy2025 = EvaluationYear.objects.get(fiscal_year=2025)
    assert (fy2025.status, fy2025.reopen_reason) == (YearStatus.CLOSED, "実績値の転記誤りの訂正")
    assert fy2025.history.filter(history_change_reason="実績値の転記誤りの訂正").exists()
    statuses = [row.status for row in _result(2025).history.order_by("history_date", "history_id")]
    assert statuses.count(ResultStatus.APPROVED) == 2  # approved, reopened, approved again
    assert thresholds(EvaluationYear.objects.get(fiscal_year=2024).scheme)["threshold_b"] == Decimal(80)
    assert thresholds(story["plan"].scheme)["threshold_b"] == Decimal(95)
