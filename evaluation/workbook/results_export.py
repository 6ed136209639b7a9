"""The results export (FORMAT.md, "The results export"): one row per indicator and sub-item.

Each row carries the indicator's place in the plan (柱, 推進施策, めざす姿, 主な取組み with its 実施計画
reference and 再掲), its number as stored (区分, the plan workbook's 「1-1」) and as the sheet prints it
(番号, 「１－①」), its footnote marks, its baseline with the as-of note, and the year's values: a
planning section filters and sorts the year in Excel without going back to the plan workbook.
Columns shared with the plan workbook keep its names, meanings and order.

`result_rows()` is a row generator, like pretix's exporters: it knows the plan and its results, not
the file format, and yields plain values (Decimal numbers, texts, None for a blank cell). The writers
turn the rows into CSV, XLSX or JSON; the in-app download and the printed report's workbook reuse
the same rows. Escaping against formula injection is the spreadsheet writers' job
(`cells.spreadsheet_safe`), so the rows themselves stay exact.

The column headers are the Japanese names FORMAT.md fixes: a data format, not interface text, so
they are not translated. Neither are the values of 種別 and 方向, which are the workbook's own words.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.db.models import Prefetch, Q
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from evaluation import display
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.fiscal_year import era_name
from evaluation.domain.footnotes import year_marks
from evaluation.domain.grading import GradingScheme
from evaluation.models import Indicator, Plan, Result, ResultValue, Revision
from evaluation.workbook.cells import DIRECTION_WORDS, KIND_WORDS, number_or_text_cell, spreadsheet_safe
from evaluation.workbook.plan_columns import RELISTED_WORD
from evaluation.workbook.policy_area_export import policy_area_columns, policy_area_rows

RESULTS_EXPORT_COLUMNS = (
    "計画",
    "年度",
    "指標ID",
    "柱番号",
    "柱",
    "推進施策番号",
    "推進施策",
    "めざす姿番号",
    "めざす姿見出し",
    "取組番号",
    "主な取組み",
    "実施計画",
    "再掲",
    "種別",
    "区分",
    "番号",
    "指標名",
    "注記",
    "小項目",
    "小項目名",
    "単位",
    "方向",
    "現況値",
    "現況値時点",
    "担当所管課",
    "当初計画",
    "修正計画",
    "目標",
    "実績",
    "達成状況",
    "評価",
    "評価理由",
    "修正理由",
    "状態",
)
# Cells that hold a figure (a number with the indicator's unit) when they hold a number.
FIGURE_COLUMNS = ("当初計画", "修正計画", "目標", "実績")


FORMATS = ("csv", "xlsx", "json")
BY_INDICATOR, BY_POLICY_AREA = "indicator", "policy-area"
BY = (BY_INDICATOR, BY_POLICY_AREA)  # a row per indicator and sub-item, or per policy area
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

Row = dict[str, Any]


# --- rows ---------------------------------------------------------------------------------------


def result_rows(
    plan: Plan, fiscal_year: int, *, decimals: int | None = None, scheme: GradingScheme | None = None
) -> Iterator[Row]:
    """Yield the plan's results of one fiscal year, one dict per row, keyed by RESULTS_EXPORT_COLUMNS, in plan order.

    - A simple indicator gives one row. A compound one gives a row per sub-item (a, b …: its own
      values, achievement and grade), then the indicator's own row (小項目 blank, no values) with the
      overall grade. 評価理由 and 修正理由 belong to the indicator's result, so they are on the
      indicator's own row only; the hierarchy, the indicator's columns and 状態 are on every row.
    - The hierarchy's numbers (柱番号, 推進施策番号, めざす姿番号, 取組番号) are ints. 区分 is the
      indicator's number as stored (「1-1」), 番号 as the sheet prints it (「１－①」, display's).
      現況値 is the baseline as printed, a text (「8.2%」「a)340件b)3,200件」), as in the plan workbook.
      実施計画 is the reference as stored (「施策８－２」); 再掲 is 「再掲」 or blank.
    - Numbers (年度, 当初計画, 修正計画, 目標, 実績, 達成状況) are numbers: int or Decimal, exact, without
      the database's trailing zeros. A qualitative value is its text; a state of the scheme entered
      instead of a figure is its name: 集計中, 中止, 未着手 ….
    - 達成状況 is the stored achievement with the year's decimals (Decimal('96.7'), no %; a closed year's
      from its closing, Plan.decimals_of); None when
      there is none (not graded yet, 集計中, qualitative, or lower-is-better met at 0).
    - 評価 is the label of the year's grading scheme for a graded outcome (A–D for Setagaya, ○/× for
      神奈川県; a state's label such as あきる野市's Y for 中止), 「ー」 for an outcome not graded (yet)
      or in a state without a label (集計中), and None for an activity volume, which the sheet does not
      grade.
    - 注記 is the indicator's own marks and those of the year's revisions (domain.footnotes).
    - 担当所管課 is the department responsible that year (the result's), the indicator's without a result.
    - An indicator with no result that year still gets its rows, blank, with the status 未入力.
    - Blank cells are None. Texts are not escaped here; see `spreadsheet_safe`.

    Runs a fixed number of queries whatever the number of indicators.
    """
    indicators = (
        Indicator.objects.filter(plan=plan)
        .select_related("department", "initiative__vision__policy_area__pillar")
        .prefetch_related(
            "measures",
            Prefetch(
                "results",
                queryset=Result.objects.filter(fiscal_year=fiscal_year)
                .select_related("department")
                .prefetch_related("values"),
                to_attr="year_results",
            ),
            Prefetch(  # the marks of the year's (and the baseline's) revisions: marks per year
                "revisions",
                queryset=Revision.objects.exclude(footnote="")
                .filter(Q(fiscal_year__isnull=True) | Q(fiscal_year=fiscal_year))
                .order_by("changed_at", "pk"),
                to_attr="year_revisions",
            ),
        )
        .order_by("position", "pk")
    )
    with translation.override("ja"):
        status_labels = {status: str(status.label) for status in ResultStatus}
    if scheme is None:
        scheme = plan.scheme_of(fiscal_year)  # a closed year's from its closing
    if decimals is None:
        decimals = scheme.decimals
    for indicator in indicators:
        result = indicator.year_results[0] if indicator.year_results else None
        yield from _indicator_rows(plan, fiscal_year, indicator, result, status_labels, decimals, scheme)


def _indicator_rows(plan, fiscal_year, indicator, result, status_labels, decimals: int, scheme) -> Iterator[Row]:
    measures = list(indicator.measures.all())
    values = {value.measure_id: value for value in result.values.all()} if result else {}
    status = status_labels[ResultStatus(result.status if result else ResultStatus.NOT_ENTERED)]
    common = {
        "計画": plan.name,
        "年度": fiscal_year,
        **_hierarchy_cells(indicator),
        **_indicator_cells(indicator),
        "状態": status,
    }
    if result is not None:  # the department responsible in this year, which a later move leaves as it was
        common["担当所管課"] = result.department.name
    common["注記"] = (
        year_marks(indicator.footnote, [revision.footnote for revision in indicator.year_revisions]) or None
    )
    compound = len(measures) > 1 or any(measure.label for measure in measures)
    if compound:
        for measure in measures:
            row = _blank_row(common)
            row.update(小項目=measure.label or None, 小項目名=measure.name or None)
            row.update(_value_cells(decimals, indicator, values.get(measure.id), scheme))
            row["評価"] = _grade_cell(indicator, values[measure.id].grade if measure.id in values else "")
            yield row
        row = _blank_row(common)
    else:
        row = _blank_row(common)
        if measures:
            row.update(_value_cells(decimals, indicator, values.get(measures[0].id), scheme))
    row["評価"] = _grade_cell(indicator, result.grade if result else "")
    row["評価理由"] = (result.reason if result else "") or None
    row["修正理由"] = (result.revision_reason if result else "") or None
    yield row


def _hierarchy_cells(indicator: Indicator) -> Row:
    """Where the indicator sits in the plan: 柱 → 推進施策 → めざす姿 → 主な取組み."""
    initiative = indicator.initiative
    vision = initiative.vision
    area = vision.policy_area
    return {
        "柱番号": area.pillar.number,
        "柱": area.pillar.title,
        "推進施策番号": area.number,
        "推進施策": area.title,
        "めざす姿番号": vision.number,
        "めざす姿見出し": vision.heading or None,
        "取組番号": initiative.number,
        "主な取組み": initiative.title,
        "実施計画": initiative.implementation_ref or None,
        "再掲": RELISTED_WORD if initiative.is_relisted else None,
    }


def _indicator_cells(indicator: Indicator) -> Row:
    return {
        "指標ID": indicator.code,
        "種別": KIND_WORDS.get(indicator.kind, indicator.kind),
        "区分": indicator.label or None,
        "番号": display.indicator_number(indicator.label) or None,
        "指標名": indicator.name,
        "注記": indicator.footnote or None,
        "単位": indicator.unit or None,
        "方向": DIRECTION_WORDS.get(indicator.direction),
        "現況値": indicator.baseline_text or None,
        "現況値時点": indicator.baseline_as_of or None,
        "担当所管課": indicator.department.name,
    }


def _blank_row(common: Row) -> Row:
    return {column: common.get(column) for column in RESULTS_EXPORT_COLUMNS}


def _value_cells(decimals: int, indicator: Indicator, value: ResultValue | None, scheme: GradingScheme) -> Row:
    if value is None:
        return {}
    return {
        "当初計画": number_or_text_cell(value.original_plan_value, value.original_plan_text),
        "修正計画": number_or_text_cell(value.revised_plan_value, value.revised_plan_text),
        "目標": number_or_text_cell(value.target_value, value.target_text),
        "実績": _actual_cell(value, scheme),
        "達成状況": display.achievement_cell(value.achievement, decimals) if indicator.is_outcome else None,
    }


def _actual_cell(value: ResultValue, scheme: GradingScheme) -> Decimal | str | None:
    if value.actual_state == ActualState.NUMBER:
        return display.plain_decimal(value.actual_value)
    if value.scheme_state:
        return display.value_actual(value, scheme)  # 集計中, 中止 …: the state's name
    if value.actual_state == ActualState.TEXT:
        return value.actual_text or None
    return None


def _grade_cell(indicator: Indicator, grade: str) -> str | None:
    if not indicator.is_outcome:
        return None
    return grade or display.NOT_GRADED


# --- writers ------------------------------------------------------------------------------------


def results_filename(fiscal_year: int, fmt: str, by: str = BY_INDICATOR) -> str:
    """The download's file name: 「results-2024.xlsx」, 「results-by-policy-area-2024.csv」 (ASCII, whatever
    the plan's name)."""
    return f"results-{fiscal_year}.{fmt}" if by == BY_INDICATOR else f"results-by-{by}-{fiscal_year}.{fmt}"


def write_results(plan: Plan, fiscal_year: int, fmt: str, stream: IO[bytes], *, by: str = BY_INDICATOR) -> None:
    """Write the results export in `fmt` (csv, xlsx or json) to a binary stream (a file opened 'wb',
    an HttpResponse, sys.stdout.buffer): a row per indicator and sub-item, or `by` policy area (its
    counts per label and overall grade, evaluation.workbook.policy_area_export). Raises ValueError for
    an unknown format."""
    writers = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}
    if fmt not in writers:
        raise ValueError(f"unknown export format: {fmt!r}")
    if by not in BY:
        raise ValueError(f"unknown export grouping: {by!r}")
    scheme = plan.scheme_of(fiscal_year)
    decimals = scheme.decimals
    if by == BY_POLICY_AREA:
        rows = policy_area_rows(plan, fiscal_year, scheme)
        columns = policy_area_columns(scheme)
    else:
        rows, columns = result_rows(plan, fiscal_year, decimals=decimals, scheme=scheme), RESULTS_EXPORT_COLUMNS
    writers[fmt](rows, stream, decimals=decimals, fiscal_year=fiscal_year, columns=columns)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(spreadsheet_safe(value))


