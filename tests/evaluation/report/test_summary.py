"""The report's summary, printed: counts and shares (exact decimals, the plan's decimals), the C and D
items with their reasons, 集計中, activities against plan, year over year, the department limit, the
charts, the template in both languages, and a constant number of queries."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from evaluation.domain.enums import ActualState, IndicatorKind
from evaluation.report.summary import OutcomeYear, report_summary
from tests.builders import make_department, make_graded_result, make_indicator, make_initiative, make_plan

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def outcome(plan, actual, *, pillar=1, area=1, fiscal_year=2024, department=None, reason="", **fields):
    indicator = make_indicator(
        plan, department=department, initiative=make_initiative(plan, pillar=pillar, policy_area=area), **fields
    )
    make_graded_result(indicator, actual=actual, fiscal_year=fiscal_year, reason=reason)
    return indicator


def activity(plan, planned, actual, *, pillar=1, area=1):
    indicator = make_indicator(
        plan, kind=IndicatorKind.ACTIVITY, initiative=make_initiative(plan, pillar=pillar, policy_area=area)
    )
    make_graded_result(indicator, target=None, actual=actual, values_by_label={"": {"original_plan_value": planned}})
    return indicator


def counts_and_shares(distribution):
    return [(share.letter, share.count, share.share) for share in distribution.shares]


def test_counts_and_shares_per_area_pillar_and_plan_in_exact_decimals(plan):
    outcome(plan, Decimal(100), area=1)
    outcome(plan, Decimal(100), area=1)
    outcome(plan, Decimal(90), area=1)
    outcome(plan, Decimal(50), pillar=2, area=1)
    outcome(plan, "集計中", pillar=2, area=1)
    outcome(plan, Decimal(-5), pillar=2, area=2)

    summary = report_summary(plan, 2024)

    first, second = summary.pillars
    assert [area.label for area in first.areas] == ["推進施策1"]
    assert counts_and_shares(first.areas[0].grades) == [
        ("A", 2, Decimal("66.7")),
        ("B", 1, Decimal("33.3")),
        ("C", 0, Decimal("0.0")),
        ("D", 0, Decimal("0.0")),
        ("ー", 0, Decimal("0.0")),
    ]
    assert (first.label, second.label) == ("柱1", "柱2")
    assert [area.grades.total for area in second.areas] == [2, 1]
    assert [share.count for share in second.grades.shares] == [0, 0, 1, 1, 1]
    assert [share.share_text for share in second.grades.shares] == ["0.0%", "0.0%", "33.3%", "33.3%", "33.3%"]
    assert summary.overall.total == 6
    assert [share.share_text for share in summary.overall.shares] == ["33.3%", "16.7%", "16.7%", "16.7%", "16.7%"]
    assert all(isinstance(share.share, Decimal) for share in summary.overall.shares)


def test_shares_have_the_plans_decimals():
    plan = make_plan(achievement_decimals=2)
    for actual in (Decimal(100), Decimal(100), Decimal(90)):
        outcome(plan, actual)

    summary = report_summary(plan, 2024)

    assert [share.share for share in summary.overall.shares][:2] == [Decimal("66.67"), Decimal("33.33")]
    assert summary.overall.shares[0].share_text == "66.67%"


def test_an_area_without_outcomes_has_no_share(plan):
    activity(plan, Decimal(1), Decimal(1))

    (area,) = report_summary(plan, 2024).pillars[0].areas

    assert area.grades.total == 0
    assert {(share.share, share.share_text) for share in area.grades.shares} == {(None, "—")}


def test_the_c_and_d_items_with_their_reasons_printed(plan):
    department = make_department("生活福祉課")
    outcome(plan, Decimal(100))
    outcome(plan, Decimal(60), label="1-1", name="相談件数", reason="周知が不足した。", department=department)
    compound = make_indicator(plan, sub_items=("a", "b"), unit="%", label="2", name="加入率")
    make_graded_result(compound, actual=Decimal(100), values_by_label={"b": {"actual_value": Decimal("-1")}})

    low = report_summary(plan, 2024).low_graded

    first, second = low
    assert (first.number, first.name, first.department) == ("１－①", "相談件数", "生活福祉課")
    assert (first.pillar, first.policy_area, first.policy_area_title) == ("柱1", "推進施策1", "推進施策1")
    assert (first.grade, first.grade_key, first.reason) == ("C", "c", "周知が不足した。")
    assert (first.planned, first.actual, first.achievement) == ("100", "60", "60.0%")
    assert (second.grade, second.grade_key, second.reason) == ("D", "d", "")
    assert (second.planned, second.actual) == ("a)100.0 b)100.0", "a)100.0 b)-1.0")
    assert second.achievement == "a)100.0% b)-1.0%"


def test_the_items_being_tallied_outcomes_and_activities(plan):
    outcome(plan, "集計中", label="3", name="認知度", unit="%")
    outcome(plan, Decimal(100))
    counted = make_indicator(plan, kind=IndicatorKind.ACTIVITY, name="訪問件数", sub_items=("a", "b"))
    make_graded_result(
        counted,
        target=None,
        actual=Decimal(12),
        values_by_label={
            "a": {"original_plan_value": Decimal(10), "revised_plan_value": Decimal(11)},
            "b": {"original_plan_value": Decimal(5), "actual_state": ActualState.TALLYING, "actual_value": None},
        },
    )

    tallying = report_summary(plan, 2024).tallying

    assert [(item.name, item.kind_label, item.actual) for item in tallying] == [
        ("認知度", "成果指標", "集計中"),
        ("訪問件数", "行動量", "a)12 b)集計中"),
    ]
    assert [(item.grade, item.grade_key) for item in tallying] == [("ー", "none"), ("", "none")]
    assert tallying[0].planned == "100.0"  # a rate with the plan's decimal
    assert tallying[1].planned == "a)11 b)5"  # the revised plan where there is one
    assert tallying[1].achievement == ""


def test_activity_achievement_per_area_pillar_and_plan(plan):
    activity(plan, Decimal(10), Decimal(10), area=1)
    activity(plan, Decimal(10), Decimal(3), area=1)
    activity(plan, Decimal(10), "集計中", area=2)
    activity(plan, Decimal(10), Decimal(11), pillar=2)

    summary = report_summary(plan, 2024)

    first, second = summary.pillars
    assert [(a.activities.achieved, a.activities.not_achieved, a.activities.no_figure) for a in first.areas] == [
        (1, 1, 0),
        (0, 0, 1),
    ]
    assert (first.activities.achieved, first.activities.total) == (1, 3)
    assert (second.activities.achieved, second.activities.total) == (1, 1)
    assert (summary.activities.achieved, summary.activities.not_achieved, summary.activities.no_figure) == (2, 1, 1)


def test_year_over_year_beside_an_earlier_year(plan):
    kept = outcome(plan, Decimal(90), fiscal_year=2024, unit="%", label="1-2")
    make_graded_result(kept, actual=Decimal("100.5"), fiscal_year=2025)
    fell = outcome(plan, Decimal(100), pillar=2, fiscal_year=2024)
    make_graded_result(fell, actual="集計中", fiscal_year=2025)

    summary = report_summary(plan, 2025)

    comparison = summary.year_over_year
    assert [year.label for year in comparison.years] == ["令和6年度（2024年度）", "令和7年度（2025年度）"]
    assert [[share.count for share in year.grades.shares] for year in comparison.years] == [
        [1, 1, 0, 0, 0],
        [1, 0, 0, 0, 1],
    ]
    assert [(pillar.label, [y.grades.count("A") for y in pillar.years]) for pillar in comparison.pillars] == [
        ("柱1", [0, 1]),
        ("柱2", [1, 0]),
    ]
    assert summary.outcome_history == {
        kept.pk: [OutcomeYear(2024, "90.0", "B")],
        fell.pk: [OutcomeYear(2024, "100", "A")],
    }
    first = comparison.outcomes[0]
    assert (first.number, first.unit) == ("１－②", "%")
    assert first.years == (OutcomeYear(2024, "90.0", "B"), OutcomeYear(2025, "100.5", "A"))
    assert [year.grade_key for year in comparison.outcomes[1].years] == ["a", "none"]
    chart = ET.fromstring(str(comparison.chart))
    lines = ["".join(text.itertext()) for text in chart.iter(f"{SVG}text")]
    assert {"令和6年度（2024年度）", "令和7年度（2025年度）", "1 (50.0%)", "0 (0.0%)"} <= set(lines)


def test_without_an_earlier_year_there_is_nothing_to_compare(plan):
    indicator = outcome(plan, Decimal(100))

    summary = report_summary(plan, 2024)

    assert summary.year_over_year is None
    assert summary.outcome_history == {indicator.pk: []}


def test_limited_to_departments(plan):
    ours, theirs = make_department(), make_department()
    outcome(plan, Decimal(100), department=ours)
    outcome(plan, Decimal(10), department=theirs, reason="他課の理由")
    outcome(plan, Decimal(10), area=2, department=theirs)

    summary = report_summary(plan, 2024, department_ids={ours.pk})

    assert summary.is_limited
    assert [area.label for pillar in summary.pillars for area in pillar.areas] == ["推進施策1"]
    assert [share.count for share in summary.overall.shares] == [1, 0, 0, 0, 0]
    assert summary.low_graded == ()
    html = render_to_string("evaluation/report/_summary.html", {"summary": summary})
    assert "他課の理由" not in html
    assert "所属する所管課の指標のみを集計しています" in html
    assert "所属する所管課の指標のみ" not in render_to_string(
        "evaluation/report/_summary.html", {"summary": report_summary(plan, 2024)}
    )


def test_the_charts_carry_every_letter_and_count_as_text(plan):
    for actual in (Decimal(100), Decimal(100), Decimal(85), Decimal(10), Decimal(0)):
        outcome(plan, actual)
    outcome(plan, Decimal(100), area=2)

    summary = report_summary(plan, 2024)

    for svg, totals in (
        (summary.chart, ["合計 6", "合計 6"]),
        (summary.pillars[0].chart, ["合計 5", "合計 1", "合計 6"]),
    ):
        root = ET.fromstring(str(svg))
        assert root.get("role") == "img" and root.get("aria-label")
        lines = ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]
        count_lines = [line for line in lines if "\u3000合計" in line]
        assert [line.rsplit("\u3000", 1)[1] for line in count_lines] == totals
    pillar_lines = ["".join(t.itertext()) for t in ET.fromstring(str(summary.pillars[0].chart)).iter(f"{SVG}text")]
    assert "A 2\u3000B 1\u3000C 1\u3000D 1\u3000ー 0\u3000合計 5" in pillar_lines
    assert (
        "推進施策1: A 2, B 1, C 1, D 1, ー 0 (合計 5)"
        in ET.fromstring(str(summary.pillars[0].chart)).find(f"{SVG}desc").text
    )


def test_the_section_renders_in_japanese_and_in_english(plan):
    outcome(plan, Decimal(10), reason="出張講座の周知不足")
    outcome(plan, "集計中", name="認知度")

    html = render_to_string("evaluation/report/_summary.html", {"summary": report_summary(plan, 2024)})
    with translation.override("en"):
        english = render_to_string("evaluation/report/_summary.html", {"summary": report_summary(plan, 2024)})

    for heading in ("評価の分布", "評価C・Dの項目と理由", "集計中の項目", "行動量の達成状況", "前年度との比較"):
        assert heading in html
    for heading in ("Distribution of the grades", "Items graded C or D", "Items being tallied", "Comparison with"):
        assert heading in english
    assert "出張講座の周知不足" in html and "認知度" in html
    assert "比較できる" in html  # no earlier year
    # Each chart has its table beside it.
    assert html.count('class="report-summary__figure"') == html.count("<svg") == 2
    assert html.count('role="img"') == 2


@pytest.mark.parametrize("size", [1, 5])
def test_the_number_of_queries_does_not_grow_with_the_plan(plan, size, django_assert_num_queries):
    for index in range(size):
        pillar, area = 1 + index % 2, index + 1
        for actual in (Decimal(100), Decimal(50), "集計中"):
            indicator = outcome(plan, actual, pillar=pillar, area=area, reason="理由")
            make_graded_result(indicator, actual=Decimal(90), fiscal_year=2025)
        activity(plan, Decimal(2), Decimal(3), pillar=pillar, area=area)

    # plan years, indicators, results, values, revision marks, and the year's decimals
    with django_assert_num_queries(6):
        summary = report_summary(plan, 2025)
        html = render_to_string("evaluation/report/_summary.html", {"summary": summary})

    assert html.count('report-summary__pillar"') == min(size, 2)
    assert len(summary.year_over_year.outcomes) == 3 * size


def test_the_comparison_lists_each_outcome_under_its_policy_area_with_each_years_actual(plan):
    first = outcome(plan, Decimal(90), name="相談の認知度", unit="%")
    second = outcome(plan, Decimal(100), name="協定の締結数")
    elsewhere = outcome(plan, Decimal(100), pillar=2, name="講座の参加者数")
    for indicator, actual in ((first, Decimal(100)), (second, Decimal(40)), (elsewhere, "集計中")):
        make_graded_result(indicator, actual=actual, fiscal_year=2025)

    html = render_to_string("evaluation/report/_summary.html", {"summary": report_summary(plan, 2025)})

    trends = html[html.index("report-summary__trends") :]
    assert trends.count('class="report-summary__group-heading"') == 2  # 柱1 推進施策1, 柱2 推進施策1
    assert trends.index("柱1 推進施策1") < trends.index("相談の認知度") < trends.index("協定の締結数")
    assert trends.index("協定の締結数") < trends.index("柱2 推進施策1") < trends.index("講座の参加者数")
    row = trends[trends.index("相談の認知度") : trends.index("協定の締結数")]
    assert row.index("90.0") < row.index("grade--b") < row.index("100.0") < row.index("grade--a")
    assert 'colspan="5"' in trends  # the indicator, then an actual and a grade for each of the two years
    assert "令和6年度（2024年度）" in trends and "令和7年度（2025年度）" in trends
