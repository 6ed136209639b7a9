"""What every browser test does: log in through the login form, as a person would."""

import re

from playwright.sync_api import Page

PASSWORD = "pw-for-tests-only"  # tests.builders.make_user's


def log_in(page: Page, username: str, password: str = PASSWORD, *, expect_success: bool = True) -> None:
    """Fill and send the login form; unless a refusal is expected, wait until the browser has left
    the login page, so that what the test does next happens on the page it lands on."""
    page.goto("/login/")
    page.get_by_label(re.compile("ユーザー名|Username")).fill(username)
    page.get_by_label(re.compile("パスワード|Password")).fill(password)
    page.get_by_role("button", name=re.compile("ログイン|Log in")).click()
    if expect_success:
        page.wait_for_url(lambda url: "/login/" not in url)
