"""Read side of a department's entry page: its results, last year's values, the open return comments,
and the departments a person enters for."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q

from departments.models import Department
from evaluation.domain.enums import CommentKind, ResultStatus, YearStatus
from evaluation.models import (
    EvaluationYear,
    Plan,
    Result,
    ResultComment,
    ResultValue,
)
from evaluation.queries.revisions import with_marks


def department_evaluation_year(department_id: int, fiscal_year: int) -> EvaluationYear | None:
    """The evaluation of `fiscal_year` of a plan holding the department's indicators; an open one first."""
    holding = Plan.objects.filter(  # the department's items of that year, or its indicators now
        Q(indicators__results__fiscal_year=fiscal_year, indicators__results__department_id=department_id)
        | Q(indicators__department_id=department_id)
    )
    years = EvaluationYear.objects.filter(fiscal_year=fiscal_year, plan__in=holding).select_related("plan")
    return years.filter(status=YearStatus.OPEN).order_by("plan__name").first() or years.order_by("plan__name").first()


def _values_by_measure() -> Prefetch:
    return Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))


def entry_page_results(
    plan: Plan, department_id: int, fiscal_year: int, *, result_ids: Iterable[int] | None = None
) -> list[Result]:
    """The rows of a department's entry page: its results of the year, in the sheet's order, with their
    indicator, its place in the plan (pillar … initiative), their values and the year's revision marks
    (three queries); only those of `result_ids` when given (the rows a save reads)."""
    results = Result.objects.filter(indicator__plan=plan, department_id=department_id, fiscal_year=fiscal_year)
    if result_ids is not None:
        results = results.filter(pk__in=list(result_ids))
    return with_marks(
        list(
            results.select_related(
                "indicator__plan", "indicator__initiative__vision__policy_area__pillar", "updated_by", "submitted_by"
            )
            .prefetch_related(_values_by_measure())
            .order_by(
                "indicator__initiative__vision__policy_area__pillar__number",
                "indicator__initiative__vision__policy_area__number",
                "indicator__initiative__vision__number",
                "indicator__initiative__number",
                "indicator__position",
                "indicator__code",
            )
        )
    )


def previous_year_values(plan: Plan, department_id: int, fiscal_year: int) -> dict[int, dict[int, ResultValue]]:
    """{indicator id: {measure id: value}} of the year before `fiscal_year` (one query)."""
    values = ResultValue.objects.filter(
        result__indicator__plan=plan,
        result__indicator__results__department_id=department_id,  # the department's indicators of this year
        result__indicator__results__fiscal_year=fiscal_year,
        result__fiscal_year=fiscal_year - 1,
    ).select_related("result")
    previous: dict[int, dict[int, ResultValue]] = {}
    for value in values:
        previous.setdefault(value.result.indicator_id, {})[value.measure_id] = value
    return previous


def latest_return_comments(results: list[Result]) -> dict[int, ResultComment]:
    """{result id: the latest return comment, the planning section's or the department head's} for
    the returned results (one query)."""
    returned = [result.pk for result in results if result.status == ResultStatus.RETURNED]
    if not returned:
        return {}
    comments = (
        ResultComment.objects.filter(result_id__in=returned, kind__in=(CommentKind.RETURN, CommentKind.HEAD_RETURN))
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return {comment.result_id: comment for comment in comments}  # later comments overwrite earlier ones


def plan_departments(plan: Plan, department_ids: Iterable[int] | None = None) -> list[Department]:
    """The departments with indicators in the plan, by name; only those of `department_ids` when given
    (the departments a person enters for). One query."""
    departments = Department.objects.filter(indicators__plan=plan)
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    return list(departments.distinct().order_by("name"))
