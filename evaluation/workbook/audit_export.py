"""The audit trail as a CSV file (UTF-8 with BOM, CRLF, formula-safe), streamed in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from evaluation import display
from evaluation.queries.audit import AuditEntry, AuditFilters, audit_rows, describe_rows, history_selections
from evaluation.workbook.cells import spreadsheet_safe

CSV_CHUNK = 200


def csv_header() -> list[str]:
    return [_("When"), _("User"), _("Kind"), _("Object"), _("Action"), _("Item"), _("Before"), _("After"), _("Path")]


def csv_lines(entries: list[AuditEntry]) -> Iterator[list]:
    """One line per changed field (one line for an entry without field changes), texts formula-safe;
    every value printed as the audit page prints it (evaluation.display)."""
    for entry in entries:
        head = [display.moment(entry.when, seconds=True), entry.actor or display.person(entry.user)]
        head += [entry.kind_label, entry.object, entry.action]
        if not entry.changes:
            yield [spreadsheet_safe(cell) for cell in [*head, "", "", "", entry.path]]
        for change in entry.changes:
            old = display.field_value(change.model_field, change.old, **entry.figure_style)
            new = display.field_value(change.model_field, change.new, **entry.figure_style)
            yield [spreadsheet_safe(cell) for cell in [*head, change.field, old, new, entry.path]]


def export_csv(filters: AuditFilters) -> Iterator[str]:
    """The filtered audit trail as CSV text chunks: UTF-8 with BOM (Excel opens it), CRLF. The whole
    trail is described at once, in a fixed number of queries whatever its length (the history rows
    fetched by the filters, not by their ids), then written CSV_CHUNK entries a chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header())
    yield "\ufeff" + buffer.getvalue()
    rows = list(audit_rows(filters))
    entries = describe_rows(rows, history_selections(filters)) if rows else []
    for start in range(0, len(entries), CSV_CHUNK):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_lines(entries[start : start + CSV_CHUNK]))
        yield buffer.getvalue()
