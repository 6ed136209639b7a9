"""The save of a department's entry page (一時保存 / 選択した項目を提出 / すべて提出), request-free.

The page sends every row it showed as editable; the rows the user changed or chose come here parsed
(a RowInput), with whether the user changed them since the page was shown. Only the changed rows are
saved as drafts (results.save_drafts), each checked against the version the page showed; an
untouched row is never compared with its version, so a colleague's save of it since is no conflict.
Then the chosen rows are submitted (results.submit_results). Each row is refused on its own, as the
page shows it: a refused row does not undo another row's save. What happened comes back per row,
saved, unchanged or refused with why (someone saved it first, it was submitted or approved in the
meantime, the year was closed), for the page to say so and to show what was typed in the refused rows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from departments import permissions
from departments.models import Department
from evaluation.domain.workflow import Action, TransitionRefused, next_status
from evaluation.models import EvaluationYear, Result
from evaluation.services import guards, results
from evaluation.services.results import ActualInput, Draft

__all__ = ["ActualInput", "Draft", "EntryReport", "PageAction", "RefusedBecause", "RowInput", "save_entries"]


class PageAction(enum.StrEnum):
    """The button the user pressed (not a workflow Action: one press may save and then submit)."""

    SAVE = "save"  # 一時保存
    SUBMIT_SELECTED = "submit_selected"  # 選択した項目を提出
    SUBMIT_ALL = "submit_all"  # すべて提出


class RefusedBecause(enum.StrEnum):
    UNREADABLE = "unreadable"  # what was typed cannot be read; the form says where
    STALE = "stale"  # someone saved the row after the page was opened
    OUT_OF_HANDS = "out_of_hands"  # submitted, awaiting the head or approved since the page was opened
    YEAR_CLOSED = "year_closed"  # the year no longer takes entries
    NOT_ALLOWED = "not_allowed"  # not the user's to change: another department's or year's
    NOT_READY = "not_ready"  # the submission misses a value, a judged grade or a reason


# Refusals after which the row is no longer the department's to change: the page shows what was
# typed in it, read-only, with why.
NOT_CHANGEABLE = frozenset({RefusedBecause.OUT_OF_HANDS, RefusedBecause.YEAR_CLOSED, RefusedBecause.NOT_ALLOWED})


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
    current: Result | None = None  # STALE, OUT_OF_HANDS: the result as it is now (who changed it, when)
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
    selected); a row refused at its save is not submitted.

    An unchanged row is left alone: it is not compared with its version (a colleague may have saved
    it since), and one that is no longer with the department (submitted or approved since) is not
    submitted again. A changed row is refused, with why, when it is another department's or year's,
    was submitted or approved since the page showed it, its year no longer takes entries, or someone
    saved it since (STALE).

    The saves are one transaction (results.save_drafts), the submissions another (results.
    submit_results), each at a cost that does not grow with its rows; a row that is neither changed
    nor submitted costs nothing. A refused row is refused on its own: it does not undo another
    row's save. Side effects: those of results.save_draft and results.submit for each row that goes
    through (its result and values, version, a history row); nothing for a refused row."""
    rows = list(rows)
    outcomes = _save_rows(user, department, year, rows)
    if action in (PageAction.SUBMIT_SELECTED, PageAction.SUBMIT_ALL):
        targets = [row for row in rows if action == PageAction.SUBMIT_ALL or row.selected]
        _submit_rows(user, department, year, targets, outcomes)
    report_rows = {row.result.pk: outcomes[row.result.pk] for row in rows}
    if action not in (PageAction.SUBMIT_SELECTED, PageAction.SUBMIT_ALL):
        return EntryReport(report_rows)
    return EntryReport(report_rows, nothing_selected=not targets)


def _save_rows(user, department: Department, year: EvaluationYear, rows: list[RowInput]) -> dict[int, RowOutcome]:
    outcomes, drafts = {}, {}
    for row in rows:
        result = row.result
        if not row.changed:
            outcomes[result.pk] = RowOutcome(result.pk)
        elif refusal := _not_changeable(user, department, year, result):
            outcomes[result.pk] = refusal
        elif row.draft is None:
            outcomes[result.pk] = _refusal(result, RefusedBecause.UNREADABLE)
        else:
            drafts[result.pk] = row.draft
    if drafts:
        by_id = {row.result.pk: row for row in rows}
        for result_id, saved in results.save_drafts(drafts, user=user).items():
            outcomes[result_id] = _saved(user, department, year, by_id[result_id], saved)
    return outcomes


