"""What a spreadsheet cell holds, in one place: the escaping against formula injection (written on
export, taken off on import) and the workbook's own words for an indicator's kind and direction.

The words are a data format (FORMAT.md), not interface text, so they are never translated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaluation import display
from evaluation.domain.enums import Direction, IndicatorKind

# A text cell starting with one of these is written with a leading apostrophe so that no spreadsheet
# runs it as a formula; reading takes the apostrophe off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

KIND_WORDS = {IndicatorKind.ACTIVITY: "行動量", IndicatorKind.OUTCOME: "成果指標"}
DIRECTION_WORDS = {Direction.HIGHER: "高いほど良い", Direction.LOWER: "低いほど良い", Direction.QUALITATIVE: "定性"}
KIND_OF_WORD = {word: kind for kind, word in KIND_WORDS.items()}
DIRECTION_OF_WORD = {word: direction for direction, word in DIRECTION_WORDS.items()}


def spreadsheet_safe(value: Any) -> Any:
    """Guard a cell against formula injection: a text beginning with = + - @ tab or carriage return
    gets a leading apostrophe, so a spreadsheet shows it as text instead of running it.

    Only texts are touched: a number (Decimal, int) is returned as it is, so -5 stays the number -5."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def clean_cell(value: Any) -> str:
    """A cell as the exact text typed: floats by their shortest repr (never float arithmetic), and
    the apostrophe `spreadsheet_safe` put before a formula-like text taken off again."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text


def number_or_text_cell(number: Decimal | None, text: str) -> Decimal | str | None:
    """A plan value or target as a cell: the number (kept a number, without the database's trailing
    zeros), else its text, else None for a blank cell."""
    if number is not None:
        return display.plain_decimal(number)
    return text or None
