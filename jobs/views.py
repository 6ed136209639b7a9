"""A background job's page (its progress bar, refreshed by htmx until it ends) and its file.

Only the person who asked sees a job (anyone else gets a 404, as for a job that does not exist), and
only while the kind's own rule still lets them (a viewer whose role was taken away gets a 403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRedirect

from jobs import kinds, services
from jobs.enums import JobState
from jobs.models import Job, JobFile

# htmx stops polling on this status (and still shows the answer): sent once the job has ended.
STOP_POLLING = 286


def _own_job(request, job_id) -> tuple[Job, kinds.JobKind]:
    job = Job.objects.filter(pk=job_id, requested_by=request.user).first()
    if job is None:
        raise Http404("no such job of yours")
    try:
        kind = kinds.get(job.kind)
    except LookupError:
        raise Http404("a job of a kind this version does not know") from None
    if not kind.allowed(request.user):
        raise PermissionDenied
    return job, kind


@require_safe
def job_page(request, job_id):
    """The job's page; an htmx poll gets its status part only (and stops once the job has ended). A done
    job whose kind shows its result on a page of its own (kinds.JobKind.result_url) leads there."""
    job, kind = _own_job(request, job_id)
    if job.state == JobState.RUNNING and services.fail_stalled(Job.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    if job.state == JobState.DONE and kind.result_url is not None:  # its result is a page of its own
        url = kind.result_url(job)
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {
        "job": job,
        "kind": kind,
        "description": kind.describe(job.parameters),
        "file": JobFile.objects.filter(job=job).only("filename", "size", "content_type").first()
        if job.state == JobState.DONE
        else None,
        "expires_at": services.expires_at(job),
        "back_url": kind.back_url(job.parameters),
        "error": job.error.get(request.LANGUAGE_CODE) or next(iter(job.error.values()), ""),
    }
    if request.htmx:
        response = render(request, "jobs/_status.html", context)
        if not job.is_active:
            response.status_code = STOP_POLLING
        return response
    return render(request, "jobs/job.html", context)


@require_safe
def job_download(request, job_id):
    """The file the job made, while it is kept."""
    job, _kind = _own_job(request, job_id)
    made = JobFile.objects.filter(job=job).first()
    if made is None:
        raise Http404("the job has made no file (yet)")
    response = HttpResponse(bytes(made.content), content_type=made.content_type)
    response["Content-Disposition"] = content_disposition_header(True, made.filename)
    response["Cache-Control"] = "no-store"
    return response
