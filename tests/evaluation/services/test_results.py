import re
from decimal import Decimal

import pytest

from evaluation.domain.enums import ActualState, Direction, ResultStatus
from evaluation.domain.workflow import Action, TransitionRefused
from evaluation.models import Result, ResultValue
from evaluation.services.guards import InputRefused, PermissionRefused, StaleVersion
from evaluation.services.results import ActualInput, save_draft, submit, transition
from tests.builders import make_department, make_indicator, make_result, make_user

pytestmark = pytest.mark.django_db


def _number(value):
    return ActualInput(ActualState.NUMBER, Decimal(value))


def _save(result, user, actual, reason="", **extra):
    value = result.values.get()
    return save_draft(
        result, user=user, expected_version=result.version, actuals={value.pk: actual}, reason=reason, **extra
    )


def test_saving_an_actual_grades_it_and_makes_the_result_a_draft(staff, department):
    result = make_result(make_indicator(department=department), target=Decimal(2100))
    saved = _save(result, staff, _number("1676"))
    value = ResultValue.objects.get(result=result)
    assert (value.achievement, value.grade) == (Decimal("79.8"), "C")
    saved.refresh_from_db()
    assert (saved.status, saved.grade, saved.version, saved.updated_by) == (ResultStatus.DRAFT, "C", 2, staff)


def test_submit_without_reason_for_c_is_refused_and_with_reason_is_accepted(staff, department):
    result = _save(make_result(make_indicator(department=department), target=Decimal(100)), staff, _number("50"))
    with pytest.raises(TransitionRefused):
        submit(result, user=staff, expected_version=result.version)
    result = _save(Result.objects.get(pk=result.pk), staff, _number("50"), reason="　")  # full-width space only
    with pytest.raises(TransitionRefused):
        submit(result, user=staff, expected_version=result.version)
    result = _save(Result.objects.get(pk=result.pk), staff, _number("50"), reason="人員不足のため")
    submitted = submit(result, user=staff, expected_version=result.version)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED == submitted.status


def test_submit_refuses_an_item_with_no_value(staff, department):
    result = make_result(make_indicator(department=department))
    result = _save(result, staff, ActualInput())
    with pytest.raises(TransitionRefused):
        submit(result, user=staff, expected_version=result.version)


def test_tallying_can_be_submitted_without_a_grade(staff, department):
    result = _save(make_result(make_indicator(department=department)), staff, ActualInput(ActualState.TALLYING))
    assert submit(result, user=staff, expected_version=result.version).grade == ""


def test_qualitative_outcome_takes_the_judged_grade(staff, department):
    indicator = make_indicator(department=department, direction=Direction.QUALITATIVE, unit="")
    result = make_result(indicator, target="課題整理")
    saved = _save(result, staff, ActualInput(ActualState.TEXT, text="課題整理"), judged_grade="A")
    assert saved.grade == "A"


def test_the_second_of_two_concurrent_saves_is_refused_with_what_the_first_saved(staff, department):
    result = make_result(make_indicator(department=department))
    colleague = make_user("colleague", department=department)
    opened_version = result.version
    _save(result, colleague, _number("90"), reason="")
    with pytest.raises(StaleVersion) as refused:
        save_draft(
            result,
            user=staff,
            expected_version=opened_version,
            actuals={result.values.get().pk: _number("95")},
            reason="",
        )
    assert refused.value.current.updated_by == colleague
    assert ResultValue.objects.get(result=result).actual_value == Decimal("90")


def test_another_department_cannot_save_or_approve(department, planner):
    result = make_result(make_indicator(department=department))
    outsider = make_user("outsider", department=make_department("別の課"))
    with pytest.raises(PermissionRefused):
        _save(result, outsider, _number("1"))
    with pytest.raises(PermissionRefused):
        transition(result, Action.APPROVE, user=outsider, expected_version=result.version)


