"""The grading scheme in a browser, at 1366 and 390 px: the planning section downloads its plan's scheme
(大阪府立図書館's) and reads it back, changes B's threshold on the figures form (typed in full-width
digits), sees the item it would regrade and the new ※1, and applies it; a contradictory figure is
shown at its field. In the admin, the plan's page leads to the same preview of another preset."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain import scheme_files
from evaluation.models import Plan, Result
from tests.builders import make_department, make_graded_result, make_indicator, make_open_year, make_plan, make_user
from tests.e2e.browser import log_in

PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1366, "height": 768}


@pytest.fixture
def library(transactional_db):
    plan = make_plan("図書館サービス計画", scheme="osaka-library")
    department = make_department("中央図書館")
    make_open_year(plan, 2024)
    make_graded_result(
        make_indicator(plan, department=department, name="来館者の満足度"), fiscal_year=2024, actual=Decimal(85)
    )
    make_user("planning", department=department, role=Role.PLANNING)
    make_user("root", is_staff=True, is_superuser=True)
    return plan


def _no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window: {page.url}"


def test_the_planning_section_downloads_the_scheme_and_changes_a_figure(
    page: Page, library, screenshot, axe_violations
):
    page.set_viewport_size(OFFICE)
    log_in(page, "planning")
    page.goto(f"/years/grading/?plan={library.pk}")
    expect(page.get_by_role("heading", name="この評価基準の数値の変更")).to_be_visible()
    expect(page.get_by_text("rules[2].value: 80％～110％未満")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="この評価基準をダウンロード（TOML）").click()
    assert download.value.suggested_filename == "osaka-library.toml"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert scheme_files.loads(text, "toml") == library.scheme

    field = page.get_by_label("B：境界値（％）")
    expect(field).to_have_value("80")
    field.fill("１２０")
    page.get_by_role("button", name="この数値でプレビュー").click()
    expect(page.get_by_text("この規則が当てはまることはありません。前の規則 1 が")).to_be_visible()
    expect(page.get_by_label("B：境界値（％）")).to_have_value("１２０")  # what was typed, kept
    expect(page.get_by_label("B：境界値（％）")).to_have_attribute("aria-invalid", "true")
    assert not axe_violations(page)
    screenshot("refused-1366")

    page.get_by_label("B：境界値（％）").fill("９０")
    page.get_by_label("Bの意味", exact=True).fill("90％以上110％未満")
    page.get_by_role("button", name="この数値でプレビュー").click()
    expect(page.get_by_text("B：境界値（％）: 80 → 90")).to_be_visible()
    expect(page.get_by_role("row", name="B 90％以上110％未満")).to_be_visible()  # the new scheme's table
    expect(page.get_by_text("B:90％～110％未満")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("来館者の満足度"))
    expect(row).to_contain_text("85.0%")
    expect(row).to_contain_text("C")
    assert Result.objects.get(indicator__plan=library).grade == "B"  # nothing changed yet
    assert not axe_violations(page)
    _no_sideways_scrolling(page)
    screenshot("preview-1366")
    page.set_viewport_size(PHONE)
    _no_sideways_scrolling(page)
    screenshot("preview-390")

    page.get_by_role("button", name=re.compile("評価ルールを反映して 1 件を再評価する")).click()
    expect(page.get_by_role("status")).to_contain_text("1 件を再評価しました")
    assert Result.objects.get(indicator__plan=library).grade == "C"
    scheme = Plan.objects.get(pk=library.pk).scheme
    assert scheme.rules[1].value == Decimal(90) and scheme.label("B").meaning == "90％以上110％未満"


def test_the_figures_form_fits_a_phone(page: Page, library, screenshot):
    page.set_viewport_size(PHONE)
    log_in(page, "planning")
    page.goto(f"/years/grading/?plan={library.pk}")
    expect(page.get_by_label("D：境界値（％）")).to_be_visible()
    _no_sideways_scrolling(page)
    screenshot("page-390")
    page.set_viewport_size(OFFICE)
    screenshot("page-1366")


def test_the_admin_previews_another_preset_from_the_plans_page(page: Page, library, screenshot):
    page.set_viewport_size(OFFICE)
    log_in(page, "root")
    page.goto(f"/admin/evaluation/plan/{library.pk}/change/")
    page.get_by_role("link", name="評価基準：プレビューと変更").click()
    expect(page.get_by_role("heading", name=re.compile("現在の評価基準"))).to_be_visible()
    page.get_by_label("プリセット").select_option("kanagawa")
    page.get_by_role("button", name="この評価基準でプレビュー").click()
    expect(page.get_by_text("○:100％以上、×:100％未満")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("来館者の満足度"))).to_contain_text("×")
    screenshot("admin-preview-1366")
    page.set_viewport_size(PHONE)
    _no_sideways_scrolling(page)
    screenshot("admin-preview-390")
    page.get_by_role("button", name=re.compile("評価ルールを反映して 1 件を再評価する")).click()
    expect(page.get_by_text("1 件を再評価しました")).to_be_visible()
    assert Plan.objects.get(pk=library.pk).scheme == scheme_files.preset("kanagawa")
