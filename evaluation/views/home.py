from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from departments.models import Department
from departments.permissions import (
    can_review,
    can_view_everything,
    entry_department_ids,
    head_department_ids,
    own_department_ids,
    visible_indicators,
)
from evaluation import display
from evaluation.models import Indicator, Plan
from evaluation.queries.home import plan_summary, result_years
from evaluation.queries.waiting import department_waiting, head_waiting, review_waiting
from evaluation.views.params import parse_id


def _choose(request, name: str, choices: dict):
    """The choice named by ?name=, or None when absent; 404 for a value that is not among the choices."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return choices[parse_id(raw)]
    except KeyError:
        raise Http404(f"unknown {name}") from None


def _waiting(user) -> dict:
    """What waits for the user, whatever plan the page shows: their departments' returned items and
    unread comments, and for the planning section the submissions to review."""
    department_ids, head_ids = entry_department_ids(user), head_department_ids(user)
    return {
        "department": department_waiting(user, department_ids) if department_ids else None,
        "head": head_waiting(head_ids) if head_ids else None,
        "reviews": review_waiting() if can_review(user) else None,
    }


@require_safe
def home(request):
    """What waits for the user, then the plan at a glance: per policy area, its indicators and the
    grades of one fiscal year."""
    plans = {plan.pk: plan for plan in Plan.objects.order_by("name")}
    if not plans:
        return render(request, "evaluation/home.html", {"no_plan": True})
    plan = _choose(request, "plan", plans) or next(iter(plans.values()))

    years = result_years(plan)
    context = {"plan": plan, "plans": list(plans.values()), "years": years, "waiting": _waiting(request.user)}
    if not years:
        return render(request, "evaluation/home.html", context)
    fiscal_year = _choose(request, "year", {year: year for year in years}) or years[0]
    context["fiscal_year"] = fiscal_year

    user = request.user
    if can_view_everything(user):
        scope, own_departments = "all", []
    elif department_ids := own_department_ids(user):
        scope = "own"
        own_departments = list(Department.objects.filter(pk__in=department_ids).values_list("name", flat=True))
    else:
        return render(request, "evaluation/home.html", {**context, "scope": "none"})

    scheme = plan.scheme_of(fiscal_year)  # a closed year's labels are those it was closed with
    summary = plan_summary(
        plan,
        fiscal_year,
        visible_indicators(user, Indicator.objects.all(), fiscal_year),
        scheme=scheme,
        all_areas=scope == "all",
    )
    context.update(
        scope=scope,
        own_departments=own_departments,
        scheme=scheme,
        summary=summary,
        grade_heads=_grade_heads(scheme),
        table_class=_table_class(scheme),
    )
    if summary.has_rollup:
        _attach_overall_badges(summary, scheme)
        context["rollup_legend"] = _rollup_legend(scheme)
    return render(request, "evaluation/home.html", context)


def _badge(code: str, tone: str) -> str:
    return render_to_string("includes/grade_badge.html", {"letter": display.grade(code), "css": tone})


def _grade_heads(scheme) -> list[dict]:
    """The grade columns' heads of every table (one a pillar, dozens in a large plan), rendered once:
    each label's badge and meaning (read by screen readers, shown on hover), then ー."""
    tones = display.grade_tones(scheme)
    heads = [
        {"badge": _badge(code, tones[code]), "meaning": display.grade_meaning(code, scheme)} for code in scheme.codes
    ]
    return [*heads, {"badge": _badge("", display.NO_GRADE_TONE), "meaning": _("Not graded")}]


def _table_class(scheme) -> str:
    """The grade tables' classes for a phone's grid (static/css/app.css): how many count columns (activity,
    outcome, each label, ー; an overall grade takes a line of its own there) and how many of them are grades."""
    grades = len(scheme.codes) + 1
    return f"grade-table--cols-{2 + grades} grade-table--grades-{grades}"


def _rollup_legend(scheme) -> str:
    """The overall grade's labels and what each means, under the tables."""
    labels = (f"{code} {display.grade_meaning(code, scheme)}".strip() for code in scheme.rollup_codes)
    return _("Overall grade of a policy area and a pillar: %(labels)s.") % {"labels": _("; ").join(labels)}


def _attach_overall_badges(summary, scheme) -> None:
    """Each policy area's and pillar's overall grade as a badge (its meaning beside it for a screen
    reader), one rendering per roll-up label."""
    tones = display.rollup_tones(scheme)
    badges = {
        code: {"badge": _badge(code, tones[code]), "meaning": display.grade_meaning(code, scheme)}
        for code in scheme.rollup_codes
    }
    none = {"badge": _badge("", display.NO_GRADE_TONE), "meaning": _("Not graded")}
    summary.overall_badge = badges.get(summary.overall, none)
    for pillar in summary.pillars:
        pillar.overall_badge = badges.get(pillar.overall, none)
        for row in pillar.rows:
            row.overall_badge = badges.get(row.overall, none)
