"""The plan workbook's columns (shared/data/FORMAT.md, docs/plan-workbook.md) and which of them
belong together: the importer, the row checks, the refusals and the export all name columns here.

The headers are Japanese data-format names, not interface text, so they are never translated.
"""

from __future__ import annotations

# The workbook's columns, in the order of FORMAT.md (and of the export).
PLAN_COLUMNS = [
    "計画",
    "年度",
    "計画期間",
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
    "意識調査",
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

PERIOD_COLUMN = "計画期間"  # the plan's period, 「令和6年度～令和9年度」: the same on every row that fills it
# Columns a file may leave out (a workbook made before the column existed).
SURVEY_COLUMN = "意識調査"  # ○: a survey-based indicator (a scheme may treat a small change in points as none)
OPTIONAL_COLUMNS = (PERIOD_COLUMN, SURVEY_COLUMN)
SURVEY_MARKS = ("○", "◯", "〇")
REQUIRED_COLUMNS = [column for column in PLAN_COLUMNS if column not in OPTIONAL_COLUMNS]

RELISTED_WORD = "再掲"

# Columns that must agree on every row of one indicator (the indicator's own columns).
PER_INDICATOR_COLUMNS = ["柱番号", "推進施策番号", "めざす姿番号", "取組番号", "種別", "区分", "指標名", "注記", "単位"]
PER_INDICATOR_COLUMNS += ["方向", SURVEY_COLUMN, "現況値", "現況値時点"]
# Columns that must agree on every row of one indicator in one year: its responsible department is
# per year (a move takes effect from a named year; earlier years keep theirs).
PER_YEAR_COLUMNS = ["担当所管課"]
# Columns of the year's Result (one per indicator and year): the same on every sub-item row, or blank.
PER_RESULT_COLUMNS = ["評価", "評価理由", "修正理由"]
# Each hierarchy level's number column and the title columns that must agree on its rows.
HIERARCHY_TITLE_COLUMNS = {
    "柱番号": ["柱"],
    "推進施策番号": ["推進施策"],
    "めざす姿番号": ["めざす姿見出し", "めざす姿", "計画書頁"],
    "取組番号": ["主な取組み", "取組内容", "実施計画", "再掲"],
}

# The column of the file behind each field an import may change on an existing result or value. A
# grade or achievement that moves while the target and actual stay put moved with the baseline (現況値).
RESULT_FIELD_COLUMNS = {
    "judged_grade": "評価",
    "reason": "評価理由",
    "revision_reason": "修正理由",
    "department": "担当所管課",
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

# The column of the file behind each indicator or measure field a closed year's record rests on
# (services.guards.INDICATOR_RECORD_FIELDS and MEASURE_RECORD_FIELDS).
RECORD_FIELD_COLUMNS = {
    "department": "担当所管課",
    "direction": "方向",
    "kind": "種別",
    "unit": "単位",
    "baseline_text": "現況値",
    "baseline_value": "現況値",
}


def column_order(column: str) -> int:
    """The column's place in the workbook, for sorting problems as the file shows them (-1: none)."""
    return PLAN_COLUMNS.index(column) if column in PLAN_COLUMNS else -1
