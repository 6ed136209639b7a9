"""The presets shipped with the product, each graded at its published rule's boundaries. No database."""

from decimal import Decimal
from fractions import Fraction

import pytest

from evaluation.domain import scheme_files, scheme_text
from evaluation.domain.grading import HIGHER, LOWER, QUALITATIVE, Graded, GradingError


def D(text: str) -> Decimal:
    return Decimal(text)


def grade(name, actual, *, target="100", baseline=None, direction=HIGHER, survey=False, state=""):
    scheme = scheme_files.preset(name)
    return scheme.grade_measure(
        direction,
        D(target),
        D(actual) if actual is not None else None,
        baseline=D(baseline) if baseline is not None else None,
        survey=survey,
        state=state,
    ).grade


def test_every_preset_is_shipped_and_cites_its_source():
    names = scheme_files.preset_names()
    assert names == ["akiruno", "fukuoka", "kanagawa", "nagayo", "osaka-library", "sano", "setagaya"]
    for name in names:
        scheme = scheme_files.preset(name)
        assert scheme.key == name and scheme.source and scheme.choices  # what it chose where the text is ambiguous
        assert scheme_files.parse(scheme_files.to_data(scheme)) == scheme  # kept as data, read back the same


def test_setagaya_is_the_default_and_prints_the_seeds_footnote():
    assert scheme_files.default_scheme() is scheme_files.preset("setagaya")
    assert scheme_text.footnote(scheme_files.default_scheme()) == (
        "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"
    )


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("99.94", "B"), ("99.95", "A"), ("79.95", "B"), ("79.94", "C"), ("0.05", "C"), ("0.04", "D"), ("-5", "D")],
)
def test_setagaya_grades_the_rounded_figure(actual, expected):
    assert grade("setagaya", actual) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("110", "A"),
        ("109.96", "A"),
        ("109.94", "B"),
        ("80", "B"),
        ("79.94", "C"),
        ("50", "C"),
        ("49.94", "D"),
        ("0", "D"),
    ],
)
def test_osaka_library_a_from_110_b_from_80_c_from_50(actual, expected):
    assert grade("osaka-library", actual) == expected


@pytest.mark.parametrize(
    ("actual", "baseline", "direction", "expected"),
    [
        ("100", "60", HIGHER, "S"),  # the target reached
        ("120", "60", HIGHER, "S"),
        ("99", "60", HIGHER, "A"),  # above the baseline
        ("60.01", "60", HIGHER, "A"),
        ("60", "60", HIGHER, "B"),  # at the baseline
        ("54", "60", HIGHER, "B"),  # exactly 10 % below it
        ("53.99", "60", HIGHER, "C"),  # more than 10 % below
        # lower is better: the target 100 from a baseline of 150; a rise of up to 10 % (15) is B
        ("100", "150", LOWER, "S"),
        ("149", "150", LOWER, "A"),
        ("165", "150", LOWER, "B"),
        ("165.01", "150", LOWER, "C"),
    ],
)
def test_nagayo_against_the_target_then_the_baseline_with_a_10_percent_band(actual, baseline, direction, expected):
    assert grade("nagayo", actual, baseline=baseline, direction=direction) == expected


def test_nagayo_cannot_be_measured_is_a_state_printed_minus_and_needs_a_note():
    scheme = scheme_files.preset("nagayo")
    assert grade("nagayo", None, baseline="60", state="not_measurable") == "−"
    assert scheme.reason_missing("−", "", ["not_measurable"])
    assert not scheme.reason_missing("−", "調査が中止された", ["not_measurable"])
    assert scheme.grade_measure(HIGHER, D(100), D(120), baseline=D(60)).achievement is None  # no figure


