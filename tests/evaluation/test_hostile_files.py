"""Hostile files on every path that reads a file, as an attacker sends them: a department's entry sheet
upload (the test client, the body streamed as a server hands it over), the admin's plan import (refused in
the request, before any background job), and
`manage.py import_plan`. Each file is refused with a message that says what is wrong, within the
memory budget (docs/uploads.md), and nothing changes: no upload kept, no plan row written, nothing
left in the cache. The time each took is printed (`pytest -s`), never asserted."""

from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from evaluation.models import EntryUpload, PlanWorkbookUpload, Result, ResultValue
from evaluation.workbook.entry_sheet import ENTRY_SHEET_COLUMNS
from evaluation.workbook.limits import MIB, FileKind, limits_for
from evaluation.workbook.plan_columns import PLAN_COLUMNS
from jobs.models import Job
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user
from tests.evaluation.workbook.hostile_files import (
    HOSTILE_FILES,
    MEMORY_BUDGET,
    declared_dimension_xlsx,
    largest_csv,
    measured,
    post_file,
)
from tests.evaluation.workbook.plan_files import snapshot
from tests.jobs.worker import run_queued_jobs

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:evaluation_plan_import")
ENTRY_LIMITS = limits_for(FileKind.ENTRY_SHEET)
PLAN_LIMITS = limits_for(FileKind.PLAN_WORKBOOK)
HOSTILE = pytest.mark.parametrize("hostile", HOSTILE_FILES, ids=[hostile.id for hostile in HOSTILE_FILES])


@pytest.fixture
def department(client):
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    make_open_year(plan)
    department = make_department("保健福祉政策課")
    make_result(make_indicator(plan, department=department, name="相談件数", code="1.1"), target=Decimal(2000))
    client.force_login(make_user("tanaka", department=department))
    return department


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    return client


def _results():
    return sorted(Result.objects.values_list()), sorted(ResultValue.objects.values_list())


