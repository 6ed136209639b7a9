"""The progress board: per department, how far the year's entry and review have come, who is late,
and a link to exactly what is missing; the planning section sends reminders from it."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from config.http import page, post_only
from departments.permissions import can_export_results, can_send_reminders, can_view_progress
from evaluation import display
from evaluation.domain.enums import ResultStatus
from evaluation.mailing import base_url
from evaluation.models import EvaluationYear, Plan
from evaluation.queries.progress import (
    OPEN_STATUSES,
    DepartmentProgress,
    StatusCounts,
    current_open_year,
    progress_by_department,
    status_choices,
)
from evaluation.reminders import plan_reminders, send_reminders
from evaluation.services import guards
from evaluation.views.confirmations import ReminderPreview, is_confirmed
from evaluation.views.params import parse_id


@dataclass
class BoardRow:
    progress: DepartmentProgress
    is_late: bool
    entry_url: str | None
    queue_urls: dict[str, str]  # {open status with items: the review queue filtered to the department and status}

    @property
    def missing_links(self) -> list[tuple[str, int, str]]:
        """(label, count, url) for each open status of the department that has items."""
        counts = self.progress.counts.by_status
        return [
            (ResultStatus(status).label, counts[status], self.queue_urls[status])
            for status in OPEN_STATUSES
            if counts[status] and status in self.queue_urls
        ]


def _optional_reverse(name: str, args) -> str | None:
    """A URL of a page that another part of the app provides; None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _queue_urls(year: EvaluationYear, department_id: int, counts: StatusCounts, base: str | None) -> dict[str, str]:
    """The review queue filtered to the department and each of its open statuses that has items
    (`base`: the queue's URL, reversed once for the board)."""
    if base is None:
        return {}
    return {
        status: f"{base}?{urlencode({'plan': year.plan_id, 'department': department_id, 'status': status})}"
        for status in OPEN_STATUSES
        if counts.by_status[status]
    }


def _entry_url(department_id: int, fiscal_year: int) -> str | None:
    return _optional_reverse("entry_department", [department_id, fiscal_year])


def _viewer_only(request) -> None:
    if not can_view_progress(request.user):
        raise PermissionDenied


def _year(request, fiscal_year: int) -> EvaluationYear:
    """The plan's (?plan=) evaluation of the fiscal year; the first plan's when not given; 404 when none."""
    years = EvaluationYear.objects.filter(fiscal_year=fiscal_year).select_related("plan").order_by("plan__name")
    raw_plan = request.GET.get("plan") or request.POST.get("plan")
    if raw_plan:
        if (plan_id := parse_id(raw_plan)) is None:
            raise Http404("unknown plan")
        years = years.filter(plan_id=plan_id)
    year = years.first()
    if year is None:
        raise Http404("no evaluation of that year")
    return year


@require_safe
def progress_board(request, fiscal_year: int | None = None):
    """Per department: counts and a bar of the five statuses, late departments first flagged."""
    _viewer_only(request)
    if fiscal_year is None:
        plan = None
        if raw_plan := request.GET.get("plan"):
            plan = get_object_or_404(Plan, pk=parse_id(raw_plan))
        year = current_open_year(plan)
        if year is None:
            return render(request, "evaluation/progress/board.html", {"no_open_year": True})
        url = reverse("progress_board", args=[year.fiscal_year])
        return redirect(f"{url}?plan={year.plan_id}")

    year = _year(request, fiscal_year)
    today = timezone.localdate()
    past_deadline = guards.takes_entries(year) and year.deadline is not None and year.deadline < today
    queue = _optional_reverse("review_queue", [year.fiscal_year])
    rows = [
        BoardRow(
            progress=progress,
            is_late=past_deadline and progress.counts.open > 0,
            entry_url=_entry_url(progress.department_id, year.fiscal_year),
            queue_urls=_queue_urls(year, progress.department_id, progress.counts, queue),
        )
        for progress in progress_by_department(year.plan, year.fiscal_year)
    ]
    total = sum((row.progress.counts for row in rows), StatusCounts.none_of(year.plan))
    days_left = (year.deadline - today).days if year.deadline else None
    context = {
        "plan": year.plan,
        "year": year,
        "fiscal_year": year.fiscal_year,
        "rows": rows,
        "total": total,
        "late_count": sum(row.is_late for row in rows),
        "days_left": days_left,
        "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
        "is_open": guards.takes_entries(year),
        "can_remind": can_send_reminders(request.user) and guards.takes_entries(year),
        "can_export": can_export_results(request.user),
        "statuses": status_choices(year.plan),
        "other_years": list(
            EvaluationYear.objects.filter(plan=year.plan).order_by("-fiscal_year").values_list("fiscal_year", flat=True)
        ),
    }
    return render(request, "evaluation/progress/board.html", context)


@post_only(page("progress_board", "fiscal_year"))
def remind(request, fiscal_year: int):
    """Send the reminders of the year: to one department's entry staff (department=), or, once
    confirmed (confirmed=1) on the page that says to whom, to every department's."""
    if not can_send_reminders(request.user):
        raise PermissionDenied
    year = _year(request, fiscal_year)
    back = f"{reverse('progress_board', args=[year.fiscal_year])}?plan={year.plan_id}"
    if not guards.takes_entries(year):
        messages.error(request, _("%(year)s is closed: no reminders.") % {"year": display.fiscal_year(fiscal_year)})
        return redirect(back)
    department_ids = None
    if raw := request.POST.get("department"):
        if (department_id := parse_id(raw)) is None:
            raise Http404("unknown department")
        department_ids = [department_id]
    if department_ids is None and not is_confirmed(request):  # every department: say to whom first
        preview = ReminderPreview(plan_reminders(year, base=base_url(request)))
        if preview.reminders:
            context = {"plan": year.plan, "year": year, "fiscal_year": year.fiscal_year, "preview": preview}
            return render(request, "evaluation/progress/confirm_remind.html", context)
    report = send_reminders(year, department_ids=department_ids, request=request)
    if report.sent:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(people)d person (%(items)d open items).",
                "Reminders sent to %(people)d people (%(items)d open items).",
                len(report.sent),
            )
            % {"people": len(report.sent), "items": report.item_count},
        )
    elif not report.without_email:
        messages.info(request, _("Nobody has open items: no reminder was sent."))
    if report.without_email:
        names = "、".join(reminder.name for reminder in report.without_email)
        messages.warning(
            request,
            ngettext(
                "%(count)d person with open items has no email address: %(names)s.",
                "%(count)d people with open items have no email address: %(names)s.",
                len(report.without_email),
            )
            % {"count": len(report.without_email), "names": names},
        )
    return redirect(back)
