"""The department's entry sheet (入力シート): download it as XLSX, fill it in offline, upload it back.

- `build_entry_sheet` writes one department's results of one fiscal year, one row per measure (a
  compound indicator has a row per sub-item a, b …), with the year's plan values as locked context,
  the entry columns unlocked, and a hidden 管理番号 naming the result, the measure's value and the
  version the department saw.
- `read_entry_sheet` reads an uploaded sheet back through the importer's reader and the entry page's
  parsers, and says, row by row, what would change and which grade it would get. It changes nothing;
  its output is plain JSON for EntryUpload.rows / .errors (Decimals as strings).
- `apply_entry_upload` applies a checked upload through services.save_draft, all or nothing.

The column headers are Japanese data-format names (like the workbook's), not interface text.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from departments import permissions
from evaluation.domain import grading, numbers
from evaluation.domain.enums import ActualState, ResultStatus, YearStatus
from evaluation.domain.fiscal_year import era_name
from evaluation.domain.messages import describe
from evaluation.domain.workflow import EDITABLE_BY_DEPARTMENT, TransitionRefused
from evaluation.models import EntryUpload, EvaluationYear, Indicator, Result, ResultValue
from evaluation.services.entries import EntryError, parse_actual, parse_judged_grade
from evaluation.services.guards import PermissionRefused, StaleVersion
from evaluation.services.results import ActualInput, save_draft
from evaluation.services.scoring import apply_grades
from evaluation.workbook.plan_import import RowError, UnreadableWorkbook, read_workbook
from evaluation.workbook.results_export import (
    DIRECTION_WORDS,
    KIND_WORDS,
    TALLYING_WORD,
    format_achievement,
    plain_decimal,
    spreadsheet_safe,
)

# Columns of the sheet, in order. Context columns are locked; ENTRY_COLUMNS are the ones to fill in.
COLUMNS = (
    "指標ID",
    "小項目",
    "推進施策",
    "主な取組み",
    "種別",
    "指標名",
    "単位",
    "方向",
    "現況値",
    "当初計画",
    "修正計画",
    "目標",
    "状態",
    "実績",
    "集計中",
    "評価",
    "評価理由",
    "管理番号",
)
ENTRY_COLUMNS = ("実績", "集計中", "評価", "評価理由")
ID_COLUMN = "管理番号"
REQUIRED_COLUMNS = ("指標ID", "小項目", *ENTRY_COLUMNS, ID_COLUMN)
WIDTHS = {
    "指標ID": 9,
    "小項目": 6,
    "推進施策": 22,
    "主な取組み": 22,
    "種別": 9,
    "指標名": 36,
    "単位": 6,
    "方向": 12,
    "現況値": 14,
    "当初計画": 10,
    "修正計画": 10,
    "目標": 10,
    "状態": 8,
    "実績": 12,
    "集計中": 8,
    "評価": 6,
    "評価理由": 40,
    "管理番号": 16,
}
WRAPPED = {"推進施策", "主な取組み", "指標名", "現況値", "評価理由"}
HELP_SHEET = "記入方法"
FIRST_DATA_ROW = 2

# 管理番号: R<result id>-M<result value id>-V<version the sheet was made at>.
_ID = re.compile(r"^R(?P<result>\d+)-M(?P<value>\d+)-V(?P<version>\d+)$")

_HEADER_FILL = PatternFill("solid", fgColor="E6E6E6")
_ENTRY_FILL = PatternFill("solid", fgColor="FFF8D6")  # pale yellow: the cells to fill in
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")  # grey: a row that cannot be changed now
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)


def entry_id(result: Result, value: ResultValue) -> str:
    return f"R{result.pk}-M{value.pk}-V{result.version}"


def department_results(department, plan, fiscal_year: int) -> list[Result]:
    """The department's results of the plan's fiscal year in plan order, with their indicator's
    hierarchy and their values (measures by label). A fixed number of queries."""
    return list(
        Result.objects.filter(indicator__plan=plan, indicator__department=department, fiscal_year=fiscal_year)
        .select_related("indicator__plan", "indicator__initiative__vision__policy_area")
        .prefetch_related(
            Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))
        )
        .order_by("indicator__position", "indicator__pk")
    )


def year_is_open(plan, fiscal_year: int) -> bool:
    """Entries are taken while the planning section has the year open (and not before it opens it)."""
    return EvaluationYear.objects.filter(plan=plan, fiscal_year=fiscal_year, status=YearStatus.OPEN).exists()


def sheet_filename(department, fiscal_year: int) -> str:
    return f"入力シート_{department.name}_{era_name(fiscal_year)}.xlsx"


# --- building -------------------------------------------------------------------------------------


def _number_or_text(number: Decimal | None, text: str):
    if number is not None:
        return plain_decimal(number)
    return text or None


def _actual_cells(value: ResultValue) -> tuple:
    """(実績, 集計中) as the sheet shows the saved actual."""
    if value.actual_state == ActualState.NUMBER:
        return plain_decimal(value.actual_value), None
    if value.actual_state == ActualState.TALLYING:
        return None, TALLYING_WORD
    if value.actual_state == ActualState.TEXT:
        return value.actual_text or None, None
    return None, None


def _baseline(indicator: Indicator) -> str | None:
    text = indicator.baseline_text
    if text and indicator.baseline_as_of:
        text = f"{text}（{indicator.baseline_as_of}）"
    return text or None


def build_entry_sheet(department, plan, fiscal_year: int) -> bytes:
    """The department's entry sheet of the plan's fiscal year, as XLSX bytes.

    One sheet named after the year (令和6年度): one row per measure in plan order; the context locked
    (sheet protection without a password, so it guards against slips, not against intent); 実績,
    集計中, 評価 (qualitative outcomes only) and 評価理由 (the indicator's first row) unlocked and pale
    yellow; rows the department cannot change now (提出済, 承認済) grey and locked; 管理番号 hidden.
    A second sheet, 記入方法, explains how to fill it in (in the active language)."""
    with translation.override("ja"):
        status_labels = {status: str(status.label) for status in ResultStatus}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = era_name(fiscal_year)
    sheet.append(COLUMNS)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = _ENTRY_FILL if column in ENTRY_COLUMNS else _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column]
    position = {column: index for index, column in enumerate(COLUMNS, start=1)}

    grade_list = DataValidation(type="list", formula1='"A,B,C,D"', allow_blank=True, showErrorMessage=True)
    grade_list.error = _("Choose A, B, C or D.")
    grade_list.prompt = _("The grade of a qualitative outcome: A, B, C or D.")
    grade_list.showInputMessage = True
    tallying_list = DataValidation(type="list", formula1=f'"{TALLYING_WORD}"', allow_blank=True, showErrorMessage=True)
    tallying_list.error = _("Choose 集計中, or leave the cell blank.")
    sheet.add_data_validation(grade_list)
    sheet.add_data_validation(tallying_list)

    for result in department_results(department, plan, fiscal_year):
        indicator = result.indicator
        initiative = indicator.initiative
        area = initiative.vision.policy_area
        editable = result.status in EDITABLE_BY_DEPARTMENT
        for index, value in enumerate(result.values.all()):
            actual, tallying = _actual_cells(value)
            first = index == 0
            cells = {
                "指標ID": indicator.code,
                "小項目": value.measure.label or None,
                "推進施策": f"{area.number} {area.title}",
                "主な取組み": f"{initiative.number} {initiative.title}",
                "種別": KIND_WORDS.get(indicator.kind, indicator.kind),
                "指標名": f"{indicator.name} {value.measure.name}".strip() if value.measure.name else indicator.name,
                "単位": indicator.unit or None,
                "方向": DIRECTION_WORDS.get(indicator.direction),
                "現況値": _baseline(indicator),
                "当初計画": _number_or_text(value.original_plan_value, value.original_plan_text),
                "修正計画": _number_or_text(value.revised_plan_value, value.revised_plan_text),
                "目標": _number_or_text(value.target_value, value.target_text),
                "状態": status_labels[ResultStatus(result.status)],
                "実績": actual,
                "集計中": tallying,
                "評価": (result.judged_grade or None) if first and indicator.is_qualitative else None,
                "評価理由": (result.reason or None) if first else None,
                ID_COLUMN: entry_id(result, value),
            }
            sheet.append([spreadsheet_safe(cells[column]) for column in COLUMNS])
            row = sheet.max_row
            open_cells = {"実績", "集計中"}
            if first:
                open_cells.add("評価理由")
                if indicator.is_qualitative:
                    open_cells.add("評価")
            for column in COLUMNS:
                cell = sheet.cell(row=row, column=position[column])
                cell.border = _BORDER
                cell.alignment = Alignment(vertical="top", wrap_text=column in WRAPPED)
                if not editable:
                    cell.fill = _LOCKED_FILL
                elif column in open_cells:
                    cell.protection = _UNLOCKED
                    cell.fill = _ENTRY_FILL
                if column == "実績":
                    # Text format: Excel would turn a typed 「90.8%」 into the number 0.908 and lose the unit.
                    cell.number_format = "@"
            if editable:
                tallying_list.add(sheet.cell(row=row, column=position["集計中"]))
                if "評価" in open_cells:
                    grade_list.add(sheet.cell(row=row, column=position["評価"]))

    sheet.column_dimensions[get_column_letter(position[ID_COLUMN])].hidden = True
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=position["推進施策"])
    sheet.protection.sheet = True  # no password: it prevents slips; the upload checks everything anyway
    sheet.protection.formatColumns = False  # widths and filters stay usable
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS) - 1)}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"

    _add_help_sheet(workbook, department, fiscal_year)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_help_sheet(workbook: Workbook, department, fiscal_year: int) -> None:
    sheet = workbook.create_sheet(HELP_SHEET)
    lines = [
        _("Entry sheet of %(department)s, %(year)s") % {"department": department.name, "year": era_name(fiscal_year)},
        "",
        _("Fill in only the pale yellow cells: 実績, 集計中, 評価 and 評価理由. The other columns are the plan."),
        _("実績: type the number as you usually do (1,816 or １，８１６, 287.1%); leave it blank if there is none."),
        _("集計中: choose 集計中 when the figure is still being tallied (you may also type 集計中 in 実績)."),
        _("評価: only for qualitative outcomes, A, B, C or D. Other grades are computed from the figures."),
        _("評価理由: required for the grades C and D. A compound indicator has its grade and reason on its first row."),
        _("Grey rows are submitted or approved: they cannot be changed from this sheet."),
        _("Do not add, delete or reorder rows, and do not change the hidden column 管理番号."),
        _("Upload the file on the entry sheet page: a preview shows every change before anything is saved."),
        _("If someone saves an item after you downloaded the sheet, the upload is refused: download it again."),
    ]
    for line in lines:
        sheet.append([spreadsheet_safe(line)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


# --- reading --------------------------------------------------------------------------------------


def _error(row: int | None, column: str, value: str, message: str) -> dict:
    error = RowError(row, column, value, str(message))
    return {"row": row, "column": column, "value": value, "message": str(message), "text": str(error)}


def _decimal_text(value: Decimal | None) -> str:
    return "" if value is None else format(plain_decimal(value), "f")


def _actual_display(indicator: Indicator, state: str, value: Decimal | None, text: str) -> str:
    if state == ActualState.NUMBER:
        return f"{numbers.format_number(value)}{indicator.unit}"
    if state == ActualState.TALLYING:
        return TALLYING_WORD
    if state == ActualState.TEXT:
        return text
    return ""


def _same_actual(value: ResultValue, entered: ActualInput) -> bool:
    if value.actual_state != entered.state:
        return False
    if entered.state == ActualState.NUMBER:
        return value.actual_value == entered.value
    if entered.state == ActualState.TEXT:
        return value.actual_text == entered.text
    return True


def _text(value: str) -> str:
    """A reason as compared and saved: one kind of line break, no surrounding blanks."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _user_name(user) -> str:
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@dataclass
class _SheetRow:
    number: int
    cells: dict[str, str]
    value: ResultValue
    entered: ActualInput


@dataclass
class _Item:
    """One result of the sheet: its rows (one per measure) and what was typed for it."""

    result: Result
    version: int
    rows: list[_SheetRow]
    reason: str | None = None
    judged_grade: str | None = None


def read_entry_sheet(upload_file, *, user, department, plan, fiscal_year: int) -> tuple[list[dict], list[dict]]:
    """Read a filled-in entry sheet (XLSX, or CSV saved from it) and say what it would change.

    Returns (rows, errors), both JSON-serialisable. `rows` holds one entry per result of the sheet
    (changed or not) with, per measure, the old and new actual and the achievement and grade it
    would get; `errors` one entry per problem with the spreadsheet row, column and value and a
    sentence in the active language. Changes nothing in the database."""
    filename = getattr(upload_file, "name", "") or ""
    try:
        raw_rows = read_workbook(upload_file, filename)
    except UnreadableWorkbook as unreadable:
        return [], [_error(None, "", "", error.message) for error in unreadable.errors]
    errors: list[dict] = []
    headers = set(raw_rows[0]) if raw_rows else set()
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if not raw_rows:
        return [], [_error(None, "", "", _("The sheet has no rows to read."))]
    if missing:
        columns = "、".join(f"「{column}」" for column in missing)
        return [], [
            _error(1, missing[0], "", _("The header row lacks the columns %(columns)s.") % {"columns": columns})
        ]

    parsed: list[tuple[int, dict, re.Match]] = []
    for index, cells in enumerate(raw_rows):
        number = index + FIRST_DATA_ROW
        if not any(cells.values()):
            continue
        match = _ID.match(cells.get(ID_COLUMN, ""))
        if match is None:
            errors.append(
                _error(
                    number,
                    ID_COLUMN,
                    cells.get(ID_COLUMN, ""),
                    _("This row is not one of the sheet's rows (rows cannot be added; download the sheet again)."),
                )
            )
            continue
        parsed.append((number, cells, match))

    results = {
        result.pk: result
        for result in Result.objects.filter(pk__in={int(match["result"]) for _n, _c, match in parsed})
        .select_related("indicator__plan", "updated_by")
        .prefetch_related(Prefetch("values", queryset=ResultValue.objects.select_related("measure")))
    }
    items: dict[int, _Item] = {}
    seen_values: set[int] = set()
    for number, cells, match in parsed:
        item = _read_row(number, cells, match, results, items, seen_values, user, department, plan, fiscal_year)
        if isinstance(item, dict):
            errors.append(item)

    rows = []
    for item in items.values():
        entry, item_errors = _describe_item(item)
        rows.append(entry)
        errors.extend(item_errors)
    errors.sort(
        key=lambda error: (error["row"] or 0, COLUMNS.index(error["column"]) if error["column"] in COLUMNS else 0)
    )
    return rows, errors


def _read_row(number, cells, match, results, items, seen_values, user, department, plan, fiscal_year):
    """Check one row and add it to its item; returns an error dict when the row is refused."""
    raw_id = cells[ID_COLUMN]
    result = results.get(int(match["result"]))
    if result is None:
        return _error(number, ID_COLUMN, raw_id, _("No item has this 管理番号: download the sheet again."))
    indicator = result.indicator
    if indicator.department_id != department.pk or not permissions.can_edit_result(user, result):
        return _error(
            number, ID_COLUMN, raw_id, _("This is not your department's indicator: its row cannot be uploaded here.")
        )
    if indicator.plan_id != plan.pk or result.fiscal_year != fiscal_year:
        return _error(
            number,
            ID_COLUMN,
            raw_id,
            _("This row belongs to the sheet of another plan or fiscal year: use the sheet of %(year)s.")
            % {"year": era_name(fiscal_year)},
        )
    value = next((value for value in result.values.all() if value.pk == int(match["value"])), None)
    if value is None or value.pk in seen_values:
        return _error(number, ID_COLUMN, raw_id, _("This 管理番号 is unknown or repeated: download the sheet again."))
    seen_values.add(value.pk)
    code, label = cells.get("指標ID", ""), numbers.normalize(cells.get("小項目", ""))
    if code != indicator.code or label != value.measure.label:
        return _error(
            number,
            "指標ID",
            f"{code} {label}".strip(),
            _("The row's 指標ID and 小項目 do not match its 管理番号 (%(expected)s): do not move rows or cells.")
            % {"expected": f"{indicator.code} {value.measure.label}".strip()},
        )
    version = int(match["version"])
    item = items.get(result.pk)
    if item is not None and item.version != version:
        return _error(number, ID_COLUMN, raw_id, _("The rows of this indicator come from different downloads."))

    tallying_text = numbers.normalize(cells.get("集計中", ""))
    if tallying_text and tallying_text != TALLYING_WORD:
        return _error(number, "集計中", cells["集計中"], _("Write 集計中 in this column, or leave it blank."))
    try:
        entered = parse_actual(indicator, cells.get("実績", ""), tallying=bool(tallying_text))
    except EntryError as error:
        return _error(number, "実績", cells.get("実績", ""), error.message)
    try:
        judged = parse_judged_grade(indicator, cells.get("評価", ""))
    except EntryError as error:
        return _error(number, "評価", cells.get("評価", ""), error.message)
    reason = _text(cells.get("評価理由", ""))
    # The grade and reason belong to the indicator: read from its first row; a later row may repeat them.
    if item is None:
        item = items[result.pk] = _Item(result, version, [], reason=reason, judged_grade=judged)
    elif reason and reason != item.reason:
        return _error(number, "評価理由", reason, _("Write the reason of a compound indicator on its first row only."))
    item.rows.append(_SheetRow(number, cells, value, entered))
    return item


def _describe_item(item: _Item) -> tuple[dict, list[dict]]:
    """What the item would change and the grades it would get, plus why it cannot be applied."""
    result, indicator = item.result, item.result.indicator
    first_row = item.rows[0].number
    values = {value.pk: value for value in result.values.all()}
    new_values = {pk: copy.copy(value) for pk, value in values.items()}
    for row in item.rows:
        target = new_values[row.value.pk]
        target.actual_state, target.actual_value, target.actual_text = (
            row.entered.state,
            row.entered.value,
            row.entered.text,
        )
    new_result = copy.copy(result)
    new_result.judged_grade = item.judged_grade if indicator.is_qualitative else ""
    errors = []
    try:
        apply_grades(new_result, list(new_values.values()))
    except grading.GradingError as error:
        errors.append(_error(first_row, "目標", "", describe(error)))
        new_result.grade = ""
        for value in new_values.values():
            value.achievement, value.grade = None, ""

    measures = []
    for row in item.rows:
        old, new = values[row.value.pk], new_values[row.value.pk]
        measures.append(
            {
                "row": row.number,
                "value_id": old.pk,
                "label": old.measure.label,
                "changed": not _same_actual(old, row.entered),
                "old": _actual_display(indicator, old.actual_state, old.actual_value, old.actual_text),
                "new": _actual_display(indicator, new.actual_state, new.actual_value, new.actual_text),
                "state": new.actual_state,
                "value": _decimal_text(new.actual_value),
                "text": new.actual_text,
                "old_achievement": _decimal_text(format_achievement(indicator.plan, old.achievement)),
                "achievement": _decimal_text(format_achievement(indicator.plan, new.achievement)),
                "old_grade": old.grade,
                "grade": new.grade,
            }
        )
    reason_changed = item.reason != _text(result.reason)
    judged_changed = indicator.is_qualitative and item.judged_grade != result.judged_grade
    changed = reason_changed or judged_changed or any(measure["changed"] for measure in measures)
    entry = {
        "result_id": result.pk,
        "version": item.version,
        "row": first_row,
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "is_outcome": indicator.is_outcome,
        "is_qualitative": indicator.is_qualitative,
        "status": result.status,
        "changed": changed,
        "measures": measures,
        "reason_changed": reason_changed,
        "old_reason": result.reason,
        "reason": item.reason,
        "judged_changed": judged_changed,
        "old_judged_grade": result.judged_grade,
        "judged_grade": item.judged_grade if indicator.is_qualitative else "",
        "old_grade": result.grade,
        "grade": new_result.grade,
        "reason_missing": grading.reason_required(new_result.grade) and not grading.has_reason(item.reason),
    }
    if changed and result.status not in EDITABLE_BY_DEPARTMENT:
        errors.append(
            _error(
                first_row,
                "状態",
                str(ResultStatus(result.status).label),
                _("This item is “%(status)s”: it can no longer be changed from the sheet.")
                % {"status": ResultStatus(result.status).label},
            )
        )
    elif changed and result.version != item.version:
        errors.append(_error(first_row, ID_COLUMN, item.rows[0].cells[ID_COLUMN], _stale_message(result)))
    return entry, errors


def _stale_message(current: Result) -> str:
    return _(
        "%(user)s saved this item on %(when)s, after the sheet was downloaded. "
        "Download the sheet again and enter your changes in it."
    ) % {"user": _user_name(current.updated_by), "when": _when(current.updated_at)}


# --- applying -------------------------------------------------------------------------------------


class UploadRefused(Exception):
    """Nothing of the upload was saved. `errors` are error dicts as read_entry_sheet makes them."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(error["text"] for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class Applied:
    """What a confirmed upload saved: the items it changed (now drafts) and those it left alone."""

    changed: int
    unchanged: int


def changed_rows(upload: EntryUpload) -> list[dict]:
    return [entry for entry in upload.rows if entry.get("changed")]


def _actuals(entry: dict) -> dict[int, ActualInput]:
    return {
        measure["value_id"]: ActualInput(
            measure["state"], Decimal(measure["value"]) if measure["value"] else None, measure["text"]
        )
        for measure in entry["measures"]
    }


def apply_entry_upload(upload: EntryUpload, *, user) -> Applied:
    """Save every changed item of a checked upload as a draft, all or nothing.

    Each item goes through services.save_draft with the version the sheet was downloaded at, so the
    same permissions, workflow and version checks hold as on the entry page.
    Side effects: those of save_draft for each changed item (values, grades, status 入力中, history
    rows with the user), and the upload's applied_at; or nothing at all. When an item is refused,
    its reason is recorded in the upload's errors (so the preview shows it) and UploadRefused is raised.
    Raises UploadRefused (also for an upload already applied, one with errors, or when the year is not
    open), PermissionRefused
    (not the uploader)."""
    try:
        with transaction.atomic():
            locked = EntryUpload.objects.select_for_update().get(pk=upload.pk)
            if locked.user_id != user.pk:
                raise PermissionRefused("upload")
            if locked.applied_at is not None:
                raise UploadRefused(
                    [
                        _error(
                            None,
                            "",
                            "",
                            _("This upload was already applied on %(when)s.") % {"when": _when(locked.applied_at)},
                        )
                    ]
                )
            if locked.errors:
                raise UploadRefused(locked.errors)
            if not year_is_open(locked.plan, locked.fiscal_year):
                raise UploadRefused([_error(None, "", "", _("The evaluation of this fiscal year is not open."))])
            entries = changed_rows(locked)
            results = Result.objects.select_related("indicator").in_bulk([entry["result_id"] for entry in entries])
            failures = []
            for entry in sorted(entries, key=lambda entry: entry["result_id"]):  # one lock order for everyone
                failure = _apply_entry(entry, results.get(entry["result_id"]), locked, user)
                if failure:
                    failures.append(failure)
            if failures:
                failures.sort(key=lambda error: error["row"] or 0)
                raise _Recorded(failures)
            locked.applied_at = timezone.now()
            locked.save(update_fields=["applied_at"])
    except _Recorded as refused:
        EntryUpload.objects.filter(pk=upload.pk).update(errors=refused.errors)
        upload.errors = refused.errors
        raise UploadRefused(refused.errors) from None
    upload.applied_at = locked.applied_at
    return Applied(changed=len(entries), unchanged=len(locked.rows) - len(entries))


class _Recorded(UploadRefused):
    """Refused items, to record on the upload after the rollback."""


def _apply_entry(entry: dict, result: Result | None, upload: EntryUpload, user) -> dict | None:
    row, code = entry["row"], entry["code"]
    if result is None or result.indicator.department_id != upload.department_id:
        return _error(
            row, ID_COLUMN, code, _("This is not your department's indicator: its row cannot be uploaded here.")
        )
    try:
        save_draft(
            result,
            user=user,
            expected_version=entry["version"],
            actuals=_actuals(entry),
            reason=entry["reason"],
            judged_grade=entry["judged_grade"],
        )
    except StaleVersion as stale:
        return _error(row, "指標ID", code, _stale_message(stale.current))
    except PermissionRefused:
        return _error(row, "指標ID", code, _("You may not change this item."))
    except TransitionRefused as refused:
        return _error(row, "状態", code, str(refused.message))
    except grading.GradingError as error:
        return _error(row, "目標", code, describe(error))
    return None
