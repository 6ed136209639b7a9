"""The entry sheet's layout (入力シート): its columns, which of them the department fills in, the
hidden 管理番号 that names each row, and the look of the cells. The build, the read and the apply
steps all take the sheet's shape from here.

The column headers are Japanese data-format names (like the workbook's), not interface text.

The column of the state entered instead of a figure is keyed 「集計中」 in ENTRY_SHEET_COLUMNS and is so
headed where 集計中 is the scheme's only state (Setagaya's sheet, as it always was). A scheme with other
states heads it for what it holds, 「数値に代えて（完了・未着手・中止・評価困難・集計中）」 (the entry page's
words for the same choice), with the scheme's state names. The upload reads the column under either
header, whatever the scheme: a sheet downloaded with 「集計中」 before this header existed, or before the
plan changed its scheme, is still read, and its words are checked against the year's scheme.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Prefetch
from openpyxl.styles import Border, PatternFill, Protection, Side

from evaluation.domain.enums import ActualState
from evaluation.domain.fiscal_year import era_name
from evaluation.domain.grading import GradingScheme
from evaluation.models import Result, ResultValue

# Columns of the sheet, in order. Context columns are locked; ENTRY_COLUMNS are the ones to fill in.
ENTRY_SHEET_COLUMNS = (
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
STATE_COLUMN = "集計中"  # the key of the state's column (its header where 集計中 is the only state)
STATE_HEADER = "数値に代えて"  # how its header starts where the scheme has other states
STATE_WIDTH = 16  # the column's width under that longer header
HELP_SHEET = "記入方法"
FIRST_DATA_ROW = 2

# 管理番号: R<result id>-M<result value id>-V<version the sheet was made at>.
ENTRY_ID = re.compile(r"^R(?P<result>\d+)-M(?P<value>\d+)-V(?P<version>\d+)$")

HEADER_FILL = PatternFill("solid", fgColor="E6E6E6")
ENTRY_FILL = PatternFill("solid", fgColor="FFF8D6")  # pale yellow: the cells to fill in
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")  # grey: a row that cannot be changed now
_THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)


def only_tallying(scheme: GradingScheme) -> bool:
    """集計中 is the scheme's only state (Setagaya's): the sheet words it as it always has."""
    return scheme.state_codes == (ActualState.TALLYING,)


def state_header(scheme: GradingScheme) -> str:
    """The header of the state's column in the scheme's sheet: 「集計中」 where that is its only state, else
    「数値に代えて（完了・未着手・中止・評価困難・集計中）」."""
    if only_tallying(scheme):
        return STATE_COLUMN
    names = "・".join(state.name for state in scheme.states)
    return f"{STATE_HEADER}（{names}）" if names else STATE_HEADER


def is_state_header(header: str) -> bool:
    """A header the upload reads as the state's column: 「集計中」, or one starting 「数値に代えて」 (NFKC:
    a full-width or half-width bracket after it alike)."""
    return header == STATE_COLUMN or unicodedata.normalize("NFKC", header).startswith(STATE_HEADER)


def column_number(column: str) -> int:
    """The sheet's column number (1 = A) of a header."""
    return ENTRY_SHEET_COLUMNS.index(column) + 1


def entry_id(result: Result, value: ResultValue) -> str:
    return f"R{result.pk}-M{value.pk}-V{result.version}"


def sheet_results(department, plan, fiscal_year: int) -> list[Result]:
    """The results a department's sheet holds: the plan's fiscal year, in plan order, with their
    indicator's hierarchy and their values (measures by label). A fixed number of queries."""
    return list(
        Result.objects.filter(indicator__plan=plan, department=department, fiscal_year=fiscal_year)
        .select_related("indicator__plan", "indicator__initiative__vision__policy_area")
        .prefetch_related(
            Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))
        )
        .order_by("indicator__position", "indicator__pk")
    )


def sheet_filename(department, fiscal_year: int) -> str:
    return f"入力シート_{department.name}_{era_name(fiscal_year)}.xlsx"
