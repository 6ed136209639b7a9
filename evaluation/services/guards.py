"""Whether a record may change now, and why not: the one module every write path asks.

The entry page and the entry sheet (through the result services), the review, the comments, the
revisions, the regrade, the evaluation year's services, the admin (change, inline, delete) and the
workbook import all ask here, so each rule is written once:

- a closed evaluation year is read-only, whoever asks and by whatever path (`refuse_if_year_closed`);
- an approved item is locked until the planning section reopens it, with a reason, on the record
  (`refuse_if_approved`; the workflow table refuses the department's and the review's actions);
- a department changes only its own items, and only while they are with it (`refuse_actor`,
  `may_department_change`; who belongs where is departments.permissions');
- separation of duties: nobody confirms, approves or returns an item they submitted or last changed,
  unless the plan allows it for a one-person section, and then the decision is flagged
  (`refuse_own_decision`, `is_own_decision`, OWN_DECISION_REASON);
- with the plan's department head's check, a department without a head cannot submit (its items
  would wait for no one: `refuse_if_no_head`);
- a change made on a stale page is refused, and the version moves on one way (`claim_version` in
  the UPDATE's WHERE clause, `save_next_version` for every write of a result, `save_next_versions`
  for the rows of one page's save at once);
- the master data a closed year's record rests on (an indicator's department, direction, kind, unit
  and baseline) cannot change under it, and cannot be deleted (`refuse_indicator_change`,
  `refuse_measure_change`, `may_delete_*`);
- a plan's grading rule changes only through the regrading, which regrades the open years (a closed
  year keeps the rule it was closed with) (`refuse_plan_grading_change`);
- what is stored is what the database holds: no text with a control character, no figure larger or
  finer than its column (`refuse_unstorable`; the forms say it first, at the field).

Each `refuse_*` raises a refusal (a MezasuError with a translated message); each `may_*` answers
yes or no for a page or the admin to show what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.text_input import control_characters, describe_control_characters
from departments import permissions
from departments.enums import Role
from departments.models import Membership
from evaluation.domain import numbers
from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.domain.errors import MezasuError
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.domain.messages import describe
from evaluation.domain.workflow import (
    DECISIONS,
    DEPARTMENT_ACTIONS,
    EDITABLE_BY_DEPARTMENT,
    HEAD_ACTIONS,
    Action,
    TransitionRefused,
)
from evaluation.models import EvaluationYear, Indicator, Measure, Plan, Result
from evaluation.services import scoring

# Fields of the master data that a closed year's printed record depends on.
# The department is not one: each result keeps the department of its year (Result.department), and a
# move never touches a closed year's result (the plan import refuses it there).
INDICATOR_RECORD_FIELDS = frozenset({"direction", "kind", "unit", "baseline_text", "plan"})
MEASURE_RECORD_FIELDS = frozenset({"baseline_value", "indicator"})
PLAN_GRADING_FIELDS = frozenset({"grading_scheme"})


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
        super().__init__(_("This item is approved: reopen it before revising it."))


class RecordInUse(MezasuError):
    """Master data that a closed year's record rests on would change."""


class OwnDecisionRefused(TransitionRefused):
    """Separation of duties: the user submitted or last changed the item, and may not decide on it.
    `part` is SUBMITTED or CHANGED."""

    SUBMITTED, CHANGED = "submitted", "changed"
    MESSAGES = {  # (part, taken as the department's head)
        (SUBMITTED, False): _(
            "You submitted this item, so you cannot approve or return it: another member of the planning "
            "section does (separation of duties)."
        ),
        (CHANGED, False): _(
            "You made the last change to this item, so you cannot approve or return it: another member of "
            "the planning section does (separation of duties)."
        ),
        (SUBMITTED, True): _(
            "You submitted this item, so you cannot confirm or return it as its head: another head of the "
            "department does (separation of duties)."
        ),
        (CHANGED, True): _(
            "You made the last change to this item, so you cannot confirm or return it as its head: another "
            "head of the department does (separation of duties)."
        ),
    }

    def __init__(self, part: str, action: str):
        super().__init__(self.MESSAGES[(part, action in HEAD_ACTIONS)])
        self.part, self.action = part, action


