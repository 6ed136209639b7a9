"""The review queue and item page of a plan graded by another municipality's scheme: あきる野市's
(F 完了, S 目標値以上, A 目標値どおり, B 要改善, C 要大幅改善; states X 未着手, Y 中止, Z 評価困難) shows every
difference at once: a label above A, labels of states, states by their names."""

import itertools
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import Grade, IndicatorKind
from evaluation.domain.workflow import Action
from evaluation.services.results import ActualInput, review, save_draft, submit
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

_codes_used = itertools.count(1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def welfare():
    return make_department("保健福祉政策課")


@pytest.fixture
def planner(welfare):
    return make_user("planner", department=welfare, role=Role.PLANNING)


def _outcome(plan, department, code, *, policy_area=1, fiscal_year=2024):
    indicator = make_indicator(
        plan, department=department, code=code, initiative=make_initiative(plan, policy_area=policy_area)
    )
    return make_result(indicator, target=Decimal(100), fiscal_year=fiscal_year)


def _entered(plan, department, code, actual, *, reason=""):
    """An outcome the department enters (a number) and submits through the services."""
    return enter_actual(
        _outcome(plan, department, code), make_user(department=department), actual, reason=reason, then_submit=True
    )


def _in_state(plan, department, code, state, *, reason=""):
    """An outcome the department enters as a state of the scheme (未着手, 中止 …) and submits."""
    result = _outcome(plan, department, code)
    user = make_user(department=department)
    value = result.values.get()
    result = save_draft(result, user=user, expected_version=1, actuals={value.pk: ActualInput(state)}, reason=reason)
    return submit(result, user=user, expected_version=result.version)


@pytest.fixture
def akiruno_year(welfare):
    """S (120 %), A (100 %), B (60 %), C (30 %), X 未着手, Y 中止 (with its note), one not entered."""
    plan = make_plan("あきる野市の計画", scheme="akiruno")
    make_open_year(plan)
    return {
        "plan": plan,
        "S": _entered(plan, welfare, "K.1", "120"),
        "A": _entered(plan, welfare, "K.2", "100"),
        "B": _entered(plan, welfare, "K.3", "60", reason="要改善の理由"),
        "C": _entered(plan, welfare, "K.4", "30", reason="要大幅改善の理由"),
        "X": _in_state(plan, welfare, "K.5", "not_started"),
        "Y": _in_state(plan, welfare, "K.6", "cancelled", reason="事業を中止した"),
        "none": _outcome(plan, welfare, "K.7"),
    }


def _queue(client, plan, query=""):
    return client.get(reverse("review_queue", args=[2024]) + f"?plan={plan.pk}{query}", HTTP_ACCEPT_LANGUAGE="en")


def _codes(response):
    return sorted(row.record.indicator.code for row in response.context["table"].paginated_rows)


def test_the_results_are_graded_by_the_plans_scheme(akiruno_year):
    """The fixture's own premise: each result holds the label its figure or state gives in the scheme."""
    assert {key: result.grade for key, result in akiruno_year.items() if key not in ("plan", "none")} == {
        "S": "S",
        "A": "A",
        "B": "B",
        "C": "C",
        "X": "X",
        "Y": "Y",
    }


def test_queue_counts_each_label_of_the_scheme_in_its_order(client, planner, akiruno_year):
    client.force_login(planner)

    response = _queue(client, akiruno_year["plan"])

    counts = response.context["counts"]
    assert list(counts.by_grade) == ["F", "S", "A", "B", "C", "X", "Y", "Z"]
    assert counts.grade_items == [
        ("F", 0),
        ("S", 1),
        ("A", 1),
        ("B", 1),
        ("C", 1),
        ("X", 1),
        ("Y", 1),
        ("Z", 0),
        ("", 1),
    ]
    page = response.content.decode()
    counts_html = page[page.index('aria-label="Outcome indicators per grade"') :]
    counts_html = counts_html[: counts_html.index("</dl>")]
    badges = re.findall(r'<span class="grade grade--(\w+)">([^<]+)</span>', counts_html)
    assert badges == [
        ("state", "F"),
        ("a", "S"),
        ("b", "A"),
        ("c", "B"),
        ("d", "C"),
        ("state", "X"),
        ("state", "Y"),
        ("state", "Z"),
        ("none", "ー"),
    ]
    assert "Above the target" in counts_html and "Not started" in counts_html


def test_grade_filter_offers_the_schemes_labels_with_their_meaning(client, planner, akiruno_year):
    client.force_login(planner)

    response = _queue(client, akiruno_year["plan"])

    select = response.content.decode().split('name="grade"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    assert options == [
        ("", "All"),
        ("F", "F Completed"),
        ("S", "S Above the target"),
        ("A", "A At the target"),
        ("B", "B Needs improvement"),
        ("C", "C Needs major improvement"),
        ("X", "X Not started"),
        ("Y", "Y Cancelled"),
        ("Z", "Z Cannot be evaluated"),
        ("none", "ー (not graded)"),
    ]


def test_grade_filter_options_are_in_japanese_by_default(client, planner, akiruno_year):
    client.force_login(planner)

    response = client.get(reverse("review_queue", args=[2024]) + f"?plan={akiruno_year['plan'].pk}")

    page = response.content.decode()
    assert '<option value="S">S 目標値以上</option>' in page
    assert '<option value="X">X 未着手</option>' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&grade=S", ["K.1"]),
        ("&grade=A", ["K.2"]),
        ("&grade=C", ["K.4"]),
        ("&grade=X", ["K.5"]),
        ("&grade=Y", ["K.6"]),
        ("&grade=none", ["K.7"]),
    ],
)
def test_queue_filters_by_a_label_of_the_scheme(client, planner, akiruno_year, query, expected):
    client.force_login(planner)

    response = _queue(client, akiruno_year["plan"], query)

    assert _codes(response) == expected
    assert response.context["counts"].total == 1


