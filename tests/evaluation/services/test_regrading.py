"""Regrading: a closed year keeps the rule it was closed with (its grades and its printed ※1), and a
change of the plan's grading settings is previewed, then applied to the open years on the record."""

from decimal import Decimal

import pytest

from evaluation.domain.enums import IndicatorKind, ResultStatus, YearStatus
from evaluation.models import EvaluationYear, Plan, Result, ResultValue
from evaluation.report.document import report_sheet
from evaluation.services import years
from tests.builders import make_graded_result, make_indicator, make_open_year

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SETAGAYA_NOTE = "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"
STRICTER_NOTE = "目標に対しての成果。A:100％、B：90％～100％未満、C:９０％未満、D:０％以下"


def _outcome(plan, department, fiscal_year, actual, **fields):
    indicator = make_indicator(plan, department=department)
    return make_graded_result(indicator, fiscal_year=fiscal_year, target=Decimal(100), actual=actual, **fields)


@pytest.fixture
def story(plan, department, planner):
    """FY2024 closed through the service (an 85 % B, approved); FY2025 open with an 85 % B draft,
    a 120 % A draft, an 85 % B that is approved, and an activity."""
    closed_b = _outcome(plan, department, 2024, Decimal(85), status=ResultStatus.APPROVED)
    EvaluationYear.objects.create(plan=plan, fiscal_year=2024)
    years.close_year(EvaluationYear.objects.get(fiscal_year=2024), user=planner)
    make_open_year(plan, 2025)
    open_b = _outcome(plan, department, 2025, Decimal(85), status=ResultStatus.DRAFT)
    open_a = _outcome(plan, department, 2025, Decimal(120), status=ResultStatus.DRAFT)
    approved_b = _outcome(plan, department, 2025, Decimal(85), status=ResultStatus.APPROVED)
    activity = make_indicator(plan, department=department, kind=IndicatorKind.ACTIVITY)
    make_graded_result(activity, fiscal_year=2025, target=None, actual=Decimal(5))
    return {"closed_b": closed_b, "open_b": open_b, "open_a": open_a, "approved_b": approved_b}


# The closed year's snapshot -------------------------------------------------------------------------


def test_closing_a_year_keeps_the_plans_rule_on_the_year(plan, story):
    year = EvaluationYear.objects.get(plan=plan, fiscal_year=2024)
    assert year.status == YearStatus.CLOSED
    assert year.grading_rule == plan.grading_rule
    assert (year.rule_formula, year.rule_threshold_b, year.rule_decimals) == ("ratio", Decimal(80), 1)
    Plan.objects.filter(pk=plan.pk).update(threshold_b=Decimal(90))
    plan.refresh_from_db()
    assert plan.grading_rule_of(2024).threshold_b == Decimal(80)  # closed: its snapshot
    assert plan.grading_rule_of(2025).threshold_b == Decimal(90)  # open: the plan's settings


def test_a_reopened_year_follows_the_plans_settings_again(plan, story, planner):
    Plan.objects.filter(pk=plan.pk).update(threshold_b=Decimal(90))
    year = years.reopen_year(EvaluationYear.objects.get(plan=plan, fiscal_year=2024), user=planner, reason="再計算")
    year.plan.refresh_from_db()
    assert year.grading_rule.threshold_b == Decimal(90)


def test_a_closed_year_keeps_its_grades_and_its_printed_note_when_the_plans_settings_change(plan, story):
    Plan.objects.filter(pk=plan.pk).update(threshold_b=Decimal(90))
    plan.refresh_from_db()
    assert report_sheet(plan, 2024).grading_note == SETAGAYA_NOTE
    assert report_sheet(plan, 2025).grading_note == STRICTER_NOTE
    closed = Result.objects.get(pk=story["closed_b"].pk)
    assert (closed.grade, ResultValue.objects.get(result=closed).achievement) == ("B", Decimal("85.0"))


def test_the_migration_gives_an_already_closed_year_the_plans_rule(plan):
    from importlib import import_module

    from django.apps import apps

    year = EvaluationYear.objects.create(plan=plan, fiscal_year=2024, status=YearStatus.CLOSED)
    import_module("evaluation.migrations.0010_year_grading_rule").snapshot_closed_years(apps, None)
    year.refresh_from_db()
    assert year.has_rule_snapshot and year.grading_rule == plan.grading_rule
