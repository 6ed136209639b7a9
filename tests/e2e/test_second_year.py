"""The plan's second year in a browser, from opening to closing: the planning section closes FY2024
after its confirmation, checks and opens FY2025 with last year's targets carried; the department
enters FY2025 on a page that says where its target came from and submits it; the planning section
approves it and closes FY2025, whose report is then final and whose entry page is read-only; then
FY2024 is reopened with a reason. Screenshots at 1366 wide."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.models import EvaluationYear, Result
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user
from tests.e2e.browser import log_in


@pytest.fixture
def first_year(transactional_db):
    plan = make_plan("世田谷区地域保健医療福祉総合計画", first_fiscal_year=2024, last_fiscal_year=2027)
    welfare = make_department("保健福祉政策課")
    indicator = make_indicator(plan, department=welfare, name="相談窓口の認知度", unit="件")
    make_result(indicator, target=Decimal(100), actual=Decimal(90), status=ResultStatus.APPROVED)
    make_open_year(plan)
    make_user("planning", department=make_department("計画課"), role=Role.PLANNING)
    make_user("staff", department=welfare)
    return {"plan": plan, "welfare": welfare}


def test_the_second_year_from_closing_the_first_to_entering_the_second(page: Page, new_context, first_year, screenshot):
    log_in(page, "planning")
    page.goto("/years/")
    page.get_by_role("button", name="年度を締め切る").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("令和6年度（2024年度）を締めますか")
    screenshot("close-confirmation")
    page.get_by_role("button", name=re.compile("令和6年度（2024年度）を締める")).click()
    expect(page.get_by_text("閲覧のみ")).to_be_visible()
    assert EvaluationYear.objects.get(fiscal_year=2024).status == YearStatus.CLOSED

    page.get_by_label("年度", exact=True).select_option("2025")
    page.get_by_role("button", name="確認して年度を開始").click()
    expect(page.get_by_text("引継ぎ可")).to_be_visible()
    screenshot("opening-preview")
    page.get_by_role("button", name=re.compile("令和7年度（2025年度）を開始")).click()
    expect(page.get_by_text(re.compile("計画値・目標を 1 件引き継ぎました"))).to_be_visible()

    staff = new_context().new_page()
    log_in(staff, "staff")
    staff.goto(f"/entry/{first_year['welfare'].pk}/2025/")
    expect(staff.get_by_text(re.compile("令和6年度（2024年度）から引継ぎ"))).to_be_visible()
    staff.get_by_role("textbox", name=re.compile("実績")).fill("120")
    staff.get_by_role("button", name="一時保存").click()
    expect(staff.get_by_role("status")).to_contain_text("1件を保存しました")
    assert Result.objects.get(fiscal_year=2025).grade == "A"
    folder = screenshot("second-year-planning").parent  # the fixture shoots `page`; the staff page beside it
    staff.screenshot(path=str(folder / "second-year-entry-staff.png"), full_page=True)
    staff.get_by_role("button", name="すべて提出").click()
    expect(staff.get_by_role("status")).to_contain_text("提出")
    fy2025 = Result.objects.get(fiscal_year=2025)
    assert fy2025.status == ResultStatus.SUBMITTED

    # The planning section approves FY2025's item and closes the year after its confirmation.
    page.goto(f"/review/results/{fy2025.pk}/")
    page.get_by_role("button", name="承認").click()
    expect(page.locator(".plan-meta .status")).to_have_text("承認済")
    page.goto("/years/")
    page.get_by_role("button", name="年度を締め切る").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("令和7年度（2025年度）を締めますか")
    page.get_by_role("button", name=re.compile("令和7年度（2025年度）を締める")).click()
    expect(page.get_by_text("閲覧のみ").first).to_be_visible()
    assert EvaluationYear.objects.get(fiscal_year=2025).status == YearStatus.CLOSED
    screenshot("second-year-closed")

    # FY2025's report is final (no 暫定) and shows the year's figures; its entry page is read-only.
    page.goto(f"/report/?plan={first_year['plan'].pk}&year=2025")
    expect(page.locator(".rpt-furniture__provisional")).to_have_count(0)
    expect(page.locator(".rpt-table").first).to_contain_text("120")
    screenshot("second-year-report")
    staff.goto(f"/entry/{first_year['welfare'].pk}/2025/")
    expect(staff.get_by_role("textbox", name=re.compile("実績"))).to_have_count(0)
    expect(staff.get_by_role("button", name="一時保存")).to_have_count(0)
    staff.screenshot(path=str(folder / "second-year-entry-closed.png"), full_page=True)

    page.goto("/years/")
    reopen_2024 = page.get_by_role("region", name="令和6年度（2024年度）：再開")
    reopen_2024.get_by_label("再開の理由").fill("確定値の反映のため")
    reopen_2024.get_by_role("button", name="年度を再開").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("再開しますか")
    page.get_by_role("button", name=re.compile("令和6年度（2024年度）を再開")).click()
    expect(page.get_by_text("確定値の反映のため")).to_be_visible()
    assert EvaluationYear.objects.get(fiscal_year=2024).status == YearStatus.OPEN
