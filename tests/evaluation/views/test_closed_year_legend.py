"""The grade legend under the home and entry tables is the shown year's scheme: a closed year keeps the
scheme it was closed with (Plan.scheme_of), so FY2024, closed under Setagaya's A–D, still shows A–D
after the plan switched to 神奈川県's ○/×, while the open FY2025 shows ○/×. Drawn once a page: as many
queries for many rows as for few."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.domain import scheme_files
from evaluation.services.regrading import apply_regrading
from tests.builders import make_closed_year, make_graded_result, make_indicator, make_open_year, make_result

pytestmark = pytest.mark.django_db

SETAGAYA = "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"
KANAGAWA = "目標に対しての成果。○:100％以上、×:100％未満"


def _add_rows(plan, department, count: int) -> None:
    """`count` outcomes graded in the closed FY2024 and entered in the open FY2025."""
    for _index in range(count):
        indicator = make_indicator(plan, department=department)
        make_graded_result(indicator, fiscal_year=2024, target=Decimal(100), actual=Decimal(85), reason="理由")
        make_result(indicator, fiscal_year=2025, target=Decimal(100))


@pytest.fixture
def switched(plan, department, planner):
    """FY2024 graded and closed under Setagaya's scheme, FY2025 open; then the plan switched to 神奈川県's."""
    _add_rows(plan, department, 2)
    make_closed_year(plan, 2024)
    make_open_year(plan, 2025)
    apply_regrading(plan, scheme_files.preset("kanagawa"), user=planner)
    plan.refresh_from_db()
    assert plan.scheme.key == "kanagawa"
    return plan


def _legends(html: str) -> str:
    return " ".join(re.findall(r'<p class="legend"[^>]*>(.*?)</p>', html, re.S))


def _entry(client, department, fiscal_year: int) -> str:
    response = client.get(reverse("entry_department", args=[department.pk, fiscal_year]))
    assert response.status_code == 200
    return response.content.decode()


def _home(client, plan, fiscal_year: int) -> str:
    response = client.get(reverse("home"), {"plan": plan.pk, "year": fiscal_year})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("page", ["entry", "home"])
def test_the_closed_year_shows_the_legend_it_was_closed_with_and_the_open_year_the_plans(
    client, planner, department, switched, page
):
    client.force_login(planner)

    def legend(fiscal_year):
        if page == "entry":
            return _legends(_entry(client, department, fiscal_year))
        return _legends(_home(client, switched, fiscal_year))

    closed, current = legend(2024), legend(2025)
    assert SETAGAYA in closed and KANAGAWA not in closed
    assert KANAGAWA in current and SETAGAYA not in current


def test_the_closed_years_grades_and_reason_rule_are_its_own(client, planner, department, switched):
    client.force_login(planner)
    closed = _entry(client, department, 2024)
    assert ">B<" in closed and ">×<" not in closed  # 85 % graded B under Setagaya, kept
    assert "評価がC・Dのときは理由が必要です。" in closed
    current = _entry(client, department, 2025)
    assert "評価がC・Dのときは理由が必要です。" not in current


def test_the_legend_is_in_english_too(client, planner, department, switched):
    client.force_login(planner)
    client.cookies["django_language"] = "en"
    closed = _legends(_entry(client, department, 2024))
    assert "A: 100 % or more; B: 80 % to under 100 %" in closed


@pytest.mark.parametrize("page", ["entry", "home"])
def test_a_closed_years_page_reads_as_many_queries_for_many_rows_as_for_few(
    client, planner, department, switched, page, django_assert_num_queries
):
    client.force_login(planner)
    url, params = (
        (reverse("entry_department", args=[department.pk, 2024]), {})
        if page == "entry"
        else (reverse("home"), {"plan": switched.pk, "year": 2024})
    )
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200

    _add_rows(switched, department, 12)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, params)

    assert SETAGAYA in _legends(response.content.decode())
