"""The plan workbook's import as two background jobs (the jobs app runs them), asked by the admin's import
(evaluation.admin.PlanAdmin): the preview (every row checked, then the import applied and rolled back:
what would be added, changed or refused) and, once the person confirms, the import itself (all or
nothing, through the same importer, workbook/plan_import.py, and its one write path, plan_sync.Bookkeeper).

The file itself waits in the database (PlanWorkbookUpload), read by the one reader in the request that
sent it and again by each job. Each job asks departments.permissions.can_import_plan of the person
again when it runs, works in the person's language (the row messages are theirs), and reports its rows.
Its result is JSON for the admin's pages (resources.result_as_json), kept as the job's file.

The import does exactly what its preview showed or nothing: a row refused now, or any row that would
now change otherwise (the plan changed since the preview), refuses the whole file and nothing changes.
"""

from __future__ import annotations

import io
import json

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from departments.permissions import can_import_plan
from evaluation.models import Plan, PlanWorkbookUpload
from evaluation.resources import import_result, result_as_json
from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind
from evaluation.workbook.plan_columns import FIRST_DATA_ROW
from evaluation.workbook.plan_import import APPLYING, CHECKING
from evaluation.workbook.plan_report import CREATED, UNCHANGED, UPDATED
from evaluation.workbook.reader import read_workbook
from jobs.enums import JobState, JobStep
from jobs.kinds import JobKind, JobRefused, MadeFile, Progress, register
from jobs.models import Job, JobFile
from jobs.services import result_lifetime

PREVIEW = "plan_import_preview"
IMPORT = "plan_import"
RESULT_CONTENT_TYPE = "application/json"
REPORTS_PER_PHASE = 100  # the progress bar moves by a hundredth: not one write a row

NOT_ALLOWED = _("You may no longer import the plan workbook. Nothing was imported.")
FILE_GONE = _("The uploaded file is no longer kept (it was imported, or it expired). Nothing was imported.")
PREVIEW_GONE = _("The preview of this file is no longer kept. Import the file again to see it.")
REFUSED_NOW = _("The file was refused; nothing was imported. Import it again to see why. The first problem: {problem}")
CHANGED_SINCE_PREVIEW = _(
    "The plan changed since the preview: row {row} of the file would now change other things than the "
    "preview showed. Nothing was imported. Import the file again to see what it would change now."
)


def store_upload(user, uploaded_file) -> PlanWorkbookUpload:
    """Keep a file the reader has accepted for the jobs that preview and import it; drop the uploads
    older than the jobs' results (one that was never confirmed).

    Side effects: a PlanWorkbookUpload row; the expired ones deleted."""
    PlanWorkbookUpload.objects.filter(created_at__lt=timezone.now() - result_lifetime()).delete()
    uploaded_file.seek(0)
    content = uploaded_file.read()
    return PlanWorkbookUpload.objects.create(
        user=user, filename=uploaded_file.name[:255], size=len(content), content=content
    )


def preview_parameters(upload: PlanWorkbookUpload, user, language: str) -> dict:
    return {"upload": str(upload.pk), "user": user.pk, "language": language}


def import_parameters(preview: Job) -> dict:
    return {**preview.parameters, "preview": str(preview.pk)}


def kept_result(job: Job) -> dict | None:
    """The JSON result a done import job kept (its file), or None."""
    made = JobFile.objects.filter(job=job).only("content").first()
    return json.loads(bytes(made.content)) if made is not None else None


def _importer(parameters: dict):
    user = get_user_model().objects.filter(pk=parameters["user"], is_active=True).first()
    if user is None or not can_import_plan(user):
        raise JobRefused(NOT_ALLOWED)
    return user


def _upload(parameters: dict) -> PlanWorkbookUpload:
    upload = PlanWorkbookUpload.objects.filter(pk=parameters["upload"], user_id=parameters["user"]).first()
    if upload is None:
        raise JobRefused(FILE_GONE)
    return upload


def _rows(upload: PlanWorkbookUpload, progress: Progress) -> list[dict[str, str]]:
    progress.report(JobStep.READING)
    try:
        return read_workbook(io.BytesIO(bytes(upload.content)), upload.filename, kind=FileKind.PLAN_WORKBOOK)
    except UnreadableWorkbook as refused:  # the reader accepted it in the request; a later cap may not
        raise JobRefused(format_lazy("{}", " ".join(str(error) for error in refused.errors))) from None


