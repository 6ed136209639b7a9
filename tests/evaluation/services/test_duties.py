"""Separation of duties and the department head's check (所属長確認), through the result services:

- nobody confirms, approves or returns an item they submitted or last changed (guards.refuse_own_decision),
  on one item and in a selection; a plan that allows it for a one-person section flags the decision
  in the history (guards.OWN_DECISION_REASON);
- a person who holds the planning role and an entry role in one department enters its items, and
  another member of the planning section approves them;
- with the plan's head check on, a submission goes to the department's head (所属長確認待ち), who
  confirms it to the planning section or returns it with a comment; off, nothing changes."""

from decimal import Decimal

import pytest

from departments.enums import Role
from evaluation.domain.enums import CommentKind, ResultStatus
from evaluation.domain.workflow import Action, TransitionRefused
from evaluation.models import Result, ResultComment
from evaluation.services import guards
from evaluation.services.guards import NoHead, OwnDecisionRefused, PermissionRefused
from evaluation.services.results import SelectionRefused, review, review_selection, submit, transition
from tests.builders import (
    add_membership,
    enter_actual,
    make_department,
    make_indicator,
    make_open_year,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner_and_staff(department, planner):
    """The planning section's member who also enters the results of their own department (保健福祉政策課)."""
    add_membership(planner, department, Role.ENTRY)
    return type(planner).objects.get(pk=planner.pk)


@pytest.fixture
def colleague(department):
    """Another member of the planning section."""
    return make_user("colleague", department=department, role=Role.PLANNING)


@pytest.fixture
def head(department):
    return make_user("head", department=department, role=Role.HEAD)


def _item(plan, department, *, fiscal_year=2024):
    make_open_year(plan, fiscal_year)
    return make_result(make_indicator(plan, department=department), fiscal_year=fiscal_year, target=Decimal(100))


def _submitted_by(user, plan, department):
    return enter_actual(_item(plan, department), user, "120", then_submit=True)


def _decide(result, action, user, comment="理由を確認してください。"):
    result = Result.objects.get(pk=result.pk)
    return review(result, action, user=user, expected_version=result.version, comment=comment)


# Separation of duties ---------------------------------------------------------------------------------


def test_a_planner_who_also_enters_for_the_department_enters_and_submits_its_items(plan, department, planner_and_staff):
    result = _submitted_by(planner_and_staff, plan, department)

    assert (result.status, result.submitted_by, result.updated_by) == (
        ResultStatus.SUBMITTED,
        planner_and_staff,
        planner_and_staff,
    )


@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN])
@pytest.mark.usefixtures("english")
def test_approving_or_returning_ones_own_submission_is_refused(plan, department, planner_and_staff, action):
    result = _submitted_by(planner_and_staff, plan, department)

    with pytest.raises(OwnDecisionRefused) as refused:
        _decide(result, action, planner_and_staff)

    assert refused.value.part == OwnDecisionRefused.SUBMITTED
    assert str(refused.value.message).startswith("You submitted this item, so you cannot approve or return it")
    unchanged = Result.objects.get(pk=result.pk)
    assert (unchanged.status, unchanged.version) == (ResultStatus.SUBMITTED, result.version)
    assert not ResultComment.objects.filter(result=result).exists()


def test_another_member_of_the_planning_section_approves_it(plan, department, planner_and_staff, colleague):
    result = _submitted_by(planner_and_staff, plan, department)

    approved = _decide(result, Action.APPROVE, colleague)

    assert approved.status == ResultStatus.APPROVED
    assert Result.history.filter(id=result.pk).latest().history_change_reason is None


@pytest.mark.usefixtures("english")
def test_the_person_who_last_changed_a_submitted_item_may_not_approve_it(plan, department, staff, colleague):
    result = _submitted_by(staff, plan, department)
    Result.objects.filter(pk=result.pk).update(updated_by=colleague)  # e.g. a revision of its target

    with pytest.raises(OwnDecisionRefused) as refused:
        _decide(result, Action.APPROVE, colleague)

    assert refused.value.part == OwnDecisionRefused.CHANGED
    assert "You made the last change to this item" in str(refused.value.message)