class NoHead(TransitionRefused):
    """The plan asks for the department head's check and the department has no head."""

    def __init__(self, department):
        super().__init__(
            _(
                "This plan asks for the department head's check (所属長確認), but %(department)s has no head: "
                "ask the administrator to add one before submitting."
            )
            % {"department": department.name}
        )


class InputRefused(TransitionRefused):
    """What was typed cannot be stored as it is; the message names the field."""


# What is stored ------------------------------------------------------------------------------------


def refuse_unstorable(
    *,
    texts: Iterable[tuple[str, str | None]] = (),
    lines: Iterable[tuple[str, str | None]] = (),
    figures: Iterable[tuple[str, Decimal | None]] = (),
    refusal: type[MezasuError] = InputRefused,
) -> None:
    """Raise `refusal` (InputRefused, or the calling service's own refusal) for the first text
    (several lines allowed), line (one line) or figure, each given as (its field's label, value), that
    the database cannot keep as it is."""
    for values, multiline in ((texts, True), (lines, False)):
        for label, value in values:
            if value and (found := control_characters(value, multiline=multiline)):
                raise refusal(describe_control_characters(str(label), found))
    for label, figure in figures:
        if figure is not None and (problem := numbers.FIGURE.problem(figure)):
            error = numbers.NumberError(problem, format(figure, "f"))
            raise refusal(f"{label}: {describe(error)}")


# The evaluation year -------------------------------------------------------------------------------


def _closed_years() -> QuerySet:
    return EvaluationYear.objects.filter(status=YearStatus.CLOSED)


def takes_entries(year: EvaluationYear | None) -> bool:
    """The year takes entries: the planning section has opened it and not closed it. A year not yet
    opened takes none, nor does a closed one (its record is read-only)."""
    return year is not None and year.status == YearStatus.OPEN


def is_year_open(plan_id: int, fiscal_year: int) -> bool:
    """takes_entries() for a plan's fiscal year, looked up (one query)."""
    return EvaluationYear.objects.filter(plan_id=plan_id, fiscal_year=fiscal_year, status=YearStatus.OPEN).exists()


def is_year_closed(plan_id: int, fiscal_year: int) -> bool:
    return _closed_years().filter(plan_id=plan_id, fiscal_year=fiscal_year).exists()


def closed_fiscal_years(plan_id: int) -> list[int]:
    """The plan's closed fiscal years, oldest first."""
    return list(_closed_years().filter(plan_id=plan_id).order_by("fiscal_year").values_list("fiscal_year", flat=True))


def refuse_if_year_closed(plan_id: int, fiscal_year: int) -> None:
    """A closed evaluation year is read-only: no save, submission, review, comment, revision, regrade,
    admin edit or import of it, and no change of its deadline."""
    if is_year_closed(plan_id, fiscal_year):
        raise YearClosed(fiscal_year)


# A result --------------------------------------------------------------------------------------------


def in_closed_year() -> Exists:
    """An annotation/filter of Result: its fiscal year of its plan is closed."""
    return Exists(_closed_years().filter(plan_id=OuterRef("indicator__plan_id"), fiscal_year=OuterRef("fiscal_year")))


def is_approved(result: Result) -> bool:
    return result.status == ResultStatus.APPROVED


def refuse_if_approved(result: Result) -> None:
    if is_approved(result):
        raise ItemApproved()


def refuse_result_change(result: Result) -> None:
    """A result's values, targets or grades change only in an open year and while not approved."""
    refuse_if_year_closed(result.indicator.plan_id, result.fiscal_year)
    refuse_if_approved(result)


def may_act(user, result: Result, action: str) -> bool:
    """Department actions are the owning department's staff's; the head's check is its head's;
    review actions are the planning section's."""
    if action in DEPARTMENT_ACTIONS:
        return permissions.can_edit_result(user, result)
    if action in HEAD_ACTIONS:
        return permissions.can_confirm(user, result)
    return permissions.can_approve(user, result)


def refuse_actor(user, result: Result, action: str) -> None:
    if not may_act(user, result, action):
        raise PermissionRefused(action)


def refuse_late_figure(user, result: Result) -> None:
    """確定値の報告, the one change of a closed year: by the owning department, of an approved item
    that still has a sub-item 集計中, once its year is closed (before, the entry page completes it)."""
    if not permissions.can_edit_result(user, result):
        raise PermissionRefused("late figure")
    _refuse_unless_late_figure_item(result)


