"""The home page in a browser: log in through the form, read the counts, switch to English."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import Grade, IndicatorKind
from evaluation.models import Pillar, PolicyArea
from tests.builders import make_department, make_indicator, make_initiative, make_plan, make_result, make_user
from tests.e2e.browser import log_in as _log_in


@pytest.fixture
def demo_like_plan(transactional_db):
    """Two pillars with real titles, a few graded outcomes, and the planning section's account."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    titles = {
        (1, 1): "地区で相談を受止め、つながり続ける仕組み",
        (1, 2): "地域生活を支える保健、医療、福祉の連携",
        (2, 1): "地域づくり",
    }
    letters = [Grade.A, Grade.B, Grade.C, Grade.D, ""]
    for index, ((pillar, area), title) in enumerate(titles.items()):
        initiative = make_initiative(plan, pillar=pillar, policy_area=area)
        PolicyArea.objects.filter(pillar__plan=plan, pillar__number=pillar, number=area).update(title=title)
        for offset in range(3):
            outcome = make_indicator(plan, department=welfare if offset else housing, initiative=initiative)
            make_result(outcome, actual=Decimal(90), grade=letters[(index + offset) % len(letters)])
        activity = make_indicator(plan, department=welfare, kind=IndicatorKind.ACTIVITY, initiative=initiative)
        make_result(activity, target=None, actual=Decimal(3))
    Pillar.objects.filter(plan=plan, number=1).update(title="世田谷版地域包括ケアシステムを強化する")
    Pillar.objects.filter(plan=plan, number=2).update(title="地域包括ケアシステムを支える基盤をつくる")
    make_user("planning", department=welfare, role=Role.PLANNING, first_name="計画", last_name="担当")
    return plan


def test_planning_logs_in_and_sees_the_home_page_table(page: Page, demo_like_plan, screenshot):
    page.goto("/login/")
    screenshot_login = screenshot("login")

    _log_in(page, "planning")

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_like_plan.name)
    expect(page.get_by_text("令和6年度（2024年度）").first).to_be_visible()
    first_pillar = page.get_by_role("region", name=re.compile("世田谷版地域包括ケアシステムを強化する"))
    row = first_pillar.get_by_role("row", name=re.compile("地区で相談を受止め"))
    expect(row.get_by_role("cell")).to_have_text(["1", "3", "1", "1", "1", "0", "0"])
    expect(page.get_by_text("保健福祉政策課").first).to_be_visible()
    assert screenshot_login.exists()
    assert screenshot("home-ja").exists()
    assert screenshot("home-ja-viewport", full_page=False).exists()


def test_language_switch_keeps_the_page_and_turns_it_english(page: Page, demo_like_plan, screenshot):
    _log_in(page, "planning")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name=re.compile("Overview"))).to_be_visible()
    assert screenshot("home-en").exists()


def test_skip_link_is_the_first_stop_of_the_keyboard_and_is_visible(page: Page, demo_like_plan, screenshot):
    _log_in(page, "planning")
    # The login button's click returns before the home page has replaced the login page: a Tab pressed
    # then lands on the login form and the home page opens with nothing focused. Wait for the home page.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_like_plan.name)

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name=re.compile("Skip to main content|メインコンテンツへ"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert screenshot("skip-link-focused", full_page=False).exists()
