"""Read side of the report's summary (評価の集計) for a plan and a fiscal year: the grades of the outcome
indicators per policy area, this year and each earlier year of the plan that has results, counted per
label of the year's grading scheme; the activity volumes against plan; the items whose grade or state
needs a reason (C and D for Setagaya) and the items still waiting for their figure (集計中).

Five queries whatever the size of the plan (policy areas, indicators, results, their values, revision
marks); the counting is done here, in Python, over what they return. evaluation.report.summary prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.db.models import Prefetch

from evaluation.domain.enums import IndicatorKind
from evaluation.domain.grading import NO_GRADE, GradingScheme
from evaluation.models import Indicator, Plan, PolicyArea, Result, ResultValue
from evaluation.queries.revisions import revision_marks

NOT_GRADED = NO_GRADE  # Result.grade of an outcome without a grade (printed ー): tallying, not entered, no result


def grade_keys(scheme: GradingScheme, seen: Iterable[str] = ()) -> tuple[str, ...]:
    """The order of every table and chart: the scheme's labels best first (A, B, C, D for Setagaya; its
    states' labels where it puts them), then any other label found (an earlier year graded by another
    scheme), then not graded."""
    codes = scheme.codes
    others = [grade for grade in dict.fromkeys(seen) if grade and grade not in codes]
    return (*codes, *others, NOT_GRADED)


class ActivityState(StrEnum):
    """An activity volume (行動量) against its plan in one year."""

    ACHIEVED = "achieved"  # actual ≥ the plan in force
    NOT_ACHIEVED = "not_achieved"
    NO_FIGURE = "no_figure"  # a text plan or actual, 集計中, not entered, or no result for the year


@dataclass
class GradeTally:
    """How many outcome indicators have each grade (a compound indicator counts once, with its grade),
    in the order of `keys` (grade_keys)."""

    keys: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.counts = {key: self.counts.get(key, 0) for key in self.keys}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def grades(self) -> list[str]:
        """Every counted grade, once per indicator (what a roll-up is made of)."""
        return [grade for grade, count in self.counts.items() for _ in range(count)]

    def add(self, grade: str) -> None:
        self.counts[grade if grade in self.counts else NOT_GRADED] += 1

    def __add__(self, other: GradeTally) -> GradeTally:
        return GradeTally(self.keys, {key: self.counts[key] + other.counts[key] for key in self.keys})


def total_tally(tallies: Iterable[GradeTally], keys: tuple[str, ...]) -> GradeTally:
    return sum(tallies, GradeTally(keys))


@dataclass
class ActivityTally:
    """How many activity volumes reached their plan, missed it, or have no figure to compare."""

    counts: dict[ActivityState, int] = field(default_factory=lambda: dict.fromkeys(ActivityState, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, state: ActivityState) -> None:
        self.counts[state] += 1

    def __add__(self, other: ActivityTally) -> ActivityTally:
        return ActivityTally({state: self.counts[state] + other.counts[state] for state in ActivityState})


@dataclass
class YearRecord:
    """An indicator's result of one year (None when it has none) and its values in sub-item order."""

    result: Result | None = None
    values: list[ResultValue] = field(default_factory=list)

    @property
    def grade(self) -> str:
        return self.result.grade if self.result is not None else NOT_GRADED

    def waits_for_figure(self, scheme: GradingScheme) -> bool:
        """A sub-item's actual is in a state that keeps the item open (集計中): its figure comes later."""
        return any((state := scheme.state(value.scheme_state)) and state.open for value in self.values)

    def needs_reason(self, scheme: GradingScheme) -> bool:
        """The grade's label needs a reason (C, D for Setagaya), or a sub-item's state needs a note (中止 …)."""
        states = (scheme.state(value.scheme_state) for value in self.values)
        return scheme.reason_required(self.grade) or any(state is not None and state.note for state in states)


@dataclass
class IndicatorFacts:
    """A shown indicator (its department and its place in the plan selected) and its results by year."""

    indicator: Indicator
    by_year: dict[int, YearRecord] = field(default_factory=dict)
    revision_marks: list[str] = field(default_factory=list)  # of the report year's (and the baseline's) revisions

    @property
    def policy_area(self) -> PolicyArea:
        return self.indicator.initiative.vision.policy_area

    @property
    def is_outcome(self) -> bool:
        return self.indicator.kind == IndicatorKind.OUTCOME

    def year(self, fiscal_year: int) -> YearRecord:
        return self.by_year.get(fiscal_year) or YearRecord()

    def department(self, fiscal_year: int):
        """The department responsible in `fiscal_year` (its result's; the indicator's without one)."""
        result = self.year(fiscal_year).result
        return result.department if result is not None else self.indicator.department


@dataclass
class AreaFacts:
    """A policy area's outcome grades in each year of SummaryData.years, and its activities this year."""

    policy_area: PolicyArea
    grades_by_year: dict[int, GradeTally]
    activities: ActivityTally = field(default_factory=ActivityTally)


