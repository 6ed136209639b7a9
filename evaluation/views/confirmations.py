"""Server-side confirmation of the actions that touch many items or cannot be undone: approving or
returning a selection of the review queue, reminding every department from the progress board.

The action's form posts to its view; without `confirmed=1` the view answers with a page that says what
will happen and to how many items and people, and changes nothing. That page posts the same data back
with `confirmed=1`, or with `back=1` to return to where the user was: what they selected and typed
(the return comment) is then kept in their session and shown again on the queue (SelectionDraft).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from evaluation import display, notices
from evaluation.domain.workflow import Action, TransitionRefused, next_status
from evaluation.models import Result
from evaluation.reminders import Reminder

CONFIRMED = "confirmed"
BACK = "back"
DRAFT_KEY = "mezasu_review_selection"


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def wants_back(request) -> bool:
    return request.POST.get(BACK) == "1"


# The review queue's selection ------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionDraft:
    """What the reviewer chose and typed on the queue, kept while they confirm or go back."""

    fiscal_year: int
    action: str
    selected: frozenset[int]
    comment: str = ""

    def keep(self, request) -> None:
        request.session[DRAFT_KEY] = {
            "fiscal_year": self.fiscal_year,
            "action": self.action,
            "selected": sorted(self.selected),
            "comment": self.comment,
        }

    @classmethod
    def take(cls, request, fiscal_year: int) -> SelectionDraft | None:
        """The draft kept for the queue of `fiscal_year`, removed from the session (shown once)."""
        kept = request.session.get(DRAFT_KEY)
        if not kept or kept.get("fiscal_year") != fiscal_year:
            return None
        del request.session[DRAFT_KEY]
        return cls(fiscal_year, kept["action"], frozenset(kept["selected"]), kept["comment"])

    @staticmethod
    def forget(request) -> None:
        request.session.pop(DRAFT_KEY, None)


@dataclass
class SelectionPreview:
    """What confirming a selection would do: the items, their departments, who would be told, and
    the items that would make the whole selection refused (nothing is changed then)."""

    action: str
    results: list[Result]
    versions: dict[int, int]
    comment: str
    problems: list[tuple[Result, str]] = field(default_factory=list)
    told: list[notices.Notice] = field(default_factory=list)
    not_told: list[notices.Notice] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Result, int]]:
        """Each item with the version the reviewer saw, which the confirming POST carries again."""
        return [(result, self.versions[result.pk]) for result in self.results]

    @property
    def department_count(self) -> int:
        return len({result.department_id for result in self.results})

    @property
    def is_return(self) -> bool:
        return self.action == Action.RETURN

    @property
    def not_told_names(self) -> str:
        return "、".join(notice.name for notice in self.not_told)


def preview_selection(action: str, versions: dict[int, int], comment: str, *, user) -> SelectionPreview:
    """The confirmation page's content, read without changing anything (three queries)."""
    results = list(
        Result.objects.filter(pk__in=list(versions))
        .select_related("department", "indicator__plan", "updated_by")
        .order_by("department__name", "indicator__position", "pk")
    )
    preview = SelectionPreview(action=action, results=results, versions=versions, comment=comment)
    for result in results:
        if problem := _why_refused(result, action, versions[result.pk]):
            preview.problems.append((result, problem))
    if preview.is_return:
        events = [notices.Event(notices.RETURNED, result, comment) for result in results]
        for notice in notices.plan_notices(events, actor=user):
            (preview.told if notice.email else preview.not_told).append(notice)
    return preview


def _why_refused(result: Result, action: str, seen_version: int) -> str:
    """Why the service would refuse this item, as far as the page can tell before trying; "" if not."""
    try:
        next_status(result.status, action)
    except TransitionRefused as refused:
        return str(refused.message)
    if result.version != seen_version:
        return _("It was changed by %(user)s after you opened the list; open it and review the new values.") % {
            "user": display.person(result.updated_by)
        }
    return ""


# The progress board's reminders -----------------------------------------------------------------------


@dataclass
class ReminderPreview:
    """Who the reminders of the whole year would reach, and about how many open items."""

    reminders: list[Reminder]

    @property
    def told(self) -> list[Reminder]:
        return [reminder for reminder in self.reminders if reminder.email]

    @property
    def not_told(self) -> list[Reminder]:
        return [reminder for reminder in self.reminders if not reminder.email]

    @property
    def not_told_names(self) -> str:
        return "、".join(reminder.name for reminder in self.not_told)

    @property
    def departments(self) -> list:
        """Each department with open items once, by name, with the people it reminds."""
        groups = {}
        for reminder in self.reminders:
            for group in reminder.departments:
                groups.setdefault(group.department_id, (group, []))[1].append(reminder)
        return sorted(groups.values(), key=lambda pair: pair[0].department_name)

    @property
    def item_count(self) -> int:
        return sum(len(group.results) for group, _people in self.departments)
