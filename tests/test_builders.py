"""The shared builders build what they say (the benchmarks rely on them as much as the tests)."""

from decimal import Decimal

import pytest

from evaluation.domain.enums import IndicatorKind, ResultStatus, YearStatus
from tests.builders import make_closed_year, make_department_year, make_graded_result, make_indicator

pytestmark = pytest.mark.django_db


def test_a_department_year_is_shaped_like_a_real_page(plan, department):
    results = make_department_year(plan, department, 8)

    assert len(results) == 8
    assert [result.indicator.kind == IndicatorKind.ACTIVITY for result in results[:4]] == [True, False, False, True]
    assert [result.status for result in results[:2]] == [ResultStatus.NOT_ENTERED, ResultStatus.RETURNED]
    assert all(result.indicator.results.filter(fiscal_year=2023).exists() for result in results)


def test_a_graded_result_is_graded_by_the_plans_rule(plan):
    result = make_graded_result(make_indicator(plan), actual=Decimal(50))

    result.refresh_from_db()
    assert (result.grade, result.values.get().achievement) == ("C", Decimal("50.0"))


def test_a_closed_year_is_closed(plan):
    assert make_closed_year(plan).status == YearStatus.CLOSED
