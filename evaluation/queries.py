"""Read-side queries of the evaluation pages. Each runs a fixed number of SQL queries, whatever the data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from .enums import ActualState, CommentKind, Grade, IndicatorKind, ResultStatus, YearStatus
from .models import (
    RESULT_VALUE_FIELDS,
    EvaluationYear,
    Measure,
    Plan,
    PolicyArea,
    Result,
    ResultComment,
    ResultValue,
    Revision,
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


# The review (the planning section's queue and item page) ---------------------------------------

REVIEWED_COMMENT_KINDS = (CommentKind.RETURN, CommentKind.REOPEN)


def review_results(plan: Plan, fiscal_year: int) -> QuerySet:
    """The year's results of a plan for the review queue: each row with its indicator's context,
    values and measures (one prefetch query), and three flags the filters use:
    `was_returned` (returned or reopened at least once), `is_tallying` (a measure is 集計中),
    `changed_since_review` (saved after the planning section last approved, returned or reopened)."""
    return (
        Result.objects.filter(indicator__plan=plan, fiscal_year=fiscal_year)
        .select_related(
            "indicator__initiative__vision__policy_area__pillar",
            "indicator__department",
            "indicator__plan",
            "updated_by",
        )
        .prefetch_related(Prefetch("values", queryset=ResultValue.objects.select_related("measure")))
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
    """How many results per status, and how the outcomes among them are graded."""

    by_status: dict[str, int]
    by_grade: dict[str, int]
    not_graded: int
    total: int

    @property
    def status_items(self) -> list[tuple[str, str, int]]:
        """(status, label, count) in the order of the workflow."""
        return [(status, label, self.by_status[status]) for status, label in ResultStatus.choices]

    @property
    def grade_items(self) -> list[tuple[str, int]]:
        """(grade, count) for A, B, C, D and "" (not graded)."""
        return [*((grade, self.by_grade[grade]) for grade in GRADES), ("", self.not_graded)]


def review_counts(results: QuerySet) -> ReviewCounts:
    """Counts per status and per grade of the outcomes over the given results, in one aggregate query."""
    outcome = Q(indicator__kind=IndicatorKind.OUTCOME)
    row = results.order_by().aggregate(
        total=Count("pk"),
        not_graded=Count("pk", filter=outcome & Q(grade="")),
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in ResultStatus.values},
        **{f"grade_{grade}": Count("pk", filter=outcome & Q(grade=grade)) for grade in GRADES},
    )
    return ReviewCounts(
        by_status={status: row[f"status_{status}"] for status in ResultStatus.values},
        by_grade={grade: row[f"grade_{grade}"] for grade in GRADES},
        not_graded=row["not_graded"],
        total=row["total"],
    )


def earlier_results(result: Result) -> list[Result]:
    """The indicator's results of earlier fiscal years, latest first, with their values (two queries)."""
    return list(
        Result.objects.filter(indicator_id=result.indicator_id, fiscal_year__lt=result.fiscal_year)
        .prefetch_related(Prefetch("values", queryset=ResultValue.objects.select_related("measure")))
        .order_by("-fiscal_year")
    )


# History: what changed, who, when, from what to what -------------------------------------------

RESULT_HISTORY_FIELDS = ("status", "judged_grade", "grade", "reason", "revision_reason")
VALUE_HISTORY_FIELDS = RESULT_VALUE_FIELDS
# A value row saved this soon after its result's row, by the same user, belongs to the same save.
SAME_SAVE = timedelta(seconds=5)


@dataclass
class FieldChange:
    subject: str  # the measure ("a) …") of a compound indicator, else empty
    field: str
    old: str
    new: str


@dataclass
class HistoryEvent:
    """One save of a result (and of its values in the same save): who, when, what changed."""

    version: int
    when: datetime
    user: object
    created: bool = False
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def user_name(self) -> str:
        return display_user(self.user)


def display_user(user) -> str:
    if user is None:
        return str(_("(system)"))
    return user.get_full_name() or user.get_username()


