"""Reading an uploaded entry sheet back: through the one reader (workbook/reader.py) and the entry
page's parsers, row by row, saying what would change and which grade it would get. It changes
nothing; its output is plain JSON for EntryUpload.rows / .errors (Decimals as strings).

The plan's grading scheme says what the sheet takes: its state words (集計中; 完了, 未着手, 中止 …) in
the state's column or in 実績, its judged grade labels in 評価, all normalised (NFKC: full-width too);
anything else is refused naming the row, the column and the value. The state's column is read under
either of its headers (layout.is_state_header): 「集計中」, as every sheet was headed before and Setagaya's
still is, or 「数値に代えて（…）」; messages name it as the uploaded sheet heads it."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from departments import permissions
from evaluation import display
from evaluation.domain import numbers
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.fiscal_year import era_name
from evaluation.domain.grading import GradingScheme
from evaluation.domain.messages import word_list
from evaluation.domain.workflow import EDITABLE_BY_DEPARTMENT
from evaluation.models import Indicator, Result, ResultValue
from evaluation.services.entries import EntryError, parse_actual, parse_judged_grade, state_words
from evaluation.services.results import ActualInput
from evaluation.services.scoring import apply_grades_or_hold
from evaluation.workbook.entry_sheet.errors import sheet_error, stale_message
from evaluation.workbook.entry_sheet.layout import (
    ENTRY_ID,
    ENTRY_SHEET_COLUMNS,
    FIRST_DATA_ROW,
    ID_COLUMN,
    REQUIRED_COLUMNS,
    STATE_COLUMN,
    is_state_header,
    only_tallying,
    state_header,
)
from evaluation.workbook.limits import FileKind
from evaluation.workbook.reader import read_workbook


@dataclass
class _SheetRow:
    """One row of the upload whose 管理番号 has the right shape; `entered` once its actual is read."""

    number: int
    cells: dict[str, str]
    match: re.Match
    value: ResultValue | None = None
    entered: ActualInput | None = None
    judged_grade: str = ""

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class _Item:
    """One result of the sheet: its rows (one per measure) and what was typed for it."""

    result: Result
    version: int
    rows: list[_SheetRow]
    reason: str | None = None
    judged_grade: str | None = None


@dataclass
class _Upload:
    """Who uploads which sheet, and what was read of it so far."""

    user: object
    department: object
    plan: object
    fiscal_year: int
    scheme: GradingScheme
    state_header: str = STATE_COLUMN  # the state's column as the uploaded sheet heads it
    results: dict[int, Result] = field(default_factory=dict)  # the results the 管理番号s name, by pk
    items: dict[int, _Item] = field(default_factory=dict)  # by result pk, in sheet order
    seen_values: set[int] = field(default_factory=set)


def read_entry_sheet(upload_file, *, user, department, plan, fiscal_year: int) -> tuple[list[dict], list[dict]]:
    """Read a filled-in entry sheet (XLSX, or CSV saved from it) and say what it would change.

    Returns (rows, errors), both JSON-serialisable. `rows` holds one entry per result of the sheet
    (changed or not) with, per measure, the old and new actual and the achievement and grade it
    would get; `errors` one entry per problem with the spreadsheet row, column and value and a
    sentence in the active language. Changes nothing in the database. Raises UnreadableWorkbook when
    the one reader refuses the file itself (too large, broken, past its caps): nothing to preview."""
    filename = getattr(upload_file, "name", "") or ""
    raw_rows = read_workbook(upload_file, filename, kind=FileKind.ENTRY_SHEET)
    if not raw_rows:
        return [], [sheet_error(None, "", "", _("The sheet has no rows to read."))]
    upload = _Upload(user, department, plan, fiscal_year, plan.scheme_of(fiscal_year))
    error = _header_problem(upload, raw_rows)
    if error is not None:
        return [], [error]
    sheet_rows, errors = _rows_with_ids(raw_rows)
    upload.results = {
        result.pk: result
        for result in Result.objects.filter(pk__in={int(row.match["result"]) for row in sheet_rows})
        .select_related("indicator__plan", "updated_by")
        .prefetch_related(Prefetch("values", queryset=ResultValue.objects.select_related("measure")))
    }
    for row in sheet_rows:
        error = _read_row(upload, row)
        if error is not None:
            errors.append(error)
    rows = []
    for item in upload.items.values():
        entry, item_errors = _describe_item(item, upload.scheme)
        rows.append(entry)
        errors.extend(item_errors)
    order = {column: index for index, column in enumerate(ENTRY_SHEET_COLUMNS)}
    order[upload.state_header] = order[STATE_COLUMN]
    errors.sort(key=lambda error: (error["row"] or 0, order.get(error["column"], 0)))
    return rows, errors


def _header_problem(upload: _Upload, raw_rows: list[dict[str, str]]) -> dict | None:
    """A column missing from the header row (the state's named as the year's scheme heads it), or the
    state's column headed twice; else None, and the rows hold the state's column under its key
    (「集計中」) whichever header the sheet gave it."""
    headers = list(raw_rows[0])
    state_headers = [header for header in headers if is_state_header(header)]
    if len(state_headers) > 1:
        columns = "、".join(f"「{header}」" for header in state_headers)
        return sheet_error(
            1, state_headers[1], "", _("The header row has the column %(columns)s twice.") % {"columns": columns}
        )
    if state_headers and state_headers[0] != STATE_COLUMN:
        upload.state_header = state_headers[0]
        for row in raw_rows:
            row[STATE_COLUMN] = row.pop(upload.state_header)
    missing = [column for column in REQUIRED_COLUMNS if column not in raw_rows[0]]
    if not missing:
        return None
    named = [state_header(upload.scheme) if column == STATE_COLUMN else column for column in missing]
    columns = "、".join(f"「{column}」" for column in named)
    return sheet_error(1, named[0], "", _("The header row lacks the columns %(columns)s.") % {"columns": columns})


def _rows_with_ids(raw_rows: list[dict[str, str]]) -> tuple[list[_SheetRow], list[dict]]:
    """The non-blank rows whose 管理番号 has the sheet's shape, and an error for each other one."""
    rows, errors = [], []
    for index, cells in enumerate(raw_rows):
        number = index + FIRST_DATA_ROW
        if not any(cells.values()):
            continue
        match = ENTRY_ID.match(cells.get(ID_COLUMN, ""))
        if match is None:
            errors.append(
                sheet_error(
                    number,
                    ID_COLUMN,
                    cells.get(ID_COLUMN, ""),
                    _("This row is not one of the sheet's rows (rows cannot be added; download the sheet again)."),
                )
            )
            continue
        rows.append(_SheetRow(number, cells, match))
    return rows, errors


