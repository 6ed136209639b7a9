"""The plan workbook for django-import-export, a thin adapter: the admin's import (preview, then
confirm) runs the one importer (workbook/plan_import.py) on rows read by the one reader
(workbook/reader.py), and the export writes the rows of workbook/plan_export.py.

django-import-export's own row machinery (instance loaders, per-row saves, bulk modes) is not used:
its loaders match on one key field only (see STACK.md's traps), and our import must be all or nothing.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from evaluation.models import Plan
from evaluation.workbook.cells import clean_cell
from evaluation.workbook.limits import FileKind
from evaluation.workbook.plan_columns import FIRST_DATA_ROW, PLAN_COLUMNS
from evaluation.workbook.plan_export import workbook_rows
from evaluation.workbook.plan_import import CREATED, UPDATED, ImportRefused, import_plan_rows
from evaluation.workbook.reader import read_workbook

# The columns shown in the admin's preview and error table (and, last, what changes).
PREVIEW_COLUMNS = ["年度", "指標ID", "小項目", "種別", "指標名", "担当所管課", "目標", "実績"]
_IMPORT_TYPES = {CREATED: RowResult.IMPORT_TYPE_NEW, UPDATED: RowResult.IMPORT_TYPE_UPDATE}


class PlanWorkbookResource(resources.Resource):
    """Import and export of the plan workbook (shared/data/FORMAT.md).

    Import: the dataset's rows go to plan_import.import_plan_rows, whose report becomes the admin's
    preview (each row new, update or skip, with what changes) and whose ImportRefused becomes the
    admin's table of invalid rows. Export: `export(plans)` gives a Dataset with exactly the workbook's
    columns, numbers as plain numbers, text cells guarded against formulas.
    """

    def __init__(self, fiscal_years: Iterable[int] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.fiscal_years = set(fiscal_years) if fiscal_years else None

    @classmethod
    def get_display_name(cls):
        return _("Plan workbook")

    def get_user_visible_fields(self):
        # Listed on the admin's import and export pages as the columns the file has.
        return [Field(attribute=None, column_name=column) for column in PLAN_COLUMNS]

    def get_export_headers(self, selected_fields=None):
        return list(PLAN_COLUMNS)

    # Import ----------------------------------------------------------------------------------------

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Validate and apply the whole dataset through the importer (rolled back when `dry_run`)."""
        rows = getattr(dataset, "workbook_rows", None) or dataset_rows(dataset)
        return import_result(rows, dry_run=dry_run, user=kwargs.get("user"))

    # Export ----------------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        """The workbook of the given plans (all plans when None), for the resource's fiscal years."""
        plans = queryset if queryset is not None else Plan.objects.all()
        dataset = tablib.Dataset(headers=list(PLAN_COLUMNS))
        for plan in plans:
            for row in workbook_rows(plan, self.fiscal_years):
                dataset.append([row[column] for column in PLAN_COLUMNS])
        return dataset


def import_result(rows: list[dict[str, str]], *, dry_run: bool, user=None, progress=None) -> Result:
    """The importer's report on `rows` as django-import-export's result (the admin's preview): each row
    new, update or skip with what changes, or, when the file is refused, its table of invalid rows."""
    result = Result()
    result.diff_headers = [*PREVIEW_COLUMNS, _("Changes")]
    result.total_rows = len(rows)
    try:
        report = import_plan_rows(rows, dry_run=dry_run, user=user, progress=progress)
    except ImportRefused as refused:
        _add_invalid_rows(result, rows, refused)
        return result
    result.report = report
    for outcome in report.rows:
        row_result = RowResult()
        row_result.import_type = _IMPORT_TYPES.get(outcome.action, RowResult.IMPORT_TYPE_SKIP)
        raw = rows[outcome.row - FIRST_DATA_ROW]
        row_result.diff = [raw.get(column, "") for column in PREVIEW_COLUMNS] + ["\n".join(outcome.changes)]
        row_result.row_values = raw
        row_result.number = outcome.row  # the spreadsheet's row (blank rows are skipped)
        row_result.instance = outcome.instance
        row_result.add_instance_info(outcome.instance)
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    return result


# The preview kept between the background job that makes it and the page that shows it: plain JSON.


def result_as_json(result: Result) -> dict:
    """What the admin's preview shows of a result, as JSON (rows, refused rows, totals)."""
    return {
        "diff_headers": [str(header) for header in result.diff_headers],
        "totals": dict(result.totals),
        "rows": [[row.import_type, list(row.diff), row.number] for row in result.valid_rows()],
        "invalid_rows": [
            [
                row.number,
                {str(field): [str(message) for message in messages] for field, messages in row.error_dict.items()},
                list(row.values),
            ]
            for row in result.invalid_rows
        ],
    }


def result_from_json(data: dict) -> Result:
    """The result result_as_json kept, for the admin's import template."""
    result = Result()
    result.diff_headers = data["diff_headers"]
    for import_type, diff, _number in data["rows"]:
        row_result = RowResult()
        row_result.import_type = import_type
        row_result.diff = diff
        result.append_row_result(row_result)
    for number, errors, values in data["invalid_rows"]:
        result.append_invalid_row(number, dict(zip(result.diff_headers, values, strict=False)), ValidationError(errors))
    result.totals.update(data["totals"])
    return result


def dataset_rows(dataset: tablib.Dataset) -> list[dict[str, str]]:
    """A tablib Dataset (header + rows) as the importer's rows of stripped strings."""
    headers = [clean_cell(header) for header in dataset.headers or []]
    return [
        {header: clean_cell(value) for header, value in zip(headers, values, strict=False) if header}
        for values in dataset
    ]


def _add_invalid_rows(result, rows: list[dict[str, str]], refused: ImportRefused):
    """One invalid row per spreadsheet row, its errors under the column they concern."""
    by_row: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for error in refused.errors:
        message = error.message
        if error.value:
            message = _("「%(value)s」: %(message)s") % {"value": error.value, "message": error.message}
        by_row[error.row or 0][error.column or NON_FIELD_ERRORS].append(message)
    for number, errors in sorted(by_row.items()):
        index = number - FIRST_DATA_ROW
        raw = rows[index] if 0 <= index < len(rows) else {}
        result.append_invalid_row(number, raw, ValidationError(dict(errors)))
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1


# --- Admin formats: the upload goes to read_workbook, so the admin reads files as the command does ----


class _WorkbookFormatMixin:
    """An upload is read by the one reader (reader.read_workbook (UTF-8/BOM/Shift_JIS CSV, XLSX as typed))."""

    extension = ""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        rows = read_workbook(io.BytesIO(in_stream), filename=f"upload.{self.extension}", kind=FileKind.PLAN_WORKBOOK)
        headers = list(rows[0]) if rows else list(PLAN_COLUMNS)
        dataset = tablib.Dataset(headers=headers)
        for row in rows:
            dataset.append([row.get(header, "") for header in headers])
        dataset.workbook_rows = rows  # the reader's rows, for import_data (no second copy of a large file)
        return dataset


class WorkbookCSV(_WorkbookFormatMixin, base_formats.CSV):
    extension = "csv"

    def export_data(self, dataset, **kwargs):
        # UTF-8 with a BOM: what Japanese Excel opens without garbling.
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")


class WorkbookXLSX(_WorkbookFormatMixin, base_formats.XLSX):
    extension = "xlsx"
