from decimal import Decimal

import pytest

from evaluation.domain.enums import ActualState, Direction, IndicatorKind
from evaluation.models import Indicator
from evaluation.services.entries import EntryError, parse_actual, parse_judged_grade


def _indicator(kind=IndicatorKind.OUTCOME, direction=Direction.HIGHER, unit="件"):
    return Indicator(kind=kind, direction=direction, unit=unit)


@pytest.mark.parametrize(
    ("text", "state", "value"),
    [
        ("１，８１６件", ActualState.NUMBER, Decimal("1816")),
        ("　２２６　", ActualState.NUMBER, Decimal("226")),
        ("集計中", ActualState.TALLYING, None),
        ("", ActualState.EMPTY, None),
    ],
)
def test_a_graded_outcome_takes_numbers_and_tallying(text, state, value):
    entered = parse_actual(_indicator(), text)
    assert (entered.state, entered.value) == (state, value)


def test_the_explicit_tallying_choice_wins_over_what_is_typed():
    assert parse_actual(_indicator(), "12", tallying=True).state == ActualState.TALLYING


@pytest.mark.parametrize("text", ["多数", "1,2,3", "5人"])
def test_a_graded_outcome_refuses_words_wrong_grouping_and_units(text):
    with pytest.raises(EntryError):
        parse_actual(_indicator(), text)


@pytest.mark.parametrize(
    "indicator",
    [_indicator(kind=IndicatorKind.ACTIVITY, direction=""), _indicator(direction=Direction.QUALITATIVE, unit="")],
)
def test_activities_and_qualitative_outcomes_take_words(indicator):
    entered = parse_actual(indicator, " 一部運用 ")
    assert (entered.state, entered.text) == (ActualState.TEXT, "一部運用")


def test_judged_grade_only_for_qualitative_outcomes():
    assert parse_judged_grade(_indicator(direction=Direction.QUALITATIVE), "ｂ") == "B"
    assert parse_judged_grade(_indicator(), "A") == ""
    with pytest.raises(EntryError):
        parse_judged_grade(_indicator(direction=Direction.QUALITATIVE), "E")
