"""One row of the plan workbook, checked and parsed: what a row says, in the importer's types.

`RowParser.parse_row` checks every cell of one row against FORMAT.md and the plan's grading rule,
records each problem with its row, column and value, and turns the cells into numbers, texts and
states. Nothing here reads or writes the database; the checks across rows are in plan_checks.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from evaluation.domain import grading, numbers
from evaluation.domain.enums import ActualState, Direction, IndicatorKind
from evaluation.domain.fiscal_year import FiscalYearError, parse_fiscal_year
from evaluation.domain.messages import describe
from evaluation.workbook.cells import DIRECTION_OF_WORD, KIND_OF_WORD
from evaluation.workbook.errors import RowError
from evaluation.workbook.plan_columns import RELISTED_WORD, SURVEY_COLUMN, SURVEY_MARKS

MAX_HIERARCHY_NUMBER = 32767  # the number columns are PositiveSmallIntegerFields
MAX_SUB_ITEM_LABEL_LENGTH = 10  # Measure.label's max_length
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1900, 2200  # anything outside is a typing slip
NOT_GRADED_MARKS = ("ー", "-", "—")  # 評価 of an outcome not graded yet, as an export writes it
_NOT_STATES = (ActualState.EMPTY, ActualState.NUMBER, ActualState.TEXT)
_INTEGER = re.compile(r"^\d+(\.0+)?$")
# 「a）340 b）3,200」: the baseline of each sub-item inside the indicator's 現況値.
_SUB_ITEM_BASELINE = re.compile(r"([A-Za-z])\s*[)）]\s*([^A-Za-z)）]*)")


@dataclass
class CellValue:
    """A plan value, target or actual: a number, a text, or nothing; `state` for actuals."""

    number: Decimal | None = None
    text: str = ""
    state: str = ActualState.EMPTY


@dataclass
class PlanRow:
    """One data row of the file: its raw cells and what they mean once checked."""

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
    original_plan: CellValue = field(default_factory=CellValue)
    revised_plan: CellValue = field(default_factory=CellValue)
    target: CellValue = field(default_factory=CellValue)
    actual: CellValue = field(default_factory=CellValue)
    judged_grade: str = ""
    survey: bool = False
    baseline_value: Decimal | None = None
    filled: dict[str, str] = field(default_factory=dict)  # blank hierarchy cells, from the other rows

    def __getitem__(self, column: str) -> str:
        return self.raw.get(column, "")

    def value(self, column: str) -> str:
        """The cell, or for a blank hierarchy cell the value the other rows of its level give."""
        return self.raw.get(column, "") or self.filled.get(column, "")

    @property
    def is_indicator(self) -> bool:
        return bool(self.kind and self.code)


class RowParser:
    """Checks rows one by one; `errors` refuse the file, `ignored` are only told."""

    def __init__(self, rule: grading.GradingScheme):
        self.rule = rule
        self.errors: list[RowError] = []
        self.ignored: list[RowError] = []

    def error(self, row: PlanRow, column: str, message: str):
        self.errors.append(RowError(row.number, column, row[column], str(message)))

    def ignore(self, row: PlanRow, column: str, message: str):
        self.ignored.append(RowError(row.number, column, row[column], str(message)))

    def parse_row(self, row: PlanRow) -> PlanRow:
        row.plan_name = row["計画"]
        if not row.plan_name:
            self.error(row, "計画", _("The plan name is missing."))
        try:
            row.fiscal_year = parse_fiscal_year(row["年度"])
            if not FIRST_FISCAL_YEAR <= row.fiscal_year <= LAST_FISCAL_YEAR:
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
        if kind_word not in KIND_OF_WORD:
            self.error(
                row, "種別", _("The kind must be 行動量, 成果指標, or blank for an initiative without indicator.")
            )
            return row
        row.kind = KIND_OF_WORD[kind_word]
        if not row.code:
            self.error(row, "指標ID", _("The indicator ID is missing."))
        if not row["指標名"]:
            self.error(row, "指標名", _("The indicator name is missing."))
        if not row["担当所管課"]:
            self.error(row, "担当所管課", _("The responsible department is missing."))
        if len(row["小項目"]) > MAX_SUB_ITEM_LABEL_LENGTH:
            self.error(row, "小項目", _("A sub-item label is at most 10 characters (e.g. a, b)."))
        row.baseline_value = self.baseline(row)
        row.survey = self.survey(row)
        if row.kind == IndicatorKind.ACTIVITY:
            self.parse_activity(row)
        else:
            self.parse_outcome(row)
        return row

    def survey(self, row: PlanRow) -> bool:
        mark = row[SURVEY_COLUMN].strip()
        if not mark:
            return False
        if mark not in SURVEY_MARKS:
            self.error(
                row, SURVEY_COLUMN, _("Write ○ for a survey-based indicator (意識調査), or leave the cell blank.")
            )
        elif row.kind == IndicatorKind.ACTIVITY:
            self.error(row, SURVEY_COLUMN, _("Only an outcome indicator can be survey-based (意識調査)."))
        return mark in SURVEY_MARKS

    def hierarchy_number(self, row: PlanRow, column: str) -> int | None:
        text = numbers.normalize(row[column])
        if not text:
            self.error(row, column, _("The number is missing."))
            return None
        if not _INTEGER.match(text) or not 1 <= int(Decimal(text)) <= MAX_HIERARCHY_NUMBER:
            self.error(row, column, _("Write a whole number such as 1 or 12."))
            return None
        return int(Decimal(text))

    def baseline(self, row: PlanRow) -> Decimal | None:
        """The numeric 現況値 of the row's measure, or None when it is not a number."""
        text = row["現況値"]
        if row["小項目"]:
            parts = dict(_SUB_ITEM_BASELINE.findall(numbers.normalize(text)))
            text = parts.get(numbers.normalize(row["小項目"]), "").strip()
        try:
            value = numbers.parse_number(text, row["単位"])
        except numbers.NumberError as error:
            if error.code in ("too_large", "too_precise"):  # a figure, but none the database keeps
                self.error(row, "現況値", describe(error))
            return None
        return value if isinstance(value, Decimal) else None

    def parse_activity(self, row: PlanRow):
        if row["方向"]:
            self.error(row, "方向", _("Only outcome indicators have a direction; leave it blank for 行動量."))
        if row["目標"]:
            self.error(row, "目標", _("Only outcome indicators have a target; write the plan of 行動量 in 当初計画."))
        row.original_plan = self.number_or_text(row, "当初計画")
        row.revised_plan = self.number_or_text(row, "修正計画")
        row.actual = self.actual(row, text_allowed=True)
        if row["評価"]:
            self.ignore(row, "評価", _("Activity volumes are not graded; the grade is ignored."))

    def parse_outcome(self, row: PlanRow):
        word = row["方向"]
        if word not in DIRECTION_OF_WORD:
            self.error(row, "方向", _("The direction of an outcome must be 高いほど良い, 低いほど良い or 定性."))
            return
        row.direction = DIRECTION_OF_WORD[word]
        for column in ("当初計画", "修正計画"):
            if row[column]:
                self.error(row, column, _("Only activity volumes have a plan; write the outcome's target in 目標."))
        qualitative = row.direction == Direction.QUALITATIVE
        if qualitative:
            row.target = self.number_or_text(row, "目標")
            row.actual = self.actual(row, text_allowed=True)
            if row["評価"]:
                label = self.rule.judged_label(row["評価"])
                if label is None:
                    labels = "、".join(self.rule.grade_labels)
                    self.error(
                        row, "評価", _("The grade must be one of the plan's grades: %(labels)s.") % {"labels": labels}
                    )
                else:
                    row.judged_grade = label
            return
        row.target = self.graded_target(row)
        row.actual = self.actual(row, text_allowed=False)
        if row["評価"]:
            self.typed_grade(row)

    def typed_grade(self, row: PlanRow) -> None:
        """A computed outcome's 評価 may be written (as an exported workbook has it), but only as computed."""
        typed = unicodedata.normalize("NFKC", row["評価"]).strip()
        try:
            computed = self.rule.grade_measure(
                row.direction,
                row.target.number,
                row.actual.number,
                baseline=row.baseline_value,
                survey=row.survey,
                state="" if row.actual.state in _NOT_STATES else row.actual.state,
            ).grade
        except grading.GradingError:
            return  # the target's own problem is reported at 目標
        if typed == computed or (not computed and typed in NOT_GRADED_MARKS):
            return
        self.error(
            row,
            "評価",
            _(
                "「%(typed)s」 is not the grade computed from the target and the actual (%(computed)s): correct it, "
                "or leave 評価 blank."
            )
            % {"typed": typed, "computed": computed or "ー"},
        )

    def graded_target(self, row: PlanRow) -> CellValue:
        try:
            value = numbers.parse_number(row["目標"], row["単位"])
        except numbers.NumberError as error:
            hint = _("A graded outcome needs a numeric target other than 0.")
            self.error(row, "目標", f"{describe(error)} {hint}")
            return CellValue()
        number = value if isinstance(value, Decimal) else None
        try:
            grading.check_gradable(self.rule, row.direction, number, row.baseline_value)
        except grading.GradingError as error:
            self.error(row, "目標", describe(error))
        return CellValue(number=number)

    def number_or_text(self, row: PlanRow, column: str) -> CellValue:
        """A number, or a text where text is legitimate (a qualitative plan or target)."""
        try:
            value = numbers.parse_number(row[column], row["単位"])
        except numbers.NumberError as error:
            if error.typed_as_number:  # clearly a number, typed wrong (or too large to keep)
                self.error(row, column, describe(error))
                return CellValue()
            return CellValue(text=row[column])
        if value is numbers.EMPTY:
            return CellValue()
        if value is numbers.TALLYING:
            return CellValue(text=row[column])
        return CellValue(number=value)

    def actual(self, row: PlanRow, *, text_allowed: bool) -> CellValue:
        state = self.rule.state_named(row["実績"])
        if state is not None:  # 集計中, or another state of the plan's scheme (中止, 未着手 …)
            return CellValue(state=state.code)
        try:
            value = numbers.parse_number(row["実績"], row["単位"])
        except numbers.NumberError as error:
            if text_allowed and not error.typed_as_number:
                return CellValue(text=row["実績"], state=ActualState.TEXT)
            message = describe(error)
            if not text_allowed:
                words = "、".join(state.name for state in self.rule.states)
                hint = _("Write a number, one of %(words)s, or leave it blank.") % {"words": words or "—"}
                message = f"{message} {hint}"
            self.error(row, "実績", message)
            return CellValue()
        if value is numbers.EMPTY:
            return CellValue()
        if value is numbers.TALLYING:
            return CellValue(state=ActualState.TALLYING)
        return CellValue(number=value, state=ActualState.NUMBER)
