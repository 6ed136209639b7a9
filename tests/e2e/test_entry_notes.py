"""In a browser: an activity volume of a plan graded by あきる野市's scheme takes a note where its state needs
one (中止, 評価困難). Its note line is hidden until such a state is entered, shows and asks for the note
as the state is chosen (the live preview), and the submission is refused without it. And a year closed
under Setagaya's A–D keeps its legend after the plan switched to 神奈川県's ○/×. At 1366 px and 390 px,
without sideways scrolling; axe on the typed page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from departments.models import Role
from evaluation.domain import scheme_files
from evaluation.domain.enums import IndicatorKind, ResultStatus
from evaluation.models import Result, ResultValue
from evaluation.services.regrading import apply_regrading
from tests.builders import (
    make_closed_year,
    make_department,
    make_graded_result,
    make_indicator,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)
from tests.e2e.browser import log_in

OFFICE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SETAGAYA = "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"
KANAGAWA = "目標に対しての成果。○:100％以上、×:100％未満"


def _no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window: {page.url}"


@pytest.fixture
def akiruno(transactional_db):
    plan = make_plan("あきる野市総合計画", scheme="akiruno")
    department = make_department("生涯学習推進課")
    activity = {"department": department, "kind": IndicatorKind.ACTIVITY, "unit": "回"}
    lectures = make_indicator(plan, code="2-1", label="1", name="市民講座の開催", **activity)
    make_result(lectures, target=None)
    ResultValue.objects.filter(result__indicator=lectures).update(original_plan_value=Decimal(12))
    visits = make_indicator(plan, code="2-2", label="2", name="出前講座", **activity)
    make_result(visits, target=None)
    outcome = make_indicator(plan, department=department, code="2-3", label="1", name="講座の満足度", unit="%")
    make_result(outcome, target=Decimal(80))
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(days=9))
    make_user("gakushu", department=department, first_name="生涯学習推進課")
    return {"department": department, "lectures": lectures, "visits": visits}


def _row(page: Page, indicator):
    return page.locator(f"#result-{indicator.results.get().pk}")


def test_an_activity_cancelled_shows_and_asks_for_its_note(page: Page, akiruno, screenshot, axe_violations):
    page.set_viewport_size(OFFICE)
    log_in(page, "gakushu")
    page.goto(f"/entry/{akiruno['department'].pk}/2024/")

    row = _row(page, akiruno["lectures"])
    note = row.get_by_role("textbox", name=re.compile("理由（注記）"))
    expect(note).to_be_hidden()  # no state that needs a note yet

    row.get_by_role("combobox", name=re.compile("数値に代えて")).select_option(label="中止")
    expect(note).to_be_visible()
    expect(row.get_by_text("実績が「中止」となった理由（注記）を入力してください。")).to_be_visible()
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_text("中止・評価困難のときは必須")).to_be_visible()
    expect(_row(page, akiruno["visits"]).get_by_role("textbox", name=re.compile("理由（注記）"))).to_be_hidden()
    screenshot("cancelled-asked-1366", full_page=False)

    note.fill("会場の改修工事のため、今年度は中止しました。")
    expect(row.locator(".field-error")).to_have_count(0)
    expect(note).not_to_have_attribute("aria-invalid", "true")
    screenshot("cancelled-noted-1366")
    _no_sideways_scrolling(page)
    assert not (violations := axe_violations(page)), violations

    page.set_viewport_size(PHONE)
    page.evaluate("() => window.scrollTo(0, 0)")
    note.evaluate("(element) => element.scrollIntoView({block: 'center'})")
    screenshot("cancelled-noted-390", full_page=False)
    _no_sideways_scrolling(page)

    page.set_viewport_size(OFFICE)
    page.get_by_role("button", name=re.compile("すべて提出")).click()
    expect(page.get_by_role("status").first).to_be_visible()
    result = Result.objects.get(indicator=akiruno["lectures"], fiscal_year=2024)
    assert (result.status, result.reason) == (ResultStatus.SUBMITTED, "会場の改修工事のため、今年度は中止しました。")
    expect(_row(page, akiruno["lectures"])).to_contain_text("会場の改修工事のため")  # the read-only note


def test_submitting_an_activity_cancelled_without_a_note_is_refused_at_the_note(page: Page, akiruno, screenshot):
    page.set_viewport_size(OFFICE)
    log_in(page, "gakushu")
    page.goto(f"/entry/{akiruno['department'].pk}/2024/")
    row = _row(page, akiruno["visits"])
    row.get_by_role("textbox", name=re.compile("出前講座の実績")).fill("評価困難")

    page.get_by_role("button", name=re.compile("すべて提出")).click()

    row = _row(page, akiruno["visits"])
    note = row.get_by_role("textbox", name=re.compile("理由（注記）"))
    expect(note).to_be_visible()
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_text("実績が「評価困難」となった理由（注記）を入力してください。")).to_be_visible()
    result = akiruno["visits"].results.get()
    page.locator(f'a[href="#id_r{result.pk}-reason"]').click()  # the error summary jumps to the note
    expect(note).to_be_focused()
    screenshot("refused-1366", full_page=False)
    assert Result.objects.get(indicator=akiruno["visits"], fiscal_year=2024).status == ResultStatus.DRAFT


@pytest.fixture
def closed_under_setagaya(transactional_db):
    """FY2024 graded and closed under Setagaya's A–D, FY2025 open; then the plan switched to 神奈川県's."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    department = make_department("保健福祉政策課")
    planner = make_user("planning", department=department, role=Role.PLANNING, first_name="花子", last_name="計画")
    for name, actual in (("相談件数", "85"), ("講演会の参加者数", "120")):
        indicator = make_indicator(plan, department=department, name=name)
        make_graded_result(indicator, fiscal_year=2024, target=Decimal(100), actual=Decimal(actual), reason="理由")
        make_result(indicator, fiscal_year=2025, target=Decimal(100))
    make_closed_year(plan, 2024)
    make_open_year(plan, 2025)
    apply_regrading(plan, scheme_files.preset("kanagawa"), user=planner)
    return {"plan": plan, "department": department}


def test_a_closed_year_keeps_its_legend_after_the_plan_switched(page: Page, closed_under_setagaya, screenshot):
    plan, department = closed_under_setagaya["plan"], closed_under_setagaya["department"]
    page.set_viewport_size(OFFICE)
    log_in(page, "planning")

    page.goto(f"/entry/{department.pk}/2024/")
    legend = page.locator("p.legend").first
    expect(legend).to_contain_text(SETAGAYA)
    expect(page.locator(".entry-grade .grade").first).to_have_text("B")
    screenshot("closed-entry-1366")
    _no_sideways_scrolling(page)
    page.set_viewport_size(PHONE)
    legend.scroll_into_view_if_needed()
    screenshot("closed-entry-390", full_page=False)
    _no_sideways_scrolling(page)

    page.set_viewport_size(OFFICE)
    page.goto(f"/?plan={plan.pk}&year=2024")
    expect(page.locator("p.legend").first).to_contain_text(SETAGAYA)
    screenshot("closed-home-1366")
    page.set_viewport_size(PHONE)
    screenshot("closed-home-390")
    _no_sideways_scrolling(page)

    page.goto(f"/?plan={plan.pk}&year=2025")
    expect(page.locator("p.legend").first).to_contain_text(KANAGAWA)
    page.goto(f"/entry/{department.pk}/2025/")
    expect(page.locator("p.legend").first).to_contain_text(KANAGAWA)
