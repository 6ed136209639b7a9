"""Read side of the home page: grade counts by pillar and policy area for one fiscal year."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
)

from evaluation.domain.enums import Grade, IndicatorKind
from evaluation.models import (
    Plan,
    PolicyArea,
    Result,
)

GRADES = tuple(Grade.values)  # ("A", "B", "C", "D")


@dataclass
class GradeCounts:
    """How many activity and outcome indicators, and how the outcomes are graded in one fiscal year."""

    activity: int = 0
    outcome: int = 0
    by_grade: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))

    @property
    def not_graded(self) -> int:
        """Outcomes without a grade (ー): being tallied, not entered yet, or no result for the year."""
        return self.outcome - sum(self.by_grade.values())

    @property
    def grade_columns(self) -> list[int]:
        """The counts in the order of the table's columns: A, B, C, D, ー."""
        return [*(self.by_grade[grade] for grade in GRADES), self.not_graded]

    @property
    def cells(self) -> list[int]:
        """Every count of a row of the home page's tables: activity, outcome, A, B, C, D, ー."""
        return [self.activity, self.outcome, *self.grade_columns]

    def __add__(self, other: GradeCounts) -> GradeCounts:
        return GradeCounts(
            activity=self.activity + other.activity,
            outcome=self.outcome + other.outcome,
            by_grade={grade: self.by_grade[grade] + other.by_grade[grade] for grade in GRADES},
        )


@dataclass
class PolicyAreaRow:
    policy_area: PolicyArea
    counts: GradeCounts


@dataclass
class PillarSummary:
    pillar: object
    rows: list[PolicyAreaRow]

    @cached_property  # printed twice (the overview and the pillar's table), summed once more for the plan
    def total(self) -> GradeCounts:
        return sum((row.counts for row in self.rows), GradeCounts())


@dataclass
class PlanSummary:
    pillars: list[PillarSummary]

    @cached_property
    def total(self) -> GradeCounts:
        return sum((pillar.total for pillar in self.pillars), GradeCounts())

    @property
    def is_empty(self) -> bool:
        return not self.pillars


def result_years(plan: Plan) -> list[int]:
    """The fiscal years that have results for the plan, latest first (one query)."""
    return list(
        Result.objects.filter(indicator__plan=plan)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


def counts_by_policy_area(indicators: QuerySet, fiscal_year: int) -> dict[int, GradeCounts]:
    """{policy area id: counts} over the given indicators, in one aggregate query.

    The fiscal year's result joins through a FilteredRelation, so each indicator meets at most one
    result (one per indicator and year) and the counts need no DISTINCT."""
    outcome = Q(kind=IndicatorKind.OUTCOME)
    rows = (
        indicators.annotate(year_result=FilteredRelation("results", condition=Q(results__fiscal_year=fiscal_year)))
        .values(area_id=F("initiative__vision__policy_area_id"))
        .annotate(
            activity=Count("pk", filter=Q(kind=IndicatorKind.ACTIVITY)),
            outcome=Count("pk", filter=outcome),
            **{f"grade_{grade}": Count("pk", filter=outcome & Q(year_result__grade=grade)) for grade in GRADES},
        )
        .order_by()
    )
    return {
        row["area_id"]: GradeCounts(
            activity=row["activity"],
            outcome=row["outcome"],
            by_grade={grade: row[f"grade_{grade}"] for grade in GRADES},
        )
        for row in rows
    }


def plan_summary(plan: Plan, fiscal_year: int, indicators: QuerySet, *, all_areas: bool = True) -> PlanSummary:
    """Per pillar, per policy area: indicator counts and grades of the year (two queries).

    `indicators` is what the user may see (departments.permissions.visible_indicators). With
    `all_areas` off, policy areas holding none of those indicators are left out."""
    counts = counts_by_policy_area(indicators.filter(plan=plan), fiscal_year)
    areas = PolicyArea.objects.filter(pillar__plan=plan).select_related("pillar").order_by("pillar__number", "number")
    pillars: dict[int, PillarSummary] = {}
    for area in areas:
        if not all_areas and area.pk not in counts:
            continue
        summary = pillars.setdefault(area.pillar_id, PillarSummary(pillar=area.pillar, rows=[]))
        summary.rows.append(PolicyAreaRow(policy_area=area, counts=counts.get(area.pk, GradeCounts())))
    return PlanSummary(pillars=list(pillars.values()))


# The review (the planning section's queue and item page) ---------------------------------------
