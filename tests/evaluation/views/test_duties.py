"""Separation of duties and the department head's check on the pages: the item page offers a decision
only to whom may take it and says why not to the others, the queue gives no checkbox for one's own
items, an allowed decision on one's own submission is flagged on the item page and in the audit
trail; the head finds the items awaiting their check on the department's entry page and confirms or
returns them on the item page; the admin does not turn the check off under a waiting item."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from departments.enums import Role
from evaluation import display
from evaluation.domain.enums import CommentKind, ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import Plan, Result, ResultComment
from evaluation.services.results import review
from tests.builders import (
    add_membership,
    enter_actual,
    make_department,
    make_indicator,
    make_open_year,
    make_result,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OWN_SUBMISSION = "You submitted this item, so you cannot approve or return it"


@pytest.fixture
def plan(plan):
    make_open_year(plan)
    return plan


@pytest.fixture
def planner_and_staff(department, planner):
    """A member of the planning section who also enters the results of 保健福祉政策課 (its own department)."""
    add_membership(planner, department, Role.ENTRY)
    return planner


@pytest.fixture
def colleague(department):
    return make_user("colleague", department=department, role=Role.PLANNING)


@pytest.fixture
def head(department):
    return make_user("head", department=department, role=Role.HEAD, last_name="所属", first_name="長")


@pytest.fixture
def head_check(plan):
    plan.requires_head_check = True
    plan.save()
    return plan


def _submitted(plan, department, user, actual="120"):
    return enter_actual(
        make_result(make_indicator(plan, department=department), target=Decimal(100)), user, actual, then_submit=True
    )


def _item(client, result):
    return client.get(reverse("review_item", args=[result.pk]), HTTP_ACCEPT_LANGUAGE="en")


def _post(client, result, action, comment=""):
    result.refresh_from_db()
    return client.post(
        reverse("review_action", args=[result.pk, action]),
        {"version": result.version, "comment": comment},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Separation of duties ---------------------------------------------------------------------------------


def test_a_planner_who_also_enters_for_the_department_opens_its_entry_page_to_enter(
    client, plan, department, planner_and_staff
):
    make_result(make_indicator(plan, department=department), target=Decimal(100))
    client.force_login(planner_and_staff)

    page = client.get(reverse("entry_department", args=[department.pk, 2024]))

    assert page.status_code == 200
    assert page.context["can_enter"] and page.context["editable_count"] == 1


def test_the_item_page_offers_no_decision_on_ones_own_submission_and_says_why(
    client, plan, department, planner_and_staff
):
    result = _submitted(plan, department, planner_and_staff)
    client.force_login(planner_and_staff)

    page = _item(client, result)

    assert page.context["actions"] == []
    assert page.context["not_yours"].startswith(OWN_SUBMISSION)
    assert OWN_SUBMISSION in page.content.decode()
    assert 'action="' + reverse("review_action", args=[result.pk, "approve"]) not in page.content.decode()


def test_another_member_of_the_planning_section_is_offered_approve_and_return(
    client, plan, department, planner_and_staff, colleague
):
    result = _submitted(plan, department, planner_and_staff)
    client.force_login(colleague)

    page = _item(client, result)

    assert set(page.context["actions"]) == {Action.APPROVE, Action.RETURN}
    assert page.context["not_yours"] == ""


@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN])
def test_posting_a_decision_on_ones_own_submission_is_refused_with_the_reason(
    client, plan, department, planner_and_staff, action
):
    result = _submitted(plan, department, planner_and_staff)
    client.force_login(planner_and_staff)

    response = _post(client, result, action, comment="直してください")

    assert response.status_code == 302
    assert any(message.startswith(OWN_SUBMISSION) for message in _messages(response))
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED


def test_the_queue_gives_no_checkbox_for_ones_own_item_and_says_why(client, plan, department, staff, planner_and_staff):
    mine = _submitted(plan, department, planner_and_staff)
    theirs = _submitted(plan, department, staff)
    client.force_login(planner_and_staff)

    page = client.get(reverse("review_queue", args=[2024]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'id="select-{theirs.pk}"' in page
    assert f'id="select-{mine.pk}"' not in page
    assert "Yours" in page and OWN_SUBMISSION in page


def test_the_selection_refuses_ones_own_item_by_name(client, plan, department, planner_and_staff):
    mine = _submitted(plan, department, planner_and_staff)
    client.force_login(planner_and_staff)

    response = client.post(
        reverse("review_selection", args=[2024]),
        {"action": "approve", "selected": [mine.pk], f"version-{mine.pk}": mine.version, "confirmed": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert any(mine.indicator.code in message and OWN_SUBMISSION in message for message in _messages(response))
    assert Result.objects.get(pk=mine.pk).status == ResultStatus.SUBMITTED


@pytest.fixture
def one_person_section(plan):
    plan.allows_own_review = True
    plan.save()
    return plan


def test_where_the_plan_allows_it_the_page_warns_then_flags_the_approval(
    client, one_person_section, department, planner_and_staff
):
    result = _submitted(one_person_section, department, planner_and_staff)
    client.force_login(planner_and_staff)

    before = _item(client, result)
    _post(client, result, Action.APPROVE)
    after = _item(client, result)

    assert set(before.context["actions"]) == {Action.APPROVE, Action.RETURN}
    assert before.context["own_decision_allowed"]
    assert "your decision will be flagged in the change history" in before.content.decode()
    assert Result.objects.get(pk=result.pk).status == ResultStatus.APPROVED
    assert after.context["own_decision"] is not None
    assert 'id="own-decision-flag"' in after.content.decode()
    assert "own submission (allowed by the plan)" in after.content.decode()


def test_the_audit_trail_flags_a_decision_on_ones_own_submission(
    client, one_person_section, department, planner_and_staff
):
    result = _submitted(one_person_section, department, planner_and_staff)
    review(result, Action.APPROVE, user=planner_and_staff, expected_version=result.version)
    client.force_login(planner_and_staff)

    page = client.get(reverse("audit_trail"), {"kind": "result"}, HTTP_ACCEPT_LANGUAGE="en")

    flagged = [entry for entry in page.context["entries"] if entry.own_decision]
    assert len(flagged) == 1
    assert flagged[0].path == "Decision on one's own submission (allowed by the plan)"
    assert '<strong class="status-flag">Decision on one&#x27;s own submission' in page.content.decode()


# The department head's check ---------------------------------------------------------------------------


def test_the_head_is_taken_to_the_departments_page_and_sees_the_items_awaiting_the_check(
    client, head_check, department, staff, head
):
    waiting = _submitted(head_check, department, staff)
    client.force_login(head)

    landing = client.get(reverse("entry"))
    page = client.get(landing["Location"], HTTP_ACCEPT_LANGUAGE="en")

    assert landing["Location"] == reverse("entry_department", args=[department.pk, 2024])
    assert page.context["is_head"] and not page.context["can_enter"]
    assert page.context["awaiting_head"] == [waiting]
    assert reverse("review_item", args=[waiting.pk]) in page.content.decode()
    assert "1 item awaits your check" in page.content.decode()


def test_the_head_confirms_on_the_item_page_and_the_item_goes_to_the_planning_section(
    client, head_check, department, staff, head
):
    result = _submitted(head_check, department, staff)
    client.force_login(head)

    page = _item(client, result)
    response = _post(client, result, Action.CONFIRM)

    assert set(page.context["actions"]) == {Action.CONFIRM, Action.RETURN_BY_HEAD}
    assert "Confirm and send to the planning section" in page.content.decode()
    assert _messages(response) == [f"Confirmed and sent to the planning section: {result.indicator.code}."]
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED


def test_the_head_returns_with_a_comment_that_the_staff_read_on_their_page(client, head_check, department, staff, head):
    result = _submitted(head_check, department, staff)
    client.force_login(head)

    refused = _post(client, result, Action.RETURN_BY_HEAD)
    _post(client, result, Action.RETURN_BY_HEAD, comment="内訳を理由欄に書いてください。")
    client.force_login(staff)
    page = client.get(reverse("entry_department", args=[department.pk, 2024]), HTTP_ACCEPT_LANGUAGE="en")

    assert _messages(refused) == ["Write a comment for the department."]
    assert Result.objects.get(pk=result.pk).status == ResultStatus.RETURNED
    assert ResultComment.objects.get(result=result).kind == CommentKind.HEAD_RETURN
    assert f"Returned by the department head ({display.person(head)})" in page.content.decode()
    assert "内訳を理由欄に書いてください。" in page.content.decode()


def test_the_planning_section_is_not_offered_an_item_awaiting_the_head(
    client, head_check, department, staff, head, planner
):
    result = _submitted(head_check, department, staff)
    client.force_login(planner)

    page = _item(client, result)

    assert page.context["actions"] == []
    assert "awaits its department head's check: it can be approved or returned once" in page.content.decode()
    assert _post(client, result, Action.CONFIRM).status_code == 403


def test_another_departments_head_cannot_open_nor_confirm_the_item(client, head_check, department, staff, head):
    result = _submitted(head_check, department, staff)
    client.force_login(make_user("other-head", department=make_department("居住支援課"), role=Role.HEAD))

    assert _item(client, result).status_code == 404
    assert _post(client, result, Action.CONFIRM).status_code == 404


def test_without_the_check_the_head_reads_the_page_and_is_told_submissions_go_to_the_planning_section(
    client, plan, department, staff, head
):
    result = _submitted(plan, department, staff)
    client.force_login(head)

    page = client.get(reverse("entry_department", args=[department.pk, 2024]), HTTP_ACCEPT_LANGUAGE="en")
    item = _item(client, result)

    assert "does not ask for the head's check" in page.content.decode()
    assert item.context["actions"] == []
    assert "Nothing to confirm while the item is “Submitted”" in item.content.decode()


def test_the_admin_does_not_turn_the_check_off_while_an_item_awaits_its_head(
    client, head_check, department, staff, head
):
    _submitted(head_check, department, staff)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:evaluation_plan_change", args=[head_check.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"requires_head_check": "", "pillars-TOTAL_FORMS": 0, "pillars-INITIAL_FORMS": 0})

    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "1 item awaits its department head&#x27;s check" in response.content.decode()
    assert Plan.objects.get(pk=head_check.pk).requires_head_check
