"""The review queue's table: one row per indicator of the year. django-tables2 sorts, pages and writes
the header; the rows' cells are worked out once per row (QueueRow) and written by one template loop."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluation import display
from evaluation.domain.enums import IndicatorKind
from evaluation.domain.footnotes import year_marks
from evaluation.domain.grading import GradingScheme
from evaluation.domain.workflow import Action
from evaluation.models import PolicyArea, Result, ResultValue
from evaluation.services import guards


def plan_text(value: ResultValue, indicator, decimals: int | None = None) -> str:
    """The figure the year is measured against: the target of an outcome, the (revised) plan of an activity."""
    if indicator.kind == IndicatorKind.OUTCOME:
        number, text = value.target_value, value.target_text
    elif value.revised_plan_value is not None or value.revised_plan_text:
        number, text = value.revised_plan_value, value.revised_plan_text
    else:
        number, text = value.original_plan_value, value.original_plan_text
    return display.plan_value(number, text, **display.figure_style(indicator, decimals))


def actual_text(value: ResultValue, indicator, decimals: int, scheme: GradingScheme) -> str:
    """The actual as printed; a state of the scheme other than 集計中 by its name (未着手, 中止 …)."""
    return display.actual_in(value, scheme, **display.figure_style(indicator, decimals))


def _prefix(value: ResultValue) -> str:
    return f"{value.measure.label}) " if value.measure.label else ""


# Every sort ends on the plan's order (its code breaks a tie of positions), so rows that tie (one
# department's, one status's) keep one order from page to page: else a row may show on two pages, another on none.
PLAN_ORDER = ("indicator__position", "indicator__code")


class ReviewTable(tables.Table):
    select = tables.Column(
        verbose_name=_("Select"), empty_values=(), orderable=False, attrs={"th": {"class": "col-select"}}
    )
    code = tables.Column(verbose_name=_("ID"), accessor="indicator__code", order_by=PLAN_ORDER, linkify=False)
    label = tables.Column(verbose_name=_("No."), accessor="indicator__label", orderable=False)
    name = tables.Column(
        verbose_name=_("Indicator"), accessor="indicator__name", order_by=("indicator__name", *PLAN_ORDER)
    )
    area = tables.Column(
        verbose_name=_("Pillar / policy area"),
        accessor="indicator__initiative__vision__policy_area",
        order_by=(
            "indicator__initiative__vision__policy_area__pillar__number",
            "indicator__initiative__vision__policy_area__number",
            *PLAN_ORDER,
        ),
    )
    department = tables.Column(
        verbose_name=_("Department"), accessor="department__name", order_by=("department__name", *PLAN_ORDER)
    )
    kind = tables.Column(verbose_name=_("Kind"), accessor="indicator__kind", order_by=("indicator__kind", *PLAN_ORDER))
    figures = tables.Column(verbose_name=_("Target / actual"), empty_values=(), orderable=False)
    achievement = tables.Column(verbose_name=_("Achievement"), empty_values=(), orderable=False)
    grade = tables.Column(verbose_name=_("Grade"), empty_values=(), order_by=("grade", *PLAN_ORDER))
    status = tables.Column(verbose_name=_("Status"), order_by=("status", *PLAN_ORDER))
    updated_at = tables.Column(verbose_name=_("Updated"), empty_values=(), order_by=("updated_at", *PLAN_ORDER))

    class Meta:
        model = Result
        fields = ()
        sequence = (
            "select",
            "code",
            "label",
            "name",
            "area",
            "department",
            "kind",
            "figures",
            "achievement",
            "grade",
            "status",
            "updated_at",
        )
        order_by = ("code",)
        template_name = "django_tables2/table.html"
        attrs = {"class": "data-table review-table", "id": "review-table"}
        row_attrs = {"id": lambda record: f"result-{record.pk}"}
        empty_text = _("No result matches these filters.")
        per_page = 50

    def __init__(self, *args, scheme: GradingScheme, selected: frozenset[int] = frozenset(), **kwargs):
        """`scheme`: the year's grading scheme (Plan.scheme_of: a closed year's from its closing), for its
        labels, states and decimals; `selected`: the rows to show ticked (a selection the reviewer kept
        while confirming)."""
        self.scheme = scheme  # before the table orders its rows: order_grade reads it
        self.decimals = scheme.decimals
        self.tones = display.grade_tones(scheme)  # worked out once for the page's badges
        super().__init__(*args, **kwargs)
        self.selected = selected

    def order_grade(self, queryset, is_descending: bool):
        """By the scheme's order of its labels, best first (ー before them, as '' sorted before A), ties in
        the plan's order; descending reverses both, as the other columns' sorts do."""
        rank = Case(
            *(When(grade=code, then=Value(index)) for index, code in enumerate(self.scheme.codes, start=1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        fields = [F("grade_rank"), *(F(name) for name in PLAN_ORDER)]
        ordering = [field.desc() if is_descending else field.asc() for field in fields]
        return queryset.annotate(grade_rank=rank).order_by(*ordering), True

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        """Always Meta.per_page rows a page: the queue offers no other size, and a ?per_page= typed into
        the address (RequestConfig reads it) of 0 or -1 would break the paginator."""
        return super().paginate(paginator_class, self._meta.per_page, page, *args, **kwargs)

    @property
    def shows_selection(self) -> bool:
        """The checkbox column is there (the planning section's queue, not a viewer's)."""
        return any(column.name == "select" for column in self.columns)

    @cached_property
    def page_rows(self) -> list[QueueRow]:
        """The page's rows with every cell's value worked out once: the template writes them in one
        loop (django-tables2's cell-by-cell render_* calls cost more than the rest of the page)."""
        user = getattr(getattr(self, "request", None), "user", None)  # RequestConfig gives the request
        return [queue_row(row.record, user, self.selected, self) for row in self.paginated_rows]


@dataclass(frozen=True)
class Figure:
    """One measure's figures in the queue: its a)/b) prefix, the plan or target, the actual, the achievement."""

    prefix: str
    planned: str
    actual: str
    achievement: str


@dataclass(frozen=True)
class QueueRow:
    """One result as the queue prints it; `why_not` says why it has no checkbox (separation of duties)."""

    EMPTY = display.EMPTY  # the cell of what an activity volume has not: achievement, grade

    record: Result
    url: str
    why_not: str
    checked: bool
    select_label: str
    number: str
    area: PolicyArea
    kind: str
    is_outcome: bool
    figures: list[Figure]
    grade: dict
    department: str
    when: str
    who: str


def queue_row(record: Result, user, selected: frozenset[int], table: ReviewTable) -> QueueRow:
    indicator, decimals, scheme = record.indicator, table.decimals, table.scheme
    why_not = ""
    if not guards.may_decide(user, record, Action.APPROVE):
        why_not = guards.OwnDecisionRefused(guards.own_part(user, record), Action.APPROVE).message
    decimals_shown = display.figure_style(indicator, decimals)["decimals"]
    revisions = getattr(indicator, "year_revisions", [])  # prefetched by queries.review.review_results
    return QueueRow(
        record=record,
        url=reverse("review_item", args=[record.pk]),
        why_not=why_not,
        checked=record.pk in selected,
        select_label=gettext("Select %(code)s") % {"code": indicator.code},
        number=display.indicator_number(indicator.label)
        + year_marks(indicator.footnote, [revision.footnote for revision in revisions]),
        area=indicator.initiative.vision.policy_area,
        kind=indicator.get_kind_display(),
        is_outcome=indicator.kind == IndicatorKind.OUTCOME,
        figures=[
            Figure(
                prefix=_prefix(value),
                planned=plan_text(value, indicator, decimals),
                actual=actual_text(value, indicator, decimals, scheme),
                achievement=display.achievement(value.achievement, decimals_shown),
            )
            for value in record.values.all()
        ],
        grade={
            "letter": display.grade(record.grade),
            "css": table.tones.get(record.grade, display.STATE_TONE) if record.grade else display.NO_GRADE_TONE,
        },
        department=display.department(record.department),
        when=display.moment(record.updated_at),
        who=display.person(record.updated_by) if record.updated_by else display.EMPTY,
    )
