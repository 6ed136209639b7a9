"""The printed evaluation sheet (評価シート) of a plan's year, as the seed prints it: every policy area
in plan order, each vision's table of initiatives with their activity (行動量) and outcome (成果指標)
indicators side by side, the grade ※1 and its reason, the department, and the footnotes. Grades are the
year's scheme's labels (Plan.scheme_of: a closed year's snapshot), states by their names (中止), and a
reason is printed where the scheme asks for one (C and D for Setagaya; a state with a note).

Everything here is text as printed, made through evaluation.display; the HTML page, the PDF and the
Excel book are drawn from the same Sheet (templates/evaluation/report/, report.pdf, report.xlsx).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from evaluation import display
from evaluation.domain import scheme_text
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.domain.footnotes import year_marks
from evaluation.domain.grading import GradingScheme
from evaluation.models import Indicator, ResultValue
from evaluation.queries.report import IndicatorYear, InitiativeBlock, ReportData
from evaluation.report.sheet_parts import (  # the parts, importable from here as before
    Figure,
    Line,
    PrintedArea,
    PrintedIndicator,
    PrintedInitiative,
    PrintedVision,
    Sheet,
    Slot,
)

_REVISION_MARK = re.compile(r"※\s*([0-9０-９]+)")


def build_sheet(
    data: ReportData,
    *,
    label: str = "",
    closed: bool,
    rule: GradingScheme | None = None,
    today: dt.date | None = None,
) -> Sheet:
    """The printed sheet of the report's data. `closed`: the year is closed (else every page says 暫定).
    `rule`: the year's grading rule (※1, the decimals), looked up when not given (Plan.scheme_of:
    a closed year's snapshot, an open year's plan settings)."""
    plan, year = data.plan, data.fiscal_year
    rule = rule or plan.scheme_of(year)
    footnotes = _footnotes(data)
    marks = _revision_marks(data)
    areas = []
    for pillar_block in data.pillars:
        pillar = pillar_block.pillar
        for index, area_block in enumerate(pillar_block.areas):
            area = area_block.policy_area
            several = len(area_block.visions) > 1
            areas.append(
                PrintedArea(
                    pillar_heading=f"{display.full_width(pillar.number)}　{pillar.title}" if index == 0 else "",
                    heading=f"推進施策{area.number}　{area.title}",
                    visions=[
                        _vision(vision_block, rule, several=several, footnotes=footnotes, marks=marks)
                        for vision_block in area_block.visions
                    ],
                )
            )
    return Sheet(
        plan=plan,
        fiscal_year=year,
        year_heading=display.sheet_year(year),
        label=label,
        provisional=not closed,
        printed_on=today or timezone.localdate(),
        grading_note=grading_note(rule),
        reason_note=reason_note(rule),
        scheme=rule,
        decimals=rule.decimals,
        footnotes=footnotes,
        areas=areas,
    )


def grading_note(scheme: GradingScheme) -> str:
    """※1, from the year's grading scheme (Plan.scheme_of). Setagaya's reads exactly
    「目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下」."""
    return scheme_text.footnote(scheme, "ja")


def reason_note(scheme: GradingScheme) -> str:
    """What the reason column holds, under its heading: 「（評価C・Dのみ）」 for Setagaya."""
    words = scheme_text.reason_words(scheme, "ja")
    return f"（評価{words}のみ）" if words else ""


def _revision_marks(data: ReportData) -> dict[int, list[str]]:
    """{indicator id: the marks of its revisions the year's sheet prints} (the year's and the baseline's)."""
    marks: dict[int, list[str]] = {}
    for revision in data.revisions:
        marks.setdefault(revision.indicator_id, []).append(revision.footnote)
    return marks


def _vision(block, scheme: GradingScheme, *, several: bool, footnotes: dict[str, str], marks: dict) -> PrintedVision:
    vision = block.vision
    band = f"めざす姿{vision.number}　{vision.heading}".rstrip() if (several or vision.heading) else "めざす姿"
    pages = f"計画書 P{vision.plan_pages.replace('-', '～')}" if vision.plan_pages else "計画書"
    return PrintedVision(
        band=band,
        statement=vision.statement,
        pages=pages,
        initiatives=[_initiative(initiative, scheme, footnotes, marks) for initiative in block.initiatives],
    )


def _initiative(
    block: InitiativeBlock, scheme: GradingScheme, footnotes: dict[str, str], marks: dict
) -> PrintedInitiative:
    initiative = block.initiative
    tags = ["【再掲】"] if initiative.is_relisted else []
    indicator_tags = [
        *tags,
        *([f"【実施計画 {initiative.implementation_ref}】"] if initiative.implementation_ref else []),
    ]
    activities = [_indicator(entry, scheme, indicator_tags, marks) for entry in block.activities]
    outcomes = [_indicator(entry, scheme, indicator_tags, marks) for entry in block.outcomes]
    count = max(len(activities), len(outcomes), 1)
    slots = [
        Slot(activities[index] if index < len(activities) else None, outcomes[index] if index < len(outcomes) else None)
        for index in range(count)
    ]
    used = {
        _normalized_mark(mark)
        for printed in (*activities, *outcomes)
        for mark in _REVISION_MARK.findall(printed.marks)
        if _normalized_mark(mark) in footnotes
    }
    return PrintedInitiative(
        number=str(initiative.number),
        title=initiative.title,
        tags=tags,
        description=initiative.description,
        slots=slots,
        marks=used,
    )


def _indicator(
    entry: IndicatorYear, scheme: GradingScheme, tags: list[str], marks: dict[int, list[str]]
) -> PrintedIndicator:
    indicator, result, values = entry.indicator, entry.result, entry.values
    decimals = scheme.decimals
    style = {"unit": indicator.unit, "decimals": decimals}
    if indicator.is_outcome:
        lines = [
            Line("目標", _figures(values, indicator, "target", style, scheme)),
            Line("実績", _figures(values, indicator, "actual", style, scheme)),
            Line("達成状況", _achievements(values, decimals)),
        ]
    else:
        lines = [
            Line("当初計画", _figures(values, indicator, "original_plan", style, scheme)),
            Line("修正計画", _figures(values, indicator, "revised_plan", style, scheme)),
            Line("実績", _figures(values, indicator, "actual", style, scheme)),
        ]
    grade = display.grade(result.grade) if indicator.is_outcome and result is not None else ""
    if indicator.is_outcome and result is None:
        grade = display.NOT_GRADED
    reason = result.reason if result is not None and _needs_reason(scheme, result.grade, values) else ""
    return PrintedIndicator(
        kind=indicator.kind,
        number=display.indicator_number(indicator.label),
        name=indicator.name,
        marks=year_marks(indicator.footnote, marks.get(indicator.pk, ())),
        tags=tags,
        baseline=indicator.baseline_text or display.NO_FIGURE,
        baseline_as_of=f"（{indicator.baseline_as_of}）" if indicator.baseline_as_of else "",
        lines=lines,
        department=display.department(result.department if result is not None else indicator.department),
        grade=grade,
        reason=reason,
        code=indicator.code,
        late=f"確定値 {display.day(result.completed_late_at)}"
        if result is not None and result.completed_late_at
        else "",
        own_approval=result is not None and result.status == ResultStatus.APPROVED and result.approved_by_submitter,
    )


def _needs_reason(scheme: GradingScheme, grade: str, values: list[ResultValue]) -> bool:
    """The grade's label asks for a reason (C, D for Setagaya), or a state entered asks for a note (中止)."""
    return scheme.reason_required(grade) or any(
        (state := scheme.state(value.scheme_state)) is not None and state.note for value in values
    )


def _figures(
    values: list[ResultValue], indicator: Indicator, field: str, style: dict, scheme: GradingScheme
) -> list[Figure]:
    """Per sub-item the value of `field` (actual, original_plan, revised_plan, target): the unit only
    after a figure (not after 集計中 or another state, a text or ー); ー where there is no figure."""
    if not values:
        return [Figure("", display.NO_FIGURE)]
    figures = []
    for value in values:
        if field == "actual":
            number = value.actual_value if value.actual_state == ActualState.NUMBER else None
            text = display.value_actual(value, scheme, **style)
        else:
            number = getattr(value, f"{field}_value")
            text = display.plan_value(number, getattr(value, f"{field}_text"), **style)
        if text == display.EMPTY:
            figures.append(Figure(value.measure.label, display.NO_FIGURE))
        elif number is None:
            state = field == "actual" and bool(value.scheme_state)
            figures.append(Figure(value.measure.label, text, state=state))
        else:
            figures.append(Figure(value.measure.label, text, indicator.unit, number, _places(text)))
    return figures


def _places(text: str) -> int:
    return len(text.rpartition(".")[2]) if "." in text else 0


def _achievements(values: list[ResultValue], decimals: int) -> list[Figure]:
    if not values:
        return [Figure("", display.NO_FIGURE)]
    printed = []
    for value in values:
        if value.achievement is None or value.actual_state != ActualState.NUMBER:
            printed.append(Figure(value.measure.label, display.NO_FIGURE))
        else:
            number = display.achievement_cell(value.achievement, decimals)
            text = display.number(value.achievement, decimals)
            printed.append(Figure(value.measure.label, text, "%", number, decimals))
    return printed


def _normalized_mark(mark: str) -> str:
    """「2」, 「２」 → 「※２」 (the sheet prints its marks with full-width digits)."""
    return f"※{display.full_width(int(mark.translate(_TO_ASCII)))}"


_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")


def _footnotes(data: ReportData) -> dict[str, str]:
    """{「※２」: text} of the revisions the year's items carry: the revision reason a result holds
    under its indicator's mark (the workbook's 修正理由), and the plan revisions recorded since."""
    found: dict[str, str] = {}
    for pillar in data.pillars:
        for area in pillar.areas:
            for vision in area.visions:
                for block in vision.initiatives:
                    for entry in (*block.activities, *block.outcomes):
                        reason = entry.result.revision_reason.strip() if entry.result else ""
                        for mark in _REVISION_MARK.findall(entry.indicator.footnote):
                            if reason:
                                found.setdefault(_normalized_mark(mark), reason)
    for revision in data.revisions:
        for mark in _REVISION_MARK.findall(revision.footnote):
            found.setdefault(_normalized_mark(mark), revision.reason.strip())
    return found
