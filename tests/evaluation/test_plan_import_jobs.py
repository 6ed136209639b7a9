"""The admin's plan workbook import as background jobs (evaluation.plan_import_jobs), end to end through
the test client, the real reader and real workbooks: the upload, the preview job and its page, the
confirmation, the import job and the page that says what was imported. The worker runs the queued jobs
(tests.jobs.worker; on SQLite they ran when asked). Refusals change nothing and say why in words."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import plan_import_jobs
from evaluation.domain.enums import YearStatus
from evaluation.models import EvaluationYear, Indicator, Plan, PlanWorkbookUpload, ResultValue
from evaluation.workbook.plan_import import import_plan_file
from jobs import services
from jobs.enums import JobState, JobStep
from jobs.models import Job
from tests.builders import make_user
from tests.evaluation.workbook.plan_files import DEMO_CSV, DEMO_XLSX, demo_rows, row_of, snapshot, write_csv
from tests.jobs.worker import run_queued_jobs

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:evaluation_plan_import")
PROCESS_URL = reverse("admin:evaluation_plan_process_import")
DEMO_ROWS = 136
IMPORT_PERMISSIONS = ["add_indicator", "view_plan", "change_plan", "add_plan"]


def _staff_who_may_import(username: str):
    user = make_user(username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=IMPORT_PERMISSIONS))
    return user


@pytest.fixture
def importer():
    return _staff_who_may_import("importer")


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


def _upload(client, path_or_bytes, name: str, language: str = "ja"):
    content = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    fmt = "1" if name.endswith(".xlsx") else "0"
    data = {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)}
    return client.post(IMPORT_URL, data, HTTP_ACCEPT_LANGUAGE=language)


def _job_of(response) -> Job:
    assert response.status_code == 302, response
    job = Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    assert response.url == job.get_absolute_url()
    return job


def _after(client, asked, language: str = "ja"):
    """The job asked by `asked` run by the worker, then its page followed to where it leads."""
    job = _job_of(asked)
    run_queued_jobs()
    return job, client.get(asked.url, follow=True, HTTP_ACCEPT_LANGUAGE=language)


def _confirm(client, preview_page, language: str = "ja"):
    return _after(client, client.post(PROCESS_URL, preview_page.context["confirm_form"].initial), language)


def _changed_target_file(tmp_path, value: str):
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["目標"] = value
    return write_csv(tmp_path / "plan.csv", rows)


def test_an_xlsx_workbook_is_previewed_by_a_job_then_imported_by_another_with_their_progress(importer_client, importer):
    preview_job, preview = _after(importer_client, _upload(importer_client, DEMO_XLSX, "plan.xlsx"))

    preview_job.refresh_from_db()
    assert preview_job.kind == plan_import_jobs.PREVIEW and preview_job.state == JobState.DONE
    assert (preview_job.progress_done, preview_job.progress_total) == (DEMO_ROWS, DEMO_ROWS)  # rows compared
    assert preview.redirect_chain[-1][0] == reverse("admin:evaluation_plan_import_job", args=[preview_job.pk])
    assert preview.context["result"].totals["new"] == DEMO_ROWS
    assert "confirm_form" in preview.context
    assert not Plan.objects.exists()  # a preview changes nothing

    import_job, done = _confirm(importer_client, preview)

    import_job.refresh_from_db()
    assert import_job.kind == plan_import_jobs.IMPORT
    assert (import_job.state, import_job.step) == (JobState.DONE, JobStep.FINISHED)
    plan = Plan.objects.get()
    assert Indicator.objects.count() == 134
    assert plan.history.get().history_user == importer  # through the importer's one write path, as the person
    html = done.content.decode()
    assert "「plan.xlsx」を取り込みました：新規 136 行、変更 0 行、変更なし 0 行。" in html
    assert reverse("admin:evaluation_plan_change", args=[plan.pk]) in html
    assert not PlanWorkbookUpload.objects.exists()  # imported: the file is no longer kept


class Recorded:
    """A job's Progress that keeps what it is told."""

    def __init__(self):
        self.reports = []

    def report(self, step, done=0, total=0):
        self.reports.append((step, done, total))


def test_the_preview_reports_its_rows_checked_then_compared_a_hundredth_at_a_time(importer, tmp_path):
    rows = [{**row, "年度": str(year)} for year in range(2024, 2028) for row in demo_rows()]  # the plan's 4 years
    content = write_csv(tmp_path / "plan.csv", rows).read_bytes()
    upload = PlanWorkbookUpload.objects.create(user=importer, filename="plan.csv", size=len(content), content=content)
    previewed = Recorded()

    plan_import_jobs.run_preview(plan_import_jobs.preview_parameters(upload, importer, "ja"), previewed)

    steps = [step for step, _done, _total in previewed.reports]
    assert steps[0] == JobStep.READING and set(steps[1:]) == {JobStep.CHECKING, JobStep.COMPARING}
    assert previewed.reports[-1] == (JobStep.COMPARING, 544, 544)
    assert (JobStep.CHECKING, 544, 544) in previewed.reports
    assert 200 < len(previewed.reports) < 230  # about a hundred a phase (every fifth row), not one a row


