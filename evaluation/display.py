"""How a value is shown, in one place: pages, sheets, mail, exports and the report all print through
here, so one stored figure reads the same everywhere.

Texts (`str`) are for pages, mail and the printed report; `*_cell` functions give a spreadsheet cell
its value, which keeps numbers as numbers (Decimal) so Excel can sum them.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from evaluation.domain.enums import ActualState
from evaluation.domain.fiscal_year import display_fiscal_year

EMPTY = "—"  # an empty cell on a page (em dash)
NOT_GRADED = "ー"  # no grade, as the sheet prints it (katakana long vowel mark)
TALLYING = "集計中"  # the sheet's word for an actual still being tallied, in every language


def plain_decimal(value: Decimal) -> Decimal:
    """Drop the database's trailing zeros (Decimal('430.0000') → Decimal('430')), never to an exponent."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def number(value: Decimal | None, places: int | None = None) -> str:
    """A Decimal as staff read it: grouping commas (1,816), no exponent, no trailing zeros unless
    `places` is given (then exactly that many decimals, rounded half up). Empty for None."""
    if value is None:
        return ""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    else:
        value = plain_decimal(value)
    return f"{value:,f}"


def achievement_cell(value: Decimal | None, decimals: int) -> Decimal | None:
    """The stored achievement with the plan's number of decimals (Decimal('96.7')); None stays None."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def achievement(value: Decimal | None, decimals: int) -> str:
    """An achievement as printed, with the plan's decimals: 「100.0%」「9.0%」; 「—」 when none."""
    if value is None:
        return EMPTY
    return f"{number(value, decimals)}%"


def grade(value: str | None) -> str:
    """A grade as the sheet prints it: A, B, C, D, or ー when not graded."""
    return value or NOT_GRADED


def actual(state: str, value: Decimal | None, text: str) -> str:
    """An actual as entered: 「1,816」, 「集計中」, the words of a text answer, or 「—」 when empty."""
    if state == ActualState.NUMBER:
        return number(value)
    if state == ActualState.TALLYING:
        return TALLYING
    if state == ActualState.TEXT:
        return text
    return EMPTY


def plan_value(value: Decimal | None, text: str) -> str:
    """A baseline, plan value or target as printed: 「1,816」, 「課題整理」, or empty."""
    return number(value) if value is not None else (text or "")


def person(user) -> str:
    """A person's name (full name, else the user name); 「(system)」 for a change no one made by hand."""
    if user is None:
        return str(_("(system)"))
    return user.get_full_name() or user.get_username()


def fiscal_year(year: int | None) -> str:
    """2024 → 「令和6年度（2024年度）」; empty for no year."""
    return display_fiscal_year(int(year)) if year not in (None, "") else ""


def moment(value: dt.datetime | None) -> str:
    """A date and time in Japan time (Asia/Tokyo), in the language's short format; empty for None."""
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def day(value: dt.date | None) -> str:
    """A date in the language's format; empty for None."""
    return date_format(value) if value is not None else ""
