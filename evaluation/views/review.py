"""The planning section's review: the queue of the year's results, one item's page, and the
approve / return (差戻し) / reopen (承認取消し) actions on one item or a selection; on the item page,
the department head's confirm and return too (所属長確認, when the plan asks for it).

Who sees what (departments.permissions): the planning section reviews; viewers read the queue and
the items; department staff and heads open only their own department's items (read-only but for
the head's check), never the queue. Nobody is offered a decision on an item they submitted or last
changed (guards.may_decide): the page says why instead."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from config.http import page, post_only
from departments import permissions
from evaluation import display, notices
from evaluation.domain.enums import ActualState, ResultStatus, YearStatus
from evaluation.domain.errors import MezasuError
from evaluation.domain.workflow import HEAD_ACTIONS, PLANNING_ACTIONS, Action, TransitionRefused, allowed_actions
from evaluation.filters import ReviewFilter
from evaluation.models import EvaluationYear, Plan, Result, ResultComment
from evaluation.queries.history import changes_since, result_history
from evaluation.queries.home import result_years
from evaluation.queries.review import earlier_results, review_counts, review_results, schemes_by_year
from evaluation.services import guards
from evaluation.services import results as services
from evaluation.services.guards import StaleVersion
from evaluation.tables import ReviewTable
from evaluation.views.confirmations import SelectionDraft, is_confirmed, preview_selection, wants_back
from evaluation.views.home import _choose
from evaluation.views.params import parse_id

BULK_ACTIONS = (Action.APPROVE, Action.RETURN)
ITEM_ACTIONS = PLANNING_ACTIONS | HEAD_ACTIONS  # what the item page's forms post


def _done_message(action: str, results) -> str:
    items = "、".join(result.indicator.code for result in results)
    if action == Action.APPROVE:
        return _("Approved: %(items)s.") % {"items": items}
    if action in (Action.RETURN, Action.RETURN_BY_HEAD):
        return _("Returned to the department: %(items)s.") % {"items": items}
    if action == Action.CONFIRM:
        return _("Confirmed and sent to the planning section: %(items)s.") % {"items": items}
    return _("Approval withdrawn; the item is returned to the department: %(items)s.") % {"items": items}


def _queue_plan_and_year(request, fiscal_year: int | None) -> tuple[Plan | None, int | None, list[int]]:
    """The plan (?plan=, else the one with an open year, else the first) and the fiscal year (the
    URL's, else the plan's open year, else its latest year with results); 404 for an unknown one."""
    plans = {plan.pk: plan for plan in Plan.objects.order_by("name")}
    if not plans:
        return None, None, []
    open_years = EvaluationYear.objects.filter(status=YearStatus.OPEN).order_by("-fiscal_year")
    plan = _choose(request, "plan", plans)
    if plan is None:
        first_open = open_years.filter(plan__in=plans).first()
        plan = plans[first_open.plan_id] if first_open else next(iter(plans.values()))
    years = result_years(plan)
    if fiscal_year is not None:
        if fiscal_year not in years:
            raise Http404("no results for this fiscal year")
        return plan, fiscal_year, years
    open_year = open_years.filter(plan=plan, fiscal_year__in=years).first()
    return plan, (open_year.fiscal_year if open_year else (years[0] if years else None)), years


@require_safe
def review_queue(request, fiscal_year: int | None = None):
    """The year's results, filtered, sorted and paged, with counts per status and grade; the planning
    section selects rows to approve or return them at once. Viewers read it; others are refused."""
    if not permissions.can_view_review_queue(request.user):
        raise PermissionDenied
    plan, fiscal_year, years = _queue_plan_and_year(request, fiscal_year)
    context = {
        "plan": plan,
        "fiscal_year": fiscal_year,
        "years": years,
        "can_export": permissions.can_export_results(request.user),
    }
    if plan is None or fiscal_year is None:
        return render(request, "evaluation/review/queue.html", context)

    can_review = permissions.can_review(request.user)
    scheme = plan.scheme_of(fiscal_year)  # a closed year's labels and decimals are those it was closed with
    review_filter = ReviewFilter(
        request.GET or None, queryset=review_results(plan, fiscal_year), plan=plan, scheme=scheme
    )
    results = review_filter.qs
    draft = SelectionDraft.take(request, fiscal_year) if can_review else None
    table = ReviewTable(
        results,
        exclude=() if can_review else ("select",),
        selected=draft.selected if draft else frozenset(),
        scheme=scheme,
    )
    RequestConfig(request).configure(table)
    context.update(
        scheme=scheme,
        filter=review_filter,
        table=table,
        counts=review_counts(results, scheme),
        can_review=can_review,
        draft=draft,
        is_filtered=any(value for key, value in request.GET.items() if key in review_filter.filters),
    )
    return render(request, "evaluation/review/queue.html", context)


def _next_url(request, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    # A path of this site only: redirect() would take a bare word ("-1") for a URL name and fail.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=False
    ):
        return candidate
    return fallback


@post_only(page("review_queue", "fiscal_year"))
def review_selection(request, fiscal_year: int):
    """Approve or return the selected results, all or nothing, once confirmed: without `confirmed=1`
    the page says what would happen and changes nothing (views.confirmations). Refusals are listed
    item by item; the selection and the comment are kept for the queue whenever nothing was done."""
    if not permissions.can_review(request.user):
        raise PermissionDenied
    back = _next_url(request, reverse("review_queue", args=[fiscal_year]))
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        raise BadRequest("unknown action")
    selected = {parse_id(raw) for raw in request.POST.getlist("selected")}
    versions = {pk: parse_id(request.POST.get(f"version-{pk}")) for pk in selected}
    if None in selected or None in versions.values():
        raise BadRequest("malformed selection")
    in_year = set(Result.objects.filter(pk__in=selected, fiscal_year=fiscal_year).values_list("pk", flat=True))
    versions = {pk: version for pk, version in versions.items() if pk in in_year}
    comment = request.POST.get("comment", "")
    draft = SelectionDraft(fiscal_year, action, frozenset(versions), comment)
    if not versions:
        draft.keep(request)
        messages.warning(request, _("Select at least one item."))
        return redirect(back)
    try:
        guards.refuse_unstorable(texts=[(_("Comment to the departments (applied to each item)"), comment)])
    except guards.InputRefused as refused:
        draft.keep(request)
        messages.error(request, refused.message)
        return redirect(back)
    if action == Action.RETURN and not comment.strip():
        draft.keep(request)
        messages.error(request, _("Nothing was returned: write the comment the selected items are returned with."))
        return redirect(back)
    if wants_back(request):
        draft.keep(request)
        messages.info(request, _("Nothing was changed: your selection and your comment are kept."))
        return redirect(back)
    if not is_confirmed(request):
        preview = preview_selection(action, versions, comment, user=request.user)
        context = {
            "fiscal_year": fiscal_year,
            "preview": preview,
            "next": back,
            "plan": preview.results[0].indicator.plan,
        }
        return render(request, "evaluation/review/confirm_selection.html", context)
    try:
        reviewed = services.review_selection(versions, action, user=request.user, comment=comment)
    except services.SelectionRefused as refused:
        draft.keep(request)
        _announce_refusals(request, action, refused, len(versions))
        return redirect(back)
    SelectionDraft.forget(request)
    messages.success(request, _done_message(action, reviewed))
    if action == Action.RETURN:
        notices.notify(request, notices.events_for(notices.RETURNED, [result.pk for result in reviewed], comment))
    return redirect(back)


def _announce_refusals(request, action: str, refused, selected_count: int) -> None:
    messages.error(
        request,
        _("Nothing was changed: %(refused)s of the %(selected)s selected items cannot be %(done)s.")
        % {
            "refused": len(refused.refusals),
            "selected": selected_count,
            "done": _("approved") if action == Action.APPROVE else _("returned"),
        },
    )
    for refusal in refused.refusals:
        messages.error(
            request,
            _("%(code)s %(name)s: %(reason)s")
            % {
                "code": refusal.result.indicator.code,
                "name": refusal.result.indicator.name,
                "reason": _refusal_reason(refusal.error),
            },
        )


def _refusal_reason(error: MezasuError) -> str:
    """Why one selected item was refused; a stale page names who changed the item since."""
    if isinstance(error, StaleVersion):
        return _("It was changed by %(user)s after you opened the list; open it and review the new values.") % {
            "user": display.person(error.current.updated_by)
        }
    return str(error.message)


def _visible_result(request, result_id: int) -> Result:
    """The result, if the user may open its page; 404 otherwise (its existence is not disclosed)."""
    result = get_object_or_404(
        Result.objects.select_related(
            "indicator__initiative__vision__policy_area__pillar",
            "department",
            "indicator__plan",
            "updated_by",
            "submitted_by",
        ),
        pk=result_id,
    )
    if not permissions.can_view_result(request.user, result):
        raise Http404("not visible")
    return result


def _value_rows(values, indicator, scheme) -> list[dict]:
    """The values of a result as the page prints them, one row per measure (the indicator's unit, the
    year's decimals and its scheme's state names: evaluation.display)."""
    style = display.figure_style(indicator, scheme.decimals)
    return [
        {
            "subject": f"{value.measure.label}) {value.measure.name}".strip() if value.measure.label else "",
            "original": display.plan_value(value.original_plan_value, value.original_plan_text, **style),
            "revised": display.plan_value(value.revised_plan_value, value.revised_plan_text, **style),
            "has_revised": value.revised_plan_value is not None or bool(value.revised_plan_text),
            "target": display.plan_value(value.target_value, value.target_text, **style),
            "actual": display.actual_in(value, scheme, **style),
            "achievement": display.achievement(value.achievement, style["decimals"]),
            "grade": value.grade,
        }
        for value in values
    ]


def _item_actions(user, result: Result, *, year_closed: bool) -> tuple[list[str], str]:
    """The review actions the item page offers the user, and why a decision is not offered to them
    (they submitted or last changed the item: separation of duties), else ""."""
    if year_closed:
        return [], ""
    actions = [
        action
        for action in allowed_actions(result.status)
        if action in ITEM_ACTIONS and guards.may_act(user, result, action)
    ]
    own = [action for action in actions if not guards.may_decide(user, result, action)]
    why_not = str(guards.OwnDecisionRefused(guards.own_part(user, result), own[0]).message) if own else ""
    return [action for action in actions if action not in own], why_not


def _own_decision(history: list) -> object:
    """The latest change of status (history newest first), if it was a decision on the person's own
    submission that the plan allows: the page flags it beside the status."""
    latest = next((event for event in history if event.changes_status), None)
    return latest if latest is not None and latest.own_decision else None


@require_safe
def review_item(request, result_id: int):
    """One indicator's result in its context, with its history, the comment thread and the review
    actions (the planning section's, or the department head's while the item awaits them)."""
    result = _visible_result(request, result_id)
    notices.mark_read(request.user, result)
    values = list(result.values.select_related("measure").order_by("measure__label"))
    comments = list(ResultComment.objects.filter(result=result).select_related("author").order_by("created_at", "pk"))
    can_act = permissions.can_approve(request.user, result)
    year_closed = guards.is_year_closed(result.indicator.plan_id, result.fiscal_year)
    actions, not_yours = _item_actions(request.user, result, year_closed=year_closed)
    history = list(reversed(result_history(result)))
    plan = result.indicator.plan
    schemes = schemes_by_year(plan)  # each year's, a closed one's from its closing
    plan_scheme = plan.scheme

    def scheme_of(year_result):
        return schemes.get(year_result.fiscal_year, plan_scheme)

    def printed(year_result, values):  # an earlier year's result is of the same indicator
        return _value_rows(values, result.indicator, scheme_of(year_result))

    scheme = scheme_of(result)
    context = {
        "plan": result.indicator.plan,
        "scheme": scheme,
        "grade_meaning": display.grade_meaning(result.grade, scheme),
        "result": result,
        "indicator": result.indicator,
        "marks": result.marks,  # the year's footnote marks (its revisions', never another year's)
        "value_rows": printed(result, values),
        "earlier": [
            (earlier, printed(earlier, earlier.values.all()), scheme_of(earlier)) for earlier in earlier_results(result)
        ],
        "history": history,
        "comments": comments,
        "actions": actions,
        "not_yours": not_yours,
        "own_decision_allowed": any(guards.is_own_decision(request.user, result, action) for action in actions),
        "own_decision": _own_decision(history),
        "can_act": can_act,
        "is_head": permissions.can_confirm(request.user, result),
        "year_closed": year_closed,
        "can_comment": guards.may_comment(request.user, result, year_closed=year_closed),
        "can_see_queue": permissions.can_view_review_queue(request.user),
        # 確定値の報告: a closed year's approved item still 集計中 (the page of views/late_figures.py).
        "late_figure_item": year_closed
        and result.status == ResultStatus.APPROVED
        and any(value.actual_state == ActualState.TALLYING for value in values),
    }
    return render(request, "evaluation/review/item.html", context)


def _stale_message(result: Result, seen_version: int, action: str) -> str:
    """Who changed what since the reviewer opened the item, as one sentence per save."""
    events = changes_since(result, seen_version)
    refused = _("Approval refused") if action == Action.APPROVE else _("Not done")
    if not events:
        return _("%(refused)s: the item was changed after you opened it. Check it and try again.") % {
            "refused": refused
        }
    scheme = result.indicator.plan.scheme_of(result.fiscal_year)
    style = {**display.figure_style(result.indicator, scheme.decimals), "scheme": scheme}
    parts = []
    for event in events:
        changes = "; ".join(
            f"{change.subject + ' ' if change.subject else ''}{change.field}: "
            f"{display.field_value(change.model_field, change.old, **style)} → "
            f"{display.field_value(change.model_field, change.new, **style)}"
            for change in event.changes
        )
        parts.append(
            _("%(user)s changed it at %(when)s (%(changes)s)")
            % {"user": display.person(event.user), "when": display.moment(event.when), "changes": changes}
        )
    return _("%(refused)s: after you opened this item, %(changes)s. Check the new values and try again.") % {
        "refused": refused,
        "changes": " / ".join(parts),
    }


@post_only(page("review_item", "result_id"))
def review_action(request, result_id: int, action: str):
    """Approve, return or reopen one item at the version the reviewer saw; or, as the department's
    head, confirm it to the planning section or return it."""
    result = _visible_result(request, result_id)
    if action not in ITEM_ACTIONS:
        raise Http404("unknown action")
    if not guards.may_act(request.user, result, action):
        raise PermissionDenied
    seen_version = parse_id(request.POST.get("version"))
    if seen_version is None:
        raise BadRequest("missing version")
    comment = request.POST.get("comment", "")
    try:
        services.review(result, action, user=request.user, expected_version=seen_version, comment=comment)
    except guards.StaleVersion:
        messages.error(request, _stale_message(result, seen_version, action))
    except TransitionRefused as refused:
        messages.error(request, str(refused.message))
    except guards.PermissionRefused:
        raise PermissionDenied from None
    else:
        messages.success(request, _done_message(action, [result]))
        if action in (Action.RETURN, Action.REOPEN, Action.RETURN_BY_HEAD):  # back to the department
            notices.notify(request, notices.events_for(notices.RETURNED, [result.pk], comment))
        elif action == Action.CONFIRM:  # the head forwards it: now the planning section's to review
            notices.notify(request, notices.events_for(notices.SUBMITTED, [result.pk]))
    return redirect("review_item", result_id=result.pk)


@post_only(page("review_item", "result_id"))
def review_comment(request, result_id: int):
    """Add a plain comment to the thread (the owning department or the planning section)."""
    result = _visible_result(request, result_id)
    if not permissions.can_comment(request.user, result):
        raise PermissionDenied
    body = request.POST.get("body", "")
    try:
        services.add_comment(result, user=request.user, body=body)
    except TransitionRefused as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Your comment was added."))
        notices.notify(request, notices.events_for(notices.COMMENTED, [result.pk], body))
    return redirect(f"{reverse('review_item', args=[result.pk])}#comments")
