"""Services of the evaluation year (年度): the planning section opens a fiscal year of a plan, sets
and extends its deadline, and closes it. Each runs atomically, locks the row it changes
(select_for_update), checks its permission and guard first, and leaves a history row
(django-simple-history) in the acting user's name.

A closed year is read-only (evaluation.services.guards): every service refuses a change of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from departments import permissions
from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.domain.errors import MezasuError
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.models import EvaluationYear, Indicator, Measure, Plan, Result, ResultValue
from evaluation.services import guards


class YearRefused(MezasuError):
    """The planning section's action on an evaluation year is refused. `message` is translated."""


class YearNotReady(YearRefused):
    """Closing refused: some items are not approved. `open_counts` is {status: count} of those items."""

    def __init__(self, open_counts: dict[str, int]):
        self.open_counts = open_counts
        listed = "、".join(f"{ResultStatus(status).label} {count}" for status, count in open_counts.items() if count)
        total = sum(open_counts.values())
        super().__init__(
            ngettext(
                "%(count)d item is not approved yet (%(listed)s). Close the year anyway only with a reason.",
                "%(count)d items are not approved yet (%(listed)s). Close the year anyway only with a reason.",
                total,
            )
            % {"count": total, "listed": listed}
        )


@dataclass(frozen=True)
class OpenedYear:
    """What opening a year did: the year, and how many results and values it created."""

    year: EvaluationYear
    results_created: int
    values_created: int
    values_carried: int = 0


def _check_manager(user) -> None:
    if not permissions.can_manage_years(user):
        raise YearRefused(_("Only the planning section opens, extends and closes an evaluation year."))


def _locked_year(year_id: int) -> EvaluationYear:
    return EvaluationYear.objects.select_for_update(of=("self",)).select_related("plan").get(pk=year_id)


def _refuse_if_closed(year: EvaluationYear) -> None:
    """The guards' rule (a closed year is read-only), as the refusal the year's pages show."""
    try:
        guards.refuse_if_year_closed(year.plan_id, year.fiscal_year)
    except guards.YearClosed as closed:
        raise YearRefused(closed.message) from None


# A reopening's and an extension's reason is also the change reason of their history row, a column of
# this many characters (the extension's is kept nowhere else).
HISTORY_REASON_LENGTH = EvaluationYear.history.model._meta.get_field("history_change_reason").max_length


def _refuse_long_reason(reason: str) -> None:
    if len(reason) > HISTORY_REASON_LENGTH:
        raise YearRefused(
            _("The reason is kept in the change history: write it in at most %(limit)d characters.")
            % {"limit": HISTORY_REASON_LENGTH}
        )


def _save(year: EvaluationYear, user, fields: list[str]) -> None:
    year._history_user = user
    year.save(update_fields=fields)


@dataclass(frozen=True)
class OpeningPreview:
    """What opening a year would find: the indicators that have no plan value (行動量) or target
    (成果指標) for the year yet, and how many of them the previous year could give one."""

    fiscal_year: int
    previous_year: int
    lacking: list[Indicator]
    carriable: list[Indicator]


def _has_plan_value(indicator: Indicator, value: ResultValue) -> bool:
    """An outcome's target, an activity's 当初計画 or 修正計画: a figure or a text."""
    if indicator.is_outcome:
        pairs = [(value.target_value, value.target_text)]
    else:
        pairs = [
            (value.original_plan_value, value.original_plan_text),
            (value.revised_plan_value, value.revised_plan_text),
        ]
    return any(number is not None or text for number, text in pairs)


def _values_by_indicator(plan: Plan, fiscal_year: int) -> dict[int, list[ResultValue]]:
    values: dict[int, list[ResultValue]] = {}
    for value in ResultValue.objects.filter(
        result__indicator__plan=plan, result__fiscal_year=fiscal_year
    ).select_related("result"):
        values.setdefault(value.result.indicator_id, []).append(value)
    return values


def opening_preview(plan: Plan, fiscal_year: int) -> OpeningPreview:
    """Which indicators lack a plan value or target for `fiscal_year` (every sub-item counted), and
    which of those the previous year could carry forward. Three queries."""
    indicators = list(Indicator.objects.filter(plan=plan).select_related("department").order_by("position", "pk"))
    this_year = _values_by_indicator(plan, fiscal_year)
    last_year = _values_by_indicator(plan, fiscal_year - 1)
    lacking = [
        indicator
        for indicator in indicators
        if not this_year.get(indicator.pk)
        or not all(_has_plan_value(indicator, value) for value in this_year[indicator.pk])
    ]
    carriable = [
        indicator
        for indicator in lacking
        if last_year.get(indicator.pk) and all(_has_plan_value(indicator, value) for value in last_year[indicator.pk])
    ]
    return OpeningPreview(fiscal_year, fiscal_year - 1, lacking, carriable)


