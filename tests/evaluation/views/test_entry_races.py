"""The entry page when colleagues work on the same department at once: two people, two browsers
(two test clients), each posting what its page really holds (tests.page_forms).

- A saves row Y from a page opened before colleague B saved row X: no conflict on X, which A never
  touched; only the rows A changed are compared with their version, and nothing A's page held of X
  is written over B's save, neither by the first save nor by doing what a conflict box says.
- A types into a row that B submitted, or that the planning section approved, in the meantime, or
  whose year was closed: the save says for every such row that it could not take it, and why, and
  the page keeps what A typed in it in sight."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluation.domain.enums import ActualState, ResultStatus, YearStatus
from evaluation.domain.workflow import Action
from evaluation.models import EvaluationYear
from evaluation.services import results as services
from tests.builders import enter_actual, make_open_year, make_outcome_result, make_user
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def year(plan):
    return make_open_year(plan)


@pytest.fixture
def colleague(department):
    return make_user("colleague", department=department, first_name="花子", last_name="世田谷")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(department) -> str:
    return reverse("entry_department", args=[department.pk, 2024])


def _save(department) -> str:
    return reverse("entry_department_save", args=[department.pk, 2024])


def _open(client, department) -> dict[str, str]:
    """Open the department's page and read its form as the browser would send it."""
    response = client.get(_page(department))
    assert response.status_code == 200
    return form_data(response.content.decode(), _save(department))


def _actual_field(result) -> str:
    return f"r{result.pk}-actual_{result.values.get().pk}"


def _actual(result):
    return result.values.get().actual_value


def _reloaded(result):
    result.refresh_from_db()
    return result


# Race 1: a colleague saved another row in the meantime -------------------------------------------


def test_saving_one_row_is_no_conflict_on_a_row_a_colleague_saved_since(
    client, plan, year, department, staff, colleague
):
    row_x, row_y = make_outcome_result(plan, department, name="行X"), make_outcome_result(plan, department, name="行Y")
    enter_actual(row_x, staff, 60, reason="最初の理由")  # X holds 60 when both pages open
    page_a = _open(_client(staff), department)
    page_b = _open(colleague_client := _client(colleague), department)

    page_b[_actual_field(row_x)] = "77"
    assert colleague_client.post(_save(department), {**page_b, "action": "save"}).status_code == 302

    page_a[_actual_field(row_y)] = "80"
    response = _client(staff).post(_save(department), {**page_a, "action": "save"})

    assert response.status_code == 302  # no conflict: A never touched X
    assert _actual(row_y) == 80 and _reloaded(row_y).updated_by == staff
    assert _actual(row_x) == 77 and _reloaded(row_x).updated_by == colleague
    assert row_x.version == 3  # B's save only