def write_csv(rows, stream: IO[bytes], *, columns: Sequence[str] = RESULTS_EXPORT_COLUMNS, **context) -> None:
    """CSV as Excel reads it: UTF-8 with a BOM (else Japanese Excel guesses Shift_JIS), CRLF line
    endings, every field that needs it quoted; texts escaped against formula injection."""
    stream.write(codecs.BOM_UTF8)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[column]) for column in columns])
        stream.write(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    stream.write(buffer.getvalue().encode("utf-8"))  # the header, when there was no row


def write_xlsx(
    rows,
    stream: IO[bytes],
    *,
    decimals: int = display.DEFAULT_DECIMALS,
    fiscal_year: int | None = None,
    columns: Sequence[str] = RESULTS_EXPORT_COLUMNS,
) -> None:
    """One sheet named after the fiscal year (令和6年度): header row bold and frozen, a filter, column
    widths from the content. Numbers are numeric cells (openpyxl writes Decimal exactly as written),
    shown as the pages print them (display's number formats: 達成状況 with the year's decimals, a
    rate's target 9 as 9.0, 1,816 with its comma); texts are escaped against formula injection
    (openpyxl would otherwise store 「=…」 as a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    if fiscal_year is not None:
        sheet.title = era_name(fiscal_year)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [_display_width(column) for column in columns]
    column_of = {column: index for index, column in enumerate(columns, start=1)}
    achievement_format = display.achievement_number_format(decimals)
    figures = [column for column in FIGURE_COLUMNS if column in column_of]
    # The line appended, counted: openpyxl's sheet.max_row walks every cell written so far (quadratic).
    for line, row in enumerate(rows, start=2):
        cells = [spreadsheet_safe(row[column]) for column in columns]
        sheet.append(cells)
        if "達成状況" in column_of:
            sheet.cell(row=line, column=column_of["達成状況"]).number_format = achievement_format
        for column in figures:
            if isinstance(row[column], Decimal):
                number_format = display.figure_number_format(row[column], row["単位"] or "", decimals)
                sheet.cell(row=line, column=column_of[column]).number_format = number_format
        for index, value in enumerate(cells):
            widths[index] = max(widths[index], _display_width(value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    stream.write(buffer.getvalue())


def _display_width(value: Any) -> int:
    """Width in half-width characters: a Japanese character takes two."""
    if value is None:
        return 0
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    raise TypeError(f"not serialisable: {type(value).__name__}")


def write_json(rows, stream: IO[bytes], *, columns: Sequence[str] = RESULTS_EXPORT_COLUMNS, **context) -> None:
    """A list of objects keyed by the Japanese column names, UTF-8. Decimals are written as strings
    ("96.7", "1838") so they stay exact (a JSON number is a float to most readers); 年度 is an
    integer; blank cells are null. No formula escaping: JSON is not opened by a spreadsheet."""
    data = [{column: row[column] for column in columns} for row in rows]
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)
    stream.write(text.encode("utf-8") + b"\n")
