"""確定値の報告: after the year is closed, an approved 集計中 item is completed through its named path;
nothing else of the closed year changes."""

from decimal import Decimal

import pytest

from departments.enums import Role
from departments.models import Membership
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.workflow import TransitionRefused
from evaluation.models import LateFigure, Result, ResultValue
from evaluation.services.guards import PermissionRefused
from evaluation.services.late_figures import report_late_figure, review_late_figure
from evaluation.services.results import ActualInput
from tests.builders import make_closed_year, make_department, make_indicator, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    plan = make_plan()
    department = make_department("福祉課")
    staff = make_user("staff", department=department)
    planner = make_user("planner", department=make_department("計画課"), role=Role.PLANNING)
    tallying = make_result(
        make_indicator(plan, department=department), target=Decimal(100), actual="集計中", status=ResultStatus.APPROVED
    )
    make_closed_year(plan)
    return {"plan": plan, "staff": staff, "planner": planner, "result": tallying}


def _figure(result, number):
    value = result.values.get()
    return {value.pk: ActualInput(ActualState.NUMBER, Decimal(number))}


def test_the_department_reports_the_figure_and_the_planning_section_approves_it(setting):
    result, staff, planner = setting["result"], setting["staff"], setting["planner"]

    figure = report_late_figure(result, user=staff, actuals=_figure(result, "95"))
    assert ResultValue.objects.get(result=result).actual_state == ActualState.TALLYING  # not yet

    review_late_figure(figure, user=planner, approve=True)

    result.refresh_from_db()
    value = ResultValue.objects.get(result=result)
    assert (value.actual_state, value.actual_value, value.grade, result.grade) == (
        ActualState.NUMBER,
        Decimal(95),
        "B",
        "B",
    )
    assert result.completed_late_at is not None and result.status == ResultStatus.APPROVED
    assert value.history.latest().history_change_reason == "late figure"
    assert LateFigure.objects.get().status == LateFigure.Status.APPROVED


def test_a_late_figure_is_graded_by_the_rule_its_year_was_closed_with(setting):
    """The plan's B threshold moved to 96 % after FY2024 closed: FY2024's 95 % is still a B."""
    result, staff, planner, plan = setting["result"], setting["staff"], setting["planner"], setting["plan"]
    plan.grading_scheme = scheme_files.to_data(scheme_files.with_thresholds(plan.scheme, threshold_b=Decimal(96)))
    plan.save()
    figure = report_late_figure(result, user=staff, actuals=_figure(result, "95"))
    review_late_figure(figure, user=planner, approve=True)
    result.refresh_from_db()
    assert result.grade == "B"


def test_a_c_needs_its_reason_and_a_return_needs_a_comment(setting):
    result, staff, planner = setting["result"], setting["staff"], setting["planner"]
    figure = report_late_figure(result, user=staff, actuals=_figure(result, "50"))
    with pytest.raises(TransitionRefused):
        review_late_figure(figure, user=planner, approve=True)
    with pytest.raises(TransitionRefused):
        review_late_figure(figure, user=planner, approve=False, comment=" ")
    review_late_figure(figure, user=planner, approve=False, comment="理由を書いてください")
    figure = report_late_figure(result, user=staff, actuals=_figure(result, "50"), reason="調査の回収率が低かった")
    review_late_figure(figure, user=planner, approve=True)
    result.refresh_from_db()
    assert (result.grade, result.reason) == ("C", "調査の回収率が低かった")


def test_only_the_owning_department_reports_and_only_the_planning_section_reviews(setting):
    result, planner = setting["result"], setting["planner"]
    other = make_user("other", department=make_department("住宅課"))
    with pytest.raises(PermissionRefused):
        report_late_figure(result, user=other, actuals=_figure(result, "95"))
    figure = report_late_figure(result, user=setting["staff"], actuals=_figure(result, "95"))
    with pytest.raises(PermissionRefused):
        review_late_figure(figure, user=setting["staff"], approve=True)
    with pytest.raises(TransitionRefused):  # one waiting figure at a time
        report_late_figure(result, user=setting["staff"], actuals=_figure(result, "96"))
    assert review_late_figure(figure, user=planner, approve=True).status == LateFigure.Status.APPROVED


def test_nothing_else_of_the_closed_year_takes_a_late_figure(setting):
    plan, staff = setting["plan"], setting["staff"]
    department = staff.memberships.get().department
    graded = make_result(make_indicator(plan, department=department), actual=Decimal(90), status=ResultStatus.APPROVED)
    not_approved = make_result(make_indicator(plan, department=department), actual="集計中")
    for result in (graded, not_approved):
        with pytest.raises(TransitionRefused):
            report_late_figure(result, user=staff, actuals=_figure(result, "95"))
    with pytest.raises(TransitionRefused):  # every 集計中 sub-item needs its figure
        report_late_figure(setting["result"], user=staff, actuals={})
    assert not LateFigure.objects.exists()


def test_an_open_years_tallying_item_is_completed_on_the_entry_page_instead(staff, department, plan):
    result = make_result(make_indicator(plan, department=department), actual="集計中", status=ResultStatus.APPROVED)
    with pytest.raises(TransitionRefused, match="entry page|実績入力"):
        report_late_figure(result, user=staff, actuals=_figure(result, "95"))
    assert Result.objects.get(pk=result.pk).completed_late_at is None


def test_a_planner_who_reported_the_figure_as_its_department_does_not_approve_it(setting):
    result = setting["result"]
    both = make_user("both", department=result.indicator.department)
    Membership.objects.create(user=both, department=setting["planner"].memberships.get().department, role=Role.PLANNING)
    figure = report_late_figure(result, user=both, actuals=_figure(result, "95"))
    with pytest.raises(TransitionRefused, match="separation of duties|職務"):
        review_late_figure(figure, user=both, approve=True)
    assert review_late_figure(figure, user=setting["planner"], approve=True).status == LateFigure.Status.APPROVED
