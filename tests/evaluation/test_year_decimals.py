"""Each year prints as it was (issue 9): a closed year keeps the achievement's decimals it was closed
with on every screen, export and page of the report, whatever the plan's settings say since; an open
year follows the plan's."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.report.document import report_context
from evaluation.services.regrading import apply_regrading
from evaluation.workbook.results_export import result_rows
from tests.builders import (
    make_closed_year,
    make_department,
    make_graded_result,
    make_indicator,
    make_open_year,
    make_plan,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return make_user("planner", department=make_department("計画課"), role=Role.PLANNING)


@pytest.fixture
def plan(planner):
    """23 of 30 (76.666…%, C) in FY2024, closed at one decimal, and in FY2025, open; the planning
    section has since set two decimals through the regrading, which regraded the open year only."""
    plan = make_plan("精度の計画", achievement_decimals=1)
    department = make_department("保健福祉政策課")
    make_closed_year(plan, 2024)
    make_open_year(plan, 2025)
    indicator = make_indicator(plan, department=department, name="精度の指標", unit="人")
    for year in (2024, 2025):
        make_graded_result(indicator, fiscal_year=year, target=Decimal(30), actual=Decimal(23), reason="理由")
    apply_regrading(plan, replace(plan.scheme, decimals=2), user=planner)
    plan.refresh_from_db()
    assert plan.achievement_decimals == 2
    return plan


@pytest.fixture
def planner_client(client, plan, planner):
    client.force_login(planner)
    return client


def test_the_plan_answers_each_years_decimals(plan):
    assert (plan.decimals_of(2024), plan.decimals_of(2025)) == (1, 2)
    assert plan.decimals_by_year() == {2024: 1, 2025: 2}


@pytest.mark.parametrize(("year", "printed"), [(2024, "76.7%"), (2025, "76.67%")])
def test_the_review_queue_and_the_item_page_print_the_years_decimals(planner_client, plan, year, printed):
    queue = planner_client.get(reverse("review_queue", args=[year]), {"plan": plan.pk}).content.decode()
    assert printed in queue
    result = plan.indicators.get().results.get(fiscal_year=year)
    item = planner_client.get(reverse("review_item", args=[result.pk])).content.decode()
    assert printed in item


def test_the_item_page_prints_an_earlier_year_with_its_own_decimals(planner_client, plan):
    result = plan.indicators.get().results.get(fiscal_year=2025)
    item = planner_client.get(reverse("review_item", args=[result.pk])).content.decode()
    assert "76.67%" in item and "76.7%" in item


@pytest.mark.parametrize(("year", "cell"), [(2024, Decimal("76.7")), (2025, Decimal("76.67"))])
def test_the_results_export_writes_the_years_decimals(plan, year, cell):
    [row] = result_rows(plan, year)
    assert row["達成状況"] == cell


@pytest.mark.parametrize(("year", "printed"), [(2024, "76.7%"), (2025, "76.67%")])
def test_the_report_prints_the_years_decimals_on_the_sheet_and_in_the_summary(plan, year, printed):
    context = report_context(plan, year)
    [area] = context["sheet"].areas
    outcome = area.visions[0].initiatives[0].slots[0].outcome
    assert outcome.lines[2].text == printed.replace("%", " %")  # the sheet sets the unit apart
    [low] = context["summary"].low_graded  # C, with its reason
    assert low.achievement == printed


def test_the_entry_page_of_the_closed_year_prints_its_decimals(client, plan):
    indicator = plan.indicators.get()
    client.force_login(make_user("staff", department=indicator.department))
    closed = client.get(reverse("entry_department", args=[indicator.department_id, 2024])).content.decode()
    open_ = client.get(reverse("entry_department", args=[indicator.department_id, 2025])).content.decode()
    assert "76.7%" in closed and "76.67%" not in closed
    assert "76.67%" in open_
