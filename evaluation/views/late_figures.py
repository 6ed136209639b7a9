"""確定値の報告 on its own page: the owning department reports the figure of a closed year's approved
集計中 item; the planning section approves or returns it. Each POST is one service of
evaluation.services.late_figures; who may do what is theirs (services.guards)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from departments import permissions
from evaluation import display
from evaluation.domain.errors import MezasuError
from evaluation.models import LateFigure
from evaluation.services import guards
from evaluation.services.entries import EntryError, parse_actual
from evaluation.services.late_figures import report_late_figure, review_late_figure
from evaluation.services.scoring import open_states
from evaluation.views.entry_rows import reason_rule
from evaluation.views.review import _visible_result


@require_http_methods(["GET", "POST"])
def late_figure(request, result_id: int):
    """GET: the item's 集計中 sub-items with the report form (its department) or the waiting figure
    with approve / return (the planning section); POST: report, approve or return."""
    result = _visible_result(request, result_id)  # the item page's rule: 404 to whoever may not see it
    values = list(result.values.select_related("measure").order_by("measure__label"))
    scheme = result.indicator.plan.scheme_of(result.fiscal_year)  # a closed year's: the one it was closed with
    waiting = open_states(scheme)
    tallying = [value for value in values if value.actual_state in waiting]
    pending = result.late_figures.filter(status=LateFigure.Status.PENDING).select_related("reported_by").first()
    errors: dict[int, str] = {}
    if request.method == "POST":
        done, errors = _post(request, result, tallying, pending, scheme)
        if done:
            return redirect(reverse("late_figure", args=[result.pk]))
    year_closed = guards.is_year_closed(result.indicator.plan_id, result.fiscal_year)
    context = {
        "plan": result.indicator.plan,
        "result": result,
        "indicator": result.indicator,
        "tallying": [(value, request.POST.get(f"actual_{value.pk}", ""), errors.get(value.pk)) for value in tallying],
        "pending": pending,
        "pending_values": _printed(pending, values, result) if pending else [],
        "history": list(result.late_figures.exclude(status=LateFigure.Status.PENDING).select_related("reviewed_by")),
        "can_report": pending is None and guards.may_report_late_figure(request.user, result, year_closed=year_closed),
        "can_review": pending is not None and permissions.can_approve(request.user, result),
        "reason": request.POST.get("reason", ""),
        "reason_rule": reason_rule(scheme),
    }
    return render(request, "evaluation/review/late_figure.html", context)


def _post(request, result, tallying, pending, scheme) -> tuple[bool, dict[int, str]]:
    action = request.POST.get("action")
    try:
        if action == "report":
            actuals, errors = {}, {}
            for value in tallying:
                try:
                    typed = request.POST.get(f"actual_{value.pk}", "")
                    actuals[value.pk] = parse_actual(result.indicator, typed, scheme=scheme)
                except EntryError as error:
                    errors[value.pk] = error.message
            if errors:
                return False, errors
            report_late_figure(result, user=request.user, actuals=actuals, reason=request.POST.get("reason", ""))
            messages.success(request, _("The figure was reported to the planning section."))
        elif action in ("approve", "return") and pending is not None:
            review_late_figure(
                pending, user=request.user, approve=action == "approve", comment=request.POST.get("comment", "")
            )
            messages.success(request, _("The late figure was approved.") if action == "approve" else _("Returned."))
        else:
            messages.error(request, _("Nothing was done."))
    except guards.PermissionRefused:
        raise PermissionDenied from None
    except MezasuError as refused:
        messages.error(request, refused.message)
        return False, {}
    return True, {}


def _printed(figure: LateFigure, values, result) -> list[tuple[str, str]]:
    """(sub-item label, reported value as printed) of a waiting figure."""
    style = display.figure_style(result.indicator, result.indicator.plan.decimals_of(result.fiscal_year))
    printed = []
    for value in values:
        reported = figure.values.get(str(value.measure_id))
        if reported is not None:
            number = reported["value"] or None
            text = display.actual(reported["state"], _decimal(number), reported["text"], **style)
            printed.append((value.measure.label, text))
    return printed


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None
