"""Services that change a result: each runs atomically, locks the row, asks the guards (closed year,
approved, whose, stale version), saves with update_fields and leaves a history row
(django-simple-history)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from evaluation.domain import grading
from evaluation.domain.enums import ActualState, CommentKind, Direction, ResultStatus, YearStatus
from evaluation.domain.errors import MezasuError
from evaluation.domain.messages import describe_hold, missing_actual_sentence, reason_sentence
from evaluation.domain.workflow import HEAD_ACTIONS, PLANNING_ACTIONS, Action, TransitionRefused, next_status
from evaluation.models import EvaluationYear, Result, ResultComment, ResultValue
from evaluation.services import guards
from evaluation.services.scoring import apply_grades, apply_grades_or_hold, grading_hold

VALUE_FIELDS = ["actual_state", "actual_value", "actual_text", "achievement", "grade"]


@dataclass(frozen=True)
class ActualInput:
    """One measure's actual as the department entered it (already parsed)."""

    state: str = ActualState.EMPTY
    value: Decimal | None = None
    text: str = ""


@dataclass(frozen=True)
class Draft:
    """What the user typed in one row, parsed: the arguments of save_draft."""

    expected_version: int
    actuals: Mapping[int, ActualInput]
    reason: str
    judged_grade: str = ""


def lock_result(result_id: int) -> Result:
    """The result, locked for the transaction (select_for_update), with its indicator and plan."""
    return (
        Result.objects.select_for_update(of=("self",)).select_related("indicator__plan", "updated_by").get(pk=result_id)
    )


def result_values(result: Result) -> list[ResultValue]:
    return list(result.values.select_related("measure").order_by("measure__label"))


def _snapshot(value: ResultValue) -> tuple:
    return tuple(getattr(value, field) for field in VALUE_FIELDS)


def save_draft(
    result: Result,
    *,
    user,
    expected_version: int,
    actuals: Mapping[int, ActualInput],
    reason: str,
    judged_grade: str = "",
) -> Result:
    """Save the department's entry as a draft and regrade it (save_drafts of one result).

    `actuals` maps ResultValue ids to what was entered; ids of other results are ignored.
    Side effects: updates the result (status, reason, judged grade, grade, version, updated_by/at)
    and its values (actual, achievement, grade); one history row for each changed object.
    Raises PermissionRefused, TransitionRefused (InputRefused too), StaleVersion."""
    draft = Draft(expected_version, actuals, reason, judged_grade)
    return _one(save_drafts({result.pk: draft}, user=user)[result.pk])


def _one(outcome: Result | MezasuError) -> Result:
    if isinstance(outcome, MezasuError):
        raise outcome
    return outcome


def _refuse_unstorable_draft(draft: Draft) -> None:
    guards.refuse_unstorable(
        texts=[(_("Reason for the grade"), draft.reason)],
        lines=[(_("Actual"), entered.text) for entered in draft.actuals.values()],
        figures=[(_("Actual"), entered.value) for entered in draft.actuals.values()],
    )


def lock_results(result_ids) -> dict[int, Result]:
    """lock_result() of several results in one query, locked in one order (by id) for everyone."""
    locked = Result.objects.select_for_update(of=("self",)).select_related("indicator__plan", "updated_by")
    return {result.pk: result for result in locked.filter(pk__in=result_ids).order_by("pk")}


def values_of(results: Mapping[int, Result]) -> dict[int, list[ResultValue]]:
    """result_values() of several results in one query: {result id: its values}."""
    values: dict[int, list[ResultValue]] = {result_id: [] for result_id in results}
    for value in (
        ResultValue.objects.filter(result__in=list(results))
        .select_related("measure")
        .order_by("result_id", "measure__label")
    ):
        value.result = results[value.result_id]
        values[value.result_id].append(value)
    return values


def _closed_years_of(results: Mapping[int, Result]) -> set[tuple[int, int]]:
    """(plan id, fiscal year) of the closed years among the results' (one query)."""
    plans = {result.indicator.plan_id for result in results.values()}
    years = {result.fiscal_year for result in results.values()}
    closed = EvaluationYear.objects.filter(status=YearStatus.CLOSED, plan_id__in=plans, fiscal_year__in=years)
    return set(closed.values_list("plan_id", "fiscal_year"))


