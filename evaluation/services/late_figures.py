"""確定値の報告: completing, after its year was closed, an approved item whose figure was still 集計中.

The named path through a closed year: the owning department reports the figure (and the reason its
grade needs), the planning section approves it (written into the result, regraded, dated, on the
record) or returns it with a comment. Everything else of the closed year stays read-only
(services.guards: refuse_late_figure is the only opening).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.domain import grading
from evaluation.domain.enums import ActualState
from evaluation.domain.workflow import TransitionRefused
from evaluation.models import LateFigure, Result
from evaluation.services import guards
from evaluation.services.results import VALUE_FIELDS, ActualInput, lock_result, result_values
from evaluation.services.scoring import apply_grades_or_hold, open_states

CHANGE_REASON = "late figure"  # django-simple-history's history_change_reason of the saves made here


def _stored(entered: ActualInput) -> dict:
    return {"state": entered.state, "value": "" if entered.value is None else str(entered.value), "text": entered.text}


@transaction.atomic
def report_late_figure(result: Result, *, user, actuals: Mapping[int, ActualInput], reason: str = "") -> LateFigure:
    """The department reports the figures of the result's 集計中 sub-items (those in an open state of the
    year's scheme; ResultValue id → input).
    Side effects: one LateFigure (pending) with its history row. Raises PermissionRefused,
    TransitionRefused (not a closed year's approved 集計中 item, one already waiting, a figure missing)."""
    result = lock_result(result.pk)
    guards.refuse_late_figure(user, result)
    guards.refuse_unstorable(
        texts=[(_("Reason"), reason)],
        lines=[(_("Actual"), entered.text) for entered in actuals.values()],
        figures=[(_("Actual"), entered.value) for entered in actuals.values()],
    )
    if result.late_figures.filter(status=LateFigure.Status.PENDING).exists():
        raise TransitionRefused(_("A late figure of this item is already waiting for the planning section."))
    waiting = open_states(result.indicator.plan.scheme_of(result.fiscal_year))
    tallying = [value for value in result_values(result) if value.actual_state in waiting]
    reported = {}
    for value in tallying:
        entered = actuals.get(value.pk)
        if entered is None or entered.state not in (ActualState.NUMBER, ActualState.TEXT):
            raise TransitionRefused(_("Enter the figure of every sub-item still being tallied."))
        reported[str(value.measure_id)] = _stored(entered)
    figure = LateFigure(result=result, values=reported, reason=reason.strip(), reported_by=user)
    figure._history_user = user
    figure.save()
    return figure


@transaction.atomic
def review_late_figure(figure: LateFigure, *, user, approve: bool, comment: str = "") -> LateFigure:
    """The planning section approves a reported figure (written into the closed year's result and
    regraded; the result is dated completed after closing) or returns it with a comment.
    Side effects: the result's values and grade, version, completed_late_at, the figure's status; a
    history row for each, with the change reason CHANGE_REASON. Raises PermissionRefused,
    TransitionRefused (not waiting, no comment on a return, no reason for a C or D)."""
    figure = LateFigure.objects.select_for_update().get(pk=figure.pk)
    result = lock_result(figure.result_id)
    guards.refuse_late_figure_review(user, result, reported_by_id=figure.reported_by_id)
    if figure.status != LateFigure.Status.PENDING:
        raise TransitionRefused(_("This late figure is no longer waiting for approval."))
    guards.refuse_unstorable(texts=[(_("Comment"), comment)])
    figure.reviewed_by, figure.reviewed_at, figure.review_comment = user, timezone.now(), comment.strip()
    if not approve:
        if not grading.has_reason(comment):
            raise TransitionRefused(_("Write a comment for the department."))
        figure.status = LateFigure.Status.RETURNED
    else:
        _write_into_result(figure, result, user)
        figure.status = LateFigure.Status.APPROVED
    figure._history_user = user
    figure.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    return figure


def _write_into_result(figure: LateFigure, result: Result, user) -> None:
    values = result_values(result)
    for value in values:
        reported = figure.values.get(str(value.measure_id))
        if reported is None:
            continue
        value.actual_state = reported["state"]
        value.actual_value = Decimal(reported["value"]) if reported["value"] else None
        value.actual_text = reported["text"]
    result.reason = figure.reason or result.reason
    # A closed year's figure is graded by the rule the year was closed with, not the plan's settings now.
    scheme = result.indicator.plan.scheme_of(result.fiscal_year)
    apply_grades_or_hold(result, values, scheme)
    if scheme.reason_missing(result.grade, result.reason, [value.actual_state for value in values]):
        raise TransitionRefused(
            _("With this figure the grade is %(grade)s: the department must give the reason (return it).")
            % {"grade": result.grade}
        )
    for value in values:
        value._history_user, value._change_reason = user, CHANGE_REASON
        value.save(update_fields=VALUE_FIELDS)
    result.completed_late_at = timezone.now()
    result.version += 1
    result.updated_by = user
    result._history_user, result._change_reason = user, CHANGE_REASON
    result.save(update_fields=["grade", "reason", "completed_late_at", "version", "updated_by", "updated_at"])
