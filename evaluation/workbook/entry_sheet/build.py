"""Building a department's entry sheet: one row per measure of its results of a fiscal year, the
plan values as locked context, the entry cells unlocked, and the hidden 管理番号 naming each row's
result, value and the version the department saw (so the upload can tell a stale sheet).

The drop-down lists and the instructions are the plan's grading scheme's: its judged grade labels
(A–D, S/A/B/C, a/b/c …) in 評価, its state words (集計中; 完了, 未着手, 中止 …) in the state's column,
headed 「集計中」 or, where the scheme has other states, 「数値に代えて（…）」 (layout.state_header). All of
them are the year's scheme's (Plan.scheme_of)."""

from __future__ import annotations

import io
from copy import copy
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from evaluation import display
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.fiscal_year import era_name
from evaluation.domain.grading import GradingScheme
from evaluation.domain.messages import word_list
from evaluation.domain.workflow import EDITABLE_BY_DEPARTMENT
from evaluation.models import Indicator, Result, ResultValue
from evaluation.services.entries import reason_words
from evaluation.workbook.cells import DIRECTION_WORDS, KIND_WORDS, number_or_text_cell, spreadsheet_safe
from evaluation.workbook.entry_sheet.layout import (
    BORDER,
    ENTRY_COLUMNS,
    ENTRY_FILL,
    ENTRY_SHEET_COLUMNS,
    FIRST_DATA_ROW,
    HEADER_FILL,
    HELP_SHEET,
    ID_COLUMN,
    LOCKED_FILL,
    STATE_COLUMN,
    STATE_HEADER,
    STATE_WIDTH,
    UNLOCKED,
    WIDTHS,
    WRAPPED,
    column_number,
    entry_id,
    only_tallying,
    sheet_results,
    state_header,
)


@dataclass
class _Lists:
    """The sheet's drop-down lists: a qualitative grade, and the state words (集計中 …); the cells of
    each, given to it once all rows are written (openpyxl's add() looks through every cell already added: quadratic)."""

    grades: DataValidation
    tallying: DataValidation
    grade_cells: list[str] = field(default_factory=list)
    tallying_cells: list[str] = field(default_factory=list)

    def apply(self) -> None:
        self.grades.sqref = MultiCellRange(" ".join(self.grade_cells))
        self.tallying.sqref = MultiCellRange(" ".join(self.tallying_cells))