@transaction.atomic
def save_drafts(drafts: Mapping[int, Draft], *, user) -> dict[int, Result | MezasuError]:
    """save_draft() of several results (by id) in one transaction, at a cost that does not grow with
    them: one read of the results (locked) and one of their values, one of the closed years, then one
    UPDATE of the results, one of the changed values and one INSERT of each one's history rows.

    Each result is refused on its own, as save_draft refuses it (InputRefused, YearClosed,
    PermissionRefused, TransitionRefused, StaleVersion): the refusal comes back in its place, and the
    other results are saved. Returns {result id: the saved result, or its refusal}.
    Side effects: those of save_draft for each result saved."""
    outcomes: dict[int, Result | MezasuError] = {}
    for result_id, draft in drafts.items():
        try:
            _refuse_unstorable_draft(draft)
        except MezasuError as refused:
            outcomes[result_id] = refused
    locked = lock_results([result_id for result_id in drafts if result_id not in outcomes])
    values = values_of(locked)
    closed = _closed_years_of(locked)
    changes, changed_values = {}, []
    for result_id, draft in drafts.items():
        if result_id in outcomes:
            continue
        result = locked.get(result_id)
        try:
            if result is None:
                raise guards.PermissionRefused(Action.SAVE)  # deleted since the page was read
            changes[result] = _draft_change(result, values[result_id], draft, user=user, closed=closed)
        except MezasuError as refused:
            outcomes[result_id] = refused
            continue
        changed_values += [value for value in values[result_id] if value._changed]
        outcomes[result_id] = result
    guards.save_next_versions(changes, {result.pk: drafts[result.pk].expected_version for result in changes}, user)
    bulk_update_with_history(changed_values, ResultValue, VALUE_FIELDS, default_user=user, default_change_reason=None)
    return outcomes


def _draft_change(result: Result, values: list[ResultValue], draft: Draft, *, user, closed) -> dict[str, object]:
    """The checks of save_draft on a locked result (the year, the actor, the workflow, the version),
    then its values as entered and regraded (each marked `_changed` or not): the result's fields to write."""
    if (result.indicator.plan_id, result.fiscal_year) in closed:
        raise guards.YearClosed(result.fiscal_year)
    guards.refuse_actor(user, result, Action.SAVE)
    status = next_status(result.status, Action.SAVE)
    if result.version != draft.expected_version:
        raise guards.StaleVersion(result)
    before = {value.pk: _snapshot(value) for value in values}
    for value in values:
        entered = draft.actuals.get(value.pk)
        if entered is not None:
            value.actual_state, value.actual_value, value.actual_text = entered.state, entered.value, entered.text
    judged_grade = draft.judged_grade if result.indicator.direction == Direction.QUALITATIVE else ""
    result.judged_grade = judged_grade
    apply_grades_or_hold(result, values)  # without a gradable target the draft is saved, its grade held at ー
    for value in values:
        value._changed = _snapshot(value) != before[value.pk]
    return {"status": status, "reason": draft.reason, "judged_grade": judged_grade, "grade": result.grade}


@transaction.atomic
def regrade(result: Result, *, user, change_reason: str = "") -> Result:
    """Recompute the achievements and grades of a result after its values were changed outside the
    entry services (an administrator in the admin), and move its version on so that pages opened
    before the change refuse to overwrite it. Side effects: the grades of the result and its values,
    version, updated_by/at; history rows for what changed. Raises YearClosed, ItemApproved."""
    result = lock_result(result.pk)
    guards.refuse_result_change(result)
    values = result_values(result)
    before = {value.pk: _snapshot(value) for value in values}
    apply_grades(result, values)
    result._change_reason = change_reason
    guards.save_next_version(result, result.version, user, {"grade": result.grade})
    for value in values:
        if _snapshot(value) != before[value.pk]:
            value._history_user, value._change_reason = user, change_reason
            value.save(update_fields=VALUE_FIELDS)
    return result


@transaction.atomic
def move_open_results(indicator, *, user, change_reason: str = "") -> list[Result]:
    """The indicator's department changed (the admin): its results of the years not closed follow it,
    each on the record (a history row, the next version, so that pages opened before refuse to
    overwrite); a closed year's result keeps the department of its year. Raises RecordInUse when an
    approved result would move (guards.refuse_department_move)."""
    guards.refuse_department_move(indicator, indicator.department)
    moving = (
        Result.objects.select_for_update()
        .filter(indicator=indicator)
        .exclude(department=indicator.department_id)
        .exclude(guards.in_closed_year())
        .order_by("fiscal_year")
    )
    moved = []
    for result in moving:
        result._change_reason = change_reason
        guards.save_next_version(result, result.version, user, {"department": indicator.department})
        moved.append(result)
    return moved


