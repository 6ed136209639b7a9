"""Filters of the review queue (django-filter) over queries.review_results()."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from evaluation import display
from evaluation.domain.enums import IndicatorKind, ResultStatus
from evaluation.domain.grading import GradingScheme
from evaluation.domain.workflow import statuses
from evaluation.models import Indicator, Pillar, PolicyArea

UNGRADED_CHOICE = "none"  # the grade filter's choice for the items without a grade
ALL = _("All")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _html_attrs(attrs: dict) -> str:
    """Attributes as Django's widgets/attrs.html writes them: True alone, False left out; escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class ListSelect(forms.Select):
    """A select of flat choices written in one loop: Django's template includes a template per option,
    which made the policy areas (278 in a plan of 2,500 indicators) and the departments the slowest
    part of the queue. The markup is Django's own."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'\n  <option value="{conditional_escape(option["value"])}"{_html_attrs(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>"
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        )
        return mark_safe(  # every value above is escaped
            f'<select name="{conditional_escape(widget["name"])}"{_html_attrs(widget["attrs"])}>{options}\n</select>'
        )


def grade_choices(scheme: GradingScheme) -> list[tuple[str, str]]:
    """The grade filter's choices: each label of the scheme with its meaning (「S 目標値以上」, a state's
    label with the state's name: 「X 未着手」), best first, then ー."""
    return [
        *(
            (code, f"{code} {meaning}" if (meaning := display.grade_meaning(code, scheme)) else code)
            for code in scheme.codes
        ),
        (UNGRADED_CHOICE, _("ー (not graded)")),
    ]


class ReviewFilter(django_filters.FilterSet):
    """Pillar, policy area, department, kind, status, grade (ー included), 集計中, returned at least
    once, changed since the last review. Choices are limited to the plan's own (its statuses too; its
    grading scheme's labels, best first, with their states' labels where the scheme puts them)."""

    # The plan's pillars, policy areas and departments, as (id, label) pairs read in one query each:
    # model choices built a model instance per option, the most of the queue's time in a large plan.
    pillar = django_filters.ChoiceFilter(
        label=_("Pillar"), field_name="indicator__initiative__vision__policy_area__pillar", widget=ListSelect
    )
    policy_area = django_filters.ChoiceFilter(
        label=_("Policy area"), field_name="indicator__initiative__vision__policy_area", widget=ListSelect
    )
    department = django_filters.ChoiceFilter(label=_("Department"), field_name="department", widget=ListSelect)
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="indicator__kind", choices=IndicatorKind.choices, widget=ListSelect
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ResultStatus.choices, widget=ListSelect)
    grade = django_filters.ChoiceFilter(label=_("Grade"), method="filter_grade", widget=ListSelect)
    tallying = django_filters.ChoiceFilter(
        label=_("Being tallied (集計中)"),
        choices=YES_NO,
        method="filter_flag",
        field_name="is_tallying",
        widget=ListSelect,
    )
    returned = django_filters.ChoiceFilter(
        label=_("Returned at least once"),
        choices=YES_NO,
        method="filter_flag",
        field_name="was_returned",
        widget=ListSelect,
    )
    changed = django_filters.ChoiceFilter(
        label=_("Changed since the last review"),
        choices=YES_NO,
        method="filter_flag",
        field_name="changed_since_review",
        widget=ListSelect,
    )

    def __init__(self, data=None, queryset=None, *, plan, scheme: GradingScheme, **kwargs):
        """`scheme`: the year's grading scheme (Plan.scheme_of: a closed year's snapshot)."""
        super().__init__(data, queryset, **kwargs)
        self.filters["grade"].extra["choices"] = grade_choices(scheme)
        self.filters["status"].extra["choices"] = [
            (status, ResultStatus(status).label) for status in statuses(head_check=plan.requires_head_check)
        ]
        pillars = Pillar.objects.filter(plan=plan).order_by("number").values_list("pk", "number", "title")
        self.filters["pillar"].extra["choices"] = [(pk, f"{number} {title}") for pk, number, title in pillars]
        areas = (
            PolicyArea.objects.filter(pillar__plan=plan)
            .order_by("pillar__number", "number")
            .values_list("pk", "pillar__number", "number", "title")
        )
        self.filters["policy_area"].extra["choices"] = [
            (pk, f"{pillar}-{number} {title}") for pk, pillar, number, title in areas
        ]
        departments = Department.objects.filter(Exists(Indicator.objects.filter(plan=plan, department=OuterRef("pk"))))
        self.filters["department"].extra["choices"] = list(departments.order_by("name").values_list("pk", "name"))
        for form_field in self.form.fields.values():
            form_field.widget.attrs.setdefault("class", "select")
            # django-filter's choices begin with ("", empty_label) of the field they were given to: set
            # them again (without it) so that the form's own field, now labelled, is the one they read.
            form_field.empty_label = ALL
            form_field.choices = [choice for choice in form_field.choices if choice[0] != ""]

    def filter_grade(self, queryset, name, value):
        """A graded outcome by its label (a state's label too: あきる野's X); ー: outcomes without a grade
        (activities are never graded)."""
        if value == UNGRADED_CHOICE:
            return queryset.filter(indicator__kind=IndicatorKind.OUTCOME, grade="")
        return queryset.filter(grade=value)

    def filter_flag(self, queryset, name, value):
        condition = Q(**{name: True})
        return queryset.filter(condition if value == "yes" else ~condition)
