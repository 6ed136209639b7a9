"""The evaluation report: the page (screen and print), its PDF and its Excel book, for a plan and a
fiscal year (?plan=&year=&label=). The planning section and viewers see the whole plan; department
staff see their own items until the year is closed and the whole report after.

The PDF and the book are made by background jobs (evaluation.job_kinds): the whole plan's PDF takes
minutes at 2,500 indicators. Asking (a POST) puts the job on the queue and opens its page, with the
progress bar and then the file (jobs.views)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from departments import permissions
from evaluation.job_kinds import report_parameters
from evaluation.models import Plan
from evaluation.queries.home import result_years
from evaluation.report.document import report_context
from evaluation.services import guards
from evaluation.views.home import _choose
from jobs import services as jobs

LABEL_MAX = 40


@dataclass(frozen=True)
class ReportChoice:
    plan: Plan
    plans: list[Plan]
    years: list[int]
    fiscal_year: int
    closed: bool
    label: str
    department_ids: set[int] | None  # None: the whole plan


def _choice(request) -> ReportChoice:
    """The plan (?plan=), year (?year=, the latest with results) and label (?label=) asked for, and
    what of it the user may see. 404 for an unknown plan or year, 403 for someone who sees no plan."""
    if not permissions.can_view_report(request.user):
        raise PermissionDenied
    plans = {plan.pk: plan for plan in Plan.objects.order_by("name")}
    if not plans:
        raise Http404("no plan")
    plan = _choose(request, "plan", plans) or next(iter(plans.values()))
    years = result_years(plan)
    if not years:
        raise Http404("no results")
    fiscal_year = _choose(request, "year", {year: year for year in years}) or years[0]
    closed = guards.is_year_closed(plan.pk, fiscal_year)
    whole = permissions.can_view_whole_report(request.user, year_closed=closed)
    return ReportChoice(
        plan=plan,
        plans=list(plans.values()),
        years=years,
        fiscal_year=fiscal_year,
        closed=closed,
        label=request.GET.get("label", "").strip()[:LABEL_MAX],
        department_ids=None if whole else permissions.own_department_ids(request.user),
    )


def _context(choice: ReportChoice) -> dict:
    return report_context(choice.plan, choice.fiscal_year, label=choice.label, department_ids=choice.department_ids)


@require_safe
def report(request):
    """The report page: the sheet of every policy area, with the choice of plan, year and label, the
    print button and the downloads."""
    choice = _choice(request)
    context = {
        **_context(choice),
        "choice": choice,
        "plan": choice.plan,
        "own_items_only": choice.department_ids is not None,
        "query": request.GET.urlencode(),
    }
    return render(request, "evaluation/report/report.html", context)


def _report_job(request, fmt: str):
    """The job making the report in `fmt` for what the user may see (the same one if still under way)."""
    choice = _choice(request)
    parameters = report_parameters(choice.plan, choice.fiscal_year, choice.label, choice.department_ids)
    return redirect(jobs.ask(request.user, f"report_{fmt}", parameters))


@require_POST
def report_pdf(request):
    """Ask for the report as a PDF made on the server (A4 landscape, fonts embedded, tagged)."""
    return _report_job(request, "pdf")


@require_POST
def report_xlsx(request):
    """Ask for the report as an Excel book, one sheet per policy area, for a planning section that edits it."""
    return _report_job(request, "xlsx")
