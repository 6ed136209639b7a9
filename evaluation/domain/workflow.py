"""The yearly workflow of a result: one transition table, and who may take each action.

(status, action) → status. A service that applies a transition locks the row, checks the guard,
saves with update_fields and leaves a history row (django-simple-history). Nothing hides in save().
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
    APPROVE = "approve", _("Approve")  # 承認
    RETURN = "return", _("Return")  # 差戻し
    REOPEN = "reopen", _("Reopen")  # 承認取消し


# Who takes an action: the department that owns the indicator, or the planning section.
DEPARTMENT_ACTIONS = frozenset({Action.SAVE, Action.SUBMIT, Action.WITHDRAW})
PLANNING_ACTIONS = frozenset({Action.APPROVE, Action.RETURN, Action.REOPEN})

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NOT_ENTERED, Action.SAVE): S.DRAFT,
    (S.DRAFT, Action.SAVE): S.DRAFT,
    # A returned item stays 差戻し while the department corrects it, so both sides see it is pending.
    (S.RETURNED, Action.SAVE): S.RETURNED,
    (S.DRAFT, Action.SUBMIT): S.SUBMITTED,
    (S.RETURNED, Action.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Action.WITHDRAW): S.DRAFT,
    (S.SUBMITTED, Action.APPROVE): S.APPROVED,
    (S.SUBMITTED, Action.RETURN): S.RETURNED,
    (S.APPROVED, Action.REOPEN): S.RETURNED,
}

# Statuses in which the department may change the values.
EDITABLE_BY_DEPARTMENT = frozenset({S.NOT_ENTERED, S.DRAFT, S.RETURNED})


class TransitionRefused(MezasuError):
    """The action is not possible from the result's status (or its guard failed). `message` is translated."""


def next_status(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionRefused(
            _("“%(action)s” is not possible while the item is “%(status)s”.")
            % {"action": Action(action).label, "status": S(status).label}
        ) from None


def allowed_actions(status: str) -> list[str]:
    return [action for (from_status, action) in TRANSITIONS if from_status == status]
