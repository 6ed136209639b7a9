"""The home page of a plan graded by another municipality's scheme: 神奈川県's (○ met, × not met; a policy
area 順調 when every target is met, 概ね順調 at two thirds, やや遅れている at half, 遅れている below) shows
its labels as the grade columns and each policy area's and pillar's overall grade; 佐野市's (7 … 1 points,
policy areas by mean points) its seven columns and its A–D levels."""

import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import ActualState
from evaluation.services.results import ActualInput, save_draft
from evaluation.services.years import close_year
from tests.builders import (
    enter_actual,
    make_department,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def _outcome(plan, department, actual, *, pillar=1, policy_area=1):
    """An outcome of the policy area (target 100) whose actual the department enters through the services
    (a number, or 集計中), graded by the plan's scheme."""
    initiative = make_initiative(plan, pillar=pillar, policy_area=policy_area)
    indicator = make_indicator(plan, department=department, initiative=initiative, code=f"H.{next(_numbers)}")
    result = make_result(indicator, target=Decimal(100))
    user = make_user(department=department)
    if actual == "集計中":
        value = result.values.get()
        actuals = {value.pk: ActualInput(ActualState.TALLYING)}
        return save_draft(result, user=user, expected_version=result.version, actuals=actuals, reason="")
    return enter_actual(result, user, actual, reason="理由" if Decimal(actual) < 100 else "")


@pytest.fixture
def welfare():
    return make_department("保健福祉政策課")


@pytest.fixture
def kanagawa(welfare):
    """Pillar 1: area 1 ○ ○ × (2/3: 概ね順調), area 2 ○ (順調); pillar 2: area 1 × × and one 集計中 (遅れている).
    Pillar 1 as a whole: 3 of 4 met (概ね順調); pillar 2: none (遅れている)."""
    plan = make_plan("神奈川県の計画", scheme="kanagawa")
    make_open_year(plan)
    for actual, pillar, area in (
        ("120", 1, 1),
        ("100", 1, 1),
        ("50", 1, 1),
        ("100", 1, 2),
        ("10", 2, 1),
        ("99.9", 2, 1),
        ("集計中", 2, 1),
    ):
        _outcome(plan, welfare, actual, pillar=pillar, policy_area=area)
    return plan


def _overall(response):
    """{(pillar, policy area): overall grade} and {pillar: overall grade} as the page's summary holds them."""
    summary = response.context["summary"]
    areas = {
        (pillar.pillar.number, row.policy_area.number): row.overall for pillar in summary.pillars for row in pillar.rows
    }
    return areas, {pillar.pillar.number: pillar.overall for pillar in summary.pillars}


def test_grade_columns_are_the_schemes_labels_in_its_order(client, welfare, kanagawa):
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    summary = response.context["summary"]
    assert summary.labels == ("○", "×")
    assert summary.total.by_grade == {"○": 3, "×": 3}
    assert summary.total.not_graded == 1
    page = response.content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert re.findall(r'<span class="grade grade--(\w+)">([^<]+)</span>', head) == [
        ("a", "○"),
        ("d", "×"),
        ("none", "ー"),
    ]
    assert "Target met" in head and "Target not met" in head
    assert 'colspan="3" class="col-group col-group--grades"' in head
    assert "grade-table--cols-5 grade-table--grades-3" in page  # activity, outcome, ○, ×, ー (overall: own line)


def test_each_policy_area_and_pillar_has_its_overall_grade(client, welfare, kanagawa):
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    response = client.get(reverse("home"))

    areas, pillars = _overall(response)
    assert areas == {(1, 1): "概ね順調", (1, 2): "順調", (2, 1): "遅れている"}
    assert pillars == {1: "概ね順調", 2: "遅れている"}
    page = response.content.decode()
    assert "総合評価" in page
    cells = re.findall(r'<td class="num overall-grade">.*?</span><span class="grade grade--(\w+)">([^<]+)</span>', page)
    # the overview (pillar 1, pillar 2, the whole plan: 3 of 6 met), then each pillar's table: its areas,
    # then its total
    assert cells == [
        ("b", "概ね順調"),
        ("d", "遅れている"),
        ("c", "やや遅れている"),
        ("b", "概ね順調"),
        ("a", "順調"),
        ("b", "概ね順調"),
        ("d", "遅れている"),
        ("d", "遅れている"),
    ]
    legend = page[page.index('id="rollup-legend"') :].split("</p>")[0]
    assert "順調 すべての指標が目標を達成" in legend and "遅れている 達成が2分の1未満" in legend


def test_a_departments_own_counts_have_no_overall_grade(client, welfare, kanagawa):
    """A department sees only its own indicators: an overall grade of a part of a policy area would mislead."""
    client.force_login(make_user(department=welfare))

    response = client.get(reverse("home"))

    assert response.context["scope"] == "own"
    assert response.context["summary"].total.by_grade == {"○": 3, "×": 3}
    assert not response.context["summary"].has_rollup
    assert "overall-grade" not in response.content.decode()


def test_sano_policy_areas_are_graded_by_mean_points(client, welfare):
    """120 % → 7 points, 85 % → 5, 55 % → 2: mean 4.67 → C (やや遅れ); 95 % alone → 6 → A (順調)."""
    plan = make_plan("佐野市の計画", scheme="sano")
    make_open_year(plan)
    for actual, area in (("120", 1), ("85", 1), ("55", 1), ("95", 2)):
        _outcome(plan, welfare, actual, policy_area=area)
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    response = client.get(reverse("home"))

    assert response.context["summary"].labels == ("7", "6", "5", "4", "3", "2", "1")
    areas, pillars = _overall(response)
    assert areas == {(1, 1): "C", (1, 2): "A"}
    assert pillars == {1: "B"}  # (7 + 5 + 2 + 6) / 4 = 5
    page = response.content.decode()
    assert "grade-table--cols-10 grade-table--grades-8" in page
    assert '<span class="grade grade--a">7</span>' in page and '<span class="grade grade--d">1</span>' in page


def test_a_setagaya_plan_has_no_overall_grade_column(client, welfare):
    plan = make_plan("世田谷区")
    make_open_year(plan)
    _outcome(plan, welfare, "120")
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert response.context["summary"].total.by_grade == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert not response.context["summary"].has_rollup
    assert "overall-grade" not in page and "rollup-legend" not in page
    assert "grade-table--cols-7 grade-table--grades-5" in page


def test_a_closed_year_is_counted_by_the_labels_it_was_closed_with(client, welfare):
    """2024 was graded A–D and closed; the plan has used 神奈川県's scheme since: 2024 still shows A–D."""
    plan = make_plan("計画")
    year = make_open_year(plan)
    _outcome(plan, welfare, "120")
    planner = make_user(department=welfare, role=Role.PLANNING)
    close_year(year, user=planner, force=True, reason="テスト用に締切")
    plan.grading_scheme = make_plan("別", scheme="kanagawa").grading_scheme
    plan.save(update_fields=["grading_scheme"])
    client.force_login(planner)

    response = client.get(reverse("home"), {"plan": plan.pk})

    assert response.context["summary"].total.by_grade == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert not response.context["summary"].has_rollup


def test_home_page_of_a_rolled_up_scheme_costs_the_queries_of_setagayas(client, welfare):
    """The overall grades are worked out from the counts already read: a 神奈川県 plan's home page reads as
    many queries as a Setagaya plan's, however many policy areas."""
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    def queries(plan, areas):
        for area in areas:
            _outcome(plan, welfare, "120", policy_area=area)
            _outcome(plan, welfare, "50", policy_area=area)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home"), {"plan": plan.pk}).status_code == 200
        return len(captured)

    setagaya, kanagawa = make_plan("世田谷区"), make_plan("神奈川県", scheme="kanagawa")
    make_open_year(setagaya), make_open_year(kanagawa)

    assert queries(kanagawa, [1]) == queries(kanagawa, range(2, 12)) == queries(setagaya, [1])
