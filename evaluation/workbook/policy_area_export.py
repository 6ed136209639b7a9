"""The results export by policy area (`export_results --by policy-area`): one row per policy area of the
plan, in plan order, with its pillar, its number and title, how many of its outcome indicators have
each label of the year's grading scheme (in the scheme's order: A, B, C, D for Setagaya; ○, × for
神奈川県; あきる野市's states' labels F, X, Y, Z among them), how many are not graded (集計中, not entered),
their number, and the policy area's overall grade (総合評価) where the scheme has a roll-up (神奈川県's
順調 … 遅れている, 佐野市's mean points' bands).

A row generator like results_export.result_rows; the same writers make CSV, XLSX and JSON. The counts
are the report summary's (evaluation.queries.report_summary), so the file and the printed summary
agree. Column names are the data format's Japanese words, not translated.
"""

from __future__ import annotations

from collections.abc import Iterator

from evaluation import display
from evaluation.domain import grading
from evaluation.domain.grading import GradingScheme
from evaluation.models import Plan
from evaluation.queries.report_summary import summary_data

GRADE_COLUMN = "評価{label}"  # 「評価A」, 「評価○」, 「評価7」
NOT_GRADED_COLUMN = "未評価"
TOTAL_COLUMN = "成果指標数"
ROLLUP_COLUMN = "総合評価"
PLACE_COLUMNS = ("計画", "年度", "柱番号", "柱", "推進施策番号", "推進施策")


def policy_area_columns(scheme: GradingScheme) -> tuple[str, ...]:
    """The columns for a year graded by `scheme`: the place, a count per label, 未評価, 成果指標数, and
    総合評価 where the scheme has a roll-up."""
    rollup = (ROLLUP_COLUMN,) if scheme.rollup.kind != grading.ROLLUP_NONE else ()
    counts = tuple(GRADE_COLUMN.format(label=code) for code in scheme.codes)
    return (*PLACE_COLUMNS, *counts, NOT_GRADED_COLUMN, TOTAL_COLUMN, *rollup)


def policy_area_rows(plan: Plan, fiscal_year: int, scheme: GradingScheme) -> Iterator[dict]:
    """Yield a row per policy area of the plan (those without an outcome too, with zeros), keyed by
    policy_area_columns(scheme). Counts are ints; 総合評価 is the label, or 「ー」 while none of the
    area's outcomes is graded. A fixed number of queries (summary_data's), whatever the plan's size."""
    data = summary_data(plan, fiscal_year, scheme=scheme)
    has_rollup = scheme.rollup.kind != grading.ROLLUP_NONE
    for area in data.areas:
        tally = area.grades_by_year[fiscal_year]
        policy_area = area.policy_area
        row = {
            "計画": plan.name,
            "年度": fiscal_year,
            "柱番号": policy_area.pillar.number,
            "柱": policy_area.pillar.title,
            "推進施策番号": policy_area.number,
            "推進施策": policy_area.title,
        }
        for code in scheme.codes:
            row[GRADE_COLUMN.format(label=code)] = tally.counts.get(code, 0)
        # a label the scheme does not know (none in a year graded by it) is counted as not graded
        row[NOT_GRADED_COLUMN] = tally.total - sum(tally.counts.get(code, 0) for code in scheme.codes)
        row[TOTAL_COLUMN] = tally.total
        if has_rollup:
            row[ROLLUP_COLUMN] = display.grade(data.rollup(tally))
        yield row
