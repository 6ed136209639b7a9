"""Backup and restore of PostgreSQL with the README's commands: a database holding a plan (the demo
plan, an open year, entries submitted, returned with a comment and approved, with their history) is
dumped with `pg_dump --format=custom`, the file is listed, a new database is made with `createdb`
and the dump restored into it with `pg_restore`; every row of every table and every sequence come
back the same, the README's count query answers the same, and `migrate --check` passes on it.

PostgreSQL only: SQLite has no pg_dump. CI's PostgreSQL run (DATABASE_URL=postgres://…) runs it and
fails when the PostgreSQL programs are missing; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from glob import glob
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from departments.enums import Role
from evaluation.domain.enums import Direction, IndicatorKind, ResultStatus
from evaluation.models import EvaluationYear, Plan, Result
from evaluation.services.results import review
from evaluation.workbook.plan_import import import_plan_file
from tests.builders import add_membership, enter_actual, make_user
from tests.evaluation.workbook.plan_files import DEMO_CSV

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
IN_CI = os.environ.get("CI", "").lower() == "true"
# The README's count query, run on both databases.
COUNTS = """SELECT (SELECT count(*) FROM evaluation_plan) AS plans,
  (SELECT count(*) FROM evaluation_indicator) AS indicators, (SELECT count(*) FROM evaluation_result) AS results,
  (SELECT count(*) FROM auth_user) AS users,
  (SELECT max(history_date) FROM evaluation_historicalresult) AS last_change"""

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="PostgreSQL only (pg_dump and pg_restore): runs in CI's PostgreSQL run, or with "
        "DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),  # pg_dump, another process, must see the rows
]


def postgresql_program(name: str) -> str:
    """The newest installed version's program (as .ci/run picks its initdb), else the one on PATH."""
    installed = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda path: int(Path(path).parts[-3]))
    found = installed[-1] if installed else shutil.which(name)
    if found is None:
        message = f"{name} not found (Debian: apt-get install postgresql-client)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def database_url(name: str) -> str:
    database = connection.settings_dict
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    return f"postgresql://{credentials}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{name}"


def run(*command: str, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


def everything(url: str) -> dict[str, object]:
    """Every row of every table of the public schema (sorted), and every sequence's last value."""
    with psycopg.connect(url) as database:
        tables = [
            row[0] for row in database.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ]
        content: dict[str, object] = {
            table: sorted(database.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables
        }
        content["sequences"] = database.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        content["counts"] = database.execute(COUNTS).fetchone()
    return content


@pytest.fixture
def plan_in_the_database(django_user_model):
    import_plan_file(DEMO_CSV)
    plan = Plan.objects.get()
    EvaluationYear.objects.create(plan=plan, fiscal_year=2024)
    outcomes = list(
        Result.objects.filter(indicator__kind=IndicatorKind.OUTCOME, indicator__direction=Direction.HIGHER)
        .select_related("department")
        .order_by("indicator__position")[:3]
    )
    departments = {result.department for result in outcomes}
    staff = make_user("staff", first_name="保健福祉政策課")
    for department in departments:
        add_membership(staff, department)
    planning = make_user("planning", department=next(iter(departments)), role=Role.PLANNING, last_name="計画")
    submitted = [enter_actual(result, staff, "1816", then_submit=True) for result in outcomes]
    comment = "内訳を書いてください。"
    review(submitted[0], "return", user=planning, expected_version=submitted[0].version, comment=comment)
    review(submitted[1], "approve", user=planning, expected_version=submitted[1].version)
    return plan


@pytest.fixture
def restored_database():
    """The name of a database to restore into; dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    with psycopg.connect(database_url("postgres"), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_plan_dumped_with_pg_dump_comes_back_whole_with_pg_restore(plan_in_the_database, restored_database, tmp_path):
    source = database_url(connection.settings_dict["NAME"])
    target = database_url(restored_database)
    dump = tmp_path / "mezasu-20250401-0200.dump"
    database = connection.settings_dict
    connection_env = {"PGPASSWORD": database["PASSWORD"] or ""}

    run(postgresql_program("pg_dump"), "--format=custom", f"--file={dump}", source)
    listed = run(postgresql_program("pg_restore"), "--list", str(dump))
    run(
        postgresql_program("createdb"),
        f"--host={database['HOST'] or 'localhost'}",
        f"--port={database['PORT'] or 5432}",
        f"--username={database['USER']}",
        "--template=template0",
        "--encoding=UTF8",
        restored_database,
        **connection_env,
    )
    run(postgresql_program("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump))

    assert "TABLE DATA public evaluation_result" in listed.stdout
    before, after = everything(source), everything(target)
    assert after.keys() == before.keys()
    assert [table for table in before if after[table] != before[table]] == []
    plans, indicators, results, users, last_change = after["counts"]
    assert (plans, indicators, results, users) == (1, 134, 134, 2)
    assert last_change is not None
    with psycopg.connect(target) as restored:
        statuses = dict(restored.execute("SELECT status, count(*) FROM evaluation_result GROUP BY status").fetchall())
        comment = restored.execute("SELECT body FROM evaluation_resultcomment").fetchone()[0]
        actual = restored.execute(
            "SELECT actual_value FROM evaluation_resultvalue WHERE actual_value IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]
        plan_name = restored.execute("SELECT name FROM evaluation_plan").fetchone()[0]
    assert statuses[ResultStatus.RETURNED] == 1 and statuses[ResultStatus.APPROVED] == 1
    assert statuses[ResultStatus.SUBMITTED] == 1
    assert comment == "内訳を書いてください。"
    assert isinstance(actual, Decimal)
    assert plan_name == plan_in_the_database.name
    # The schema of the restored database is this code's: no migration left to apply.
    run(sys.executable, "manage.py", "migrate", "--check", DATABASE_URL=target, DJANGO_DEBUG="1")
