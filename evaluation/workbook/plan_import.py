"""The plan workbook importer: one code path for the admin, the command line and the tests.

`read_workbook` turns a CSV (UTF-8 with or without BOM, or Shift_JIS/cp932) or an XLSX file into
rows of stripped strings; `import_plan_rows` validates every row, collects every problem, and only
when there is none applies the whole file in one transaction. See shared/data/FORMAT.md.

What an import does and does not touch:

- Plan (by name), Pillar, PolicyArea, Vision, Initiative (by number under their parent), Department
  (by name), Indicator (by plan and 指標ID), Measure (by indicator and 小項目), Result (by indicator
  and 年度) and ResultValue (by result and measure) are created or updated in place.
- Only objects whose fields change are saved, so importing the same file twice saves nothing and
  django-simple-history records nothing the second time. Every save goes through `save()` (no bulk
  mode, which would skip the history).
- Results of fiscal years not in the file are never read nor written.
- Indicators, measures and hierarchy rows that are missing from a file are left alone (never deleted):
  a file may hold part of a plan.
- An approved result is locked: a row that would change it refuses the file (unchanged rows pass).
- The status of an existing result is never changed; a new one starts NOT_ENTERED (no actual) or
  DRAFT. The grades of graded outcomes are always computed (scoring.apply_grades), never read.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from departments.models import Department
from evaluation.domain import grading, numbers
from evaluation.domain.enums import ActualState, Direction, IndicatorKind, ResultStatus
from evaluation.domain.fiscal_year import FiscalYearError, display_fiscal_year, parse_fiscal_year
from evaluation.domain.messages import describe
from evaluation.models import Indicator, Initiative, Measure, Pillar, Plan, PolicyArea, Result, ResultValue, Vision
from evaluation.services import scoring
from evaluation.workbook.results_export import FORMULA_TRIGGERS

# The workbook's columns, in the order of FORMAT.md (and of the export).
COLUMNS = [
    "計画",
    "年度",
    "指標ID",
    "柱番号",
    "柱",
    "推進施策番号",
    "推進施策",
    "めざす姿番号",
    "めざす姿見出し",
    "めざす姿",
    "計画書頁",
    "取組番号",
    "主な取組み",
    "取組内容",
    "実施計画",
    "再掲",
    "種別",
    "区分",
    "指標名",
    "注記",
    "小項目",
    "小項目名",
    "単位",
    "方向",
    "現況値",
    "現況値時点",
    "当初計画",
    "修正計画",
    "目標",
    "修正理由",
    "担当所管課",
    "実績",
    "評価",
    "評価理由",
]
FIRST_DATA_ROW = 2  # the header is row 1, as in the spreadsheet

KIND_WORDS = {"行動量": IndicatorKind.ACTIVITY, "成果指標": IndicatorKind.OUTCOME}
DIRECTION_WORDS = {"高いほど良い": Direction.HIGHER, "低いほど良い": Direction.LOWER, "定性": Direction.QUALITATIVE}
RELISTED_WORD = "再掲"
GRADE_LETTERS = ("A", "B", "C", "D")

# A text cell starting with one of these is exported with a leading apostrophe so that no spreadsheet
# runs it as a formula; reading takes the apostrophe off again.

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
CHANGE_REASON = "import"  # django-simple-history's history_change_reason of every save of an import
_RANK = {UNCHANGED: 0, UPDATED: 1, CREATED: 2}


# ---------------------------------------------------------------------------------------------------
# Errors and the report


@dataclass(frozen=True)
class RowError:
    """One problem of the file. `row` is the spreadsheet row (header = 1), None for the whole file."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)s, column %(column)s, value %(value)s: %(message)s") % {
            "row": self.row,
            "column": f"「{self.column}」",
            "value": f"「{self.value}」",
            "message": self.message,
        }