def refuse_late_figure_review(user, result: Result, *, reported_by_id: int | None = None) -> None:
    """Approving or returning a late figure: the planning section, on a closed year's approved 集計中
    item, and not the person who reported it (separation of duties, unless the plan allows it)."""
    if not permissions.can_approve(user, result):
        raise PermissionRefused("late figure")
    _refuse_unless_late_figure_item(result)
    if reported_by_id == getattr(user, "pk", None) and not result.indicator.plan.allows_own_review:
        raise OwnDecisionRefused(OwnDecisionRefused.SUBMITTED, Action.APPROVE)


def may_report_late_figure(user, result: Result, *, year_closed: bool) -> bool:
    """refuse_late_figure() as a yes or no, for a page to offer the report."""
    return year_closed and permissions.can_edit_result(user, result) and _is_late_figure_item(result)


def _is_late_figure_item(result: Result) -> bool:
    """An approved item with a sub-item in an open state (集計中) of the scheme its year is graded by."""
    if result.status != ResultStatus.APPROVED:
        return False
    waiting = scoring.open_states(result.indicator.plan.scheme_of(result.fiscal_year))
    return result.values.filter(actual_state__in=waiting).exists()


def _refuse_unless_late_figure_item(result: Result) -> None:
    if not is_year_closed(result.indicator.plan_id, result.fiscal_year):
        raise TransitionRefused(_("The year is open: complete the figure on the entry page."))
    if not _is_late_figure_item(result):
        raise TransitionRefused(_("Only an approved item still being tallied (集計中) takes a late figure."))


# Separation of duties -------------------------------------------------------------------------------

# The history_change_reason of a decision a person took on an item they submitted or last changed,
# where the plan allows it (Plan.allows_own_review): the audit trail and the item page flag it.
OWN_DECISION_REASON = "own decision"


def own_part(user, result: Result) -> str:
    """OwnDecisionRefused.SUBMITTED if the user last submitted the item, CHANGED if they made its last
    change (Result.updated_by: an entry, a confirmation, a revision, an edit in the admin), else ""."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return ""
    if result.submitted_by_id == user_id:
        return OwnDecisionRefused.SUBMITTED
    if result.updated_by_id == user_id:
        return OwnDecisionRefused.CHANGED
    return ""


def is_own_decision(user, result: Result, action: str) -> bool:
    """The action decides on a submission (confirm, approve, return) that the user submitted or last changed."""
    return action in DECISIONS and bool(own_part(user, result))


def refuse_own_decision(user, result: Result, action: str) -> None:
    """Nobody confirms, approves or returns an item they submitted or last changed, unless the plan
    allows it for a one-person section (the service then flags the decision: OWN_DECISION_REASON)."""
    if is_own_decision(user, result, action) and not result.indicator.plan.allows_own_review:
        raise OwnDecisionRefused(own_part(user, result), action)


def may_decide(user, result: Result, action: str) -> bool:
    """refuse_own_decision() as a yes or no, for a page to offer the action or say why not."""
    return not is_own_decision(user, result, action) or result.indicator.plan.allows_own_review


# The department head's check --------------------------------------------------------------------------


def refuse_head_check_off(plan: Plan, changed_fields: Iterable[str]) -> None:
    """The head's check is not turned off while an item awaits its head: it would drop out of every
    count (a plan without the check lists no 所属長確認待ち)."""
    if plan.pk is None or "requires_head_check" not in set(changed_fields) or not plan.requires_head_check:
        return  # as stored: only turning it off is refused
    waiting = Result.objects.filter(indicator__plan=plan, status=ResultStatus.AWAITING_HEAD).count()
    if waiting:
        raise RecordInUse(
            ngettext(
                "%(count)s item awaits its department head's check: have it confirmed, returned or withdrawn "
                "before turning the check off.",
                "%(count)s items await their department head's check: have them confirmed, returned or "
                "withdrawn before turning the check off.",
                waiting,
            )
            % {"count": waiting}
        )


def refuse_if_no_head(result: Result) -> None:
    """With the plan's department head's check, a submission needs a head to go to."""
    if not result.indicator.plan.requires_head_check:
        return
    department_id = result.department_id
    heads = Membership.objects.filter(department_id=department_id, role=Role.HEAD, user__is_active=True)
    if not heads.exists():
        raise NoHead(result.department)


def refuse_comment(user, result: Result) -> None:
    """The thread is the owning department's and the planning section's, and part of the year's record:
    a closed year's thread is read-only like the rest of it."""
    if not permissions.can_comment(user, result):
        raise PermissionRefused("comment")
    refuse_if_year_closed(result.indicator.plan_id, result.fiscal_year)