def test_planning_section_approves_a_submitted_item_and_it_is_locked(staff, planner, department):
    result = _save(make_result(make_indicator(department=department)), staff, _number("100"))
    result = submit(result, user=staff, expected_version=result.version)
    approved = transition(result, Action.APPROVE, user=planner, expected_version=result.version)
    assert approved.status == ResultStatus.APPROVED
    with pytest.raises(TransitionRefused):
        _save(approved, staff, _number("1"))
    assert approved.history.count() == 4  # created, saved, submitted, approved


def test_approval_refuses_an_item_that_is_not_submitted(planner, department):
    result = make_result(make_indicator(department=department))
    with pytest.raises(TransitionRefused):
        transition(result, Action.APPROVE, user=planner, expected_version=result.version)


def test_return_needs_a_comment_which_joins_the_thread(staff, planner, department):
    result = _save(make_result(make_indicator(department=department)), staff, _number("100"))
    result = submit(result, user=staff, expected_version=result.version)
    with pytest.raises(TransitionRefused):
        transition(result, Action.RETURN, user=planner, expected_version=result.version, comment="　")
    returned = transition(
        result, Action.RETURN, user=planner, expected_version=result.version, comment="実績の根拠を追記してください"
    )
    assert returned.status == ResultStatus.RETURNED
    assert [(c.kind, c.author, c.body) for c in returned.comments.all()] == [
        ("return", planner, "実績の根拠を追記してください")
    ]
    # The department corrects and resubmits.
    corrected = _save(Result.objects.get(pk=result.pk), staff, _number("101"))
    assert corrected.status == ResultStatus.RETURNED
    assert submit(corrected, user=staff, expected_version=corrected.version).status == ResultStatus.SUBMITTED


@pytest.mark.parametrize("target", [None, Decimal(0)], ids=["no-target", "zero-target"])
def test_a_draft_saves_without_a_gradable_target_its_grade_held_and_submitting_waits(staff, department, target):
    result = make_result(make_indicator(department=department), target=target)

    saved = _save(result, staff, _number("90"))

    value = ResultValue.objects.get(result=result)
    assert (value.actual_state, value.actual_value, value.achievement, value.grade) == (
        ActualState.NUMBER,
        Decimal(90),
        None,
        "",
    )
    assert (saved.status, saved.grade) == (ResultStatus.DRAFT, "")
    with pytest.raises(TransitionRefused, match="計画所管"):
        submit(saved, user=staff, expected_version=saved.version)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.DRAFT


def test_once_the_target_is_set_the_held_draft_is_graded_and_submitted(staff, department):
    result = _save(make_result(make_indicator(department=department), target=None), staff, _number("90"))
    ResultValue.objects.filter(result=result).update(target_value=Decimal(100))
    result = _save(Result.objects.get(pk=result.pk), staff, _number("90"))
    assert result.grade == "B"
    assert submit(result, user=staff, expected_version=result.version).status == ResultStatus.SUBMITTED


@pytest.mark.parametrize(
    ("actual", "reason", "words"),
    [
        (_number("100000000000000"), "", "Actual: 「100000000000000」 is too large"),
        (_number("0.00001"), "", "too many decimal places"),
        (ActualInput(ActualState.TEXT, text="一部\x00運用"), "", "Actual contains a control character (U+0000)"),
        (_number("12"), "理由\x1b", "Reason for the grade contains a control character (U+001B)"),
    ],
)
def test_the_service_refuses_what_the_database_cannot_keep_whatever_path_sent_it(
    staff, department, actual, reason, words, english
):
    """The forms say it first at the field; a path that skipped them (a file, a script) meets the guard."""
    result = make_result(make_indicator(department=department, kind="activity"), target=None)

    with pytest.raises(InputRefused, match=re.escape(words)):
        _save(result, staff, actual, reason=reason)

    result.refresh_from_db()
    assert (result.version, result.values.get().actual_state) == (1, ActualState.EMPTY)