class ImportRefused(Exception):
    """Nothing was imported. `errors` lists every problem found, in row order."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(
            errors, key=lambda error: (error.row or 0, COLUMNS.index(error.column) if error.column in COLUMNS else -1)
        )
        super().__init__("\n".join(str(error) for error in self.errors))


class UnreadableWorkbook(ImportRefused):
    """The file cannot be read at all (unknown extension, broken file, unknown encoding)."""

    def __init__(self, message: str):
        super().__init__([RowError(None, "", "", message)])


@dataclass
class RowOutcome:
    """What one row of the file did: created, updated or unchanged, and which fields changed."""

    row: int
    fiscal_year: int
    code: str
    label: str
    kind: str
    name: str
    action: str = UNCHANGED
    changes: list[str] = field(default_factory=list)
    instance: Any = None  # the indicator of the row (the initiative for a row without indicator)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    plan_name: str
    fiscal_years: list[int]
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    # {model verbose name plural: Counter(created=…, updated=…, unchanged=…)}
    counts: dict[str, Counter] = field(default_factory=dict)
    # Values the file holds that the import does not use (e.g. 評価 of a graded outcome).
    ignored: list[RowError] = field(default_factory=list)

    @property
    def row_counts(self) -> Counter:
        return Counter(outcome.action for outcome in self.rows)

    @property
    def has_changes(self) -> bool:
        return any(outcome.action != UNCHANGED for outcome in self.rows)

    def changes(self) -> list[tuple[int, str]]:
        """(row, description) of every change, for a preview."""
        return [(outcome.row, change) for outcome in self.rows for change in outcome.changes]

    def summary_lines(self) -> list[str]:
        """The summary in the active language: plan, years, then created/updated/unchanged per kind."""
        years = "、".join(display_fiscal_year(year) for year in self.fiscal_years)
        lines = [
            _("Plan: %(plan)s") % {"plan": self.plan_name},
            _("Fiscal year: %(years)s") % {"years": years},
        ]
        if self.dry_run:
            lines.append(_("Dry run: nothing was saved."))
        rows = self.row_counts
        lines.append(
            _("Rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {"created": rows[CREATED], "updated": rows[UPDATED], "unchanged": rows[UNCHANGED]}
        )
        for kind, counts in self.counts.items():
            lines.append(
                _("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {"kind": kind, "created": counts[CREATED], "updated": counts[UPDATED], "unchanged": counts[UNCHANGED]}
            )
        return lines

    def __str__(self):
        return "\n".join(self.summary_lines())


# ---------------------------------------------------------------------------------------------------
# Reading files


def read_workbook(source, filename: str | None = None) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX workbook as dicts {header: stripped string}; blank cells are "".

    `source` is a path or a binary file object (an upload); `filename` gives the extension when the
    source has no name. Row i of the list is spreadsheet row i + 2 (blank rows are kept, so the
    numbering holds). Raises UnreadableWorkbook.
    """
    name = filename or (str(source) if isinstance(source, str | os.PathLike) else getattr(source, "name", "")) or ""
    try:
        data = _read_bytes(source)
    except OSError as error:
        raise UnreadableWorkbook(
            _("The file %(name)s cannot be read (%(error)s).") % {"name": name, "error": error.strerror or error}
        ) from error
    extension = Path(name).suffix.lower()
    if not extension:
        extension = ".xlsx" if data.startswith(b"PK\x03\x04") else ".csv"
    if extension == ".csv":
        table = _read_csv(data)
    elif extension in (".xlsx", ".xlsm"):
        table = _read_xlsx(data)
    else:
        raise UnreadableWorkbook(
            _("The file %(name)s is neither a CSV nor an Excel (.xlsx) file.") % {"name": Path(name).name}
        )
    if not table:
        raise UnreadableWorkbook(_("The file is empty."))
    headers = [clean_cell(cell) for cell in table[0]]
    while headers and not headers[-1]:
        headers.pop()
    duplicates = sorted({header for header in headers if header and headers.count(header) > 1})
    if duplicates:
        raise UnreadableWorkbook(
            _("The header row names a column more than once: %(columns)s.")
            % {"columns": "、".join(f"「{column}」" for column in duplicates)}
        )
    rows = []
    for cells in table[1:]:
        values = [clean_cell(cell) for cell in cells]
        values += [""] * (len(headers) - len(values))
        rows.append({header: values[index] for index, header in enumerate(headers) if header})
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


