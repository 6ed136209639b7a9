"""The department entry page (担当所管課の入力画面): a department's indicators of one fiscal year, their
actuals typed the Japanese way, the grade computed by the server as the user types, drafts and
submission.

Every object is fetched through departments.permissions: another department's page, result or
preview answers 404 and changes nothing. A POST takes only what ResultEntryForm declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from departments.models import Department
from departments.permissions import (
    can_edit_result,
    can_enter_for_department,
    can_view_department,
    can_view_everything,
    entry_department_ids,
)
from evaluation.domain import grading
from evaluation.domain.enums import ActualState, IndicatorKind, ResultStatus, YearStatus
from evaluation.domain.numbers import format_number
from evaluation.domain.workflow import TransitionRefused
from evaluation.forms import Preview, ResultEntryForm, actual_as_typed, stored_preview
from evaluation.models import EvaluationYear, Result, ResultComment, ResultValue
from evaluation.queries.entry import (
    department_evaluation_year,
    department_results,
    latest_return_comments,
    previous_year_values,
)
from evaluation.queries.progress import current_open_year
from evaluation.services import guards
from evaluation.services import results as services

SAVE, SUBMIT_SELECTED, SUBMIT_ALL = "save", "submit_selected", "submit_all"


# Fetching, with the permission check first ------------------------------------------------------


def _department_for_viewing(user, department_id: int) -> Department:
    if not can_view_department(user, department_id):
        raise Http404("not a department of this user")
    return get_object_or_404(Department, pk=department_id)


def _evaluation_year(department: Department, fiscal_year: int) -> EvaluationYear:
    year = department_evaluation_year(department.pk, fiscal_year)
    if year is None:
        raise Http404("no evaluation of this fiscal year")
    return year


def _result_for_entry(user, result_id: int) -> Result:
    values = Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))
    result = get_object_or_404(Result.objects.select_related("indicator__plan").prefetch_related(values), pk=result_id)
    if not can_edit_result(user, result):
        raise Http404("not a result of this user's departments")
    return result


def optional_url(name: str, *args) -> str | None:
    """The URL of a page that may not exist yet in this build (e.g. the entry sheet), else None."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# What the page shows per indicator ---------------------------------------------------------------


@dataclass
class MeasureRow:
    value: ResultValue
    previous: ResultValue | None
    actual: object = None  # BoundField of the actual, None when read-only
    tallying: object = None
    achievement: Decimal | None = None
    grade: str = ""
    message_id: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def original_plan(self) -> str:
        return format_number(self.value.original_plan_value) or self.value.original_plan_text

    @property
    def revised_plan(self) -> str:
        return format_number(self.value.revised_plan_value) or self.value.revised_plan_text

    @property
    def target(self) -> str:
        return format_number(self.value.target_value) or self.value.target_text

    @property
    def achievement_display(self) -> str:
        if self.achievement is None:
            return ""
        return format_number(self.achievement, self.value.result.indicator.plan.achievement_decimals)

    @property
    def actual_display(self) -> str:
        return display_actual(self.value)

    @property
    def previous_display(self) -> str:
        return display_actual(self.previous) if self.previous else ""


@dataclass
class Conflict:
    """What another person saved while this user was typing."""

    user: str
    at: object
    values: list[tuple[str, str]]
    reason: str


@dataclass
class EntryRow:
    result: Result
    form: ResultEntryForm | None
    preview: Preview
    measures: list[MeasureRow]
    return_comment: ResultComment | None = None
    conflict: Conflict | None = None
    row_errors: list[str] = field(default_factory=list)
    reason_errors: list[str] = field(default_factory=list)
    judged_grade_errors: list[str] = field(default_factory=list)

    @property
    def indicator(self):
        return self.result.indicator

    @property
    def anchor(self) -> str:
        return f"result-{self.result.pk}"

    @property
    def is_compound(self) -> bool:
        return len(self.measures) > 1

    @property
    def reason_message_id(self) -> str:
        return self.form.message_id("reason") if self.form else ""

    @property
    def judged_grade_message_id(self) -> str:
        return self.form.message_id("judged_grade") if self.form else ""

    def summary(self) -> list[tuple[str, str]]:
        """(field id to jump to, message) of every problem of the row, for the error summary."""
        problems = []
        first_field = self.measures[0].actual.id_for_label if self.form and self.measures else self.anchor
        for message in self.row_errors:
            problems.append((first_field, message))
        if self.preview.error and self.form is not None and self.form.is_bound:
            problems.append((first_field, self.preview.error))
        if self.conflict:
            problems.append((first_field, _("Someone else saved this item while you were typing.")))
        for measure in self.measures:
            problems += [(measure.actual.id_for_label if measure.actual else self.anchor, m) for m in measure.errors]
        if self.form and "judged_grade" in self.form.fields:
            problems += [(self.form["judged_grade"].id_for_label, m) for m in self.judged_grade_errors]
        if self.form and "reason" in self.form.fields:
            problems += [(self.form["reason"].id_for_label, m) for m in self.reason_errors]
        return problems


