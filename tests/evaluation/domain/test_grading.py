"""The grading rule (footnote ※1) as tables: exact decimals, one rounding, the grade read from the
printed figure. No database."""

from decimal import Decimal

import pytest

from evaluation.domain.grading import (
    DOWN,
    HIGHER,
    LOWER,
    NO_GRADE,
    PROGRESS,
    QUALITATIVE,
    Graded,
    GradingError,
    check_gradable,
    has_reason,
)
from evaluation.domain.scheme_files import default_scheme, setagaya_with

SETAGAYA = default_scheme()
TRUNCATING = setagaya_with(rounding=DOWN)
FROM_BASELINE = setagaya_with(measure=PROGRESS)


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize(
    ("target", "actual", "achievement", "grade"),
    [
        # The boundaries are read on the printed (rounded) figure.
        ("100", "79.95", "80.0", "B"),
        ("100", "79.94", "79.9", "C"),
        ("100", "99.95", "100.0", "A"),
        ("100", "99.94", "99.9", "B"),
        ("100", "80", "80.0", "B"),
        ("100", "100", "100.0", "A"),
        ("100", "150", "150.0", "A"),
        ("100", "50", "50.0", "C"),
        # D is 0 % or less: the seed's 4 agreements planned, 0 made.
        ("4", "0", "0.0", "D"),
        ("100", "0.04", "0.0", "D"),
        ("100", "0.05", "0.1", "C"),
        ("100", "-5", "-5.0", "D"),
        # The seed's 1,816 of 1,830 and 139 of 60 (half up).
        ("1830", "1816", "99.2", "B"),
        ("60", "139", "231.7", "A"),
    ],
)
def test_higher_is_better_grades_on_the_rounded_ratio(target, actual, achievement, grade):
    assert SETAGAYA.grade_measure(HIGHER, D(target), D(actual)) == Graded(D(achievement), grade)


def test_decimal_half_up_prints_100_0_where_float_arithmetic_would_print_99_9():
    # 19.99 ÷ 20 × 100 is exactly 99.95: half up gives 100.0 and so A. In binary floating point it
    # is 99.94999999999999, which Python's round() prints as 99.9 (a B): the rule never sees a float.
    graded = SETAGAYA.grade_measure(HIGHER, D("20"), D("19.99"))

    assert graded == Graded(D("100.0"), "A")


@pytest.mark.parametrize(("rule", "achievement"), [(SETAGAYA, "231.7"), (TRUNCATING, "231.6")])
def test_the_plans_rounding_rule_decides_the_printed_figure(rule, achievement):
    assert rule.grade_measure(HIGHER, D("60"), D("139")).achievement == D(achievement)


def test_truncating_rule_keeps_99_99_a_b():
    assert TRUNCATING.grade_measure(HIGHER, D("100"), D("99.99")) == Graded(D("99.9"), "B")


@pytest.mark.parametrize(
    ("target", "actual", "achievement", "grade"),
    [
        ("430", "226", "190.3", "A"),  # 抱え込んでしまっているケースの件数
        ("23.0", "23.0", "100.0", "A"),  # どこにもつながっていない不登校児童・生徒の割合
        ("50", "60", "83.3", "B"),
        ("50", "100", "50.0", "C"),
    ],
)
def test_lower_is_better_divides_the_target_by_the_actual(target, actual, achievement, grade):
    assert SETAGAYA.grade_measure(LOWER, D(target), D(actual)) == Graded(D(achievement), grade)


def test_lower_is_better_with_an_actual_of_zero_is_met_outright_with_no_figure():
    assert SETAGAYA.grade_measure(LOWER, D("5"), D("0")) == Graded(None, "A")


@pytest.mark.parametrize("direction", [HIGHER, LOWER])
def test_no_actual_or_still_tallying_is_not_graded(direction):
    assert SETAGAYA.grade_measure(direction, D("100"), None) == Graded(None, NO_GRADE)


@pytest.mark.parametrize(
    ("judged", "grade"),
    [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("", NO_GRADE), ("E", NO_GRADE), ("a", NO_GRADE)],
)
def test_qualitative_takes_the_judged_grade_and_prints_no_figure(judged, grade):
    # target 「課題整理」, actual 「一部運用」: no numbers at all.
    assert SETAGAYA.grade_measure(QUALITATIVE, None, None, judged_grade=judged) == Graded(None, grade)


@pytest.mark.parametrize(
    ("sub_grades", "grade"),
    [
        (["A", "A"], "A"),  # a)231.6 % b)287.1 %
        (["A", "C"], "C"),
        (["B", "D", "A"], "D"),
        (["C"], "C"),
        (["A", NO_GRADE], NO_GRADE),
        ([NO_GRADE, "D"], NO_GRADE),
        ([], NO_GRADE),
    ],
)
def test_compound_indicator_takes_its_worst_sub_item_and_waits_for_all(sub_grades, grade):
    assert SETAGAYA.worst(sub_grades) == grade
    assert SETAGAYA.worst(iter(sub_grades)) == grade  # any iterable, read once


