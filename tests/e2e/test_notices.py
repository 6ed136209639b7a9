"""Notices in a browser: the planning section returns a selection of the queue through its
confirmation (going back once keeps the selection and the comment), the department is mailed and sees
the returned item waiting on its home page, and reading the item's page leaves its comment read."""

import re
from decimal import Decimal

import pytest
from django.core import mail
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
from tests.e2e.browser import log_in

COMMENT = "実績の内訳（新規・継続）を\n理由欄に書いてください。"


@pytest.fixture
def submitted_year(transactional_db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEZASU_BASE_URL = "https://mezasu.city.example.lg.jp/"
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    make_open_year(plan)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    initiative = make_initiative(plan)
    PolicyArea.objects.filter(pillar__plan=plan).update(title="地区で相談を受止め、つながり続ける仕組み")
    staff = make_user("housing", department=housing, first_name="太郎", last_name="居住", email="housing@example.jp")
    make_user("planning", department=welfare, role=Role.PLANNING, first_name="花子", last_name="計画")
    names = ("居住支援協議会の相談件数", "住まいの相談窓口の認知度", "居住支援法人の数")
    results = []
    for number, name in enumerate(names, start=1):
        indicator = make_indicator(plan, department=housing, initiative=initiative, code=f"1-1-1-{number}", name=name)
        results.append(enter_actual(make_result(indicator, target=Decimal(100)), staff, "90", then_submit=True))
    mail.outbox.clear()
    return {"results": results, "staff": staff}


def test_planning_returns_a_selection_through_the_confirmation_and_the_department_sees_it_waiting(
    page: Page, submitted_year, screenshot
):
    first, second, third = submitted_year["results"]
    log_in(page, "planning")
    page.goto("/review/2024/?status=submitted")
    expect(page.locator("#review-table tbody tr")).to_have_count(3)

    page.get_by_role("checkbox", name=re.compile(first.indicator.code)).check()
    page.get_by_role("checkbox", name=re.compile(second.indicator.code)).check()
    page.locator("summary", has_text="選択した項目を差戻し").click()
    page.get_by_label(re.compile("所管課へのコメント")).fill(COMMENT)
    page.get_by_role("button", name="選択した項目を差戻し", exact=True).click()

    # The confirmation: what will happen, to how many items and people; nothing has changed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("2件を所管課に差し戻しますか？")
    expect(page.locator(".confirm-panel__what")).to_contain_text("1課の2件")
    expect(page.locator(".confirm-panel")).to_contain_text("これらの課の1人にメールでお知らせします。")
    expect(page.locator(".confirm-panel__comment")).to_have_text(COMMENT)
    assert set(Result.objects.values_list("status", flat=True)) == {ResultStatus.SUBMITTED}
    assert mail.outbox == []
    screenshot("confirm-return")

    # Back to the queue: the two items are still ticked and the comment is still written.
    page.get_by_role("button", name=re.compile("一覧に戻る")).click()
    expect(page.get_by_role("status").first).to_contain_text("何も変更していません")
    expect(page.get_by_role("checkbox", name=re.compile(first.indicator.code))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile(second.indicator.code))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile(third.indicator.code))).not_to_be_checked()
    expect(page.get_by_label(re.compile("所管課へのコメント"))).to_have_value(COMMENT)
    screenshot("queue-kept", full_page=False)

    page.get_by_role("button", name="選択した項目を差戻し", exact=True).click()
    page.get_by_role("button", name="2件を差し戻す").click()
    expect(page.locator(".message--success")).to_contain_text("差し戻しました")
    statuses = dict(Result.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == ("returned", "returned", "submitted")
    [message] = mail.outbox
    assert message.to == ["housing@example.jp"] and "差戻し 2件" in message.subject
    assert f"https://mezasu.city.example.lg.jp/review/results/{first.pk}/" in message.body

    # The department logs in: the count in the header, the items waiting on its home page.
    page.get_by_role("button", name="ログアウト").click()
    log_in(page, "housing")
    expect(page.locator(".nav-count")).to_have_text(re.compile("^2"))
    waiting = page.get_by_role("region", name="あなたの対応待ち")
    expect(waiting.get_by_role("heading", name="差し戻された項目：2件")).to_be_visible()
    expect(waiting.get_by_role("link", name=re.compile(first.indicator.name))).to_be_visible()
    expect(waiting.get_by_text("未読のコメントあり")).to_have_count(2)
    expect(waiting).to_contain_text("実績の内訳（新規・継続）を")
    screenshot("department-home")

    # Reading the first item's comment: still returned, no longer unread.
    waiting.get_by_role("link", name=re.compile(first.indicator.name)).click()
    expect(page.locator(".comment__body")).to_contain_text("理由欄に書いてください。")
    page.goto("/")
    expect(page.get_by_role("region", name="あなたの対応待ち").get_by_text("未読のコメントあり")).to_have_count(1)
    screenshot("department-home-after-reading", full_page=False)
