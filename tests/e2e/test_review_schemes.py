"""A plan graded by 神奈川県's scheme (○ met, × not met; policy areas 順調 … 遅れている) in a browser: the
planning section filters the review queue by ×, opens an item and reads the label's meaning; the home
page shows the ○ / × columns and each policy area's overall grade. At 1366 px and 390 px, without
scrolling sideways, without an accessibility violation; screenshots for engineers to look at."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.models import PolicyArea
from evaluation.services.results import ActualInput, save_draft
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
from tests.e2e.browser import log_in

PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1366, "height": 768}

# Policy area, indicator name, actual against a target of 100: area 1 met twice of three (概ね順調),
# area 2 met (順調), area 3 met never (遅れている).
OUTCOMES = (
    (1, "地区の相談窓口の認知度", "120"),
    (1, "見守り訪問の実施回数", "100"),
    (1, "支え合い活動の参加者数", "60"),
    (2, "居住支援協議会の相談件数", "130"),
    (3, "どこにもつながっていない不登校児童・生徒の割合", "40"),
    (3, "抱え込んでしまっているケースの件数", "70"),
)
AREA_TITLES = {
    1: "地区で相談を受止め、つながり続ける仕組み",
    2: "住まいの確保と居住の支援",
    3: "子ども・若者の支援",
}


@pytest.fixture
def kanagawa_year(transactional_db):
    plan = make_plan("神奈川県総合計画", scheme="kanagawa")
    make_open_year(plan)
    welfare = make_department("保健福祉政策課")
    make_user("planning", department=welfare, role=Role.PLANNING, first_name="花子", last_name="計画")
    staff = make_user("staff", department=welfare)
    for number, (area, name, actual) in enumerate(OUTCOMES, start=1):
        initiative = make_initiative(plan, policy_area=area)
        indicator = make_indicator(
            plan, department=welfare, initiative=initiative, code=f"1-{area}-{number}", name=name
        )
        reason = "" if Decimal(actual) >= 100 else "目標に届かなかった理由"
        enter_actual(make_result(indicator, target=Decimal(100)), staff, actual, reason=reason, then_submit=True)
    for number, title in AREA_TITLES.items():
        PolicyArea.objects.filter(pillar__plan=plan, number=number).update(title=title)
    return plan


def _no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window: {page.url}"


def test_the_queue_filtered_by_a_kanagawa_label(page: Page, kanagawa_year, screenshot, axe_violations):
    page.set_viewport_size(OFFICE)
    log_in(page, "planning")

    page.goto("/review/")
    rows = page.locator("#review-table tbody tr")
    expect(rows).to_have_count(6)
    counts = page.get_by_role("definition").filter(has_text=re.compile(r"^\d+$"))
    expect(counts.first).to_be_visible()
    grade = page.get_by_role("combobox", name=re.compile("^(評価|Grade)$"))
    options = grade.locator("option").all_inner_texts()
    assert options == ["すべて", "○ 目標達成", "× 目標未達成", "ー（未評価）"] or options[1:3] == [
        "○ 目標達成",
        "× 目標未達成",
    ], options

    grade.select_option(label="× 目標未達成")
    page.get_by_role("button", name=re.compile("^(絞り込み|Filter)$")).click()

    expect(rows).to_have_count(3)
    for cell in rows.locator("td .grade").all():
        expect(cell).to_have_text("×")
        expect(cell).to_have_class(re.compile(r"\bgrade--d\b"))
    expect(page.locator(".count-list .grade--a")).to_have_text("○")
    screenshot("queue-x-1366", full_page=False)
    _no_sideways_scrolling(page)
    assert not (violations := axe_violations(page)), violations

    page.set_viewport_size(PHONE)
    screenshot("queue-x-390")
    _no_sideways_scrolling(page)

    page.set_viewport_size(OFFICE)
    page.get_by_role("link", name="支え合い活動の参加者数").click()
    expect(page.locator("#grade-meaning")).to_have_text("目標未達成")
    screenshot("item-x-1366", full_page=False)
    assert not (violations := axe_violations(page)), violations


def test_the_home_page_shows_the_labels_and_each_policy_areas_overall_grade(
    page: Page, kanagawa_year, screenshot, axe_violations
):
    page.set_viewport_size(OFFICE)
    log_in(page, "planning")

    page.goto("/")

    table = page.locator("#pillar-1").locator("xpath=..").locator("table")
    expect(table.locator("thead .grade")).to_have_text(["○", "×", "ー"])
    overall = table.locator("tbody .overall-grade .grade")
    expect(overall).to_have_text(["概ね順調", "順調", "遅れている"])
    expect(table.locator("tfoot .overall-grade .grade")).to_have_text("やや遅れている")  # 3 of 6 met: half
    screenshot("home-1366")
    _no_sideways_scrolling(page)
    assert not (violations := axe_violations(page)), violations

    page.set_viewport_size(PHONE)
    screenshot("home-390")
    _no_sideways_scrolling(page)
    first_row = table.locator("tbody tr").first
    widths = first_row.locator("td:not(.overall-grade)").evaluate_all(
        "(cells) => cells.map((cell) => cell.getBoundingClientRect().width)"
    )
    assert len(widths) == 5 and min(widths) >= 40, widths  # activity, outcome, ○, ×, ー: side by side
    overall_cell = first_row.locator("td.overall-grade")
    expect(overall_cell).to_contain_text("総合評価")  # its own line, named (the column's heading is hidden)
    assert overall_cell.bounding_box()["width"] >= 0.8 * (PHONE["width"] - 32)


@pytest.fixture
def akiruno_year(transactional_db):
    """あきる野市's scheme: S, A, B, C by the figure; X 未着手 and Y 中止 entered as states."""
    plan = make_plan("あきる野市総合計画", scheme="akiruno")
    make_open_year(plan)
    welfare = make_department("企画政策課")
    make_user("planning", department=welfare, role=Role.PLANNING)
    staff = make_user("staff", department=welfare)
    for number, actual in enumerate(("120", "100", "60", "30", "not_started", "cancelled"), start=1):
        indicator = make_indicator(plan, department=welfare, code=f"2-1-{number}", name=f"事務事業{number}")
        result = make_result(indicator, target=Decimal(100))
        if actual.isdigit():
            enter_actual(result, staff, actual, reason="" if Decimal(actual) >= 100 else "理由", then_submit=True)
        else:
            value = result.values.get()
            reason = "中止の理由" if actual == "cancelled" else ""
            save_draft(result, user=staff, expected_version=1, actuals={value.pk: ActualInput(actual)}, reason=reason)
    return plan


def test_an_akiruno_queue_shows_its_labels_and_states(page: Page, akiruno_year, screenshot, axe_violations):
    page.set_viewport_size(OFFICE)
    log_in(page, "planning")

    page.goto("/review/")

    rows = page.locator("#review-table tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.locator("td .grade")).to_have_text(["S", "A", "B", "C", "X", "Y"])
    expect(rows.locator("td .grade--state")).to_have_text(["X", "Y"])
    expect(page.locator("#review-table")).to_contain_text("100 / 未着手")
    expect(page.locator("#review-table")).to_contain_text("100 / 中止")
    screenshot("akiruno-queue-1366", full_page=False)
    _no_sideways_scrolling(page)
    assert not (violations := axe_violations(page)), violations