def display_actual(value: ResultValue) -> str:
    if value.actual_state == ActualState.TALLYING:
        return str(ActualState.TALLYING.label)
    return actual_as_typed(value)


def _user_name(user) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


def _conflict(current: Result) -> Conflict:
    values = list(current.values.select_related("measure").order_by("measure__label"))
    return Conflict(
        user=_user_name(current.updated_by),
        at=current.updated_at,
        values=[(value.measure.label, display_actual(value) or "ー") for value in values],
        reason=current.reason,
    )


def _build_row(result, *, form, previous, return_comment) -> EntryRow:
    values = list(result.values.all())
    preview = form.preview() if form is not None else stored_preview(result, values)
    measures = []
    for value in values:
        measure = MeasureRow(
            value=value,
            previous=previous.get(value.measure_id),
            achievement=preview.achievements.get(value.pk),
            grade=preview.grades.get(value.pk, ""),
        )
        if form is not None:
            measure.actual = form[form.actual_name(value)]
            measure.tallying = form[form.tallying_name(value)]
            measure.message_id = form.message_id(value)
            if form.is_bound:
                measure.errors = list(form.errors.get(form.actual_name(value), []))
        measures.append(measure)
    row = EntryRow(result=result, form=form, preview=preview, measures=measures, return_comment=return_comment)
    if form is not None and form.is_bound:
        row.reason_errors = list(form.errors.get("reason", []))
        row.judged_grade_errors = list(form.errors.get("judged_grade", []))
        row.row_errors = list(form.non_field_errors()) + list(form.errors.get("version", []))
    return row


def _mark_problems(row: EntryRow) -> None:
    """Tie the reasons a submission was refused to their fields: no value, no judged grade, no reason
    for C or D (services.submission_problems says the same of the stored result)."""
    result = row.result
    for measure in row.measures:
        if measure.value.actual_state == ActualState.EMPTY:
            measure.errors.append(_("Enter the actual, or choose “being tallied”."))
    if result.indicator.is_qualitative and result.judged_grade not in grading.GRADES:
        row.judged_grade_errors.append(_("Choose the grade of this qualitative outcome."))
    if grading.reason_required(result.grade) and not grading.has_reason(result.reason):
        row.reason_errors.append(_("Write the reason for grade %(grade)s.") % {"grade": result.grade})


def _set_invalid(row: EntryRow) -> None:
    """aria-invalid on the inputs that have a problem (also for an unbound form re-shown after a refusal)."""
    if row.form is None:
        return
    for measure in row.measures:
        if measure.errors:
            measure.actual.field.widget.attrs["aria-invalid"] = "true"
    if "reason" in row.form.fields and (row.reason_errors or row.preview.reason_missing):
        row.form.fields["reason"].widget.attrs["aria-invalid"] = "true"
    if "judged_grade" in row.form.fields and row.judged_grade_errors:
        row.form.fields["judged_grade"].widget.attrs["aria-invalid"] = "true"


# The page ----------------------------------------------------------------------------------------


@dataclass
class Progress:
    total: int
    entered: int
    submitted: int
    approved: int

    def _percent(self, count: int) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (Decimal(count) * 100 / Decimal(self.total)).quantize(Decimal("0.1"))

    @property
    def segments(self) -> list[tuple[str, Decimal, Decimal]]:
        """(kind, start %, width %) of the stacked bar: approved, then submitted, then entered."""
        approved, submitted, entered = (self._percent(n) for n in (self.approved, self.submitted, self.entered))
        return [
            ("approved", Decimal(0), approved),
            ("submitted", approved, submitted - approved),
            ("entered", submitted, entered - submitted),
        ]


