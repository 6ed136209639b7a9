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
        ("100.01", "60", HIGHER, "S"),  # 目標値を超えている: above the target
        ("120", "60", HIGHER, "S"),
        ("100", "60", HIGHER, "A"),  # equal to the target does not exceed it: above the baseline
        ("99", "60", HIGHER, "A"),
        ("60.01", "60", HIGHER, "A"),
        ("60", "60", HIGHER, "B"),  # at the baseline
        ("54", "60", HIGHER, "B"),  # exactly 10 % below it
        ("53.99", "60", HIGHER, "C"),  # more than 10 % below
        # lower is better: the target 100 from a baseline of 150; a rise of up to 10 % (15) is B
        ("99.99", "150", LOWER, "S"),
        ("100", "150", LOWER, "A"),
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
        ("47.01", True, "b"),  # a survey: a change of less than 3 points is 現状維持
        ("47", True, "c"),  # ±3パーセント未満: exactly 3 points down is not
        ("52.99", True, "b"),
        ("47.01", False, "c"),
    ],
)
def test_fukuoka_a_b_c_with_three_points_for_survey_based_indicators(actual, survey, expected):
    assert grade("fukuoka", actual, target="70", baseline="50", survey=survey) == expected


@pytest.mark.parametrize(
    ("name", "target", "actual", "survey", "direction", "expected"),
    [
        # 資料6 (障がい者分野), survey-based indicators of the 実態調査: 初期値 H25 → 現状値 H28, 目標値 H31
        ("相談窓口認知度", "45.0", "34.3", True, HIGHER, "b"),  # 35.9 → 34.3: 1.6 points down, 現状維持
        ("災害時の孤立度", "5.0", "11.7", True, LOWER, "c"),  # 8.1 → 11.7: 3.6 points worse
        ("将来の暮らし方", "60.0", "49.8", True, HIGHER, "b"),  # 51.9 → 49.8: 2.1 points down
        ("就労に対する社会の理解度", "40.0", "33.0", True, HIGHER, "b"),  # 28.7 → 33.0: improved, short of 40
        ("外出の頻度", "75.0", "62.9", True, HIGHER, "b"),  # 64.6 → 62.9: 1.7 points down
        ("コミュニケーションで困っている人", "10.0", "37.4", True, LOWER, "c"),  # 18.0 → 37.4
    ],
)
def test_fukuoka_the_published_survey_figures_under_the_published_rule(
    name, target, actual, survey, direction, expected
):
    """The figures of Fukuoka's published indicator table, graded by its published rule (the table itself
    prints no grade): a change of less than 3 points of a survey is 現状維持."""
    baselines = {
        "相談窓口認知度": "35.9",
        "災害時の孤立度": "8.1",
        "将来の暮らし方": "51.9",
        "就労に対する社会の理解度": "28.7",
        "外出の頻度": "64.6",
        "コミュニケーションで困っている人": "18.0",
    }
    found = grade("fukuoka", actual, target=target, baseline=baselines[name], survey=survey, direction=direction)
    assert found == expected


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("67000", "62879", "B"),  # 協力貸出冊数, 毎年67,000冊: H25 93.8 %
        ("67000", "62101", "B"),  # H26 92.7 %
        ("67000", "62867", "B"),  # H27
        ("95", "94.5", "B"),  # 利用者満足度, 毎年95 %: 99.5 %
        ("95", "94.9", "B"),
        ("5300", "5424", "B"),  # イベント参加者数, 毎年5,300人: 102.3 %
        ("5300", "6568", "A"),  # 123.9 %
        ("5300", "6254", "A"),  # 118.0 %
        ("3", "4", "A"),  # 新規連携先数, 毎年3件: 133.3 %
        ("30000", "35717", "A"),  # 市町村間物流冊数, 最終年度に30,000冊: H27 119.1 %
    ],
)
def test_osaka_library_grades_its_published_evaluation_sheets(target, actual, expected):
    """The grades printed on the library's published 重点目標評価シート (平成25–27年度) against their
    figures."""
    assert grade("osaka-library", actual, target=target) == expected


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


def test_the_footnotes_say_where_a_bands_edge_falls():
    fukuoka, nagayo = scheme_files.preset("fukuoka"), scheme_files.preset("nagayo")
    assert scheme_text.footnote(fukuoka) == (
        "a:目標値に到達、b:現況値から改善または横ばい（意識調査の指標は±3ポイント未満の変動を横ばいとする）、c:それ以外"
    )
    assert "(survey-based: a change of less than ±3 points is unchanged)" in scheme_text.footnote(fukuoka, "en")
    assert scheme_text.footnote(nagayo).startswith(
        "S:目標値を上回る、A:現況値より改善、B:現況値から改善または横ばい（現況値から10％以内の悪化を含む）"
    )


def test_fukuokas_survey_rule_in_words_is_its_tolerance_alone():
    """The figures form and the written file name each rule: 福岡市's rule 3 only widens rule 2's b for a
    survey, so it reads as that tolerance, not as a second 'better than the baseline'."""
    fukuoka = scheme_files.preset("fukuoka")
    assert scheme_text.rule_words(fukuoka, 1) == "現況値から改善または横ばい"
    assert scheme_text.rule_words(fukuoka, 2) == "意識調査の指標で、現況値からの変動が±3ポイント未満"
    assert scheme_text.rule_words(fukuoka, 2, "en") == "a survey-based indicator less than ±3 points from the baseline"