@transaction.atomic
def open_year(
    plan: Plan,
    fiscal_year: int,
    *,
    user,
    deadline: datetime.date | None = None,
    carry_forward: bool = False,
) -> OpenedYear:
    """Open the evaluation of `fiscal_year` of `plan`, with an optional deadline.

    Creates the year's missing results: one Result (未入力) for every indicator of the plan that has
    none for the year, with one ResultValue per measure. Results that exist (for instance the plan
    values the workbook import brought in for the year) are kept as they are, values included, so
    their plan values (当初計画, 修正計画, 目標) are the year's plan values.

    With `carry_forward`, every value of the year without a plan value or target takes the previous
    year's (its 修正計画 when revised, else its 当初計画, as this year's 当初計画; its 目標), marked with
    `carried_from` and a history row that says so.

    Side effects: one EvaluationYear; the new Result and ResultValue rows; the carried values; a
    history row for each. Raises YearRefused (not the planning section, a year outside the plan's
    period, already opened, a deadline in the past)."""
    _check_manager(user)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # one opening of a plan's year at a time
    if fiscal_year not in plan.fiscal_years:
        raise YearRefused(
            _("%(year)s is outside the plan's period (%(period)s).")
            % {"year": display_fiscal_year(fiscal_year), "period": plan.period_display}
        )
    if EvaluationYear.objects.filter(plan=plan, fiscal_year=fiscal_year).exists():
        raise YearRefused(_("%(year)s is already open or closed.") % {"year": display_fiscal_year(fiscal_year)})
    _check_deadline_not_past(deadline)

    year = EvaluationYear(plan=plan, fiscal_year=fiscal_year, deadline=deadline)
    year._history_user = user
    year.save()

    with_result = Result.objects.filter(indicator__plan=plan, fiscal_year=fiscal_year).values("indicator_id")
    missing = list(Indicator.objects.filter(plan=plan).exclude(pk__in=with_result).order_by("position", "pk"))
    results = bulk_create_with_history(
        [
            Result(indicator=indicator, fiscal_year=fiscal_year, department_id=indicator.department_id, updated_by=user)
            for indicator in missing
        ],
        Result,
        default_user=user,
    )
    if not results or results[0].pk is None:  # backends that do not return primary keys from a bulk insert
        results = list(Result.objects.filter(indicator__in=missing, fiscal_year=fiscal_year))
    result_by_indicator = {result.indicator_id: result for result in results}
    measures = Measure.objects.filter(indicator__in=missing).order_by("indicator_id", "label")
    values = bulk_create_with_history(
        [ResultValue(result=result_by_indicator[measure.indicator_id], measure=measure) for measure in measures],
        ResultValue,
        default_user=user,
    )
    carried = _carry_forward(plan, fiscal_year, user) if carry_forward else 0
    return OpenedYear(year=year, results_created=len(results), values_created=len(values), values_carried=carried)


CARRY_FIELDS = ["original_plan_value", "original_plan_text", "target_value", "target_text", "carried_from"]


def _carry_forward(plan: Plan, fiscal_year: int, user) -> int:
    """Give every value of the year that has no plan value or target the previous year's; how many."""
    previous = {
        (value.result.indicator_id, value.measure_id): value
        for value in ResultValue.objects.filter(
            result__indicator__plan=plan, result__fiscal_year=fiscal_year - 1
        ).select_related("result")
    }
    reason = str(_("Carried from %(year)s") % {"year": display_fiscal_year(fiscal_year - 1)})
    carried = []
    for value in ResultValue.objects.filter(
        result__indicator__plan=plan, result__fiscal_year=fiscal_year
    ).select_related("result__indicator"):
        indicator = value.result.indicator
        source = previous.get((indicator.pk, value.measure_id))
        if source is None or _has_plan_value(indicator, value) or not _has_plan_value(indicator, source):
            continue
        if indicator.is_outcome:
            value.target_value, value.target_text = source.target_value, source.target_text
        elif source.revised_plan_value is not None or source.revised_plan_text:
            value.original_plan_value, value.original_plan_text = source.revised_plan_value, source.revised_plan_text
        else:
            value.original_plan_value, value.original_plan_text = source.original_plan_value, source.original_plan_text
        value.carried_from = fiscal_year - 1
        carried.append(value)
    # In bulk, each with its history row (by the user, with the reason): a plan of thousands opens at once.
    bulk_update_with_history(carried, ResultValue, CARRY_FIELDS, default_user=user, default_change_reason=reason)
    return len(carried)


def _check_deadline_not_past(deadline: datetime.date | None) -> None:
    if deadline is not None and deadline < timezone.localdate():
        raise YearRefused(_("The deadline cannot be in the past."))


