"""Numbers typed the Japanese way: 「１，８１６」「２８７．１％」「２２６件」「集計中」.

One parser for the importer and every form. It returns an exact Decimal, a State (the TALLYING status,
or another state word of the plan's grading scheme the caller passes: 「中止」 → cancelled), or EMPTY,
or raises NumberError whose `code` says what was wrong. No float anywhere; no Django import.

It is also the one place that knows how many digits the database keeps of a figure (FIGURE, and
ACHIEVEMENT and THRESHOLD for the computed percentages and the plan's settings): the models take their
DecimalFields' sizes from here, and a typed number that would not fit is refused here, with a message,
by every path that reads one (the entry page, its live preview, the entry sheet, the late figures,
the revisions, the plan import) instead of failing in the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

TALLYING_WORDS = ("集計中",)


class _Status(str):
    """A text status in place of a number."""


class State(_Status):
    """A state of the grading scheme typed in place of a figure (its code: tallying, cancelled …)."""


TALLYING = State("tallying")
EMPTY = _Status("empty")
DEFAULT_STATE_WORDS = dict.fromkeys(TALLYING_WORDS, TALLYING)  # 集計中, where no scheme is given


def state_words(states: Iterable[tuple[str, str]]) -> dict[str, State]:
    """{typed word, normalised and case-folded: State} from (word, code) pairs of a scheme's states
    (集計中 → TALLYING, 中止 → State("cancelled")), for parse_number's `states`."""
    return {normalize(word).casefold(): TALLYING if code == TALLYING else State(code) for word, code in states if word}


@dataclass(frozen=True)
class Digits:
    """What a database column of figures holds: a DecimalField's max_digits and decimal_places."""

    max_digits: int
    decimal_places: int

    @property
    def integer_digits(self) -> int:
        return self.max_digits - self.decimal_places

    @property
    def field_options(self) -> dict[str, int]:
        """The DecimalField's arguments (models.VALUE_DIGITS)."""
        return {"max_digits": self.max_digits, "decimal_places": self.decimal_places}

    def problem(self, value: Decimal) -> str | None:
        """None when the value fits; else the NumberError code: too_large or too_precise."""
        if not value.is_finite():
            return "not_a_number"
        if value and value.adjusted() >= self.integer_digits:
            return "too_large"
        if value != value.to_integral_value() and -value.normalize().as_tuple().exponent > self.decimal_places:
            return "too_precise"
        return None

    def fits(self, value: Decimal | None) -> bool:
        return value is None or self.problem(value) is None


FIGURE = Digits(18, 4)  # an actual, a target, a plan value, a baseline: 14 digits before the point, 4 after
ACHIEVEMENT = Digits(18, 3)  # the achievement in percent, rounded to at most 3 places (the plan's decimals)
THRESHOLD = Digits(7, 2)  # a grading threshold in percent (the plan's and a closed year's)


class NumberError(ValueError):
    """`code` is one of: not_a_number, bad_grouping, unit_mismatch, too_large, too_precise.
    bad_grouping, too_large and too_precise say a number was typed, only wrong (`typed_as_number`):
    where a text is allowed too, such a value is refused, never kept as a text."""

    def __init__(self, code: str, text: str, unit: str = "", digits: Digits = FIGURE):
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text
        self.unit = unit
        self.digits = digits

    @property
    def typed_as_number(self) -> bool:
        """A number typed wrong (badly grouped, too large, too many decimals), not a word."""
        return self.code in ("bad_grouping", "too_large", "too_precise")


# After NFKC: optional sign (△ and ▲ are the Japanese minus of accounting), digits with optional
# grouping commas, an optional fraction, then whatever follows (a unit or ％).
# After NFKC, ASCII digits only: Arabic-Indic and other scripts' digits are not taken for ours.
_NUMBER = re.compile(r"^(?P<sign>[-+△▲]?)\s*(?P<int>[0-9][0-9,]*)?(?:\.(?P<frac>[0-9]+))?\s*(?P<suffix>.*?)$")
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$")


def _foreign_digit(char: str) -> bool:
    """A character that NFKC would turn into a digit but that staff do not type for one: ² ① 𝟏 ٣."""
    return unicodedata.digit(char, None) is not None and not ("0" <= char <= "9" or "０" <= char <= "９")


def normalize(text: str) -> str:
    """Full-width to half-width (digits, comma, period, ％, spaces), trimmed."""
    normalized = unicodedata.normalize("NFKC", text or "")
    # NFKC leaves the ideographic comma and full stop alone; staff type them for , and . too.
    normalized = normalized.replace("、", ",").replace("。", ".").replace("−", "-").replace("ー", "-")
    return normalized.strip()


def parse_number(
    text: str | None, unit: str = "", digits: Digits = FIGURE, states: Mapping[str, State] | None = None
) -> Decimal | _Status:
    """Parse one typed value.

    Returns a Decimal, a State for a state word (`states`, state_words() of the plan's scheme; by
    default 「集計中」 → TALLYING), or EMPTY for blank. Raises NumberError otherwise.
    A trailing unit is accepted when it is ％/% or the indicator's own unit (when `unit` is given,
    another unit is refused; when it is not, any trailing word is taken as a unit). A number that
    `digits` cannot hold (by default a stored figure's) is refused: too_large, too_precise.
    """
    if text is None:
        return EMPTY
    if isinstance(text, Decimal | int):
        return _fitting(Decimal(text), str(text), unit, digits)
    raw = str(text)
    value = normalize(raw)
    if not value:
        return EMPTY
    if (state := (DEFAULT_STATE_WORDS if states is None else states).get(value.casefold())) is not None:
        return state
    if any(_foreign_digit(char) for char in (raw.replace(unit, "") if unit else raw)):  # a unit may be km²
        raise NumberError("not_a_number", raw, unit)
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
    return _fitting(-number if match["sign"] in ("-", "△", "▲") else number, raw, unit, digits)


def _fitting(number: Decimal, raw: str, unit: str, digits: Digits) -> Decimal:
    if problem := digits.problem(number):
        raise NumberError(problem, raw, unit, digits)
    return number


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


def exact_decimal(value: Fraction) -> Decimal | None:
    """The fraction as a decimal when one holds it exactly (11/2 → 5.5), else None (2/3): how a roll-up's
    share or mean is written in a file, a form and a sentence."""
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    if denominator != 1:
        return None
    return Decimal(value.numerator) / Decimal(value.denominator)
