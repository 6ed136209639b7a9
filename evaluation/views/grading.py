"""The plan's grading scheme (評価基準) page: the scheme now (and as a file to download) and the one each
closed year keeps; a change (another preset, a scheme file the planning section wrote, new figures of
the scheme's rules, or new thresholds of an A–D scheme) is previewed, then applied through
services.regrading, which regrades the open years on the record.

`grading_step` is the whole choose → preview → apply of one request; the plan's admin page
(evaluation.admin_grading, on PlanAdmin) runs the same step and draws it in the admin's look."""

import json
import re
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from evaluation import display
from evaluation.domain import scheme_files, scheme_text, scheme_writer
from evaluation.domain.enums import YearStatus
from evaluation.models import Plan
from evaluation.report.sheet import grading_note
from evaluation.services import regrading
from evaluation.views.grading_forms import SchemeChoiceForm, SchemeFiguresForm, ThresholdsForm
from evaluation.views.years import _back, _manager_only, _plan_of_request

FILE_TYPES = {scheme_writer.TOML: "application/toml; charset=utf-8", scheme_writer.JSON: "application/json"}
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _achievements(achievements, decimals: int) -> str:
    """「85.0%」, or per sub-item 「a) 231.6% b) 287.1%」."""
    return " ".join(
        f"{label}) {display.achievement(value, decimals)}" if label else display.achievement(value, decimals)
        for label, value in achievements
    )


def _change_rows(changes, plan: Plan, rule) -> list[dict]:
    return [
        {
            "result": change.result,
            "year": display.fiscal_year(change.result.fiscal_year),
            "old_grade": display.grade(change.old_grade),
            "new_grade": display.grade(change.new_grade),
            "old_achievement": _achievements(change.old_achievement, plan.achievement_decimals),
            "new_achievement": _achievements(change.new_achievement, rule.decimals),
            "grade_changes": change.grade_changes,
            "needs_reason": change.needs_reason,
        }
        for change in changes
    ]


@dataclass
class GradingStep:
    """What one request to a grading page came to: the page's context and status, or the regrading
    applied (the page then redirects with `applied_message`)."""

    context: dict
    status: int = 200
    applied: regrading.RegradingPreview | None = None


def applied_message(applied: regrading.RegradingPreview) -> str:
    count = len(applied.changes)
    return ngettext(
        "The grading rule is changed and %(count)d item of the open years is regraded; closed years keep their grades.",
        "The grading rule is changed and %(count)d items of the open years are regraded; closed years "
        "keep their grades.",
        count,
    ) % {"count": count}


def _edit_form(scheme):
    """The form that edits the plan's figures: the thresholds form for an A–D scheme shaped like
    Setagaya's (it edits the measure, rounding and decimals too), the figures form for any other."""
    if scheme_files.is_threshold_scheme(scheme):
        return ThresholdsForm(initial=ThresholdsForm.initial_of(scheme))
    return SchemeFiguresForm(scheme)


def grading_step(request, plan: Plan) -> GradingStep:
    """GET: the plan's scheme (and each closed year's) with the ways to change it. POST: the grades the
    new scheme would change in the open years (nothing changes); POST with `confirmed`: applied through
    services.regrading. The caller has checked who asks."""
    current = plan.scheme
    closed_years = [
        (year, grading_note(year.scheme))
        for year in plan.evaluation_years.filter(status=YearStatus.CLOSED).order_by("fiscal_year")
    ]
    context = {
        "plan": plan,
        "scheme": current,
        "closed_years": closed_years,
        "current_note": grading_note(current),
        "current_rollup": scheme_text.rollup_text(current, get_language() or "ja"),
        "editable_thresholds": scheme_files.is_threshold_scheme(current),
        "form": _edit_form(current),
        "scheme_form": SchemeChoiceForm(),
    }
    if request.method != "POST":
        return GradingStep(context)
    action = request.POST.get("action") or "thresholds"
    if action == "scheme":
        form = context["scheme_form"] = SchemeChoiceForm(request.POST, request.FILES)
    elif action == "figures" and not context["editable_thresholds"]:
        form = context["form"] = SchemeFiguresForm(current, request.POST)
    else:
        form = context["form"] = ThresholdsForm(request.POST)
    if not form.is_valid():
        return GradingStep(context, status=400)
    if isinstance(form, ThresholdsForm):
        rule = regrading.rule_from(form.cleaned_data, base=current)
    else:
        rule = form.cleaned_data["scheme"]
    if request.POST.get("confirmed"):
        try:
            applied = regrading.apply_regrading(plan, rule, user=request.user, expected=request.POST.get("token", ""))
        except regrading.RegradingRefused as refused:
            messages.error(request, refused.message)
        else:
            return GradingStep(context, applied=applied)
    preview = regrading.regrading_preview(plan, rule)
    context.update(
        preview=preview,
        new_scheme=rule,
        new_scheme_data=json.dumps(scheme_files.to_data(rule), ensure_ascii=False),
        # The figures previewed are confirmed as the scheme they make, exactly as previewed.
        chosen_action="thresholds" if isinstance(form, ThresholdsForm) else "scheme",
        changed_figures=form.changed_figures() if isinstance(form, SchemeFiguresForm) else [],
        new_note=grading_note(rule),
        new_rollup=scheme_text.rollup_text(rule, get_language() or "ja"),
        changes=_change_rows(preview.changes, plan, rule),
        approved=_change_rows(preview.approved, plan, rule),
    )
    return GradingStep(context)


@require_http_methods(["GET", "POST"])
def grading_rule(request):
    """The plan's grading scheme page (grading_step), for the planning section."""
    _manager_only(request)
    plan = _plan_of_request(request)
    step = grading_step(request, plan)
    if step.applied is not None:
        messages.success(request, applied_message(step.applied))
        return redirect(_back(plan))
    step.context["post_url"] = reverse("year_grading")
    return render(request, "evaluation/years/grading.html", step.context, status=step.status)


def scheme_file_response(scheme, fmt: str, plan: Plan) -> HttpResponse:
    """The scheme as a file to download (scheme_writer): TOML with comments in the page's language, or
    JSON; named after the scheme's key."""
    if fmt not in scheme_writer.FORMATS:
        raise Http404("unknown format")
    text = scheme_writer.dumps(scheme, fmt, lang=get_language() or "ja", plan=plan.name)
    stem = scheme.key if _FILE_NAME.match(scheme.key) else "grading-scheme"
    response = HttpResponse(text.encode("utf-8"), content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.{fmt}")
    return response


@require_safe
def download_scheme(request):
    """The plan's scheme as a TOML (or ?format=json) file a planning section edits and uploads again."""
    _manager_only(request)
    plan = _plan_of_request(request)
    return scheme_file_response(plan.scheme, request.GET.get("format") or scheme_writer.TOML, plan)