def test_reopening_an_approved_item_is_not_a_decision_on_ones_own_submission(plan, department, planner_and_staff):
    result = _submitted_by(planner_and_staff, plan, department)
    Result.objects.filter(pk=result.pk).update(status=ResultStatus.APPROVED)

    reopened = _decide(result, Action.REOPEN, planner_and_staff, comment="数値の誤りのため")

    assert reopened.status == ResultStatus.RETURNED


def test_a_selection_with_ones_own_submission_is_refused_as_a_whole(
    plan, department, staff, planner_and_staff, colleague
):
    mine = _submitted_by(planner_and_staff, plan, department)
    theirs = enter_actual(make_result(make_indicator(plan, department=department)), staff, "90", then_submit=True)

    with pytest.raises(SelectionRefused) as refused:
        review_selection({mine.pk: mine.version, theirs.pk: theirs.version}, Action.APPROVE, user=planner_and_staff)

    assert [(refusal.result.pk, type(refusal.error)) for refusal in refused.value.refusals] == [
        (mine.pk, OwnDecisionRefused)
    ]
    assert set(Result.objects.filter(pk__in=[mine.pk, theirs.pk]).values_list("status", flat=True)) == {
        ResultStatus.SUBMITTED
    }


def test_the_plan_may_allow_it_for_a_one_person_section_and_the_approval_is_flagged(
    plan, department, planner_and_staff
):
    plan.allows_own_review = True
    plan.save()
    result = _submitted_by(planner_and_staff, plan, department)

    approved = _decide(result, Action.APPROVE, planner_and_staff)

    assert approved.status == ResultStatus.APPROVED
    assert Result.objects.get(pk=result.pk).approved_by_submitter  # the report flags it (自己承認)
    row = Result.history.filter(id=result.pk).latest()
    assert (row.status, row.history_user, row.history_change_reason) == (
        ResultStatus.APPROVED,
        planner_and_staff,
        guards.OWN_DECISION_REASON,
    )


def test_a_decision_on_someone_elses_submission_is_not_flagged_where_the_plan_allows_own_ones(
    plan, department, staff, planner
):
    plan.allows_own_review = True
    plan.save()
    result = _submitted_by(staff, plan, department)

    _decide(result, Action.APPROVE, planner)

    assert Result.history.filter(id=result.pk).latest().history_change_reason is None
    assert not Result.objects.get(pk=result.pk).approved_by_submitter


@pytest.mark.parametrize(
    ("who", "action", "may"),
    [
        ("submitter", Action.APPROVE, False),
        ("submitter", Action.RETURN, False),
        ("submitter", Action.CONFIRM, False),
        ("submitter", Action.REOPEN, True),
        ("submitter", Action.WITHDRAW, True),
        ("someone else", Action.APPROVE, True),
        ("someone else", Action.CONFIRM, True),
    ],
)
def test_may_decide_answers_for_a_page(plan, department, staff, planner, who, action, may):
    result = _submitted_by(staff, plan, department)

    assert guards.may_decide(staff if who == "submitter" else planner, result, action) is may


# The department head's check ---------------------------------------------------------------------------


@pytest.fixture
def head_check(plan):
    plan.requires_head_check = True
    plan.save()
    return plan


def test_without_the_head_check_a_submission_goes_to_the_planning_section(plan, department, staff, head):
    result = _submitted_by(staff, plan, department)

    assert result.status == ResultStatus.SUBMITTED


def test_with_the_head_check_a_submission_goes_to_the_head(head_check, department, staff, head):
    result = _submitted_by(staff, head_check, department)

    assert (result.status, result.submitted_by) == (ResultStatus.AWAITING_HEAD, staff)


def test_the_head_confirms_it_to_the_planning_section_who_approves_it(head_check, department, staff, head, planner):
    result = _submitted_by(staff, head_check, department)

    confirmed = _decide(result, Action.CONFIRM, head)
    approved = _decide(confirmed, Action.APPROVE, planner)

    assert (confirmed.status, confirmed.updated_by, confirmed.submitted_by) == (ResultStatus.SUBMITTED, head, staff)
    assert approved.status == ResultStatus.APPROVED
    # The head's confirmation is not the planning section's review: "changed since the last review" is not moved.
    assert Result.objects.get(pk=result.pk).reviewed_version == approved.version


