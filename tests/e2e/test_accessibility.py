"""axe-core (vendored, tests/e2e/vendor/axe-core/) finds no WCAG 2.0 A or AA violation on the pages of the
yearly evaluation (JIS X 8341-3:2016 AA), in the states that show the most: errors shown, a returned item
with its comment, an upload preview with a bad row.

One browser context per role, each logged in once through the login form; every page is checked and all
violations are reported together at the end, page by page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import Direction, IndicatorKind
from evaluation.models import Initiative, PolicyArea, Vision
from evaluation.services.results import review
from evaluation.workbook.entry_sheet import ENTRY_SHEET_COLUMNS as COLUMNS
from evaluation.workbook.entry_sheet import build_entry_sheet
from tests.builders import (
    enter_actual,
    make_department,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)
from tests.e2e.browser import log_in as _log_in


@pytest.fixture
def evaluation_year(transactional_db):
    """FY2024 open with a deadline. 保健福祉政策課 has a C without a reason (draft), an item returned with a
    comment, a submitted and an approved item, a D with its reason, and an activity, a compound and a
    qualitative outcome not entered; 居住支援課 has a submitted item."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    initiative = make_initiative(plan)
    PolicyArea.objects.update(title="地区で相談を受止め、つながり続ける仕組み")
    Vision.objects.update(heading="重層的支援体制整備事業―包括的相談支援事業―", plan_pages="40～44")
    Initiative.objects.update(title="福祉の相談窓口（包括的相談支援事業）")
    staff = make_user("welfare", department=welfare, first_name="保健福祉政策課", email="welfare@example.jp")
    housing_staff = make_user("housing", department=housing, first_name="居住支援課")
    planning = make_user("planning", department=welfare, role=Role.PLANNING, first_name="花子", last_name="計画")
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(days=9))

    def outcome(code, name, **fields):
        return make_indicator(plan, department=welfare, initiative=initiative, code=code, name=name, **fields)

    missing_reason = make_result(outcome("1-1-1-2", "専門職等における福祉の相談窓口の認知度", unit="%", label="1"))
    enter_actual(missing_reason, staff, "50")  # C, no reason: the reason's message shows on the page
    returned = make_result(outcome("1-1-1-3", "地域ケア会議の開催回数", baseline_text="12回"), target=Decimal(20))
    returned = enter_actual(returned, staff, "18", then_submit=True)
    comment = "内訳を理由欄に書いてください。"
    review(returned, "return", user=planning, expected_version=returned.version, comment=comment)
    approved = enter_actual(make_result(outcome("1-1-1-4", "見守り訪問の実施回数")), staff, "120", then_submit=True)
    review(approved, "approve", user=planning, expected_version=approved.version)
    enter_actual(make_result(outcome("1-1-1-5", "認知症カフェの参加者数")), staff, "95", then_submit=True)
    not_held = make_result(outcome("1-1-1-8", "地区の相談会の開催回数"))
    enter_actual(not_held, staff, "0", reason="会場の改修で開催できなかった。")
    activity = make_indicator(
        plan, department=welfare, initiative=initiative, kind=IndicatorKind.ACTIVITY, code="1-1-1-1",
        name="福祉の相談窓口における相談件数", baseline_text="1,830件",
    )  # fmt: skip
    make_result(activity, target=None)
    compound = outcome("1-1-1-6", "避難行動要支援者の個別避難計画の作成数", sub_items=("a", "b"), footnote="※2")
    make_result(compound, target=Decimal(60))
    qualitative = outcome("1-1-1-7", "地域ケア会議の運用状況", direction=Direction.QUALITATIVE, unit="")
    make_result(qualitative, target="課題整理")
    other = make_indicator(plan, department=housing, initiative=initiative, code="2-1-1", name="居住支援の件数")
    submitted = enter_actual(make_result(other, target=Decimal(10)), housing_staff, "12", then_submit=True)
    return {"plan": plan, "welfare": welfare, "returned": returned, "submitted": submitted}


def _filled_sheet(path, department, plan, *, bad_row: bool):
    path.write_bytes(build_entry_sheet(department, plan, 2024))
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = {name: index + 1 for index, name in enumerate(COLUMNS)}
    rows = {sheet.cell(row, column["指標ID"]).value: row for row in range(2, sheet.max_row + 1)}
    sheet.cell(rows["1-1-1-1"], column["実績"]).value = "１，８１６"
    sheet.cell(rows["1-1-1-2"], column["評価理由"]).value = "周知の機会が少なかったため。"
    sheet.cell(rows["1-1-1-7"], column["実績"]).value = "一部運用"
    sheet.cell(rows["1-1-1-7"], column["評価"]).value = "C"
    if bad_row:
        sheet.cell(rows["1-1-1-3"], column["実績"]).value = "多数"
    book.save(path)
    return path


