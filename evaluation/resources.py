"""The plan workbook for django-import-export: the admin's import (preview, then confirm) runs the one
importer of evaluation/importing.py, and the export writes the same workbook from the database.

django-import-export's own row machinery (instance loaders, per-row saves, bulk modes) is not used:
its loaders match on one key field only (see STACK.md's traps), and our import must be all or nothing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.formats import base_formats
from import_export.results import RowResult

from evaluation.domain.enums import ActualState, Direction, IndicatorKind
from evaluation.models import Indicator, Initiative, Plan, Result
from evaluation.workbook.plan_import import (
    COLUMNS,
    CREATED,
    DIRECTION_WORDS,
    FIRST_DATA_ROW,
    KIND_WORDS,
    RELISTED_WORD,
    UPDATED,
    ImportRefused,
    clean_cell,
    import_plan_rows,
    read_workbook,
)
from evaluation.workbook.results_export import spreadsheet_safe

# The columns shown in the admin's preview and error table (and, last, what changes).
PREVIEW_COLUMNS = ["年度", "指標ID", "小項目", "種別", "指標名", "担当所管課", "目標", "実績"]
NUMBER_COLUMNS = {"当初計画", "修正計画", "目標", "実績"}
_IMPORT_TYPES = {CREATED: RowResult.IMPORT_TYPE_NEW, UPDATED: RowResult.IMPORT_TYPE_UPDATE}
_KIND_WORDS = {kind: word for word, kind in KIND_WORDS.items()}
_DIRECTION_WORDS = {direction: word for word, direction in DIRECTION_WORDS.items()}
_FRACTION = re.compile(r"\d\.(\d+)")


class PlanWorkbookResource(resources.Resource):
    """Import and export of the plan workbook (shared/data/FORMAT.md).

    Import: the dataset's rows go to importing.import_plan_rows, whose report becomes the admin's
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
        return [Field(attribute=None, column_name=column) for column in COLUMNS]

    def get_export_headers(self, selected_fields=None):
        return list(COLUMNS)

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
        result = self.get_result_class()()
        result.diff_headers = [*PREVIEW_COLUMNS, _("Changes")]
        result.total_rows = len(dataset)
        rows = dataset_rows(dataset)
        try:
            report = import_plan_rows(rows, dry_run=dry_run, user=kwargs.get("user"))
        except ImportRefused as refused:
            if raise_errors:
                raise
            _add_invalid_rows(result, rows, refused)
            return result
        for outcome in report.rows:
            row_result = self.get_row_result_class()()
            row_result.import_type = _IMPORT_TYPES.get(outcome.action, RowResult.IMPORT_TYPE_SKIP)
            raw = rows[outcome.row - FIRST_DATA_ROW]
            row_result.diff = [raw.get(column, "") for column in PREVIEW_COLUMNS] + ["\n".join(outcome.changes)]
            row_result.row_values = raw
            row_result.instance = outcome.instance
            row_result.add_instance_info(outcome.instance)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result

    # Export ----------------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        """The workbook of the given plans (all plans when None), for the resource's fiscal years."""
        plans = queryset if queryset is not None else Plan.objects.all()
        dataset = tablib.Dataset(headers=list(COLUMNS))
        for plan in plans:
            for row in workbook_rows(plan, self.fiscal_years):
                dataset.append([row[column] for column in COLUMNS])
        return dataset


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


# --- Export rows -------------------------------------------------------------------------------------


def workbook_rows(plan: Plan, fiscal_years: set[int] | None = None) -> Iterator[dict[str, str]]:
    """The workbook rows of a plan: per fiscal year, each indicator's measures in position order, and
    each initiative without indicator at its place in the hierarchy. A handful of queries."""
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .select_related("initiative__vision__policy_area__pillar", "department")
        .prefetch_related("measures")
        .order_by("position", "pk")
    )
    results = Result.objects.filter(indicator__plan=plan).prefetch_related("values")
    if fiscal_years:
        results = results.filter(fiscal_year__in=fiscal_years)
    by_indicator: dict[int, dict[int, Result]] = defaultdict(dict)
    for result in results:
        by_indicator[result.indicator_id][result.fiscal_year] = result
    years = sorted({year for results in by_indicator.values() for year in results}) or sorted(
        fiscal_years or [plan.first_fiscal_year]
    )
    bare = list(
        Initiative.objects.filter(vision__policy_area__pillar__plan=plan, indicators__isnull=True).select_related(
            "vision__policy_area__pillar"
        )
    )
    entries = []  # (year, order, label, row)
    for order, indicator in enumerate(indicators):
        decimals = _decimals(indicator, by_indicator[indicator.pk].values())
        for year in sorted(by_indicator[indicator.pk]) or years[:1]:
            result = by_indicator[indicator.pk].get(year)
            values = {value.measure_id: value for value in result.values.all()} if result else {}
            for measure in indicator.measures.all():
                row = _indicator_row(plan, indicator, measure, year, result, values.get(measure.pk), decimals)
                entries.append((year, order, measure.label, row))
    paths = [_path(indicator.initiative) for indicator in indicators]
    for initiative in bare:
        # After the last indicator that comes before it in the hierarchy.
        order = max((index for index, path in enumerate(paths) if path < _path(initiative)), default=-1) + 0.5
        entries.append((years[0], order, "", _hierarchy_cells(plan, initiative, years[0])))
    entries.sort(key=lambda entry: entry[:3])
    for *_key, row in entries:
        yield {column: _cell(column, value) for column, value in row.items()}


