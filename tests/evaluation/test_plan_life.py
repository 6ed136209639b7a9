"""A plan's life over its years, through the services as the people would act: FY2024 entered,
approved and closed with a 集計中 item; FY2025 opened with last year's target carried, the indicator
moved to another department from FY2025 and its target revised with a ※3 mark; the FY2024 figure
completed late; each year's report shows the year as it was."""

from decimal import Decimal

import pytest

from departments.enums import Role
from departments.models import Department
from evaluation.domain.enums import ActualState, ResultStatus, RevisionField, YearStatus
from evaluation.domain.workflow import Action
from evaluation.models import EvaluationYear, Result
from evaluation.report.document import report_sheet
from evaluation.services import years
from evaluation.services.late_figures import report_late_figure, review_late_figure
from evaluation.services.results import ActualInput, review, save_draft, submit
from evaluation.services.revisions import revise
from evaluation.workbook.plan_export import workbook_rows
from evaluation.workbook.plan_import import import_plan_rows
from tests.builders import enter_actual, make_department, make_indicator, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db


def _outcome(sheet):
    [slot] = sheet.areas[0].visions[0].initiatives[0].slots
    return slot.outcome


def test_two_years_of_a_plan_each_reported_as_it_was():
    plan = make_plan("世田谷区地域保健医療福祉総合計画", first_fiscal_year=2024, last_fiscal_year=2027)
    welfare = make_department("保健福祉政策課")
    staff = make_user("staff", department=welfare)
    planner = make_user("planner", department=make_department("計画課"), role=Role.PLANNING)
    indicator = make_indicator(plan, department=welfare, name="相談窓口の認知度", unit="%")
    make_result(indicator, fiscal_year=2024, target=Decimal(9))

    # FY2024: opened, the survey is still being tallied, submitted, approved, closed.
    fy2024 = years.open_year(plan, 2024, user=planner).year
    result = Result.objects.get(fiscal_year=2024)
    value = result.values.get()
    result = save_draft(
        result,
        user=staff,
        expected_version=result.version,
        actuals={value.pk: ActualInput(ActualState.TALLYING)},
        reason="",
    )
    result = submit(result, user=staff, expected_version=result.version)
    result = review(result, Action.APPROVE, user=planner, expected_version=result.version)
    years.close_year(fy2024, user=planner)
    assert EvaluationYear.objects.get(fiscal_year=2024).status == YearStatus.CLOSED
    assert _outcome(report_sheet(plan, 2024)).lines[1].text == "集計中"

    # FY2025: opened with last year's target carried forward; entered, graded, submitted.
    assert years.opening_preview(plan, 2025).carriable == [indicator]
    years.open_year(plan, 2025, user=planner, carry_forward=True)
    fy2025 = Result.objects.get(fiscal_year=2025)
    assert fy2025.values.get().target_value == Decimal(9) and fy2025.values.get().carried_from == 2024

    # From FY2025 the indicator moves to another department (plan workbook), and its target is
    # revised with a ※3 mark: both belong to FY2025 only.
    rows = list(workbook_rows(plan, {2025}))
    for row in rows:
        row["担当所管課"] = "地域福祉課"
    import_plan_rows(rows)
    fy2025 = Result.objects.get(fiscal_year=2025)
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
    fy2025 = enter_actual(Result.objects.get(fiscal_year=2025), new_staff, "9.5", then_submit=True)
    assert (fy2025.status, fy2025.grade) == (ResultStatus.SUBMITTED, "B")  # 9.5 against the revised 10

    # The FY2024 figure arrives late: reported, approved, written into the closed year only.
    figure = report_late_figure(result, user=staff, actuals={value.pk: ActualInput(ActualState.NUMBER, Decimal("8.5"))})
    review_late_figure(figure, user=planner, approve=True)

    fy2024_sheet, fy2025_sheet = report_sheet(plan, 2024), report_sheet(plan, 2025)
    assert not fy2024_sheet.provisional and fy2025_sheet.provisional
    old, new = _outcome(fy2024_sheet), _outcome(fy2025_sheet)
    assert (old.lines[1].text, old.lines[2].text, old.grade) == ("8.5 %", "94.4 %", "B")
    assert old.late.startswith("確定値 ") and new.late == ""
    assert (new.lines[0].text, new.lines[1].text, new.grade) == ("10.0 %", "9.5 %", "B")
    assert (old.department, new.department) == ("保健福祉政策課", "地域福祉課")
    assert "※3" not in old.marks and new.marks.count("3") == 1
    assert "※３" not in fy2024_sheet.footnotes and fy2025_sheet.footnotes["※３"] == "区民意識調査の設問変更"
    assert Result.objects.get(fiscal_year=2024).status == ResultStatus.APPROVED