@dataclass
class SummaryData:
    plan: Plan
    fiscal_year: int
    scheme: GradingScheme  # the year's (a closed year's snapshot)
    keys: tuple[str, ...]  # grade_keys: the order of the tallies
    is_limited: bool  # only some departments' indicators (department staff before the year is closed)
    years: list[int]  # the plan's earlier fiscal years with results, then fiscal_year; oldest first
    areas: list[AreaFacts]  # plan order; when limited, only the areas that hold a shown indicator
    indicators: list[IndicatorFacts]  # plan order

    @property
    def earlier_years(self) -> list[int]:
        return self.years[:-1]

    @property
    def outcomes(self) -> list[IndicatorFacts]:
        return [facts for facts in self.indicators if facts.is_outcome]

    @property
    def low_graded(self) -> list[IndicatorFacts]:
        """The outcomes whose grade (or state) needs a written reason this year: C and D for Setagaya."""
        return [facts for facts in self.outcomes if facts.year(self.fiscal_year).needs_reason(self.scheme)]

    @property
    def tallying(self) -> list[IndicatorFacts]:
        """The indicators (either kind) with an actual still being tallied (集計中) this year."""
        return [facts for facts in self.indicators if facts.year(self.fiscal_year).waits_for_figure(self.scheme)]

    def rollup(self, tally: GradeTally) -> str:
        """The overall grade (総合評価) of what the tally counts; '' where the scheme has none."""
        return self.scheme.rollup_grade(tally.grades)


def activity_state(values: Sequence[ResultValue]) -> ActivityState:
    """An activity against its plan: each sub-item's actual against its revised plan if it has one,
    else its original plan, numbers only. Not achieved if any sub-item falls short; achieved if at
    least one reaches its plan and none falls short; else no figure (no sub-item can be compared)."""
    states = {_measure_state(value) for value in values}
    if ActivityState.NOT_ACHIEVED in states:
        return ActivityState.NOT_ACHIEVED
    if ActivityState.ACHIEVED in states:
        return ActivityState.ACHIEVED
    return ActivityState.NO_FIGURE


def _measure_state(value: ResultValue) -> ActivityState:
    revised = value.revised_plan_value is not None or bool(value.revised_plan_text)
    planned: Decimal | None = value.revised_plan_value if revised else value.original_plan_value
    actual = value.actual
    if planned is None or actual is None:
        return ActivityState.NO_FIGURE
    return ActivityState.ACHIEVED if actual >= planned else ActivityState.NOT_ACHIEVED


def summary_data(
    plan: Plan,
    fiscal_year: int,
    *,
    department_ids: Iterable[int] | None = None,
    scheme: GradingScheme | None = None,
) -> SummaryData:
    """The summary's facts for `fiscal_year` (five queries). With `department_ids`, only those
    departments' indicators and the policy areas that hold one: what department staff see before
    the year is closed. Earlier years are the plan's own (from its first fiscal year). `scheme` is the
    year's (Plan.scheme_of, a query); without it the plan's."""
    scheme = scheme or plan.scheme
    departments = set(department_ids) if department_ids is not None else None
    indicators = Indicator.objects.filter(plan=plan).select_related(
        "department", "initiative__vision__policy_area__pillar"
    )
    results = (
        Result.objects.filter(
            indicator__plan=plan, fiscal_year__gte=plan.first_fiscal_year, fiscal_year__lte=fiscal_year
        )
        .select_related("department")
        .prefetch_related(
            Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))
        )
    )
    if departments is not None:
        # the departments' items of the year, and of earlier years what they were responsible for then
        indicators = indicators.filter(results__fiscal_year=fiscal_year, results__department_id__in=departments)
        results = results.filter(department_id__in=departments)

    facts = {indicator.pk: IndicatorFacts(indicator) for indicator in indicators}
    for result in results:
        if result.indicator_id in facts:
            facts[result.indicator_id].by_year[result.fiscal_year] = YearRecord(result, list(result.values.all()))
    for indicator_id, marks in revision_marks(facts, fiscal_year).items():
        facts[indicator_id].revision_marks = marks
    years = sorted({year for item in facts.values() for year in item.by_year if year < fiscal_year})
    years.append(fiscal_year)

    ordered = sorted(facts.values(), key=_plan_order)
    keys = grade_keys(scheme, (record.grade for item in ordered if item.is_outcome for record in item.by_year.values()))
    areas = _area_facts(plan, ordered, years, fiscal_year, keys, limited=departments is not None)
    return SummaryData(plan, fiscal_year, scheme, keys, departments is not None, years, areas, ordered)


def _plan_order(facts: IndicatorFacts) -> tuple:
    indicator = facts.indicator
    initiative = indicator.initiative
    vision = initiative.vision
    area = vision.policy_area
    return (area.pillar.number, area.number, vision.number, initiative.number, indicator.position, indicator.code)


def _area_facts(
    plan: Plan,
    indicators: list[IndicatorFacts],
    years: list[int],
    fiscal_year: int,
    keys: tuple[str, ...],
    *,
    limited: bool,
) -> list[AreaFacts]:
    """Every policy area of the plan in plan order (one query), with the tallies of its indicators."""
    areas = PolicyArea.objects.filter(pillar__plan=plan).select_related("pillar").order_by("pillar__number", "number")
    by_area = {area.pk: AreaFacts(area, {year: GradeTally(keys) for year in years}) for area in areas}
    shown = set()
    for item in indicators:
        area = by_area[item.indicator.initiative.vision.policy_area_id]
        shown.add(area.policy_area.pk)
        if item.is_outcome:
            for year in years:
                area.grades_by_year[year].add(item.year(year).grade)
        else:
            area.activities.add(activity_state(item.year(fiscal_year).values))
    return [area for area in by_area.values() if not limited or area.policy_area.pk in shown]
