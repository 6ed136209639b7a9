"""Numbers typed the Japanese way, parsed to exact Decimals. No database."""

from decimal import Decimal

import pytest

from evaluation.domain.numbers import (
    EMPTY,
    FIGURE,
    TALLYING,
    THRESHOLD,
    NumberError,
    format_number,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1816", "1816"),
        ("１８１６", "1816"),  # full-width digits
        ("１，８１６", "1816"),  # full-width comma
        ("1,816", "1816"),
        ("1、816", "1816"),  # ideographic comma typed for a comma
        ("１２，３４５，６７８", "12345678"),
        ("２８７．１", "287.1"),  # full-width period
        ("287.1", "287.1"),
        ("287。1", "287.1"),  # ideographic full stop typed for a period
        ("1,234.50", "1234.50"),
        (".5", "0.5"),
        ("0", "0"),
        ("２８７．１％", "287.1"),  # ％ is always accepted
        ("9.0%", "9.0"),
        ("12 %", "12"),
        ("　１２　", "12"),  # surrounding full-width spaces
        (" 12 ", "12"),
        ("△５", "-5"),  # the accounting minus
        ("▲1,200", "-1200"),
        ("－５", "-5"),  # full-width hyphen-minus
        ("−5", "-5"),  # minus sign U+2212
        ("-0.5", "-0.5"),
        ("+3", "3"),
    ],
)
def test_japanese_typing_parses_to_the_exact_decimal(text, expected):
    value = parse_number(text)

    assert isinstance(value, Decimal)
    assert value == Decimal(expected)
    assert str(value) == expected.lstrip("+")  # exact: no float went through, digits kept


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("２２６件", "件", "226"),
        ("226 件", "件", "226"),
        ("１，８３０人", "人", "1830"),
        ("12箇所", "箇所", "12"),
        ("9.0％", "%", "9.0"),
        ("9.0%", "％", "9.0"),  # the indicator's unit written full-width
        ("12人", "", "12"),  # no unit to compare with: a trailing word is taken as the unit
    ],
)
def test_a_trailing_unit_matching_the_indicators_is_accepted(text, unit, expected):
    assert parse_number(text, unit) == Decimal(expected)


@pytest.mark.parametrize(("text", "unit"), [("12人", "件"), ("１，８１６人", "件"), ("3回", "%"), ("12abc", "件")])
def test_another_unit_than_the_indicators_is_refused(text, unit):
    with pytest.raises(NumberError) as error:
        parse_number(text, unit)

    assert error.value.code == "unit_mismatch"
    assert error.value.text == text
    assert error.value.unit == unit


@pytest.mark.parametrize("text", ["集計中", "　集計中　", " 集計中"])
def test_still_tallying_is_a_status_not_a_number(text):
    assert parse_number(text) is TALLYING


@pytest.mark.parametrize("text", [None, "", "   ", "　　"])
def test_blank_is_empty(text):
    assert parse_number(text) is EMPTY


@pytest.mark.parametrize(("value", "expected"), [(Decimal("1.50"), Decimal("1.50")), (7, Decimal(7))])
def test_numbers_already_parsed_pass_through(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("text", ["1,23", "12,3456", "1,,234", "1,234,56", "１，２３"])
def test_commas_not_in_groups_of_three_are_refused(text):
    with pytest.raises(NumberError) as error:
        parse_number(text)

    assert error.value.code == "bad_grouping"


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("abc", ""),
        ("abc", "件"),
        ("約12", "件"),
        ("-", ""),
        ("ー", ""),  # the sheet's "no grade" dash is not a number
        (",123", ""),
        ("1.2.3", ""),
        ("1.2.3", "件"),
        ("5.", "件"),
        ("1 816", ""),
        ("12%%", ""),
        ("一部運用", "件"),  # a qualitative actual is text, not a number
    ],
)
def test_garbage_is_not_a_number(text, unit):
    with pytest.raises(NumberError) as error:
        parse_number(text, unit)

    assert error.value.code == "not_a_number"


def test_number_error_is_a_value_error_naming_the_code_and_the_text():
    with pytest.raises(ValueError, match=r"bad_grouping: '1,23'"):
        parse_number("1,23")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (None, None, ""),
        (Decimal("1816"), None, "1,816"),
        (Decimal("1816.0000"), None, "1,816"),  # stored with 4 decimals, printed as typed
        (Decimal("287.10"), None, "287.1"),
        (Decimal("1234567.5"), None, "1,234,567.5"),
        (Decimal("1E+3"), None, "1,000"),  # never an exponent
        (Decimal("0.0001"), None, "0.0001"),
        (Decimal("-1234"), None, "-1,234"),
        (Decimal("100"), 1, "100.0"),
        (Decimal("231.65"), 1, "231.7"),  # half up, like the grading rule
        (Decimal("0.25"), 1, "0.3"),  # half up, not half to even
        (Decimal("0.35"), 1, "0.4"),
        (Decimal("1234.5"), 0, "1,235"),
    ],
)
def test_format_number_prints_what_staff_read(value, places, expected):
    assert format_number(value, places) == expected


@pytest.mark.parametrize("text", ["１，８１６", "287.1", "△５", "0.0001", "12,345,678"])
def test_a_formatted_number_parses_back_to_the_same_value(text):
    value = parse_number(text)

    assert parse_number(format_number(value)) == value


# What the database keeps of a figure (FIGURE: 14 digits before the point, 4 after) -------------------


@pytest.mark.parametrize(
    "text", ["99999999999999", "９９，９９９，９９９，９９９，９９９", "-99999999999999.9999", "0.0001", "1.50000"]
)
def test_a_figure_the_database_holds_is_taken(text):
    assert isinstance(parse_number(text), Decimal)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("100000000000000", "too_large"),  # 15 digits: the entry page's 500 of the issue
        ("1" * 30, "too_large"),  # more digits than Python's decimal context: the live preview's 500
        ("△" + "9" * 20, "too_large"),
        ("１２３，４５６，７８９，０１２，３４５", "too_large"),
        ("0.12345", "too_precise"),  # a fifth decimal would be rounded away silently
        ("12.00001％", "too_precise"),
    ],
)
def test_a_figure_the_database_cannot_hold_is_refused_as_a_number(text, code):
    with pytest.raises(NumberError) as error:
        parse_number(text)

    assert error.value.code == code
    assert error.value.typed_as_number  # never taken as a text, where a text is allowed
    assert error.value.digits == FIGURE


@pytest.mark.parametrize(("value", "code"), [(Decimal("1E+14"), "too_large"), (10**20, "too_large")])
def test_a_figure_already_parsed_is_held_to_the_same_limits(value, code):
    with pytest.raises(NumberError) as error:
        parse_number(value)

    assert error.value.code == code


def test_other_limits_can_be_asked_for():
    assert parse_number("99999.99", digits=THRESHOLD) == Decimal("99999.99")
    with pytest.raises(NumberError):
        parse_number("100000", digits=THRESHOLD)


@pytest.mark.parametrize("text", ["²", "10²", "①", "٣", "𝟏𝟐", "1２³"])
def test_digits_staff_do_not_type_for_numbers_are_not_a_number(text):
    """NFKC would read 「10²」 as 102 and 「①」 as 1: such characters are refused, not misread."""
    with pytest.raises(NumberError) as error:
        parse_number(text)

    assert error.value.code == "not_a_number"
    assert not error.value.typed_as_number


def test_a_unit_with_a_superscript_is_still_a_unit():
    assert parse_number("５km²", "km²") == Decimal(5)