def _cached_files() -> int:
    """The files kept for a confirmation: the admin's uploads (PlanWorkbookUpload), and the rows of the
    database cache, where django-import-export kept them before the import became a background job."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM mezasu_cache")
        return cursor.fetchone()[0] + PlanWorkbookUpload.objects.count()


def _report(path: str, hostile_id: str, cost) -> None:
    print(f"\n{path}: {hostile_id}: {cost}")


def _upload_entry_sheet(client, department, filename, content=None, *, size=None, language="en"):
    url = reverse("entry_sheet_upload", args=[department.pk, 2024])
    return post_file(client, url, {}, "sheet", filename, content, size=size, HTTP_ACCEPT_LANGUAGE=language)


def _import_in_admin(client, filename, content=None, *, size=None):
    fields = {"resource": "0", "format": "1" if filename.endswith(".xlsx") else "0"}
    return post_file(client, IMPORT_URL, fields, "import_file", filename, content, size=size, HTTP_ACCEPT_LANGUAGE="en")


@HOSTILE
def test_the_entry_sheet_upload_refuses_a_hostile_file_and_keeps_nothing(client, department, hostile):
    content = hostile.content(ENTRY_SHEET_COLUMNS, ENTRY_LIMITS.max_bytes)
    before = _results()

    with measured() as cost:
        response = _upload_entry_sheet(client, department, hostile.filename, content)

    _report("entry sheet", hostile.id, cost)
    assert response.status_code == 400
    assert hostile.refusal in unescape(response.content.decode())
    assert not EntryUpload.objects.exists()
    assert _results() == before
    assert cost.peak_bytes < MEMORY_BUDGET


@HOSTILE
def test_the_admin_import_refuses_a_hostile_file_and_keeps_nothing(superuser_client, hostile):
    content = hostile.content(PLAN_COLUMNS, PLAN_LIMITS.max_bytes)

    with measured() as cost:
        response = _import_in_admin(superuser_client, hostile.filename, content)

    _report("admin import", hostile.id, cost)
    assert response.status_code == 200  # refused in the request, before any job
    assert any(hostile.refusal in error for error in response.context["form"].errors["import_file"])
    assert "confirm_form" not in response.context
    assert _cached_files() == 0
    assert not Job.objects.exists()
    assert not any(snapshot().values())
    assert cost.peak_bytes < MEMORY_BUDGET


@HOSTILE
def test_the_import_plan_command_refuses_a_hostile_file_and_imports_nothing(tmp_path, hostile):
    path = tmp_path / hostile.filename
    path.write_bytes(hostile.content(PLAN_COLUMNS, PLAN_LIMITS.max_bytes))
    errors = StringIO()

    with measured() as cost, translation.override("en"), pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_plan", str(path), stderr=errors)

    _report("import_plan", hostile.id, cost)
    assert hostile.refusal in errors.getvalue()
    assert not any(snapshot().values())
    assert cost.peak_bytes < MEMORY_BUDGET


def test_a_file_of_50_mb_is_neither_kept_nor_held_by_the_admin_import(superuser_client):
    with measured() as cost:
        response = _import_in_admin(superuser_client, "plan.csv", size=50 * MIB)

    _report("admin import", "50 MB", cost)
    assert response.context["form"].errors["import_file"] == [
        "The file is 50.0\xa0MB; a file of this kind may be at most 5.0\xa0MB."
    ]
    assert _cached_files() == 0
    assert cost.peak_bytes < MEMORY_BUDGET


def test_a_file_of_50_mb_is_refused_by_the_entry_sheet_upload_in_japanese(client, department):
    with measured() as cost:
        response = _upload_entry_sheet(client, department, "sheet.xlsx", size=50 * MIB, language="ja")

    _report("entry sheet", "50 MB", cost)
    assert response.status_code == 400
    assert "ファイルの大きさは 50.0\xa0MB です。この種類のファイルは 5.0\xa0MB までです。" in response.content.decode()
    assert not EntryUpload.objects.exists()
    assert cost.peak_bytes < MEMORY_BUDGET


def test_a_sheet_declaring_the_whole_grid_is_read_as_the_rows_it_holds(client, department):
    content = declared_dimension_xlsx(list(ENTRY_SHEET_COLUMNS), ["1.1"] + [""] * (len(ENTRY_SHEET_COLUMNS) - 1))

    with measured() as cost:
        response = _upload_entry_sheet(client, department, "sheet.xlsx", content)

    _report("entry sheet", "dimension A1:XFD1048576, two rows", cost)
    upload = EntryUpload.objects.get()
    assert response.status_code == 302
    assert [error["row"] for error in upload.errors] == [2]  # its one row, not a sheet's row: said so
    assert cost.peak_bytes < 4 * MIB


def _largest_csv(header, limits) -> bytes:
    return largest_csv(list(header), rows=limits.max_rows, columns=limits.max_columns, size=limits.max_bytes)


# The largest file each cap lets through, every row of it wrong: it passes the reader and is refused
# by the sheet's or the plan's checks. What it costs bounds what any file can cost on that path.


def test_the_largest_entry_sheet_the_caps_allow_costs_less_than_the_budget(client, department):
    content = _largest_csv(ENTRY_SHEET_COLUMNS, ENTRY_LIMITS)

    with measured() as cost:
        response = _upload_entry_sheet(client, department, "sheet.csv", content)

    _report("entry sheet", f"largest CSV, {len(content):,} bytes", cost)
    assert response.status_code == 302
    assert len(EntryUpload.objects.get().errors) == ENTRY_LIMITS.max_rows - 1
    assert cost.peak_bytes < MEMORY_BUDGET


def test_the_largest_plan_workbook_the_caps_allow_costs_the_admin_less_than_the_budget(superuser_client):
    content = _largest_csv(PLAN_COLUMNS, PLAN_LIMITS)

    with measured() as cost:  # the request that keeps the file, and the job that checks it
        response = _import_in_admin(superuser_client, "plan.csv", content)
        run_queued_jobs()

    _report("admin import", f"largest CSV, {len(content):,} bytes", cost)
    assert response.status_code == 302
    assert superuser_client.get(response.url, follow=True).context["result"].has_validation_errors()
    assert _cached_files() == 0
    assert not any(snapshot().values())
    assert cost.peak_bytes < MEMORY_BUDGET


def test_the_largest_plan_workbook_the_caps_allow_is_refused_by_the_command_naming_its_first_problems(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(_largest_csv(PLAN_COLUMNS, PLAN_LIMITS))
    errors = StringIO()

    with measured() as cost, translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_plan", str(path), stderr=errors)

    _report("import_plan", "largest CSV", cost)
    printed = errors.getvalue().splitlines()
    assert len(printed) == 101
    assert printed[-1].startswith("…and ")
    assert printed[-1].endswith(" more problems. Fix the ones above and import the file again.")
    assert "nothing was imported" in str(refused.value)
    assert not any(snapshot().values())
    assert cost.peak_bytes < MEMORY_BUDGET