def _row_progress(progress: Progress, applying_step: JobStep):
    """The importer's progress(phase, done, total) as the job's steps, a hundredth at a time."""
    steps = {CHECKING: JobStep.CHECKING, APPLYING: applying_step}

    def report(phase: str, done: int, total: int) -> None:
        if done == total or done % max(1, total // REPORTS_PER_PHASE) == 0:
            progress.report(steps[phase], done, total)

    return report


def _made(data: dict, name: str) -> MadeFile:
    return MadeFile(json.dumps(data, ensure_ascii=False).encode("utf-8"), name, RESULT_CONTENT_TYPE)


def run_preview(parameters: dict, progress: Progress) -> MadeFile:
    """What importing the file would do: the import applied and rolled back (a dry run).

    Side effects: none on the plan; the upload deleted when a row is refused (nothing to confirm)."""
    user = _importer(parameters)
    upload = _upload(parameters)
    with translation.override(parameters["language"]):
        rows = _rows(upload, progress)
        result = import_result(rows, dry_run=True, user=user, progress=_row_progress(progress, JobStep.COMPARING))
        data = result_as_json(result)
    data["filename"] = upload.filename
    if data["invalid_rows"]:  # nothing to confirm: a refused file is not kept
        upload.delete()
    return _made(data, "preview.json")


def _first_problem(data: dict) -> str:
    number, errors, _values = data["invalid_rows"][0]
    field, messages = next(iter(errors.items()))
    return f"{number}: {field}: {messages[0]}" if field != "__all__" else f"{number}: {messages[0]}"


def _first_difference(now: list, before: list) -> int:
    """The spreadsheet row of the first row whose outcome differs (each row: type, diff, row number)."""
    for row_now, row_before in zip(now, before, strict=False):
        if row_now != row_before:
            return row_now[2]
    shorter, longer = sorted((now, before), key=len)  # the same rows, one list longer: its first extra row
    return longer[len(shorter)][2] if len(longer) > len(shorter) else FIRST_DATA_ROW


def run_import(parameters: dict, progress: Progress) -> MadeFile:
    """The import the person confirmed, all or nothing, exactly as previewed.

    Side effects: the plan's rows created or updated (plan_import.import_plan_rows, with the person as
    the history user); the upload deleted. Nothing at all when refused."""
    user = _importer(parameters)
    upload = _upload(parameters)
    preview = Job.objects.filter(pk=parameters["preview"], kind=PREVIEW, state=JobState.DONE).first()
    previewed = kept_result(preview) if preview is not None else None
    if previewed is None:
        raise JobRefused(PREVIEW_GONE)
    with translation.override(parameters["language"]):
        rows = _rows(upload, progress)
        with transaction.atomic():
            result = import_result(rows, dry_run=False, user=user, progress=_row_progress(progress, JobStep.IMPORTING))
            data = result_as_json(result)
            if data["invalid_rows"]:
                raise JobRefused(format_lazy(REFUSED_NOW, problem=_first_problem(data)))
            if data["rows"] != previewed["rows"]:
                raise JobRefused(
                    format_lazy(CHANGED_SINCE_PREVIEW, row=_first_difference(data["rows"], previewed["rows"]))
                )
            upload.delete()
        report = result.report
        data["filename"] = upload.filename
        data["plan"] = Plan.objects.filter(name=report.plan_name).values_list("pk", flat=True).first()
        data["counts"] = {
            kind: [counts[CREATED], counts[UPDATED], counts[UNCHANGED]] for kind, counts in report.counts.items()
        }
    return _made(data, "import.json")


def _describe(parameters: dict) -> str:
    return PlanWorkbookUpload.objects.filter(pk=parameters["upload"]).values_list("filename", flat=True).first() or ""


def _result_page(job: Job) -> str:
    return reverse("admin:evaluation_plan_import_job", args=[job.pk])


def register_kinds() -> None:
    for name, label, run in (
        (PREVIEW, _("Plan workbook: checking the file"), run_preview),
        (IMPORT, _("Plan workbook: importing the file"), run_import),
    ):
        register(
            JobKind(
                name=name,
                label=label,
                run=run,
                allowed=can_import_plan,
                describe=_describe,
                back_url=lambda parameters: reverse("admin:evaluation_plan_import"),
                back_label=_("Back to the plan workbook import"),
                result_url=_result_page,
            )
        )
