"""A scheme's roll-up (総合評価) and its reason rule in words (scheme_text.rollup_text, reason_words), in
Japanese and English, from the presets and from schemes written for the test."""

import dataclasses
from fractions import Fraction

import pytest

from evaluation.domain import grading, scheme_files, scheme_text
from evaluation.domain.grading import Rollup, RollupBand


@pytest.mark.parametrize(
    ("preset", "lang", "expected"),
    [
        (
            "kanagawa",
            "ja",
            "総合評価は評価○の指標の割合による。すべて 順調、3分の2以上 概ね順調、2分の1以上 やや遅れている、"
            "2分の1未満 遅れている",
        ),
        (
            "kanagawa",
            "en",
            "The overall grade is by the share of indicators graded ○. all: 順調; 2/3 or more: 概ね順調; "
            "1/2 or more: やや遅れている; under 1/2: 遅れている",
        ),
        (
            "sano",
            "ja",
            "総合評価は指標の点の平均による。6点以上 A（順調）、5点以上 B（概ね順調）、3点以上 C（やや遅れ）、"
            "3点未満 D（遅れ）",
        ),
        (
            "sano",
            "en",
            "The overall grade is by the mean points of the indicators. 6 points or more: A (On track); "
            "5 points or more: B (Mostly on track); 3 points or more: C (Somewhat behind); under 3 points: D (Behind)",
        ),
        ("setagaya", "ja", ""),
        ("akiruno", "en", ""),
    ],
)
def test_the_presets_roll_ups_in_words(preset, lang, expected):
    assert scheme_text.rollup_text(scheme_files.preset(preset), lang) == expected


def test_a_changed_band_changes_the_sentence():
    kanagawa = scheme_files.preset("kanagawa")
    bands = (
        RollupBand("順調", Fraction(4, 5)),
        RollupBand("遅れ", Fraction(1, 4)),  # below a quarter met: no overall grade
    )
    scheme = dataclasses.replace(kanagawa, rollup=Rollup(grading.ROLLUP_SHARE, ("○",), bands))

    assert scheme_text.rollup_text(scheme) == "総合評価は評価○の指標の割合による。5分の4以上 順調、4分の1以上 遅れ"


def test_points_bands_that_are_not_whole_are_written_exactly():
    sano = scheme_files.preset("sano")
    bands = (RollupBand("A", Fraction(11, 2), "順調"), RollupBand("B", Fraction(1), "遅れ"))
    scheme = dataclasses.replace(sano, rollup=Rollup(grading.ROLLUP_POINTS, (), bands))

    assert scheme_text.rollup_text(scheme) == "総合評価は指標の点の平均による。5.5点以上 A（順調）、5.5点未満 B（遅れ）"


def test_the_worst_roll_up():
    scheme = dataclasses.replace(scheme_files.default_scheme(), rollup=Rollup(grading.ROLLUP_WORST))

    assert scheme_text.rollup_text(scheme) == "総合評価は指標の評価のうち最も低いもの"
    assert scheme_text.rollup_text(scheme, "en") == "The overall grade is the lowest grade of the indicators"


@pytest.mark.parametrize(
    ("preset", "ja", "en"),
    [
        ("setagaya", "C・D", "C or D"),
        ("kanagawa", "×", "×"),
        ("sano", "4・3・2・1", "4, 3, 2 or 1"),
        ("akiruno", "B・C、中止・評価困難", "B, C, Cancelled or Cannot be evaluated"),
    ],
)
def test_what_needs_a_reason_in_words(preset, ja, en):
    scheme = scheme_files.preset(preset)

    assert (scheme_text.reason_words(scheme), scheme_text.reason_words(scheme, "en")) == (ja, en)


def test_an_overall_grade_that_is_a_mark_is_printed_with_its_meaning():
    sano, kanagawa = scheme_files.preset("sano"), scheme_files.preset("kanagawa")

    assert scheme_text.rollup_label(sano, "B") == "B（概ね順調）"
    assert scheme_text.rollup_label(sano, "B", "en") == "B (Mostly on track)"
    assert scheme_text.rollup_label(kanagawa, "概ね順調") == "概ね順調"
    assert scheme_text.rollup_label(kanagawa, "") == ""
