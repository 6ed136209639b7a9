"""Read side of what waits for a person: the home page's lists and the header's count.

Department staff wait on their departments' returned items (差戻し) and on the comments someone else
posted after they last read the item's page (ResultReading); the planning section waits on the
submitted items (提出済). Only items of open evaluation years count: nothing else can be acted on.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.models import EvaluationYear, Result, ResultComment, ResultReading

REVIEW_LIST_LIMIT = 20  # the home page lists the longest-waiting submissions; the queue has them all


def _in_an_open_year() -> Exists:
    """The outer result belongs to an open evaluation year of its plan."""
    return Exists(
        EvaluationYear.objects.filter(
            plan_id=OuterRef("indicator__plan_id"), fiscal_year=OuterRef("fiscal_year"), status=YearStatus.OPEN
        )
    )


def _unread_comments(user) -> QuerySet:
    """The comments of the outer result that someone else posted after `user` last read its page."""
    read_since = ResultReading.objects.filter(
        result_id=OuterRef("result_id"), user_id=user.pk, read_at__gte=OuterRef("created_at")
    )
    return ResultComment.objects.filter(result_id=OuterRef("pk")).exclude(author_id=user.pk).filter(~Exists(read_since))


def _waiting_for_department(user, department_ids: Collection[int]) -> QuerySet:
    return (
        Result.objects.filter(_in_an_open_year(), department_id__in=list(department_ids))
        .annotate(has_unread=Exists(_unread_comments(user)))
        .filter(Q(status=ResultStatus.RETURNED) | Q(has_unread=True))
    )


def _waiting_for_head(head_department_ids: Collection[int]) -> QuerySet:
    return Result.objects.filter(
        _in_an_open_year(), status=ResultStatus.AWAITING_HEAD, department_id__in=list(head_department_ids)
    )


def head_waiting(head_department_ids: Collection[int]) -> list[Result]:
    """The items of the head's departments awaiting their check (所属長確認待ち), oldest first (one query)."""
    return list(
        _waiting_for_head(head_department_ids).select_related("indicator", "department").order_by("updated_at", "pk")
    )


def _waiting_for_review() -> QuerySet:
    return Result.objects.filter(_in_an_open_year(), status=ResultStatus.SUBMITTED)


@dataclass
class WaitingItem:
    """A department's item that waits for the person, with its thread's latest comment and the unread ones."""

    result: Result
    latest_comment: ResultComment | None = None
    unread: list[ResultComment] = field(default_factory=list)

    @property
    def is_returned(self) -> bool:
        return self.result.status == ResultStatus.RETURNED


@dataclass
class DepartmentWaiting:
    """What waits for department staff: returned items first, then items with unread comments."""

    returned: list[WaitingItem] = field(default_factory=list)
    commented: list[WaitingItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.returned) + len(self.commented)


def department_waiting(user, department_ids: Collection[int]) -> DepartmentWaiting:
    """The returned items and the items with unread comments of the user's departments (two queries;
    none without departments)."""
    waiting = DepartmentWaiting()
    if not department_ids:
        return waiting
    last_read = ResultReading.objects.filter(result_id=OuterRef("pk"), user_id=user.pk).values("read_at")[:1]
    results = list(
        _waiting_for_department(user, department_ids)
        .annotate(read_at=Subquery(last_read))
        .select_related("department", "indicator__plan")
        .order_by("fiscal_year", "department__name", "indicator__position", "indicator__code")
    )
    comments: dict[int, list[ResultComment]] = {}
    for comment in (
        ResultComment.objects.filter(result__in=[result.pk for result in results])
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        comments.setdefault(comment.result_id, []).append(comment)
    for result in results:
        thread = comments.get(result.pk, [])
        unread = [
            comment
            for comment in thread
            if comment.author_id != user.pk and (result.read_at is None or comment.created_at > result.read_at)
        ]
        item = WaitingItem(result=result, latest_comment=thread[-1] if thread else None, unread=unread)
        (waiting.returned if item.is_returned else waiting.commented).append(item)
    return waiting


@dataclass
class YearToReview:
    """An open evaluation year with its submitted items: how many, and the longest-waiting of them."""

    year: EvaluationYear
    count: int
    items: list[Result] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def review_waiting(limit: int = REVIEW_LIST_LIMIT) -> list[YearToReview]:
    """The open years with submitted items, each with its count, and the `limit` longest-waiting
    submissions among them (two queries)."""
    submitted = (
        Result.objects.filter(
            indicator__plan_id=OuterRef("plan_id"), fiscal_year=OuterRef("fiscal_year"), status=ResultStatus.SUBMITTED
        )
        .order_by()
        .values("fiscal_year")
        .annotate(count=Count("pk"))
        .values("count")
    )
    years = (
        EvaluationYear.objects.filter(status=YearStatus.OPEN)
        .select_related("plan")
        .annotate(submitted=Coalesce(Subquery(submitted, output_field=IntegerField()), Value(0)))
        .filter(submitted__gt=0)
        .order_by("plan__name", "-fiscal_year")
    )
    by_key = {(year.plan_id, year.fiscal_year): YearToReview(year=year, count=year.submitted) for year in years}
    if not by_key:
        return []
    oldest = (
        _waiting_for_review()
        .select_related("department", "indicator__plan", "updated_by")
        .order_by("updated_at", "pk")[:limit]
    )
    for result in oldest:
        group = by_key.get((result.indicator.plan_id, result.fiscal_year))
        if group is not None:
            group.items.append(result)
    return list(by_key.values())


def waiting_count(
    user, *, department_ids: Collection[int], reviews: bool, head_department_ids: Collection[int] = ()
) -> int:
    """How many items wait for the user (the header's count): their departments' returned items and
    items with unread comments, for a department head the items awaiting their check, and, for the
    planning section (`reviews`), the submitted items. At most three queries."""
    count = 0
    if department_ids:
        count += _waiting_for_department(user, department_ids).count()
    if head_department_ids:
        count += _waiting_for_head(head_department_ids).count()
    if reviews:
        count += _waiting_for_review().count()
    return count
