"""Reminders of the items still waiting for the departments (未入力, 入力中, 差戻し).

Each person who enters results for a department (Membership role "entry") gets ONE message listing
only the open items of their departments, with the deadline and a link to each department's entry
page, in their language (Japanese unless the project's default says otherwise). People with nothing
open get nothing; people without an email address are reported, not skipped silently.
Sent through Django's email backend (the console unless configured otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core import mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import ngettext

from departments.enums import Role
from departments.models import Membership
from evaluation import display
from evaluation.mailing import absolute_url, address_of, base_url, language_for
from evaluation.models import EvaluationYear, Result
from evaluation.queries.progress import OPEN_STATUSES


def entry_page_path(department_id: int, fiscal_year: int) -> str:
    """The department's entry page; the home page until that page exists."""
    try:
        return reverse("entry_department", args=[department_id, fiscal_year])
    except NoReverseMatch:
        return reverse("home")


@dataclass
class DepartmentItems:
    department_id: int
    department_name: str
    entry_url: str
    results: list[Result] = field(default_factory=list)


@dataclass
class Reminder:
    """One person's message: their open items, grouped by department."""

    user: object
    departments: list[DepartmentItems]

    @property
    def item_count(self) -> int:
        return sum(len(group.results) for group in self.departments)

    @property
    def email(self) -> str:
        return address_of(self.user)

    @property
    def name(self) -> str:
        return display.person(self.user)


@dataclass
class ReminderReport:
    """What a run did: the reminders sent (or that would be, on a dry run), and the people who have
    open items but no email address."""

    year: EvaluationYear
    sent: list[Reminder] = field(default_factory=list)
    without_email: list[Reminder] = field(default_factory=list)
    dry_run: bool = False

    @property
    def item_count(self) -> int:
        return sum(reminder.item_count for reminder in self.sent)


def plan_reminders(
    year: EvaluationYear, *, department_ids: Iterable[int] | None = None, base: str | None = None
) -> list[Reminder]:
    """Who would be reminded of what for the year (two queries): the entry staff of every department
    that has open items (only of `department_ids` when given), each with all those departments' items.
    Links start at `base` (mailing.base_url() when not given)."""
    base = base or base_url()
    results = (
        Result.objects.filter(indicator__plan_id=year.plan_id, fiscal_year=year.fiscal_year, status__in=OPEN_STATUSES)
        .select_related("department")
        .order_by("department__name", "indicator__position", "indicator__code")
    )
    if department_ids is not None:
        results = results.filter(department_id__in=list(department_ids))
    groups: dict[int, DepartmentItems] = {}
    for result in results:
        department = result.department
        group = groups.get(department.pk)
        if group is None:
            url = absolute_url(entry_page_path(department.pk, year.fiscal_year), base)
            group = groups[department.pk] = DepartmentItems(department.pk, department.name, url)
        group.results.append(result)

    memberships = (
        Membership.objects.filter(role=Role.ENTRY, department_id__in=groups, user__is_active=True)
        .select_related("user")
        .order_by("user__username", "department__name")
    )
    reminders: dict[int, Reminder] = {}
    for membership in memberships:
        reminder = reminders.setdefault(membership.user_id, Reminder(user=membership.user, departments=[]))
        reminder.departments.append(groups[membership.department_id])
    return list(reminders.values())


def build_message(reminder: Reminder, year: EvaluationYear, connection=None) -> mail.EmailMessage:
    """The person's message, in their language."""
    with translation.override(language_for(reminder.user)):
        context = {"reminder": reminder, "year": year, "fiscal_year": display.fiscal_year(year.fiscal_year)}
        subject = ngettext(
            "[Mezasu] %(year)s evaluation: %(count)d item is waiting for you",
            "[Mezasu] %(year)s evaluation: %(count)d items are waiting for you",
            reminder.item_count,
        ) % {
            "year": display.fiscal_year(year.fiscal_year),
            "count": reminder.item_count,
        }
        body = render_to_string("evaluation/email/reminder.txt", context)
    return mail.EmailMessage(subject=subject, body=body, to=[reminder.email], connection=connection)


def send_reminders(
    year: EvaluationYear, *, department_ids: Iterable[int] | None = None, dry_run: bool = False, request=None
) -> ReminderReport:
    """Send each person with open items of the year one reminder (see the module docstring); the links
    start at MEZASU_BASE_URL, else at the address of `request` (the board's button).

    Side effects: one email per person with an email address (none on a dry run). Changes no data."""
    report = ReminderReport(year=year, dry_run=dry_run)
    messages = []
    for reminder in plan_reminders(year, department_ids=department_ids, base=base_url(request)):
        if not reminder.email:
            report.without_email.append(reminder)
            continue
        report.sent.append(reminder)
        messages.append(reminder)
    if not dry_run and messages:
        with mail.get_connection() as connection:
            connection.send_messages([build_message(reminder, year, connection) for reminder in messages])
    return report