def test_the_head_returns_it_with_a_comment_and_the_resubmission_goes_to_the_head_again(
    head_check, department, staff, head
):
    result = _submitted_by(staff, head_check, department)
    with pytest.raises(TransitionRefused):
        _decide(result, Action.RETURN_BY_HEAD, head, comment="　")

    returned = _decide(result, Action.RETURN_BY_HEAD, head, comment="理由欄に内訳を書いてください。")
    resubmitted = enter_actual(returned, staff, "125", then_submit=True)

    assert returned.status == ResultStatus.RETURNED
    assert ResultComment.objects.get(result=result).kind == CommentKind.HEAD_RETURN
    assert Result.objects.get(pk=result.pk).reviewed_version is None
    assert resubmitted.status == ResultStatus.AWAITING_HEAD


@pytest.mark.usefixtures("head")
def test_only_the_head_of_the_owning_department_confirms(head_check, department, staff, planner):
    other_head = make_user("other-head", department=make_department("居住支援課"), role=Role.HEAD)
    result = _submitted_by(staff, head_check, department)

    for someone in (staff, planner, other_head):
        with pytest.raises(PermissionRefused):
            _decide(result, Action.CONFIRM, someone)


def test_the_planning_section_cannot_approve_an_item_awaiting_the_head(head_check, department, staff, head, planner):
    result = _submitted_by(staff, head_check, department)

    with pytest.raises(TransitionRefused):
        _decide(result, Action.APPROVE, planner)


def test_a_head_who_submitted_the_item_may_not_confirm_it(head_check, department, head):
    add_membership(head, department, Role.ENTRY)
    head = type(head).objects.get(pk=head.pk)
    result = _submitted_by(head, head_check, department)

    with pytest.raises(OwnDecisionRefused):
        _decide(result, Action.CONFIRM, head)


def test_a_head_who_is_also_the_planning_section_may_not_approve_what_they_confirmed(
    head_check, department, staff, head
):
    add_membership(head, department, Role.PLANNING)
    head = type(head).objects.get(pk=head.pk)
    confirmed = _decide(_submitted_by(staff, head_check, department), Action.CONFIRM, head)

    with pytest.raises(OwnDecisionRefused) as refused:
        _decide(confirmed, Action.APPROVE, head)

    assert refused.value.part == OwnDecisionRefused.CHANGED


def test_the_department_withdraws_an_item_awaiting_its_head(head_check, department, staff, head):
    result = _submitted_by(staff, head_check, department)

    withdrawn = transition(result, Action.WITHDRAW, user=staff, expected_version=result.version)

    assert withdrawn.status == ResultStatus.DRAFT


@pytest.mark.usefixtures("english")
def test_a_department_without_a_head_cannot_submit_when_the_plan_asks_for_the_check(head_check, department, staff):
    result = enter_actual(_item(head_check, department), staff, "120")

    with pytest.raises(NoHead) as refused:
        submit(result, user=staff, expected_version=result.version)

    assert "保健福祉政策課 has no head" in str(refused.value.message)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.DRAFT


def test_an_inactive_head_is_no_head(head_check, department, staff, head):
    head.is_active = False
    head.save()
    result = enter_actual(_item(head_check, department), staff, "120")

    with pytest.raises(NoHead):
        submit(result, user=staff, expected_version=result.version)


def test_the_check_is_not_turned_off_while_an_item_awaits_its_head(head_check, department, staff, head):
    result = _submitted_by(staff, head_check, department)

    with pytest.raises(guards.RecordInUse):
        guards.refuse_plan_change(head_check, ["requires_head_check"])
    _decide(result, Action.CONFIRM, head)
    guards.refuse_plan_change(head_check, ["requires_head_check"])  # nothing waits: allowed


def test_turning_the_check_on_is_always_allowed(plan, department, staff):
    _submitted_by(staff, plan, department)

    guards.refuse_plan_change(plan, ["requires_head_check"])
