"""Read side of the progress board: status counts by year and by department, the open year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Count,
    F,
    Q,
)

from evaluation.domain.enums import ActualState, ResultStatus, YearStatus
from evaluation.domain.workflow import statuses
from evaluation.models import (
    EvaluationYear,
    Plan,
    Result,
)

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
    """How many results per status of the plan's workflow (未入力, 入力中, 提出済, 差戻し, 承認済; and
    所属長確認待ち where the plan asks for the department head's check: plan_statuses)."""

    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(statuses(), 0))

    # Worked out once each (cached): a board prints them for each of hundreds of departments.
    @cached_property
    def total(self) -> int:
        return sum(self.by_status.values())

    @cached_property
    def open(self) -> int:
        """Items waiting for the department: not entered, in progress, returned."""
        return sum(self.by_status[status] for status in OPEN_STATUSES)

    @property
    def not_approved(self) -> int:
        return self.total - self.by_status[ResultStatus.APPROVED]

    @cached_property
    def items(self) -> list[tuple[str, str, int]]:
        """(status, label, count) in the order of the workflow."""
        return [(status, ResultStatus(status).label, count) for status, count in self.by_status.items()]

    @classmethod
    def none_of(cls, plan: Plan) -> StatusCounts:
        """Zero of each of the plan's statuses."""
        return cls(dict.fromkeys(plan_statuses(plan), 0))

    @cached_property
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
        present = self.by_status.keys() | other.by_status.keys()
        return StatusCounts(
            {
                status: self.by_status.get(status, 0) + other.by_status.get(status, 0)
                for status in ResultStatus.values
                if status in present
            }
        )


def plan_statuses(plan: Plan) -> list[str]:
    """The statuses the boards count and list for the plan (workflow.statuses)."""
    return statuses(head_check=plan.requires_head_check)


def status_choices(plan: Plan) -> list[tuple[str, str]]:
    """(status, label) of the plan's statuses, for a board's column headings."""
    return [(status, ResultStatus(status).label) for status in plan_statuses(plan)]


def _status_count_annotations(plan: Plan) -> dict:
    return {f"status_{status}": Count("pk", filter=Q(status=status)) for status in plan_statuses(plan)}


def _status_counts(row: dict, plan: Plan) -> StatusCounts:
    return StatusCounts({status: row[f"status_{status}"] for status in plan_statuses(plan)})


def status_counts_by_year(plan: Plan) -> dict[int, StatusCounts]:
    """{fiscal year: counts per status} of the plan's results, in one aggregate query."""
    rows = (
        Result.objects.filter(indicator__plan=plan)
        .values("fiscal_year")
        .annotate(**_status_count_annotations(plan))
        .order_by()
    )
    return {row["fiscal_year"]: _status_counts(row, plan) for row in rows}


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
        .values("department_id", department_name=F("department__name"))
        .annotate(**_status_count_annotations(plan))
        .order_by("department_name")
    )
    return [DepartmentProgress(row["department_id"], row["department_name"], _status_counts(row, plan)) for row in rows]


def current_open_year(plan: Plan | None = None) -> EvaluationYear | None:
    """The latest open evaluation year (of `plan` when given), by plan name on a tie (one query)."""
    years = EvaluationYear.objects.filter(status=YearStatus.OPEN).select_related("plan")
    if plan is not None:
        years = years.filter(plan=plan)
    return years.order_by("-fiscal_year", "plan__name").first()


# Revisions of the plan (修正, ※2 ※3): the revise page and, later, the report's footnotes ---------------


def tallying_results(plan_id: int, fiscal_year: int, states: Iterable[str] = (ActualState.TALLYING,)) -> list[Result]:
    """The year's results with a sub-item still 集計中 (or in another of the scheme's open `states`), with
    indicator and department (one query): what closing the year would close before its figure is in."""
    return list(
        Result.objects.filter(
            indicator__plan_id=plan_id, fiscal_year=fiscal_year, values__actual_state__in=list(states)
        )
        .select_related("department")
        .distinct()
        .order_by("indicator__position", "indicator__code")
    )
