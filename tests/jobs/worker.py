"""The queue's worker in a test: the tasks on the queue run as `manage.py db_worker --batch` runs them
(its own Worker.run_task), in the test's connection and transaction. When jobs run in-process (SQLite,
settings.TASKS' immediate backend) they ran when asked, and there is nothing to do."""

from __future__ import annotations

from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def jobs_run_in_process() -> bool:
    return not isinstance(task_backends["default"], DatabaseBackend)


def run_queued_jobs() -> int:
    """Run every task waiting on the database queue; the number run."""
    if jobs_run_in_process():
        return 0
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    count = 0
    while True:
        with exclusive_transaction(DBTaskResult.objects.db):
            task_result = DBTaskResult.objects.ready().get_locked()
            if task_result is None:
                return count
            task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        count += 1


def ask_and_download(client, url: str):
    """A person's path to a file made by a job: press the button (POST `url`), land on the job's page,
    the worker runs the job, then the page's download link. The download's response."""
    from django.urls import reverse

    from jobs.models import Job

    asked = client.post(url)
    assert asked.status_code == 302, asked
    job = Job.objects.get(pk=asked.url.rstrip("/").rsplit("/", 1)[-1])
    assert asked.url == job.get_absolute_url()
    run_queued_jobs()
    page = client.get(asked.url)
    assert page.status_code == 200
    download = reverse("job_download", args=[job.pk])
    assert download in page.content.decode(), page.content.decode()
    return client.get(download)
