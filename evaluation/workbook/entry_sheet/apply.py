"""Applying a checked entry sheet upload: every changed item saved as a draft through
services.save_drafts (save_draft's checks, in bulk), all or nothing, so the same permissions, workflow
and version checks hold as on the entry page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation import display
from evaluation.domain.errors import MezasuError
from evaluation.domain.workflow import TransitionRefused
from evaluation.models import EntryUpload, Result
from evaluation.services import guards
from evaluation.services.guards import PermissionRefused, StaleVersion
from evaluation.services.results import ActualInput, Draft, save_drafts
from evaluation.workbook.entry_sheet.errors import UploadRefused, sheet_error, stale_message
from evaluation.workbook.entry_sheet.layout import ID_COLUMN


@dataclass(frozen=True)
class Applied:
    """What a confirmed upload saved: the items it changed (now drafts) and those it left alone."""

    changed: int
    unchanged: int


class _Recorded(UploadRefused):
    """Refused items, to record on the upload after the rollback."""


def changed_rows(upload: EntryUpload) -> list[dict]:
    return [entry for entry in upload.rows if entry.get("changed")]


def apply_entry_upload(upload: EntryUpload, *, user) -> Applied:
    """Save every changed item of a checked upload as a draft, all or nothing.

    The items go through services.save_drafts with the version the sheet was downloaded at, so the
    same permissions, workflow and version checks hold as on the entry page.
    Side effects: those of save_drafts for the changed items (values, grades, status 入力中, history
    rows with the user), and the upload's applied_at; or nothing at all. When an item is refused,
    its reason is recorded in the upload's errors (so the preview shows it) and UploadRefused is raised.
    Raises UploadRefused (also for an upload already applied, one with errors, or when the year is not
    open), PermissionRefused (not the uploader)."""
    try:
        with transaction.atomic():
            locked = EntryUpload.objects.select_for_update().get(pk=upload.pk)
            _refuse_upload(locked, user)
            entries = changed_rows(locked)
            _apply_entries(entries, locked, user)
            locked.applied_at = timezone.now()
            locked.save(update_fields=["applied_at"])
    except _Recorded as refused:
        EntryUpload.objects.filter(pk=upload.pk).update(errors=refused.errors)
        upload.errors = refused.errors
        raise UploadRefused(refused.errors) from None
    upload.applied_at = locked.applied_at
    return Applied(changed=len(entries), unchanged=len(locked.rows) - len(entries))


def _refuse_upload(upload: EntryUpload, user) -> None:
    """Only the uploader applies an upload, once, without errors, while the year is open."""
    if upload.user_id != user.pk:
        raise PermissionRefused("upload")
    if upload.applied_at is not None:
        raise UploadRefused(
            [
                sheet_error(
                    None,
                    "",
                    "",
                    _("This upload was already applied on %(when)s.") % {"when": display.moment(upload.applied_at)},
                )
            ]
        )
    if upload.errors:
        raise UploadRefused(upload.errors)
    if not guards.is_year_open(upload.plan_id, upload.fiscal_year):
        raise UploadRefused([sheet_error(None, "", "", _("The evaluation of this fiscal year is not open."))])


def _apply_entries(entries: list[dict], upload: EntryUpload, user) -> None:
    """Save the entries in one go (services.save_drafts: a cost that does not grow with the rows); raise
    _Recorded with every refusal (the transaction then undoes the rest)."""
    results = Result.objects.in_bulk([entry["result_id"] for entry in entries])
    failures, drafts, by_result = [], {}, {}
    for entry in entries:
        result = results.get(entry["result_id"])
        if result is None or result.department_id != upload.department_id:
            message = _("This is not your department's indicator: its row cannot be uploaded here.")
            failures.append(sheet_error(entry["row"], ID_COLUMN, entry["code"], message))
            continue
        drafts[result.pk] = Draft(entry["version"], _actuals(entry), entry["reason"], entry["judged_grade"])
        by_result[result.pk] = entry
    if not failures:
        outcomes = save_drafts(dict(sorted(drafts.items())), user=user)  # one lock order for everyone
        failures = [
            _refusal(by_result[result_id], outcome)
            for result_id, outcome in outcomes.items()
            if isinstance(outcome, MezasuError)
        ]
    if failures:
        failures.sort(key=lambda error: error["row"] or 0)
        raise _Recorded(failures)


def _actuals(entry: dict) -> dict[int, ActualInput]:
    return {
        measure["value_id"]: ActualInput(
            measure["state"], Decimal(measure["value"]) if measure["value"] else None, measure["text"]
        )
        for measure in entry["measures"]
    }


def _refusal(entry: dict, refused: MezasuError) -> dict:
    """A refused row as the preview shows it: the row, the column it concerns, the reason."""
    row, code = entry["row"], entry["code"]
    if isinstance(refused, StaleVersion):
        return sheet_error(row, "指標ID", code, stale_message(refused.current))
    if isinstance(refused, PermissionRefused):
        return sheet_error(row, "指標ID", code, _("You may not change this item."))
    if isinstance(refused, TransitionRefused):
        return sheet_error(row, "状態", code, str(refused.message))
    return sheet_error(row, "指標ID", code, str(refused))
