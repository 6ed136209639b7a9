"""parse_number with a scheme's state words: 「中止」 is the state cancelled where the caller's scheme has
it, not a number (nor a state) where it does not; 集計中 by default, as always."""

from decimal import Decimal

import pytest

from evaluation.domain.numbers import TALLYING, NumberError, State, parse_number, state_words

AKIRUNO = state_words([("完了", "completed"), ("未着手", "not_started"), ("中止", "cancelled"), ("集計中", "tallying")])
SETAGAYA = state_words([("集計中", "tallying")])


@pytest.mark.parametrize(
    ("text", "code"),
    [("中止", "cancelled"), ("　未着手　", "not_started"), ("完了", "completed"), ("集計中", "tallying")],
)
def test_a_state_word_of_the_scheme_is_that_state(text, code):
    parsed = parse_number(text, "件", states=AKIRUNO)
    assert isinstance(parsed, State) and parsed == code


def test_tallying_stays_the_one_tallying_status():
    assert parse_number("集計中", states=AKIRUNO) is TALLYING
    assert parse_number("集計中") is TALLYING  # no scheme given: 集計中 only, as before


@pytest.mark.parametrize("states", [SETAGAYA, None])
def test_a_word_the_scheme_does_not_have_is_not_a_number(states):
    with pytest.raises(NumberError) as refused:
        parse_number("中止", "件", states=states)
    assert refused.value.code == "not_a_number"


def test_a_scheme_without_tallying_refuses_it():
    with pytest.raises(NumberError):
        parse_number("集計中", states=state_words([("中止", "cancelled")]))


def test_numbers_are_read_as_before_with_states():
    assert parse_number("１，８１６件", "件", states=AKIRUNO) == Decimal(1816)


def test_state_words_are_normalised_as_typed_words_are():
    words = state_words([("ＮＡ", "not_measurable")])
    assert parse_number("NA", states=words) == "not_measurable"
