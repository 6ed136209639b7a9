"""The report in a browser: the planning section opens it from the navigation, sets the document
label, downloads the PDF and prints the page; department staff see their own items until the year is
closed. The PDF is made by a background job: its page shows the progress bar, then the file (the worker
runs the queue here on PostgreSQL; on SQLite the job ran when asked). Pages captured at 1366 wide; both
PDFs read back with pdftotext."""

import re
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from jobs.enums import JobState, JobStep
from jobs.models import Job
from tests.builders import (
    make_department,
    make_graded_result,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_user,
)
from tests.e2e.browser import log_in
from tests.jobs.worker import run_queued_jobs


@pytest.fixture
def report_plan(transactional_db):
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    for number, (department, name, actual) in enumerate(
        [(welfare, "相談窓口の認知度", Decimal(70)), (housing, "居住支援の件数", Decimal(120))], start=1
    ):
        indicator = make_indicator(
            plan, initiative=make_initiative(plan, number=number), department=department, name=name, label="1"
        )
        result = make_graded_result(indicator, actual=actual)
        if result.grade == "C":
            result.reason = "周知の機会が少なかったため。"
            result.save()
    make_open_year(plan)
    make_user("planning", department=welfare, role=Role.PLANNING)
    make_user("housing", department=housing)
    return plan


def _text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return re.sub(
        r"\s+", "", subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True).stdout
    )


def test_the_planning_section_labels_downloads_and_prints_the_report(
    page: Page, report_plan, screenshot, tmp_path, axe_violations
):
    log_in(page, "planning")
    page.get_by_role("link", name="評価シート").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("評価シート")
    page.get_by_label("資料番号").fill("資料１－３")
    page.get_by_role("button", name="表示").click()
    expect(page.locator(".rpt-furniture__label")).to_have_text("資料１－３")
    expect(page.locator(".rpt-table").first).to_contain_text("相談窓口の認知度")
    expect(page.locator(".rpt-table").last).to_contain_text("居住支援の件数")
    expect(page.get_by_role("img", name=re.compile("評価の分布"))).to_have_count(2)
    expect(page.get_by_role("button", name="印刷")).to_be_visible()
    screenshot("report")

    page.get_by_role("button", name="PDF をダウンロード").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("評価シート（PDF）")
    expect(page.get_by_role("progressbar", name="進捗")).to_be_visible()
    screenshot("report-pdf-job-asked")
    run_queued_jobs()  # the worker (db_worker) on PostgreSQL; nothing on SQLite, where it ran when asked
    link = page.get_by_role("link", name=re.compile("ダウンロード 評価シート_令和６年度.pdf"))
    expect(link).to_be_visible(timeout=15_000)  # the page polls the job every two seconds
    expect(page.get_by_role("progressbar", name="進捗")).to_have_attribute("value", "100")
    expect(page.locator(".job-status")).to_contain_text("完了")
    violations = axe_violations(page)
    assert not violations, violations
    screenshot("report-pdf-job-done")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "評価シート_令和６年度.pdf"
    text = _text_of(download.value.path().read_bytes(), tmp_path)
    assert "資料１－３" in text and "相談窓口の認知度" in text and "周知の機会が少なかったため。" in text
    assert re.search(r"1/\d+", text) and "暫定（" in text

    page.get_by_role("link", name="評価シートに戻る").click()
    expect(page.locator(".rpt-furniture__label")).to_have_text("資料１－３")
    page.emulate_media(media="print")
    printed = _text_of(page.pdf(prefer_css_page_size=True), tmp_path)
    assert "相談窓口の認知度" in printed and "居住支援の件数" in printed
    assert "PDFをダウンロード" not in printed  # the page's tools do not print


def test_department_staff_see_their_own_items_until_the_year_is_closed(page: Page, report_plan, screenshot):
    log_in(page, "housing")
    page.get_by_role("link", name="評価シート").click()
    expect(page.get_by_text("自課の項目のみを表示しています")).to_be_visible()
    expect(page.locator(".rpt")).to_contain_text("居住支援の件数")
    expect(page.locator(".rpt")).not_to_contain_text("相談窓口の認知度")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("report-phone")


def test_a_running_jobs_page_shows_how_far_it_got(page: Page, report_plan, screenshot, axe_violations):
    """What the page shows while the worker lays out the pages (the worker's progress, written here)."""
    planner = Job._meta.get_field("requested_by").related_model.objects.get(username="planning")
    job = Job.objects.create(
        requested_by=planner,
        kind="report_pdf",
        parameters={"plan": report_plan.pk, "year": 2024, "label": "資料１－３", "departments": None},
        fingerprint="running",
        state=JobState.RUNNING,
        step=JobStep.LAYING_OUT,
        progress_done=37,
        progress_total=526,
    )
    log_in(page, "planning")
    page.goto(f"/jobs/{job.pk}/")
    bar = page.get_by_role("progressbar", name="進捗")
    expect(bar).to_have_attribute("value", "7")
    expect(page.locator(".job-status")).to_contain_text("ページを組んでいます（37 / 526）")
    Job.objects.filter(pk=job.pk).update(progress_done=263)  # the worker goes on; the page follows
    expect(bar).to_have_attribute("value", "50", timeout=10_000)
    violations = axe_violations(page)
    assert not violations, violations
    screenshot("report-pdf-job-running")
