"""The workflow table as a table: every (status, action) pair, the allowed ones with the status they
lead to and every other one refused; and who takes each action. No database."""

from itertools import product

import pytest

from evaluation.domain.enums import ResultStatus as S
from evaluation.domain.workflow import (
    DEPARTMENT_ACTIONS,
    EDITABLE_BY_DEPARTMENT,
    PLANNING_ACTIONS,
    TRANSITIONS,
    Action,
    TransitionRefused,
    allowed_actions,
    next_status,
)

EXPECTED = {
    (S.NOT_ENTERED, Action.SAVE): S.DRAFT,
    (S.DRAFT, Action.SAVE): S.DRAFT,
    (S.RETURNED, Action.SAVE): S.RETURNED,
    (S.DRAFT, Action.SUBMIT): S.SUBMITTED,
    (S.RETURNED, Action.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Action.WITHDRAW): S.DRAFT,
    (S.SUBMITTED, Action.APPROVE): S.APPROVED,
    (S.SUBMITTED, Action.RETURN): S.RETURNED,
    (S.APPROVED, Action.REOPEN): S.RETURNED,
}
REFUSED = [pair for pair in product(S, Action) if pair not in EXPECTED]


@pytest.mark.parametrize(("status", "action"), list(EXPECTED))
def test_an_allowed_action_leads_to_its_status(status, action):
    assert next_status(status, action) == EXPECTED[(status, action)]


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_every_other_pair_is_refused(status, action):
    with pytest.raises(TransitionRefused):
        next_status(status, action)


def test_the_table_holds_exactly_the_expected_transitions():
    assert TRANSITIONS == EXPECTED
    assert len(EXPECTED) + len(REFUSED) == len(S) * len(Action)


@pytest.mark.parametrize("status", list(S))
def test_allowed_actions_are_the_tables(status):
    assert set(allowed_actions(status)) == {action for (from_status, action) in EXPECTED if from_status == status}


@pytest.mark.parametrize(
    ("action", "taken_by_department"),
    [
        (Action.SAVE, True),
        (Action.SUBMIT, True),
        (Action.WITHDRAW, True),
        (Action.APPROVE, False),
        (Action.RETURN, False),
        (Action.REOPEN, False),
    ],
)
def test_who_takes_each_action(action, taken_by_department):
    assert (action in DEPARTMENT_ACTIONS) is taken_by_department
    assert (action in PLANNING_ACTIONS) is not taken_by_department


def test_the_department_changes_values_only_while_the_item_is_with_it():
    assert {S.NOT_ENTERED, S.DRAFT, S.RETURNED} == EDITABLE_BY_DEPARTMENT
    assert all((status, Action.SAVE) in EXPECTED for status in EDITABLE_BY_DEPARTMENT)


@pytest.mark.usefixtures("english")
def test_a_refusal_names_the_action_and_the_status():
    with pytest.raises(TransitionRefused) as refused:
        next_status(S.APPROVED, Action.SAVE)

    assert str(refused.value.message) == "“Save draft” is not possible while the item is “Approved”."
