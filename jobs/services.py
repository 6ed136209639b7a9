"""Every write of a background job: asking for one (or reusing the same one still under way), running
it (claim, progress, the file or the refusal), and dropping the expired ones.

No state in a process: the job, its progress and its file are rows, so the app processes and the
workers of several machines share them through the database."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from jobs import kinds
from jobs.enums import ACTIVE_STATES, JobState, JobStep
from jobs.models import Job, JobFile

logger = logging.getLogger("jobs")

FAILED_UNEXPECTEDLY = _(
    "The file could not be made because of an error on the server. Ask again; if it fails again, "
    "tell the system administrator the job number shown on this page."
)
STALLED = _("The job stopped without finishing (its worker was stopped or restarted). Ask again for the file.")
NOT_QUEUED = _("The job could not be put on the queue. Ask again; if it fails again, tell the system administrator.")


def result_lifetime() -> timedelta:
    return timedelta(hours=settings.MEZASU_JOB_RESULT_HOURS)


def stalled_after() -> timedelta:
    return timedelta(minutes=settings.MEZASU_JOB_STALLED_MINUTES)


def fingerprint(kind: str, parameters: dict) -> str:
    canonical = json.dumps([kind, parameters], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def in_every_language(message) -> dict[str, str]:
    """The message as each language of the site says it: the page shows the reader's."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(message)
    return texts


def ask(user, kind: str, parameters: dict) -> Job:
    """The job of `kind` with `parameters` for `user`: the one already queued or running for the same
    request, else a new one put on the queue (on SQLite, run here and now). The caller has checked the
    user's permission and fixed the parameters to what the user may see.

    Side effects: a Job row; a task on the queue (django-tasks); a stalled job of the same request failed."""
    kinds.get(kind)  # an unknown kind is a programming error, before anything is written
    key = fingerprint(kind, parameters)
    fail_stalled(Job.objects.filter(requested_by=user, fingerprint=key))
    existing = Job.objects.filter(requested_by=user, fingerprint=key, state__in=ACTIVE_STATES).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(requested_by=user, kind=kind, parameters=parameters, fingerprint=key)
    except IntegrityError:  # the same request, asked at the same moment in another process
        return Job.objects.get(requested_by=user, fingerprint=key, state__in=ACTIVE_STATES)
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    from jobs.tasks import run_job  # the task module needs the backend's settings; only asking needs it

    try:
        run_job.enqueue(str(job.pk))
    except Exception:
        logger.exception("job %s (%s) could not be enqueued", job.pk, job.kind)
        _finish_failed(job.pk, NOT_QUEUED)


class JobProgress:
    """What a running job reports: its step and how far (done of total); written at once so that the page
    polling it, in another process, sees it move. A job that reports from inside a transaction (the plan
    import, all or nothing) writes through a connection of its own on PostgreSQL, committed at once; on
    SQLite the job runs in the request that asked and nobody polls meanwhile."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.last: tuple | None = None
        self.aside = None  # the connection of its own, opened the first time a transaction needs it
        self.depth = len(connection.atomic_blocks)  # the transactions around the job itself (a test's)

    def report(self, step: JobStep, done: int = 0, total: int = 0) -> None:
        current = (step, done, total)
        if current == self.last:
            return
        self.last = current
        if len(connection.atomic_blocks) > self.depth and connection.vendor == "postgresql":
            self._report_aside(step, done, total)
            return
        Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(
            step=step, progress_done=done, progress_total=total, updated_at=timezone.now()
        )

    def _report_aside(self, step: JobStep, done: int, total: int) -> None:
        if self.aside is None:
            self.aside = connection.copy()
        quote = self.aside.ops.quote_name
        columns = ", ".join(f"{quote(name)} = %s" for name in ("step", "progress_done", "progress_total", "updated_at"))
        with self.aside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Job._meta.db_table)} SET {columns} WHERE {quote('id')} = %s AND {quote('state')} = %s",
                [str(step), done, total, timezone.now(), self.job_id, str(JobState.RUNNING)],
            )

    def close(self) -> None:
        if self.aside is not None:
            self.aside.close()
            self.aside = None


def run(job_id) -> None:
    """Run the queued job `job_id` (the worker's task; on SQLite, in the request that asked).

    Side effects: the job claimed (queued → running, so no second worker runs it), its progress, then
    its file and `done`, or its refusal and `failed` (an unexpected error logged with its traceback);
    the expired jobs dropped."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, updated_at=now, step=JobStep.READING
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job.pk)
    try:
        _finish_done(job, kinds.get(job.kind).run(job.parameters, progress))
    except kinds.JobRefused as refusal:
        _finish_failed(job.pk, refusal.message)
    except Exception:  # the kind's, or keeping its file: never a job left running without a worker
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish_failed(job.pk, FAILED_UNEXPECTEDLY)
    finally:
        progress.close()
    prune_expired()


def _finish_done(job: Job, made: kinds.MadeFile) -> None:
    with transaction.atomic():
        JobFile.objects.create(
            job=job,
            filename=made.filename,
            content_type=made.content_type,
            size=len(made.content),
            content=made.content,
        )
        now = timezone.now()
        Job.objects.filter(pk=job.pk).update(
            state=JobState.DONE, step=JobStep.FINISHED, finished_at=now, updated_at=now
        )


def _finish_failed(job_id, message) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        state=JobState.FAILED, error=in_every_language(message), finished_at=now, updated_at=now
    )


def fail_stalled(jobs) -> int:
    """Fail the running jobs among `jobs` that have not moved for MEZASU_JOB_STALLED_MINUTES: their
    worker is gone, and the person may ask again."""
    stalled = list(
        jobs.filter(state=JobState.RUNNING, updated_at__lt=timezone.now() - stalled_after()).values_list(
            "pk", flat=True
        )
    )
    for job_id in stalled:
        logger.warning("job %s stalled: no progress for %s", job_id, stalled_after())
        _finish_failed(job_id, STALLED)
    return len(stalled)


def prune_expired() -> int:
    """Drop the jobs (and their files) finished longer ago than MEZASU_JOB_RESULT_HOURS."""
    deleted, _by_model = Job.objects.filter(finished_at__lt=timezone.now() - result_lifetime()).delete()
    return deleted


def expires_at(job: Job):
    return job.finished_at + result_lifetime() if job.finished_at else None