def submission_problems(result: Result, values: list[ResultValue]) -> list[str]:
    """Why the result cannot be submitted yet (translated sentences); empty when it can."""
    problems = []
    scheme = result.scheme
    if any(value.actual_state == ActualState.EMPTY for value in values):
        problems.append(missing_actual_sentence(scheme))
    if result.indicator.direction == Direction.QUALITATIVE and result.judged_grade not in scheme.grade_labels:
        problems.append(_("Choose the grade of this qualitative outcome."))
    # A state's note (中止 …) is asked wherever the scheme says so: an outcome's reason, an activity's note.
    states = [value.actual_state for value in values]
    if scheme.reason_missing(result.grade, result.reason, states):
        problems.append(reason_sentence(scheme, result.grade, states))
    if (hold := grading_hold(result, values, scheme)) is not None:
        problems.append(describe_hold(hold))
    return problems


class NotReady(TransitionRefused):
    """The result cannot be submitted yet: a value, a judged grade or a reason is missing, or the grade
    waits for its target (submission_problems)."""


def submit(result: Result, *, user, expected_version: int) -> Result:
    """Submit a saved result to the planning section, or to the department's head first when the
    plan asks for the head's check (所属長確認待ち; refused while the department has no head).
    Refused while it has problems (NotReady, see submission_problems); submit_results of one result.
    Side effects: status, submitted_by, version, updated_by/at; a history row."""
    return _one(submit_results({result.pk: expected_version}, user=user)[result.pk])


@transaction.atomic
def submit_results(expected_versions: Mapping[int, int], *, user) -> dict[int, Result | MezasuError]:
    """submit() of several results (by id: the version the user saw) in one transaction, at a cost
    that does not grow with them (the reads, checks and writes of save_drafts; the department's head
    looked up once a department). Each result is refused on its own, as submit() refuses it; the
    refusal comes back in its place. Returns {result id: the submitted result, or its refusal}.
    Side effects: those of submit() for each result submitted."""
    locked = lock_results(list(expected_versions))
    values = values_of(locked)
    closed = _closed_years_of(locked)
    outcomes: dict[int, Result | MezasuError] = {}
    changes = {}
    heads_checked: dict[int, MezasuError | None] = {}
    for result_id, version in expected_versions.items():
        result = locked.get(result_id)
        try:
            if result is None:
                raise guards.PermissionRefused(Action.SUBMIT)  # deleted since the page was read
            if (result.indicator.plan_id, result.fiscal_year) in closed:
                raise guards.YearClosed(result.fiscal_year)
            guards.refuse_actor(user, result, Action.SUBMIT)
            status = next_status(result.status, Action.SUBMIT, head_check=result.indicator.plan.requires_head_check)
            if problems := submission_problems(result, values[result_id]):
                raise NotReady(" ".join(str(problem) for problem in problems))
            if status == ResultStatus.AWAITING_HEAD:
                _refuse_if_no_head_once(result, heads_checked)
            if result.version != version:
                raise guards.StaleVersion(result)
        except MezasuError as refused:
            outcomes[result_id] = refused
            continue
        changes[result] = {"status": status, "submitted_by": user}
        outcomes[result_id] = result
    guards.save_next_versions(changes, {result.pk: expected_versions[result.pk] for result in changes}, user)
    return outcomes


def _refuse_if_no_head_once(result: Result, checked: dict[int, MezasuError | None]) -> None:
    """guards.refuse_if_no_head(), asked once a department within one call."""
    if result.department_id not in checked:
        try:
            guards.refuse_if_no_head(result)
            checked[result.department_id] = None
        except MezasuError as refused:
            checked[result.department_id] = refused
    if (refused := checked[result.department_id]) is not None:
        raise refused


# Actions that need a comment, and the kind of comment they leave in the thread.
COMMENTED_ACTIONS = {
    Action.RETURN: CommentKind.RETURN,
    Action.RETURN_BY_HEAD: CommentKind.HEAD_RETURN,
    Action.REOPEN: CommentKind.REOPEN,
}


