"""Regrading (評価の再計算): a change of a plan's grading settings, previewed, then applied on the record.

The plan's settings (formula, thresholds, rounding, decimals) grade its OPEN years only. A closed year
keeps the rule it was closed with (EvaluationYear's snapshot, taken by services.years.close_year): its
grades and its printed ※1 stay as they were closed, so a change needs no refusing because of it.

- `regrading_preview(plan, rule)` lists, for the plan's open years, every result whose grade or
  achievement the new rule would change (old and new, per sub-item), without changing anything.
- `apply_regrading(plan, rule, user=…, expected=…)` saves the new settings on the plan and regrades
  those results on the record (history rows with REGRADE_REASON, versions moved on), in one
  transaction, after the planning section confirmed the preview.

Approved items are locked (guards.refuse_if_approved): the regrading does not rewrite them around
the lock. The preview lists separately the approved items the new rule would change ("approved:
reopen to regrade"), and the regrading is refused while there are any: the planning section reopens
them on their pages (with a reason, on the record), then regrades. An approved item the new rule
leaves as it is does not stand in the way. So no item ever shows a grade its year's rule does not
give, and an approved item is never changed without the reopening on its record.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from departments import permissions
from evaluation.domain import grading, scheme_files
from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.domain.errors import MezasuError
from evaluation.models import EvaluationYear, Plan, Result, ResultValue
from evaluation.services import guards
from evaluation.services.scoring import apply_grades_or_hold

REGRADE_REASON = "regrade"  # the history_change_reason of every row a regrading writes

# The grading settings form's fields (the thresholds of an A–D scheme shaped like Setagaya's).
SETTINGS_FIELDS = {
    "grading_formula": "measure",
    "threshold_a": "threshold_a",
    "threshold_b": "threshold_b",
    "threshold_d": "threshold_d",
    "rounding": "rounding",
    "achievement_decimals": "decimals",
}


class RegradingRefused(MezasuError):
    """The regrading cannot be applied (who asks, approved items in the way, a stale preview)."""


@dataclass(frozen=True)
class RegradeChange:
    """One result the new rule changes: its grade and its achievements (per sub-item label), old and new."""

    result: Result
    old_grade: str
    new_grade: str
    old_achievement: tuple[tuple[str, Decimal | None], ...]
    new_achievement: tuple[tuple[str, Decimal | None], ...]

    @property
    def approved(self) -> bool:
        return self.result.status == ResultStatus.APPROVED

    @property
    def grade_changes(self) -> bool:
        return self.old_grade != self.new_grade

    @property
    def needs_reason(self) -> bool:
        """The new grade (C, D) needs a reason the item does not have yet: the department writes it."""
        return self.result.scheme.reason_missing(self.new_grade, self.result.reason)


@dataclass(frozen=True)
class RegradingPreview:
    plan: Plan
    rule: grading.GradingScheme
    fiscal_years: list[int]  # the plan's open years, oldest first
    changes: list[RegradeChange]  # not approved: applying regrades them
    approved: list[RegradeChange]  # approved: reopen them to regrade (applying is refused meanwhile)

    @property
    def rule_changes(self) -> bool:
        return self.rule != self.plan.scheme

    @property
    def grade_change_count(self) -> int:
        return sum(change.grade_changes for change in self.changes)

    @property
    def token(self) -> str:
        """What the planning section confirmed: each changed result and its version (apply checks it)."""
        return ",".join(f"{change.result.pk}:{change.result.version}" for change in self.changes)


def rule_from(settings, base: grading.GradingScheme | None = None) -> grading.GradingScheme:
    """The scheme `base` (Setagaya's by default) with the thresholds, measure, rounding and decimals of
    the grading settings form (its cleaned_data)."""
    return scheme_files.with_thresholds(base, **{name: settings[field] for field, name in SETTINGS_FIELDS.items()})


def _achievements(values: list[ResultValue]) -> tuple[tuple[str, Decimal | None], ...]:
    return tuple((value.measure.label, value.achievement) for value in values)


def _open_years(plan: Plan) -> list[int]:
    return list(
        EvaluationYear.objects.filter(plan=plan, status=YearStatus.OPEN)
        .order_by("fiscal_year")
        .values_list("fiscal_year", flat=True)
    )


def _regraded(plan: Plan, rule: grading.GradingScheme, *, lock: bool) -> tuple[list[int], list[tuple]]:
    """For every outcome result of the plan's open years that the rule changes: (result, its values
    regraded in memory, its new grade, the RegradeChange). Three queries."""
    fiscal_years = _open_years(plan)
    results = Result.objects.filter(indicator__plan=plan, fiscal_year__in=fiscal_years).select_related(
        "indicator__plan", "indicator__department"
    )
    if lock:
        results = results.select_for_update(of=("self",))
    results = list(results.order_by("fiscal_year", "indicator__position", "indicator__pk"))
    values: dict[int, list[ResultValue]] = {}
    for value in ResultValue.objects.filter(result__in=[result.pk for result in results]).select_related("measure"):
        values.setdefault(value.result_id, []).append(value)
    changed = []
    for result in results:
        if not result.indicator.is_outcome:
            continue  # activities are not graded
        own = sorted(values.get(result.pk, []), key=lambda value: value.measure.label)
        old_grade, old_achievement = result.grade, _achievements(own)
        for value in own:
            value._before = (value.achievement, value.grade)
        apply_grades_or_hold(result, own, rule)
        new_grade, new_achievement = result.grade, _achievements(own)
        if new_grade == old_grade and all((value.achievement, value.grade) == value._before for value in own):
            continue
        change = RegradeChange(result, old_grade, new_grade, old_achievement, new_achievement)
        result.grade = old_grade  # the in-memory result stays as stored until apply saves it
        changed.append((result, own, new_grade, change))
    return fiscal_years, changed


def regrading_preview(plan: Plan, rule: grading.GradingScheme) -> RegradingPreview:
    """What applying `rule` to the plan would change in its open years; changes nothing."""
    fiscal_years, changed = _regraded(plan, rule, lock=False)
    changes = [change for _result, _values, _grade, change in changed]
    return RegradingPreview(
        plan=plan,
        rule=rule,
        fiscal_years=fiscal_years,
        changes=[change for change in changes if not change.approved],
        approved=[change for change in changes if change.approved],
    )


@transaction.atomic
def apply_regrading(plan: Plan, rule: grading.GradingScheme, *, user, expected: str | None = None) -> RegradingPreview:
    """Save `rule` as the plan's grading settings and regrade every result of its open years that it
    changes, on the record: the values' achievements and grades, the result's grade, its version
    moved on (pages opened before refuse to overwrite it), history rows with REGRADE_REASON and the
    plan's history row too. Closed years keep their grades (they are graded by their snapshot).

    `expected` is the preview's token the planning section confirmed: if the results to regrade have
    changed since (an entry saved meanwhile), nothing is applied and the preview is asked for again.

    Returns the preview that was applied. Raises RegradingRefused (not the planning section, approved
    items the rule would change, a stale preview)."""
    if not permissions.can_manage_years(user):
        raise RegradingRefused(_("Only the planning section changes a plan's grading rule."))
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # one regrading of a plan at a time
    fiscal_years, changed = _regraded(plan, rule, lock=True)
    changes = [change for _result, _values, _grade, change in changed]
    preview = RegradingPreview(
        plan=plan,
        rule=rule,
        fiscal_years=fiscal_years,
        changes=[change for change in changes if not change.approved],
        approved=[change for change in changes if change.approved],
    )
    if preview.approved:
        count = len(preview.approved)
        raise RegradingRefused(
            ngettext(
                "%(count)d approved item would change: reopen it (with a reason) before regrading.",
                "%(count)d approved items would change: reopen them (with a reason) before regrading.",
                count,
            )
            % {"count": count}
        )
    if expected is not None and expected != preview.token:
        raise RegradingRefused(
            _("The items to regrade have changed since the preview: look at the preview again before applying.")
        )
    for result, values, new_grade, _change in changed:
        guards.refuse_if_approved(result)  # said above; the lock rule, asked once more where it is written
        result._change_reason = REGRADE_REASON
        guards.save_next_version(result, result.version, user, {"grade": new_grade})
        for value in values:
            if (value.achievement, value.grade) != value._before:
                value._history_user, value._change_reason = user, REGRADE_REASON
                value.save(update_fields=["achievement", "grade"])
    plan.grading_scheme = scheme_files.to_data(rule)
    plan._history_user, plan._change_reason = user, REGRADE_REASON
    plan.save(update_fields=["grading_scheme"])
    return preview
