"""The evaluation's long work as background jobs (the jobs app runs them): the report as a PDF and as
an Excel book, the year's results export as XLSX and CSV, and a large audit trail as CSV. Registered at
start-up (evaluation.apps); the views ask for them (evaluation.views.report, .exports, .audit).

The parameters are fixed when the person asks, with their permissions already applied (a department's
staff get their departments' items only until the year is closed); the file the job makes is the same
bytes as the direct rendering of the same report or export (render_report, write_results)."""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import asdict

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from departments import permissions
from evaluation import display
from evaluation.models import Plan
from evaluation.queries.audit import AuditFilters, audit_rows
from evaluation.report.document import CONTENT_TYPES as REPORT_CONTENT_TYPES
from evaluation.report.document import render_report, report_context
from evaluation.report.sheet_parts import ROWS_OF_A_PAGE
from evaluation.workbook import audit_export, results_export
from jobs.enums import JobStep
from jobs.kinds import JobKind, JobRefused, MadeFile, Progress, register

PLAN_GONE = _("The plan of this file no longer exists.")
# Pages of the summary before the sheets: its first page, a page per pillar, the list of C and D items.
SUMMARY_PAGES = 2


def _plan(parameters: dict) -> Plan:
    plan = Plan.objects.filter(pk=parameters["plan"]).first()
    if plan is None:
        raise JobRefused(PLAN_GONE)
    return plan


def report_parameters(plan: Plan, fiscal_year: int, label: str, department_ids) -> dict:
    """A report job's parameters: `department_ids` None for the whole plan, else the ids it is limited to."""
    return {
        "plan": plan.pk,
        "year": fiscal_year,
        "label": label,
        "departments": sorted(department_ids) if department_ids is not None else None,
    }


def report_filename(fiscal_year: int, fmt: str) -> str:
    return f"評価シート_{display.sheet_year(fiscal_year)}.{fmt}"


def estimated_pages(context: dict) -> int:
    """The report's printed pages, roughly (the sheets' rows a page holds, the summary's pages): the
    progress bar's length before WeasyPrint has laid the pages out."""
    rows = sum(
        initiative.row_count
        for area in context["sheet"].areas
        for vision in area.visions
        for initiative in vision.initiatives
    )
    summary = context.get("summary")
    summary_pages = SUMMARY_PAGES + len(summary.pillars) if summary is not None else 0
    return max(1, summary_pages + math.ceil(rows / ROWS_OF_A_PAGE))


def _report_context(parameters: dict, progress: Progress) -> dict:
    progress.report(JobStep.READING)
    departments = parameters["departments"]
    return report_context(
        _plan(parameters),
        parameters["year"],
        label=parameters["label"],
        department_ids=set(departments) if departments is not None else None,
    )


def run_report_pdf(parameters: dict, progress: Progress) -> MadeFile:
    context = _report_context(parameters, progress)
    estimate = estimated_pages(context)
    progress.report(JobStep.PREPARING, 0, estimate)
    laid_out = 0

    def on_progress(stage: str, page: int) -> None:
        nonlocal laid_out
        if stage == "page" and page > laid_out:  # WeasyPrint lays pages out again when counters change
            laid_out = page
            progress.report(JobStep.LAYING_OUT, page, max(estimate, page))
        elif stage == "pdf":
            progress.report(JobStep.WRITING, laid_out, laid_out)

    content = render_report(context, "pdf", on_progress=on_progress)
    return MadeFile(content, report_filename(parameters["year"], "pdf"), REPORT_CONTENT_TYPES["pdf"])


def run_report_xlsx(parameters: dict, progress: Progress) -> MadeFile:
    context = _report_context(parameters, progress)
    progress.report(JobStep.WRITING)
    content = render_report(context, "xlsx")
    return MadeFile(content, report_filename(parameters["year"], "xlsx"), REPORT_CONTENT_TYPES["xlsx"])


def _results_runner(fmt: str):
    def run(parameters: dict, progress: Progress) -> MadeFile:
        plan = _plan(parameters)
        progress.report(JobStep.WRITING)
        stream = io.BytesIO()
        by = parameters.get("by", results_export.BY_INDICATOR)
        results_export.write_results(plan, parameters["year"], fmt, stream, by=by)
        return MadeFile(
            stream.getvalue(),
            results_export.results_filename(parameters["year"], fmt, by),
            results_export.CONTENT_TYPES[fmt],
        )

    return run


def audit_parameters(filters: AuditFilters) -> dict:
    return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in asdict(filters).items()}


def _audit_filters(parameters: dict) -> AuditFilters:
    dates = {
        key: dt.date.fromisoformat(parameters[key]) if parameters[key] else None for key in ("date_from", "date_to")
    }
    return AuditFilters(**{**parameters, **dates})


def run_audit_csv(parameters: dict, progress: Progress) -> MadeFile:
    """The audit trail's CSV (the same chunks the streamed download sends), rows written of the total."""
    filters = _audit_filters(parameters)
    total = audit_rows(filters).count()
    progress.report(JobStep.ROWS, 0, total)
    chunks = []
    for index, chunk in enumerate(audit_export.export_csv(filters)):
        chunks.append(chunk)
        progress.report(JobStep.ROWS, min(total, index * audit_export.CSV_CHUNK), total)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return MadeFile("".join(chunks).encode("utf-8"), f"audit-trail-{stamp}.csv", "text/csv; charset=utf-8")


def _describe_audit(parameters: dict) -> str:
    return " – ".join(filter(None, (parameters["date_from"], parameters["date_to"])))


def _audit_page(parameters: dict) -> str:
    query = {key: value for key, value in parameters.items() if value}
    return f"{reverse('audit_trail')}?{urlencode(query)}" if query else reverse("audit_trail")


def _describe(parameters: dict) -> str:
    parts = [display.fiscal_year(parameters["year"])]
    if parameters.get("label"):
        parts.append(parameters["label"])
    if parameters.get("departments") is not None:
        parts.append(str(_("your departments' items")))
    if parameters.get("by") == results_export.BY_POLICY_AREA:
        parts.append(str(_("per policy area")))
    return " ".join(parts)


def _report_page(parameters: dict) -> str:
    query = {"plan": parameters["plan"], "year": parameters["year"]}
    if parameters.get("label"):
        query["label"] = parameters["label"]
    return f"{reverse('report')}?{urlencode(query)}"


def _progress_board(parameters: dict) -> str:
    return reverse("progress_board", args=[parameters["year"]])


def register_kinds() -> None:
    for fmt, label, runner in (
        ("pdf", _("Evaluation report (PDF)"), run_report_pdf),
        ("xlsx", _("Evaluation report (Excel)"), run_report_xlsx),
    ):
        register(
            JobKind(
                name=f"report_{fmt}",
                label=label,
                run=runner,
                allowed=permissions.can_view_report,
                describe=_describe,
                back_url=_report_page,
                back_label=_("Back to the evaluation report"),
            )
        )
    for fmt, label in (("xlsx", _("Results export (Excel)")), ("csv", _("Results export (CSV)"))):
        register(
            JobKind(
                name=f"results_{fmt}",
                label=label,
                run=_results_runner(fmt),
                allowed=permissions.can_export_results,
                describe=_describe,
                back_url=_progress_board,
                back_label=_("Back to the progress board"),
            )
        )
    register(
        JobKind(
            name="audit_csv",
            label=_("Audit trail (CSV)"),
            run=run_audit_csv,
            allowed=permissions.can_view_audit,
            describe=_describe_audit,
            back_url=_audit_page,
            back_label=_("Back to the audit trail"),
        )
    )
