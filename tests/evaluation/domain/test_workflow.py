"""The workflow table as a table: every (status, action) pair, the allowed ones with the status they
lead to and every other one refused, without and with the department head's check (所属長確認);
and who takes each action. No database."""

from itertools import product

import pytest

from evaluation.domain.enums import ResultStatus as S
from evaluation.domain.workflow import (
    DECISIONS,
    DEPARTMENT_ACTIONS,
    EDITABLE_BY_DEPARTMENT,
    HEAD_ACTIONS,
    PLANNING_ACTIONS,
    TRANSITIONS,
    Action,
    TransitionRefused,
    allowed_actions,
    next_status,
    transitions,
)

# status, action: where it leads without the head's check | with it (the plan's requires_head_check)
TABLE = """
not_entered    save         draft          | draft
draft          save         draft          | draft
returned       save         returned       | returned
draft          submit       submitted      | awaiting_head
returned       submit       submitted      | awaiting_head
awaiting_head  withdraw     draft          | draft
awaiting_head  confirm      submitted      | submitted
awaiting_head  head_return  returned       | returned
submitted      withdraw     draft          | draft
submitted      approve      approved       | approved
submitted      return       returned       | returned
approved       reopen       returned       | returned
"""


def _table(column: int) -> dict[tuple[str, str], str]:
    rows = (line.replace("|", " ").split() for line in TABLE.strip().splitlines())
    return {(status, action): leads_to[column] for status, action, *leads_to in rows}


EXPECTED = _table(0)
EXPECTED_WITH_HEAD_CHECK = _table(1)
REFUSED = [pair for pair in product(S, Action) if pair not in EXPECTED]


@pytest.mark.parametrize(("status", "action"), list(EXPECTED))
def test_an_allowed_action_leads_to_its_status(status, action):
    assert next_status(status, action) == EXPECTED[(status, action)]


@pytest.mark.parametrize(("status", "action"), list(EXPECTED_WITH_HEAD_CHECK))
def test_with_the_head_check_an_allowed_action_leads_to_its_status(status, action):
    assert next_status(status, action, head_check=True) == EXPECTED_WITH_HEAD_CHECK[(status, action)]


@pytest.mark.parametrize(("status", "action"), REFUSED)
@pytest.mark.parametrize("head_check", [False, True])
def test_every_other_pair_is_refused(status, action, head_check):
    with pytest.raises(TransitionRefused):
        next_status(status, action, head_check=head_check)


def test_the_table_holds_exactly_the_expected_transitions():
    assert TRANSITIONS == EXPECTED == transitions(head_check=False)
    assert transitions(head_check=True) == EXPECTED_WITH_HEAD_CHECK
    assert len(EXPECTED) + len(REFUSED) == len(S) * len(Action)


def test_the_head_check_changes_only_where_a_submission_goes():
    changed = {pair for pair in EXPECTED if EXPECTED[pair] != EXPECTED_WITH_HEAD_CHECK[pair]}

    assert EXPECTED.keys() == EXPECTED_WITH_HEAD_CHECK.keys()
    assert changed == {(S.DRAFT, Action.SUBMIT), (S.RETURNED, Action.SUBMIT)}
    assert {EXPECTED_WITH_HEAD_CHECK[pair] for pair in changed} == {S.AWAITING_HEAD}


def test_without_the_head_check_no_action_leads_to_the_head():
    assert S.AWAITING_HEAD not in EXPECTED.values()


@pytest.mark.parametrize("status", list(S))
def test_allowed_actions_are_the_tables(status):
    assert set(allowed_actions(status)) == {action for (from_status, action) in EXPECTED if from_status == status}


@pytest.mark.parametrize(
    ("action", "taken_by"),
    [
        (Action.SAVE, "department"),
        (Action.SUBMIT, "department"),
        (Action.WITHDRAW, "department"),
        (Action.CONFIRM, "head"),
        (Action.RETURN_BY_HEAD, "head"),
        (Action.APPROVE, "planning"),
        (Action.RETURN, "planning"),
        (Action.REOPEN, "planning"),
    ],
)
def test_who_takes_each_action(action, taken_by):
    groups = {"department": DEPARTMENT_ACTIONS, "head": HEAD_ACTIONS, "planning": PLANNING_ACTIONS}

    assert [name for name, actions in groups.items() if action in actions] == [taken_by]


def test_the_decisions_on_a_submission_are_the_heads_and_the_planning_sections_but_reopening():
    assert {Action.CONFIRM, Action.RETURN_BY_HEAD, Action.APPROVE, Action.RETURN} == DECISIONS


def test_the_department_changes_values_only_while_the_item_is_with_it():
    assert {S.NOT_ENTERED, S.DRAFT, S.RETURNED} == EDITABLE_BY_DEPARTMENT
    assert all((status, Action.SAVE) in EXPECTED for status in EDITABLE_BY_DEPARTMENT)


@pytest.mark.usefixtures("english")
def test_a_refusal_names_the_action_and_the_status():
    with pytest.raises(TransitionRefused) as refused:
        next_status(S.APPROVED, Action.SAVE)

    assert str(refused.value.message) == "“Save draft” is not possible while the item is “Approved”."