def _read_bytes(source) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    if hasattr(source, "chunks"):  # a Django UploadedFile
        return b"".join(source.chunks())
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise UnreadableWorkbook(
        _("The CSV file is neither UTF-8 nor Shift_JIS. Save it from Excel as “CSV UTF-8” and import it again.")
    )


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import openpyxl  # imported here: only the XLSX path needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException…)
        raise UnreadableWorkbook(
            _("The Excel file cannot be read (%(error)s). Save it as .xlsx and import it again.")
            % {"error": type(error).__name__}
        ) from error
    try:
        if not book.worksheets:
            return []
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def clean_cell(value: Any) -> str:
    """A cell as the exact text typed: floats by their shortest repr (never float arithmetic)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


# ---------------------------------------------------------------------------------------------------
# Validation


@dataclass
class _Value:
    """A plan value, target or actual: a number, a text, or nothing; `state` for actuals."""

    number: Decimal | None = None
    text: str = ""
    state: str = ActualState.EMPTY


@dataclass
class _Row:
    number: int
    raw: dict[str, str]
    plan_name: str = ""
    fiscal_year: int | None = None
    code: str = ""
    kind: str = ""  # "" = an initiative without indicator
    pillar: int | None = None
    policy_area: int | None = None
    vision: int | None = None
    initiative: int | None = None
    direction: str = ""
    original_plan: _Value = field(default_factory=_Value)
    revised_plan: _Value = field(default_factory=_Value)
    target: _Value = field(default_factory=_Value)
    actual: _Value = field(default_factory=_Value)
    judged_grade: str = ""
    baseline_value: Decimal | None = None
    filled: dict[str, str] = field(default_factory=dict)  # blank hierarchy cells, from the other rows

    def __getitem__(self, column: str) -> str:
        return self.raw.get(column, "")

    def value(self, column: str) -> str:
        """The cell, or for a blank hierarchy cell the value the other rows of its level give."""
        return self.raw.get(column, "") or self.filled.get(column, "")


# Columns that must agree on every row of one indicator (the indicator's own columns).
INDICATOR_COLUMNS = ["柱番号", "推進施策番号", "めざす姿番号", "取組番号", "種別", "区分", "指標名", "注記", "単位"]
INDICATOR_COLUMNS += ["方向", "現況値", "現況値時点", "担当所管課"]
# Columns of the year's Result (one per indicator and year): the same on every sub-item row, or blank.
RESULT_COLUMNS = ["評価", "評価理由", "修正理由"]
HIERARCHY_COLUMNS = {
    "柱番号": ["柱"],
    "推進施策番号": ["推進施策"],
    "めざす姿番号": ["めざす姿見出し", "めざす姿", "計画書頁"],
    "取組番号": ["主な取組み", "取組内容", "実施計画", "再掲"],
}
MAX_NUMBER = 32767  # PositiveSmallIntegerField
_INTEGER = re.compile(r"^\d+(\.0+)?$")
_SUB_ITEM_BASELINE = re.compile(r"([A-Za-z])\s*[)）]\s*([^A-Za-z)）]*)")


class _Validator:
    def __init__(self, rule: grading.GradingRule):
        self.rule = rule
        self.errors: list[RowError] = []
        self.ignored: list[RowError] = []

    def error(self, row: _Row, column: str, message: str):
        self.errors.append(RowError(row.number, column, row[column], str(message)))

    def validate(self, raw_rows: list[dict[str, str]]) -> list[_Row]:
        rows = []
        for index, raw in enumerate(raw_rows):
            if not any(value.strip() for value in raw.values()):
                continue
            rows.append(self.parse_row(_Row(number=index + FIRST_DATA_ROW, raw=raw)))
        if not rows:
            self.errors.append(RowError(None, "", "", _("The file has no data rows.")))
            return rows
        self.check_one_plan(rows)
        self.check_duplicates(rows)
        self.check_agreement(rows)
        return rows

    # One row ---------------------------------------------------------------------------------------

    def parse_row(self, row: _Row) -> _Row:
        row.plan_name = row["計画"]
        if not row.plan_name:
            self.error(row, "計画", _("The plan name is missing."))
        try:
            row.fiscal_year = parse_fiscal_year(row["年度"])
            if not 1900 <= row.fiscal_year <= 2200:
                raise FiscalYearError(row["年度"])
        except FiscalYearError as error:
            self.error(row, "年度", describe(error))
            row.fiscal_year = None
        row.pillar = self.hierarchy_number(row, "柱番号")
        row.policy_area = self.hierarchy_number(row, "推進施策番号")
        row.vision = self.hierarchy_number(row, "めざす姿番号")
        row.initiative = self.hierarchy_number(row, "取組番号")
        for column in ("柱", "推進施策", "主な取組み"):
            if not row[column]:
                self.error(row, column, _("The title is missing."))
        if row["再掲"] not in ("", RELISTED_WORD):
            self.error(row, "再掲", _("Write 「再掲」 or leave the cell blank."))

        kind_word = row["種別"]
        row.code = row["指標ID"]
        if not kind_word:
            if row.code:
                self.error(row, "種別", _("The row has an indicator ID but no kind: write 行動量 or 成果指標."))
            return row  # an initiative without indicator: only the hierarchy columns count
        if kind_word not in KIND_WORDS:
            self.error(
                row, "種別", _("The kind must be 行動量, 成果指標, or blank for an initiative without indicator.")
            )
            return row
        row.kind = KIND_WORDS[kind_word]
        if not row.code:
            self.error(row, "指標ID", _("The indicator ID is missing."))
        if not row["指標名"]:
            self.error(row, "指標名", _("The indicator name is missing."))
        if not row["担当所管課"]:
            self.error(row, "担当所管課", _("The responsible department is missing."))
        if len(row["小項目"]) > 10:
            self.error(row, "小項目", _("A sub-item label is at most 10 characters (e.g. a, b)."))
        row.baseline_value = self.baseline(row)
        if row.kind == IndicatorKind.ACTIVITY:
            self.parse_activity(row)
        else:
            self.parse_outcome(row)
        return row

    def hierarchy_number(self, row: _Row, column: str) -> int | None:
        text = numbers.normalize(row[column])
        if not text:
            self.error(row, column, _("The number is missing."))
            return None
        if not _INTEGER.match(text) or not 1 <= int(Decimal(text)) <= MAX_NUMBER:
            self.error(row, column, _("Write a whole number such as 1 or 12."))
            return None
        return int(Decimal(text))

    def baseline(self, row: _Row) -> Decimal | None:
        """The numeric 現況値 of the row's measure, or None when it is not a number."""
        text = row["現況値"]
        if row["小項目"]:
            parts = dict(_SUB_ITEM_BASELINE.findall(numbers.normalize(text)))
            text = parts.get(numbers.normalize(row["小項目"]), "").strip()
        try:
            value = numbers.parse_number(text, row["単位"])
        except numbers.NumberError:
            return None
        return value if isinstance(value, Decimal) else None

    def parse_activity(self, row: _Row):
        if row["方向"]:
            self.error(row, "方向", _("Only outcome indicators have a direction; leave it blank for 行動量."))
        if row["目標"]:
            self.error(row, "目標", _("Only outcome indicators have a target; write the plan of 行動量 in 当初計画."))
        row.original_plan = self.number_or_text(row, "当初計画")
        row.revised_plan = self.number_or_text(row, "修正計画")
        row.actual = self.actual(row, text_allowed=True)
        if row["評価"]:
            self.ignore(row, "評価", _("Activity volumes are not graded; the grade is ignored."))

    def parse_outcome(self, row: _Row):
        word = row["方向"]
        if word not in DIRECTION_WORDS:
            self.error(row, "方向", _("The direction of an outcome must be 高いほど良い, 低いほど良い or 定性."))
            return
        row.direction = DIRECTION_WORDS[word]
        for column in ("当初計画", "修正計画"):
            if row[column]:
                self.error(row, column, _("Only activity volumes have a plan; write the outcome's target in 目標."))
        qualitative = row.direction == Direction.QUALITATIVE
        if qualitative:
            row.target = self.number_or_text(row, "目標")
            row.actual = self.actual(row, text_allowed=True)
            grade = unicodedata.normalize("NFKC", row["評価"]).upper()
            if grade and grade not in GRADE_LETTERS:
                self.error(row, "評価", _("The grade must be A, B, C or D."))
            elif grade:
                row.judged_grade = grade
            return
        row.target = self.graded_target(row)
        row.actual = self.actual(row, text_allowed=False)
        if row["評価"]:
            self.ignore(
                row, "評価", _("The grade of this outcome is computed from its target and actual; 評価 is ignored.")
            )

    def graded_target(self, row: _Row) -> _Value:
        try:
            value = numbers.parse_number(row["目標"], row["単位"])
        except numbers.NumberError as error:
            hint = _("A graded outcome needs a numeric target other than 0.")
            self.error(row, "目標", f"{describe(error)} {hint}")
            return _Value()
        number = value if isinstance(value, Decimal) else None
        try:
            grading.check_gradable(self.rule, row.direction, number, row.baseline_value)
        except grading.GradingError as error:
            self.error(row, "目標", describe(error))
        return _Value(number=number)

    def number_or_text(self, row: _Row, column: str) -> _Value:
        """A number, or a text where text is legitimate (a qualitative plan or target)."""
        try:
            value = numbers.parse_number(row[column], row["単位"])
        except numbers.NumberError as error:
            if error.code == "bad_grouping":  # clearly a number, typed wrong
                self.error(row, column, describe(error))
                return _Value()
            return _Value(text=row[column])
        if value is numbers.EMPTY:
            return _Value()
        if value is numbers.TALLYING:
            return _Value(text=row[column])
        return _Value(number=value)

    def actual(self, row: _Row, *, text_allowed: bool) -> _Value:
        try:
            value = numbers.parse_number(row["実績"], row["単位"])
        except numbers.NumberError as error:
            if text_allowed and error.code != "bad_grouping":
                return _Value(text=row["実績"], state=ActualState.TEXT)
            message = describe(error)
            if not text_allowed:
                hint = _("Write a number, 集計中, or leave it blank.")
                message = f"{message} {hint}"
            self.error(row, "実績", message)
            return _Value()
        if value is numbers.EMPTY:
            return _Value()
        if value is numbers.TALLYING:
            return _Value(state=ActualState.TALLYING)
        return _Value(number=value, state=ActualState.NUMBER)

    def ignore(self, row: _Row, column: str, message: str):
        self.ignored.append(RowError(row.number, column, row[column], str(message)))

    # Across rows -----------------------------------------------------------------------------------

    def check_one_plan(self, rows: list[_Row]):
        names = [row.plan_name for row in rows if row.plan_name]
        if len(set(names)) > 1:
            first = names[0]
            for row in rows:
                if row.plan_name and row.plan_name != first:
                    self.error(
                        row, "計画", _("A file holds one plan; the first row names 「%(plan)s」.") % {"plan": first}
                    )

    def check_duplicates(self, rows: list[_Row]):
        seen: dict[tuple, int] = {}
        for row in rows:
            if not row.kind or not row.code:
                continue
            key = (row.plan_name, row.fiscal_year, row.code, row["小項目"])
            if key in seen:
                self.error(
                    row,
                    "指標ID",
                    _("Row %(row)s already has this indicator ID and sub-item (小項目 「%(label)s」) for this year.")
                    % {"row": seen[key], "label": row["小項目"]},
                )
            else:
                seen[key] = row.number
        labels: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if row.kind and row.code:
                labels[row.code].add(row["小項目"])
        for row in rows:
            if row.kind and row.code and "" in labels[row.code] and len(labels[row.code]) > 1:
                self.error(
                    row, "小項目", _("Some rows of this indicator have a sub-item (小項目) and others have none.")
                )

    def check_agreement(self, rows: list[_Row]):
        indicator_rows = [row for row in rows if row.kind and row.code]
        self.agree(indicator_rows, lambda row: row.code, INDICATOR_COLUMNS, _("indicator ID 「%(key)s」"))
        self.agree(
            indicator_rows,
            lambda row: (row.code, row.fiscal_year),
            RESULT_COLUMNS,
            _("indicator ID 「%(key)s」 in the same year"),
            blank_agrees=True,
        )
        self.agree(indicator_rows, lambda row: (row.code, row["小項目"]), ["小項目名"], _("this sub-item"))
        for number_column, title_columns in HIERARCHY_COLUMNS.items():
            depth = list(HIERARCHY_COLUMNS).index(number_column) + 1
            path = [
                row for row in rows if None not in (row.pillar, row.policy_area, row.vision, row.initiative)[:depth]
            ]

            def key(row, depth=depth):
                return (row.pillar, row.policy_area, row.vision, row.initiative)[:depth]

            # The demo sheet leaves e.g. 実施計画 blank on some rows of an initiative: a blank cell
            # agrees with any value, and takes the value of the initiative's other rows.
            first = self.agree(
                path,
                key,
                title_columns,
                _("the same %(column)s") % {"column": number_column},
                blank_agrees=True,
                show_key=False,
            )
            for row in path:
                for column in title_columns:
                    if not row[column] and (key(row), column) in first:
                        row.filled[column] = first[(key(row), column)][column]

    def agree(self, rows, key, columns, what, *, blank_agrees=False, show_key=True) -> dict[tuple, _Row]:
        """Every row with the same key must have the same value in each column (the first row's).
        Returns {(key, column): the first row with a value there}."""
        first: dict[tuple, _Row] = {}
        for row in rows:
            for column in columns:
                value = row[column]
                if blank_agrees and not value:
                    continue
                slot = (key(row), column)
                if slot not in first:
                    first[slot] = row
                    continue
                if first[slot][column] != value:
                    label = str(what) % {"key": row.code} if show_key else str(what)
                    self.error(
                        row,
                        column,
                        _("Rows with %(what)s must agree: row %(row)s has 「%(other)s」.")
                        % {"what": label, "row": first[slot].number, "other": first[slot][column]},
                    )
        return first


