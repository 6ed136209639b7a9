"""Numbers typed the Japanese way: 「１，８１６」「２８７．１％」「２２６件」「集計中」.

One parser for the importer and every form. It returns an exact Decimal, the TALLYING status, or
EMPTY, or raises NumberError whose `code` says what was wrong. No float anywhere; no Django import.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TALLYING_WORDS = ("集計中",)


class _Status(str):
    """A text status in place of a number."""


TALLYING = _Status("tallying")
EMPTY = _Status("empty")


class NumberError(ValueError):
    """`code` is one of: not_a_number, bad_grouping, unit_mismatch."""

    def __init__(self, code: str, text: str, unit: str = ""):
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text
        self.unit = unit


# After NFKC: optional sign (△ and ▲ are the Japanese minus of accounting), digits with optional
# grouping commas, an optional fraction, then whatever follows (a unit or ％).
_NUMBER = re.compile(r"^(?P<sign>[-+△▲]?)\s*(?P<int>\d[\d,]*)?(?:\.(?P<frac>\d+))?\s*(?P<suffix>.*?)$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")


def normalize(text: str) -> str:
    """Full-width to half-width (digits, comma, period, ％, spaces), trimmed."""
    normalized = unicodedata.normalize("NFKC", text or "")
    # NFKC leaves the ideographic comma and full stop alone; staff type them for , and . too.
    normalized = normalized.replace("、", ",").replace("。", ".").replace("−", "-").replace("ー", "-")
    return normalized.strip()


def parse_number(text: str | None, unit: str = "") -> Decimal | _Status:
    """Parse one typed value.

    Returns a Decimal, TALLYING for 「集計中」, or EMPTY for blank. Raises NumberError otherwise.
    A trailing unit is accepted when it is ％/% or the indicator's own unit (when `unit` is given,
    another unit is refused; when it is not, any trailing word is taken as a unit).
    """
    if text is None:
        return EMPTY
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    raw = str(text)
    value = normalize(raw)
    if not value:
        return EMPTY
    if value in TALLYING_WORDS:
        return TALLYING
    match = _NUMBER.match(value)
    if not match or match["int"] is None and match["frac"] is None:
        raise NumberError("not_a_number", raw, unit)
    integer = match["int"] or "0"
    if "," in integer:
        if not _GROUPED.match(integer):
            raise NumberError("bad_grouping", raw, unit)
        integer = integer.replace(",", "")
    suffix = match["suffix"].strip()
    if suffix and not _is_unit(suffix, unit):
        # A word after the number is a unit, the wrong one; stray digits or punctuation ("5.", "1.2.3") are not.
        if unit and not re.search(r"[\d.,+\-]", suffix):
            raise NumberError("unit_mismatch", raw, unit)
        raise NumberError("not_a_number", raw, unit)
    try:
        number = Decimal(f"{integer}.{match['frac']}" if match["frac"] else integer)
    except InvalidOperation as error:  # pragma: no cover - the regex only lets digits through
        raise NumberError("not_a_number", raw, unit) from error
    return -number if match["sign"] in ("-", "△", "▲") else number


def _is_unit(suffix: str, unit: str) -> bool:
    if suffix == "%":
        return True
    if unit:
        return suffix == normalize(unit)
    # No unit to compare with: a word with no digit and no punctuation of a number.
    return not re.search(r"[\d.,+\-%]", suffix)


PERCENT_UNITS = ("%", "％")


def format_figure(value: Decimal, unit: str, decimals: int) -> str:
    """A stored figure (an actual, a baseline, a plan value, a target): as stored, without the
    database's trailing zeros; a rate (a unit of % or ％) with at least `decimals` places, more only
    when a stored digit needs them (9 → 「9.0」, 25.35 → 「25.35」). evaluation.display prints every
    figure through here; a revision records its old and new values with it."""
    if unit.strip() not in PERCENT_UNITS:
        return format_number(value)
    stored = value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))
    return format_number(value, max(decimals, -stored.as_tuple().exponent))


def format_number(value: Decimal | None, places: int | None = None) -> str:
    """A Decimal as staff read it: grouping commas, no exponent, no trailing zeros unless `places`."""
    if value is None:
        return ""
    if places is not None:
        # Half up, as the grading rule: Decimal's default context would round half to even.
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return f"{value:,f}"
