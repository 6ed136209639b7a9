"""An id in a query parameter or a form field, as our pages write it; anything else is no id. No database."""

import pytest

from evaluation.views.params import MAX_ID, parse_id


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), (" 42 ", 42), ("2147483647", MAX_ID), ("0007", 7)])
def test_ascii_digits_naming_a_database_integer_are_an_id(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [None, "", "²", "１２", "٣", "1e3", "-1", "0", "+1", "1.0", "1_000", "2147483648", "9" * 30, "1 2", "abc", "[]"],
)
def test_anything_else_is_no_id(raw):
    assert parse_id(raw) is None
