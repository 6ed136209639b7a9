"""The report summary's facts: grades per policy area and year, activities against plan, the C and D
items, the items being tallied, the department limit, and four queries whatever the plan's size."""

from decimal import Decimal

import pytest

from evaluation.domain.enums import ActualState, IndicatorKind
from evaluation.models import Measure, ResultValue
from evaluation.queries.report_summary import ActivityState, activity_state, summary_data
from tests.builders import make_department, make_graded_result, make_indicator, make_initiative, make_result

pytestmark = pytest.mark.django_db

S = ActivityState


def outcome(plan, actual, *, area=1, pillar=1, department=None, fiscal_year=2024, **indicator_fields):
    """An outcome (target 100, higher is better) of the area, graded from `actual` the way the services grade."""
    indicator = make_indicator(
        plan,
        department=department,
        initiative=make_initiative(plan, pillar=pillar, policy_area=area),
        **indicator_fields,
    )
    make_graded_result(indicator, actual=actual, fiscal_year=fiscal_year)
    return indicator


def activity(plan, *, planned=None, revised=None, actual=None, plan_text="", area=1, pillar=1, department=None):
    indicator = make_indicator(
        plan,
        kind=IndicatorKind.ACTIVITY,
        department=department,
        initiative=make_initiative(plan, pillar=pillar, policy_area=area),
    )
    values = {"original_plan_value": planned, "revised_plan_value": revised, "original_plan_text": plan_text}
    make_graded_result(indicator, target=None, actual=actual, values_by_label={"": values})
    return indicator


def counts(tally):
    return [tally.counts[key] for key in ("A", "B", "C", "D", "")]


def test_grades_are_counted_per_policy_area_with_not_graded_apart(plan):
    for actual in (Decimal(100), Decimal(120), Decimal(90), Decimal(50), Decimal(0), "集計中"):
        outcome(plan, actual, area=1)
    outcome(plan, Decimal(85), area=2)
    make_indicator(plan, initiative=make_initiative(plan, policy_area=2))  # no result this year: ー

    data = summary_data(plan, 2024)

    first, second = data.areas
    assert counts(first.grades_by_year[2024]) == [2, 1, 1, 1, 1]
    assert counts(second.grades_by_year[2024]) == [0, 1, 0, 0, 1]
    assert first.grades_by_year[2024].total == 6


def test_a_compound_indicator_counts_once_with_its_worst_grade(plan):
    indicator = make_indicator(plan, sub_items=("a", "b"))
    make_graded_result(indicator, actual=Decimal(100), values_by_label={"b": {"actual_value": Decimal(50)}})

    (area,) = summary_data(plan, 2024).areas

    assert counts(area.grades_by_year[2024]) == [0, 0, 1, 0, 0]


def test_activities_are_not_graded_but_measured_against_their_plan(plan):
    activity(plan, planned=Decimal(10), actual=Decimal(10))  # achieved
    activity(plan, planned=Decimal(10), actual=Decimal(9))  # not achieved
    activity(plan, planned=Decimal(10), revised=Decimal(8), actual=Decimal(9))  # the revised plan counts
    activity(plan, plan_text="一部運用", actual="一部運用")  # a text plan: no figure
    activity(plan, planned=Decimal(10), actual="集計中")  # no figure

    (area,) = summary_data(plan, 2024).areas

    assert area.activities.counts == {S.ACHIEVED: 2, S.NOT_ACHIEVED: 1, S.NO_FIGURE: 2}
    assert area.grades_by_year[2024].total == 0


def value(**fields):
    """An unsaved ResultValue (activity_state reads only its fields)."""
    return ResultValue(measure=Measure(label=fields.pop("label", "")), **fields)


def number(actual):
    return {"actual_state": ActualState.NUMBER, "actual_value": Decimal(actual)}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([value(original_plan_value=Decimal(5), **number(5))], S.ACHIEVED),
        ([value(original_plan_value=Decimal(5), **number("4.9999"))], S.NOT_ACHIEVED),
        ([value(original_plan_value=Decimal(5), revised_plan_value=Decimal(4), **number(4))], S.ACHIEVED),
        ([value(original_plan_value=Decimal(3), revised_plan_value=Decimal(6), **number(5))], S.NOT_ACHIEVED),
        ([value(original_plan_value=Decimal(3), revised_plan_text="見直し", **number(5))], S.NO_FIGURE),
        ([value(original_plan_value=Decimal(5), actual_state=ActualState.TEXT, actual_text="実施")], S.NO_FIGURE),
        ([value(original_plan_value=Decimal(5))], S.NO_FIGURE),
        ([], S.NO_FIGURE),
        (
            [
                value(label="a", original_plan_value=Decimal(5), **number(6)),
                value(label="b", original_plan_text="検討"),
            ],
            S.ACHIEVED,
        ),
        (
            [
                value(label="a", original_plan_value=Decimal(5), **number(6)),
                value(label="b", original_plan_value=Decimal(5), **number(1)),
            ],
            S.NOT_ACHIEVED,
        ),
    ],
)
def test_activity_state(values, expected):
    assert activity_state(values) == expected


