"""The evaluation's background jobs end to end on the demo plan: asked for on the report page's button
(a POST), run by the worker (or, on SQLite, at once), downloaded from the job's page; the file is the
report or export the direct rendering makes (PDF read back by poppler, XLSX by openpyxl), and the PDF's
job reports each page WeasyPrint lays out."""

from __future__ import annotations

import io
import re
import subprocess
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.job_kinds import report_parameters
from evaluation.models import Plan
from evaluation.report.document import render_report, report_context
from evaluation.workbook.plan_import import import_plan_file
from jobs import services
from jobs.enums import JobState, JobStep
from jobs.models import Job
from tests.builders import make_department, make_user
from tests.evaluation.workbook.plan_files import DEMO_CSV
from tests.jobs.worker import ask_and_download

pytestmark = pytest.mark.django_db
LABEL = "資料１－３"


@pytest.fixture
def demo():
    import_plan_file(DEMO_CSV)
    return Plan.objects.get()


@pytest.fixture
def planner(db):
    return make_user("planner", department=make_department("計画調整課"), role=Role.PLANNING)


def _report_url(name: str, plan: Plan) -> str:
    return f"{reverse(name)}?{urlencode({'plan': plan.pk, 'year': 2024, 'label': LABEL})}"


def _pdf_text(content: bytes) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1]), text.decode()


def test_the_whole_plans_pdf_job_makes_the_reports_pdf_and_reports_each_page(client, demo, planner, monkeypatch):
    reports = []
    original = services.JobProgress.report

    def spy(self, step, done=0, total=0):
        reports.append((step, done, total))
        original(self, step, done, total)

    monkeypatch.setattr(services.JobProgress, "report", spy)
    client.force_login(planner)
    response = ask_and_download(client, _report_url("report_pdf", demo))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E8%A9%95%E4%BE%A1%E3%82%B7%E3%83%BC%E3%83%88_" in response["Content-Disposition"]
    pages, text = _pdf_text(response.content)
    direct = render_report(report_context(demo, 2024, label=LABEL), "pdf")
    assert (pages, text) == _pdf_text(direct)
    assert "世田谷区地域保健医療福祉総合計画" in text and LABEL in text

    steps = [step for step, _done, _total in reports]
    assert steps[:2] == [JobStep.READING, JobStep.PREPARING] and steps[-1] == JobStep.WRITING
    laid_out = [done for step, done, _total in reports if step == JobStep.LAYING_OUT]
    assert laid_out == list(range(1, pages + 1))
    estimate = reports[1][2]  # the bar's length before the layout, from the sheets' rows and the summary
    assert pages / 2 <= estimate <= pages * 2, (estimate, pages)
    assert reports[-1] == (JobStep.WRITING, pages, pages)
    job = Job.objects.get()
    assert job.state == JobState.DONE and job.parameters == report_parameters(demo, 2024, LABEL, None)


def test_the_report_book_job_makes_the_same_book(client, demo, planner):
    client.force_login(planner)
    response = ask_and_download(client, _report_url("report_xlsx", demo))
    direct = render_report(report_context(demo, 2024, label=LABEL), "xlsx")

    def cells(content):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return {sheet.title: list(sheet.values) for sheet in book}

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert cells(response.content) == cells(direct)


def test_department_staff_ask_for_their_own_items_only(client, demo):
    staff = make_user("staff", department=demo.indicators.first().department)
    client.force_login(staff)
    client.post(_report_url("report_xlsx", demo))
    job = Job.objects.get()
    assert job.parameters["departments"] == [demo.indicators.first().department_id]


def test_asking_twice_while_the_first_waits_opens_the_same_job(client, demo, planner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nothing runs it
    client.force_login(planner)
    first = client.post(_report_url("report_pdf", demo))
    second = client.post(_report_url("report_pdf", demo))
    assert first.url == second.url and Job.objects.get().state == JobState.QUEUED
    assert client.post(_report_url("report_xlsx", demo)).url != first.url


def test_a_job_whose_plan_was_deleted_says_so(demo, planner):
    job = Job.objects.create(
        requested_by=planner,
        kind="report_pdf",
        parameters=report_parameters(demo, 2024, "", None),
        fingerprint="x",
    )
    demo.delete()
    services.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error["ja"] == "このファイルの計画はもう存在しません。"
