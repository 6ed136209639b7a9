"""The audit trail's rows that are not history rows: the sign-in events (accounts.AccountEvent:
successes, failures with the user name tried, lockouts, sign-outs, password changes, other sessions
ended) and the deletions made in the admin of what keeps no history of its own (a comment, a pillar:
Django's admin log, with the content departments.admin.RecordsDeletions logged before the deletion).

event_rows() gives querysets shaped as the history rows of evaluation.queries.audit (history_id,
history_date, history_user_id, history_type, history_change_reason, id, kind) for its one UNION;
describe_events() describes a page's rows in two queries at most."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_lazy, ngettext

from accounts.enums import AccountEventKind
from accounts.models import AccountEvent
from departments.admin_log import read_deleted_content
from evaluation.queries.audit_entries import AuditEntry, AuditFilters, Change

EVENT_KINDS = {
    "sign_in": gettext_lazy("Sign-in and session"),
    "admin_deletion": gettext_lazy("Deleted in the admin"),
}
COLUMNS = ("history_id", "history_date", "history_user_id", "history_type", "history_change_reason", "id")


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _dates(filters: AuditFilters, field: str) -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{field}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        q &= Q(**{f"{field}__lt": _day_start(filters.date_to + timedelta(days=1))})
    return q


def _shaped(queryset: QuerySet, kind: str, *, when: str, who: str, action: str) -> QuerySet:
    return (
        queryset.order_by()
        .annotate(
            history_id=F("id"),
            history_date=F(when),
            history_user_id=F(who),
            history_type=Value(action, output_field=CharField()),
            history_change_reason=Value("", output_field=CharField()),
        )
        .values(*COLUMNS)
        .annotate(kind=Value(kind, output_field=CharField()))
    )


def event_rows(filters: AuditFilters, *, history_models: list[type[models.Model]]) -> list[QuerySet]:
    """The sign-in events and the admin's deletions that match the filters, shaped for the UNION. Neither
    belongs to a department or an indicator: a search by one leaves them out. A deletion in the admin of
    a model in `history_models` is left out too (its history row says it already)."""
    if filters.department_id is not None or filters.indicator_code.strip():
        return []
    parts = []
    if filters.kind in ("", "sign_in"):
        q = _dates(filters, "at")
        if filters.user_id:
            q &= Q(user_id=filters.user_id) | Q(acting_user_id=filters.user_id)
        parts.append(_shaped(AccountEvent.objects.filter(q), "sign_in", when="at", who="acting_user_id", action="+"))
    if filters.kind in ("", "admin_deletion"):
        q = _dates(filters, "action_time") & Q(action_flag=DELETION)
        if filters.user_id:
            q &= Q(user_id=filters.user_id)
        tracked = ContentType.objects.get_for_models(*history_models, for_concrete_models=False).values()
        deletions = LogEntry.objects.filter(q).exclude(content_type__in=[content_type.pk for content_type in tracked])
        parts.append(_shaped(deletions, "admin_deletion", when="action_time", who="user_id", action="-"))
    return parts


# Describing a page's rows --------------------------------------------------------------------------


def _event_action(event: AccountEvent) -> str:
    if event.kind == AccountEventKind.LOCKED_OUT and event.count is not None:
        return ngettext(
            "Locked out after %(count)d failed sign-in", "Locked out after %(count)d failed sign-ins", event.count
        ) % {"count": event.count}
    if event.kind == AccountEventKind.OTHER_SESSIONS_ENDED and event.count is not None:
        return ngettext(
            "Logged out of %(count)d other session", "Logged out of %(count)d other sessions", event.count
        ) % {"count": event.count}
    return str(event.get_kind_display())


def _sign_in_entry(event: AccountEvent) -> AuditEntry:
    if event.ip_address:
        what = gettext("%(user_name)s from %(address)s") % {"user_name": event.username, "address": event.ip_address}
    else:
        what = event.username
    return AuditEntry(
        when=event.at,
        user=event.acting_user,
        kind="sign_in",
        kind_label=str(EVENT_KINDS["sign_in"]),
        object=what,
        action=_event_action(event),
        path="",
        actor="" if event.acting_user_id else gettext("(not signed in)"),
    )


def _deleted_value(model_field, value):
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        return parse_datetime(value) or value
    return value


def _deleted_content(entry: LogEntry) -> list[Change]:
    """The fields the object held, from the logged content (none for a deletion logged without it)."""
    content = read_deleted_content(entry.change_message)
    model = entry.content_type.model_class() if entry.content_type_id else None
    changes = []
    for name, value in content.items():
        try:
            model_field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            model_field = None
        label = str(model_field.verbose_name) if model_field is not None else name
        field_for_display = None if model_field is not None and model_field.is_relation else model_field
        changes.append(Change(label, field_for_display, _deleted_value(model_field, value), None))
    return changes


def _deletion_entry(entry: LogEntry) -> AuditEntry:
    model = entry.content_type.model_class() if entry.content_type_id else None
    what = str(model._meta.verbose_name) if model is not None else gettext("object")
    return AuditEntry(
        when=entry.action_time,
        user=entry.user,
        kind="admin_deletion",
        kind_label=str(EVENT_KINDS["admin_deletion"]),
        object=f"{what}: {entry.object_repr}",
        action=gettext("Deleted"),
        path=gettext("Admin"),
        changes=_deleted_content(entry),
    )


def describe_events(rows: list[dict]) -> dict[tuple[str, int], AuditEntry]:
    """{(kind, history_id): AuditEntry} for the event rows of a page (one query per kind present)."""
    ids = {kind: [row["history_id"] for row in rows if row["kind"] == kind] for kind in EVENT_KINDS}
    described = {}
    if ids["sign_in"]:
        events = AccountEvent.objects.select_related("acting_user").in_bulk(ids["sign_in"])
        described |= {("sign_in", pk): _sign_in_entry(event) for pk, event in events.items()}
    if ids["admin_deletion"]:
        deletions = LogEntry.objects.select_related("content_type", "user").in_bulk(ids["admin_deletion"])
        described |= {("admin_deletion", pk): _deletion_entry(entry) for pk, entry in deletions.items()}
    return described
