"""The report's summary of plans graded by other municipalities' schemes: the counts in the scheme's
labels and order, the charts' fills by rank, the overall grade (総合評価) of each policy area and pillar
with its rule in words, the items needing a reason by the scheme's rule (labels and states), states
by their names, a closed year's snapshot, and the same number of queries as Setagaya's."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from evaluation.domain import scheme_files
from evaluation.report.summary import report_summary
from tests.builders import make_closed_year, make_graded_result, make_indicator, make_initiative, make_plan

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def outcome(plan, actual=None, *, pillar=1, area=1, state="", reason="", fiscal_year=2024, **fields):
    indicator = make_indicator(plan, initiative=make_initiative(plan, pillar=pillar, policy_area=area), **fields)
    values = {"": {"actual_state": state}} if state else None
    make_graded_result(indicator, actual=actual, values_by_label=values, reason=reason, fiscal_year=fiscal_year)
    return indicator


def letters_and_counts(distribution):
    return [(share.letter, share.count) for share in distribution.shares]


def render(summary, lang="ja"):
    with translation.override(lang):
        return render_to_string("evaluation/report/_summary.html", {"summary": summary})


@pytest.fixture
def kanagawa():
    plan = make_plan("神奈川県総合計画", scheme="kanagawa")
    for actual in (Decimal(100), Decimal(100), Decimal(90)):  # 2 of 3 met: 概ね順調
        outcome(plan, actual, reason="" if actual == 100 else "事業が遅れた。", name=f"指標{actual}")
    outcome(plan, Decimal(120), area=2)  # all met: 順調
    outcome(plan, Decimal(40), pillar=2)  # none met: 遅れている
    outcome(plan, state="tallying", pillar=2)  # 集計中: left out of the share
    return plan


def test_kanagawa_counts_met_and_not_met_in_its_order_with_each_overall_grade(kanagawa):
    summary = report_summary(kanagawa, 2024)

    first, second = summary.pillars
    assert letters_and_counts(first.areas[0].grades) == [("○", 2), ("×", 1), ("ー", 0)]
    assert [area.grades.rollup for area in first.areas] == ["概ね順調", "順調"]
    assert first.grades.rollup == "概ね順調"  # 3 of the pillar's 4 met
    assert (second.areas[0].grades.rollup, second.grades.rollup) == ("遅れている", "遅れている")
    assert letters_and_counts(summary.overall) == [("○", 3), ("×", 2), ("ー", 1)]
    assert summary.overall.rollup == "やや遅れている"  # 3 of 5 graded: half or more
    assert [share.key for share in summary.overall.shares] == ["a", "d", "none"]


def test_kanagawa_page_prints_the_overall_grade_its_rule_and_the_not_met_items(kanagawa):
    html = render(report_summary(kanagawa, 2024))

    assert html.count(">総合評価</th>") == 3  # the table of pillars and each pillar's table of areas
    assert '<td class="num report-summary__rollup">概ね順調</td>' in html
    rule = "総合評価は評価○の指標の割合による。すべて 順調、3分の2以上 概ね順調、2分の1以上 やや遅れている、"
    assert rule + "2分の1未満 遅れている" in html
    assert "評価×の項目と理由" in html and "事業が遅れた。" in html
    assert "評価C・D" not in html and "grade--c" not in html
    assert '<span class="grade grade--d">×</span>' in html
    english = render(report_summary(kanagawa, 2024), "en")
    assert "Items graded × and their reasons" in english and ">Overall grade</th>" in english
    assert "The overall grade is by the share of indicators graded ○." in english


def test_kanagawa_charts_name_its_labels_and_fill_them_by_rank(kanagawa):
    root = ET.fromstring(str(report_summary(kanagawa, 2024).chart))

    lines = ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]
    assert "○ 3\u3000× 2\u3000ー 1\u3000合計 6" in lines
    assert [pattern.get("id") for pattern in root.iter(f"{SVG}pattern")] == ["summary-grades-d"]
    assert "A" not in lines and "D" not in lines


def test_sano_counts_seven_points_each_with_its_own_fill_and_the_mean_points_band():
    plan = make_plan(scheme="sano")
    for actual in (Decimal(100), Decimal(95), Decimal(85), Decimal(75), Decimal(65), Decimal(55), Decimal(10)):
        outcome(plan, actual)
    outcome(plan, Decimal(100), area=2)
    outcome(plan, Decimal(85), area=2)  # (7 + 5) / 2 = 6: A

    summary = report_summary(plan, 2024)

    first = summary.pillars[0]
    assert letters_and_counts(first.areas[0].grades) == [(str(p), 1) for p in range(7, 0, -1)] + [("ー", 0)]
    assert [share.key for share in summary.overall.shares] == ["a", "ab", "b", "bc", "c", "cd", "d", "none"]
    assert [area.grades.rollup for area in first.areas] == ["C（やや遅れ）", "A（順調）"]  # 28 / 7 = 4; 12 / 2 = 6
    assert first.grades.rollup == "C（やや遅れ）"  # 40 / 9 points
    with translation.override("en"):
        assert report_summary(plan, 2024).overall.rollup == "C (Somewhat behind)"
    html = render(summary)
    lines = ["".join(text.itertext()) for text in ET.fromstring(str(first.chart)).iter(f"{SVG}text")]
    assert "7: 1\u30006: 1\u30005: 1\u30004: 1\u30003: 1\u30002: 1\u30001: 1\u3000ー 0\u3000合計 7" in lines
    assert "6点以上 A（順調）、5点以上 B（概ね順調）、3点以上 C（やや遅れ）、3点未満 D（遅れ）" in html
    assert "評価4・3・2・1の項目と理由" in html
    assert len(summary.low_graded) == 4  # 75, 65, 55, 10: points 4 and below need a reason


def test_akiruno_states_are_counted_by_their_labels_and_named_in_the_lists():
    plan = make_plan(scheme="akiruno")
    outcome(plan, Decimal(120), name="超過")  # S
    outcome(plan, state="cancelled", name="中止の事業", reason="制度改正により中止した。")  # Y
    outcome(plan, state="not_started", name="未着手の事業")  # X
    outcome(plan, state="tallying", name="集計中の事業")  # ー

    summary = report_summary(plan, 2024)

    assert letters_and_counts(summary.overall) == [
        ("F", 0),
        ("S", 1),
        ("A", 0),
        ("B", 0),
        ("C", 0),
        ("X", 1),
        ("Y", 1),
        ("Z", 0),
        ("ー", 1),
    ]
    assert {share.letter: share.key for share in summary.overall.shares}["Y"] == "state"
    [cancelled] = summary.low_graded  # 中止 needs a note; 未着手 does not
    assert (cancelled.name, cancelled.actual, cancelled.grade, cancelled.grade_key) == (
        "中止の事業",
        "中止",
        "Y",
        "state",
    )
    assert cancelled.reason == "制度改正により中止した。"
    assert [item.name for item in summary.tallying] == ["集計中の事業"]
    html = render(summary)
    assert "評価B・C、中止・評価困難の項目と理由" in html
    assert ">総合評価<" not in html  # あきる野市 has no roll-up


def test_a_closed_year_is_summarised_by_the_scheme_it_was_closed_with():
    plan = make_plan()  # Setagaya's A–D when 2024 is closed
    outcome(plan, Decimal(90))
    make_closed_year(plan, 2024)
    plan.grading_scheme = scheme_files.to_data(scheme_files.preset("kanagawa"))
    plan.save()

    summary = report_summary(plan, 2024)

    assert [share.letter for share in summary.overall.shares] == ["A", "B", "C", "D", "ー"]
    assert summary.overall.count("B") == 1 and not summary.has_rollup
    assert "評価C・Dの項目と理由" in render(summary)


def test_an_earlier_year_graded_by_another_scheme_keeps_its_labels_in_the_comparison():
    plan = make_plan()
    early = outcome(plan, Decimal(90))  # B under Setagaya's, 2024 closed so
    make_closed_year(plan, 2024)
    plan.grading_scheme = scheme_files.to_data(scheme_files.preset("kanagawa"))
    plan.save()
    make_graded_result(early, actual=Decimal(100), fiscal_year=2025)

    years = report_summary(plan, 2025).year_over_year.years

    assert [share.letter for share in years[0].grades.shares] == ["○", "×", "B", "ー"]
    assert [[share.count for share in year.grades.shares] for year in years] == [[0, 0, 1, 0], [1, 0, 0, 0]]


@pytest.mark.parametrize("size", [1, 5])
def test_the_number_of_queries_is_setagayas(size, django_assert_num_queries):
    plan = make_plan(scheme="kanagawa")
    for index in range(size):
        for actual in (Decimal(100), Decimal(50)):
            indicator = outcome(plan, actual, pillar=1 + index % 2, area=index + 1, reason="理由")
            make_graded_result(indicator, actual=Decimal(90), fiscal_year=2025)

    with django_assert_num_queries(6):  # as Setagaya's (test_summary)
        summary = report_summary(plan, 2025)
        html = render_to_string("evaluation/report/_summary.html", {"summary": summary})

    assert html.count("report-summary__rollup") >= size
