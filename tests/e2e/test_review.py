"""The review in a browser: the planning section filters the queue, returns an item with a comment,
the department reads the comment, corrects and resubmits on its own page (a second browser
context), the planning section approves, and the department can no longer change the item."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.models import PolicyArea, Result
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
def review_year(transactional_db):
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    make_open_year(plan)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    initiative = make_initiative(plan)
    PolicyArea.objects.filter(pillar__plan=plan).update(title="地区で相談を受止め、つながり続ける仕組み")
    staff = make_user("housing", department=housing, first_name="太郎", last_name="居住")
    make_user("planning", department=welfare, role=Role.PLANNING, first_name="花子", last_name="計画")
    target = make_indicator(
        plan,
        department=housing,
        initiative=initiative,
        code="1-1-1-2",
        label="2",
        name="居住支援協議会の相談件数",
        baseline_text="1,200件",
        baseline_as_of="令和5年度見込み",
    )
    result = enter_actual(make_result(target, target=Decimal(1500)), staff, "1300", then_submit=True)
    for number in range(3):  # neighbours in other statuses
        other = make_indicator(plan, department=welfare, initiative=initiative, name=f"見守り訪問の実施回数{number}")
        make_result(other, target=Decimal(100))
    other = make_indicator(plan, department=welfare, initiative=initiative, name="地区の相談窓口の認知度")
    enter_actual(make_result(other, target=Decimal(60)), make_user(department=welfare), "139", then_submit=True)
    return {"result": result, "staff": staff}


def test_planning_section_returns_an_item_and_approves_the_resubmission(
    page: Page, browser, browser_context_args, review_year, screenshot
):
    result = review_year["result"]
    _log_in(page, "planning")

    page.goto("/review/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("令和6年度")
    expect(page.locator("#review-table tbody tr")).to_have_count(5)
    screenshot("queue")

    page.get_by_role("combobox", name=re.compile("^(状態|Status)$")).select_option(label="提出済")
    page.get_by_role("button", name=re.compile("^(絞り込み|Filter)$")).click()
    expect(page.locator("#review-table tbody tr")).to_have_count(2)
    screenshot("queue-submitted")

    page.get_by_role("link", name="居住支援協議会の相談件数").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("居住支援協議会の相談件数")
    expect(page.get_by_text("令和5年度見込み")).to_be_visible()
    screenshot("item-submitted")

    page.get_by_label(re.compile("差戻し|Comment to the department")).fill(
        "実績の内訳（新規・継続）を理由欄に書いてください。"
    )
    page.get_by_role("button", name=re.compile("^(差戻し|Return)$")).click()
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.locator(".plan-meta .status")).to_have_text(re.compile("差戻し"))
    expect(page.locator(".comment__body")).to_have_text("実績の内訳（新規・継続）を理由欄に書いてください。")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.RETURNED

    # The department, in its own browser, reads the comment, corrects and resubmits on its page.
    department_page = browser.new_context(**browser_context_args).new_page()
    _log_in(department_page, "housing")
    department_page.goto("/entry/")
    row = department_page.locator(f"#result-{result.pk}")
    expect(row).to_contain_text("実績の内訳（新規・継続）を理由欄に書いてください。")
    row.get_by_role("textbox", name=re.compile("の実績$")).fill("１，４５０")
    row.get_by_role("textbox", name=re.compile("理由")).fill("新規 820件、継続 630件")
    row.get_by_role("checkbox").first.check()
    department_page.get_by_role("button", name=re.compile("選択した項目を提出")).click()
    expect(department_page.locator(f"#result-{result.pk}")).to_contain_text("提出済")

    page.reload()
    expect(page.locator(".plan-meta .status")).to_have_text(re.compile("提出済"))
    expect(page.locator(".history-table")).to_contain_text("1,300")  # through display.number, as every screen
    page.get_by_role("button", name=re.compile("^(承認|Approve)$")).click()

    expect(page.locator(".plan-meta .status")).to_have_text(re.compile("承認済"))
    expect(page.get_by_role("button", name=re.compile("^(承認|Approve)$"))).to_have_count(0)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.APPROVED
    screenshot("item-approved")
    screenshot("item-approved-viewport", full_page=False)

    # Approved: the department sees it read-only, with what it submitted.
    department_page.reload()
    row = department_page.locator(f"#result-{result.pk}")
    expect(row).to_contain_text("承認済")
    expect(row.get_by_role("textbox")).to_have_count(0)
    approved = Result.objects.get(pk=result.pk)
    assert (approved.values.get().actual_value, approved.reason) == (Decimal("1450"), "新規 820件、継続 630件")
    department_page.context.close()


def test_planning_section_approves_a_selection_from_the_queue(page: Page, review_year, screenshot):
    _log_in(page, "planning")
    page.goto("/review/2024/?status=submitted")

    for checkbox in page.locator('input[name="selected"]').all():
        checkbox.check()
    page.get_by_role("button", name=re.compile("選択した項目を承認|Approve the selected items")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("2件を承認しますか")
    assert Result.objects.filter(status=ResultStatus.APPROVED).count() == 0  # nothing before confirming
    page.get_by_role("button", name="2件を承認する").click()

    expect(page.locator(".message--success")).to_be_visible()
    assert set(Result.objects.values_list("status", flat=True)) == {ResultStatus.APPROVED, ResultStatus.NOT_ENTERED}
    screenshot("queue-after-selection", full_page=False)
