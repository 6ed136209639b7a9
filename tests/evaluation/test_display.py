"""evaluation.display: one stored value reads the same on every page, sheet, mail and history line.
Database-free: values, users and fields are plain objects."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import models
from django.utils import translation

from evaluation import display
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.models import ResultValue

UTC = dt.UTC
D = Decimal


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (D("100"), 1, "100.0%"),
        (D("100.000"), 1, "100.0%"),
        (D("9"), 1, "9.0%"),
        (D("96.65"), 1, "96.7%"),  # half up, as grading
        (D("231.65"), 1, "231.7%"),
        (D("1234.5"), 1, "1,234.5%"),
        (D("60.5"), 0, "61%"),
        (D("96.654"), 2, "96.65%"),
        (D("0"), 1, "0.0%"),
        (None, 1, "—"),
    ],
)
def test_an_achievement_has_exactly_the_plans_decimals(value, decimals, expected):
    assert display.achievement(value, decimals) == expected


@pytest.mark.parametrize(
    ("state", "value", "text", "unit", "expected"),
    [
        (ActualState.NUMBER, D("1816.0000"), "", "件", "1,816"),
        (ActualState.NUMBER, D("226"), "", "件", "226"),
        (ActualState.NUMBER, D("2.5000"), "", "回", "2.5"),
        # a rate: at least the plan's decimals, as the sheet's 「9.0 %」「89.9 %」
        (ActualState.NUMBER, D("9.0000"), "", "%", "9.0"),
        (ActualState.NUMBER, D("89.9000"), "", "%", "89.9"),
        (ActualState.NUMBER, D("80"), "", "％", "80.0"),
        (ActualState.NUMBER, D("25.3500"), "", "%", "25.35"),  # a stored digit is never rounded away
        (ActualState.TALLYING, None, "", "%", "集計中"),
        (ActualState.TEXT, None, "一部運用", "", "一部運用"),
        (ActualState.EMPTY, None, "", "件", "—"),
    ],
)
def test_an_actual_prints_as_the_sheet(state, value, text, unit, expected):
    assert display.actual(state, value, text, unit=unit, decimals=1) == expected


def test_a_rate_follows_the_plans_decimals():
    assert display.actual(ActualState.NUMBER, D("9"), unit="%", decimals=0) == "9"
    assert display.plan_value(D("9"), unit="%", decimals=2) == "9.00"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_tallying_is_one_word_in_every_language(language):
    with translation.override(language):
        assert display.actual(ActualState.TALLYING, None, "") == "集計中"
        assert display.field_value(ResultValue._meta.get_field("actual_state"), ActualState.TALLYING) == "集計中"


@pytest.mark.parametrize(
    ("value", "text", "unit", "expected"),
    [
        (D("430.0000"), "", "件", "430"),
        (D("26.0000"), "", "%", "26.0"),
        (D("1830"), "", "箇所", "1,830"),
        (None, "課題整理", "", "課題整理"),
        (None, "", "件", "—"),
    ],
)
def test_a_plan_value_target_or_baseline_prints_as_the_sheet(value, text, unit, expected):
    assert display.plan_value(value, text, unit=unit, decimals=1) == expected


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (D("1816.0000"), "件", 1, "#,##0"),
        (D("2.5000"), "回", 1, "#,##0.0"),
        (D("9.0000"), "%", 1, "#,##0.0"),
        (D("80"), "％", 1, "#,##0.0"),
        (D("25.3500"), "%", 1, "#,##0.00"),  # a stored digit is never hidden
        (D("9"), "%", 0, "#,##0"),
        (D("9"), "%", 2, "#,##0.00"),
        (D("-5"), "件", 1, "#,##0"),
    ],
)
def test_a_figure_cell_is_formatted_to_show_what_the_page_prints(value, unit, decimals, expected):
    number_format = display.figure_number_format(value, unit, decimals)
    assert number_format == expected
    printed = display.plan_value(value, unit=unit, decimals=decimals)
    assert len(number_format.partition(".")[2]) == len(printed.partition(".")[2])


@pytest.mark.parametrize(("decimals", "expected"), [(0, "0"), (1, "0.0"), (3, "0.000")])
def test_an_achievement_cell_has_the_plans_decimals(decimals, expected):
    assert display.achievement_number_format(decimals) == expected


def test_the_figure_style_is_the_indicators_unit_and_its_plans_decimals():
    indicator = SimpleNamespace(unit="%", plan=SimpleNamespace(achievement_decimals=2))
    assert display.figure_style(indicator) == {"unit": "%", "decimals": 2}


@pytest.mark.parametrize(("value", "expected"), [("A", "A"), ("D", "D"), ("", "ー"), (None, "ー")])
def test_a_grade_is_a_letter_or_the_sheets_mark(value, expected):
    assert display.grade(value) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("ja", ResultStatus.SUBMITTED, "提出済"),
        ("en", ResultStatus.SUBMITTED, "Submitted"),
        ("en", "draft", "In progress"),
    ],
)
def test_a_status_in_the_language(language, value, expected):
    with translation.override(language):
        assert display.status(value) == expected


class _User:
    def __init__(self, username, first="", last=""):
        self.username, self.first, self.last = username, first, last

    def get_full_name(self):
        return f"{self.first} {self.last}".strip()

    def get_username(self):
        return self.username


@pytest.mark.parametrize(
    ("user", "expected"),
    [(_User("hanako", "花子", "計画"), "花子 計画"), (_User("tanaka"), "tanaka"), (None, "（システム）")],
)
def test_a_person_by_full_name_else_user_name(user, expected):
    with translation.override("ja"):
        assert display.person(user) == expected


def test_a_department_by_its_name():
    assert display.department(SimpleNamespace(name="保健福祉政策課")) == "保健福祉政策課"
    assert display.department(None) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "2024/07/01 0:30"), ("en", "07/01/2024 12:30 a.m.")],
)
def test_a_moment_in_utc_is_shown_in_japan_time(language, expected):
    with translation.override(language):
        assert display.moment(dt.datetime(2024, 6, 30, 15, 30, tzinfo=UTC)) == expected


def test_a_moment_is_japan_time_whatever_the_active_time_zone(settings):
    from django.utils import timezone

    with timezone.override("UTC"), translation.override("ja"):
        assert display.moment(dt.datetime(2024, 6, 30, 15, 30, 5, tzinfo=UTC), seconds=True) == "2024-07-01 00:30:05"
    assert display.moment(None) == ""


def test_a_day_in_the_language():
    with translation.override("ja"):
        assert display.day(dt.date(2025, 5, 31)) == "2025年5月31日"
    assert display.day(None) == ""


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, "令和6年度（2024年度）"), ("2019", "令和元年度（2019年度）"), (2018, "平成30年度（2018年度）"), (None, "")],
)
def test_a_fiscal_year_in_reiwa(year, expected):
    assert display.fiscal_year(year) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("1-1", "１－①"),
        ("1-2", "１－②"),
        ("2-1", "２－①"),
        ("１－①", "１－①"),  # typed the sheet's way
        ("3", "3"),
        ("", ""),
        ("a", "a"),
    ],
)
def test_the_indicator_number_as_the_sheet_prints_it(label, expected):
    assert display.indicator_number(label) == expected


@pytest.mark.parametrize(
    ("field_name", "value", "expected"),
    [
        ("actual_value", None, "—"),
        ("actual_value", D("139.0000"), "139.0"),  # a rate
        ("target_value", D("9.0000"), "9.0"),  # the unit is %
        ("achievement", D("100.000"), "100.0%"),
        ("actual_state", ActualState.NUMBER, "Number"),
        ("grade", "", "—"),
    ],
)
def test_a_history_line_shows_a_field_by_the_same_rules(field_name, value, expected):
    with translation.override("en"):
        assert display.field_value(ResultValue._meta.get_field(field_name), value, unit="%", decimals=1) == expected


def test_a_history_line_shows_a_person_a_moment_and_yes_or_no():
    field = models.Field(name="any")
    with translation.override("ja"):
        assert display.field_value(field, _User("tanaka", "田中")) == "田中"
        assert display.field_value(field, dt.datetime(2024, 6, 30, 15, 30, tzinfo=UTC)) == "2024/07/01 0:30"
        assert display.field_value(field, True) == "はい"


def test_the_day_of_a_moment_is_its_day_in_japan():
    with translation.override("ja"):
        assert display.day(dt.datetime(2024, 6, 30, 15, 30, tzinfo=UTC)) == "2024年7月1日"


# Grades of any scheme: a badge's look by rank, a label's meaning, a state's name -----------------------


@pytest.mark.parametrize(
    ("preset", "tones"),
    [
        ("setagaya", {"A": "a", "B": "b", "C": "c", "D": "d"}),  # exactly today's look
        ("kanagawa", {"○": "a", "×": "d"}),
        ("fukuoka", {"a": "a", "b": "b", "c": "d"}),
        ("sano", {"7": "a", "6": "a", "5": "b", "4": "b", "3": "c", "2": "c", "1": "d"}),
        ("akiruno", {"S": "a", "A": "b", "B": "c", "C": "d", "F": "state", "X": "state", "Y": "state", "Z": "state"}),
    ],
)
def test_grade_tones_rank_a_schemes_labels_best_first_and_its_states_neutral(preset, tones):
    assert display.grade_tones(scheme_files.preset(preset)) == tones


def test_grade_tone_of_setagaya_by_default_and_of_no_grade():
    assert [display.grade_tone(code) for code in ("A", "B", "C", "D", "", None)] == ["a", "b", "c", "d", "none", "none"]
    assert display.grade_tone("順調", scheme_files.preset("kanagawa")) == "a"  # a roll-up label by its rank
    assert display.grade_tone("遅れている", scheme_files.preset("kanagawa")) == "d"


def test_grade_meaning_and_state_name_follow_the_language():
    akiruno = scheme_files.preset("akiruno")
    with translation.override("ja"):
        assert display.grade_meaning("S", akiruno) == "目標値以上"
        assert display.grade_meaning("X", akiruno) == "未着手"  # a state's label: the state's name
        assert display.state_name("cancelled", akiruno) == "中止"
        assert display.state_name(ActualState.TALLYING, akiruno) == "集計中"
    with translation.override("en"):
        assert display.grade_meaning("S", akiruno) == "Above the target"
        assert display.grade_meaning("X", akiruno) == "Not started"
        assert display.grade_meaning("概ね順調", scheme_files.preset("kanagawa")) == "Two thirds or more met"
        assert display.state_name("cancelled", akiruno) == "Cancelled"
        assert display.state_name(ActualState.TALLYING, akiruno) == "集計中"  # the sheet's word in every language
    assert display.grade_meaning("", akiruno) == display.grade_meaning("Q", akiruno) == ""


def test_history_line_names_a_state_of_the_plans_scheme():
    field = ResultValue._meta.get_field("actual_state")
    akiruno = scheme_files.preset("akiruno")
    with translation.override("ja"):
        assert display.field_value(field, "not_started", scheme=akiruno) == "未着手"
        assert display.field_value(field, "difficult", scheme=akiruno) == "評価困難"
        assert display.field_value(field, ActualState.NUMBER, scheme=akiruno) == "数値"
        assert display.field_value(field, "not_started") == "not_started"  # not a state of Setagaya's
