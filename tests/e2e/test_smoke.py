"""Proves the browser set-up: Playwright on Debian's Chromium reaches the live server."""

from playwright.sync_api import Page, expect


def test_login_page_answers_with_a_password_field(page: Page, screenshot):
    response = page.goto("/login/")

    assert response is not None and response.ok, response and response.status
    expect(page.locator("input[type=password]")).to_have_count(1)
    assert screenshot("login").exists()