def test_an_activity_without_a_result_this_year_has_no_figure(plan):
    make_indicator(plan, kind=IndicatorKind.ACTIVITY)

    (area,) = summary_data(plan, 2024).areas

    assert area.activities.counts[S.NO_FIGURE] == 1


def test_the_c_and_d_items_and_the_tallying_items_in_plan_order(plan):
    late = outcome(plan, Decimal(0), area=2, code="late")
    early = outcome(plan, Decimal(60), area=1, code="early")
    outcome(plan, Decimal(80), area=1)  # B
    tallying = outcome(plan, "集計中", area=1, code="tallying")
    compound = make_indicator(plan, sub_items=("a", "b"), initiative=make_initiative(plan, policy_area=2))
    make_graded_result(
        compound,
        actual=Decimal(100),
        values_by_label={"b": {"actual_state": ActualState.TALLYING, "actual_value": None}},
    )
    counted = make_indicator(plan, kind=IndicatorKind.ACTIVITY, initiative=make_initiative(plan, policy_area=2))
    make_result(counted, target=None, actual="集計中")

    data = summary_data(plan, 2024)

    assert [facts.indicator for facts in data.low_graded] == [early, late]
    assert [facts.year(2024).grade for facts in data.low_graded] == ["C", "D"]
    assert [facts.indicator for facts in data.tallying] == [tallying, compound, counted]


def test_limited_to_departments_it_counts_only_their_indicators_and_areas(plan):
    ours, theirs = make_department("地域行政課"), make_department("健康企画課")
    outcome(plan, Decimal(100), area=1, department=ours)
    outcome(plan, Decimal(10), area=1, department=theirs)
    outcome(plan, Decimal(10), area=2, department=theirs)
    activity(plan, planned=Decimal(1), actual=Decimal(1), area=2, department=theirs)

    limited = summary_data(plan, 2024, department_ids=[ours.pk])
    whole = summary_data(plan, 2024)

    assert limited.is_limited and not whole.is_limited
    assert [area.policy_area.number for area in limited.areas] == [1]
    assert counts(limited.areas[0].grades_by_year[2024]) == [1, 0, 0, 0, 0]
    assert limited.low_graded == []
    assert [area.policy_area.number for area in whole.areas] == [1, 2]
    assert [facts.indicator.department for facts in whole.low_graded] == [theirs, theirs]


def test_earlier_years_are_the_plans_own_years_with_results(plan):
    indicator = outcome(plan, Decimal(100), fiscal_year=2024)
    make_graded_result(indicator, actual=Decimal(50), fiscal_year=2025)
    make_graded_result(indicator, actual=Decimal(90), fiscal_year=2023)  # before the plan began
    make_graded_result(indicator, actual=Decimal(0), fiscal_year=2026)  # after the year of the report

    data = summary_data(plan, 2025)

    assert data.years == [2024, 2025]
    assert data.earlier_years == [2024]
    (area,) = data.areas
    assert counts(area.grades_by_year[2024]) == [1, 0, 0, 0, 0]
    assert counts(area.grades_by_year[2025]) == [0, 0, 1, 0, 0]
    assert summary_data(plan, 2024).years == [2024]


def test_an_outcome_without_a_result_in_an_earlier_year_is_not_graded_there(plan):
    outcome(plan, Decimal(100), fiscal_year=2024)
    outcome(plan, Decimal(100), fiscal_year=2025)

    data = summary_data(plan, 2025)

    (area,) = data.areas
    assert counts(area.grades_by_year[2024]) == [1, 0, 0, 0, 1]
    assert counts(area.grades_by_year[2025]) == [1, 0, 0, 0, 1]
    assert data.indicators[1].year(2024).result is None


def build_plan_of_size(plan, size):
    """`size` policy areas over two pillars, each with outcomes of every grade, an activity and a
    compound outcome, with results in two years."""
    for index in range(size):
        area, pillar = index + 1, 1 + index % 2
        for actual in (Decimal(100), Decimal(90), Decimal(10), "集計中"):
            indicator = outcome(plan, actual, area=area, pillar=pillar)
            make_graded_result(indicator, actual=Decimal(95), fiscal_year=2025)
        initiative = make_initiative(plan, pillar=pillar, policy_area=area)
        make_graded_result(make_indicator(plan, sub_items=("a", "b"), initiative=initiative), actual=Decimal(100))
        activity(plan, planned=Decimal(3), actual=Decimal(4), area=area, pillar=pillar)


@pytest.mark.parametrize("size", [1, 6])
def test_the_number_of_queries_does_not_grow_with_the_plan(plan, size, django_assert_num_queries):
    build_plan_of_size(plan, size)

    with django_assert_num_queries(5):  # policy areas, indicators, results, their values, the revision marks
        data = summary_data(plan, 2025)
        for facts in data.indicators:  # what the summary reads of each indicator is already fetched
            _ = (facts.department(2025).name, facts.policy_area.pillar.number, facts.year(2025).values)
            _ = [value.measure.label for value in facts.year(2024).values]

    assert sum(area.grades_by_year[2024].total for area in data.areas) == 5 * size