def _progress(results: list[Result]) -> Progress:
    statuses = [result.status for result in results]
    done = (ResultStatus.SUBMITTED, ResultStatus.APPROVED)
    return Progress(
        total=len(statuses),
        entered=sum(status != ResultStatus.NOT_ENTERED for status in statuses),
        submitted=sum(status in done for status in statuses),
        approved=sum(status == ResultStatus.APPROVED for status in statuses),
    )


def _grouped(rows: list[EntryRow]) -> list[dict]:
    """Pillar → policy area → vision → initiative → rows, in the order of the rows (the sheet's)."""
    pillars: dict[int, dict] = {}
    for row in rows:
        initiative = row.indicator.initiative
        vision = initiative.vision
        area = vision.policy_area
        pillar = pillars.setdefault(area.pillar_id, {"pillar": area.pillar, "areas": {}})
        area_group = pillar["areas"].setdefault(area.pk, {"area": area, "visions": {}})
        vision_group = area_group["visions"].setdefault(vision.pk, {"vision": vision, "initiatives": {}})
        vision_group["initiatives"].setdefault(initiative.pk, {"initiative": initiative, "rows": []})["rows"].append(
            row
        )
    return [
        {
            **pillar,
            "areas": [
                {
                    **area,
                    "visions": [
                        {**vision, "initiatives": list(vision["initiatives"].values())}
                        for vision in area["visions"].values()
                    ],
                }
                for area in pillar["areas"].values()
            ],
        }
        for pillar in pillars.values()
    ]


def _render_page(request, department, year, *, bound=None, conflicts=None, refused=None, page_errors=(), status=200):
    """The department page. `bound` maps result ids to the POST data their form re-shows (what the
    user typed, after a refusal); `conflicts` maps result ids to the current Result of a stale save;
    `refused` holds the ids whose submission was refused."""
    bound, conflicts, refused = bound or {}, conflicts or {}, refused or set()
    user = request.user
    year_open = year.status == YearStatus.OPEN
    results = department_results(year.plan, department.pk, year.fiscal_year)
    previous = previous_year_values(year.plan, department.pk, year.fiscal_year)
    comments = latest_return_comments(results)
    rows = []
    for result in results:
        form = None
        if guards.may_department_change(user, result, year_open=year_open):
            form = ResultEntryForm(result, data=bound[result.pk]) if result.pk in bound else ResultEntryForm(result)
        row = _build_row(
            result,
            form=form,
            previous=previous.get(result.indicator_id, {}),
            return_comment=comments.get(result.pk),
        )
        if result.pk in conflicts:
            row.conflict = _conflict(conflicts[result.pk])
        if result.pk in refused:
            _mark_problems(row)
        _set_invalid(row)
        rows.append(row)

    summary = [(row, target, message) for row in rows for target, message in row.summary()]
    own_departments = list(
        Department.objects.filter(pk__in=entry_department_ids(user), indicators__plan=year.plan)
        .distinct()
        .order_by("name")
    )
    days_left = (year.deadline - timezone.localdate()).days if year.deadline else None
    context = {
        "plan": year.plan,
        "department": department,
        "evaluation_year": year,
        "fiscal_year": year.fiscal_year,
        "year_open": year_open,
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        "progress": _progress(results),
        "pillars": _grouped(rows),
        "editable_count": sum(row.form is not None for row in rows),
        "can_enter": can_enter_for_department(user, department.pk),
        "read_only_view": not can_enter_for_department(user, department.pk),
        "switch_departments": own_departments if len(own_departments) > 1 else [],
        "summary": summary,
        "page_errors": list(page_errors),
        "sheet_download_url": optional_url("entry_sheet_download", department.pk, year.fiscal_year),
        "sheet_upload_url": optional_url("entry_sheet_upload", department.pk, year.fiscal_year),
        "activity": IndicatorKind.ACTIVITY,
    }
    return render(request, "evaluation/entry/department.html", context, status=status)


# Views -------------------------------------------------------------------------------------------


@require_GET
def entry(request):
    """/entry/: the user's (first) department's page for the open fiscal year; the planning section
    and viewers choose a department."""
    year = current_open_year()
    user = request.user
    if year is None:
        return render(request, "evaluation/entry/index.html", {"no_open_year": True})
    own = (
        Department.objects.filter(pk__in=entry_department_ids(user), indicators__plan=year.plan)
        .distinct()
        .order_by("name")
    )
    first = own.first()
    if first is not None:
        return redirect("entry_department", first.pk, year.fiscal_year)
    context = {"plan": year.plan, "evaluation_year": year, "fiscal_year": year.fiscal_year}
    if can_view_everything(user):
        departments = Department.objects.filter(indicators__plan=year.plan)
        context["department_choices"] = departments.distinct().order_by("name")
    return render(request, "evaluation/entry/index.html", context)


