"""Filters of the review queue (django-filter) over queries.review_results()."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from evaluation.domain.enums import Grade, IndicatorKind, ResultStatus
from evaluation.domain.workflow import statuses
from evaluation.models import Pillar, PolicyArea

UNGRADED_CHOICE = "none"  # the grade filter's choice for the items without a grade
ALL = _("All")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ReviewFilter(django_filters.FilterSet):
    """Pillar, policy area, department, kind, status, grade (ー included), 集計中, returned at least
    once, changed since the last review. Choices are limited to the plan's own (its statuses too)."""

    pillar = django_filters.ModelChoiceFilter(
        label=_("Pillar"),
        field_name="indicator__initiative__vision__policy_area__pillar",
        queryset=Pillar.objects.none(),
    )
    policy_area = django_filters.ModelChoiceFilter(
        label=_("Policy area"),
        field_name="indicator__initiative__vision__policy_area",
        queryset=PolicyArea.objects.none(),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), field_name="department", queryset=Department.objects.none()
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="indicator__kind", choices=IndicatorKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ResultStatus.choices)
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=[*Grade.choices, (UNGRADED_CHOICE, _("ー (not graded)"))], method="filter_grade"
    )
    tallying = django_filters.ChoiceFilter(
        label=_("Being tallied (集計中)"), choices=YES_NO, method="filter_flag", field_name="is_tallying"
    )
    returned = django_filters.ChoiceFilter(
        label=_("Returned at least once"), choices=YES_NO, method="filter_flag", field_name="was_returned"
    )
    changed = django_filters.ChoiceFilter(
        label=_("Changed since the last review"),
        choices=YES_NO,
        method="filter_flag",
        field_name="changed_since_review",
    )

    def __init__(self, data=None, queryset=None, *, plan, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["status"].extra["choices"] = [
            (status, ResultStatus(status).label) for status in statuses(head_check=plan.requires_head_check)
        ]
        self.filters["pillar"].queryset = Pillar.objects.filter(plan=plan).order_by("number")
        self.filters["policy_area"].queryset = (
            PolicyArea.objects.filter(pillar__plan=plan).select_related("pillar").order_by("pillar__number", "number")
        )
        self.filters["department"].queryset = Department.objects.filter(indicators__plan=plan).distinct()
        for form_field in self.form.fields.values():
            form_field.widget.attrs.setdefault("class", "select")
            form_field.empty_label = ALL
            if hasattr(form_field, "choices") and not hasattr(form_field, "queryset"):
                form_field.choices = [("", ALL), *[choice for choice in form_field.choices if choice[0] != ""]]
        self.form.fields["policy_area"].label_from_instance = _policy_area_label

    def filter_grade(self, queryset, name, value):
        """A graded outcome by its letter; ー: outcomes without a grade (activities are never graded)."""
        if value == UNGRADED_CHOICE:
            return queryset.filter(indicator__kind=IndicatorKind.OUTCOME, grade="")
        return queryset.filter(grade=value)

    def filter_flag(self, queryset, name, value):
        condition = Q(**{name: True})
        return queryset.filter(condition if value == "yes" else ~condition)


def _policy_area_label(area: PolicyArea) -> str:
    return f"{area.pillar.number}-{area.number} {area.title}"
