"""Read-side queries of the evaluation pages. Each runs a fixed number of SQL queries, whatever the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from .enums import Grade, IndicatorKind, ResultStatus, YearStatus
from .models import EvaluationYear, Plan, PolicyArea, Result

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

    @property
    def total(self) -> GradeCounts:
        return sum((row.counts for row in self.rows), GradeCounts())


@dataclass
class PlanSummary:
    pillars: list[PillarSummary]

    @property
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


# The evaluation year and the progress board (evaluation.views.years, evaluation.views.progress) --

# The statuses in which an item waits for its department: what a reminder lists and what makes a
# department late after the deadline.
OPEN_STATUSES = (ResultStatus.NOT_ENTERED, ResultStatus.DRAFT, ResultStatus.RETURNED)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class BarSegment:
    """One status's part of a stacked bar: its offset and width in percent of the whole."""

    status: str
    label: str
    count: int
    offset: Decimal
    width: Decimal


@dataclass
class StatusCounts:
    """How many results per status (未入力, 入力中, 提出済, 差戻し, 承認済)."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ResultStatus.values, 0))

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        """Items waiting for the department: not entered, in progress, returned."""
        return sum(self.by_status[status] for status in OPEN_STATUSES)

    @property
    def not_approved(self) -> int:
        return self.total - self.by_status[ResultStatus.APPROVED]

    @property
    def items(self) -> list[tuple[str, str, int]]:
        """(status, label, count) in the order of the workflow."""
        return [(status, label, self.by_status[status]) for status, label in ResultStatus.choices]

    @property
    def segments(self) -> list[BarSegment]:
        """The non-empty statuses as parts of a bar of 100 (exact decimals, two places)."""
        total, offset, segments = self.total, Decimal(0), []
        if not total:
            return segments
        for status, label, count in self.items:
            if not count:
                continue
            width = (Decimal(count) * HUNDRED / Decimal(total)).quantize(Decimal("0.01"))
            segments.append(BarSegment(status, str(label), count, offset, width))
            offset += width
        return segments

    def __add__(self, other: StatusCounts) -> StatusCounts:
        return StatusCounts({status: self.by_status[status] + other.by_status[status] for status in self.by_status})


def _status_count_annotations() -> dict:
    return {f"status_{status}": Count("pk", filter=Q(status=status)) for status in ResultStatus.values}


def _status_counts(row: dict) -> StatusCounts:
    return StatusCounts({status: row[f"status_{status}"] for status in ResultStatus.values})


def status_counts_by_year(plan: Plan) -> dict[int, StatusCounts]:
    """{fiscal year: counts per status} of the plan's results, in one aggregate query."""
    rows = (
        Result.objects.filter(indicator__plan=plan)
        .values("fiscal_year")
        .annotate(**_status_count_annotations())
        .order_by()
    )
    return {row["fiscal_year"]: _status_counts(row) for row in rows}


@dataclass
class DepartmentProgress:
    department_id: int
    department_name: str
    counts: StatusCounts


def progress_by_department(plan: Plan, fiscal_year: int) -> list[DepartmentProgress]:
    """Per responsible department, its results of the year counted per status, by department name
    (one aggregate query, whatever the number of departments and results)."""
    rows = (
        Result.objects.filter(indicator__plan=plan, fiscal_year=fiscal_year)
        .values(department_id=F("indicator__department_id"), department_name=F("indicator__department__name"))
        .annotate(**_status_count_annotations())
        .order_by("department_name")
    )
    return [DepartmentProgress(row["department_id"], row["department_name"], _status_counts(row)) for row in rows]


def current_open_year(plan: Plan | None = None) -> EvaluationYear | None:
    """The latest open evaluation year (of `plan` when given), by plan name on a tie (one query)."""
    years = EvaluationYear.objects.filter(status=YearStatus.OPEN).select_related("plan")
    if plan is not None:
        years = years.filter(plan=plan)
    return years.order_by("-fiscal_year", "plan__name").first()