def _path(initiative: Initiative) -> tuple[int, int, int, int]:
    vision = initiative.vision
    return (vision.policy_area.pillar.number, vision.policy_area.number, vision.number, initiative.number)


def _hierarchy_cells(plan: Plan, initiative: Initiative, year: int) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    vision = initiative.vision
    area = vision.policy_area
    row.update(
        {
            "計画": plan.name,
            "年度": str(year),
            "柱番号": str(area.pillar.number),
            "柱": area.pillar.title,
            "推進施策番号": str(area.number),
            "推進施策": area.title,
            "めざす姿番号": str(vision.number),
            "めざす姿見出し": vision.heading,
            "めざす姿": vision.statement,
            "計画書頁": vision.plan_pages,
            "取組番号": str(initiative.number),
            "主な取組み": initiative.title,
            "取組内容": initiative.description,
            "実施計画": initiative.implementation_ref,
            "再掲": RELISTED_WORD if initiative.is_relisted else "",
        }
    )
    return row


def _indicator_row(plan, indicator, measure, year, result, value, decimals) -> dict[str, str]:
    row = _hierarchy_cells(plan, indicator.initiative, year)
    row.update(
        {
            "指標ID": indicator.code,
            "種別": _KIND_WORDS[indicator.kind],
            "区分": indicator.label,
            "指標名": indicator.name,
            "注記": indicator.footnote,
            "小項目": measure.label,
            "小項目名": measure.name,
            "単位": indicator.unit,
            "方向": _DIRECTION_WORDS.get(indicator.direction, ""),
            "現況値": indicator.baseline_text,
            "現況値時点": indicator.baseline_as_of,
            "担当所管課": indicator.department.name,
        }
    )
    if result is not None:
        row["修正理由"] = result.revision_reason
        row["評価理由"] = result.reason
        if indicator.kind == IndicatorKind.OUTCOME and indicator.direction == Direction.QUALITATIVE:
            row["評価"] = result.judged_grade
    if value is not None:
        row["当初計画"] = _number(value.original_plan_value, decimals) or value.original_plan_text
        row["修正計画"] = _number(value.revised_plan_value, decimals) or value.revised_plan_text
        row["目標"] = _number(value.target_value, decimals) or value.target_text
        row["実績"] = {
            ActualState.NUMBER: _number(value.actual_value, decimals),
            ActualState.TALLYING: "集計中",
            ActualState.TEXT: value.actual_text,
        }.get(value.actual_state, "")
    return row


def _decimals(indicator: Indicator, results: Iterable[Result]) -> int:
    """How many decimals the indicator's numbers are written with.

    The database keeps the value (9.0 == 9), not how it was typed; the sheet writes an indicator's
    numbers alike (「8.2%」 then 9.0), so: the most decimals of the baseline as printed and of the
    stored values. Re-importing the export changes nothing either way (the values are equal).
    """
    baseline = unicodedata.normalize("NFKC", indicator.baseline_text)
    places = [len(fraction) for fraction in _FRACTION.findall(baseline)]
    for result in results:
        for value in result.values.all():
            for number in (value.original_plan_value, value.revised_plan_value, value.target_value, value.actual_value):
                if number is not None:
                    places.append(max(0, -number.normalize().as_tuple().exponent))
    return max(places, default=0)


def _number(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    return format(value.quantize(Decimal(1).scaleb(-decimals)), "f")


def _cell(column: str, value: str) -> str:
    """Numbers as plain text numbers; any other text guarded against being run as a formula."""
    if column in NUMBER_COLUMNS and _is_plain_number(value):
        return value
    return spreadsheet_safe(value)


def _is_plain_number(value: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", value))


# --- Admin formats: the upload goes to read_workbook, so the admin reads files as the command does ----


class _WorkbookFormatMixin:
    """An upload is read by importing.read_workbook (UTF-8/BOM/Shift_JIS CSV, XLSX as typed)."""

    extension = ""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        rows = read_workbook(io.BytesIO(in_stream), filename=f"upload.{self.extension}")
        headers = list(rows[0]) if rows else list(COLUMNS)
        dataset = tablib.Dataset(headers=headers)
        for row in rows:
            dataset.append([row.get(header, "") for header in headers])
        return dataset


class WorkbookCSV(_WorkbookFormatMixin, base_formats.CSV):
    extension = "csv"

    def export_data(self, dataset, **kwargs):
        # UTF-8 with a BOM: what Japanese Excel opens without garbling.
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")


class WorkbookXLSX(_WorkbookFormatMixin, base_formats.XLSX):
    extension = "xlsx"
