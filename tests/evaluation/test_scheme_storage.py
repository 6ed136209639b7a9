"""A plan's scheme is stored as data and read once per distinct scheme, however many rows carry it."""

import pytest

from evaluation.domain import scheme_files
from evaluation.models import Plan, Result
from tests.builders import make_graded_result, make_indicator, make_plan

pytestmark = pytest.mark.django_db


def test_rows_that_carry_the_same_scheme_share_its_data_and_its_reading(department):
    plan = make_plan("共有の計画", scheme="kanagawa")
    for _ in range(3):
        make_graded_result(make_indicator(plan, department=department), fiscal_year=2024)
    results = list(Result.objects.select_related("indicator__plan"))
    plans = [result.indicator.plan for result in results]
    assert len({id(plan) for plan in plans}) == 3  # one instance per row, as select_related makes them
    assert len({id(plan.grading_scheme) for plan in plans}) == 1  # one decoded value
    assert len({id(result.scheme) for result in results}) == 1  # one reading
    assert results[0].scheme == scheme_files.preset("kanagawa")


def test_a_changed_scheme_is_read_again(department):
    plan = make_plan("変わる計画")
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()
    Plan.objects.filter(pk=plan.pk).update(grading_scheme=scheme_files.to_data(scheme_files.preset("sano")))
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.preset("sano")
