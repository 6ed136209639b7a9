"""The department entry page in a browser: live grading, a refused submission, save and submit,
another department kept out, keyboard-only entry. Screenshots at 1366×768 for engineers to look at."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import IndicatorKind, ResultStatus
from evaluation.models import Initiative, PolicyArea, Result, Vision
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


@pytest.fixture
def entry_plan(transactional_db):
    """One department with an outcome (target 100), a lower-is-better outcome, an activity and a
    compound outcome; a second department with one outcome; FY2024 open with a deadline."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    initiative = make_initiative(plan)
    PolicyArea.objects.update(title="地区で相談を受止め、つながり続ける仕組み")
    Vision.objects.update(heading="重層的支援体制整備事業―包括的相談支援事業―", plan_pages="40～44")
    Initiative.objects.update(title="福祉の相談窓口（包括的相談支援事業）")
    outcome = make_indicator(
        plan,
        department=welfare,
        initiative=initiative,
        code="1-1-1-2",
        label="1",
        name="専門職等における福祉の相談窓口の認知度",
        unit="%",
        baseline_text="62.0%",
        baseline_as_of="令和５年度見込み",
    )
    make_result(outcome, target=Decimal(100))
    activity = make_indicator(
        plan,
        department=welfare,
        initiative=initiative,
        kind=IndicatorKind.ACTIVITY,
        code="1-1-1-1",
        label="1",
        name="福祉の相談窓口における相談件数",
        baseline_text="1,830件",
    )
    make_result(activity, target=None)
    compound = make_indicator(
        plan,
        department=welfare,
        initiative=initiative,
        code="1-1-1-3",
        label="2",
        name="避難行動要支援者の個別避難計画の作成数",
        sub_items=("a", "b"),
        footnote="※2",
    )
    make_result(compound, target=Decimal(60), actual=Decimal(139))
    other = make_indicator(plan, department=housing, initiative=initiative, code="1-1-1-9", name="居住支援の件数")
    make_result(other, target=Decimal(10))
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(days=9))
    make_user("welfare", department=welfare, first_name="保健福祉政策課")
    make_user("housing", department=housing, first_name="居住支援課")
    make_user("planning", department=welfare, role=Role.PLANNING, first_name="計画", last_name="担当")
    return {"plan": plan, "welfare": welfare, "housing": housing, "outcome": outcome, "other": other}


def _row(page: Page, result: Result):
    return page.locator(f"#result-{result.pk}")


def test_department_enters_a_c_is_stopped_without_reason_then_saves_and_submits(page: Page, entry_plan, screenshot):
    result = entry_plan["outcome"].results.get()
    _log_in(page, "welfare")
    page.goto("/entry/")
    expect(page).to_have_url(re.compile(rf"/entry/{entry_plan['welfare'].pk}/2024/$"))
    expect(page.get_by_text("令和6年度（2024年度）").first).to_be_visible()
    screenshot("department-page")

    row = _row(page, result)
    actual = row.get_by_role("textbox", name=re.compile("^Actual of .*専門職等における|専門職等における.*の実績$"))
    actual.fill("５０％")
    expect(row.locator(f"#r{result.pk}-achievement")).to_contain_text("50.0%")
    expect(row.locator(f"#r{result.pk}-grade")).to_have_text("C")
    reason = row.get_by_role("textbox", name=re.compile("理由|Reason"))
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(row.locator(".field-error")).to_be_visible()

    row.get_by_role("checkbox", name=re.compile("専門職等における福祉の相談窓口の認知度")).first.check()
    page.get_by_role("button", name=re.compile("選択した項目を提出|Submit the selected items")).click()

    summary = page.get_by_role("alert").filter(has_text="1-1-1-2")
    expect(summary).to_be_visible()
    expect(
        _row(page, result).get_by_role(
            "textbox", name=re.compile("^Actual of .*専門職等における|専門職等における.*の実績$")
        )
    ).to_have_value("50")
    screenshot("error-state")
    result.refresh_from_db()
    assert result.status == ResultStatus.DRAFT  # saved first, then its submission was refused

    _row(page, result).get_by_role("textbox", name=re.compile("理由|Reason")).fill("周知の機会が少なかったため。")
    page.get_by_role("button", name=re.compile("一時保存|Save draft")).click()
    expect(page.get_by_role("status").first).to_be_visible()
    _row(page, result).get_by_role("checkbox", name=re.compile("専門職等における")).first.check()
    page.get_by_role("button", name=re.compile("選択した項目を提出|Submit the selected items")).click()

    row = _row(page, result)
    expect(row.get_by_text(re.compile("提出済|Submitted"))).to_be_visible()
    expect(row.get_by_role("textbox")).to_have_count(0)
    expect(row).to_contain_text("周知の機会が少なかったため。")
    screenshot("submitted-state")
    result.refresh_from_db()
    assert (result.status, result.grade) == (ResultStatus.SUBMITTED, "C")


def test_another_departments_user_gets_404_for_the_page_and_the_preview(page: Page, entry_plan):
    result = entry_plan["outcome"].results.get()
    _log_in(page, "housing")

    response = page.goto(f"/entry/{entry_plan['welfare'].pk}/2024/")
    assert response.status == 404
    preview = page.request.post(
        f"/entry/results/{result.pk}/preview/",
        form={f"r{result.pk}-version": "1"},
        headers={"X-CSRFToken": page.context.cookies()[0]["value"] if page.context.cookies() else ""},
    )
    assert preview.status in (403, 404)
    page.goto("/entry/")
    expect(page).to_have_url(re.compile(rf"/entry/{entry_plan['housing'].pk}/2024/$"))


def test_keyboard_only_entry_of_one_row(page: Page, entry_plan, screenshot):
    result = entry_plan["outcome"].results.get()
    _log_in(page, "welfare")
    page.goto(f"/entry/{entry_plan['welfare'].pk}/2024/")
    select = _row(page, result).get_by_role("checkbox").first
    select.focus()  # the row's first stop; from there on only the keyboard

    page.keyboard.press("Tab")
    actual = _row(page, result).get_by_role("textbox").first
    expect(actual).to_be_focused()
    page.keyboard.type("120")
    page.keyboard.press("Tab")
    expect(_row(page, result).locator(f"#r{result.pk}-grade")).to_have_text("A")
    screenshot("keyboard-focus", full_page=False)

    save = page.get_by_role("button", name=re.compile("一時保存|Save draft"))
    while not save.evaluate("element => element === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_be_visible()
    result.refresh_from_db()
    assert (result.status, result.grade) == (ResultStatus.DRAFT, "A")
