"""The audit trail as a CSV file (UTF-8 with BOM, CRLF, formula-safe), streamed in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from evaluation import display
from evaluation.queries.audit import AuditEntry, AuditFilters, audit_rows, describe_rows
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
    """The filtered audit trail as CSV text chunks: UTF-8 with BOM (Excel opens it), CRLF, described in
    chunks of CSV_CHUNK history rows so that memory stays flat."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header())
    yield "\ufeff" + buffer.getvalue()
    rows = audit_rows(filters)
    offset = 0
    while True:
        chunk = list(rows[offset : offset + CSV_CHUNK])
        if not chunk:
            return
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_lines(describe_rows(chunk)))
        yield buffer.getvalue()
        offset += CSV_CHUNK
