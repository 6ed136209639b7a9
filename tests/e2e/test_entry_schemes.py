"""The department entry page of a plan graded by あきる野市's scheme, in a browser: typing 「中止」 grades
the row Y and asks for the note, choosing a state from the list does the same, a qualitative outcome
is judged S; the page passes axe. Screenshots at 1366×768."""

import datetime
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import UserSession  # the session engine's table (accounts.sessions)
from evaluation.domain.enums import Direction, ResultStatus
from evaluation.models import Result
from evaluation.workbook.entry_sheet.layout import ENTRY_SHEET_COLUMNS
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user
from tests.e2e.browser import PASSWORD, log_in

COLUMNS = ENTRY_SHEET_COLUMNS  # the sheet the test fills, as the app writes it


@pytest.fixture
def akiruno(transactional_db):
    plan = make_plan("あきる野市総合計画", scheme="akiruno")
    department = make_department("企画政策課")
    count = make_indicator(plan, department=department, code="1-1", label="1", name="市民相談の件数", unit="件")
    make_result(count, target=Decimal(100))
    rate = make_indicator(plan, department=department, code="1-2", label="2", name="講座の参加率", unit="%")
    make_result(rate, target=Decimal(50))
    judged = make_indicator(
        plan, department=department, code="1-3", label="3", name="地域計画の策定", direction=Direction.QUALITATIVE
    )
    make_result(judged, target="計画策定")
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(days=9))
    make_user("kikaku", department=department, first_name="企画政策課")
    return {"department": department, "count": count, "rate": rate, "judged": judged}


def _row(page: Page, indicator) -> object:
    return page.locator(f"#result-{indicator.results.get().pk}")


def test_chushi_grades_y_and_asks_for_the_note_and_s_is_judged(page: Page, akiruno, screenshot, axe_violations):
    log_in(page, "kikaku")
    page.goto(f"/entry/{akiruno['department'].pk}/2024/")
    expect(page.get_by_text("F:完了、S:100％超").first).to_be_visible()  # the scheme's legend

    count = akiruno["count"].results.get()
    row = _row(page, akiruno["count"])
    row.get_by_role("textbox", name="市民相談の件数の実績").fill("中止")
    expect(row.locator(f"#r{count.pk}-grade")).to_have_text("Y")
    reason = row.get_by_role("textbox", name=re.compile("理由"))
    expect(row.get_by_text("実績が「中止」となった理由（注記）を入力してください。")).to_be_visible()
    expect(reason).to_have_attribute("aria-invalid", "true")

    rate = akiruno["rate"].results.get()
    row = _row(page, akiruno["rate"])
    row.get_by_role("combobox", name=re.compile("数値に代えて")).select_option(label="未着手")
    expect(row.locator(f"#r{rate.pk}-grade")).to_have_text("X")
    expect(row.locator(".field-error")).to_have_count(0)  # 未着手 needs no note

    row = _row(page, akiruno["judged"])
    row.get_by_role("textbox", name="地域計画の策定の実績").fill("策定済み")
    grade = row.get_by_role("combobox", name=re.compile("評価"))
    expect(grade.locator("option")).to_have_text(["ー", "S", "A", "B", "C"])
    grade.select_option("S")
    screenshot("typed")

    violations = axe_violations(page)
    assert not violations, violations

    _row(page, akiruno["count"]).get_by_role("textbox", name=re.compile("理由")).fill("事業を廃止したため。")
    page.get_by_role("button", name=re.compile("すべて提出")).click()
    expect(page.get_by_role("status").first).to_be_visible()
    screenshot("submitted")

    results = {result.indicator_id: result for result in Result.objects.filter(fiscal_year=2024)}
    graded = [(results[akiruno[key].pk].grade, results[akiruno[key].pk].status) for key in ("count", "rate", "judged")]
    assert graded == [("Y", ResultStatus.SUBMITTED), ("X", ResultStatus.SUBMITTED), ("S", ResultStatus.SUBMITTED)]
    expect(_row(page, akiruno["count"])).to_contain_text("中止")


def test_the_entry_sheet_of_the_plan_takes_its_state_words(page: Page, akiruno, screenshot, tmp_path):
    log_in(page, "kikaku")
    page.goto(f"/entry/{akiruno['department'].pk}/2024/upload/")
    expect(page.get_by_text("B・C・中止・評価困難のときは「評価理由」")).to_be_visible()
    screenshot("upload-page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"\.xlsx")).click()
    path = tmp_path / "sheet.xlsx"
    download_info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = {name: index + 1 for index, name in enumerate(COLUMNS)}
    rows = {sheet.cell(row, column["指標ID"]).value: row for row in range(2, sheet.max_row + 1)}
    sheet.cell(rows["1-1"], column["実績"]).value = "中止"
    sheet.cell(rows["1-2"], column["集計中"]).value = "評価困難"
    sheet.cell(rows["1-2"], column["評価理由"]).value = "調査が実施されなかったため"
    sheet.cell(rows["1-3"], column["評価"]).value = "Ａ"
    book.save(path)

    page.get_by_label(re.compile("記入済み")).set_input_files(str(path))
    page.get_by_role("button", name=re.compile("アップロード")).click()

    changes = page.get_by_role("table", name=re.compile("変更"))
    expect(changes.get_by_role("row", name=re.compile("1-1"))).to_contain_text("中止")
    expect(changes.get_by_role("row", name=re.compile("1-1"))).to_contain_text("「中止」となった理由（注記）")
    expect(changes.get_by_role("row", name=re.compile("1-2"))).to_contain_text("評価困難")
    screenshot("preview")


def test_a_state_chosen_when_the_session_ended_is_put_back_by_its_name(page: Page, akiruno):
    log_in(page, "kikaku")
    page.goto(f"/entry/{akiruno['department'].pk}/2024/")
    count = akiruno["count"].results.get()
    row = _row(page, akiruno["count"])
    row.get_by_role("combobox", name=re.compile("数値に代えて")).select_option(label="中止")
    row.get_by_role("textbox", name=re.compile("理由")).fill("事業を廃止したため。")

    UserSession.objects.all().delete()  # the session ends while the values are typed
    page.get_by_role("button", name=re.compile("一時保存")).click()
    page.get_by_label(re.compile("ユーザー名")).fill("kikaku")
    page.get_by_label(re.compile("パスワード")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("ログイン")).click()

    notice = page.locator("#restored-notice")
    expect(notice).to_contain_text("中止")  # the state's name, not its code
    expect(notice).not_to_contain_text("cancelled")
    row = _row(page, akiruno["count"])
    expect(row.get_by_role("combobox", name=re.compile("数値に代えて"))).to_have_value("cancelled")
    expect(row.locator(f"#r{count.pk}-grade")).to_have_text("Y")  # the server graded what was put back
