"""Asking for a job, running it, its progress, its refusal, the reuse of one under way, the stalled and
the expired ones: jobs.services on the real database, the queue run as the worker runs it."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jobs import services
from jobs.enums import JobState, JobStep
from jobs.models import Job, JobFile
from tests.builders import make_finished_job, make_user
from tests.jobs.worker import run_queued_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]


def _ask(user, text="a", kind="echo"):
    job = services.ask(user, kind, {"text": text})
    run_queued_jobs()
    job.refresh_from_db()
    return job


def test_a_job_runs_reports_its_progress_and_keeps_its_file(test_kinds):
    user = make_user("asker")
    job = _ask(user, "計画")
    assert job.state == JobState.DONE and job.step == JobStep.FINISHED
    assert job.requested_by == user and job.started_at and job.finished_at and job.percent == 100
    made = JobFile.objects.get(job=job)
    assert bytes(made.content) == "echo:計画".encode() and made.size == len(made.content)
    assert made.filename == "echo.txt" and made.content_type.startswith("text/plain")
    # Each report was written at once: the running job's own row showed it.
    assert test_kinds == [(JobStep.ROWS, 1, 3), (JobStep.ROWS, 2, 3), (JobStep.ROWS, 3, 3)]


def test_asking_again_while_the_job_is_under_way_reuses_it():
    user = make_user("asker")
    queued = Job.objects.create(
        requested_by=user,
        kind="echo",
        parameters={"text": "a"},
        fingerprint=services.fingerprint("echo", {"text": "a"}),
    )
    assert services.ask(user, "echo", {"text": "a"}) == queued
    assert Job.objects.count() == 1


def test_the_database_keeps_one_active_job_per_person_and_request():
    user = make_user("asker")
    key = services.fingerprint("echo", {"text": "a"})
    Job.objects.create(requested_by=user, kind="echo", parameters={"text": "a"}, fingerprint=key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(requested_by=user, kind="echo", parameters={"text": "a"}, fingerprint=key, state="running")


def test_another_request_another_person_or_a_finished_job_make_a_new_job():
    first, second = make_user("first"), make_user("second")
    done = _ask(first, "a")
    assert _ask(first, "a") != done  # the file of the first is older than the data: a new one
    assert _ask(first, "b").parameters == {"text": "b"}
    assert _ask(second, "a").requested_by == second
    assert Job.objects.filter(state=JobState.DONE).count() == 4


def test_a_refused_job_says_why_in_every_language_and_keeps_no_file():
    job = _ask(make_user("asker"), kind="refused")
    assert job.state == JobState.FAILED and job.finished_at
    assert job.error == {
        "ja": "このファイルの計画はもう存在しません。",
        "en": "The plan of this file no longer exists.",
    }
    assert not JobFile.objects.filter(job=job).exists()


def test_an_unexpected_error_is_logged_with_its_traceback_and_shown_without_it(caplog):
    with caplog.at_level(logging.ERROR, logger="jobs"):
        job = _ask(make_user("asker"), kind="crash")
    assert job.state == JobState.FAILED
    assert "secret internals" not in str(job.error) and "Traceback" not in str(job.error)
    assert job.error["en"].startswith("The file could not be made because of an error on the server.")
    assert job.error["ja"] and job.error["ja"] != job.error["en"]
    record = next(record for record in caplog.records if record.name == "jobs")
    assert str(job.pk) in record.getMessage() and "secret internals" in str(record.exc_info[1])


def test_a_job_is_run_once_even_if_two_workers_get_it():
    user = make_user("asker")
    job = Job.objects.create(
        requested_by=user,
        kind="echo",
        parameters={"text": "a"},
        fingerprint=services.fingerprint("echo", {"text": "a"}),
    )
    services.run(job.pk)
    services.run(job.pk)
    assert JobFile.objects.filter(job=job).count() == 1


def test_a_running_job_that_stopped_moving_is_failed_and_a_new_one_asked():
    user = make_user("asker")
    stalled = Job.objects.create(
        requested_by=user,
        kind="echo",
        parameters={"text": "a"},
        fingerprint=services.fingerprint("echo", {"text": "a"}),
        state=JobState.RUNNING,
    )
    Job.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - timedelta(minutes=16))
    fresh = _ask(user, "a")
    stalled.refresh_from_db()
    assert stalled.state == JobState.FAILED and "stopped without finishing" in stalled.error["en"]
    assert fresh != stalled and fresh.state == JobState.DONE


def test_a_running_job_that_moves_is_left_alone():
    user = make_user("asker")
    running = Job.objects.create(requested_by=user, kind="echo", parameters={}, fingerprint="x", state=JobState.RUNNING)
    assert services.fail_stalled(Job.objects.all()) == 0
    running.refresh_from_db()
    assert running.state == JobState.RUNNING


def test_expired_jobs_are_dropped_with_their_files_by_the_worker_and_the_command(settings):
    settings.MEZASU_JOB_RESULT_HOURS = 24
    user = make_user("asker")
    old = make_finished_job(user, finished_at=timezone.now() - timedelta(hours=25))
    recent = make_finished_job(user, finished_at=timezone.now() - timedelta(hours=23), parameters={"plan": 2})
    _ask(user, "a")  # the worker drops what has expired after each job
    assert not Job.objects.filter(pk=old.pk).exists() and not JobFile.objects.filter(job_id=old.pk).exists()
    assert Job.objects.filter(pk=recent.pk).exists()

    Job.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    call_command("prune_jobs", stdout=(output := __import__("io").StringIO()))
    assert not Job.objects.filter(pk=recent.pk).exists()
    assert "2 expired rows dropped, 0 stalled jobs failed." in output.getvalue()  # the job and its file


def test_a_job_that_cannot_be_queued_is_failed_with_a_message(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr("jobs.tasks.run_job", SimpleNamespace(enqueue=broken))
    job = services.ask(make_user("asker"), "echo", {"text": "a"})
    assert job.state == JobState.FAILED and "could not be put on the queue" in job.error["en"]


@pytest.mark.django_db(transaction=True)
def test_progress_reported_inside_the_jobs_own_transaction_is_seen_at_once_by_another_connection(planner):
    """The plan import reports its rows from inside its all-or-nothing transaction: the page polling the
    job, in another process, sees them move before that transaction ends (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite jobs run in the request that asks; nobody polls meanwhile")
    job = Job.objects.create(requested_by=planner, kind="echo", parameters={}, fingerprint="x", state=JobState.RUNNING)
    progress = services.JobProgress(job.pk)
    other = connection.copy()
    try:
        with transaction.atomic():
            progress.report(JobStep.IMPORTING, 5, 10)
            with other.cursor() as cursor:
                cursor.execute("SELECT step, progress_done, progress_total FROM jobs_job WHERE id = %s", [job.pk])
                seen = cursor.fetchone()
    finally:
        progress.close()
        other.close()
    assert seen == ("importing", 5, 10)
