"""The report as a whole, for a page, a download or a command: its context (the sheet of every policy
area) and the file made of it (PDF, Excel book, standalone HTML)."""

from __future__ import annotations

from collections.abc import Iterable

from evaluation.domain.enums import YearStatus
from evaluation.models import EvaluationYear, Plan
from evaluation.queries.report import report_data
from evaluation.report.sheet import build_sheet
from evaluation.report.sheet_parts import Sheet
from evaluation.report.summary import report_summary

FORMATS = ("pdf", "xlsx", "html")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def report_sheet(
    plan: Plan, fiscal_year: int, *, label: str = "", department_ids: Iterable[int] | None = None
) -> Sheet:
    """The printed sheet of the plan's year: provisional (暫定) until the year is closed."""
    data = report_data(plan, fiscal_year, department_ids=department_ids)
    year = EvaluationYear.objects.filter(plan=plan, fiscal_year=fiscal_year).first()  # one query for both
    if year is not None:
        year.plan = plan
    closed = year is not None and year.status == YearStatus.CLOSED
    rule = year.scheme if year is not None else plan.scheme  # a closed year's snapshot
    return build_sheet(data, label=label, closed=closed, rule=rule)


def report_context(
    plan: Plan, fiscal_year: int, *, label: str = "", department_ids: Iterable[int] | None = None
) -> dict:
    """What the page and the files print: the sheet of every policy area and the summary."""
    ids = set(department_ids) if department_ids is not None else None
    sheet = report_sheet(plan, fiscal_year, label=label, department_ids=ids)
    return {
        "sheet": sheet,
        "summary": report_summary(plan, fiscal_year, department_ids=ids, scheme=sheet.scheme),
    }


def render_report(context: dict, fmt: str, *, on_progress=None) -> bytes:
    """The report file in `fmt` (one of FORMATS) of a report_context(); for a PDF, `on_progress` hears
    of each page laid out (evaluation.report.pdf.render_pdf)."""
    sheet = context["sheet"]
    if fmt == "pdf":
        from evaluation.report.pdf import render_pdf

        return render_pdf(context, on_progress=on_progress)
    if fmt == "xlsx":
        from evaluation.report.xlsx import render_xlsx

        return render_xlsx(sheet)
    if fmt == "html":
        from evaluation.report.pdf import standalone_html

        return standalone_html(context).encode("utf-8")
    raise ValueError(f"unknown report format: {fmt}")
