"""確定値の報告 under a scheme whose open state is not only 集計中: an item waits for its figure while its
state is `open` in the scheme its year was closed with, and closing the year lists it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.workflow import TransitionRefused
from evaluation.models import ResultValue
from evaluation.queries.progress import tallying_results
from evaluation.services import guards
from evaluation.services.late_figures import report_late_figure, review_late_figure
from evaluation.services.results import ActualInput
from evaluation.services.scoring import open_states
from tests.builders import (
    make_closed_year,
    make_department,
    make_indicator,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db


def _surveying_akiruno():
    """あきる野市's preset with one more open state, 調査中 (its figure comes later, as 集計中's does)."""
    data = scheme_files.to_data(scheme_files.preset("akiruno"))
    data["states"].append({"code": "surveying", "name": "調査中", "open": True})
    return scheme_files.from_data(data)


@pytest.fixture
def setting():
    plan = make_plan("あきる野市総合計画", scheme=_surveying_akiruno())
    department = make_department("福祉課")
    staff = make_user("staff", department=department)
    planner = make_user("planner", department=make_department("計画課"), role=Role.PLANNING)
    surveying = make_result(make_indicator(plan, department=department), target=Decimal(100), status="approved")
    cancelled = make_result(make_indicator(plan, department=department), target=Decimal(100), status="approved")
    ResultValue.objects.filter(result=surveying).update(actual_state="surveying")
    ResultValue.objects.filter(result=cancelled).update(actual_state="cancelled")
    return {"plan": plan, "staff": staff, "planner": planner, "surveying": surveying, "cancelled": cancelled}


def test_closing_lists_the_items_in_an_open_state(setting):
    plan = setting["plan"]
    year = make_open_year(plan)

    waiting = tallying_results(plan.pk, 2024, open_states(year.scheme))

    assert [result.pk for result in waiting] == [setting["surveying"].pk]  # not 中止: it is not open


def test_an_item_in_an_open_state_takes_a_late_figure_graded_by_the_closed_years_scheme(setting):
    make_closed_year(setting["plan"])
    result, staff, planner = setting["surveying"], setting["staff"], setting["planner"]
    assert guards.may_report_late_figure(staff, result, year_closed=True)
    value = result.values.get()

    figure = report_late_figure(result, user=staff, actuals={value.pk: ActualInput(ActualState.NUMBER, Decimal(120))})
    review_late_figure(figure, user=planner, approve=True)

    result.refresh_from_db()
    value.refresh_from_db()
    assert (value.actual_state, value.grade, result.grade, result.status) == ("number", "S", "S", ResultStatus.APPROVED)


def test_an_item_in_a_closed_state_takes_no_late_figure(setting):
    make_closed_year(setting["plan"])
    result, staff = setting["cancelled"], setting["staff"]

    assert not guards.may_report_late_figure(staff, result, year_closed=True)
    with pytest.raises(TransitionRefused):
        report_late_figure(result, user=staff, actuals={})


def test_the_late_figure_page_offers_the_open_state_and_the_schemes_reason_rule(client, setting):
    make_closed_year(setting["plan"])
    result = setting["surveying"]
    value = result.values.get()
    client.force_login(setting["staff"])

    html = client.get(reverse("late_figure", args=[result.pk])).content.decode()

    assert f'name="actual_{value.pk}"' in html
    assert "B・C・中止・評価困難のときは必須" in html and "C・Dのときは必須" not in html