def test_pages_have_no_wcag2_a_or_aa_violation(new_context, evaluation_year, axe_violations, tmp_path):
    plan, welfare = evaluation_year["plan"], evaluation_year["welfare"]
    found = {}

    def check(page: Page, name: str):
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        violations = axe_violations(page)
        if violations:
            found[name] = violations

    department = new_context().new_page()
    department.goto("/login/")
    check(department, "login")
    _log_in(department, "welfare", "wrong password", expect_success=False)
    expect(department.get_by_role("alert")).to_be_visible()
    check(department, "login with an error")
    _log_in(department, "welfare")
    expect(department).not_to_have_url(re.compile("/login/"))
    check(department, "home (department)")

    department.goto("/entry/")
    expect(department).to_have_url(re.compile(rf"/entry/{welfare.pk}/2024/$"))
    expect(department.locator(".return-comment")).to_be_visible()
    expect(department.locator(".field-error").first).to_be_visible()
    check(department, "entry page with a returned item and a missing reason")
    department.get_by_role("button", name=re.compile("すべて提出|Submit all")).click()
    expect(department.locator("#error-summary")).to_be_focused()
    check(department, "entry page after a refused submission")

    department.goto(f"/entry/{welfare.pk}/2024/upload/")
    check(department, "entry sheet upload")
    department.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()
    expect(department.locator(".sheet-error")).to_be_visible()
    check(department, "entry sheet upload without a file")
    upload_field = department.get_by_label(re.compile("記入済み|Filled-in entry sheet"))
    upload_field.set_input_files(str(_filled_sheet(tmp_path / "good.xlsx", welfare, plan, bad_row=False)))
    department.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()
    expect(department.get_by_role("table", name=re.compile("変更|changes"))).to_be_visible()
    check(department, "entry sheet preview")
    department.goto(f"/entry/{welfare.pk}/2024/upload/")
    upload_field.set_input_files(str(_filled_sheet(tmp_path / "bad.xlsx", welfare, plan, bad_row=True)))
    department.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()
    expect(department.get_by_role("table", name=re.compile("問題|Problems"))).to_be_visible()
    check(department, "entry sheet preview with a bad row")

    planning = new_context().new_page()
    _log_in(planning, "planning")
    expect(planning).not_to_have_url(re.compile("/login/"))
    check(planning, "home (planning)")
    planning.goto("/entry/")
    check(planning, "entry: department list")
    planning.goto(f"/entry/{welfare.pk}/2024/")
    check(planning, "entry page read-only (planning)")
    planning.goto("/review/")
    check(planning, "review queue")
    planning.goto(f"/review/results/{evaluation_year['submitted'].pk}/")
    check(planning, "review item (submitted)")
    planning.goto(f"/review/results/{evaluation_year['returned'].pk}/")
    check(planning, "review item (returned, with its comment)")
    planning.goto("/review/2024/?status=submitted")
    for checkbox in planning.locator('input[name="selected"]').all():
        checkbox.check()
    planning.locator("summary", has_text=re.compile("選択した項目を差戻し|Return the selected items")).click()
    planning.get_by_label(re.compile("所管課へのコメント|Comment to the departments")).fill("根拠を追記してください。")
    planning.get_by_role("button", name=re.compile("^(選択した項目を差戻し|Return the selected items)$")).click()
    check(planning, "confirm returning a selection")
    planning.get_by_role("button", name=re.compile("一覧に戻る|Back to the queue")).click()
    check(planning, "review queue with a kept selection")
    planning.goto("/progress/")
    check(planning, "progress board")
    remind_everyone = re.compile("すべての所管課にリマインド|Send reminders to every department")
    planning.get_by_role("button", name=remind_everyone).click()
    check(planning, "confirm reminding every department")
    planning.goto("/years/")
    check(planning, "years")
    planning.goto("/report/?label=資料１－３")
    check(planning, "report")
    planning.goto("/audit/")
    check(planning, "audit trail")
    planning.goto("/audit/?date_from=2024-13-45")
    expect(planning.locator(".field-error")).to_be_visible()
    check(planning, "audit trail with an error")
    planning.goto(f"/review/results/{evaluation_year['returned'].pk}/revise/")
    check(planning, "revise")
    planning.get_by_role("button", name=re.compile("修正を記録|Record the revision")).click()
    expect(planning.locator(".field-error").first).to_be_visible()
    check(planning, "revise with errors")

    assert not found, "\n\n".join(f"== {name}\n{violations}" for name, violations in found.items())
