"""What a department types, read with the plan's scheme: state words and judged labels of other
municipalities' schemes (あきる野市, 福岡市 a/b/c, 神奈川県 ○/×)."""

import pytest

from evaluation.domain import scheme_files
from evaluation.domain.enums import Direction, IndicatorKind
from evaluation.models import Indicator
from evaluation.services.entries import EntryError, parse_actual, parse_judged_grade


def _indicator(kind=IndicatorKind.OUTCOME, direction=Direction.HIGHER, unit="件"):
    return Indicator(kind=kind, direction=direction, unit=unit)


AKIRUNO = scheme_files.preset("akiruno")
QUALITATIVE = _indicator(direction=Direction.QUALITATIVE, unit="")


@pytest.mark.parametrize(("text", "state"), [("中止", "cancelled"), ("評価困難", "difficult"), ("集計中", "tallying")])
def test_a_state_word_is_read_as_the_state(text, state):
    assert parse_actual(_indicator(), text, scheme=AKIRUNO).state == state


def test_an_activity_typing_a_state_word_gets_the_state_not_a_text():
    activity = _indicator(kind=IndicatorKind.ACTIVITY, direction="")
    assert parse_actual(activity, "中止", scheme=AKIRUNO).state == "cancelled"


def test_a_state_chosen_wins_and_one_the_scheme_lacks_is_refused():
    assert parse_actual(_indicator(), "12", state="not_started", scheme=AKIRUNO).state == "not_started"
    with pytest.raises(EntryError):
        parse_actual(_indicator(), "12", state="not_started", scheme=scheme_files.default_scheme())


def test_a_word_of_no_state_is_refused_with_the_schemes_words():
    with pytest.raises(EntryError) as refused:
        parse_actual(_indicator(), "廃止", scheme=AKIRUNO)
    assert "「中止」" in str(refused.value.message) and "「未着手」" in str(refused.value.message)


@pytest.mark.parametrize(
    ("preset", "typed", "label"),
    [
        ("akiruno", "Ｓ", "S"),
        ("akiruno", "s", "S"),
        ("fukuoka", "B", "b"),
        ("fukuoka", "ａ", "a"),
        ("kanagawa", "〇", "○"),
        ("kanagawa", "×", "×"),
        ("sano", "７", "7"),
        ("setagaya", "ｂ", "B"),
    ],
)
def test_a_judged_label_is_read_normalised(preset, typed, label):
    assert parse_judged_grade(QUALITATIVE, typed, scheme=scheme_files.preset(preset)) == label


@pytest.mark.parametrize(("preset", "typed"), [("akiruno", "F"), ("akiruno", "D"), ("sano", "8"), ("fukuoka", "d")])
def test_a_label_the_scheme_does_not_judge_is_refused(preset, typed):
    """F (完了) is a state's label in あきる野市's scheme, not a judgement."""
    with pytest.raises(EntryError):
        parse_judged_grade(QUALITATIVE, typed, scheme=scheme_files.preset(preset))
