"""The review queue's table (django-tables2): one row per indicator of the year."""

from __future__ import annotations

import django_tables2 as tables
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from evaluation import display
from evaluation.domain.enums import IndicatorKind
from evaluation.domain.footnotes import year_marks
from evaluation.domain.workflow import Action
from evaluation.models import Result, ResultValue
from evaluation.services import guards
from evaluation.templatetags.mezasu import grade_badge


def plan_text(value: ResultValue, indicator, decimals: int | None = None) -> str:
    """The figure the year is measured against: the target of an outcome, the (revised) plan of an activity."""
    if indicator.kind == IndicatorKind.OUTCOME:
        number, text = value.target_value, value.target_text
    elif value.revised_plan_value is not None or value.revised_plan_text:
        number, text = value.revised_plan_value, value.revised_plan_text
    else:
        number, text = value.original_plan_value, value.original_plan_text
    return display.plan_value(number, text, **display.figure_style(indicator, decimals))


def actual_text(value: ResultValue, indicator, decimals: int | None = None) -> str:
    style = display.figure_style(indicator, decimals)
    return display.actual(value.actual_state, value.actual_value, value.actual_text, **style)


def _prefix(value: ResultValue) -> str:
    return f"{value.measure.label}) " if value.measure.label else ""


class ReviewTable(tables.Table):
    select = tables.Column(
        verbose_name=_("Select"), empty_values=(), orderable=False, attrs={"th": {"class": "col-select"}}
    )
    code = tables.Column(
        verbose_name=_("ID"), accessor="indicator__code", order_by=("indicator__position",), linkify=False
    )
    label = tables.Column(verbose_name=_("No."), accessor="indicator__label", orderable=False)
    name = tables.Column(verbose_name=_("Indicator"), accessor="indicator__name", order_by=("indicator__name",))
    area = tables.Column(
        verbose_name=_("Pillar / policy area"),
        accessor="indicator__initiative__vision__policy_area",
        order_by=(
            "indicator__initiative__vision__policy_area__pillar__number",
            "indicator__initiative__vision__policy_area__number",
            "indicator__position",
        ),
    )
    department = tables.Column(
        verbose_name=_("Department"), accessor="department__name", order_by=("department__name",)
    )
    kind = tables.Column(verbose_name=_("Kind"), accessor="indicator__kind", order_by=("indicator__kind",))
    figures = tables.Column(verbose_name=_("Target / actual"), empty_values=(), orderable=False)
    achievement = tables.Column(verbose_name=_("Achievement"), empty_values=(), orderable=False)
    grade = tables.Column(verbose_name=_("Grade"), empty_values=())
    status = tables.Column(verbose_name=_("Status"))
    updated_at = tables.Column(verbose_name=_("Updated"), empty_values=())

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

    def __init__(self, *args, selected: frozenset[int] = frozenset(), decimals: int | None = None, **kwargs):
        """`selected`: the rows to show ticked (a selection the reviewer kept while confirming);
        `decimals`: the year's (Plan.decimals_of: a closed year's from its closing), else the plan's."""
        super().__init__(*args, **kwargs)
        self.selected = selected
        self.decimals = decimals

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        """Always Meta.per_page rows a page: the queue offers no other size, and a ?per_page= typed into
        the address (RequestConfig reads it) of 0 or -1 would break the paginator."""
        return super().paginate(paginator_class, self._meta.per_page, page, *args, **kwargs)

    def render_select(self, record):
        # Separation of duties: no checkbox for an item the reviewer submitted or last changed (the
        # selection would refuse it); the cell says why. RequestConfig gives the table its request.
        user = getattr(getattr(self, "request", None), "user", None)
        if not guards.may_decide(user, record, Action.APPROVE):
            why = guards.OwnDecisionRefused(guards.own_part(user, record), Action.APPROVE).message
            return format_html(
                '<span class="own-item" aria-hidden="true" title="{}">{}</span><span class="visually-hidden">{}</span>',
                why,
                _("Yours"),
                why,
            )
        return format_html(
            '<input type="checkbox" class="checkbox" name="selected" value="{id}" id="select-{id}" '
            'aria-label="{label}"{checked}><input type="hidden" name="version-{id}" value="{version}">',
            id=record.pk,
            version=record.version,
            label=_("Select %(code)s") % {"code": record.indicator.code},
            checked=mark_safe(" checked") if record.pk in self.selected else "",
        )

    def render_code(self, record):
        url = reverse("review_item", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, record.indicator.code)

    def render_label(self, record):
        indicator = record.indicator
        revisions = getattr(indicator, "year_revisions", [])  # prefetched by queries.review.review_results
        marks = year_marks(indicator.footnote, [revision.footnote for revision in revisions])
        return f"{display.indicator_number(indicator.label)}{marks}"

    def render_name(self, record):
        url = reverse("review_item", args=[record.pk])
        return format_html('<a class="review-table__name" href="{}">{}</a>', url, record.indicator.name)

    def render_area(self, record):
        area = record.indicator.initiative.vision.policy_area
        return format_html(
            '<span title="{pillar} / {area}">{p}-{a}</span>',
            pillar=area.pillar,
            area=area,
            p=area.pillar.number,
            a=area.number,
        )

    def render_kind(self, record):
        return record.indicator.get_kind_display()

    def render_figures(self, record):
        values = list(record.values.all())
        indicator = record.indicator
        return format_html_join(
            "",
            '<span class="review-table__figure review-table__figure--wraps">{}{} / {}</span>',
            (
                (
                    _prefix(value),
                    plan_text(value, indicator, self.decimals),
                    actual_text(value, indicator, self.decimals),
                )
                for value in values
            ),
        )

    def render_achievement(self, record):
        if record.indicator.kind != IndicatorKind.OUTCOME:
            return display.EMPTY
        values = list(record.values.all())
        decimals = record.indicator.plan.achievement_decimals if self.decimals is None else self.decimals
        return format_html_join(
            "",
            '<span class="review-table__figure">{}{}</span>',
            ((_prefix(value), display.achievement(value.achievement, decimals)) for value in values),
        )

    def render_grade(self, record):
        if record.indicator.kind != IndicatorKind.OUTCOME:
            return display.EMPTY
        return render_to_string("includes/grade_badge.html", grade_badge(record.grade))

    def render_department(self, record):
        return display.department(record.department)

    def render_status(self, record):
        return render_to_string("evaluation/review/_status_badge.html", {"result": record})

    def render_updated_at(self, record):
        return format_html(
            '<span class="review-table__when">{}</span><span class="review-table__who">{}</span>',
            display.moment(record.updated_at),
            display.person(record.updated_by) if record.updated_by else display.EMPTY,
        )
