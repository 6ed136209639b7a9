"""The bookkeeping of a plan import's apply step, shared by the hierarchy sync and the result sync:
save only what changed, count what was created, updated or left alone, tell the current row what it
did, and collect the refusals that undo the whole file at the end.

A change of an existing object is saved at once through `save()`, so django-simple-history records
it with the user and the path. A new object of the plan's tables waits, and `flush()` writes the
waiting ones a table at a time, parents first (CREATION_ORDER), with one bulk_create each and their
history rows written in bulk beside them (simple_history's bulk_create_with_history, with the same
user and path): bulk_create skips `save()` and its signals, so the history rows are written here, not
left to the signal. A save of an existing object that points at a waiting one flushes first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from departments.models import Department
from evaluation import display
from evaluation.models import Indicator, Initiative, Measure, Pillar, PolicyArea, Result, ResultValue, Vision
from evaluation.workbook.errors import RowError
from evaluation.workbook.plan_report import CREATED, UNCHANGED, UPDATED, ImportReport, RowOutcome

CHANGE_REASON = "import"  # django-simple-history's history_change_reason of every save of an import

# The tables whose new rows wait for flush(), parents first. A new plan is saved at once.
CREATION_ORDER = (Department, Pillar, PolicyArea, Vision, Initiative, Indicator, Measure, Result, ResultValue)

# Called with an existing object and {field name: description} of what the file changes on it.
ChangeCheck = Callable[[Any, dict[str, str]], None]


def same(old, new) -> bool:
    """Equal values (Decimal('9.0000') == Decimal('9.0')), None only equal to None."""
    return old == new and (old is None) == (new is None)


def field_label(obj, field_name: str) -> str:
    return str(obj._meta.get_field(field_name).verbose_name)


def shown(value) -> str:
    """A value as a change description shows it: numbers as typed, a blank as —, a relation by name."""
    if isinstance(value, Decimal):
        return display.number(value)
    if value is None or value == "":
        return display.EMPTY
    return str(getattr(value, "name", value))


def differences(obj, before: dict[str, Any]) -> dict[str, str]:
    """{field name: description} of each field whose value differs from `before`."""
    return {
        name: f"{field_label(obj, name)} {shown(old)} → {shown(getattr(obj, name))}"
        for name, old in before.items()
        if not same(old, getattr(obj, name))
    }


class Bookkeeper:
    """What the apply step did so far, and the one way it saves."""

    def __init__(self, report: ImportReport, user):
        self.report = report
        self.user = user if getattr(user, "is_authenticated", False) else None
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.outcome: RowOutcome | None = None  # the row being applied
        self.seen: set[int] = set()  # objects already synced by an earlier row of the file
        # Changes the guards refuse, one per row and column: the file is undone at the end.
        self.refusals: dict[tuple[int, str], RowError] = {}
        self.waiting: dict[type, list] = {model: [] for model in CREATION_ORDER}  # new objects, unsaved

    def count(self, model, action: str):
        self.counts[str(model._meta.verbose_name_plural)][action] += 1

    def mark(self, action: str, changes=()):
        self.outcome.mark(action, changes)

    def refuse(self, row, column: str, message) -> None:
        """Refuse the row's cell; the first reason given for a cell is the one told."""
        self.refusals.setdefault((row.number, column), RowError(row.number, column, row[column], str(message)))

    def save(self, obj, fields: list[str] | None = None):
        """Save `obj` now (only `fields` when given), after the waiting objects when it points at one."""
        waiting = [name for name in fields or () if self._waiting_relation(obj, name)]
        if waiting:
            self.flush()
            for name in waiting:  # the foreign key's id, None while its object waited (Result.save reads it)
                setattr(obj, name, getattr(obj, name))
        if self.user is not None:
            obj._history_user = self.user  # django-simple-history's way to name the user outside a request
        obj._change_reason = CHANGE_REASON  # the path, for the audit trail
        obj.save(update_fields=fields)

    @staticmethod
    def _waiting_relation(obj, name: str) -> bool:
        model_field = obj._meta.get_field(name)
        if not model_field.is_relation or not model_field.is_cached(obj):
            return False
        related = getattr(obj, name)
        return related is not None and related.pk is None

    def create(self, obj):
        """A new object: written by the next flush() with the others of its table (saved at once when
        its table is not in CREATION_ORDER)."""
        if type(obj) not in self.waiting:
            self.save(obj)
            return
        if self.user is not None:
            obj._history_user = self.user
        obj._change_reason = CHANGE_REASON
        self.waiting[type(obj)].append(obj)

    def flush(self):
        """Write every waiting object, a table at a time, parents first (Django sets each foreign key
        from its parent saved just before), each table's history rows in bulk beside it."""
        for model, objects in self.waiting.items():
            if not objects:
                continue
            if hasattr(model._meta, "simple_history_manager_attribute"):
                bulk_create_with_history(objects, model, default_user=self.user, default_change_reason=CHANGE_REASON)
            else:
                model.objects.bulk_create(objects)
            self.waiting[model] = []

    def sync(self, obj, values: dict[str, Any]) -> dict[str, str]:
        """Set the fields that differ and save only those. Returns {field name: description}."""
        changes = {}
        for name, value in values.items():
            model_field = obj._meta.get_field(name)
            if model_field.is_relation:
                if getattr(obj, model_field.attname) == value.pk:
                    continue
            elif same(getattr(obj, name), value):
                continue
            old = getattr(obj, name)
            setattr(obj, name, value)
            changes[name] = f"{obj._meta.verbose_name} {obj}: {field_label(obj, name)} {shown(old)} → {shown(value)}"
        if changes:
            self.save(obj, list(changes))
        return changes

    def get_or_create(self, cache: dict, key, model, values: dict[str, Any], check: ChangeCheck | None = None):
        """The cached object of `key` brought in line with `values` (once per import), or a new one.
        `check` is told what would change on an existing object, to refuse what a guard forbids."""
        obj = cache.get(key)
        if obj is None:
            obj = model(**values)
            self.create(obj)
            cache[key] = obj
            self.seen.add(id(obj))
            self.count(model, CREATED)
            self.mark(CREATED, [_("New %(model)s %(object)s") % {"model": model._meta.verbose_name, "object": obj}])
            return obj
        if id(obj) in self.seen:
            return obj
        self.seen.add(id(obj))
        changes = self.sync(obj, values)
        if changes and check is not None:
            check(obj, changes)
        self.count(model, UPDATED if changes else UNCHANGED)
        if changes:
            self.mark(UPDATED, list(changes.values()))
        return obj
