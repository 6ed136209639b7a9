"""The plan workbook export: the plan as the workbook the importer reads (FORMAT.md), so that
exporting and importing again changes nothing. The admin's export (resources.py) writes these rows
as CSV or XLSX.

Cells are texts as the workbook has them: numbers written with the indicator's decimals (9.0 stays
9.0), text cells guarded against formulas (cells.spreadsheet_safe; the reader takes the guard off).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal

from evaluation import display
from evaluation.domain.enums import ActualState, Direction, IndicatorKind
from evaluation.domain.fiscal_year import display_period
from evaluation.models import Indicator, Initiative, Plan, Result
from evaluation.workbook.cells import DIRECTION_WORDS, KIND_WORDS, spreadsheet_safe
from evaluation.workbook.plan_columns import PLAN_COLUMNS, RELISTED_WORD, SURVEY_COLUMN, SURVEY_MARKS

# Columns whose cells are numbers when the value is one (else a text, guarded like any other).
PLAN_NUMBER_COLUMNS = {"当初計画", "修正計画", "目標", "実績"}
_FRACTION = re.compile(r"\d\.(\d+)")


def workbook_rows(plan: Plan, fiscal_years: set[int] | None = None) -> Iterator[dict[str, str]]:
    """The workbook rows of a plan: per fiscal year, each indicator's measures in position order, and
    each initiative without indicator at its place in the hierarchy. A handful of queries."""
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .select_related("initiative__vision__policy_area__pillar", "department")
        .prefetch_related("measures")
        .order_by("position", "pk")
    )
    results = Result.objects.filter(indicator__plan=plan).select_related("department").prefetch_related("values")
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
    schemes = _schemes_by_year(plan)
    entries = []  # (year, order, label, row)
    for order, indicator in enumerate(indicators):
        decimals = _decimals(indicator, by_indicator[indicator.pk].values())
        for year in sorted(by_indicator[indicator.pk]) or years[:1]:
            result = by_indicator[indicator.pk].get(year)
            values = {value.measure_id: value for value in result.values.all()} if result else {}
            for measure in indicator.measures.all():
                value = values.get(measure.pk)
                row = _indicator_row(plan, indicator, measure, year, result, value, decimals, schemes.get(year))
                entries.append((year, order, measure.label, row))
    paths = [_path(indicator.initiative) for indicator in indicators]
    for initiative in bare:
        # After the last indicator that comes before it in the hierarchy.
        order = max((index for index, path in enumerate(paths) if path < _path(initiative)), default=-1) + 0.5
        entries.append((years[0], order, "", _hierarchy_cells(plan, initiative, years[0])))
    entries.sort(key=lambda entry: entry[:3])
    for *_key, row in entries:
        yield {column: _cell(column, value) for column, value in row.items()}


def _schemes_by_year(plan: Plan) -> dict:
    """The scheme of each year opened (a closed year's: its snapshot, so that its states are named as it
    was closed with), in one query; a year not opened follows the plan's."""
    schemes = {}
    for year in plan.evaluation_years.all():
        year.plan = plan
        schemes[year.fiscal_year] = year.scheme
    return schemes


def _path(initiative: Initiative) -> tuple[int, int, int, int]:
    vision = initiative.vision
    return (vision.policy_area.pillar.number, vision.policy_area.number, vision.number, initiative.number)


def _hierarchy_cells(plan: Plan, initiative: Initiative, year: int) -> dict[str, str]:
    row = dict.fromkeys(PLAN_COLUMNS, "")
    vision = initiative.vision
    area = vision.policy_area
    row.update(
        {
            "計画": plan.name,
            "年度": str(year),
            "計画期間": display_period(plan.first_fiscal_year, plan.last_fiscal_year),
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


def _indicator_row(plan, indicator, measure, year, result, value, decimals, scheme=None) -> dict[str, str]:
    row = _hierarchy_cells(plan, indicator.initiative, year)
    row.update(
        {
            "指標ID": indicator.code,
            "種別": KIND_WORDS[indicator.kind],
            "区分": indicator.label,
            "指標名": indicator.name,
            "注記": indicator.footnote,
            "小項目": measure.label,
            "小項目名": measure.name,
            "単位": indicator.unit,
            "方向": DIRECTION_WORDS.get(indicator.direction, ""),
            SURVEY_COLUMN: SURVEY_MARKS[0] if indicator.survey else "",
            "現況値": indicator.baseline_text,
            "現況値時点": indicator.baseline_as_of,
            "担当所管課": (result.department if result is not None else indicator.department).name,
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
        row["実績"] = _actual_cell(scheme or plan.scheme, value, decimals)
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
    if column in PLAN_NUMBER_COLUMNS and _is_plain_number(value):
        return value
    return spreadsheet_safe(value)


def _is_plain_number(value: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", value))


def _actual_cell(scheme, value, decimals: int) -> str:
    """実績 as the importer reads it back: the figure, the text, or the state's word (集計中, 中止 …) in the
    year's scheme."""
    if value.actual_state == ActualState.NUMBER:
        return _number(value.actual_value, decimals)
    if value.actual_state == ActualState.TEXT:
        return value.actual_text
    if value.actual_state == ActualState.TALLYING:
        return display.TALLYING
    state = scheme.state(value.actual_state)
    return state.name if state is not None else ""
