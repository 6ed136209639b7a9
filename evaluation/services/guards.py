"""Whether a record may change now, and why not: the one module every write path asks.

The entry page and the entry sheet (through the result services), the review, the revisions, the
regrade, the admin (change, inline, delete), the workbook import and the commands all ask here, so
each rule is written once:

- a closed evaluation year is read-only, whoever asks and by whatever path;
- an approved item is locked until the planning section reopens it (with a reason, on the record);
- a department changes only its own items, and only while they are with it;
- a change made on a stale page is refused (the version check sits in the UPDATE's WHERE clause);
- the master data a closed year's record rests on (an indicator's department, direction and
  baseline, a plan's grading rule) cannot change under it.

Each `refuse_*` raises a refusal with a translated message; each `may_*` answers yes or no for a
page or the admin to show what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from departments import permissions
from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.domain.errors import MezasuError
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.domain.workflow import DEPARTMENT_ACTIONS, EDITABLE_BY_DEPARTMENT, TransitionRefused
from evaluation.models import EvaluationYear, Result

# Fields of the master data that a closed year's printed record depends on.
INDICATOR_RECORD_FIELDS = frozenset({"department", "direction", "kind", "unit", "baseline_text"})
MEASURE_RECORD_FIELDS = frozenset({"baseline_value"})
PLAN_GRADING_FIELDS = frozenset(
    {"grading_formula", "threshold_a", "threshold_b", "threshold_d", "rounding", "achievement_decimals"}
)


class PermissionRefused(MezasuError):
    """The user may not take this action on this result."""

    def __init__(self, action: str = ""):
        super().__init__(_("You may not take this action on this item."))
        self.action = action


class StaleVersion(MezasuError):
    """Someone saved the result after the user opened it. `current` is the result as it is now."""

    def __init__(self, current: Result):
        super().__init__(_("This item was changed by someone else after you opened it."))
        self.current = current


class YearClosed(TransitionRefused):
    """The evaluation year is closed: its record is read-only on every path."""

    def __init__(self, fiscal_year: int):
        super().__init__(
            _("The evaluation of %(year)s is closed: its items can no longer be changed.")
            % {"year": display_fiscal_year(fiscal_year)}
        )
        self.fiscal_year = fiscal_year


class ItemApproved(TransitionRefused):
    """The item is approved and locked until the planning section reopens it."""

    def __init__(self):
        super().__init__(_("This item is approved: reopen it before changing it."))


class RecordInUse(MezasuError):
    """Master data that a closed year's record rests on would change."""


# The evaluation year -------------------------------------------------------------------------------


def is_year_closed(plan_id: int, fiscal_year: int) -> bool:
    return EvaluationYear.objects.filter(plan_id=plan_id, fiscal_year=fiscal_year, status=YearStatus.CLOSED).exists()


def closed_fiscal_years(plan_id: int) -> set[int]:
    return set(
        EvaluationYear.objects.filter(plan_id=plan_id, status=YearStatus.CLOSED).values_list("fiscal_year", flat=True)
    )


def refuse_if_year_closed(plan_id: int, fiscal_year: int) -> None:
    """A closed evaluation year is read-only: no save, submission, review, revision or import of it."""
    if is_year_closed(plan_id, fiscal_year):
        raise YearClosed(fiscal_year)


# A result --------------------------------------------------------------------------------------------


def is_approved(result: Result) -> bool:
    return result.status == ResultStatus.APPROVED


def refuse_if_approved(result: Result) -> None:
    if is_approved(result):
        raise ItemApproved()


def refuse_result_change(result: Result) -> None:
    """A result's values, targets or grades change only in an open year and while not approved."""
    refuse_if_year_closed(result.indicator.plan_id, result.fiscal_year)
    refuse_if_approved(result)


def refuse_actor(user, result: Result, action: str) -> None:
    """Department actions are the owning department's; review actions the planning section's."""
    allowed = (
        permissions.can_edit_result(user, result)
        if action in DEPARTMENT_ACTIONS
        else permissions.can_approve(user, result)
    )
    if not allowed:
        raise PermissionRefused(action)


def may_department_change(user, result: Result, *, year_open: bool) -> bool:
    """The department changes a result's values while the year is open and the item is with it:
    not entered, a draft, or returned (差戻し). Submitted and approved items are read-only to it."""
    return year_open and permissions.can_edit_result(user, result) and result.status in EDITABLE_BY_DEPARTMENT


def may_admin_change_result(result: Result | None) -> bool:
    """The admin changes no approved result and nothing of a closed year (None: the list or an add)."""
    if result is None:
        return True
    return not is_approved(result) and not is_year_closed(result.indicator.plan_id, result.fiscal_year)


def claim_version(result: Result, expected_version: int) -> None:
    """Move the result's version on only if nobody saved since `expected_version`, else StaleVersion.

    The check is in the UPDATE's WHERE clause, so two processes can never both win."""
    claimed = Result.objects.filter(pk=result.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise StaleVersion(Result.objects.select_related("updated_by").get(pk=result.pk))


# The master data a closed year rests on --------------------------------------------------------------


def indicator_closed_years(indicator_id: int) -> set[int]:
    """The closed fiscal years for which the indicator has a result (its record there is printed)."""
    return set(
        Result.objects.filter(
            indicator_id=indicator_id,
            fiscal_year__in=EvaluationYear.objects.filter(
                plan_id=Result.objects.filter(indicator_id=indicator_id).values("indicator__plan_id")[:1],
                status=YearStatus.CLOSED,
            ).values("fiscal_year"),
        ).values_list("fiscal_year", flat=True)
    )


def refuse_indicator_change(indicator, changed_fields: Iterable[str]) -> None:
    """An indicator's department, direction, kind, unit or baseline cannot change while a closed
    year's record shows it (a later plan year starts its own record; see the yearly assignment)."""
    changed = set(changed_fields) & (INDICATOR_RECORD_FIELDS | MEASURE_RECORD_FIELDS)
    if not changed or indicator.pk is None:
        return
    years = sorted(indicator_closed_years(indicator.pk))
    if years:
        raise RecordInUse(
            _("%(code)s: the evaluation of %(year)s is closed and shows it as it is; it cannot change now.")
            % {"code": indicator.code, "year": display_fiscal_year(years[-1])}
        )


def refuse_plan_grading_change(plan, changed_fields: Iterable[str]) -> None:
    """A plan's grading rule cannot change while a closed year was graded by it."""
    if not set(changed_fields) & PLAN_GRADING_FIELDS or plan.pk is None:
        return
    years = sorted(closed_fiscal_years(plan.pk))
    if years:
        raise RecordInUse(
            _("The evaluation of %(year)s is closed and was graded by this rule; the rule cannot change now.")
            % {"year": display_fiscal_year(years[-1])}
        )
