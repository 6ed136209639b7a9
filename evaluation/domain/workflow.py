"""The yearly workflow of a result: one transition table, and who may take each action.

(status, action) → status. A service that applies a transition locks the row, checks the guard,
saves with update_fields and leaves a history row (django-simple-history). Nothing hides in save().

A plan may ask for the department head's check (所属長確認, Plan.requires_head_check): a submission
then goes to the head first (HEAD_CHECK_ROUTES), who confirms it to the planning section or returns
it to the department. The rows out of 所属長確認待ち are always in the table, so an item waiting for
its head when the plan stops asking is never stranded.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluation.domain.enums import ResultStatus
from evaluation.domain.errors import MezasuError

S = ResultStatus


class Action(models.TextChoices):
    SAVE = "save", _("Save draft")  # 一時保存
    SUBMIT = "submit", _("Submit")  # 提出
    WITHDRAW = "withdraw", _("Withdraw submission")  # 提出取消し
    CONFIRM = "confirm", _("Confirm as the head")  # 所属長確認（計画所管へ）
    RETURN_BY_HEAD = "head_return", _("Return to the staff")  # 所属長差戻し
    APPROVE = "approve", _("Approve")  # 承認
    RETURN = "return", _("Return")  # 差戻し
    REOPEN = "reopen", _("Reopen")  # 承認取消し


# Who takes an action: the department that owns the indicator, its head, or the planning section.
DEPARTMENT_ACTIONS = frozenset({Action.SAVE, Action.SUBMIT, Action.WITHDRAW})
HEAD_ACTIONS = frozenset({Action.CONFIRM, Action.RETURN_BY_HEAD})
PLANNING_ACTIONS = frozenset({Action.APPROVE, Action.RETURN, Action.REOPEN})
# The decisions on a submission (separation of duties: never by the person who submitted or last changed it).
DECISIONS = frozenset({Action.CONFIRM, Action.RETURN_BY_HEAD, Action.APPROVE, Action.RETURN})

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NOT_ENTERED, Action.SAVE): S.DRAFT,
    (S.DRAFT, Action.SAVE): S.DRAFT,
    # A returned item stays 差戻し while the department corrects it, so both sides see it is pending.
    (S.RETURNED, Action.SAVE): S.RETURNED,
    (S.DRAFT, Action.SUBMIT): S.SUBMITTED,
    (S.RETURNED, Action.SUBMIT): S.SUBMITTED,
    (S.AWAITING_HEAD, Action.WITHDRAW): S.DRAFT,
    (S.AWAITING_HEAD, Action.CONFIRM): S.SUBMITTED,
    (S.AWAITING_HEAD, Action.RETURN_BY_HEAD): S.RETURNED,
    (S.SUBMITTED, Action.WITHDRAW): S.DRAFT,
    (S.SUBMITTED, Action.APPROVE): S.APPROVED,
    (S.SUBMITTED, Action.RETURN): S.RETURNED,
    (S.APPROVED, Action.REOPEN): S.RETURNED,
}

# Where a submission goes instead when the plan asks for the department head's check.
HEAD_CHECK_ROUTES: dict[tuple[str, str], str] = {
    (S.DRAFT, Action.SUBMIT): S.AWAITING_HEAD,
    (S.RETURNED, Action.SUBMIT): S.AWAITING_HEAD,
}

# Statuses in which the department may change the values.
EDITABLE_BY_DEPARTMENT = frozenset({S.NOT_ENTERED, S.DRAFT, S.RETURNED})


class TransitionRefused(MezasuError):
    """The action is not possible from the result's status (or its guard failed). `message` is translated."""


def statuses(*, head_check: bool = False) -> list[str]:
    """A plan's statuses in the workflow's order: 所属長確認待ち only with the head's check (the admin
    does not turn the check off while an item awaits its head: guards.refuse_head_check_off)."""
    return [status for status in S.values if head_check or status != S.AWAITING_HEAD]


def transitions(*, head_check: bool = False) -> dict[tuple[str, str], str]:
    """The table for a plan: with the department head's check, submissions go to the head first."""
    return TRANSITIONS | HEAD_CHECK_ROUTES if head_check else TRANSITIONS


def next_status(status: str, action: str, *, head_check: bool = False) -> str:
    try:
        return transitions(head_check=head_check)[(status, action)]
    except KeyError:
        raise TransitionRefused(
            _("“%(action)s” is not possible while the item is “%(status)s”.")
            % {"action": Action(action).label, "status": S(status).label}
        ) from None


def allowed_actions(status: str) -> list[str]:
    """The actions the table allows from `status` (the same with or without the head's check: only
    where a submission goes differs)."""
    return [action for (from_status, action) in TRANSITIONS if from_status == status]