def _saved(user, department: Department, year: EvaluationYear, row: RowInput, saved) -> RowOutcome:
    """The outcome of one row's save: saved (at its new version), or refused with why."""
    result = row.result
    if isinstance(saved, Result):
        return RowOutcome(result.pk, saved=True, version=saved.version)
    if isinstance(saved, guards.StaleVersion):
        return _refusal(result, RefusedBecause.STALE, saved.message, saved.current)
    return _refused_now(user, department, year, row) or _refusal(result, RefusedBecause.NOT_ALLOWED, saved.message)


def _submit_rows(user, department, year, targets: list[RowInput], outcomes: dict[int, RowOutcome]) -> None:
    versions = {}
    for row in targets:
        result, saved = row.result, outcomes[row.result.pk]
        if saved.refused_because:
            continue  # its save was refused; that is what the row says
        if not saved.saved and (refusal := _not_changeable(user, department, year, result)):
            outcomes[result.pk] = _untouched_refusal(saved, refusal)
        elif row.draft is None:
            outcomes[result.pk] = _refusal(result, RefusedBecause.UNREADABLE)
        else:
            # A saved row is at the version its save gave it; an unchanged one at the version the page showed.
            versions[result.pk] = saved.version if saved.saved else row.draft.expected_version
    if versions:
        by_id = {row.result.pk: row for row in targets}
        for result_id, submitted in results.submit_results(versions, user=user).items():
            outcomes[result_id] = _submitted(user, department, year, by_id[result_id], outcomes[result_id], submitted)


def _submitted(user, department, year, row: RowInput, saved: RowOutcome, submitted) -> RowOutcome:
    """The outcome of one row's submission, after its save (or unchanged)."""
    if isinstance(submitted, Result):
        return replace(saved, submitted=True)
    if isinstance(submitted, guards.StaleVersion):
        return replace(
            saved, refused_because=RefusedBecause.STALE, message=str(submitted.message), current=submitted.current
        )
    if isinstance(submitted, results.NotReady):
        return replace(saved, refused_because=RefusedBecause.NOT_READY, message=str(submitted.message))
    if refusal := _refused_now(user, department, year, row):
        return _untouched_refusal(saved, refusal) if not saved.saved else _merged(saved, refusal)
    because = (
        RefusedBecause.NOT_ALLOWED if isinstance(submitted, guards.PermissionRefused) else RefusedBecause.NOT_READY
    )
    return replace(saved, refused_because=because, message=str(submitted.message))


def _refusal(result: Result, because: RefusedBecause, message="", current: Result | None = None) -> RowOutcome:
    return RowOutcome(result.pk, refused_because=because, message=str(message), current=current)


def _not_changeable(user, department: Department, year: EvaluationYear, result: Result) -> RowOutcome | None:
    """None when the department may change the row now (guards.may_department_change decides), else
    the refusal saying why: not its own, the year no longer takes entries, or the item has left the
    department's hands (submitted, awaiting the head, approved)."""
    belongs = result.department_id == department.pk and result.indicator.plan_id == year.plan_id
    belongs = belongs and result.fiscal_year == year.fiscal_year
    year_open = guards.takes_entries(year)
    if belongs and guards.may_department_change(user, result, year_open=year_open):
        return None
    if not belongs or not permissions.can_edit_result(user, result):
        return _refusal(result, RefusedBecause.NOT_ALLOWED, guards.PermissionRefused().message)
    if not year_open:
        return _refusal(result, RefusedBecause.YEAR_CLOSED, guards.YearClosed(year.fiscal_year).message)
    try:
        next_status(result.status, Action.SAVE)
    except TransitionRefused as refused:  # submitted or approved: with the head or the planning section
        return _refusal(result, RefusedBecause.OUT_OF_HANDS, refused.message, current=result)
    return _refusal(result, RefusedBecause.NOT_ALLOWED, guards.PermissionRefused().message)


def _refused_now(user, department: Department, year: EvaluationYear, row: RowInput) -> RowOutcome | None:
    """A service refused the row after the page's checks passed: someone may have changed it or its
    year in the meantime. The refusal saying why, from the row and the year as they are now; None
    when the row is still the department's to change (the refusal was about what it holds)."""
    current = Result.objects.select_related("indicator__plan", "updated_by").get(pk=row.result.pk)
    year.refresh_from_db(fields=["status"])
    return _not_changeable(user, department, year, current)


def _untouched_refusal(saved: RowOutcome, refusal: RowOutcome) -> RowOutcome:
    """An untouched row that cannot be submitted: if a colleague submitted it, or it was approved,
    since the page was shown, nothing typed is lost and there is nothing to submit; otherwise why."""
    return saved if refusal.refused_because == RefusedBecause.OUT_OF_HANDS else _merged(saved, refusal)


def _merged(saved: RowOutcome, refusal: RowOutcome) -> RowOutcome:
    """A row saved (or unchanged), then refused at its submission."""
    return replace(saved, refused_because=refusal.refused_because, message=refusal.message, current=refusal.current)
