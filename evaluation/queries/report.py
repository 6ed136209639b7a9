"""Read side of the evaluation report: a plan's hierarchy in plan order (pillar → policy area → vision
→ initiative), each initiative's activity and outcome indicators with the year's result and values,
and the revisions whose footnote marks the year's sheet prints. A fixed number of queries, whatever
the size of the plan (evaluation.report.sheet turns it into the printed sheet)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from evaluation.domain.enums import IndicatorKind
from evaluation.models import Indicator, Initiative, Plan, Result, ResultValue, Revision


@dataclass
class IndicatorYear:
    """An indicator with its result of the year (None when it has none) and the result's values, one
    per measure in label order (a compound indicator's a, b …)."""

    indicator: Indicator
    result: Result | None
    values: list[ResultValue]


@dataclass
class InitiativeBlock:
    initiative: Initiative
    activities: list[IndicatorYear] = field(default_factory=list)
    outcomes: list[IndicatorYear] = field(default_factory=list)


@dataclass
class VisionBlock:
    vision: object
    initiatives: list[InitiativeBlock] = field(default_factory=list)


@dataclass
class AreaBlock:
    policy_area: object
    visions: list[VisionBlock] = field(default_factory=list)


@dataclass
class PillarBlock:
    pillar: object
    areas: list[AreaBlock] = field(default_factory=list)


@dataclass
class ReportData:
    plan: Plan
    fiscal_year: int
    pillars: list[PillarBlock]
    revisions: list[Revision]  # of the year's printed items: the year's plan values and targets, baselines


def report_data(plan: Plan, fiscal_year: int, *, department_ids: Iterable[int] | None = None) -> ReportData:
    """The report's content for `fiscal_year` (five queries). With `department_ids`, only the
    initiatives that hold an indicator of those departments, and only those indicators: what department
    staff see of the report before the year is closed."""
    departments = set(department_ids) if department_ids is not None else None
    indicators = list(Indicator.objects.filter(plan=plan).select_related("department").order_by("position", "code"))
    results = {
        result.indicator_id: result
        for result in Result.objects.filter(indicator__plan=plan, fiscal_year=fiscal_year)
        .select_related("department")
        .prefetch_related(
            Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))
        )
    }
    if departments is not None:  # the year's responsible department (the indicator's when it has no result)
        indicators = [
            indicator
            for indicator in indicators
            if (results[indicator.pk].department_id if indicator.pk in results else indicator.department_id)
            in departments
        ]
    by_initiative: dict[int, InitiativeBlock] = {}
    initiatives = (
        Initiative.objects.filter(vision__policy_area__pillar__plan=plan)
        .select_related("vision__policy_area__pillar")
        .order_by(
            "vision__policy_area__pillar__number",
            "vision__policy_area__number",
            "vision__number",
            "number",
        )
    )
    for initiative in initiatives:
        by_initiative[initiative.pk] = InitiativeBlock(initiative)
    for indicator in indicators:
        result = results.get(indicator.pk)
        entry = IndicatorYear(indicator, result, list(result.values.all()) if result else [])
        block = by_initiative[indicator.initiative_id]
        (block.activities if indicator.kind == IndicatorKind.ACTIVITY else block.outcomes).append(entry)
    shown = [block for block in by_initiative.values() if departments is None or block.activities or block.outcomes]
    return ReportData(plan, fiscal_year, _hierarchy(shown), _revisions(plan, fiscal_year, departments))


def _hierarchy(blocks: list[InitiativeBlock]) -> list[PillarBlock]:
    """The blocks (in plan order) grouped under their vision, policy area and pillar."""
    pillars: dict[int, PillarBlock] = {}
    areas: dict[int, AreaBlock] = {}
    visions: dict[int, VisionBlock] = {}
    for block in blocks:
        vision = block.initiative.vision
        area = vision.policy_area
        pillar = area.pillar
        if pillar.pk not in pillars:
            pillars[pillar.pk] = PillarBlock(pillar)
        if area.pk not in areas:
            areas[area.pk] = AreaBlock(area)
            pillars[pillar.pk].areas.append(areas[area.pk])
        if vision.pk not in visions:
            visions[vision.pk] = VisionBlock(vision)
            areas[area.pk].visions.append(visions[vision.pk])
        visions[vision.pk].initiatives.append(block)
    return list(pillars.values())


def _revisions(plan: Plan, fiscal_year: int, departments: set[int] | None) -> list[Revision]:
    """The revisions with a footnote mark that the year's sheet shows: those of the year's plan values
    and targets, and those of baselines (a baseline has no year; marks per year are issue 9's)."""
    revisions = Revision.objects.filter(indicator__plan_id=plan.pk)
    if departments is not None:
        revisions = revisions.filter(  # the indicators the departments are responsible for in the year
            indicator__results__fiscal_year=fiscal_year, indicator__results__department_id__in=departments
        )
    return list(
        revisions.exclude(footnote="")
        .filter(Q(fiscal_year=fiscal_year) | Q(fiscal_year__isnull=True))
        .order_by("changed_at", "pk")
    )
