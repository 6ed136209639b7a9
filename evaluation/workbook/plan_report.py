"""What a plan import did (or, for a dry run, would do): per row and per kind of object."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.workbook.errors import RowError

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# When one row does several things, the report shows the strongest: created beats updated beats unchanged.
ACTION_RANK = {UNCHANGED: 0, UPDATED: 1, CREATED: 2}


@dataclass
class RowOutcome:
    """What one row of the file did: created, updated or unchanged, and which fields changed."""

    row: int
    fiscal_year: int
    code: str
    label: str
    kind: str
    name: str
    action: str = UNCHANGED
    changes: list[str] = field(default_factory=list)
    instance: Any = None  # the indicator of the row (the initiative for a row without indicator)

    def mark(self, action: str, changes=()) -> None:
        """Record what happened on this row; the strongest action wins."""
        if ACTION_RANK[action] > ACTION_RANK[self.action]:
            self.action = action
        self.changes.extend(str(change) for change in changes)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    plan_name: str
    fiscal_years: list[int]
    dry_run: bool
    period: tuple[int, int] | None = None  # the file's 計画期間 (first, last), when it gives one
    rows: list[RowOutcome] = field(default_factory=list)
    # {model verbose name plural: Counter(created=…, updated=…, unchanged=…)}
    counts: dict[str, Counter] = field(default_factory=dict)
    # Values the file holds that the import does not use (e.g. 評価 of a graded outcome).
    ignored: list[RowError] = field(default_factory=list)

    @property
    def row_counts(self) -> Counter:
        return Counter(outcome.action for outcome in self.rows)

    @property
    def has_changes(self) -> bool:
        return any(outcome.action != UNCHANGED for outcome in self.rows)

    def changes(self) -> list[tuple[int, str]]:
        """(row, description) of every change, for a preview."""
        return [(outcome.row, change) for outcome in self.rows for change in outcome.changes]

    def summary_lines(self) -> list[str]:
        """The summary in the active language: plan, years, then created/updated/unchanged per kind."""
        years = "、".join(display_fiscal_year(year) for year in self.fiscal_years)
        lines = [
            _("Plan: %(plan)s") % {"plan": self.plan_name},
            _("Fiscal year: %(years)s") % {"years": years},
        ]
        if self.dry_run:
            lines.append(_("Dry run: nothing was saved."))
        rows = self.row_counts
        lines.append(
            _("Rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
            % {"created": rows[CREATED], "updated": rows[UPDATED], "unchanged": rows[UNCHANGED]}
        )
        for kind, counts in self.counts.items():
            lines.append(
                _("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {"kind": kind, "created": counts[CREATED], "updated": counts[UPDATED], "unchanged": counts[UNCHANGED]}
            )
        return lines

    def __str__(self):
        return "\n".join(self.summary_lines())
