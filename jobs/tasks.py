"""The one task on the queue (django-tasks): run a job by its id. The job's own row holds its state,
progress and file (jobs.models); the queue only carries the id to a worker (`manage.py db_worker`),
or, on SQLite, runs it at once in the process that asked (settings.TASKS)."""

from __future__ import annotations

from django_tasks import task

from jobs import services


@task()
def run_job(job_id: str) -> None:
    services.run(job_id)