@transaction.atomic
def transition(result: Result, action: str, *, user, expected_version: int, comment: str = "") -> Result:
    """Apply an action that changes only the status (withdraw; the head's confirm and return;
    approve, return, reopen). A return (差戻し, by the head or the planning section) and a reopening
    need a comment, which joins the result's thread. Nobody decides on an item they submitted or last
    changed, unless the plan allows it; then the history row carries OWN_DECISION_REASON.
    Side effects: status, version, updated_by/at; a history row; a ResultComment when commented."""
    result = lock_result(result.pk)
    guards.refuse_if_year_closed(result.indicator.plan_id, result.fiscal_year)
    guards.refuse_actor(user, result, action)
    status = next_status(result.status, action)
    guards.refuse_own_decision(user, result, action)
    guards.refuse_unstorable(texts=[(_("Comment"), comment)])
    if action in COMMENTED_ACTIONS and not grading.has_reason(comment):
        raise TransitionRefused(_("Write a comment for the department."))
    own = guards.is_own_decision(user, result, action)
    if own:
        result._change_reason = guards.OWN_DECISION_REASON
    # An approval stands until the next transition; the report flags one given on one's own submission.
    fields = {"status": status, "approved_by_submitter": own and action == Action.APPROVE}
    guards.save_next_version(result, expected_version, user, fields)
    if action in COMMENTED_ACTIONS:
        ResultComment.objects.create(result=result, author=user, kind=COMMENTED_ACTIONS[action], body=comment.strip())
    return result


@transaction.atomic
def review(result: Result, action: str, *, user, expected_version: int, comment: str = "") -> Result:
    """The planning section's approve, return (差戻し) or reopen (承認取消し) of one item, or the
    department head's confirm or return (所属長確認), through transition(). A planning section's
    review then marks the result as reviewed at its new version, so that a later change by the
    department shows as "changed since the last review".

    Side effects: those of transition(), plus reviewed_version/reviewed_at for the planning section's
    (no extra history row). Raises PermissionRefused, TransitionRefused, StaleVersion."""
    if action not in PLANNING_ACTIONS | HEAD_ACTIONS:
        raise TransitionRefused(_("This is not a review action."))
    result = transition(result, action, user=user, expected_version=expected_version, comment=comment)
    if action in PLANNING_ACTIONS:
        Result.objects.filter(pk=result.pk).update(reviewed_version=result.version, reviewed_at=timezone.now())
    return result


@dataclass(frozen=True)
class Refusal:
    """Why one item of a selection was refused: the guard's or the workflow's error (its `message` is
    translated; a StaleVersion carries the result as it is now, for the page to name who changed it)."""

    result: Result
    error: MezasuError


class SelectionRefused(Exception):
    """At least one item of a selection was refused; nothing was changed. `refusals` says which and why."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(f"{len(refusals)} refused")
        self.refusals = refusals


def review_selection(expected_versions: Mapping[int, int], action: str, *, user, comment: str = "") -> list[Result]:
    """Review a selection at once, all or nothing: each item through review() in one transaction.
    `expected_versions` maps result ids to the version the reviewer saw. A return applies the one
    comment to each item.

    Side effects: those of review() for each item, or none at all.
    Raises SelectionRefused listing every refused item (after rolling everything back)."""
    results = {
        result.pk: result for result in Result.objects.filter(pk__in=expected_versions).select_related("indicator")
    }
    reviewed, refusals = [], []
    with transaction.atomic():
        for result_id, version in sorted(expected_versions.items()):  # one lock order for everyone
            result = results.get(result_id)
            if result is None:
                continue
            try:
                reviewed.append(review(result, action, user=user, expected_version=version, comment=comment))
            except MezasuError as error:
                refusals.append(Refusal(result, error))
        if refusals:
            transaction.set_rollback(True)
    if refusals:
        raise SelectionRefused(refusals)
    return reviewed


@transaction.atomic
def add_comment(result: Result, *, user, body: str) -> ResultComment:
    """Add a plain comment to the result's thread (the owning department or the planning section).

    A closed year's thread is read-only: the thread is part of the year's record (the returns and
    reopenings are in it), and a remark on a closed year belongs to the next year's evaluation.

    Side effects: one ResultComment. Raises PermissionRefused, TransitionRefused (a closed year, an
    empty comment)."""
    guards.refuse_comment(user, result)
    guards.refuse_unstorable(texts=[(_("Comment"), body)])
    if not grading.has_reason(body):
        raise TransitionRefused(_("Write a comment."))
    return ResultComment.objects.create(result=result, author=user, kind=CommentKind.COMMENT, body=body.strip())
