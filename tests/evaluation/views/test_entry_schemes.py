"""The department entry page of a plan graded by another municipality's scheme: あきる野市's (F, S, A, B,
C; the states 完了 F, 未着手 X, 中止 Y, 評価困難 Z, 集計中). The states are offered by name instead of a
figure, typed state words are read as the state, the judged grade offers the scheme's labels, and the
reason rule is the scheme's (B and C; a note for 中止 and 評価困難)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.domain.enums import Direction, IndicatorKind, ResultStatus
from tests.builders import make_department_year, make_indicator, make_open_year, make_plan, make_result
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def akiruno():
    plan = make_plan("あきる野市総合計画", scheme="akiruno")
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(3))
    return plan


@pytest.fixture
def outcome(akiruno, department):
    return make_result(make_indicator(akiruno, department=department, unit="件"), target=Decimal(100))


def _page_url(department):
    return reverse("entry_department", args=[department.pk, 2024])


def _save_url(department):
    return reverse("entry_department_save", args=[department.pk, 2024])


def _page(client, department) -> str:
    response = client.get(_page_url(department))
    assert response.status_code == 200
    return response.content.decode()


def _post(client, department, changes: dict, action="save"):
    data = {**form_data(_page(client, department), _save_url(department)), **changes, "action": action}
    return client.post(_save_url(department), data)


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])


def test_the_actual_offers_the_schemes_states_by_name(client, department, staff, outcome):
    client.force_login(staff)
    html = _page(client, department)
    value = outcome.values.get()

    assert _options(html, f"r{outcome.pk}-state_{value.pk}") == [
        ("", "—"),
        ("completed", "完了"),
        ("not_started", "未着手"),
        ("cancelled", "中止"),
        ("difficult", "評価困難"),
        ("tallying", "集計中"),
    ]
    assert f"r{outcome.pk}-tallying_{value.pk}" not in html  # no 集計中 box: 集計中 is one of the choices
    assert "数値に代えて" in html


def test_the_legend_and_the_reason_rule_are_the_schemes(client, department, staff, outcome):
    client.force_login(staff)
    html = _page(client, department)

    assert "B・C・中止・評価困難のときは必須" in html
    assert "評価がB・Cのときは理由が必要です。" in html
    assert "中止・評価困難のときは、その理由（注記）が必要です。" in html
    assert "F:完了、S:100％超、A:100％、B:50％～100％未満、C:50％未満、X:未着手、Y:中止、Z:評価困難" in html
    assert "C・Dのときは必須" not in html


def test_typing_chushi_saves_the_state_cancelled_graded_y_and_asks_for_a_note(client, department, staff, outcome):
    client.force_login(staff)
    value = outcome.values.get()

    response = _post(client, department, {f"r{outcome.pk}-actual_{value.pk}": "中止"}, action="submit_all")

    assert response.status_code == 200  # refused at the submission: the note is missing
    html = response.content.decode()
    assert "「中止」となった理由（注記）を入力してください。" in html
    outcome.refresh_from_db()
    value.refresh_from_db()
    assert (value.actual_state, value.grade, outcome.grade) == ("cancelled", "Y", "Y")
    assert outcome.status == ResultStatus.DRAFT
    assert re.search(r'<option value="cancelled"[^>]* selected>中止</option>', html)  # the choice shows it

    response = _post(client, department, {f"r{outcome.pk}-reason": "事業を廃止したため"}, action="submit_all")

    assert response.status_code == 302
    outcome.refresh_from_db()
    assert (outcome.status, outcome.grade) == (ResultStatus.SUBMITTED, "Y")


def test_a_state_chosen_wins_over_the_figure_typed(client, department, staff, outcome):
    client.force_login(staff)
    value = outcome.values.get()

    response = _post(
        client,
        department,
        {f"r{outcome.pk}-actual_{value.pk}": "120", f"r{outcome.pk}-state_{value.pk}": "not_started"},
        action="submit_all",
    )

    assert response.status_code == 302  # 未着手 (X) needs no note
    value.refresh_from_db()
    outcome.refresh_from_db()
    assert (value.actual_state, value.actual_value, outcome.grade, outcome.status) == (
        "not_started",
        None,
        "X",
        ResultStatus.SUBMITTED,
    )
    assert '<span class="entry-value">未着手</span>' in _page(client, department)  # read-only now: by its name


def test_a_figure_over_the_target_is_s_and_b_asks_for_its_reason(client, department, staff, outcome):
    client.force_login(staff)
    value = outcome.values.get()

    _post(client, department, {f"r{outcome.pk}-actual_{value.pk}": "１２０件"})
    outcome.refresh_from_db()
    assert outcome.grade == "S"

    response = _post(client, department, {f"r{outcome.pk}-actual_{value.pk}": "60"}, action="submit_all")

    assert "評価がBのため、達成状況評価の理由を入力してください。" in response.content.decode()
    outcome.refresh_from_db()
    assert (outcome.grade, outcome.status) == ("B", ResultStatus.DRAFT)


def test_a_word_that_is_no_state_of_the_scheme_is_refused_with_the_states(client, department, staff, outcome):
    client.force_login(staff)
    value = outcome.values.get()

    response = _post(client, department, {f"r{outcome.pk}-actual_{value.pk}": "廃止"})

    html = response.content.decode()
    assert "「完了」、「未着手」、「中止」、「評価困難」、「集計中」のいずれか" in html
    value.refresh_from_db()
    assert value.actual_state == "empty"


def test_a_setagaya_plan_refuses_chushi_and_keeps_its_tallying_box(client, plan, department, staff):
    make_open_year(plan)
    result = make_result(make_indicator(plan, department=department), target=Decimal(100))
    value = result.values.get()
    client.force_login(staff)

    html = _page(client, department)
    assert f'name="r{result.pk}-tallying_{value.pk}"' in html and f"state_{value.pk}" not in html
    assert "C・Dのときは必須" in html and "評価がC・Dのときは理由が必要です。" in html

    response = _post(client, department, {f"r{result.pk}-actual_{value.pk}": "中止"})

    assert "数値を入力するか、「集計中」を選んでください。" in response.content.decode()
    value.refresh_from_db()
    assert value.actual_state == "empty"


def test_a_qualitative_outcome_is_judged_with_the_schemes_labels(client, department, staff, akiruno):
    indicator = make_indicator(akiruno, department=department, direction=Direction.QUALITATIVE, unit="")
    result = make_result(indicator, target="課題整理")
    value = result.values.get()
    client.force_login(staff)

    html = _page(client, department)
    assert _options(html, f"r{result.pk}-judged_grade") == [
        ("", "ー"),
        ("S", "S"),
        ("A", "A"),
        ("B", "B"),
        ("C", "C"),
    ]
    assert '<option value="S" title="目標値以上">' in html  # each label's meaning

    response = _post(
        client,
        department,
        {f"r{result.pk}-actual_{value.pk}": "運用開始", f"r{result.pk}-judged_grade": "S"},
        action="submit_all",
    )

    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.judged_grade, result.grade, result.status) == ("S", "S", ResultStatus.SUBMITTED)


@pytest.fixture
def activity(akiruno, department):
    return make_result(make_indicator(akiruno, department=department, kind=IndicatorKind.ACTIVITY), target=None)


def _note_line(html: str, result) -> str:
    line = re.search(rf'<tbody id="result-{result.pk}".*?</tbody>', html, re.S)[0]
    found = re.search(r'<tr class="entry-reason-row entry-note-line">.*?</tr>', line, re.S)
    return found[0] if found else ""


def test_an_activity_row_has_a_note_hidden_until_a_state_that_needs_one_is_entered(client, department, staff, activity):
    client.force_login(staff)

    line = _note_line(_page(client, department), activity)

    assert f'name="r{activity.pk}-reason"' in line
    assert "理由（注記）" in line and "中止・評価困難のときは必須" in line
    assert 'class="entry-note-flag"' in line  # not asked yet: the page's CSS hides the line


def test_an_activity_cancelled_without_a_note_is_refused_at_submission_and_taken_with_one(
    client, department, staff, activity
):
    value = activity.values.get()
    client.force_login(staff)

    response = _post(client, department, {f"r{activity.pk}-actual_{value.pk}": "中止"}, action="submit_all")

    assert response.status_code == 200  # the draft is saved, the submission refused: the note is missing
    html = response.content.decode()
    line = _note_line(html, activity)
    assert "「中止」となった理由（注記）を入力してください。" in line
    assert "entry-note-flag--asked" in line and 'aria-invalid="true"' in line
    assert f'href="#id_r{activity.pk}-reason"' in html  # the error summary jumps to the note
    value.refresh_from_db()
    activity.refresh_from_db()
    assert (value.actual_state, activity.status) == ("cancelled", ResultStatus.DRAFT)

    response = _post(client, department, {f"r{activity.pk}-reason": "会場の改修で中止"}, action="submit_all")

    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.reason) == (ResultStatus.SUBMITTED, "会場の改修で中止")


def test_an_activity_not_started_needs_no_note(client, department, staff, activity):
    value = activity.values.get()
    client.force_login(staff)

    response = _post(client, department, {f"r{activity.pk}-state_{value.pk}": "not_started"}, action="submit_all")

    assert response.status_code == 302  # 未着手 asks for no note in あきる野's scheme
    activity.refresh_from_db()
    assert activity.status == ResultStatus.SUBMITTED


def test_the_live_preview_of_an_activity_shows_its_note_line_and_asks_for_the_note(client, department, staff, activity):
    client.force_login(staff)
    value = activity.values.get()
    prefix = f"r{activity.pk}"
    url = reverse("entry_preview", args=[activity.pk])

    html = client.post(url, {f"{prefix}-version": "1", f"{prefix}-state_{value.pk}": "difficult"}).content.decode()

    assert f'id="{prefix}-note-flag" hx-swap-oob="outerHTML"' in html
    assert "entry-note-flag--asked" in html
    assert "「評価困難」となった理由（注記）を入力してください。" in html

    html = client.post(url, {f"{prefix}-version": "1", f"{prefix}-actual_{value.pk}": "12"}).content.decode()

    assert "entry-note-flag--asked" not in html and "理由（注記）を入力" not in html


def test_a_setagaya_activity_row_has_no_note(client, plan, department, staff):
    make_open_year(plan)
    result = make_result(make_indicator(plan, department=department, kind=IndicatorKind.ACTIVITY), target=None)
    client.force_login(staff)

    html = _page(client, department)

    assert f'name="r{result.pk}-reason"' not in html and "entry-note-line" not in html


def test_the_live_preview_shows_y_and_asks_for_the_note(client, department, staff, outcome):
    client.force_login(staff)
    value = outcome.values.get()
    prefix = f"r{outcome.pk}"

    response = client.post(
        reverse("entry_preview", args=[outcome.pk]),
        {f"{prefix}-version": "1", f"{prefix}-actual_{value.pk}": "中止", f"{prefix}-reason": ""},
    )

    html = response.content.decode()
    assert '<span class="grade grade--state">Y</span>' in html  # a state's label: the neutral look
    assert "「中止」となった理由（注記）を入力してください。" in html
    value.refresh_from_db()
    assert value.actual_state == "empty"  # nothing saved


def test_the_page_query_count_does_not_grow_with_the_rows(client, department, staff, akiruno):
    """The scheme is read once for the page, not per row: 30 rows cost what 3 rows cost."""
    client.force_login(staff)
    make_department_year(akiruno, department, 3)
    client.get(_page_url(department))  # warm the session
    with CaptureQueriesContext(connection) as small:
        _page(client, department)
    make_department_year(akiruno, department, 27)
    with CaptureQueriesContext(connection) as large:
        html = _page(client, department)

    assert len(large) == len(small), [query["sql"] for query in large]
    assert html.count("select--state") >= 30
