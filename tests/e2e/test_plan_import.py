"""The plan workbook's import in the admin, in a browser: the upload opens the preview job's page (its
progress bar, refreshed by htmx), which leads by itself to the preview once the job is done; the
confirmation opens the import job's page, which leads to what was imported and a link to the plan.

The jobs wait for a worker here (settings.TASKS: the dummy backend) and the test runs each as the worker
does (jobs.services.run), so that the progress page is seen on SQLite too, where the jobs otherwise run
in the request that asks. Pages captured at 1366 wide."""

import pytest
from playwright.sync_api import Page, expect

from evaluation.models import Indicator, Plan
from jobs import services
from jobs.enums import JobState, JobStep
from jobs.models import Job
from tests.builders import make_user
from tests.e2e.browser import log_in
from tests.evaluation.workbook.plan_files import DEMO_XLSX

PREVIEW_ROWS = 136


@pytest.fixture
def administrator(transactional_db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return make_user("admin", is_staff=True, is_superuser=True)


def _the_job(kind: str) -> Job:
    return Job.objects.get(kind=kind, state=JobState.QUEUED)


def test_the_admin_imports_a_workbook_through_the_preview_and_import_jobs(
    page: Page, administrator, screenshot, axe_violations
):
    log_in(page, "admin")
    page.goto("/admin/evaluation/plan/")
    page.get_by_role("link", name="取込み", exact=True).click()
    page.locator('input[type="file"]').set_input_files(str(DEMO_XLSX))
    page.locator("#id_format").select_option(label="xlsx")
    page.locator('input[type="submit"]').click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("計画ワークブック：ファイルの確認")
    expect(page.get_by_role("progressbar", name="進捗")).to_be_visible()
    job = _the_job("plan_import_preview")
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, step=JobStep.CHECKING, progress_done=40, progress_total=PREVIEW_ROWS
    )  # a worker at work: the page's next poll shows it
    expect(page.locator(".job-status")).to_contain_text("行を確認しています（40 / 136）", timeout=10_000)
    violations = axe_violations(page)
    assert not violations, violations
    screenshot("preview-job-running")
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED)
    services.run(job.pk)  # what the worker does; the page's poll then leads to the preview

    expect(page.locator("table.import-preview")).to_be_visible(timeout=10_000)
    assert page.url.endswith(f"/admin/evaluation/plan/import/{job.pk}/")
    expect(page.locator("table.import-preview tr.new")).to_have_count(PREVIEW_ROWS)
    assert not Plan.objects.exists()
    screenshot("preview")

    page.locator('input[name="confirm"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("計画ワークブック：ファイルの取込み")
    screenshot("import-job-waiting")
    services.run(_the_job("plan_import").pk)

    expect(page.locator(".import-summary")).to_contain_text(
        "「setagaya-r6.xlsx」を取り込みました：新規 136 行、変更 0 行、変更なし 0 行。", timeout=10_000
    )
    assert Indicator.objects.count() == 134
    screenshot("imported")
    page.get_by_role("link", name="計画「世田谷区地域保健医療福祉総合計画」に戻る").click()
    expect(page.locator("#id_name")).to_have_value("世田谷区地域保健医療福祉総合計画")
