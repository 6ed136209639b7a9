"""The department entry page (担当所管課の入力画面): a department's indicators of one fiscal year, their
actuals typed the Japanese way, the grade computed by the server as the user types, drafts and
submission. The department's head (所属長) reads it too, with the items awaiting their check listed
first, each linked to its page where the head confirms or returns it.

Every object is fetched through departments.permissions: another department's page, result or
preview answers 404 and changes nothing. A POST takes only what ResultEntryForm declares; the save
itself is evaluation.services.department_entry, and what the page shows per row is entry_rows.

Nothing typed is lost: a row the save could not take (someone saved it first, it was submitted or
approved in the meantime, the year was closed) is shown again with what was typed and why. Before
a save the page's script (static/js/entry.js) keeps the unsaved values in the tab's sessionStorage
with a token; the page after the save carries the token back (`handled_token`), and a page that
comes without it (the session had ended: the save went to the login page instead) puts the values
back, with a notice. A GET on the save URL (the login's `next`) goes to the page.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from config.http import page, post_only
from departments.models import Department
from departments.permissions import (
    can_edit_result,
    can_enter_for_department,
    can_view_department,
    can_view_everything,
    head_department_ids,
    own_department_ids,
)
from evaluation import notices
from evaluation.domain.enums import ResultStatus
from evaluation.forms import (
    ResultEntryForm,
    row_changed,
    row_prefix,
    row_selected,
    rows_maybe_changed,
    rows_selected,
)
from evaluation.models import EvaluationYear, Result, ResultValue
from evaluation.queries.entry import (
    department_evaluation_year,
    entry_page_results,
    latest_return_comments,
    plan_departments,
    previous_year_values,
)
from evaluation.queries.progress import current_open_year
from evaluation.services import department_entry, guards
from evaluation.services.department_entry import EntryReport, PageAction
from evaluation.views.entry_rows import build_row, grouped, page_rows, progress_of, reason_rule

# The save's token, as entry.js makes it (crypto.randomUUID, or its fallback): anything else is ignored.
STASH_TOKEN = re.compile(r"[A-Za-z0-9-]{8,64}")
HANDLED_TOKEN_KEY = "entry_handled_token"

# Fetching, with the permission check first ------------------------------------------------------


def _department_for_viewing(user, department_id: int) -> Department:
    if not can_view_department(user, department_id):
        raise Http404("not a department of this user")
    return get_object_or_404(Department, pk=department_id)


def _department_for_entry(user, department_id: int) -> Department:
    if not can_enter_for_department(user, department_id):
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


# The page ----------------------------------------------------------------------------------------


def _render_page(
    request,
    department: Department,
    year: EvaluationYear,
    *,
    typed=None,
    report: EntryReport | None = None,
    handled_token: str = "",
):
    """The department page; after a save, the rows its `report` refused are shown again as `typed`.
    `handled_token` is the token of the save that was just handled (see the module's docstring)."""
    user = request.user
    results = entry_page_results(year.plan, department.pk, year.fiscal_year)
    rows = page_rows(
        user,
        year,
        results,
        previous=previous_year_values(year.plan, department.pk, year.fiscal_year),
        comments=latest_return_comments(results),
        typed=typed,
        report=report,
    )
    own_departments = plan_departments(year.plan, own_department_ids(user))
    days_left = (year.deadline - timezone.localdate()).days if year.deadline else None
    can_enter = can_enter_for_department(user, department.pk)
    is_head = department.pk in head_department_ids(user)
    scheme = year.scheme  # the shown year's: a closed year's is the one it was closed with
    context = {
        "plan": year.plan,
        "department": department,
        "evaluation_year": year,
        "fiscal_year": year.fiscal_year,
        "year_open": guards.takes_entries(year),
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        "progress": progress_of(results),
        "pillars": grouped(rows),
        "editable_count": sum(row.inputs is not None for row in rows),
        "can_enter": can_enter,
        "read_only_view": not can_enter and not is_head,
        "is_head": is_head,
        "awaiting_head": [result for result in results if result.status == ResultStatus.AWAITING_HEAD],
        "head_check": year.plan.requires_head_check,
        "scheme": scheme,  # the grade legend's
        "reason_rule": reason_rule(scheme),
        "switch_departments": own_departments if len(own_departments) > 1 else [],
        "summary": [(row, target, message) for row in rows for target, message in row.summary()],
        "page_errors": [_("Select the items to submit.")] if report and report.nothing_selected else [],
        "sheet_download_url": reverse("entry_sheet_download", args=[department.pk, year.fiscal_year]),
        "sheet_upload_url": reverse("entry_sheet_upload", args=[department.pk, year.fiscal_year]),
        "page_url": reverse("entry_department", args=[department.pk, year.fiscal_year]),
        "stash_key": f"mezasu-entry:{user.pk}:{department.pk}:{year.fiscal_year}",
        "handled_token": handled_token,
    }
    return render(request, "evaluation/entry/department.html", context)


def _stash_token(request) -> str:
    token = request.POST.get("stash_token", "")
    return token if STASH_TOKEN.fullmatch(token) else ""


def _announce(request, report: EntryReport) -> None:
    """Say how many rows were saved and submitted (what was refused, the page shows on its rows)."""
    if saved := report.saved_count:
        messages.success(request, ngettext("%(count)d item saved.", "%(count)d items saved.", saved) % {"count": saved})
    if submitted := report.submitted_count:
        messages.success(
            request,
            ngettext("%(count)d item submitted.", "%(count)d items submitted.", submitted) % {"count": submitted},
        )


def _rows_to_read(data, action: str) -> set[int] | None:
    """The rows a save reads from the database (None: all of the department's): those the POST may
    have changed and, for 選択した項目を提出, those it selects."""
    if action == PageAction.SUBMIT_ALL:
        return None
    return rows_maybe_changed(data) | (rows_selected(data) if action == PageAction.SUBMIT_SELECTED else set())


def _takes_row(user, result, data, action: str, scheme) -> bool:
    """Whether the save reads the row's form: a row of the department the user enters for that the
    page sent (its version came back) and that the user changed, or that the action submits. Also
    one submitted, approved or closed since the page was shown: the save says why it cannot take
    what was typed in it, instead of dropping it. An untouched row that is not submitted is neither
    validated nor written."""
    if not can_edit_result(user, result) or f"{row_prefix(result)}-version" not in data:
        return False
    if action == PageAction.SUBMIT_ALL or (action == PageAction.SUBMIT_SELECTED and row_selected(result, data)):
        return True
    return row_changed(result, data, scheme)


# Views -------------------------------------------------------------------------------------------


@require_GET
def entry(request):
    """/entry/: the user's (first) department's page for the open fiscal year (as its staff or its
    head); the planning section and viewers choose a department."""
    year = current_open_year()
    if year is None:
        return render(request, "evaluation/entry/index.html", {"no_open_year": True})
    own = plan_departments(year.plan, own_department_ids(request.user))
    if own:
        return redirect("entry_department", own[0].pk, year.fiscal_year)
    context = {"plan": year.plan, "evaluation_year": year, "fiscal_year": year.fiscal_year}
    if can_view_everything(request.user):
        context["department_choices"] = plan_departments(year.plan)
    return render(request, "evaluation/entry/index.html", context)


@require_GET
def department(request, department_id: int, fiscal_year: int):
    """A department's indicators of the year: editable for its staff, read-only for the planning
    section and viewers."""
    department = _department_for_viewing(request.user, department_id)
    handled_token = request.session.pop(HANDLED_TOKEN_KEY, "")
    return _render_page(request, department, _evaluation_year(department, fiscal_year), handled_token=handled_token)


@post_only(page("entry_department", "department_id", "fiscal_year"))
def department_save(request, department_id: int, fiscal_year: int):
    """一時保存 / 選択した項目を提出 / すべて提出: department_entry.save_entries saves every changed row,
    then submits the chosen ones. What was refused is shown again as typed, with why."""
    user = request.user
    department = _department_for_entry(user, department_id)
    year = _evaluation_year(department, fiscal_year)
    action = request.POST.get("action", PageAction.SAVE)
    scheme = year.scheme  # once for every row: the year's (a save is taken only while it is open)
    rows = [
        ResultEntryForm(result, data=request.POST, scheme=scheme).row_input()
        for result in entry_page_results(
            year.plan, department.pk, year.fiscal_year, result_ids=_rows_to_read(request.POST, action)
        )
        if _takes_row(user, result, request.POST, action, scheme)
    ]
    report = department_entry.save_entries(user, department, year, rows, action)
    _announce(request, report)
    if report.submitted_count:
        submitted = (outcome.result_id for outcome in report.rows.values() if outcome.submitted)
        notices.notify(request, notices.events_for(notices.SUBMITTED, submitted))
    token = _stash_token(request)
    if not report.all_done:
        return _render_page(request, department, year, typed=request.POST, report=report, handled_token=token)
    if not report.saved_count and not report.submitted_count:
        messages.info(request, _("Nothing was changed."))
    if token:
        request.session[HANDLED_TOKEN_KEY] = token
    return redirect("entry_department", department.pk, year.fiscal_year)


@post_only(page("entry"))
def preview(request, result_id: int):
    """htmx: the row's achievement, grade and messages for what the user has typed, computed by the
    server's grading rule on unsaved objects. Nothing is saved."""
    result = _result_for_entry(request.user, result_id)
    form = ResultEntryForm(result, data=request.POST)
    row = build_row(result, editable=True, form=form, previous={}, return_comment=None)
    return render(request, "evaluation/entry/_preview.html", {"row": row})