def build_entry_sheet(department, plan, fiscal_year: int) -> bytes:
    """The department's entry sheet of the plan's fiscal year, as XLSX bytes.

    One sheet named after the year (令和6年度): one row per measure in plan order; the context locked
    (sheet protection without a password, so it guards against slips, not against intent); 実績,
    集計中, 評価 (qualitative outcomes only) and 評価理由 (the indicator's first row) unlocked and pale
    yellow; rows the department cannot change now (提出済, 承認済) grey and locked; 管理番号 hidden.
    A second sheet, 記入方法, explains how to fill it in (in the active language)."""
    with translation.override("ja"):
        status_labels = {status: str(status.label) for status in ResultStatus}
    scheme = plan.scheme_of(fiscal_year)  # once for the sheet: the year's
    state_names = {state.code: state.name for state in scheme.states}  # the words typed, Japanese as the data
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = era_name(fiscal_year)
    _write_header(sheet, scheme)
    lists = _add_lists(sheet, scheme)
    styles: dict = {}
    row = FIRST_DATA_ROW
    for result in sheet_results(department, plan, fiscal_year):
        for index, value in enumerate(result.values.all()):
            status = status_labels[ResultStatus(result.status)]
            _write_row(sheet, result, value, first=index == 0, status=status, state_names=state_names)
            _style_row(sheet, row, result, first=index == 0, lists=lists, styles=styles)
            row += 1
    lists.apply()
    _protect(sheet)
    _add_help_sheet(workbook, department, fiscal_year, scheme)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(sheet, scheme: GradingScheme) -> None:
    """The header row; the state's column headed by the scheme (layout.state_header) and, under a
    longer header than 「集計中」, wider."""
    header = state_header(scheme)
    sheet.append([header if column == STATE_COLUMN else column for column in ENTRY_SHEET_COLUMNS])
    for index, column in enumerate(ENTRY_SHEET_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = ENTRY_FILL if column in ENTRY_COLUMNS else HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cell.border = BORDER
        width = STATE_WIDTH if column == STATE_COLUMN and header != STATE_COLUMN else WIDTHS[column]
        sheet.column_dimensions[get_column_letter(index)].width = width


def _list_formula(words) -> str:
    """A drop-down list's formula: the words in quotes, comma-separated (a word holding a comma or a
    quote cannot be listed; the upload still reads it when typed)."""
    return '"' + ",".join(word for word in words if "," not in word and '"' not in word) + '"'


def _quoted(words) -> list[str]:
    return [f"「{word}」" for word in words]


def _add_lists(sheet, scheme: GradingScheme) -> _Lists:
    labels = scheme.grade_labels
    grades = DataValidation(type="list", formula1=_list_formula(labels), allow_blank=True, showErrorMessage=True)
    grades.error = _("Choose %(labels)s.") % {"labels": word_list(labels, either=True)}
    grades.prompt = _("The grade of a qualitative outcome: %(labels)s.") % {"labels": word_list(labels, either=True)}
    grades.showInputMessage = True
    names = [state.name for state in scheme.states]
    tallying = DataValidation(type="list", formula1=_list_formula(names), allow_blank=True, showErrorMessage=True)
    if only_tallying(scheme):
        tallying.error = _("Choose 集計中, or leave the cell blank.")
    else:
        tallying.error = _("Choose one of %(states)s, or leave the cell blank.") % {
            "states": word_list(_quoted(names), either=True)
        }
        tallying.prompt = _("Instead of a figure: %(states)s.") % {"states": word_list(_quoted(names), either=True)}
        tallying.showInputMessage = True
    sheet.add_data_validation(grades)
    sheet.add_data_validation(tallying)
    return _Lists(grades, tallying)


def _actual_cells(value: ResultValue, state_names: dict[str, str]) -> tuple:
    """(実績, 集計中) as the sheet shows the saved actual: a state (集計中, 中止 …) by its name."""
    if value.actual_state == ActualState.NUMBER:
        return display.plain_decimal(value.actual_value), None
    if value.actual_state == ActualState.TEXT:
        return value.actual_text or None, None
    if value.scheme_state:
        fallback = display.TALLYING if value.scheme_state == ActualState.TALLYING else value.scheme_state
        return None, state_names.get(value.scheme_state, fallback)
    return None, None


def _baseline(indicator: Indicator) -> str | None:
    text = indicator.baseline_text
    if text and indicator.baseline_as_of:
        text = f"{text}（{indicator.baseline_as_of}）"
    return text or None


def _write_row(
    sheet, result: Result, value: ResultValue, *, first: bool, status: str, state_names: dict[str, str]
) -> None:
    """One measure's row; the grade and reason belong to the indicator, so only its first row has them."""
    indicator = result.indicator
    initiative = indicator.initiative
    area = initiative.vision.policy_area
    actual, tallying = _actual_cells(value, state_names)
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
        "当初計画": number_or_text_cell(value.original_plan_value, value.original_plan_text),
        "修正計画": number_or_text_cell(value.revised_plan_value, value.revised_plan_text),
        "目標": number_or_text_cell(value.target_value, value.target_text),
        "状態": status,
        "実績": actual,
        "集計中": tallying,
        "評価": (result.judged_grade or None) if first and indicator.is_qualitative else None,
        "評価理由": (result.reason or None) if first else None,
        ID_COLUMN: entry_id(result, value),
    }
    sheet.append([spreadsheet_safe(cells[column]) for column in ENTRY_SHEET_COLUMNS])


