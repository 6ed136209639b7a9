"""Accounts in a browser: the idle-session warning (WCAG 2.2.1) and its extension, the end of a
session, the password page, the lockout page, and the sign-ins in the audit trail."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import UserSession
from departments.enums import Role
from tests.builders import make_department, make_user
from tests.e2e.browser import log_in

NEW_PASSWORD = "a-new-long-passphrase-2024"


@pytest.fixture
def alice(transactional_db):
    return make_user("alice", department=make_department("保健福祉政策課"), first_name="アリス")


def _expires(user):
    return UserSession.objects.filter(user=user).latest("expire_date").expire_date


def test_the_idle_warning_takes_the_focus_and_stay_signed_in_extends_the_session(
    page: Page, alice, settings, screenshot, axe_violations
):
    settings.SESSION_COOKIE_AGE = 20  # the warning opens some seconds after the page loads
    settings.MEZASU_SESSION_WARNING_SECONDS = 17
    log_in(page, "alice")
    dialog = page.get_by_role("dialog", name="ログインを続けますか？")

    expect(dialog).to_be_visible(timeout=15_000)

    stay = dialog.get_by_role("button", name="ログインを続ける")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text("操作のない状態が")
    expect(dialog.locator("[data-session-remaining]")).to_have_text(re.compile(r"^0:\d\d$"))
    violations = axe_violations(page)
    assert not violations, violations
    screenshot("warning", full_page=False)
    before = _expires(alice)

    stay.click()

    expect(dialog).to_be_hidden()
    assert _expires(alice) > before
    expires_at = page.locator("body").get_attribute("data-session-expires-at")
    assert expires_at and expires_at.endswith("Z")


def test_when_the_session_ends_the_dialog_says_so_and_leads_to_the_login(page: Page, alice, settings, screenshot):
    settings.SESSION_COOKIE_AGE = 4
    settings.MEZASU_SESSION_WARNING_SECONDS = 2
    log_in(page, "alice")
    page.goto("/account/")
    ended = page.get_by_role("dialog", name="セッションが終了しました")

    expect(ended).to_be_visible(timeout=15_000)

    sign_in_again = ended.get_by_role("link", name="もう一度ログインする")
    expect(sign_in_again).to_be_focused()
    screenshot("ended", full_page=False)
    sign_in_again.click()
    page.wait_for_url(re.compile(r"/login/\?next=/account/"))


def test_a_person_changes_their_password_on_the_account_page(page: Page, alice, screenshot):
    log_in(page, "alice")
    page.get_by_role("link", name="パスワードとログイン状態").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("パスワードとログイン状態")
    page.get_by_label("元のパスワード").fill("pw-for-tests-only")
    page.get_by_label("新しいパスワード", exact=True).fill("short-pw")
    page.get_by_label("新しいパスワード(確認用)").fill("short-pw")
    page.get_by_role("button", name="パスワードを変更する").click()
    expect(page.get_by_role("alert")).to_contain_text("このパスワードは短すぎます。最低 12 文字以上必要です。")
    screenshot("refused")

    page.get_by_label("元のパスワード").fill("pw-for-tests-only")
    page.get_by_label("新しいパスワード", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード(確認用)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを変更する").click()

    expect(page.get_by_role("status")).to_contain_text("パスワードを変更しました。")
    screenshot("changed")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_repeated_wrong_passwords_show_the_lockout_page(page: Page, alice, settings, screenshot, axe_violations):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, "alice", "wrong password", expect_success=False)

    expect(page.get_by_role("heading", level=1)).to_have_text("ログインがロックされています")
    expect(page.get_by_role("alert")).to_contain_text("5 回続けて間違っていた")
    violations = axe_violations(page)
    assert not violations, violations
    screenshot("locked")
    log_in(page, "alice", expect_success=False)  # the right password, during the lockout
    expect(page.get_by_role("heading", level=1)).to_have_text("ログインがロックされています")


def test_the_audit_trail_lists_the_sign_ins(page: Page, alice, screenshot):
    make_user("planner", department=alice.memberships.get().department, role=Role.PLANNING, first_name="計画")
    log_in(page, "alice", "wrong password", expect_success=False)
    log_in(page, "nobody", "guess", expect_success=False)
    log_in(page, "planner")

    page.goto("/audit/?kind=sign_in")

    rows = page.get_by_role("row")
    expect(rows.filter(has_text="ログイン失敗").filter(has_text="nobody")).to_have_count(1)
    expect(rows.filter(has_text="ログイン失敗").filter(has_text="alice")).to_have_count(1)
    expect(rows.filter(has_text="（未ログイン）")).to_have_count(2)
    expect(rows.filter(has_text="計画").filter(has_text="ログイン")).not_to_have_count(0)
    screenshot("trail")
