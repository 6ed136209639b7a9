"""What the audit trail's list is made of (evaluation.queries.audit and audit_events fill them; the
page and the CSV print them through evaluation.display)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    user_id: int | None = None
    department_id: int | None = None
    indicator_code: str = ""
    kind: str = ""


@dataclass
class Change:
    """One field's change, as stored: evaluation.display.field_value(model_field, old) prints it."""

    field: str  # the field's name in the active language
    model_field: object = None
    old: object = None  # the stored value (a related object, or "#id" for one deleted since)
    new: object = None


@dataclass
class AuditEntry:
    """One row of the trail: when, who, which object, what changed from what to what, and the path."""

    when: datetime
    user: object  # who saved it; None for a change no one made by hand
    kind: str
    kind_label: str
    object: str
    action: str
    path: str
    changes: list[Change] = field(default_factory=list)
    figure_style: dict = field(default_factory=dict)  # unit and decimals of a result value's figures
    own_decision: bool = False  # a decision on the person's own submission (Plan.allows_own_review)
    actor: str = ""  # printed in place of `user` where no account acted (a failed sign-in)
