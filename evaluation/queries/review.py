"""Read side of the review queue and the item page: the results to review, their counts, earlier years."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from evaluation.domain.enums import ActualState, CommentKind, IndicatorKind, ResultStatus
from evaluation.domain.grading import GradingScheme
from evaluation.domain.workflow import statuses
from evaluation.models import (
    EvaluationYear,
    Plan,
    Result,
    ResultComment,
    ResultValue,
    Revision,
)

REVIEWED_COMMENT_KINDS = (CommentKind.RETURN, CommentKind.REOPEN)


def review_results(plan: Plan, fiscal_year: int) -> QuerySet:
    """The year's results of a plan for the review queue: each row with its indicator's context,
    values and measures (one prefetch query), the year's revision marks (one more), and three flags the filters use:
    `was_returned` (returned or reopened at least once), `is_tallying` (a measure is 集計中),
    `changed_since_review` (saved after the planning section last approved, returned or reopened)."""
    return (
        Result.objects.filter(indicator__plan=plan, fiscal_year=fiscal_year)
        .select_related(
            "indicator__initiative__vision__policy_area__pillar",
            "department",
            "indicator__plan",
            "updated_by",
        )
        .prefetch_related(
            Prefetch("values", queryset=ResultValue.objects.select_related("measure")),
            Prefetch(  # the year's footnote marks (Result.marks): its revisions' and the baseline's
                "indicator__revisions",
                queryset=Revision.objects.exclude(footnote="")
                .filter(Q(fiscal_year__isnull=True) | Q(fiscal_year=fiscal_year))
                .order_by("changed_at", "pk"),
                to_attr="year_revisions",
            ),
        )
        .annotate(
            was_returned=Exists(ResultComment.objects.filter(result=OuterRef("pk"), kind__in=REVIEWED_COMMENT_KINDS)),
            is_tallying=Exists(ResultValue.objects.filter(result=OuterRef("pk"), actual_state=ActualState.TALLYING)),
            changed_since_review=ExpressionWrapper(
                Q(reviewed_version__isnull=False, version__gt=F("reviewed_version")), output_field=BooleanField()
            ),
        )
        .order_by("indicator__position")
    )


@dataclass
class ReviewCounts:
    """How many results per status, and how the outcomes among them are graded (per label of the
    year's grading scheme, best first)."""

    by_status: dict[str, int]
    by_grade: dict[str, int]
    not_graded: int
    total: int

    @property
    def status_items(self) -> list[tuple[str, str, int]]:
        """(status, label, count) in the order of the workflow."""
        return [(status, ResultStatus(status).label, count) for status, count in self.by_status.items()]

    @property
    def grade_items(self) -> list[tuple[str, int]]:
        """(label, count) for each label of the scheme, best first (A, B, C, D for Setagaya), then ("", not graded)."""
        return [*self.by_grade.items(), ("", self.not_graded)]


def review_counts(results: QuerySet, scheme: GradingScheme) -> ReviewCounts:
    """Counts per status and per label of the scheme (the outcomes') over the given results, in one
    aggregate query. The statuses are the plan's (所属長確認待ち only where the plan asks for the head's check)."""
    outcome = Q(indicator__kind=IndicatorKind.OUTCOME)
    labels = scheme.codes  # a label (○, 7 …) is a value in the query, never a name: counted by position
    row = results.order_by().aggregate(
        total=Count("pk"),
        not_graded=Count("pk", filter=outcome & Q(grade="")),
        head_check=Count("pk", filter=Q(indicator__plan__requires_head_check=True)),
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in ResultStatus.values},
        **{f"grade_{index}": Count("pk", filter=outcome & Q(grade=label)) for index, label in enumerate(labels)},
    )
    return ReviewCounts(
        by_status={status: row[f"status_{status}"] for status in statuses(head_check=bool(row["head_check"]))},
        by_grade={label: row[f"grade_{index}"] for index, label in enumerate(labels)},
        not_graded=row["not_graded"],
        total=row["total"],
    )


def schemes_by_year(plan: Plan) -> dict[int, GradingScheme]:
    """The grading scheme of each fiscal year opened (Plan.scheme_of: a closed year's snapshot), in one
    query; a year not opened follows the plan's (`.get(year, plan.scheme)`)."""
    schemes = {}
    for year in EvaluationYear.objects.filter(plan=plan):
        year.plan = plan
        schemes[year.fiscal_year] = year.scheme
    return schemes


def earlier_results(result: Result) -> list[Result]:
    """The indicator's results of earlier fiscal years, latest first, with their values (two queries)."""
    return list(
        Result.objects.filter(indicator_id=result.indicator_id, fiscal_year__lt=result.fiscal_year)
        .prefetch_related(Prefetch("values", queryset=ResultValue.objects.select_related("measure")))
        .order_by("-fiscal_year")
    )


# History: what changed, who, when, from what to what -------------------------------------------