def display_value(model_field, value) -> str:
    """A stored value as people read it: choice labels, numbers without trailing zeros, 「—」 for empty."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return f"{text}%" if model_field.name == "achievement" else text
    return str(value)


def _diff(model, fields, old, new, subject: str) -> list[FieldChange]:
    changes = []
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            model_field = model._meta.get_field(name)
            changes.append(
                FieldChange(
                    subject=subject,
                    field=str(model_field.verbose_name),
                    old=display_value(model_field, before),
                    new=display_value(model_field, after),
                )
            )
    return changes


def _measure_subject(measure: Measure | None) -> str:
    if measure is None or not measure.label:
        return ""
    return f"{measure.label}) {measure.name}".strip()


def result_history(result: Result) -> list[HistoryEvent]:
    """Every recorded change of the result and its values, oldest first (two queries, plus one for
    the measures): one event per save of the result, holding the value changes of the same save."""
    result_rows = list(
        Result.history.filter(id=result.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    value_rows = list(
        ResultValue.history.filter(result_id=result.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    measures = {measure.pk: measure for measure in Measure.objects.filter(indicator_id=result.indicator_id)}

    timeline = sorted(
        [(row.history_date, 0, row) for row in result_rows] + [(row.history_date, 1, row) for row in value_rows],
        key=lambda item: (item[0], item[1]),
    )
    events: list[HistoryEvent] = []
    previous_result = None
    previous_values: dict[int, object] = {}
    for when, is_value, row in timeline:
        if not is_value:
            event = HistoryEvent(version=row.version, when=when, user=row.history_user, created=row.history_type == "+")
            if previous_result is not None:
                event.changes = _diff(Result, RESULT_HISTORY_FIELDS, previous_result, row, "")
            previous_result = row
            events.append(event)
            continue
        before = previous_values.get(row.id)
        previous_values[row.id] = row
        if before is None:  # the value was created with the result (the year was opened)
            continue
        measure = measures.get(row.measure_id)
        # A simple indicator's one grade is the result's own, already listed with the result's changes.
        fields = VALUE_HISTORY_FIELDS if measure is not None and measure.label else VALUE_HISTORY_FIELDS[:-1]
        changes = _diff(ResultValue, fields, before, row, _measure_subject(measure))
        if not changes:
            continue
        last = events[-1] if events else None
        if last is not None and last.user == row.history_user and when - last.when <= SAME_SAVE:
            last.changes.extend(changes)
        else:
            version = last.version if last is not None else 1
            events.append(HistoryEvent(version=version, when=when, user=row.history_user, changes=changes))
    return [event for event in events if event.created or event.changes]


def changes_since(result: Result, seen_version: int) -> list[HistoryEvent]:
    """The saves of the result after the version a reviewer saw."""
    return [event for event in result_history(result) if event.version > seen_version and event.changes]


# The department entry page (evaluation.views.entry): a fixed number of queries for any number of indicators.


def department_evaluation_year(department_id: int, fiscal_year: int) -> EvaluationYear | None:
    """The evaluation of `fiscal_year` of a plan holding the department's indicators; an open one first."""
    years = EvaluationYear.objects.filter(
        fiscal_year=fiscal_year, plan__in=Plan.objects.filter(indicators__department_id=department_id)
    ).select_related("plan")
    return years.filter(status=YearStatus.OPEN).order_by("plan__name").first() or years.order_by("plan__name").first()


def _values_by_measure() -> Prefetch:
    return Prefetch("values", queryset=ResultValue.objects.select_related("measure").order_by("measure__label"))


def department_results(plan: Plan, department_id: int, fiscal_year: int) -> list[Result]:
    """The department's results of the year, in the sheet's order, with their indicator, its place in the
    plan (pillar … initiative) and their values (two queries)."""
    return list(
        Result.objects.filter(indicator__plan=plan, indicator__department_id=department_id, fiscal_year=fiscal_year)
        .select_related("indicator__plan", "indicator__initiative__vision__policy_area__pillar", "updated_by")
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


def previous_year_values(plan: Plan, department_id: int, fiscal_year: int) -> dict[int, dict[int, ResultValue]]:
    """{indicator id: {measure id: value}} of the year before `fiscal_year` (one query)."""
    values = ResultValue.objects.filter(
        result__indicator__plan=plan,
        result__indicator__department_id=department_id,
        result__fiscal_year=fiscal_year - 1,
    ).select_related("result")
    previous: dict[int, dict[int, ResultValue]] = {}
    for value in values:
        previous.setdefault(value.result.indicator_id, {})[value.measure_id] = value
    return previous


def latest_return_comments(results: list[Result]) -> dict[int, ResultComment]:
    """{result id: the planning section's latest return comment} for the returned results (one query)."""
    returned = [result.pk for result in results if result.status == ResultStatus.RETURNED]
    if not returned:
        return {}
    comments = (
        ResultComment.objects.filter(result_id__in=returned, kind=CommentKind.RETURN)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return {comment.result_id: comment for comment in comments}  # later comments overwrite earlier ones


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


# Revisions of the plan (修正, ※2 ※3): the revise page and, later, the report's footnotes ---------------


def indicator_revisions(indicator_id: int) -> list[Revision]:
    """Every revision of an indicator (baseline and every year's plan values and targets), oldest first."""
    return list(
        Revision.objects.filter(indicator_id=indicator_id)
        .select_related("measure", "changed_by")
        .order_by("changed_at", "pk")
    )


def revisions_by_indicator(plan: Plan, fiscal_year: int) -> dict[int, list[Revision]]:
    """{indicator id: its revisions that concern `fiscal_year`'s sheet} (baselines and that year's plan
    values and targets), oldest first, in one query: the report marks these items with their footnote."""
    revisions = (
        Revision.objects.filter(indicator__plan=plan)
        .filter(Q(fiscal_year__isnull=True) | Q(fiscal_year=fiscal_year))
        .select_related("measure", "changed_by")
        .order_by("changed_at", "pk")
    )
    grouped: dict[int, list[Revision]] = {}
    for revision in revisions:
        grouped.setdefault(revision.indicator_id, []).append(revision)
    return grouped