@pytest.mark.parametrize(
    ("actual", "survey", "expected"),
    [
        ("70", False, "a"),  # the year's target 70 reached
        ("69.9", False, "b"),  # short of it, improved
        ("50", False, "b"),  # unchanged since the initial value
        ("49.9", False, "c"),  # worse
        ("47", True, "b"),  # a survey: 3 points down is still unchanged
        ("46.9", True, "c"),
        ("47", False, "c"),
    ],
)
def test_fukuoka_a_b_c_with_three_points_for_survey_based_indicators(actual, survey, expected):
    assert grade("fukuoka", actual, target="70", baseline="50", survey=survey) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("100", "7"), ("99.96", "7"), ("99.94", "6"), ("90", "6"), ("89.9", "5"), ("80", "5"), ("70", "4")]
    + [("69.9", "3"), ("60", "3"), ("50", "2"), ("49.9", "1"), ("0", "1")],
)
def test_sano_points_seven_to_one(actual, expected):
    assert grade("sano", actual) == expected


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (["7", "6"], "A"),
        (["6", "6"], "A"),
        (["6", "5"], "B"),
        (["5", "5", "4"], "C"),
        (["3", "3"], "C"),
        (["2", "3"], "D"),
    ],
)
def test_sano_policy_area_by_the_mean_of_its_points(grades, expected):
    assert scheme_files.preset("sano").rollup_grade(grades) == expected


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (["○", "○", "○"], "順調"),
        (["○", "○", "×"], "概ね順調"),  # exactly two thirds
        (["○", "○", "○", "×", "×", "○"], "概ね順調"),
        (["○", "○", "×", "×", "×", "○"], "やや遅れている"),  # exactly half
        (["○", "×", "×"], "遅れている"),
        (["○", "○", "", "×"], "概ね順調"),  # an outcome not graded yet is left out
        (["", ""], ""),
    ],
)
def test_kanagawa_policy_area_by_the_share_of_targets_met(grades, expected):
    assert scheme_files.preset("kanagawa").rollup_grade(grades) == expected


def test_kanagawa_met_is_read_on_the_printed_figure():
    assert grade("kanagawa", "99.96") == "○"
    assert grade("kanagawa", "99.94") == "×"


@pytest.mark.parametrize(
    ("actual", "state", "expected"),
    [("100.05", "", "S"), ("100.04", "", "A"), ("100", "", "A"), ("99.96", "", "A"), ("99.94", "", "B")]
    + [("50", "", "B"), ("49.9", "", "C")]
    + [(None, "completed", "F"), (None, "not_started", "X"), (None, "cancelled", "Y"), (None, "difficult", "Z")]
    + [(None, "tallying", "")],
)
def test_akiruno_grades_and_its_states(actual, state, expected):
    assert grade("akiruno", actual, state=state) == expected


def test_akiruno_states_are_not_judged_labels_and_some_need_a_note():
    scheme = scheme_files.preset("akiruno")
    assert scheme.grade_labels == ("S", "A", "B", "C")
    assert scheme.grade_measure(QUALITATIVE, None, None, judged_grade="F") == Graded(None, "")
    assert scheme.grade_measure(QUALITATIVE, None, None, judged_grade="S") == Graded(None, "S")
    assert scheme.reason_missing("Y", "", ["cancelled"]) and not scheme.reason_missing("X", "", ["not_started"])
    assert scheme.state("tallying").open and not scheme.state("completed").open
    assert scheme.worst(["S", "X"]) == "X" and scheme.worst(["F", "A"]) == "A"


def test_a_lower_is_better_outcome_with_an_actual_of_zero_meets_any_ratio_scheme_outright():
    best = {"setagaya": "A", "osaka-library": "A", "sano": "7", "kanagawa": "○", "akiruno": "S"}
    for name, expected in best.items():
        assert scheme_files.preset(name).grade_measure(LOWER, D(10), D(0)) == Graded(None, expected)


def test_a_scheme_against_the_baseline_needs_one_only_where_a_rule_on_it_is_reached():
    fukuoka = scheme_files.preset("fukuoka")
    assert fukuoka.grade_measure(HIGHER, D(70), D(75), baseline=None).grade == "a"  # the target reached
    with pytest.raises(GradingError) as error:
        fukuoka.grade_measure(HIGHER, D(70), D(60), baseline=None)
    assert error.value.code == "baseline_needed"


def test_a_share_band_is_exact_not_rounded():
    bands = scheme_files.preset("kanagawa").rollup.bands
    assert [band.at_least for band in bands] == [Fraction(1), Fraction(2, 3), Fraction(1, 2), Fraction(0)]
