"""The save of a department's entry page (一時保存 / 選択した項目を提出 / すべて提出), request-free.

The page sends every row the user could change; each row comes here parsed (a RowInput). The
changed rows are saved as drafts (results.save_draft), then the chosen rows are submitted
(results.submit). Each row is done on its own, as the page shows it: a refused row does not undo
another row's save. What happened comes back per row, saved, unchanged or refused with why, for the
page to say so and to show the refused rows again as typed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from departments import permissions
from departments.models import Department
from evaluation.domain.workflow import Action, TransitionRefused, next_status
from evaluation.models import EvaluationYear, Result
from evaluation.services import guards, results
from evaluation.services.results import ActualInput


class PageAction(enum.StrEnum):
    """The button the user pressed (not a workflow Action: one press may save and then submit)."""

    SAVE = "save"  # 一時保存
    SUBMIT_SELECTED = "submit_selected"  # 選択した項目を提出
    SUBMIT_ALL = "submit_all"  # すべて提出


class RefusedBecause(enum.StrEnum):
    UNREADABLE = "unreadable"  # what was typed cannot be read; the form says where
    STALE = "stale"  # someone saved the row after the page was opened
    NOT_ALLOWED = "not_allowed"  # not the user's to change now: another department's, approved, closed year
    NOT_READY = "not_ready"  # the submission misses a value, a judged grade or a reason


@dataclass(frozen=True)
class Draft:
    """What the user typed in one row, parsed: the arguments of results.save_draft."""

    expected_version: int
    actuals: Mapping[int, ActualInput]
    reason: str
    judged_grade: str = ""


@dataclass(frozen=True)
class RowInput:
    """One row of the page as it came back. `draft` is None when what was typed cannot be read."""

    result: Result
    draft: Draft | None
    changed: bool = True  # the user changed its data (ticking the row is not a change)
    selected: bool = False  # ticked for 選択した項目を提出


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one row. A row may be saved and then refused at its submission."""

    result_id: int
    saved: bool = False
    submitted: bool = False
    refused_because: RefusedBecause | None = None
    message: str = ""  # why it was refused, translated
    current: Result | None = None  # STALE: the result as the other person saved it
    version: int | None = None  # the result's version after its save

    @property
    def unchanged(self) -> bool:
        return not (self.saved or self.submitted or self.refused_because)


@dataclass(frozen=True)
class EntryReport:
    """Every row's outcome (by result id), and whether a submission found no row to submit."""

    rows: dict[int, RowOutcome] = field(default_factory=dict)
    nothing_selected: bool = False

    @property
    def saved_count(self) -> int:
        return sum(outcome.saved for outcome in self.rows.values())

    @property
    def submitted_count(self) -> int:
        return sum(outcome.submitted for outcome in self.rows.values())

    @property
    def refused(self) -> list[RowOutcome]:
        return [outcome for outcome in self.rows.values() if outcome.refused_because]

    @property
    def all_done(self) -> bool:
        """Nothing to show again: no row was refused and a submission had rows to submit."""
        return not self.refused and not self.nothing_selected


def save_entries(
    user, department: Department, year: EvaluationYear, rows: Iterable[RowInput], action: str
) -> EntryReport:
    """Save the changed rows as drafts, then submit the rows `action` names (each one, or those
    selected); a row refused at its save is not submitted. Rows of another department or year, and
    rows the department may not change now (submitted, approved, closed year), are refused.

    Side effects: those of results.save_draft and results.submit for each row that goes through
    (its result and values, version, a history row); nothing for a refused row.
    Not atomic as a whole: one row's refusal does not undo another row's save."""
    rows = list(rows)
    outcomes = {row.result.pk: _save_row(user, department, year, row) for row in rows}
    if action not in (PageAction.SUBMIT_SELECTED, PageAction.SUBMIT_ALL):
        return EntryReport(outcomes)
    targets = [row for row in rows if action == PageAction.SUBMIT_ALL or row.selected]
    for row in targets:
        outcomes[row.result.pk] = _submit_row(user, row, outcomes[row.result.pk])
    return EntryReport(outcomes, nothing_selected=not targets)


def _refusal(result: Result, because: RefusedBecause, message="", current: Result | None = None) -> RowOutcome:
    return RowOutcome(result.pk, refused_because=because, message=str(message), current=current)


def _why_not_changeable(user, department: Department, year: EvaluationYear, result: Result) -> str | None:
    """None when the department may change the row now (guards.may_department_change decides), else
    why not, translated."""
    indicator = result.indicator
    belongs = result.department_id == department.pk and indicator.plan_id == year.plan_id
    belongs = belongs and result.fiscal_year == year.fiscal_year
    year_open = guards.takes_entries(year)
    if belongs and guards.may_department_change(user, result, year_open=year_open):
        return None
    if not belongs or not permissions.can_edit_result(user, result):
        return str(guards.PermissionRefused().message)
    if not year_open:
        return str(guards.YearClosed(year.fiscal_year).message)
    if guards.is_approved(result):
        return str(guards.ItemApproved().message)
    try:
        next_status(result.status, Action.SAVE)
    except TransitionRefused as refused:  # submitted: it is with the planning section
        return str(refused.message)
    return str(guards.PermissionRefused().message)


def _save_row(user, department: Department, year: EvaluationYear, row: RowInput) -> RowOutcome:
    result = row.result
    why_not = _why_not_changeable(user, department, year, result)
    if why_not:
        return _refusal(result, RefusedBecause.NOT_ALLOWED, why_not)
    if not row.changed:
        return RowOutcome(result.pk)
    if row.draft is None:
        return _refusal(result, RefusedBecause.UNREADABLE)
    draft = row.draft
    try:
        saved = results.save_draft(
            result,
            user=user,
            expected_version=draft.expected_version,
            actuals=draft.actuals,
            reason=draft.reason,
            judged_grade=draft.judged_grade,
        )
    except guards.StaleVersion as stale:
        return _refusal(result, RefusedBecause.STALE, stale.message, stale.current)
    except (TransitionRefused, guards.PermissionRefused) as refused:
        return _refusal(result, RefusedBecause.NOT_ALLOWED, refused.message)
    return RowOutcome(result.pk, saved=True, version=saved.version)


def _submit_row(user, row: RowInput, saved: RowOutcome) -> RowOutcome:
    if saved.refused_because:
        return saved  # its save was refused; that is what the row says
    if row.draft is None:
        return _refusal(row.result, RefusedBecause.UNREADABLE)
    # A saved row is at the version its save gave it; an unchanged one at the version the page showed.
    version = saved.version if saved.saved else row.draft.expected_version
    try:
        results.submit(row.result, user=user, expected_version=version)
    except guards.StaleVersion as stale:
        return replace(saved, refused_because=RefusedBecause.STALE, message=str(stale.message), current=stale.current)
    except (guards.YearClosed, guards.ItemApproved, guards.PermissionRefused) as refused:
        return replace(saved, refused_because=RefusedBecause.NOT_ALLOWED, message=str(refused.message))
    except TransitionRefused as refused:
        return replace(saved, refused_because=RefusedBecause.NOT_READY, message=str(refused.message))
    return replace(saved, submitted=True)
