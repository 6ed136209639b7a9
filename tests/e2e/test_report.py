"""The report in a browser: the planning section opens it from the navigation, sets the document
label, downloads the PDF and prints the page; department staff see their own items until the year is
closed. Pages captured at 1366 wide; both PDFs read back with pdftotext."""

import re
import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
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


def test_the_planning_section_labels_downloads_and_prints_the_report(page: Page, report_plan, screenshot, tmp_path):
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

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF をダウンロード").click()
    assert download.value.suggested_filename == "評価シート_令和６年度.pdf"
    text = _text_of(download.value.path().read_bytes(), tmp_path)
    assert "資料１－３" in text and "相談窓口の認知度" in text and "周知の機会が少なかったため。" in text
    assert re.search(r"1/\d+", text) and "暫定（" in text

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