def test_the_import_reports_its_rows_checked_then_imported(importer_client, importer):
    _job, preview = _after(importer_client, _upload(importer_client, DEMO_CSV, "plan.csv"))
    imported = Recorded()

    plan_import_jobs.run_import(plan_import_jobs.import_parameters(_job), imported)

    assert imported.reports[-1] == (JobStep.IMPORTING, DEMO_ROWS, DEMO_ROWS)
    assert (JobStep.CHECKING, DEMO_ROWS, DEMO_ROWS) in imported.reports
    assert Indicator.objects.count() == 134


def test_a_changed_value_is_previewed_as_a_change_and_imported(importer_client, tmp_path):
    import_plan_file(DEMO_CSV)
    path = _changed_target_file(tmp_path, "250")

    _job, preview = _after(importer_client, _upload(importer_client, path, "plan.csv"))
    assert preview.context["result"].totals == {
        "new": 0,
        "update": 1,
        "delete": 0,
        "skip": DEMO_ROWS - 1,
        "error": 0,
        "invalid": 0,
    }
    assert "430 → 250" in preview.content.decode()
    _job, done = _confirm(importer_client, preview)

    assert done.status_code == 200
    assert ResultValue.objects.filter(result__indicator__code="1.1.2.1.O1", target_value=250).exists()
    assert "430 → 250" in done.content.decode()


def test_a_refused_row_is_shown_in_the_preview_with_its_row_column_and_value_and_nothing_changes(importer_client):
    text = DEMO_CSV.read_text(encoding="utf-8-sig").replace(",430,", ",abc,", 1)
    before = snapshot()

    _job, preview = _after(importer_client, _upload(importer_client, text.encode(), "plan.csv", language="en"), "en")

    [invalid] = preview.context["result"].invalid_rows
    assert invalid.number == 7
    assert "目標" in invalid.field_specific_errors
    assert "「abc」" in preview.content.decode()
    assert "confirm_form" not in preview.context
    assert snapshot() == before
    assert not PlanWorkbookUpload.objects.exists()  # nothing to confirm: the file is not kept
    assert importer_client.post(PROCESS_URL, {"preview": str(_job.pk)}).url == IMPORT_URL  # nor confirmed


def test_a_year_closed_since_the_preview_refuses_the_import_in_words_and_nothing_changes(importer_client, tmp_path):
    import_plan_file(DEMO_CSV)
    _job, preview = _after(importer_client, _upload(importer_client, _changed_target_file(tmp_path, "250"), "plan.csv"))
    EvaluationYear.objects.create(plan=Plan.objects.get(), fiscal_year=2024, status=YearStatus.CLOSED)
    before = snapshot()

    job, page = _confirm(importer_client, preview)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error["ja"].startswith("ファイルに誤りがあるため、何も取り込みませんでした。")
    assert job.error["en"].startswith("The file was refused; nothing was imported.")
    assert "最初の誤り：" in job.error["ja"] and "目標" in job.error["ja"]
    assert page.context["error"] == job.error["ja"]
    assert snapshot() == before


def test_a_plan_changed_since_the_preview_refuses_the_import_naming_the_row(importer_client, tmp_path):
    path = write_csv(tmp_path / "plan.csv", [dict.fromkeys(demo_rows()[0], ""), *demo_rows()])  # row 2 blank
    _job, preview = _after(importer_client, _upload(importer_client, path, "plan.csv"))
    import_plan_file(DEMO_CSV)  # someone else imported the plan meanwhile: every row is now unchanged
    before = snapshot()

    job, page = _confirm(importer_client, preview, language="en")

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert page.context["error"] == (
        "The plan changed since the preview: row 3 of the file would now change other things than the preview "
        "showed. Nothing was imported. Import the file again to see what it would change now."
    )
    assert job.error["ja"].startswith("プレビューの後に計画が変わりました。ファイルの 3 行目は")
    assert snapshot() == before


def test_another_person_sees_neither_the_job_nor_its_preview_nor_can_confirm_it(client, importer_client):
    preview_job, preview = _after(importer_client, _upload(importer_client, DEMO_CSV, "plan.csv"))
    other = make_user("other-admin", is_staff=True, is_superuser=True)
    client.force_login(other)

    assert client.get(reverse("job", args=[preview_job.pk])).status_code == 404
    assert client.get(reverse("admin:evaluation_plan_import_job", args=[preview_job.pk])).status_code == 404
    refused = client.post(PROCESS_URL, {"preview": str(preview_job.pk)}, follow=True)
    assert [str(message) for message in refused.context["messages"]] == [
        "このファイルのプレビューはもう保存されていません。もう一度取り込むと、プレビューを確認できます。"
    ]
    assert Job.objects.filter(kind=plan_import_jobs.IMPORT).count() == 0
    assert not Plan.objects.exists()