def _read_row(upload: _Upload, row: _SheetRow) -> dict | None:
    """Check one row and add it to its item; returns an error dict when the row is refused."""
    result = upload.results.get(int(row.match["result"]))
    error = _refuse_identity(upload, row, result)
    if error is not None:
        return error
    version = int(row.match["version"])
    item = upload.items.get(result.pk)
    if item is not None and item.version != version:
        return sheet_error(
            row.number, ID_COLUMN, row[ID_COLUMN], _("The rows of this indicator come from different downloads.")
        )
    error = _read_entries(row, result.indicator, upload)
    if error is not None:
        return error
    reason = _text(row["評価理由"])
    # The grade and reason belong to the indicator: read from its first row; a later row may repeat them.
    if item is None:
        item = upload.items[result.pk] = _Item(result, version, [], reason=reason, judged_grade=row.judged_grade)
    elif reason and reason != item.reason:
        return sheet_error(
            row.number, "評価理由", reason, _("Write the reason of a compound indicator on its first row only.")
        )
    item.rows.append(row)
    return None


def _refuse_identity(upload: _Upload, row: _SheetRow, result: Result | None) -> dict | None:
    """Whether the row really is a row of this department's sheet, unmoved; sets `row.value`."""
    raw_id = row[ID_COLUMN]
    if result is None:
        return sheet_error(row.number, ID_COLUMN, raw_id, _("No item has this 管理番号: download the sheet again."))
    indicator = result.indicator
    if result.department_id != upload.department.pk or not permissions.can_edit_result(upload.user, result):
        return sheet_error(
            row.number,
            ID_COLUMN,
            raw_id,
            _("This is not your department's indicator: its row cannot be uploaded here."),
        )
    if indicator.plan_id != upload.plan.pk or result.fiscal_year != upload.fiscal_year:
        return sheet_error(
            row.number,
            ID_COLUMN,
            raw_id,
            _("This row belongs to the sheet of another plan or fiscal year: use the sheet of %(year)s.")
            % {"year": era_name(upload.fiscal_year)},
        )
    row.value = next((value for value in result.values.all() if value.pk == int(row.match["value"])), None)
    if row.value is None or row.value.pk in upload.seen_values:
        return sheet_error(
            row.number, ID_COLUMN, raw_id, _("This 管理番号 is unknown or repeated: download the sheet again.")
        )
    upload.seen_values.add(row.value.pk)
    code, label = row["指標ID"], numbers.normalize(row["小項目"])
    if code != indicator.code or label != row.value.measure.label:
        return sheet_error(
            row.number,
            "指標ID",
            f"{code} {label}".strip(),
            _("The row's 指標ID and 小項目 do not match its 管理番号 (%(expected)s): do not move rows or cells.")
            % {"expected": f"{indicator.code} {row.value.measure.label}".strip()},
        )
    return None


