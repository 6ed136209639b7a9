"""Notices: what one request did to results, told by e-mail to the people it concerns, one message per
person per request (a request is the batch), and the reading of an item's page.

- A return (差戻し, also a withdrawn approval, which returns the item) and a comment go to the entry
  staff of the item's department; a new submission goes to the planning section.
- Never to the person who acted; people without an e-mail address are skipped (the server log names
  them, without the message; the planning section is also told on the page, as with reminders).
- Each message is plain text, in the recipient's language, with a link to each item's page that
  starts at MEZASU_BASE_URL (else at the address of the request: evaluation.mailing).

Views call notify() after the service succeeded; the change is saved whatever the mail server does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core import mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from departments import permissions
from departments.enums import Role
from departments.models import Membership
from evaluation import display
from evaluation.domain.enums import ResultStatus
from evaluation.mailing import absolute_url, address_of, base_url, language_for, send_batch
from evaluation.models import Result, ResultReading

logger = logging.getLogger(__name__)

RETURNED, COMMENTED, SUBMITTED = "returned", "commented", "submitted"
TO_THE_DEPARTMENT = frozenset({RETURNED, COMMENTED})


@dataclass(frozen=True)
class Event:
    """One thing a request did to one result: returned it (with the comment), commented on it, or
    submitted it. The result comes with its indicator's department and plan."""

    kind: str
    result: Result
    comment: str = ""


def events_for(kind: str, result_ids: Iterable[int], comment: str = "") -> list[Event]:
    """The events of one kind of a request, by result id, with what the message prints (one query)."""
    results = Result.objects.filter(pk__in=list(result_ids)).select_related("department", "indicator__plan")
    ordered = results.order_by("fiscal_year", "department__name", "indicator__position", "pk")
    return [Event(kind, result, comment) for result in ordered]


@dataclass
class Notice:
    """One person's message: the events of the batch that concern them."""

    user: object
    events: list[Event] = field(default_factory=list)

    @property
    def email(self) -> str:
        return address_of(self.user)

    @property
    def name(self) -> str:
        return display.person(self.user)

    def of(self, kind: str) -> list[Event]:
        return [event for event in self.events if event.kind == kind]


@dataclass
class NoticeReport:
    """What a batch did: who was sent a message, who was not for want of an address, and whether the
    mail backend took the messages."""

    sent: list[Notice] = field(default_factory=list)
    without_email: list[Notice] = field(default_factory=list)
    delivered: bool = True


def _to_the_head(event: Event) -> bool:
    """A submission that waits for its department head's check (the plan's 所属長確認) goes to the head."""
    return event.kind == SUBMITTED and event.result.status == ResultStatus.AWAITING_HEAD


def plan_notices(events: Iterable[Event], *, actor) -> list[Notice]:
    """Who is told what (at most one query): the active entry staff of the departments of the returns
    and comments, the department's heads for a submission awaiting their check, the active planning
    section for the other submissions; never `actor`."""
    events = list(events)
    department_ids = {event.result.department_id for event in events if event.kind in TO_THE_DEPARTMENT}
    head_department_ids = {event.result.department_id for event in events if _to_the_head(event)}
    wants_planning = any(event.kind == SUBMITTED and not _to_the_head(event) for event in events)
    if not department_ids and not head_department_ids and not wants_planning:
        return []
    audience = Q(role=Role.ENTRY, department_id__in=department_ids)
    audience |= Q(role=Role.HEAD, department_id__in=head_department_ids)
    if wants_planning:
        audience |= Q(role=Role.PLANNING)
    memberships = (
        Membership.objects.filter(audience, user__is_active=True)
        .exclude(user_id=getattr(actor, "pk", None))
        .select_related("user")
        .order_by("user__username")
    )
    chosen: dict[int, set[int]] = {}  # user id → indexes of the events that concern them
    users = {}
    for membership in memberships:
        users[membership.user_id] = membership.user
        taken = chosen.setdefault(membership.user_id, set())
        taken.update(index for index, event in enumerate(events) if _concerns(membership, event))
    return [
        Notice(user=users[user_id], events=[events[index] for index in sorted(indexes)])
        for user_id, indexes in chosen.items()
        if indexes
    ]


def _concerns(membership: Membership, event: Event) -> bool:
    if _to_the_head(event):
        return membership.role == Role.HEAD and membership.department_id == event.result.department_id
    if event.kind == SUBMITTED:
        return membership.role == Role.PLANNING
    return membership.role == Role.ENTRY and membership.department_id == event.result.department_id


