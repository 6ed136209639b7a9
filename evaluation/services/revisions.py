"""Revisions of the plan (修正, footnotes ※2 ※3): the planning section corrects a baseline, a plan value
or a target, with a reason; the old value, the new one, who, when and why are kept (models.Revision).

The guards refuse a revision of an approved result (until the planning section reopens it), of a closed
year, and of a baseline that a closed year's record shows. A target (or, under the progress formula, a
baseline) changes the grade: the service regrades, and refuses when the grade of an approved result
would move.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from departments import permissions
from evaluation.domain import grading, numbers
from evaluation.domain.enums import Direction, RevisionField
from evaluation.domain.errors import MezasuError
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.domain.messages import describe
from evaluation.models import Indicator, Measure, Result, ResultValue, Revision
from evaluation.services import guards
from evaluation.services.guards import PermissionRefused
from evaluation.services.results import lock_result, result_values
from evaluation.services.scoring import apply_grades

CHANGE_REASON = "revision"  # django-simple-history's history_change_reason of every save made here
FOOTNOTE_MAX_LENGTH = 10

# The ResultValue fields a plan-value revision writes: (number field, text field).
VALUE_FIELDS = {
    RevisionField.ORIGINAL_PLAN: ("original_plan_value", "original_plan_text"),
    RevisionField.REVISED_PLAN: ("revised_plan_value", "revised_plan_text"),
    RevisionField.TARGET: ("target_value", "target_text"),
}


class RevisionRefused(MezasuError):
    """The revision is not possible. `message` is translated."""


def recorded_text(number: Decimal | None, text: str, indicator: Indicator) -> str:
    """How a revision records an old or new plan value: the figure as every screen prints it
    (「1,816」, 「9.0」 for a rate), or the text (「課題整理」), or empty."""
    if number is None:
        return text
    return numbers.format_figure(number, indicator.unit, indicator.plan.achievement_decimals)


def normalize_footnote(mark: str) -> str:
    """「※２」 → 「※2」; blank stays blank. Raises RevisionRefused for anything that is not a mark."""
    mark = unicodedata.normalize("NFKC", mark or "").strip()
    if not mark:
        return ""
    if not mark.startswith("※") or len(mark) > FOOTNOTE_MAX_LENGTH:
        raise RevisionRefused(_("A footnote mark starts with ※ (e.g. ※2)."))
    return mark


def fields_for(indicator: Indicator) -> list[str]:
    """What may be revised on an indicator: its baseline, and its plan values or its target."""
    if indicator.is_outcome:
        return [RevisionField.BASELINE, RevisionField.TARGET]
    return [RevisionField.BASELINE, RevisionField.ORIGINAL_PLAN, RevisionField.REVISED_PLAN]


def _parse(field: str, indicator: Indicator, typed: str) -> tuple[Decimal | None, str]:
    """(number, text) of a typed value; a text only where the indicator allows one."""
    text = (typed or "").strip()
    try:
        parsed = numbers.parse_number(text, indicator.unit)
    except numbers.NumberError as error:
        graded_target = field == RevisionField.TARGET and indicator.direction != Direction.QUALITATIVE
        if graded_target or error.typed_as_number:
            raise RevisionRefused(describe(error)) from None
        return None, text
    if parsed is numbers.TALLYING:
        raise RevisionRefused(_("「集計中」 is an actual, not a plan value."))
    if parsed is numbers.EMPTY:
        if field in (RevisionField.ORIGINAL_PLAN, RevisionField.TARGET):
            raise RevisionRefused(_("Enter the new value."))
        return None, ""
    return parsed, ""


def _regrade(result: Result, values: list[ResultValue]) -> bool:
    """Regrade in memory; True when an achievement or a grade moved. Raises RevisionRefused."""
    before = (result.grade, [(value.achievement, value.grade) for value in values])
    try:
        apply_grades(result, values)
    except grading.GradingError as error:
        raise RevisionRefused(
            _("%(year)s: %(problem)s") % {"year": display_fiscal_year(result.fiscal_year), "problem": describe(error)}
        ) from None
    return before != (result.grade, [(value.achievement, value.grade) for value in values])


def _save(obj, user, fields: list[str]) -> None:
    obj._history_user = user
    obj._change_reason = CHANGE_REASON
    obj.save(update_fields=fields)


@dataclasses.dataclass
class _Change:
    """What a revision changed in memory, before anything of the result is saved."""

    old: str
    new: str
    fiscal_year: int | None  # None: a baseline, which is the indicator's, not one year's
    values: list[ResultValue]
    value_fields: dict[int, list[str]] = dataclasses.field(default_factory=dict)  # ResultValue id → plan-value fields
    indicator_fields: list[str] = dataclasses.field(default_factory=list)


@transaction.atomic
def revise(
    result: Result,
    *,
    user,
    field: str,
    new_value: str,
    reason: str,
    expected_version: int,
    measure: Measure | None = None,
    footnote: str = "",
) -> Revision:
    """Revise a baseline (Indicator.baseline_text and the measure's baseline_value), a plan value
    (当初計画 / 修正計画) or a target (目標) of `result`'s indicator, with a reason and an optional footnote.

    Side effects: the changed Indicator, Measure and ResultValue rows (history rows with the user and
    the change reason "revision"); the result regraded, its version moved on (so an open page sees the
    change) and, for a plan value or target, its revision_reason; under the progress formula a baseline
    also regrades the indicator's other years; one Revision row, which holds the footnote mark for
    its year (Indicator.footnote, the workbook's 注記, is left as it is: domain.footnotes prints a
    year's marks). Raises PermissionRefused, RevisionRefused, StaleVersion, and the guards' YearClosed,
    ItemApproved and RecordInUse (a baseline that a closed year's record shows)."""
    if not permissions.can_revise_plan(user):
        raise PermissionRefused("revise")
    if not grading.has_reason(reason):
        raise RevisionRefused(_("Write the reason for the revision."))
    guards.refuse_unstorable(
        texts=[(_("Reason for the revision"), reason)],
        lines=[(_("New value"), new_value), (_("Footnote mark"), footnote)],
        refusal=RevisionRefused,
    )
    footnote = normalize_footnote(footnote)
    result = lock_result(result.pk)
    guards.refuse_result_change(result)
    if field not in fields_for(result.indicator):
        raise RevisionRefused(_("This item cannot be revised on this indicator."))
    values = result_values(result)
    measure = _chosen_measure(result, values, measure, field)
    if field == RevisionField.BASELINE:
        change = _revise_baseline(result, measure, new_value, user=user)
    else:
        change = _revise_plan_value(result, values, measure, field, new_value)
    _save_result(result, change, user=user, expected_version=expected_version, reason=reason)
    _save_indicator(result.indicator, change.indicator_fields, user=user)
    return Revision.objects.create(
        indicator=result.indicator,
        fiscal_year=change.fiscal_year,
        measure=measure,
        field=field,
        old_value=change.old,
        new_value=change.new,
        reason=reason.strip(),
        footnote=footnote,
        changed_by=user,
    )


def _chosen_measure(result: Result, values: list[ResultValue], measure: Measure | None, field: str) -> Measure | None:
    """The sub-item to revise: the one chosen, or the only one; a baseline may apply to none."""
    if measure is not None and measure.indicator_id != result.indicator_id:
        raise RevisionRefused(_("Choose a sub-item of this indicator."))
    if measure is None and len(values) == 1:
        measure = values[0].measure
    if measure is None and field != RevisionField.BASELINE:
        raise RevisionRefused(_("Choose the sub-item to revise."))
    return measure


def _revise_baseline(result: Result, measure: Measure | None, new_value: str, *, user) -> _Change:
    """The indicator's baseline as printed, and the measure's as a number (saved now: the regrading
    reads it). Under the progress formula the other years are regraded too."""
    indicator = result.indicator
    number, _text = _parse(RevisionField.BASELINE, indicator, new_value)
    old, new = indicator.baseline_text, new_value.strip()
    if new == old and (measure is None or measure.baseline_value == number):
        raise RevisionRefused(_("The new value is the same as the current one."))
    guards.refuse_indicator_change(indicator, ["baseline_text"])
    indicator.baseline_text = new
    if measure is not None:
        measure.baseline_value = number
        _save(measure, user, ["baseline_value"])
    _regrade_other_years(result, user)
    return _Change(old, new, None, result_values(result), indicator_fields=["baseline_text"])


def _revise_plan_value(
    result: Result, values: list[ResultValue], measure: Measure, field: str, new_value: str
) -> _Change:
    """A plan value (当初計画, 修正計画) or the target (目標) of one sub-item, in this year only."""
    number, text = _parse(field, result.indicator, new_value)
    value = next((value for value in values if value.measure_id == measure.pk), None)
    if value is None:
        raise RevisionRefused(_("Choose the sub-item to revise."))
    number_field, text_field = VALUE_FIELDS[field]
    old_number, old_text = getattr(value, number_field), getattr(value, text_field)
    if old_number == number and (old_number is None) == (number is None) and old_text == text:
        raise RevisionRefused(_("The new value is the same as the current one."))
    setattr(value, number_field, number)
    setattr(value, text_field, text)
    return _Change(
        recorded_text(old_number, old_text, result.indicator),
        recorded_text(number, text, result.indicator),
        result.fiscal_year,
        values,
        value_fields={value.pk: [number_field, text_field]},
    )


def _save_result(result: Result, change: _Change, *, user, expected_version: int, reason: str) -> None:
    """Regrade the result, move its version on (refused from a stale page), save what changed."""
    before = {value.pk: (value.achievement, value.grade) for value in change.values}
    _regrade(result, change.values)
    result._change_reason = CHANGE_REASON
    changed = {"grade": result.grade}
    if change.fiscal_year is not None:
        changed["revision_reason"] = reason.strip()
    guards.save_next_version(result, expected_version, user, changed)
    for value in change.values:
        fields = list(change.value_fields.get(value.pk, []))
        if (value.achievement, value.grade) != before[value.pk]:
            fields += ["achievement", "grade"]
        if fields:
            _save(value, user, fields)


def _save_indicator(indicator: Indicator, fields: list[str], *, user) -> None:
    """The indicator's revised baseline. The revision's footnote mark stays on the Revision, for its
    year only (marks per year, issue 9): the indicator's own marks are shared by every year."""
    if fields:
        _save(indicator, user, fields)


def _regrade_other_years(result: Result, user) -> None:
    """A baseline moves the grades of the progress formula in every year: regrade the indicator's other
    results; refuse when an approved one would change (it is locked)."""
    others = (
        Result.objects.select_for_update(of=("self",))
        .select_related("indicator__plan")
        .filter(indicator_id=result.indicator_id)
        .exclude(pk=result.pk)
        .order_by("pk")
    )
    for other in others:
        values = result_values(other)
        if not _regrade(other, values):
            continue
        if guards.is_approved(other):
            raise RevisionRefused(
                _("The grade of %(year)s, which is approved, would change: reopen it first.")
                % {"year": display_fiscal_year(other.fiscal_year)}
            )
        for value in values:
            _save(value, user, ["achievement", "grade"])
        other._change_reason = CHANGE_REASON
        guards.save_next_version(other, other.version, user, {"grade": other.grade})  # the row is locked