def _read_entries(row: _SheetRow, indicator: Indicator, upload: _Upload) -> dict | None:
    """Parse the state's column (集計中 …), 実績 and 評価 as the entry page does; sets `row.entered` and
    `row.judged_grade`."""
    scheme = upload.scheme
    state_text = numbers.normalize(row[STATE_COLUMN])
    state = state_words(scheme).get(state_text) if state_text else ""
    if state is None:
        return sheet_error(row.number, upload.state_header, row[STATE_COLUMN], _state_column_message(scheme))
    try:
        row.entered = parse_actual(indicator, row["実績"], state=state, scheme=scheme)
    except EntryError as error:
        return sheet_error(row.number, "実績", row["実績"], error.message)
    try:
        judged = parse_judged_grade(indicator, row["評価"], scheme=scheme)
    except EntryError as error:
        return sheet_error(row.number, "評価", row["評価"], error.message)
    row.judged_grade = judged
    return None


def _state_column_message(scheme: GradingScheme) -> str:
    if only_tallying(scheme):
        return _("Write 集計中 in this column, or leave it blank.")
    names = [f"「{state.name}」" for state in scheme.states]
    return _("Write one of %(states)s in this column, or leave it blank.") % {"states": word_list(names, either=True)}


def _text(value: str) -> str:
    """A reason as compared and saved: one kind of line break, no surrounding blanks."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _decimal_text(value: Decimal | None) -> str:
    return "" if value is None else format(display.plain_decimal(value), "f")


def _actual_display(
    indicator: Indicator, state: str, value: Decimal | None, text: str, scheme: GradingScheme | None = None
) -> str:
    """The actual as the preview shows it: a figure with its unit (1,816件, 9.0%), 集計中 or another state
    of the scheme by its name (中止: as 集計中, the sheet's word in every language), the text, or 「—」."""
    if scheme is not None and (known := scheme.state(state)) is not None:
        return known.name
    printed = display.actual(state, value, text, **display.figure_style(indicator))
    return f"{printed}{indicator.unit}" if state == ActualState.NUMBER and value is not None else printed


def _same_actual(value: ResultValue, entered: ActualInput) -> bool:
    if value.actual_state != entered.state:
        return False
    if entered.state == ActualState.NUMBER:
        return value.actual_value == entered.value
    if entered.state == ActualState.TEXT:
        return value.actual_text == entered.text
    return True


def _achievement_text(indicator: Indicator, achievement: Decimal | None) -> str:
    return _decimal_text(display.achievement_cell(achievement, indicator.plan.achievement_decimals))


def _regraded(item: _Item, scheme: GradingScheme) -> tuple[Result, dict[int, ResultValue], list[dict]]:
    """Copies of the result and its values with the sheet's actuals, graded as saving would grade
    them (nothing saved), and the error when the plan's rule cannot grade them."""
    result, indicator = item.result, item.result.indicator
    new_values = {value.pk: copy.copy(value) for value in result.values.all()}
    for row in item.rows:
        target = new_values[row.value.pk]
        target.actual_state, target.actual_value, target.actual_text = (
            row.entered.state,
            row.entered.value,
            row.entered.text,
        )
    new_result = copy.copy(result)
    new_result.judged_grade = item.judged_grade if indicator.is_qualitative else ""
    # Without a gradable target the row is taken as a draft, its grade held at ー (as on the entry page).
    apply_grades_or_hold(new_result, list(new_values.values()), scheme)
    return new_result, new_values, []


def _measure_entry(
    indicator: Indicator, row: _SheetRow, old: ResultValue, new: ResultValue, scheme: GradingScheme
) -> dict:
    return {
        "row": row.number,
        "value_id": old.pk,
        "label": old.measure.label,
        "changed": not _same_actual(old, row.entered),
        "old": _actual_display(indicator, old.actual_state, old.actual_value, old.actual_text, scheme),
        "new": _actual_display(indicator, new.actual_state, new.actual_value, new.actual_text, scheme),
        "state": new.actual_state,
        "value": _decimal_text(new.actual_value),
        "text": new.actual_text,
        "old_achievement": _achievement_text(indicator, old.achievement),
        "achievement": _achievement_text(indicator, new.achievement),
        "old_grade": old.grade,
        "grade": new.grade,
    }


def _describe_item(item: _Item, scheme: GradingScheme) -> tuple[dict, list[dict]]:
    """What the item would change and the grades it would get, plus why it cannot be applied."""
    result, indicator = item.result, item.result.indicator
    new_result, new_values, errors = _regraded(item, scheme)
    values = {value.pk: value for value in result.values.all()}
    measures = [
        _measure_entry(indicator, row, values[row.value.pk], new_values[row.value.pk], scheme) for row in item.rows
    ]
    # A state's note (中止 …) is asked in 評価理由 of an outcome and of an activity, as on the entry page.
    states = [value.actual_state for value in new_values.values()]
    noted = [state.name for code in dict.fromkeys(states) if (state := scheme.state(code)) and state.note]
    reason_changed = item.reason != _text(result.reason)
    judged_changed = indicator.is_qualitative and item.judged_grade != result.judged_grade
    changed = reason_changed or judged_changed or any(measure["changed"] for measure in measures)
    entry = {
        "result_id": result.pk,
        "version": item.version,
        "row": item.rows[0].number,
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
        "reason_missing": scheme.reason_missing(new_result.grade, item.reason, states),
        "note_states": "・".join(noted) if not scheme.reason_required(new_result.grade) else "",
    }
    if changed:
        errors.extend(_refusals(item))
    return entry, errors


def _refusals(item: _Item) -> list[dict]:
    """Why a changed item cannot be taken: no longer with the department, or saved since the download."""
    result, first_row = item.result, item.rows[0]
    if result.status not in EDITABLE_BY_DEPARTMENT:
        status = ResultStatus(result.status).label
        return [
            sheet_error(
                first_row.number,
                "状態",
                str(status),
                _("This item is “%(status)s”: it can no longer be changed from the sheet.") % {"status": status},
            )
        ]
    if result.version != item.version:
        return [sheet_error(first_row.number, ID_COLUMN, first_row[ID_COLUMN], stale_message(result))]
    return []
