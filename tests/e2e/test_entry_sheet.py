"""The entry sheet round trip in a browser: download, fill in with openpyxl, upload, preview, confirm."""

import re
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from evaluation.domain.enums import ActualState, Direction, ResultStatus
from evaluation.models import EntryUpload, Result
from evaluation.workbook.entry_sheet import ENTRY_SHEET_COLUMNS as COLUMNS
from tests.builders import (
    make_department,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)
from tests.e2e.browser import log_in as _log_in
from tests.evaluation.workbook.hostile_files import zip_bomb_xlsx


@pytest.fixture
def welfare_plan(transactional_db):
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    make_open_year(plan)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    initiative = make_initiative(plan)
    names = ["専門職等における福祉の相談窓口の認知度", "福祉の相談窓口における相談件数", "地域ケア会議の運用状況"]
    count = make_indicator(plan, department=welfare, initiative=initiative, name=names[1], code="1-1-1")
    make_result(count, target=Decimal(2000))
    rate = make_indicator(plan, department=welfare, initiative=initiative, name=names[0], unit="%", code="1-1-2")
    make_result(rate, target=Decimal(50))
    qualitative = make_indicator(
        plan, department=welfare, initiative=initiative, name=names[2], direction=Direction.QUALITATIVE, unit=""
    )
    make_result(qualitative, target="課題整理")
    make_result(make_indicator(plan, department=housing, initiative=initiative, code="2-1-1"))
    make_user("fukushi", department=welfare, first_name="花子", last_name="田中")
    return plan, welfare, count, rate, qualitative


def _fill(path, codes):
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    column = {name: index + 1 for index, name in enumerate(COLUMNS)}
    rows = {sheet.cell(row, column["指標ID"]).value: row for row in range(2, sheet.max_row + 1)}
    assert set(rows) == set(codes)
    count, rate, qualitative = codes
    sheet.cell(rows[count], column["実績"]).value = "１，８１６"
    sheet.cell(rows[rate], column["集計中"]).value = "集計中"
    sheet.cell(rows[qualitative], column["実績"]).value = "一部運用"
    sheet.cell(rows[qualitative], column["評価"]).value = "C"
    sheet.cell(rows[qualitative], column["評価理由"]).value = "関係機関との調整に時間を要したため"
    book.save(path)


def test_department_downloads_fills_uploads_previews_and_confirms_the_sheet(
    page: Page, welfare_plan, screenshot, tmp_path
):
    plan, welfare, count, rate, qualitative = welfare_plan
    _log_in(page, "fukushi")
    page.goto(f"/entry/{welfare.pk}/2024/upload/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("upload-page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"\.xlsx")).click()
    download = download_info.value
    assert download.suggested_filename == "入力シート_保健福祉政策課_令和6年度.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    _fill(path, [count.code, rate.code, qualitative.code])

    page.get_by_label(re.compile("記入済み|Filled-in entry sheet")).set_input_files(str(path))
    page.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()

    changes = page.get_by_role("table", name=re.compile("変更|changes"))
    expect(changes.get_by_role("row", name=re.compile(count.code))).to_contain_text("1,816件")
    expect(changes.get_by_role("row", name=re.compile(count.code))).to_contain_text("90.8%")
    expect(changes.get_by_role("row", name=re.compile(rate.code))).to_contain_text("集計中")
    expect(changes.get_by_role("row", name=re.compile(qualitative.code))).to_contain_text("関係機関との調整")
    screenshot("preview")
    screenshot("preview-viewport", full_page=False)

    page.get_by_role("button", name=re.compile("保存|Save")).click()

    expect(page.get_by_role("status").first).to_contain_text(re.compile("3"))
    screenshot("after-confirm")
    saved = Result.objects.get(indicator=count, fiscal_year=2024)
    assert (saved.status, saved.grade) == (ResultStatus.DRAFT, "B")
    assert saved.values.get().actual_value == Decimal(1816)
    assert Result.objects.get(indicator=rate).values.get().actual_state == ActualState.TALLYING


def test_a_sheet_with_a_bad_number_shows_the_problem_and_no_save_button(page: Page, welfare_plan, screenshot, tmp_path):
    plan, welfare, count, rate, qualitative = welfare_plan
    _log_in(page, "fukushi")
    page.goto(f"/entry/{welfare.pk}/2024/upload/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"\.xlsx")).click()
    path = tmp_path / "sheet.xlsx"
    download_info.value.save_as(path)
    _fill(path, [count.code, rate.code, qualitative.code])
    book = openpyxl.load_workbook(path)
    book.worksheets[0].cell(2, COLUMNS.index("実績") + 1).value = "多数"
    book.save(path)

    page.get_by_label(re.compile("記入済み|Filled-in entry sheet")).set_input_files(str(path))
    page.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()

    problems = page.get_by_role("table", name=re.compile("問題|Problems"))
    expect(problems.get_by_role("row").nth(1)).to_contain_text("「多数」")
    expect(page.get_by_role("button", name=re.compile("保存|Save"))).to_have_count(0)
    screenshot("preview-with-errors")
    assert Result.objects.get(indicator=count).status == ResultStatus.NOT_ENTERED


def test_a_zip_bomb_is_refused_on_the_upload_page_with_what_is_wrong(page: Page, welfare_plan, screenshot, tmp_path):
    plan, welfare, count, rate, qualitative = welfare_plan
    path = tmp_path / "入力シート.xlsx"
    path.write_bytes(zip_bomb_xlsx(list(COLUMNS)))  # 300 KB that would inflate to 200 MB
    _log_in(page, "fukushi")
    page.goto(f"/entry/{welfare.pk}/2024/upload/")

    page.get_by_label(re.compile("記入済み|Filled-in entry sheet")).set_input_files(str(path))
    page.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()

    expect(page.get_by_role("alert")).to_contain_text("xl/worksheets/sheet1.xml は展開すると 8.0 MB を超えます")
    expect(page.get_by_label(re.compile("記入済み|Filled-in entry sheet"))).to_have_attribute("aria-invalid", "true")
    screenshot("upload-refused-zip-bomb")
    assert not EntryUpload.objects.exists()
    assert Result.objects.get(indicator=count).status == ResultStatus.NOT_ENTERED