def test_a_label_of_another_scheme_is_not_a_choice(client, planner, akiruno_year):
    client.force_login(planner)

    response = _queue(client, akiruno_year["plan"], "&grade=D")

    assert "grade" in response.context["filter"].form.errors
    assert "D" not in dict(response.context["filter"].form.fields["grade"].choices)


def test_queue_rows_show_badges_by_rank_and_states_by_their_names(client, planner, akiruno_year):
    client.force_login(planner)

    response = _queue(client, akiruno_year["plan"])

    rows = {row.record.indicator.code: row for row in response.context["table"].page_rows}
    assert {code: (row.grade["letter"], row.grade["css"]) for code, row in rows.items()} == {
        "K.1": ("S", "a"),
        "K.2": ("A", "b"),
        "K.3": ("B", "c"),
        "K.4": ("C", "d"),
        "K.5": ("X", "state"),
        "K.6": ("Y", "state"),
        "K.7": ("ー", "none"),
    }
    assert rows["K.5"].figures[0].actual == "Not started"
    assert rows["K.6"].figures[0].actual == "Cancelled"
    page = response.content.decode()
    assert '<span class="grade grade--a">S</span>' in page
    assert '<span class="grade grade--state">X</span>' in page


def test_a_state_is_printed_by_its_japanese_name_in_japanese(client, planner, akiruno_year):
    client.force_login(planner)

    response = client.get(reverse("review_queue", args=[2024]) + f"?plan={akiruno_year['plan'].pk}")

    page = response.content.decode()
    assert "100 / 未着手" in page
    assert "100 / 中止" in page


def test_a_setagaya_plans_badges_and_filter_are_unchanged(client, planner, welfare):
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    make_open_year(plan)
    for code, actual, reason in (("W.1", "120", ""), ("W.2", "90", ""), ("W.3", "50", "理由"), ("W.4", "0", "理由")):
        _entered(plan, welfare, code, actual, reason=reason)
    client.force_login(planner)

    response = _queue(client, plan)

    rows = {row.record.indicator.code: row.grade for row in response.context["table"].page_rows}
    assert rows == {
        "W.1": {"letter": Grade.A, "css": "a"},
        "W.2": {"letter": Grade.B, "css": "b"},
        "W.3": {"letter": Grade.C, "css": "c"},
        "W.4": {"letter": Grade.D, "css": "d"},
    }
    assert response.context["counts"].grade_items == [("A", 1), ("B", 1), ("C", 1), ("D", 1), ("", 0)]
    assert [code for code, _label in response.context["filter"].form.fields["grade"].choices] == [
        "",
        "A",
        "B",
        "C",
        "D",
        "none",
    ]


def _queue_query_count(client, plan, department, count):
    for _number in range(count):
        _entered(plan, department, f"Q.{next(_codes_used)}", "120")
    with CaptureQueriesContext(connection) as captured:
        assert _queue(client, plan).status_code == 200
    return len(captured)


def test_the_queue_of_another_scheme_costs_the_queries_of_setagayas(client, planner, welfare):
    """A scheme's labels and states cost no query per row: an あきる野 plan's queue reads as many as a
    Setagaya plan's of the same shape, however many rows."""
    client.force_login(planner)
    setagaya, akiruno = make_plan("世田谷区"), make_plan("あきる野市", scheme="akiruno")
    for plan in (setagaya, akiruno):
        make_open_year(plan)

    setagaya_queries = _queue_query_count(client, setagaya, welfare, 3)
    akiruno_few = _queue_query_count(client, akiruno, welfare, 3)
    akiruno_many = _queue_query_count(client, akiruno, welfare, 12)

    assert akiruno_few == akiruno_many == setagaya_queries


# The item page ---------------------------------------------------------------------------------


