from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from evaluation.domain.enums import ActualState, IndicatorKind
from evaluation.domain.numbers import ACHIEVEMENT, FIGURE
from evaluation.domain.scheme_files import LABEL_MAX_LENGTH
from evaluation.models import Indicator, Result, ResultValue
from tests.builders import make_indicator, make_plan, make_result

pytestmark = pytest.mark.django_db


def test_indicator_code_is_unique_within_a_plan():
    plan = make_plan()
    make_indicator(plan, code="1.1.1.1.O1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator(plan, code="1.1.1.1.O1")
    make_indicator(make_plan("別の計画"), code="1.1.1.1.O1")
    assert Indicator.objects.filter(code="1.1.1.1.O1").count() == 2


def test_a_result_is_unique_per_indicator_and_year():
    indicator = make_indicator()
    make_result(indicator, fiscal_year=2024)
    make_result(indicator, fiscal_year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_result(indicator, fiscal_year=2024)


def test_the_database_refuses_an_activity_with_a_direction():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator(kind=IndicatorKind.ACTIVITY, direction="higher")


def test_the_database_refuses_a_number_state_without_a_number():
    result = make_result(make_indicator(), actual=Decimal(5))
    value = ResultValue.objects.get(result=result)
    value.actual_value = None
    with pytest.raises(IntegrityError), transaction.atomic():
        value.save()
    value.refresh_from_db()
    value.actual_state = ActualState.TALLYING
    with pytest.raises(IntegrityError), transaction.atomic():
        value.save()  # a number left behind with 集計中


def test_the_models_take_their_sizes_from_the_domain():
    for name in ("actual_value", "target_value", "original_plan_value", "revised_plan_value"):
        model_field = ResultValue._meta.get_field(name)
        assert (model_field.max_digits, model_field.decimal_places) == (FIGURE.max_digits, FIGURE.decimal_places)
    achievement = ResultValue._meta.get_field("achievement")
    assert (achievement.max_digits, achievement.decimal_places) == (ACHIEVEMENT.max_digits, ACHIEVEMENT.decimal_places)
    for name in ("grade", "judged_grade"):  # a label of the plan's scheme, as long as scheme files allow
        assert Result._meta.get_field(name).max_length == LABEL_MAX_LENGTH