# ---------------------------------------------------------------------------------------------------
# Applying


def _label(obj, field_name: str) -> str:
    return str(obj._meta.get_field(field_name).verbose_name)


def _display(value) -> str:
    if isinstance(value, Decimal):
        return numbers.format_number(value)
    if value is None or value == "":
        return "—"
    return str(getattr(value, "name", value))


class _Applier:
    def __init__(self, rows: list[_Row], user, dry_run: bool):
        self.rows = rows
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.years = sorted({row.fiscal_year for row in rows})
        self.report = ImportReport(plan_name=rows[0].plan_name, fiscal_years=self.years, dry_run=dry_run)
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.outcome: RowOutcome | None = None

    # Bookkeeping -----------------------------------------------------------------------------------

    def count(self, model, action: str):
        self.counts[str(model._meta.verbose_name_plural)][action] += 1

    def mark(self, action: str, changes: list[str] = ()):
        """Record on the current row what happened: created beats updated beats unchanged."""
        if _RANK[action] > _RANK[self.outcome.action]:
            self.outcome.action = action
        self.outcome.changes.extend(str(change) for change in changes)

    def save(self, obj, fields: list[str] | None = None):
        if self.user is not None:
            obj._history_user = self.user  # django-simple-history's way to name the user outside a request
        obj._change_reason = CHANGE_REASON  # the path, for the audit trail
        obj.save(update_fields=fields)

    def sync(self, obj, values: dict[str, Any]) -> list[str]:
        """Set the fields that differ and save only those. Returns the descriptions of the changes."""
        changed, descriptions = [], []
        for name, value in values.items():
            model_field = obj._meta.get_field(name)
            if model_field.is_relation:
                if getattr(obj, model_field.attname) == value.pk:
                    continue
                old = getattr(obj, name)
            else:
                old = getattr(obj, name)
                if _same(old, value):
                    continue
            setattr(obj, name, value)
            changed.append(name)
            descriptions.append(
                f"{obj._meta.verbose_name} {obj}: {_label(obj, name)} {_display(old)} → {_display(value)}"
            )
        if changed:
            self.save(obj, changed)
        return descriptions

    def get_or_create(self, cache: dict, key, model, values: dict[str, Any]):
        obj = cache.get(key)
        if obj is None:
            obj = model(**values)
            self.save(obj)
            cache[key] = obj
            self.seen.add(id(obj))
            self.count(model, CREATED)
            self.mark(CREATED, [_("New %(model)s %(object)s") % {"model": model._meta.verbose_name, "object": obj}])
            return obj
        if id(obj) in self.seen:
            return obj
        self.seen.add(id(obj))
        changes = self.sync(obj, values)
        self.count(model, UPDATED if changes else UNCHANGED)
        if changes:
            self.mark(UPDATED, changes)
        return obj

    # The import ------------------------------------------------------------------------------------

    def run(self) -> ImportReport:
        self.seen: set[int] = set()
        plan = self.plan()
        self.load(plan)
        indicator_groups: dict[str, list[_Row]] = defaultdict(list)
        for row in self.rows:
            if row.kind:
                indicator_groups[row.code].append(row)
        positions = {code: index for index, code in enumerate(indicator_groups, start=1)}
        result_rows: dict[tuple[str, int], list[_Row]] = defaultdict(list)
        for row in self.rows:
            self.outcome = RowOutcome(
                row=row.number,
                fiscal_year=row.fiscal_year,
                code=row.code,
                label=row["小項目"],
                kind=row["種別"],
                name=row["指標名"] or row.value("主な取組み"),
            )
            self.report.rows.append(self.outcome)
            initiative = self.hierarchy(plan, row)
            self.outcome.instance = initiative
            if not row.kind:
                continue
            indicator = self.indicator(plan, initiative, row, positions[row.code])
            self.measure(indicator, row)
            self.outcome.instance = indicator
            result_rows[(row.code, row.fiscal_year)].append(row)
        outcomes = {outcome.row: outcome for outcome in self.report.rows}
        self.lock_errors: list[RowError] = []
        for (code, year), rows in result_rows.items():
            self.result(self.indicators[code], year, rows, outcomes)
        if self.lock_errors:
            raise ImportRefused(self.lock_errors)  # inside the import's transaction: nothing is kept
        self.report.counts = dict(self.counts)
        return self.report

    def plan(self) -> Plan:
        plan = Plan.objects.filter(name=self.report.plan_name).first()
        if plan is None:
            plan = Plan(name=self.report.plan_name, first_fiscal_year=self.years[0], last_fiscal_year=self.years[-1])
            self.save(plan)
            self.count(Plan, CREATED)
            self.plan_change = (CREATED, [_("New plan %(plan)s") % {"plan": plan}])
        else:
            changes = self.sync(
                plan,
                {
                    "first_fiscal_year": min(plan.first_fiscal_year, self.years[0]),
                    "last_fiscal_year": max(plan.last_fiscal_year, self.years[-1]),
                },
            )
            self.count(Plan, UPDATED if changes else UNCHANGED)
            self.plan_change = (UPDATED, changes) if changes else None
        return plan

    def load(self, plan: Plan):
        """Fetch every existing row the file may touch, in a handful of queries."""
        self.departments = {department.name: department for department in Department.objects.all()}
        self.pillars = {pillar.number: pillar for pillar in Pillar.objects.filter(plan=plan)}
        self.policy_areas = {
            (area.pillar_id, area.number): area for area in PolicyArea.objects.filter(pillar__plan=plan)
        }
        self.visions = {
            (vision.policy_area_id, vision.number): vision
            for vision in Vision.objects.filter(policy_area__pillar__plan=plan)
        }
        self.initiatives = {
            (initiative.vision_id, initiative.number): initiative
            for initiative in Initiative.objects.filter(vision__policy_area__pillar__plan=plan)
        }
        self.indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(plan=plan)}
        for indicator in self.indicators.values():
            indicator.plan = plan
        self.measures = {
            (measure.indicator_id, measure.label): measure for measure in Measure.objects.filter(indicator__plan=plan)
        }
        # Only the file's years: another year's results are never read, so never written.
        self.results = {
            (result.indicator_id, result.fiscal_year): result
            for result in Result.objects.filter(indicator__plan=plan, fiscal_year__in=self.years)
        }
        self.values = {
            (value.result_id, value.measure_id): value
            for value in ResultValue.objects.filter(result__indicator__plan=plan, result__fiscal_year__in=self.years)
        }

    def hierarchy(self, plan: Plan, row: _Row) -> Initiative:
        if self.plan_change:  # told on the first row
            self.mark(*self.plan_change)
            self.plan_change = None
        pillar = self.get_or_create(
            self.pillars, row.pillar, Pillar, {"plan": plan, "number": row.pillar, "title": row.value("柱")}
        )
        area = self.get_or_create(
            self.policy_areas,
            (pillar.pk, row.policy_area),
            PolicyArea,
            {"pillar": pillar, "number": row.policy_area, "title": row.value("推進施策")},
        )
        vision = self.get_or_create(
            self.visions,
            (area.pk, row.vision),
            Vision,
            {
                "policy_area": area,
                "number": row.vision,
                "heading": row.value("めざす姿見出し"),
                "statement": row.value("めざす姿"),
                "plan_pages": row.value("計画書頁"),
            },
        )
        return self.get_or_create(
            self.initiatives,
            (vision.pk, row.initiative),
            Initiative,
            {
                "vision": vision,
                "number": row.initiative,
                "title": row.value("主な取組み"),
                "description": row.value("取組内容"),
                "implementation_ref": row.value("実施計画"),
                "is_relisted": row.value("再掲") == RELISTED_WORD,
            },
        )

    def department(self, name: str) -> Department:
        department = self.departments.get(name)
        if department is None:
            department = Department(name=name)
            self.save(department)
            self.departments[name] = department
            self.seen.add(id(department))
            self.count(Department, CREATED)
            self.mark(CREATED, [_("New department %(department)s") % {"department": name}])
        elif id(department) not in self.seen:
            self.seen.add(id(department))
            self.count(Department, UNCHANGED)
        return department

    def indicator(self, plan: Plan, initiative: Initiative, row: _Row, position: int) -> Indicator:
        values = {
            "plan": plan,
            "initiative": initiative,
            "code": row.code,
            "kind": row.kind,
            "label": row["区分"],
            "name": row["指標名"],
            "footnote": row["注記"],
            "unit": row["単位"],
            "direction": row.direction,
            "baseline_text": row["現況値"],
            "baseline_as_of": row["現況値時点"],
            "department": self.department(row["担当所管課"]),
            "position": position,
        }
        indicator = self.get_or_create(self.indicators, row.code, Indicator, values)
        indicator.plan = plan
        return indicator

    def measure(self, indicator: Indicator, row: _Row) -> Measure:
        values = {
            "indicator": indicator,
            "label": row["小項目"],
            "name": row["小項目名"],
            "baseline_value": row.baseline_value,
        }
        measure = self.get_or_create(self.measures, (indicator.pk, row["小項目"]), Measure, values)
        measure.indicator = indicator
        return measure

    def result(self, indicator: Indicator, year: int, rows: list[_Row], outcomes: dict[int, RowOutcome]):
        self.outcome = outcomes[rows[0].number]
        first_nonblank = {column: next((row[column] for row in rows if row[column]), "") for column in RESULT_COLUMNS}
        judged = next((row.judged_grade for row in rows if row.judged_grade), "")
        fields = {
            "judged_grade": judged if indicator.is_qualitative else "",
            "reason": first_nonblank["評価理由"],
            "revision_reason": first_nonblank["修正理由"],
        }
        result = self.results.get((indicator.pk, year))
        created = result is None
        if created:
            has_actual = any(row.actual.state != ActualState.EMPTY for row in rows)
            result = Result(
                indicator=indicator,
                fiscal_year=year,
                status=ResultStatus.DRAFT if has_actual else ResultStatus.NOT_ENTERED,
                updated_by=self.user,
                **fields,
            )
            before = {}
        else:
            before = {name: getattr(result, name) for name in [*fields, "grade"]}
            for name, value in fields.items():
                setattr(result, name, value)
        result.indicator = indicator

        values, value_before = [], {}
        for row in rows:
            measure = self.measures[(indicator.pk, row["小項目"])]
            value = self.values.get((result.pk, measure.pk)) if not created else None
            desired = {
                "original_plan_value": row.original_plan.number,
                "original_plan_text": row.original_plan.text,
                "revised_plan_value": row.revised_plan.number,
                "revised_plan_text": row.revised_plan.text,
                "target_value": row.target.number,
                "target_text": row.target.text,
                "actual_state": row.actual.state,
                "actual_value": row.actual.number,
                "actual_text": row.actual.text,
            }
            if value is None:
                value = ResultValue(measure=measure, **desired)
            else:
                value_before[id(value)] = {name: getattr(value, name) for name in [*desired, "achievement", "grade"]}
                for name, new in desired.items():
                    setattr(value, name, new)
            value.measure = measure
            values.append((row, value))
        scoring.apply_grades(result, [value for _row, value in values])

        result_changes = {} if created else _differences(result, before)
        value_changes = {
            id(value): _differences(value, value_before[id(value)]) if id(value) in value_before else None
            for _row, value in values
        }
        if not created and result.status == ResultStatus.APPROVED:
            # Approved data is locked: unchanged rows pass, a change is refused (the whole file with it).
            self.refuse_approved_changes(
                result, rows, result_changes, [(row, value_changes[id(value)]) for row, value in values]
            )
            return
        if created:
            self.save(result)
            self.count(Result, CREATED)
            self.mark(CREATED, [_("New result %(result)s") % {"result": result}])
        elif result_changes or any(changes is None or changes for changes in value_changes.values()):
            # A changed value changes its result: a new version, so that a form opened before the
            # import cannot silently overwrite it.
            result.version += 1
            if self.user is not None:
                result.updated_by = self.user
            self.save(result, [*result_changes, "version", "updated_by", "updated_at"])
            self.count(Result, UPDATED)
            self.mark(UPDATED, [f"{result}: {description}" for description in result_changes.values()])
        else:
            self.count(Result, UNCHANGED)
        for row, value in values:
            self.outcome = outcomes[row.number]
            value.result = result
            changes = value_changes[id(value)]
            if changes is None:
                self.save(value)
                self.count(ResultValue, CREATED)
                self.mark(CREATED)
            elif changes:
                self.save(value, list(changes))
                self.count(ResultValue, UPDATED)
                self.mark(UPDATED, [f"{value}: {description}" for description in changes.values()])
            else:
                self.count(ResultValue, UNCHANGED)

    def refuse_approved_changes(self, result: Result, rows: list[_Row], result_changes: dict, value_changes: list):
        """One error per row and column of the file that would change an approved result."""
        errors: dict[tuple[int, str], RowError] = {}

        def refuse(row: _Row, column: str):
            errors.setdefault(
                (row.number, column),
                RowError(
                    row.number,
                    column,
                    row[column],
                    _("%(result)s is approved: ask the planning section to reopen it.") % {"result": result},
                ),
            )

        for row, changes in value_changes:
            if changes is None:  # a new sub-item of an approved result
                refuse(row, "小項目")
                continue
            columns = {APPROVED_LOCK_COLUMNS[name] for name in changes}
            if columns - {"現況値"}:
                columns.discard("現況値")  # the grade moved with the target or actual, not the baseline
            for column in sorted(columns, key=COLUMNS.index):
                refuse(row, column)
        for name in result_changes:
            column = APPROVED_LOCK_COLUMNS[name]
            if column == "現況値" and errors:
                continue
            refuse(next((row for row in rows if row[column]), rows[0]), column)
        self.lock_errors.extend(errors.values())


