"""The real worker: `manage.py db_worker --batch` in its own process takes the job from the PostgreSQL
queue, runs it and leaves its file in the database, where the app's page finds it (no state shared in
memory). PostgreSQL only: on SQLite jobs run in the request, and the test database is in memory."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from departments.enums import Role
from jobs import services
from jobs.enums import JobState
from jobs.models import Job, JobFile
from tests.builders import make_department, make_graded_result, make_indicator, make_plan, make_user

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database queue and its worker process run on PostgreSQL"
)


def _database_url() -> str:
    settings = connection.settings_dict
    user, host, port = settings["USER"], settings["HOST"] or "localhost", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def test_the_db_worker_command_runs_the_queued_job_in_its_own_process(transactional_db):
    plan = make_plan()
    make_graded_result(make_indicator(plan, code="1-1"), actual=Decimal(1))
    planner = make_user("planner", department=make_department(), role=Role.PLANNING)
    job = services.ask(planner, "results_csv", {"plan": plan.pk, "year": 2024})
    assert job.state == JobState.QUEUED

    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _database_url(), "MEZASU_JOBS_IN_PROCESS": "0"},
        check=True,
        timeout=300,
    )
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.started_at and job.finished_at
    assert bytes(JobFile.objects.get(job=job).content).decode("utf-8-sig").splitlines()[1].split(",")[:3] == [
        "テスト計画",
        "2024",
        "1-1",
    ]
    assert Job.objects.count() == 1
