"""Read side of the home page: grade counts by pillar and policy area for one fiscal year, per label of
the year's grading scheme (best first), and where the scheme has a roll-up, each policy area's and
pillar's overall grade worked out from those counts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Q,
    QuerySet,
)

from evaluation.domain.enums import IndicatorKind
from evaluation.domain.grading import NO_GRADE, ROLLUP_NONE, GradingScheme
from evaluation.models import (
    Plan,
    PolicyArea,
    Result,
)


@dataclass
class GradeCounts:
    """How many activity and outcome indicators, and how the outcomes are graded in one fiscal year:
    `by_grade` holds each label of the scheme, best first (A, B, C, D for Setagaya)."""

    activity: int = 0
    outcome: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)

    @classmethod
    def none_of(cls, labels: tuple[str, ...]) -> GradeCounts:
        """No indicator: zero of each label."""
        return cls(by_grade=dict.fromkeys(labels, 0))

    @property
    def not_graded(self) -> int:
        """Outcomes without a grade (ー): being tallied, not entered yet, or no result for the year."""
        return self.outcome - sum(self.by_grade.values())

    @property
    def grade_columns(self) -> list[int]:
        """The counts in the order of the table's columns: each label's, then ー."""
        return [*self.by_grade.values(), self.not_graded]

    @property
    def cells(self) -> list[int]:
        """Every count of a row of the home page's tables: activity, outcome, each label's, ー."""
        return [self.activity, self.outcome, *self.grade_columns]

    def grades(self) -> Iterator[str]:
        """The outcomes' grades, one per graded outcome (what a roll-up is made from)."""
        for label, count in self.by_grade.items():
            yield from (label,) * count

    def __add__(self, other: GradeCounts) -> GradeCounts:
        return GradeCounts(
            activity=self.activity + other.activity,
            outcome=self.outcome + other.outcome,
            by_grade={
                label: self.by_grade.get(label, 0) + other.by_grade.get(label, 0)
                for label in self.by_grade | other.by_grade
            },
        )


@dataclass
class PolicyAreaRow:
    policy_area: PolicyArea
    counts: GradeCounts
    overall: str = NO_GRADE  # the policy area's overall grade where the scheme rolls up (神奈川県's 順調 …)
    overall_badge: dict | None = None  # its badge, rendered once per label by the page (views.home)


@dataclass
class PillarSummary:
    pillar: object
    rows: list[PolicyAreaRow]
    overall: str = NO_GRADE  # the pillar's overall grade where the scheme rolls up
    overall_badge: dict | None = None

    @cached_property  # printed twice (the overview and the pillar's table), summed once more for the plan
    def total(self) -> GradeCounts:
        return sum((row.counts for row in self.rows), GradeCounts())


@dataclass
class PlanSummary:
    pillars: list[PillarSummary]
    labels: tuple[str, ...] = ()  # the scheme's labels, best first: the grade columns
    has_rollup: bool = False  # the overall grade of each policy area and pillar is shown
    overall: str = NO_GRADE  # the whole plan's overall grade, as the report prints it
    overall_badge: dict | None = None

    @cached_property
    def total(self) -> GradeCounts:
        return sum((pillar.total for pillar in self.pillars), GradeCounts.none_of(self.labels))

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


def counts_by_policy_area(indicators: QuerySet, fiscal_year: int, labels: tuple[str, ...]) -> dict[int, GradeCounts]:
    """{policy area id: counts per label} over the given indicators, in one aggregate query.

    The fiscal year's result joins through a FilteredRelation, so each indicator meets at most one
    result (one per indicator and year) and the counts need no DISTINCT."""
    outcome = Q(kind=IndicatorKind.OUTCOME)
    rows = (
        indicators.annotate(year_result=FilteredRelation("results", condition=Q(results__fiscal_year=fiscal_year)))
        .values(area_id=F("initiative__vision__policy_area_id"))
        .annotate(
            activity=Count("pk", filter=Q(kind=IndicatorKind.ACTIVITY)),
            outcome=Count("pk", filter=outcome),
            # a label (○, 7 …) is a value in the query, never a name: counted by position
            **{
                f"grade_{index}": Count("pk", filter=outcome & Q(year_result__grade=label))
                for index, label in enumerate(labels)
            },
        )
        .order_by()
    )
    return {
        row["area_id"]: GradeCounts(
            activity=row["activity"],
            outcome=row["outcome"],
            by_grade={label: row[f"grade_{index}"] for index, label in enumerate(labels)},
        )
        for row in rows
    }


def plan_summary(
    plan: Plan,
    fiscal_year: int,
    indicators: QuerySet,
    *,
    scheme: GradingScheme,
    all_areas: bool = True,
) -> PlanSummary:
    """Per pillar, per policy area: indicator counts and grades of the year per label of `scheme` (the
    year's: Plan.scheme_of) (two queries).

    `indicators` is what the user may see (departments.permissions.visible_indicators). With
    `all_areas` off, policy areas holding none of those indicators are left out, and so is the roll-up
    (an overall grade of a part of a policy area's outcomes would mislead); with it on, each policy area's
    and pillar's overall grade where the scheme has one (scheme.rollup_grade), from the counts."""
    labels = scheme.codes
    counts = counts_by_policy_area(indicators.filter(plan=plan), fiscal_year, labels)
    areas = PolicyArea.objects.filter(pillar__plan=plan).select_related("pillar").order_by("pillar__number", "number")
    pillars: dict[int, PillarSummary] = {}
    for area in areas:
        if not all_areas and area.pk not in counts:
            continue
        summary = pillars.setdefault(area.pillar_id, PillarSummary(pillar=area.pillar, rows=[]))
        summary.rows.append(PolicyAreaRow(policy_area=area, counts=counts.get(area.pk) or GradeCounts.none_of(labels)))
    has_rollup = all_areas and scheme.rollup.kind != ROLLUP_NONE
    if has_rollup:
        for pillar in pillars.values():
            for row in pillar.rows:
                row.overall = scheme.rollup_grade(row.counts.grades())
            pillar.overall = scheme.rollup_grade(pillar.total.grades())
    summary = PlanSummary(pillars=list(pillars.values()), labels=labels, has_rollup=has_rollup)
    if has_rollup:
        summary.overall = scheme.rollup_grade(summary.total.grades())
    return summary
