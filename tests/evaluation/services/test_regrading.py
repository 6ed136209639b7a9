"""Regrading: a closed year keeps the rule it was closed with (its grades and its printed ※1), and a
change of the plan's grading settings is previewed, then applied to the open years on the record."""

import dataclasses
from decimal import Decimal

import pytest

from evaluation.domain import scheme_files
from evaluation.domain.enums import IndicatorKind, ResultStatus, YearStatus
from evaluation.models import EvaluationYear, Plan, Result, ResultValue
from evaluation.report.document import report_sheet
from evaluation.services import regrading, years
from evaluation.services.regrading import REGRADE_REASON, RegradingRefused, apply_regrading, regrading_preview
from tests.builders import make_graded_result, make_indicator, make_open_year, thresholds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SETAGAYA_NOTE = "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"
STRICTER_NOTE = "目標に対しての成果。A:100％、B：90％～100％未満、C:９０％未満、D:０％以下"


def _stricter(plan: Plan, **changes):
    """The plan's scheme with B from 90 % (and any other change)."""
    return scheme_files.with_thresholds(plan.scheme, threshold_b=Decimal(90), **changes)


def _set_stricter(plan: Plan) -> None:
    """The plan's scheme changed behind the services' back (as a test's shortcut)."""
    Plan.objects.filter(pk=plan.pk).update(grading_scheme=scheme_files.to_data(_stricter(plan)))


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
    assert year.scheme == plan.scheme
    assert year.rule_scheme == plan.grading_scheme
    kept = thresholds(year.scheme)
    assert (kept["measure"], kept["threshold_b"], kept["decimals"]) == ("ratio", Decimal(80), 1)
    _set_stricter(plan)
    plan.refresh_from_db()
    assert thresholds(plan.scheme_of(2024))["threshold_b"] == Decimal(80)  # closed: its snapshot
    assert thresholds(plan.scheme_of(2025))["threshold_b"] == Decimal(90)  # open: the plan's scheme


def test_a_reopened_year_follows_the_plans_settings_again(plan, story, planner):
    _set_stricter(plan)
    year = years.reopen_year(EvaluationYear.objects.get(plan=plan, fiscal_year=2024), user=planner, reason="再計算")
    year.plan.refresh_from_db()
    assert thresholds(year.scheme)["threshold_b"] == Decimal(90)


