"""Fiscal years (年度) both ways: 令和6年度 ↔ 2024. No database."""

import pytest

from evaluation.domain.fiscal_year import (
    FiscalYearError,
    display_fiscal_year,
    display_period,
    era_name,
    parse_fiscal_year,
    parse_period,
)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("令和6年度", 2024),
        ("令和６年度", 2024),  # full-width digit
        ("令和 6 年度", 2024),
        ("令和6年", 2024),
        ("令和6", 2024),
        ("令和元年度", 2019),
        ("平成31年度", 2019),  # the same fiscal year under its old name
        ("令和六年度", 2024),  # kanji numerals, as in documents
        ("平成三十一年度", 2019),
        ("令和十二年度", 2030),
        ("平成30年度", 2018),
        ("平成元年度", 1989),
        ("昭和63年度", 1988),
        ("R6", 2024),
        ("r6", 2024),
        ("R.6", 2024),
        ("Ｒ６", 2024),
        ("R06", 2024),
        ("H31", 2019),
        ("2024", 2024),
        ("2024年度", 2024),
        ("２０２４年度", 2024),
        ("　2024年度　", 2024),
        (2024, 2024),
    ],
)
def test_parse_fiscal_year(text, year):
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize(
    "text",
    [
        "",
        "令和",
        "令和0年度",
        "令和100年度",
        "大正5年度",
        "X6",
        "24",
        "abc",
        "2024年4月",
        "令和6年度上期",
        "令和十十年度",
        "令和一一年度",
    ],
)
def test_parse_fiscal_year_refuses_what_is_not_a_fiscal_year(text):
    with pytest.raises(FiscalYearError) as error:
        parse_fiscal_year(text)

    assert error.value.text == text
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("year", "name"),
    [
        (2024, "令和6年度"),
        (2027, "令和9年度"),
        (2019, "令和元年度"),  # never 平成31年度
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
    ],
)
def test_era_name(year, name):
    assert era_name(year) == name


@pytest.mark.parametrize(
    ("year", "display"),
    [(2024, "令和6年度（2024年度）"), (2019, "令和元年度（2019年度）"), (2018, "平成30年度（2018年度）")],
)
def test_display_fiscal_year_as_the_sheet_prints_it(year, display):
    assert display_fiscal_year(year) == display


@pytest.mark.parametrize("year", range(1989, 2040))
def test_era_name_parses_back_to_the_same_year(year):
    assert parse_fiscal_year(era_name(year)) == year
    assert parse_fiscal_year(display_fiscal_year(year).split("（")[0]) == year


@pytest.mark.parametrize(
    "text",
    ["令和6年度～令和9年度", "令和６年度〜令和９年度", "2024～2027", "2024-2027", "R6-R9", "令和6年度 - 令和9年度"],
)
def test_a_period_reads_as_its_first_and_last_year(text):
    assert parse_period(text) == (2024, 2027)


@pytest.mark.parametrize("text", ["2024", "令和9年度～令和6年度", "令和6年度から", "", "～2027"])
def test_anything_else_is_not_a_period(text):
    with pytest.raises(FiscalYearError):
        parse_period(text)


def test_a_period_prints_as_the_workbook_writes_it():
    assert display_period(2024, 2027) == "令和6年度～令和9年度"