def test_submitting_all_leaves_an_untouched_row_a_colleague_saved_since_for_a_look(
    client, plan, year, department, staff, colleague
):
    row_x, row_y = make_outcome_result(plan, department, name="行X"), make_outcome_result(plan, department, name="行Y")
    for row in (row_x, row_y):
        enter_actual(row, staff, 100)
    me = _client(staff)
    page_a = _open(me, department)
    enter_actual(_reloaded(row_x), colleague, 90)  # B corrects X after A opened the page

    response = me.post(_save(department), {**page_a, "action": "submit_all"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "You had not changed this item: it now shows what they saved." in content
    assert "Save again to replace theirs" not in content
    assert _reloaded(row_y).status == ResultStatus.SUBMITTED
    assert _reloaded(row_x).status == ResultStatus.DRAFT and _actual(row_x) == 90

    # Doing what the box says: the page now holds B's 90 at B's version, and submits that.
    again = form_data(content, _save(department))
    assert again[_actual_field(row_x)] == "90"
    assert me.post(_save(department), {**again, "action": "submit_all"}).status_code == 302
    assert (_reloaded(row_x).status, _actual(row_x)) == (ResultStatus.SUBMITTED, 90)


def test_a_real_conflict_keeps_only_what_this_user_changed_and_a_second_save_never_writes_old_values(
    client, plan, year, department, staff, colleague
):
    row_x = make_outcome_result(plan, department, name="行X")
    enter_actual(row_x, staff, 60, reason="最初の理由")
    me = _client(staff)
    page_a = _open(me, department)
    enter_actual(_reloaded(row_x), colleague, 77, reason="最初の理由")  # B changes the actual

    page_a[f"r{row_x.pk}-reason"] = "Aの理由"  # A changes only the reason
    response = me.post(_save(department), {**page_a, "action": "save"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "saved this item at" in content and "世田谷" in content and "77" in content
    assert "the fields you did not change now show what they saved" in content
    assert _actual(row_x) == 77 and _reloaded(row_x).reason == "最初の理由"
    again = form_data(content, _save(department))
    assert again[_actual_field(row_x)] == "77"  # B's, not the 60 A's page showed
    assert again[f"r{row_x.pk}-reason"] == "Aの理由"
    assert again[f"r{row_x.pk}-version"] == str(row_x.version)

    # "Save again to replace theirs with your changes": A's reason goes in, B's actual stays.
    assert me.post(_save(department), {**again, "action": "save"}).status_code == 302
    assert (_actual(row_x), _reloaded(row_x).reason) == (77, "Aの理由")


# Race 2: the row left the department's hands in the meantime -------------------------------------


def test_values_typed_into_rows_submitted_or_approved_since_are_reported_with_why_and_kept_in_sight(
    client, plan, year, department, staff, colleague, planner
):
    submitted = make_outcome_result(plan, department, code="1-1", name="提出された指標")
    approved = make_outcome_result(plan, department, code="1-2", name="承認された指標")
    free = make_outcome_result(plan, department, code="1-3", name="空いている指標")
    enter_actual(approved, staff, 100)
    me = _client(staff)
    page_a = _open(me, department)
    enter_actual(_reloaded(submitted), colleague, 100, then_submit=True)
    enter_actual(_reloaded(approved), colleague, 100, then_submit=True)
    services.review(_reloaded(approved), Action.APPROVE, user=planner, expected_version=approved.version)

    page_a[_actual_field(submitted)] = "55"
    page_a[f"r{submitted.pk}-reason"] = "Aが書いた理由"
    page_a[_actual_field(approved)] = "66"
    page_a[_actual_field(free)] = "120"
    response = me.post(_save(department), {**page_a, "action": "save"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "1 item saved." in content and "Nothing was changed" not in content
    assert "Not done: 2 problems." in content
    summary = content[content.index('id="error-summary"') : content.index("</ul>", content.index('id="error-summary"'))]
    assert "1-1 提出された指標" in summary and "1-2 承認された指標" in summary
    assert "after you opened this page, 花子 世田谷 made this item “Submitted”" in content
    assert "after you opened this page, planner made this item “Approved”" in content
    assert "What you typed (not saved):" in content
    assert "Actual: 55" in content and "Reason: Aが書いた理由" in content and "Actual: 66" in content
    assert _actual(free) == 120
    assert (_reloaded(submitted).status, _actual(submitted)) == (ResultStatus.SUBMITTED, 100)
    assert (_reloaded(approved).status, _actual(approved)) == (ResultStatus.APPROVED, 100)


def test_an_untouched_row_submitted_since_is_neither_reported_nor_submitted_again(
    client, plan, year, department, staff, colleague
):
    theirs, mine = make_outcome_result(plan, department), make_outcome_result(plan, department)
    enter_actual(mine, staff, 100)
    me = _client(staff)
    page_a = _open(me, department)
    enter_actual(_reloaded(theirs), colleague, 100, then_submit=True)

    response = me.post(_save(department), {**page_a, "action": "submit_all"})

    assert response.status_code == 302
    assert _reloaded(mine).status == ResultStatus.SUBMITTED
    assert _reloaded(theirs).submitted_by == colleague


def test_values_typed_before_the_year_was_closed_are_reported_and_kept_in_sight(client, plan, year, department, staff):
    first, second = make_outcome_result(plan, department, code="2-1"), make_outcome_result(plan, department, code="2-2")
    me = _client(staff)
    page_a = _open(me, department)
    EvaluationYear.objects.filter(pk=year.pk).update(status=YearStatus.CLOSED)

    page_a[_actual_field(first)] = "12"
    page_a[_actual_field(second)] = "34"
    response = me.post(_save(department), {**page_a, "action": "save"})

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count("no longer takes entries") >= 2
    assert "Actual: 12" in content and "Actual: 34" in content
    for result in (first, second):
        assert _reloaded(result).version == 1 and result.values.get().actual_state == ActualState.EMPTY