def _subject(notice: Notice) -> str:
    """「【めざす】令和6年度（2024年度）：差戻し 2件、コメント 1件」."""
    parts = []
    if count := len(notice.of(RETURNED)):
        parts.append(ngettext("%(count)d item returned", "%(count)d items returned", count) % {"count": count})
    if count := len(notice.of(COMMENTED)):
        parts.append(ngettext("%(count)d new comment", "%(count)d new comments", count) % {"count": count})
    if count := len(notice.of(SUBMITTED)):
        parts.append(ngettext("%(count)d item submitted", "%(count)d items submitted", count) % {"count": count})
    years = sorted({event.result.fiscal_year for event in notice.events})
    return _("[Mezasu] %(year)s: %(what)s") % {
        "year": "・".join(display.fiscal_year(year) for year in years),
        # Translators: the separator of the list in a notice's subject (「、」 in Japanese).
        "what": pgettext("list separator", ", ").join(parts),
    }


def _line(event: Event, base: str) -> dict:
    """An item as the message prints it: number, name, department, year, the comment, the link."""
    indicator = event.result.indicator
    return {
        "code": indicator.code,
        "name": indicator.name,
        "department": display.department(event.result.department),
        "year": display.fiscal_year(event.result.fiscal_year),
        "comment": "\n      ".join(event.comment.strip().splitlines()),
        "url": absolute_url(reverse("review_item", args=[event.result.pk]), base),
    }


def build_message(notice: Notice, *, actor, base: str) -> mail.EmailMessage:
    """The person's message, plain text, in their language."""
    with translation.override(language_for(notice.user)):
        context = {
            "name": notice.name,
            "actor": display.person(actor),
            "returned": [_line(event, base) for event in notice.of(RETURNED)],
            "commented": [_line(event, base) for event in notice.of(COMMENTED)],
            "submitted": [_line(event, base) for event in notice.of(SUBMITTED)],
            "home_url": absolute_url(reverse("home"), base),
        }
        subject = _subject(notice)
        body = render_to_string("evaluation/email/notice.txt", context)
    return mail.EmailMessage(subject=subject, body=body, to=[notice.email])


def send_notices(events: Iterable[Event], *, actor, request=None) -> NoticeReport:
    """Send each person the batch concerns one message (see the module docstring).

    Side effects: one e-mail per person with an address, through Django's mail backend; a log line
    per person without one. Changes no data."""
    report = NoticeReport()
    for notice in plan_notices(events, actor=actor):
        if notice.email:
            report.sent.append(notice)
        else:
            report.without_email.append(notice)
            logger.warning("No notice sent to user %s: no e-mail address", notice.user.get_username())
    if report.sent:
        base = base_url(request)
        report.delivered = send_batch([build_message(notice, actor=actor, base=base) for notice in report.sent])
    return report


def notify(request, events: Iterable[Event]) -> NoticeReport:
    """What a view calls after its service succeeded: send the batch's notices as request.user, and say
    on the page what the person acting needs to know (a mail server that failed; for the planning
    section, who could not be told for want of an address)."""
    report = send_notices(events, actor=request.user, request=request)
    if not report.delivered:
        messages.warning(request, _("The change is saved, but the e-mail notice could not be sent."))
    elif report.sent:
        messages.info(
            request,
            ngettext("%(count)d person was told by e-mail.", "%(count)d people were told by e-mail.", len(report.sent))
            % {"count": len(report.sent)},
        )
    if report.without_email and permissions.is_planning_section(request.user):
        messages.warning(
            request,
            ngettext(
                "%(count)d person has no e-mail address and was not told: %(names)s.",
                "%(count)d people have no e-mail address and were not told: %(names)s.",
                len(report.without_email),
            )
            % {"count": len(report.without_email), "names": "、".join(notice.name for notice in report.without_email)},
        )
    return report


def mark_read(user, result: Result) -> None:
    """The user has read the result's page now: the comments posted before are no longer unread for
    them. Only the owning department's staff keep this (the comments wait on their home page).

    Side effects: one ResultReading created or moved to now; nothing for anyone else."""
    if not permissions.can_edit_result(user, result):
        return
    ResultReading.objects.update_or_create(result=result, user=user, defaults={"read_at": timezone.now()})