def test_the_permission_taken_away_after_the_preview_refuses_the_confirmation(importer_client, importer):
    _job, preview = _after(importer_client, _upload(importer_client, DEMO_CSV, "plan.csv"))
    importer.user_permissions.remove(Permission.objects.get(codename="add_indicator"))

    assert importer_client.post(PROCESS_URL, preview.context["confirm_form"].initial).status_code == 403
    assert importer_client.get(reverse("admin:evaluation_plan_import_job", args=[_job.pk])).status_code == 403
    assert not Plan.objects.exists()


def test_the_permission_taken_away_before_the_job_runs_refuses_it_when_it_runs(importer_client, importer, settings):
    _job, preview = _after(importer_client, _upload(importer_client, DEMO_CSV, "plan.csv"))
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # it waits for a worker
    job = _job_of(importer_client.post(PROCESS_URL, preview.context["confirm_form"].initial))
    importer.user_permissions.remove(Permission.objects.get(codename="add_indicator"))

    services.run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == {
        "ja": "計画ワークブックを取り込む権限がなくなりました。何も取り込んでいません。",
        "en": "You may no longer import the plan workbook. Nothing was imported.",
    }
    assert not Plan.objects.exists()


def test_a_hostile_file_is_refused_in_the_request_before_any_job(importer_client):
    response = _upload(importer_client, b"\x00" * 10, "plan.xlsx")

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"]
    assert not Job.objects.exists() and not PlanWorkbookUpload.objects.exists()


def test_the_job_page_of_an_import_under_way_polls_and_a_done_one_leads_to_its_result(importer_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = _job_of(_upload(importer_client, DEMO_CSV, "plan.csv"))
    page = importer_client.get(job.get_absolute_url())
    assert "計画ワークブック：ファイルの確認" in page.content.decode() and "plan.csv" in page.content.decode()
    assert f'hx-get="{job.get_absolute_url()}"' in page.content.decode()
    # The import's own page of a job still under way is the job's page.
    assert importer_client.get(reverse("admin:evaluation_plan_import_job", args=[job.pk])).url == job.get_absolute_url()

    services.run(job.pk)

    result_page = reverse("admin:evaluation_plan_import_job", args=[job.pk])
    assert importer_client.get(job.get_absolute_url()).url == result_page
    poll = importer_client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and poll["HX-Redirect"] == result_page


def test_the_import_pages_read_in_a_fixed_number_of_queries(importer_client, django_assert_num_queries, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = _job_of(_upload(importer_client, DEMO_CSV, "plan.csv"))
    # session, user, the job, permissions (user and groups), the upload's name, the menu's memberships (2)
    with django_assert_num_queries(8):
        assert importer_client.get(job.get_absolute_url()).status_code == 200
    services.run(job.pk)
    with django_assert_num_queries(6):  # session, user, permissions (2), the job, its kept result
        preview = importer_client.get(reverse("admin:evaluation_plan_import_job", args=[job.pk]))
    assert preview.context["result"].totals["new"] == DEMO_ROWS
    import_job = _job_of(importer_client.post(PROCESS_URL, preview.context["confirm_form"].initial))
    services.run(import_job.pk)
    with django_assert_num_queries(7):  # … and the plan to go back to
        done = importer_client.get(reverse("admin:evaluation_plan_import_job", args=[import_job.pk]))
    assert done.context["totals"]["new"] == DEMO_ROWS


def test_the_stored_file_is_the_upload_byte_for_byte(importer_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    content = DEMO_XLSX.read_bytes()
    job = _job_of(_upload(importer_client, content, "計画.xlsx"))
    upload = PlanWorkbookUpload.objects.get(pk=job.parameters["upload"])
    assert (bytes(upload.content), upload.size, upload.filename) == (content, len(content), "計画.xlsx")
    assert job.parameters["language"] == "ja"
    assert io.BytesIO(bytes(upload.content)).read(2) == b"PK"


@pytest.mark.parametrize("years", [1, 4])
def test_the_preview_page_reads_the_same_queries_whatever_the_files_rows(
    importer_client, tmp_path, years, settings, django_assert_num_queries
):
    """136 rows or 544 (the plan's four years): the preview is the job's kept JSON, not a query a row."""
    rows = [{**row, "年度": str(2024 + year)} for year in range(years) for row in demo_rows()]
    path = write_csv(tmp_path / "plan.csv", rows)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = _job_of(_upload(importer_client, path, "plan.csv"))
    services.run(job.pk)

    with django_assert_num_queries(6):
        preview = importer_client.get(reverse("admin:evaluation_plan_import_job", args=[job.pk]))

    assert len(preview.context["result"].valid_rows()) == len(rows)