def may_comment(user, result: Result, *, year_closed: bool) -> bool:
    """refuse_comment() as a yes or no, for a page to offer the comment form or not."""
    return not year_closed and permissions.can_comment(user, result)


def may_department_change(user, result: Result, *, year_open: bool) -> bool:
    """The department changes a result's values while the year is open and the item is with it:
    not entered, a draft, or returned (差戻し). Submitted and approved items are read-only to it."""
    return year_open and permissions.can_edit_result(user, result) and result.status in EDITABLE_BY_DEPARTMENT


def may_admin_change_result(result: Result | None) -> bool:
    """The admin changes no approved result and nothing of a closed year (None: the list or an add)."""
    if result is None:
        return True
    return not is_approved(result) and not is_year_closed(result.indicator.plan_id, result.fiscal_year)


def results_admin_may_change(results: QuerySet) -> QuerySet:
    """`results` without the approved ones and those of a closed year (what the admin may attach to)."""
    return results.exclude(status=ResultStatus.APPROVED).exclude(in_closed_year())


# The version ----------------------------------------------------------------------------------------


def claim_version(result: Result, expected_version: int) -> None:
    """Move the result's version on only if nobody saved since `expected_version`, else StaleVersion.

    The check is in the UPDATE's WHERE clause, so two processes can never both win."""
    claimed = Result.objects.filter(pk=result.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise StaleVersion(Result.objects.select_related("updated_by").get(pk=result.pk))


def save_next_version(result: Result, expected_version: int, user, fields: Mapping[str, object]) -> None:
    """Write `fields` and the next version, if nobody saved since `expected_version` (claim_version),
    so that every page opened before refuses to overwrite the change. The one way a result's version
    moves. Side effects: the result's fields, version, updated_by/at; one history row (with the
    user, and the caller's `_change_reason` if it set one)."""
    claim_version(result, expected_version)
    for name, value in fields.items():
        setattr(result, name, value)
    result.version, result.updated_by = expected_version + 1, user
    result._history_user = user
    result.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def save_next_versions(changes: Mapping[Result, Mapping[str, object]], expected: Mapping[int, int], user) -> None:
    """save_next_version() for several results at once, which the caller has locked for its transaction
    (select_for_update) and checked against the `expected` versions (StaleVersion otherwise): each
    result's fields and its next version in one UPDATE, whose WHERE clause holds every expected
    version, so that two processes can never both win; one history row each (with the user), in one
    INSERT. The fields are the same for every result. Raises StaleVersion if a version moved under the
    lock (then the caller's transaction, and everything in it, is rolled back)."""
    if not changes:
        return
    results = list(changes)
    names = list(next(iter(changes.values())))
    now = timezone.now()
    for result in results:
        for name, value in changes[result].items():
            setattr(result, name, value)
        result.version, result.updated_by, result.updated_at = expected[result.pk] + 1, user, now
    claimed = Case(*(When(pk=result.pk, then=Value(expected[result.pk])) for result in results))
    written = Result.objects.filter(version=claimed).bulk_update(
        results, [*names, "version", "updated_by", "updated_at"]
    )
    if written != len(results):
        moved = Result.objects.filter(pk__in=[result.pk for result in results]).exclude(version=claimed)
        raise StaleVersion(moved.select_related("updated_by").first())
    Result.history.bulk_history_create(results, update=True, default_user=user, default_change_reason=None)


# The master data a closed year rests on --------------------------------------------------------------


def _record_in_use(code: str, fiscal_year: int) -> RecordInUse:
    return RecordInUse(
        _("%(code)s: the evaluation of %(year)s is closed and shows it as it is; it cannot change now.")
        % {"code": code, "year": display_fiscal_year(fiscal_year)}
    )


def indicator_closed_years(indicator_id: int) -> list[int]:
    """The closed fiscal years that hold a result of the indicator (its record there is printed), oldest first."""
    results = Result.objects.filter(indicator_id=indicator_id).filter(in_closed_year())
    return sorted(set(results.values_list("fiscal_year", flat=True)))


def refuse_indicator_change(indicator: Indicator, changed_fields: Iterable[str]) -> None:
    """An indicator's direction, kind, unit, baseline or plan cannot change while a closed year's record
    shows it (a later plan year starts its own record). Its department may: it is the current one,
    for new years; each result keeps the department of its own year."""
    if indicator.pk is None or not set(changed_fields) & INDICATOR_RECORD_FIELDS:
        return
    years = indicator_closed_years(indicator.pk)
    if years:
        raise _record_in_use(indicator.code, years[-1])


def refuse_department_move(indicator: Indicator, department) -> None:
    """An indicator moved to another department (the admin) takes its results of the years not closed
    with it; an approved one keeps its department until the planning section reopens it (as in the
    plan import). A closed year's result never moves: it is not asked here."""
    if indicator.pk is None or department is None:
        return
    approved = (
        Result.objects.filter(indicator=indicator, status=ResultStatus.APPROVED)
        .exclude(department=department)
        .exclude(in_closed_year())
        .order_by("fiscal_year")
        .first()
    )
    if approved is not None:
        raise RecordInUse(
            _("%(code)s: its result of %(year)s is approved and keeps its department; reopen it first.")
            % {"code": indicator.code, "year": display_fiscal_year(approved.fiscal_year)}
        )


def refuse_measure_change(measure: Measure, changed_fields: Iterable[str]) -> None:
    """A measure's baseline cannot change, nor the measure move, while a closed year's record shows it."""
    if measure.pk is None or not set(changed_fields) & MEASURE_RECORD_FIELDS:
        return
    indicator = Indicator.objects.only("code").get(measures=measure.pk)  # as saved, whatever the form says
    years = indicator_closed_years(indicator.pk)
    if years:
        raise _record_in_use(indicator.code, years[-1])


def refuse_plan_grading_change(plan: Plan, changed_fields: Iterable[str]) -> None:
    """A plan's grading rule changes only through the regrading (services.regrading.apply_regrading):
    its preview shows the grades that would change in the open years, and applying regrades them on
    the record. Changed anywhere else (the admin, a workbook import) the open years' grades would no
    longer follow the rule. Closed years do not stand in the way: each keeps the rule it was closed
    with (EvaluationYear's snapshot), so its grades and its printed ※1 stay. A new plan takes any rule."""
    if plan.pk is None or not set(changed_fields) & PLAN_GRADING_FIELDS:
        return
    raise RecordInUse(
        _(
            "Change the grading rule on the evaluation years page (Grading rule): it previews the grades "
            "that would change in the open years and regrades them on the record."
        )
    )


def refuse_plan_change(plan: Plan, changed_fields: Iterable[str]) -> None:
    """Every rule of a plan's change in the admin: its grading rule and its head's check."""
    changed_fields = set(changed_fields)
    refuse_plan_grading_change(plan, changed_fields)
    refuse_head_check_off(plan, changed_fields)


def _any_locked(results: QuerySet) -> bool:
    return results.filter(Q(status=ResultStatus.APPROVED) | Q(in_closed_year())).exists()


def may_delete_indicators(indicators: QuerySet) -> bool:
    """Indicators (and what holds them: a pillar … an initiative) may be deleted only if none has an
    approved result or one that a closed year shows: the delete would take the record with it."""
    return not _any_locked(Result.objects.filter(indicator__in=indicators))


def may_delete_measure(measure: Measure) -> bool:
    """A measure takes its values with it: not those of an approved result nor of a closed year."""
    return not _any_locked(Result.objects.filter(values__measure=measure))


def refuse_measure_delete(measure: Measure) -> None:
    if not may_delete_measure(measure):
        raise RecordInUse(
            _("%(code)s: an approved item or a closed year's record holds this sub-item; it cannot be deleted.")
            % {"code": Indicator.objects.values_list("code", flat=True).get(measures=measure.pk)}
        )


def may_delete_plan(plan: Plan) -> bool:
    """A plan with a closed year is that year's record; one with an approved result is locked."""
    return not closed_fiscal_years(plan.pk) and may_delete_indicators(Indicator.objects.filter(plan=plan))


def may_change_year(year: EvaluationYear | None) -> bool:
    """A closed evaluation year is not changed nor deleted in the admin (it is reopened nowhere)."""
    return year is None or year.status != YearStatus.CLOSED
