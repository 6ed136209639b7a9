from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
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
from evaluation.models import Indicator, Plan
from evaluation.queries.home import GRADES, plan_summary, result_years
from evaluation.queries.waiting import department_waiting, head_waiting, review_waiting
from evaluation.templatetags.mezasu import grade_badge
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

    summary = plan_summary(
        plan, fiscal_year, visible_indicators(user, Indicator.objects.all(), fiscal_year), all_areas=scope == "all"
    )
    # The grade columns' heads of every table (one a pillar, dozens in a large plan), rendered once.
    grade_badges = [render_to_string("includes/grade_badge.html", grade_badge(grade)) for grade in (*GRADES, "")]
    context.update(scope=scope, own_departments=own_departments, summary=summary, grade_badges=grade_badges)
    return render(request, "evaluation/home.html", context)