def test_a_closed_year_keeps_its_grades_and_its_printed_note_when_the_plans_settings_change(plan, story):
    _set_stricter(plan)
    plan.refresh_from_db()
    assert report_sheet(plan, 2024).grading_note == SETAGAYA_NOTE
    assert report_sheet(plan, 2025).grading_note == STRICTER_NOTE
    closed = Result.objects.get(pk=story["closed_b"].pk)
    assert (closed.grade, ResultValue.objects.get(result=closed).achievement) == ("B", Decimal("85.0"))


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_each_plans_settings_and_each_closed_years_snapshot_into_a_scheme():
    """0014: the settings of before (formula, three thresholds, rounding, decimals) become the scheme,
    on the plan and on a closed year's snapshot, grading the same."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("evaluation", "0013_result_approved_by_submitter")], [("evaluation", "0014_grading_schemes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old_plan = old.get_model("evaluation", "Plan").objects.create(
        name="移行前の計画",
        first_fiscal_year=2024,
        last_fiscal_year=2027,
        grading_formula="progress",
        threshold_a=Decimal(100),
        threshold_b=Decimal(90),
        threshold_d=Decimal(5),
        rounding="down",
        achievement_decimals=2,
    )
    old.get_model("evaluation", "EvaluationYear").objects.create(
        plan=old_plan,
        fiscal_year=2024,
        status="closed",
        rule_formula="ratio",
        rule_threshold_a=Decimal(100),
        rule_threshold_b=Decimal(80),
        rule_threshold_d=Decimal(0),
        rule_rounding="half_up",
        rule_decimals=1,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    plan = Plan.objects.get(name="移行前の計画")
    assert thresholds(plan.scheme) == {
        "measure": "progress",
        "threshold_a": Decimal(100),
        "threshold_b": Decimal(90),
        "threshold_d": Decimal(5),
        "rounding": "down",
        "decimals": 2,
    }
    assert plan.scheme_of(2024) == scheme_files.default_scheme()  # the closed year's snapshot: Setagaya's


# The preview --------------------------------------------------------------------------------------


def test_the_preview_lists_exactly_the_open_years_grades_that_would_change(plan, story):
    before = list(ResultValue.objects.order_by("pk").values()), list(Result.objects.order_by("pk").values())
    preview = regrading_preview(plan, _stricter(plan))
    assert preview.fiscal_years == [2025]
    assert [change.result.pk for change in preview.changes] == [story["open_b"].pk]
    [change] = preview.changes
    assert (change.old_grade, change.new_grade) == ("B", "C")
    assert change.old_achievement == change.new_achievement == (("", Decimal("85.0")),)
    assert change.needs_reason  # a C needs the department's reason
    assert [change.result.pk for change in preview.approved] == [story["approved_b"].pk]
    assert preview.grade_change_count == 1
    # nothing changed
    assert (list(ResultValue.objects.order_by("pk").values()), list(Result.objects.order_by("pk").values())) == before


def test_the_preview_lists_a_changed_achievement_with_the_same_grade(plan, department, story):
    indicator = make_indicator(plan, department=department)
    result = make_graded_result(indicator, fiscal_year=2025, target=Decimal(60), actual=Decimal(139))
    assert result.values.get().achievement == Decimal("231.7")  # 231.666… half up
    preview = regrading_preview(plan, dataclasses.replace(plan.scheme, rounding="down"))
    [change] = preview.changes
    assert change.result.pk == result.pk
    assert (change.old_grade, change.new_grade) == ("A", "A")
    assert (change.old_achievement, change.new_achievement) == ((("", Decimal("231.7")),), (("", Decimal("231.6")),))
    assert preview.grade_change_count == 0


def test_the_plans_own_rule_changes_nothing(plan, story):
    preview = regrading_preview(plan, plan.scheme)
    assert (preview.changes, preview.approved, preview.rule_changes) == ([], [], False)


# Applying -----------------------------------------------------------------------------------------


def test_applying_is_refused_while_an_approved_item_would_change(plan, story, planner):
    with pytest.raises(RegradingRefused, match="1 approved item would change: reopen it"):
        apply_regrading(plan, _stricter(plan), user=planner)
    plan.refresh_from_db()
    assert thresholds(plan.scheme)["threshold_b"] == Decimal(80)
    assert Result.objects.get(pk=story["open_b"].pk).grade == "B"


def test_applying_regrades_the_open_years_on_the_record_and_keeps_the_closed_year(plan, story, planner):
    Result.objects.filter(pk=story["approved_b"].pk).update(status=ResultStatus.RETURNED)  # reopened
    preview = regrading_preview(plan, _stricter(plan))
    assert len(preview.changes) == 2 and not preview.approved
    closed_before = ResultValue.objects.get(result=story["closed_b"]).achievement, story["closed_b"].grade

    apply_regrading(plan, _stricter(plan), user=planner, expected=preview.token)

    plan.refresh_from_db()
    assert thresholds(plan.scheme)["threshold_b"] == Decimal(90)
    assert plan.history.first().history_change_reason == REGRADE_REASON
    for key in ("open_b", "approved_b"):
        result = Result.objects.get(pk=story[key].pk)
        assert result.grade == "C" and result.version == story[key].version + 1
        assert result.updated_by == planner
        assert result.history.first().history_change_reason == REGRADE_REASON
        value = result.values.get()
        assert value.grade == "C" and value.history.first().history_change_reason == REGRADE_REASON
    untouched = Result.objects.get(pk=story["open_a"].pk)
    assert (untouched.grade, untouched.version) == ("A", story["open_a"].version)
    # the closed year keeps its grade, its figure and its printed ※1
    closed = Result.objects.get(pk=story["closed_b"].pk)
    assert (ResultValue.objects.get(result=closed).achievement, closed.grade) == closed_before == (Decimal("85.0"), "B")
    assert report_sheet(plan, 2024).grading_note == SETAGAYA_NOTE
    assert report_sheet(plan, 2025).grading_note == STRICTER_NOTE


def test_applying_after_the_items_changed_since_the_preview_is_refused(plan, story, planner):
    Result.objects.filter(pk=story["approved_b"].pk).update(status=ResultStatus.RETURNED)
    token = regrading_preview(plan, _stricter(plan)).token
    Result.objects.filter(pk=story["open_b"].pk).update(version=story["open_b"].version + 1)  # saved meanwhile
    with pytest.raises(RegradingRefused, match="changed since the preview"):
        apply_regrading(plan, _stricter(plan), user=planner, expected=token)
    plan.refresh_from_db()
    assert thresholds(plan.scheme)["threshold_b"] == Decimal(80)


def test_only_the_planning_section_regrades(plan, story, staff):
    with pytest.raises(RegradingRefused):
        apply_regrading(plan, plan.scheme, user=staff)


def test_a_rule_from_the_plans_field_names():
    settings = {
        "grading_formula": "progress",
        "threshold_a": Decimal(100),
        "threshold_b": Decimal(70),
        "threshold_d": Decimal(0),
        "rounding": "down",
        "achievement_decimals": 2,
    }
    rule = regrading.rule_from(settings)
    assert thresholds(rule) == {
        "measure": "progress",
        "threshold_a": Decimal(100),
        "threshold_b": Decimal(70),
        "threshold_d": Decimal(0),
        "rounding": "down",
        "decimals": 2,
    }