def _style_row(sheet, row: int, result: Result, *, first: bool, lists: _Lists, styles: dict) -> None:
    """Borders and wrapping; the entry cells unlocked and yellow, or the whole row grey when the
    department cannot change the item now. Each kind of cell is styled once; the others of its kind
    copy its style (as openpyxl copies a sheet): styling each cell anew hashed every style object."""
    editable = result.status in EDITABLE_BY_DEPARTMENT
    open_cells = {"実績", "集計中"}
    if first:
        open_cells.add("評価理由")
        if result.indicator.is_qualitative:
            open_cells.add("評価")
    for column in ENTRY_SHEET_COLUMNS:
        cell = sheet.cell(row=row, column=column_number(column))
        kind = (column, editable, column in open_cells)
        if kind in styles:
            cell._style = copy(styles[kind])
            continue
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=column in WRAPPED)
        if not editable:
            cell.fill = LOCKED_FILL
        elif column in open_cells:
            cell.protection = UNLOCKED
            cell.fill = ENTRY_FILL
        if column == "実績":
            # Text format: Excel would turn a typed 「90.8%」 into the number 0.908 and lose the unit.
            cell.number_format = "@"
        styles[kind] = copy(cell._style)
    if editable:
        lists.tallying_cells.append(sheet.cell(row=row, column=column_number("集計中")).coordinate)
        if "評価" in open_cells:
            lists.grade_cells.append(sheet.cell(row=row, column=column_number("評価")).coordinate)


def _protect(sheet) -> None:
    sheet.column_dimensions[get_column_letter(column_number(ID_COLUMN))].hidden = True
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=column_number("推進施策"))
    sheet.protection.sheet = True  # no password: it prevents slips; the upload checks everything anyway
    sheet.protection.formatColumns = False  # widths and filters stay usable
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ENTRY_SHEET_COLUMNS) - 1)}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


def _scheme_lines(scheme: GradingScheme) -> list[str]:
    """The instructions of the state's (集計中 or 数値に代えて), 評価 and 評価理由 columns, in the scheme's words."""
    names = [state.name for state in scheme.states]
    if only_tallying(scheme):
        lines = [_("集計中: choose 集計中 when the figure is still being tallied (you may also type 集計中 in 実績).")]
    elif names:
        lines = [
            _("%(column)s: instead of a figure, choose %(states)s (you may also type it in 実績).")
            % {"column": STATE_HEADER, "states": word_list(_quoted(names), either=True)}
        ]
    else:
        lines = []
    lines.append(
        _("評価: only for qualitative outcomes, %(labels)s. Other grades are computed from the figures.")
        % {"labels": word_list(scheme.grade_labels, either=True)}
    )
    labels, noted = reason_words(scheme)
    if labels:
        lines.append(
            _(
                "評価理由: required for the grades %(labels)s. A compound indicator has its grade and reason "
                "on its first row."
            )
            % {"labels": word_list(labels, "・")}
        )
    if noted:
        lines.append(
            _("評価理由: also required, as a note on why, for %(states)s, on an activity volume's row too.")
            % {"states": word_list(noted, "・")}
        )
    return lines


def _add_help_sheet(workbook: Workbook, department, fiscal_year: int, scheme: GradingScheme) -> None:
    sheet = workbook.create_sheet(HELP_SHEET)
    lines = [
        _("Entry sheet of %(department)s, %(year)s") % {"department": department.name, "year": era_name(fiscal_year)},
        "",
        _("Fill in only the pale yellow cells: 実績, %(state)s, 評価 and 評価理由. The other columns are the plan.")
        % {"state": STATE_COLUMN if only_tallying(scheme) else STATE_HEADER},
        _("実績: type the number as you usually do (1,816 or １，８１６, 287.1%); leave it blank if there is none."),
        *_scheme_lines(scheme),
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
