"""The audit trail: who changed what, and when, from what to what — one searchable list over the
django-simple-history tables of results, result values (actuals, plan values, targets), indicators,
measures, evaluation years, plans, departments, memberships and user accounts (names, the staff,
superuser and active flags), whatever the path (forms, entry sheets, imports, admin, commands); with
the sign-in events (successes, failures with the user name tried, lockouts, sign-outs, password
changes, other sessions ended) and the deletions made in the admin of what keeps no history (a
comment, say): evaluation.queries.audit_events.

The list is one UNION query over the history tables, ordered by time and paged in the database; only
the page's rows are then described (the object, and the difference from the previous history row of
the same object), with a fixed number of queries per kind on the page. The CSV describes the whole
filtered trail the same way, its history rows fetched by the filters (history_selections), so it too
takes a fixed number of queries however long the trail. The history is never written here: the admin
shows it read-only (departments.admin.AuditedAdmin).

An entry carries the stored values (`user`, a change's `old` and `new`, with `model_field` and the
indicator's `figure_style`), as the item history (queries.history) does: the page and the CSV
(workbook.audit_export) print them through evaluation.display.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy

from departments.models import Department, Membership
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.models import EvaluationYear, Indicator, Initiative, Measure, Plan, Result, ResultValue
from evaluation.queries import audit_events
from evaluation.queries.audit_entries import AuditEntry, AuditFilters, Change
from evaluation.services.guards import OWN_DECISION_REASON

__all__ = [
    "KIND_LABELS",
    "KINDS",
    "AuditEntry",
    "AuditFilters",
    "Change",
    "audit_rows",
    "describe_rows",
    "history_selections",
]

# kind → (model, label), in the order of the filter's choices.
KINDS = {
    "result": (Result, gettext_lazy("Result (status, grade, reason)")),
    "result_value": (ResultValue, gettext_lazy("Result value (actual, plan value, target)")),
    "indicator": (Indicator, gettext_lazy("Indicator")),
    "measure": (Measure, gettext_lazy("Sub-item")),
    "evaluation_year": (EvaluationYear, gettext_lazy("Evaluation year")),
    "plan": (Plan, gettext_lazy("Plan")),
    "department": (Department, gettext_lazy("Department")),
    "membership": (Membership, gettext_lazy("Membership")),
    "account": (get_user_model(), gettext_lazy("User account (name, administrator rights)")),
}
# Every kind of the filter: the history kinds, then the sign-in events and the admin's deletions.
KIND_LABELS = {kind: label for kind, (_model, label) in KINDS.items()} | audit_events.EVENT_KINDS

# The paths that set history_change_reason; a change through the app's pages leaves it blank. A
# decision on one's own submission, where the plan allows it, is flagged the same way.
PATHS = {
    "import": gettext_lazy("Plan workbook import"),
    "admin": gettext_lazy("Admin"),
    "revision": gettext_lazy("Plan revision"),
    "entry sheet": gettext_lazy("Entry sheet upload"),
    "late figure": gettext_lazy("Late figure (確定値の報告)"),
    OWN_DECISION_REASON: gettext_lazy("Decision on one's own submission (allowed by the plan)"),
}
ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}

# Bookkeeping that every save moves: not a change anyone asks about. An account's date_joined comes back
# from the admin's form without its microseconds: a change of nothing.
SKIPPED_FIELDS = {"id", "updated_at", "updated_by", "version", "opened_at", "position", "date_joined"}


# The list ------------------------------------------------------------------------------------------


def _history(model):
    return model.history.model


def _kind_filter(kind: str, filters: AuditFilters) -> Q | None:
    """The department and indicator filters for one kind; None when the kind has no such link."""
    q = Q()
    department_id, code = filters.department_id, filters.indicator_code.strip()
    if department_id is not None:
        by_department = {
            "result": Q(department_id=department_id),  # the department of the result's year
            "result_value": Q(result_id__in=Result.objects.filter(department_id=department_id).values("pk")),
            "indicator": Q(department_id=department_id),
            "measure": Q(indicator_id__in=Indicator.objects.filter(department_id=department_id).values("pk")),
            "department": Q(id=department_id),
            "membership": Q(department_id=department_id),
        }
        if kind not in by_department:
            return None
        q &= by_department[kind]
    if code:
        indicators = Indicator.objects.filter(code=code).values("pk")
        by_code = {
            "result": Q(indicator_id__in=indicators),
            "result_value": Q(result_id__in=Result.objects.filter(indicator__code=code).values("pk")),
            "indicator": Q(id__in=indicators) | Q(code=code),
            "measure": Q(indicator_id__in=indicators),
        }
        if kind not in by_code:
            return None
        q &= by_code[kind]
    return q


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _history_rows(kind: str, filters: AuditFilters) -> QuerySet | None:
    """The kind's history rows that match the filters; None when the filters leave the kind out."""
    if filters.kind and kind != filters.kind:
        return None
    q = _kind_filter(kind, filters)
    if q is None:
        return None
    if filters.date_from:
        q &= Q(history_date__gte=_day_start(filters.date_from))
    if filters.date_to:
        q &= Q(history_date__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.user_id:
        q &= Q(history_user_id=filters.user_id)
    return _history(KINDS[kind][0]).objects.filter(q)


def history_selections(filters: AuditFilters) -> dict[str, QuerySet]:
    """{kind: the history_id of each of its rows that match the filters}, as subqueries: describe_rows
    then describes the whole filtered trail (the CSV) in a fixed number of queries."""
    selections = {kind: _history_rows(kind, filters) for kind in KINDS}
    return {kind: rows.values("history_id") for kind, rows in selections.items() if rows is not None}


def audit_rows(filters: AuditFilters) -> QuerySet:
    """The filtered history rows of every kind, newest first, as dicts (history_id, history_date,
    history_user_id, history_type, history_change_reason, id, kind): one UNION query, pageable."""
    parts = []
    for kind in KINDS:
        rows = _history_rows(kind, filters)
        if rows is None:
            continue
        parts.append(
            rows.order_by()
            .values("history_id", "history_date", "history_user_id", "history_type", "history_change_reason", "id")
            .annotate(kind=Value(kind, output_field=CharField()))
        )
    parts += audit_events.event_rows(filters, history_models=[model for model, _label in KINDS.values()])
    if not parts:
        return _history(Result).objects.none().values("history_id")
    first, *others = parts
    return first.union(*others, all=True).order_by("-history_date", "-history_id", "kind")


# Describing a page of rows -------------------------------------------------------------------------


def _with_previous(history_model, selection) -> tuple[dict, dict]:
    """({history_id: row}, {history_id: the same object's previous row or None}) of the rows in
    `selection` (a list of history_ids, or a subquery of them), in two queries whatever their number."""
    same_object = history_model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    previous = same_object.order_by("-history_date", "-history_id").values("history_id")[:1]
    selected = history_model.objects.filter(history_id__in=selection).annotate(previous_id=Subquery(previous))
    rows = {row.history_id: row for row in selected}
    earlier = (
        {row.history_id: row for row in history_model.objects.filter(history_id__in=selected.values("previous_id"))}
        if any(row.previous_id for row in rows.values())
        else {}
    )
    return rows, {history_id: earlier.get(row.previous_id) for history_id, row in rows.items()}


REFERENCES = ("indicator_id", "result_id", "measure_id", "plan_id", "department_id", "user_id", "initiative_id")


class _Names:
    """Readable names of the objects a page refers to, fetched in bulk (deleted ones from their history)."""

    def __init__(self, rows_by_kind: dict[str, list]):
        ids = defaultdict(set)
        for rows in rows_by_kind.values():
            for row in rows:
                for name in REFERENCES:
                    if getattr(row, name, None) is not None:
                        ids[name].add(getattr(row, name))
        self.results = Result.objects.in_bulk(ids["result_id"])
        ids["indicator_id"] |= {result.indicator_id for result in self.results.values()}
        self.measures = Measure.objects.in_bulk(ids["measure_id"])
        ids["indicator_id"] |= {measure.indicator_id for measure in self.measures.values()}
        self.indicators = Indicator.objects.in_bulk(ids["indicator_id"])
        missing = ids["indicator_id"] - set(self.indicators)
        if missing:  # deleted since: their last recorded code and name
            for row in _history(Indicator).objects.filter(id__in=missing).order_by("history_date", "history_id"):
                self.indicators[row.id] = row
        ids["plan_id"] |= {indicator.plan_id for indicator in self.indicators.values()}
        self.plans = Plan.objects.in_bulk(ids["plan_id"])
        self.year_schemes = {}  # (plan, fiscal year) → the year's scheme: a closed year's from its closing
        if self.results:
            found = (self.indicators.get(result.indicator_id) for result in self.results.values())
            plans_of_results = {indicator.plan_id for indicator in found if indicator is not None}
            for year in EvaluationYear.objects.filter(plan_id__in=plans_of_results):
                year.plan = self.plans[year.plan_id]
                self.year_schemes[(year.plan_id, year.fiscal_year)] = year.scheme
        self.departments = Department.objects.in_bulk(ids["department_id"])
        self.users = get_user_model().objects.in_bulk(ids["user_id"])
        self.initiatives = Initiative.objects.in_bulk(ids["initiative_id"])

    def indicator(self, indicator_id) -> str:
        indicator = self.indicators.get(indicator_id)
        return f"{indicator.code} {indicator.name}" if indicator else f"#{indicator_id}"

    def indicator_code(self, indicator_id) -> str:
        indicator = self.indicators.get(indicator_id)
        return indicator.code if indicator else f"#{indicator_id}"

    def figure_style(self, kind: str, row) -> dict:
        """The unit, the decimals and the grading scheme (a state such as 中止 by its name) of the result's
        year a result value's figures print with (display.field_value's keywords): a closed year's from its
        closing, as every other page prints it; {} for other kinds."""
        result = self.results.get(row.result_id) if kind == "result_value" else None
        indicator = self.indicators.get(result.indicator_id) if result is not None else None
        plan = self.plans.get(indicator.plan_id) if indicator is not None else None
        if plan is None:
            return {}
        scheme = self.year_schemes.get((plan.pk, result.fiscal_year)) or plan.scheme
        return {"unit": indicator.unit, "decimals": scheme.decimals, "scheme": scheme}

    def describe(self, kind: str, row) -> str:
        if kind == "result":
            return f"{self.indicator(row.indicator_id)} {display_fiscal_year(row.fiscal_year)}"
        if kind == "result_value":
            result, measure = self.results.get(row.result_id), self.measures.get(row.measure_id)
            label = f" {measure.label})" if measure and measure.label else ""
            if result is None:
                return f"#{row.result_id}{label}"
            return f"{self.indicator(result.indicator_id)}{label} {display_fiscal_year(result.fiscal_year)}"
        if kind == "indicator":
            return f"{row.code} {row.name}"
        if kind == "measure":
            return f"{self.indicator_code(row.indicator_id)} {row.label} {row.name}".strip()
        if kind == "evaluation_year":
            return f"{self.plans.get(row.plan_id, '')} {display_fiscal_year(row.fiscal_year)}".strip()
        if kind == "account":
            return row.username
        if kind == "membership":
            user = self.users.get(row.user_id)
            account = user.get_username() if user else f"#{row.user_id}"  # the account a role is given to
            return f"{account} / {self.departments.get(row.department_id, '')}"
        return str(row.name)  # plan, department


def _resolved(model_field, value, names: _Names):
    """The stored value, a reference replaced by the object it names (「#12」 for one deleted since)."""
    if value is None or value == "" or not model_field.is_relation:
        return value
    lookup = {
        Indicator: names.indicators,
        Plan: names.plans,
        Department: names.departments,
        Initiative: names.initiatives,
        get_user_model(): names.users,
    }.get(model_field.related_model)
    return lookup[value] if lookup is not None and value in lookup else f"#{value}"


@cache
def _diff_fields(model, history_model) -> list:
    present = {f.attname for f in history_model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and f.attname in present]


def _changes(model, history_model, row, previous, names: _Names, labels: dict) -> list[Change]:
    """The fields that differ from the previous row; `labels` caches each field's name in the active language."""
    changes = []
    for model_field in _diff_fields(model, history_model):
        new = getattr(row, model_field.attname)
        old = getattr(previous, model_field.attname) if previous is not None else None
        if previous is not None and old == new and (old is None) == (new is None):
            continue
        if previous is None and (new is None or new == ""):
            continue  # a creation lists the fields it filled
        before = _resolved(model_field, old, names) if previous is not None else None
        after = _resolved(model_field, new, names)
        label = labels.get(model_field) or labels.setdefault(model_field, str(model_field.verbose_name))
        changes.append(Change(label, model_field, before, after))
    return changes


def describe_rows(rows: list[dict], selections: dict[str, QuerySet] | None = None) -> list[AuditEntry]:
    """The AuditEntry of each row of audit_rows() (a page), in the same order. `selections`
    (history_selections of the same filters) when `rows` are the whole filtered trail: the history rows
    are then fetched by the filters rather than by their ids, in a fixed number of queries."""
    events = audit_events.describe_events([row for row in rows if row["kind"] in audit_events.EVENT_KINDS])
    history = iter(_describe_history([row for row in rows if row["kind"] in KINDS], selections))
    return [
        events[(row["kind"], row["history_id"])] if row["kind"] in audit_events.EVENT_KINDS else next(history)
        for row in rows
    ]


def _describe_history(rows: list[dict], selections: dict[str, QuerySet] | None) -> list[AuditEntry]:
    """The AuditEntry of each history row (of KINDS), in the same order."""
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row["history_id"])
    history_rows, previous_rows = {}, {}
    for kind, history_ids in by_kind.items():
        selection = selections[kind] if selections is not None else history_ids
        fetched, previous = _with_previous(_history(KINDS[kind][0]), selection)
        for history_id in history_ids:
            history_rows[(kind, history_id)] = fetched[history_id]
            previous_rows[(kind, history_id)] = previous[history_id]
    names = _Names(
        {
            kind: [history_rows[(kind, history_id)] for history_id in history_ids]
            for kind, history_ids in by_kind.items()
        }
        | {"users": [_UserRef(row["history_user_id"]) for row in rows]}
    )
    # The labels in the active language, translated once rather than once per row (a CSV has thousands).
    kind_labels = {kind: str(label) for kind, (_model, label) in KINDS.items()}
    actions = {action: str(label) for action, label in ACTIONS.items()}
    paths = {reason: str(label) for reason, label in PATHS.items()}
    field_labels = {}
    entries = []
    for row in rows:
        kind = row["kind"]
        model = KINDS[kind][0]
        history_row = history_rows[(kind, row["history_id"])]
        previous = previous_rows[(kind, row["history_id"])]
        if row["history_type"] == "-":
            changes = []
        else:
            changes = _changes(model, _history(model), history_row, previous, names, field_labels)
        reason = row["history_change_reason"] or ""
        entries.append(
            AuditEntry(
                when=row["history_date"],
                user=names.users.get(row["history_user_id"]),
                kind=kind,
                kind_label=kind_labels[kind],
                object=names.describe(kind, history_row),
                action=actions.get(row["history_type"], row["history_type"]),
                path=paths.get(reason, reason),
                changes=changes,
                figure_style=names.figure_style(kind, history_row),
                own_decision=reason == OWN_DECISION_REASON,
            )
        )
    return entries


@dataclass(frozen=True)
class _UserRef:
    user_id: int | None