@pytest.mark.parametrize(
    ("target", "actual", "baseline", "achievement", "grade"),
    [
        ("100", "75", "50", "50.0", "C"),
        ("100", "100", "50", "100.0", "A"),
        ("100", "90", "50", "80.0", "B"),
        ("100", "50", "50", "0.0", "D"),  # no progress
        ("100", "40", "50", "-20.0", "D"),  # worse than the baseline
        ("60", "139", "40", "495.0", "A"),
        # Lower is better: a target below the baseline; the same formula measures the way down.
        ("10", "15", "20", "50.0", "C"),
        ("10", "10", "20", "100.0", "A"),
        ("10", "0", "20", "200.0", "A"),
        ("10", "25", "20", "-50.0", "D"),
        ("0", "4", "20", "80.0", "B"),  # a zero target is fine from a baseline
    ],
)
def test_progress_from_the_baseline(target, actual, baseline, achievement, grade):
    graded = FROM_BASELINE.grade_measure(HIGHER, D(target), D(actual), baseline=D(baseline))

    assert graded == Graded(D(achievement), grade)


def test_progress_is_the_same_whichever_direction_the_indicator_declares():
    lower = FROM_BASELINE.grade_measure(LOWER, D("10"), D("15"), baseline=D("20"))

    assert lower == Graded(D("50.0"), "C")


@pytest.mark.parametrize(
    ("baseline", "target", "code"),
    [
        (None, "100", "baseline_not_numeric"),
        ("100", "100", "target_equals_baseline"),
        ("50", None, "target_not_numeric"),
    ],
)
def test_progress_cannot_be_measured_without_a_distinct_numeric_baseline(baseline, target, code):
    baseline = D(baseline) if baseline else None
    target = D(target) if target else None

    with pytest.raises(GradingError) as error:
        FROM_BASELINE.grade_measure(HIGHER, target, D("75"), baseline=baseline)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("direction", "target", "code"),
    [
        (HIGHER, None, "target_not_numeric"),
        (HIGHER, "0", "target_zero"),
        (LOWER, None, "target_not_numeric"),
        (LOWER, "0", "target_zero"),
    ],
)
def test_check_gradable_refuses_a_missing_or_zero_target(direction, target, code):
    target = D(target) if target else None

    with pytest.raises(GradingError) as error:
        check_gradable(SETAGAYA, direction, target)
    assert error.value.code == code


def test_an_ungradable_target_is_refused_even_before_the_actual_is_in():
    with pytest.raises(GradingError):
        SETAGAYA.grade_measure(HIGHER, D("0"), None)


@pytest.mark.parametrize("target", [None, D("0")])
def test_qualitative_needs_no_numeric_target(target):
    check_gradable(SETAGAYA, QUALITATIVE, target)  # no error

    assert SETAGAYA.grade_measure(QUALITATIVE, target, None, judged_grade="B").grade == "B"


def test_a_plans_own_thresholds_and_decimals_are_used():
    rule = setagaya_with(threshold_a=Decimal(95), threshold_b=Decimal(70), threshold_d=Decimal(10), decimals=2)

    assert rule.grade_measure(HIGHER, D("3"), D("2.85")) == Graded(D("95.00"), "A")
    assert rule.grade_measure(HIGHER, D("3"), D("2.1")) == Graded(D("70.00"), "B")
    assert rule.grade_measure(HIGHER, D("3"), D("2.09")) == Graded(D("69.67"), "C")
    assert rule.grade_measure(HIGHER, D("3"), D("0.3")) == Graded(D("10.00"), "D")


@pytest.mark.parametrize(("grade", "required"), [("A", False), ("B", False), ("C", True), ("D", True), ("", False)])
def test_a_reason_is_required_for_c_and_d_only(grade, required):
    assert SETAGAYA.reason_required(grade) is required


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, False),
        ("", False),
        ("   ", False),
        ("　　", False),  # full-width spaces only
        (" 　\n\t", False),
        ("調査の回答率が低下したため", True),
        ("　対象者が減少した　", True),
    ],
)
def test_blank_or_whitespace_only_is_no_reason(text, expected):
    assert has_reason(text) is expected


@pytest.mark.parametrize(
    ("rule", "direction", "target", "actual"),
    [
        (SETAGAYA, HIGHER, "0.0001", "99999999999999"),  # 10^20 %
        (SETAGAYA, LOWER, "99999999999999", "0.0001"),
        (FROM_BASELINE, HIGHER, "1.0001", "99999999999999"),  # a baseline of 1 below
    ],
)
def test_an_achievement_larger_than_its_column_holds_cannot_be_graded(rule, direction, target, actual):
    with pytest.raises(GradingError) as error:
        rule.grade_measure(direction, D(target), D(actual), baseline=D("1"))

    assert error.value.code == "achievement_too_large"


def test_the_largest_achievement_the_column_holds_is_graded():
    graded = SETAGAYA.grade_measure(HIGHER, D("0.01"), D("9999999999"))  # 99,999,999,990,000 %

    assert graded == Graded(D("99999999990000.0"), "A")