@transaction.atomic
def set_deadline(year: EvaluationYear, deadline: datetime.date, *, user) -> EvaluationYear:
    """Set the deadline of an open year, or extend it: once a deadline is set, only a later date is
    accepted (the departments have planned their work around it).

    Side effects: EvaluationYear.deadline; a history row (the old and new date stay on the record).
    Raises YearRefused (not the planning section, a closed year, a date in the past or not later)."""
    _check_manager(user)
    year = _locked_year(year.pk)
    _refuse_if_closed(year)
    _check_deadline_not_past(deadline)
    if year.deadline is not None and deadline <= year.deadline:
        # The page prints the current deadline (through the display module) beside this message.
        raise YearRefused(_("The deadline can only be extended: choose a date after the current deadline."))
    year.deadline = deadline
    _save(year, user, ["deadline"])
    return year


def open_item_counts(plan_id: int, fiscal_year: int) -> dict[str, int]:
    """{status: count} of the year's results that are not approved, in the workflow's order (one query)."""
    row = Result.objects.filter(indicator__plan_id=plan_id, fiscal_year=fiscal_year).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ResultStatus.values}
    )
    # 所属長確認待ち only where an item awaits its head (a plan without the head's check has none).
    return {
        status: row[status]
        for status in ResultStatus.values
        if status != ResultStatus.APPROVED and (row[status] or status != ResultStatus.AWAITING_HEAD)
    }


@transaction.atomic
def close_year(year: EvaluationYear, *, user, force: bool = False, reason: str = "") -> EvaluationYear:
    """Close an open year. Refused while items are not approved (YearNotReady lists how many per
    status), unless forced with a reason, which is kept in close_reason.

    Locks the year, then every result of the year, so that a department's save in flight finishes
    before the count, and any later one sees the year closed (evaluation.services refuses it).

    Side effects: status, closed_at, close_reason, the snapshot of the plan's grading rule (rule_*);
    a history row. From then on the year is read-only.
    Raises YearRefused, YearNotReady."""
    _check_manager(user)
    guards.refuse_unstorable(texts=[(_("Reason for closing with open items"), reason)], refusal=YearRefused)
    year = _locked_year(year.pk)
    _refuse_if_closed(year)
    list(
        Result.objects.select_for_update()
        .filter(indicator__plan_id=year.plan_id, fiscal_year=year.fiscal_year)
        .values_list("pk", flat=True)
    )
    open_counts = open_item_counts(year.plan_id, year.fiscal_year)
    reason = reason.strip()
    if any(open_counts.values()):
        if not force:
            raise YearNotReady(open_counts)
        if not reason:
            raise YearRefused(_("Write the reason for closing the year with items that are not approved."))
    year.status, year.closed_at, year.close_reason = YearStatus.CLOSED, timezone.now(), reason
    # The year keeps the rule it was graded by: a later change of the plan's settings regrades only
    # open years (services.regrading), and the closed year's ※1 note is printed from this snapshot.
    _save(year, user, ["status", "closed_at", "close_reason", *year.snapshot_rule()])
    return year


@transaction.atomic
def reopen_year(year: EvaluationYear, *, user, reason: str) -> EvaluationYear:
    """Reopen a closed year, with the reason on the record: its items can be changed again (approved
    ones stay locked until reopened one by one on their page).

    Side effects: status, reopened_at, reopen_reason; a history row with the reason.
    Raises YearRefused (not the planning section, not closed, no reason)."""
    _check_manager(user)
    guards.refuse_unstorable(texts=[(_("Reason for reopening"), reason)], refusal=YearRefused)
    year = _locked_year(year.pk)
    if year.status != YearStatus.CLOSED:
        raise YearRefused(_("%(year)s is not closed.") % {"year": display_fiscal_year(year.fiscal_year)})
    reason = reason.strip()
    if not reason:
        raise YearRefused(_("Write the reason for reopening the year: it stays on the record."))
    _refuse_long_reason(reason)
    year.status, year.reopened_at, year.reopen_reason = YearStatus.OPEN, timezone.now(), reason
    year._change_reason = reason
    _save(year, user, ["status", "reopened_at", "reopen_reason"])
    return year


@transaction.atomic
def extend_period(plan: Plan, last_fiscal_year: int, *, user, reason: str) -> Plan:
    """Extend the plan's period to `last_fiscal_year` (計画期間の延長), with the reason on the record.

    Side effects: Plan.last_fiscal_year; a history row with the reason. Raises YearRefused (not the
    planning section, not later than the current end, no reason)."""
    _check_manager(user)
    guards.refuse_unstorable(texts=[(_("Reason for extending the period"), reason)], refusal=YearRefused)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if last_fiscal_year <= plan.last_fiscal_year:
        raise YearRefused(
            _("The period can only be extended: choose a year after %(year)s.")
            % {"year": display_fiscal_year(plan.last_fiscal_year)}
        )
    reason = reason.strip()
    if not reason:
        raise YearRefused(_("Write the reason for extending the plan's period: it stays on the record."))
    _refuse_long_reason(reason)
    plan.last_fiscal_year = last_fiscal_year
    plan._history_user, plan._change_reason = user, reason
    plan.save(update_fields=["last_fiscal_year"])
    return plan
