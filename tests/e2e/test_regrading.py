"""The grading rule page in a browser: the planning section opens it from the years page, previews
a stricter B threshold, reads which grade would change, applies it; the closed year keeps its rule."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.models import EvaluationYear, Plan, Result
from tests.builders import (
    make_department,
    make_graded_result,
    make_indicator,
    make_open_year,
    make_plan,
    make_user,
    thresholds,
)
from tests.e2e.browser import log_in


@pytest.fixture
def two_years(transactional_db):
    plan = make_plan("世田谷区地域保健医療福祉総合計画", last_fiscal_year=2025)
    department = make_department("保健福祉政策課")
    make_graded_result(
        make_indicator(plan, department=department), fiscal_year=2024, actual=Decimal(85), status=ResultStatus.APPROVED
    )
    year = EvaluationYear(plan=plan, fiscal_year=2024, status="closed")
    year.snapshot_rule()
    year.save()
    make_open_year(plan, 2025)
    draft = make_graded_result(
        make_indicator(plan, department=department, name="福祉の相談窓口の認知度"), fiscal_year=2025, actual=Decimal(85)
    )
    make_user("planning", department=department, role=Role.PLANNING)
    return {"plan": plan, "draft": draft}


def test_the_planning_section_previews_and_applies_a_stricter_rule(page: Page, two_years, screenshot, axe_violations):
    log_in(page, "planning")
    page.goto("/years/")
    page.get_by_role("link", name=re.compile("評価ルールの変更")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("評価ルール")
    expect(page.get_by_text("令和6年度（2024年度）（締切済み）の評価ルール")).to_be_visible()
    assert not axe_violations(page)
    page.get_by_label("評価Bの基準（％）").fill("９０")
    page.get_by_role("button", name="プレビュー").click()

    expect(page.get_by_text("受付中の年度の 1 件が再評価されます。")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("福祉の相談窓口の認知度"))
    expect(row).to_contain_text("85.0%")
    expect(row).to_contain_text("C")
    assert Result.objects.get(pk=two_years["draft"].pk).grade == "B"  # nothing changed yet
    assert not axe_violations(page)
    screenshot("preview")

    page.get_by_role("button", name="評価ルールを反映して 1 件を再評価する").click()
    expect(page.get_by_role("status")).to_contain_text("1 件を再評価しました")
    screenshot("applied")
    assert Result.objects.get(pk=two_years["draft"].pk).grade == "C"
    assert thresholds(Plan.objects.get().scheme)["threshold_b"] == Decimal(90)