@require_GET
def department(request, department_id: int, fiscal_year: int):
    """A department's indicators of the year: editable for its staff, read-only for the planning
    section and viewers."""
    department = _department_for_viewing(request.user, department_id)
    return _render_page(request, department, _evaluation_year(department, fiscal_year))


@require_POST
def department_save(request, department_id: int, fiscal_year: int):
    """一時保存 / 選択した項目を提出 / すべて提出: save every changed row (services.save_draft), then
    submit the chosen rows (services.submit). What was refused is shown again as typed."""
    user = request.user
    if not can_enter_for_department(user, department_id):
        raise Http404("not a department of this user")
    department = get_object_or_404(Department, pk=department_id)
    year = _evaluation_year(department, fiscal_year)
    action = request.POST.get("action", SAVE)
    if action not in (SAVE, SUBMIT_SELECTED, SUBMIT_ALL):
        action = SAVE
    year_open = year.status == YearStatus.OPEN
    data = request.POST.copy()  # a stale row's version is moved to the current one before it is shown again
    editable = [
        result
        for result in department_results(year.plan, department.pk, year.fiscal_year)
        if guards.may_department_change(user, result, year_open=year_open)
    ]
    forms = {result.pk: ResultEntryForm(result, data=data) for result in editable}

    bound: dict[int, object] = {}
    conflicts: dict[int, Result] = {}
    refused: set[int] = set()
    versions: dict[int, int] = {}
    saved = 0
    for result in editable:
        form = forms[result.pk]
        if form.add_prefix("version") not in data or not form.has_changed():
            continue  # not on the user's page (it was read-only there), or nothing typed
        if not form.is_valid():
            bound[result.pk] = data
            continue
        try:
            versions[result.pk] = services.save_draft(result, user=user, **form.draft()).version
            saved += 1
        except guards.StaleVersion as stale:
            conflicts[result.pk] = stale.current
            data[form.add_prefix("version")] = str(stale.current.version)
            bound[result.pk] = data
        except (TransitionRefused, grading.GradingError, guards.PermissionRefused):
            bound[result.pk] = data

    page_errors = []
    submitted = 0
    if action in (SUBMIT_SELECTED, SUBMIT_ALL):
        targets = [
            result
            for result in editable
            if forms[result.pk].add_prefix("version") in data
            and (action == SUBMIT_ALL or data.get(forms[result.pk].add_prefix("selected")))
        ]
        if not targets:
            page_errors.append(_("Select the items to submit."))
        for result in targets:
            form = forms[result.pk]
            if result.pk in bound:
                continue  # its save was refused; its message is on the row
            version = versions.get(result.pk)
            if version is None:
                if not form.is_valid():
                    bound[result.pk] = data
                    continue
                version = form.cleaned_data["version"]
            try:
                services.submit(result, user=user, expected_version=version)
                submitted += 1
            except TransitionRefused:
                refused.add(result.pk)
            except guards.StaleVersion as stale:
                conflicts[result.pk] = stale.current
                data[form.add_prefix("version")] = str(stale.current.version)
                bound[result.pk] = data

    if saved:
        messages.success(request, ngettext("%(count)d item saved.", "%(count)d items saved.", saved) % {"count": saved})
    if submitted:
        messages.success(
            request,
            ngettext("%(count)d item submitted.", "%(count)d items submitted.", submitted) % {"count": submitted},
        )
    if bound or conflicts or refused or page_errors:
        return _render_page(
            request, department, year, bound=bound, conflicts=conflicts, refused=refused, page_errors=page_errors
        )
    if not saved and not submitted:
        messages.info(request, _("Nothing was changed."))
    return redirect("entry_department", department.pk, year.fiscal_year)


@require_POST
def preview(request, result_id: int):
    """htmx: the row's achievement, grade and messages for what the user has typed, computed by the
    server's grading rule on unsaved objects. Nothing is saved."""
    result = _result_for_entry(request.user, result_id)
    form = ResultEntryForm(result, data=request.POST)
    row = _build_row(result, form=form, previous={}, return_comment=None)
    return render(request, "evaluation/entry/_preview.html", {"row": row})