def test_item_page_shows_the_label_with_its_meaning(client, planner, akiruno_year):
    client.force_login(planner)

    response = client.get(reverse("review_item", args=[akiruno_year["S"].pk]), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert re.search(
        r'<span class="grade grade--a">S</span>\s*<span class="grade-meaning" id="grade-meaning">Above', page
    )


def test_item_page_of_an_activity_shows_its_note_under_its_own_heading(client, planner, welfare):
    """An activity is not graded: its note on a state such as 中止 is headed as a note, not as the reason for a
    grade, and an activity without a note shows no reason section at all."""
    plan = make_plan("あきる野市の計画", scheme="akiruno")
    make_open_year(plan)
    user = make_user(department=welfare)
    noted, plain = (
        make_result(
            make_indicator(plan, department=welfare, code=code, kind=IndicatorKind.ACTIVITY),
            target=Decimal(100),
        )
        for code in ("K.8", "K.9")
    )
    value = noted.values.get()
    save_draft(noted, user=user, expected_version=1, actuals={value.pk: ActualInput("cancelled")}, reason="予算凍結")
    client.force_login(planner)

    page = client.get(reverse("review_item", args=[noted.pk]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<h3 class="item-subtitle">理由（注記）</h3>' in page and "予算凍結" in page
    assert "達成状況評価の理由" not in page  # nor in the history's change list
    page = client.get(reverse("review_item", args=[plain.pk]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<h3 class="item-subtitle">理由（注記）</h3>' not in page
    assert '<h3 class="item-subtitle">達成状況評価の理由</h3>' not in page


def test_item_page_of_a_state_shows_its_name_in_the_values_and_the_history(client, planner, akiruno_year):
    client.force_login(planner)

    response = client.get(reverse("review_item", args=[akiruno_year["X"].pk]))

    page = response.content.decode()
    values = page[page.index('class="data-table item-values"') :].split("</table>")[0]
    assert '<td class="num">未着手</td>' in values
    assert '<span class="grade grade--state">X</span>' in values
    assert 'id="grade-meaning">未着手</span>' in page
    history = page[page.index('class="data-table history-table"') :].split("</table>")[0]
    assert '<span class="change-list__new">未着手</span>' in history
    assert "not_started" not in page


def test_item_page_shows_an_earlier_closed_year_in_the_scheme_it_was_closed_with(client, planner, welfare):
    """The plan graded 2023 by Setagaya's A–D and closed it; it grades 2024 by あきる野's scheme since."""
    plan = make_plan("計画")
    year = make_open_year(plan, 2023)
    earlier = enter_actual(_outcome(plan, welfare, "E.1", fiscal_year=2023), make_user(department=welfare), "120")
    close_year(year, user=planner, force=True, reason="テスト用に締切")
    plan.grading_scheme = make_plan("別", scheme="akiruno").grading_scheme
    plan.save(update_fields=["grading_scheme"])
    make_open_year(plan, 2024)
    current = make_result(earlier.indicator, target=Decimal(100), fiscal_year=2024)
    current = enter_actual(current, make_user(department=welfare), "120")
    client.force_login(planner)

    response = client.get(reverse("review_item", args=[current.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert (earlier.grade, current.grade) == ("A", "S")
    page = response.content.decode()
    earlier_table = page[page.index('id="earlier-title"') :].split("</table>")[0]
    assert '<span class="grade grade--a">A</span>' in earlier_table  # Setagaya's best, as closed
    assert '<span class="grade grade--a">S</span>' in page  # あきる野's best, this year


def test_item_page_query_count_is_the_same_for_another_scheme(client, planner, welfare, akiruno_year):
    setagaya = make_plan("世田谷区")
    make_open_year(setagaya)
    same_shape = _entered(setagaya, welfare, "W.1", "120")
    client.force_login(planner)

    def queries(result):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review_item", args=[result.pk])).status_code == 200
        return len(captured)

    assert queries(akiruno_year["S"]) == queries(same_shape)


def test_a_stale_decision_names_the_state_the_department_entered_since(client, planner, welfare, akiruno_year):
    """A reviewer's approval refused because the item changed since they opened it: the message names
    the state the department entered (中止), not its stored code."""
    result = akiruno_year["B"]
    seen = result.version
    result = review(
        result,
        Action.RETURN,
        user=make_user(role=Role.PLANNING, department=welfare),
        expected_version=seen,
        comment="理由を",
    )
    user = make_user(department=result.indicator.department)
    value = result.values.get()
    actuals = {value.pk: ActualInput("cancelled")}
    result = save_draft(result, user=user, expected_version=result.version, actuals=actuals, reason="中止した")
    submit(result, user=user, expected_version=result.version)
    client.force_login(planner)

    response = client.post(
        reverse("review_action", args=[result.pk, "approve"]), {"version": seen}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    message = next(str(message) for message in response.context["messages"])
    assert "Approval refused" in message
    assert "→ Cancelled" in message
    assert "cancelled" not in message


def test_sorting_by_grade_follows_the_schemes_order(client, planner, akiruno_year):
    client.force_login(planner)

    ascending = [
        row.record.grade for row in _queue(client, akiruno_year["plan"], "&sort=grade").context["table"].paginated_rows
    ]
    descending = [
        row.record.grade for row in _queue(client, akiruno_year["plan"], "&sort=-grade").context["table"].paginated_rows
    ]

    assert ascending == ["", "S", "A", "B", "C", "X", "Y"]  # ー first, as '' sorted before A; then best first
    assert descending == ascending[::-1]
