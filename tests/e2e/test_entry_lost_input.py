"""Nothing typed on the entry page is lost, in a browser:

- the session ends while values are typed; the save goes to the login page; after logging in the
  user lands on the entry page (never a 405) with the values put back and a notice, and saves them;
- two colleagues in two browsers: A saves row Y from a page opened before B saved row X, and types
  into row Z that B submitted in the meantime: no conflict on X, B's X stays, and Z's typed value is
  reported with why and kept in sight."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import UserSession as Session  # the session engine's table (accounts.sessions)
from evaluation.domain.enums import ResultStatus
from evaluation.models import Result
from tests.builders import make_department, make_indicator, make_initiative, make_open_year, make_plan, make_user
from tests.builders import make_result as _make_result
from tests.e2e.browser import PASSWORD
from tests.e2e.browser import log_in as _log_in


@pytest.fixture
def rows(transactional_db):
    """One department with three outcomes X, Y, Z (target 100), FY2024 open, and two of its staff."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    welfare = make_department("保健福祉政策課")
    initiative = make_initiative(plan)
    results = {}
    for code, name in (("1-1", "指標X 相談窓口の認知度"), ("1-2", "指標Y 相談件数の割合"), ("1-3", "指標Z 支援の割合")):
        indicator = make_indicator(plan, department=welfare, initiative=initiative, code=code, name=name, unit="%")
        results[name[2]] = _make_result(indicator, target=Decimal(100))
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(days=9))
    make_user("tanaka", department=welfare, first_name="太郎", last_name="田中")
    make_user("suzuki", department=welfare, first_name="花子", last_name="鈴木")
    return {"department": welfare, **results}


def _url(rows) -> str:
    return f"/entry/{rows['department'].pk}/2024/"


def _actual(page: Page, result: Result):
    return page.locator(f"#result-{result.pk}").get_by_role("textbox").first


def _reason(page: Page, result: Result):
    return page.locator(f"#result-{result.pk}").get_by_role("textbox", name=re.compile("理由"))


def _save(page: Page) -> None:
    page.get_by_role("button", name=re.compile("一時保存")).click()


def _stored(result: Result):
    result.refresh_from_db()
    return result.values.get().actual_value


def test_values_typed_when_the_session_ended_are_put_back_after_the_login_and_saved(page: Page, rows, screenshot):
    statuses = []
    page.on("response", lambda response: statuses.append((response.status, response.url)))
    _log_in(page, "tanaka")
    page.goto(_url(rows))
    _actual(page, rows["X"]).fill("１２０")
    _reason(page, rows["Y"]).fill("調査の回答が少なかったため。")
    _actual(page, rows["Y"]).fill("50")

    Session.objects.all().delete()  # the session ends while the values are typed
    _save(page)

    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label(re.compile("ユーザー名")).fill("tanaka")
    page.get_by_label(re.compile("パスワード")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("ログイン")).click()

    expect(page).to_have_url(re.compile(rf"{_url(rows)}$"))
    notice = page.locator("#restored-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("入力した値を元に戻しました")
    expect(notice).to_contain_text("1-1 指標X")
    expect(notice).to_contain_text("1-2 指標Y")
    expect(_actual(page, rows["X"])).to_have_value("１２０")
    expect(_actual(page, rows["Y"])).to_have_value("50")
    expect(_reason(page, rows["Y"])).to_have_value("調査の回答が少なかったため。")
    expect(page.locator(f"#r{rows['Y'].pk}-grade")).to_have_text("C")  # the server graded what was put back
    screenshot("restored-after-login")
    assert not [status for status in statuses if status[0] >= 400], statuses
    assert _stored(rows["X"]) is None  # nothing was saved behind the user's back

    _save(page)

    expect(page.get_by_role("status").filter(has_text="2件を保存しました")).to_be_visible()
    expect(page.locator("#restored-notice")).to_be_hidden()  # the save was handled: nothing to put back
    assert (_stored(rows["X"]), _stored(rows["Y"])) == (Decimal(120), Decimal(50))
    page.reload()
    expect(page.locator("#restored-notice")).to_be_hidden()


def test_two_colleagues_at_once_no_conflict_on_an_untouched_row_and_nothing_dropped(page: Page, new_context, rows):
    _log_in(page, "tanaka")
    page.goto(_url(rows))  # A's page, opened before B's changes
    colleague = new_context().new_page()
    _log_in(colleague, "suzuki")
    colleague.goto(_url(rows))
    _actual(colleague, rows["X"]).fill("77")
    _save(colleague)
    expect(colleague.get_by_role("status").filter(has_text="1件を保存しました")).to_be_visible()
    _actual(colleague, rows["Z"]).fill("100")
    colleague.locator(f"#result-{rows['Z'].pk}").get_by_role("checkbox").first.check()
    colleague.get_by_role("button", name=re.compile("選択した項目を提出")).click()
    expect(colleague.get_by_role("status").filter(has_text="1件を提出しました")).to_be_visible()

    _actual(page, rows["Y"]).fill("90")
    _actual(page, rows["Z"]).fill("95")
    _save(page)

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1-3 指標Z")
    expect(summary).not_to_contain_text("1-1 指標X")
    expect(page.locator(".conflict").filter(has_text="1-1")).to_have_count(0)
    not_taken = page.locator(f"#result-{rows['Z'].pk} .not-taken")
    expect(not_taken).to_contain_text("鈴木")
    expect(not_taken).to_contain_text("提出済")
    expect(not_taken).to_contain_text("95")
    expect(page.get_by_role("status").filter(has_text="1件を保存しました")).to_be_visible()
    assert (_stored(rows["X"]), _stored(rows["Y"]), _stored(rows["Z"])) == (Decimal(77), Decimal(90), Decimal(100))
    assert rows["Z"].status == ResultStatus.SUBMITTED
