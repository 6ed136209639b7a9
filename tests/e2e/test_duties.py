"""The department head's check and the separation of duties in a browser.

With the plan's 所属長確認 on, a department submits on its page, its head finds the item on the
department's page and confirms it on the item page, and the planning section approves it. A member of
the planning section who also enters for their own department is told on the item page why they may
not approve what they submitted (once their head has confirmed it), and a colleague approves it.
Screenshots at 1366×768, and axe on the new pages."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import PolicyArea, Result
from evaluation.services.results import review
from tests.builders import (
    add_membership,
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

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture
def head_check_plan():
    """居住支援課 with its staff and its head, the planning section, and a plan asking for the head's check."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画", requires_head_check=True)
    make_open_year(plan)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    initiative = make_initiative(plan)
    PolicyArea.objects.filter(pillar__plan=plan).update(title="地区で相談を受止め、つながり続ける仕組み")
    make_user("housing", department=housing, first_name="太郎", last_name="居住")
    make_user("housing-head", department=housing, role=Role.HEAD, first_name="課長", last_name="居住支援")
    make_user("planning", department=welfare, role=Role.PLANNING, first_name="花子", last_name="計画")
    indicator = make_indicator(
        plan,
        department=housing,
        initiative=initiative,
        code="1-1-1-2",
        label="2",
        name="居住支援協議会の相談件数",
        baseline_text="1,200件",
        baseline_as_of="令和5年度見込み",
    )
    return {"result": make_result(indicator, target=Decimal(1500)), "welfare": welfare}


def _as(page: Page, username: str) -> None:
    """The next person at the browser: a fresh session, logged in through the form."""
    page.context.clear_cookies()
    log_in(page, username)


def test_a_department_submits_its_head_confirms_and_the_planning_section_approves(
    page: Page, head_check_plan, screenshot, axe_violations
):
    result = head_check_plan["result"]

    # The staff submit on their department's page: the item goes to their head, not to the planning section.
    _as(page, "housing")
    page.goto("/entry/")
    row = page.locator(f"#result-{result.pk}")
    row.get_by_role("textbox", name=re.compile("の実績$")).fill("１，５２０")
    row.get_by_role("checkbox").first.check()
    page.get_by_role("button", name=re.compile("選択した項目を提出")).click()
    expect(page.locator(f"#result-{result.pk}")).to_contain_text("所属長確認待ち")
    screenshot("1-staff-submitted")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.AWAITING_HEAD

    # The planning section sees it waiting for the head, with nothing to decide yet.
    _as(page, "planning")
    page.goto(f"/review/results/{result.pk}/")
    expect(page.locator(".plan-meta .status")).to_have_text("所属長確認待ち")
    expect(page.get_by_role("button", name="承認")).to_have_count(0)

    # The head lands on the department's page, where the item awaits the check, and confirms it.
    _as(page, "housing-head")
    page.goto("/entry/")
    panel = page.locator("#head-check")
    expect(panel).to_contain_text("1件の項目があなたの確認を待っています")
    screenshot("2-head-department-page")
    violations = axe_violations(page)
    assert not violations, violations
    panel.get_by_role("link", name=re.compile("居住支援協議会の相談件数")).click()
    expect(page.get_by_role("heading", level=2, name="所属長確認")).to_be_visible()
    expect(page.get_by_role("button", name="承認")).to_have_count(0)
    screenshot("3-head-item-page")
    violations = axe_violations(page)
    assert not violations, violations
    page.get_by_role("button", name="確認して計画所管へ送る").click()
    expect(page.get_by_role("status").first).to_contain_text("確認し、計画所管へ送りました")
    expect(page.locator(".plan-meta .status")).to_have_text("提出済")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED

    # The planning section approves it; the history shows the three steps and who took them.
    _as(page, "planning")
    page.goto(f"/review/results/{result.pk}/")
    expect(page.locator(".plan-meta")).to_contain_text("太郎 居住")  # submitted by
    page.get_by_role("button", name="承認").click()
    expect(page.locator(".plan-meta .status")).to_have_text("承認済")
    history = page.locator(".history-table tbody tr")
    for who, status in (("太郎 居住", "所属長確認待ち"), ("課長 居住支援", "提出済"), ("花子 計画", "承認済")):
        expect(history.filter(has_text=who).filter(has_text=status).first).to_be_visible()
    screenshot("4-planning-approved")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.APPROVED


def test_a_planner_who_entered_their_own_departments_item_is_told_why_a_colleague_approves_it(
    page: Page, head_check_plan, screenshot, axe_violations
):
    welfare, plan = head_check_plan["welfare"], head_check_plan["result"].indicator.plan
    planner = get_user_model().objects.get(username="planning")
    add_membership(planner, welfare, Role.ENTRY)
    make_user("planning2", department=welfare, role=Role.PLANNING, first_name="次郎", last_name="計画")
    make_user("welfare-head", department=welfare, role=Role.HEAD)
    own = make_indicator(plan, department=welfare, initiative=make_initiative(plan), name="地区の相談窓口の認知度")
    result = enter_actual(make_result(own, target=Decimal(60)), planner, "62", then_submit=True)
    result = review(
        result,
        Action.CONFIRM,
        user=get_user_model().objects.get(username="welfare-head"),
        expected_version=result.version,
    )

    _as(page, "planning")
    page.goto("/review/2024/")
    expect(page.locator(f"#result-{result.pk}")).to_contain_text("本人")
    expect(page.locator(f"#select-{result.pk}")).to_have_count(0)
    screenshot("queue")
    violations = axe_violations(page)
    assert not violations, violations
    page.get_by_role("link", name="地区の相談窓口の認知度").click()
    expect(page.locator("#not-yours")).to_contain_text("この項目はあなたが提出したため、承認・差戻しはできません")
    expect(page.get_by_role("button", name="承認")).to_have_count(0)
    screenshot("own-submission")
    violations = axe_violations(page)
    assert not violations, violations

    _as(page, "planning2")
    page.goto(f"/review/results/{result.pk}/")
    page.get_by_role("button", name="承認").click()
    expect(page.locator(".plan-meta .status")).to_have_text("承認済")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.APPROVED