# The column of the file behind each field an import may change on an existing result. A grade or
# achievement that moves while the target and actual stay put moved with the baseline (現況値).
APPROVED_LOCK_COLUMNS = {
    "judged_grade": "評価",
    "reason": "評価理由",
    "revision_reason": "修正理由",
    "original_plan_value": "当初計画",
    "original_plan_text": "当初計画",
    "revised_plan_value": "修正計画",
    "revised_plan_text": "修正計画",
    "target_value": "目標",
    "target_text": "目標",
    "actual_state": "実績",
    "actual_value": "実績",
    "actual_text": "実績",
    "achievement": "現況値",
    "grade": "現況値",
}


def _same(old, new) -> bool:
    """Equal values (Decimal('9.0000') == Decimal('9.0')), None only equal to None."""
    return old == new and (old is None) == (new is None)


def _differences(obj, before: dict[str, Any]) -> dict[str, str]:
    """{field name: description} of each field whose value differs from `before`."""
    return {
        name: f"{_label(obj, name)} {_display(old)} → {_display(getattr(obj, name))}"
        for name, old in before.items()
        if not _same(old, getattr(obj, name))
    }


# ---------------------------------------------------------------------------------------------------
# Public API


def import_plan_rows(rows: list[dict[str, str]], *, dry_run: bool = False, user=None) -> ImportReport:
    """Validate every row, then apply the whole file in one transaction (rolled back for a dry run).

    Side effects: creates or updates Plan, Pillar, PolicyArea, Vision, Initiative, Department,
    Indicator, Measure, Result and ResultValue rows (see the module docstring), each saved only when a
    field changes and with `user` as the history user. Raises ImportRefused listing every problem;
    then the database is unchanged.
    """
    columns = set().union(*(row.keys() for row in rows)) if rows else set()
    if not rows:
        raise ImportRefused([RowError(None, "", "", _("The file has no data rows."))])
    missing = [column for column in COLUMNS if column not in columns]
    if missing:
        raise ImportRefused(
            [
                RowError(
                    1, column, "", _("The column 「%(column)s」 is missing from the header row.") % {"column": column}
                )
                for column in missing
            ]
        )
    plan = Plan.objects.filter(name=next((row["計画"] for row in rows if row.get("計画")), "")).first()
    validator = _Validator(plan.grading_rule if plan else grading.GradingRule())
    parsed = validator.validate(rows)
    if validator.errors:
        raise ImportRefused(validator.errors)
    try:
        with transaction.atomic():
            report = _Applier(parsed, user, dry_run).run()
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:
        raise ImportRefused(
            [
                RowError(
                    None,
                    "",
                    "",
                    _("The database refused the import (%(error)s). Nothing was imported.") % {"error": error},
                )
            ]
        ) from error
    report.ignored = validator.ignored
    return report


def import_plan_file(path_or_file, *, filename: str | None = None, dry_run: bool = False, user=None) -> ImportReport:
    """Read a CSV or XLSX plan workbook and import it (see import_plan_rows). Raises ImportRefused."""
    return import_plan_rows(read_workbook(path_or_file, filename), dry_run=dry_run, user=user)


def preview_plan_file(path_or_file, *, filename: str | None = None, user=None) -> ImportReport:
    """What importing the file would change, without changing anything: a dry run (the import is applied
    inside a transaction that is rolled back). `report.changes()` lists the changes row by row."""
    return import_plan_file(path_or_file, filename=filename, dry_run=True, user=user)


__all__ = [
    "COLUMNS",
    "ImportRefused",
    "ImportReport",
    "RowError",
    "RowOutcome",
    "UnreadableWorkbook",
    "clean_cell",
    "import_plan_file",
    "import_plan_rows",
    "preview_plan_file",
    "read_workbook",
]
