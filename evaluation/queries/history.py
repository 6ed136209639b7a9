"""A result's history as events with field-by-field changes (the item page, the conflict message).

The changes hold the stored values as they are (a Decimal, a choice's value, None): the page prints
them through evaluation.display.field_value, with the indicator's unit and its plan's decimals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext

from evaluation.models import (
    RESULT_VALUE_FIELDS,
    Measure,
    Result,
    ResultValue,
)
from evaluation.services.guards import OWN_DECISION_REASON

RESULT_HISTORY_FIELDS = ("status", "judged_grade", "grade", "reason", "revision_reason")
VALUE_HISTORY_FIELDS = RESULT_VALUE_FIELDS
# A value row saved this soon after its result's row, by the same user, belongs to the same save.
SAME_SAVE = timedelta(seconds=5)


@dataclass
class FieldChange:
    subject: str  # the measure ("a) …") of a compound indicator, else empty
    field: str  # the field's verbose name
    model_field: object  # the model's field, which says how to print the values
    old: object  # the stored value before the save
    new: object  # and after it


@dataclass
class HistoryEvent:
    """One save of a result (and of its values in the same save): who, when, what changed, and whether
    it was a decision on the person's own submission that the plan allows (guards.OWN_DECISION_REASON)."""

    version: int
    when: datetime
    user: object  # None for a change no one made by hand
    created: bool = False
    changes: list[FieldChange] = field(default_factory=list)
    own_decision: bool = False

    @property
    def changes_status(self) -> bool:
        return any(change.model_field.name == "status" for change in self.changes)


def _diff(model, fields, old, new, subject: str) -> list[FieldChange]:
    changes = []
    for name in fields:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            model_field = model._meta.get_field(name)
            changes.append(
                FieldChange(
                    subject=subject,
                    field=str(model_field.verbose_name),
                    model_field=model_field,
                    old=before,
                    new=after,
                )
            )
    return changes


def _measure_subject(measure: Measure | None) -> str:
    if measure is None or not measure.label:
        return ""
    return f"{measure.label}) {measure.name}".strip()


def result_history(result: Result) -> list[HistoryEvent]:
    """Every recorded change of the result and its values, oldest first (two queries, plus one for
    the measures): one event per save of the result, holding the value changes of the same save."""
    result_rows = list(
        Result.history.filter(id=result.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    value_rows = list(
        ResultValue.history.filter(result_id=result.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    measures = {measure.pk: measure for measure in Measure.objects.filter(indicator_id=result.indicator_id)}

    timeline = sorted(
        [(row.history_date, 0, row) for row in result_rows] + [(row.history_date, 1, row) for row in value_rows],
        key=lambda item: (item[0], item[1]),
    )
    events: list[HistoryEvent] = []
    previous_result = None
    previous_values: dict[int, object] = {}
    for when, is_value, row in timeline:
        if not is_value:
            event = HistoryEvent(
                version=row.version,
                when=when,
                user=row.history_user,
                created=row.history_type == "+",
                own_decision=row.history_change_reason == OWN_DECISION_REASON,
            )
            if previous_result is not None:
                event.changes = _diff(Result, RESULT_HISTORY_FIELDS, previous_result, row, "")
                if not result.indicator.is_outcome:  # an activity's reason is its note on a state (中止 …)
                    for change in event.changes:
                        if change.model_field.name == "reason":
                            change.field = gettext("Note on why")
            previous_result = row
            events.append(event)
            continue
        before = previous_values.get(row.id)
        previous_values[row.id] = row
        if before is None:  # the value was created with the result (the year was opened)
            continue
        measure = measures.get(row.measure_id)
        # A simple indicator's one grade is the result's own, already listed with the result's changes.
        fields = VALUE_HISTORY_FIELDS if measure is not None and measure.label else VALUE_HISTORY_FIELDS[:-1]
        changes = _diff(ResultValue, fields, before, row, _measure_subject(measure))
        if not changes:
            continue
        last = events[-1] if events else None
        if last is not None and last.user == row.history_user and when - last.when <= SAME_SAVE:
            last.changes.extend(changes)
        else:
            version = last.version if last is not None else 1
            events.append(HistoryEvent(version=version, when=when, user=row.history_user, changes=changes))
    return [event for event in events if event.created or event.changes]


def changes_since(result: Result, seen_version: int) -> list[HistoryEvent]:
    """The saves of the result after the version a reviewer saw."""
    return [event for event in result_history(result) if event.version > seen_version and event.changes]


# The department entry page (evaluation.views.entry): a fixed number of queries for any number of indicators.
