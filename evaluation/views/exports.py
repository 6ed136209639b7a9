"""The year's results as a file, from the screens (the review queue and the progress board): the
results export of evaluation.workbook.results_export as XLSX or as CSV (UTF-8 with BOM, for Excel), a
row per indicator, or per policy area with ?by=policy-area (its counts per grade and overall grade),
made by a background job (evaluation.job_kinds) whose page offers the file when it is ready.

Who: the planning section and viewers (departments.permissions.can_export_results); department staff
are refused (403) before anything is read, the anonymous are sent to the login page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from departments import permissions
from evaluation.models import Plan
from evaluation.views.params import parse_id
from evaluation.workbook.results_export import BY, BY_INDICATOR
from jobs import services as jobs


def _plan_with_results(request, fiscal_year: int) -> Plan:
    """The plan (?plan=, else the first by name) that has results in the fiscal year; 404 if none."""
    plans = Plan.objects.filter(indicators__results__fiscal_year=fiscal_year).distinct()
    raw = request.GET.get("plan", "").strip()
    if raw:
        plans = plans.filter(pk=plan_id) if (plan_id := parse_id(raw)) else plans.none()
    plan = plans.order_by("name").first()
    if plan is None:
        raise Http404("no results of the plan in that fiscal year")
    return plan


def _export_job(request, fiscal_year: int, fmt: str):
    if not permissions.can_export_results(request.user):
        raise PermissionDenied
    by = request.GET.get("by", BY_INDICATOR)
    if by not in BY:
        return HttpResponseBadRequest("unknown grouping of the results export")
    plan = _plan_with_results(request, fiscal_year)
    parameters = {"plan": plan.pk, "year": fiscal_year}
    if by != BY_INDICATOR:
        parameters["by"] = by
    return redirect(jobs.ask(request.user, f"results_{fmt}", parameters))


@require_POST
def results_xlsx(request, fiscal_year: int):
    """Ask for the plan's results of the fiscal year as an Excel workbook (results-2024.xlsx)."""
    return _export_job(request, fiscal_year, "xlsx")


@require_POST
def results_csv(request, fiscal_year: int):
    """Ask for the plan's results of the fiscal year as CSV, UTF-8 with BOM and CRLF (results-2024.csv)."""
    return _export_job(request, fiscal_year, "csv")
