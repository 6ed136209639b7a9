"""The progress board in a browser: the planning section sees the late department, sends reminders
with the button and reads the confirmation; the years page and the board are captured at 1366×768."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from departments.enums import Role
from departments.models import Department
from evaluation.domain.enums import ResultStatus
from evaluation.models import EvaluationYear
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

S = ResultStatus


@pytest.fixture
def late_plan(transactional_db, settings):
    """FY2024 is open, its deadline two days ago; 居住支援課 is late, 地域行政課 has submitted everything."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    departments = {
        "居住支援課": (S.NOT_ENTERED, S.NOT_ENTERED, S.DRAFT, S.RETURNED, S.APPROVED),
        "地域行政課": (S.SUBMITTED, S.SUBMITTED, S.APPROVED),
        "生活福祉課": (S.APPROVED, S.APPROVED, S.APPROVED, S.SUBMITTED),
        "障害保健福祉課": (S.DRAFT, S.SUBMITTED, S.APPROVED, S.APPROVED, S.APPROVED, S.APPROVED),
    }
    initiative = make_initiative(plan)
    for name, statuses in departments.items():
        department = make_department(name)
        for status in statuses:
            make_result(make_indicator(plan, department=department, initiative=initiative), status=status)
        make_user(f"staff-{len(name)}-{department.pk}", department=department, email=f"d{department.pk}@example.jp")
    make_open_year(plan, deadline=timezone.localdate() - datetime.timedelta(days=2))
    make_open_year(plan, 2025, deadline=timezone.localdate())
    EvaluationYear.objects.filter(fiscal_year=2025).update(status="closed", close_reason="テスト用に締切")
    make_user("planning", department=make_department("保健福祉政策課"), role=Role.PLANNING, last_name="計画担当")
    return plan


def test_planning_section_sees_the_late_department_and_sends_reminders(page: Page, late_plan, screenshot):
    _log_in(page, "planning")

    page.goto("/years/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("評価年度")
    expect(page.get_by_role("row", name=re.compile("令和6年度"))).to_be_visible()
    screenshot("years")

    page.goto("/progress/")
    expect(page).to_have_url(re.compile(r"/progress/2024/\?plan=\d+$"))
    late_row = page.get_by_role("row", name=re.compile("居住支援課"))
    expect(late_row).to_have_class(re.compile("is-late"))
    expect(late_row.get_by_text("期限超過")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("地域行政課"))).not_to_have_class(re.compile("is-late"))
    expect(late_row.get_by_role("cell")).to_contain_text(["2", "1", "0", "1", "1", "5"])
    screenshot("board")
    screenshot("board-viewport", full_page=False)

    page.get_by_role("button", name=re.compile("すべての所管課にリマインド")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2人にリマインドを送信しますか？")
    expect(page.locator(".confirm-panel__what")).to_contain_text("2課の2人")
    assert mail.outbox == []
    screenshot("remind-confirm", full_page=False)
    page.get_by_role("button", name="2人にリマインドを送信する").click()

    expect(page.get_by_role("status")).to_contain_text("2人にリマインドを送信しました")
    open_departments = Department.objects.filter(name__in=["居住支援課", "障害保健福祉課"])
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"d{d.pk}@example.jp" for d in open_departments)
    screenshot("board-after-reminders", full_page=False)
