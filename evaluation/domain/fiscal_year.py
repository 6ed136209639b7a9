"""Fiscal years (年度, April to March) both ways: 令和6年度 ↔ 2024. No Django import."""

from __future__ import annotations

import re
import unicodedata

# (era name, western year of its first fiscal year minus one). 令和元年度 = FY2019; so is 平成31年度,
# the name that fiscal year had before the era changed in May 2019.
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_ROMAN_ERAS = {"R": "令和", "H": "平成", "S": "昭和"}
_WAREKI = re.compile(
    r"^(?P<era>令和|平成|昭和|[RHS])\.?\s*(?P<year>元|\d{1,2}|[一二三四五六七八九十]{1,3})\s*(年度|年)?$", re.IGNORECASE
)
_KANJI_DIGITS = {digit: value for value, digit in enumerate("〇一二三四五六七八九")}
_WESTERN = re.compile(r"^(?P<year>\d{4})\s*(年度|年)?$")


class FiscalYearError(ValueError):
    def __init__(self, text: str):
        super().__init__(f"not a fiscal year: {text!r}")
        self.text = text


def parse_fiscal_year(text: str | int) -> int:
    """「令和6年度」「令和６年度」「令和元年度」「平成31年度」「R6」「2024」「2024年度」 → the western year."""
    if isinstance(text, int):
        return text
    value = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    if match := _WESTERN.match(value):
        return int(match["year"])
    if match := _WAREKI.match(value):
        era = _ROMAN_ERAS.get(match["era"].upper(), match["era"])
        year = _era_year(match["year"])
        if year < 1:
            raise FiscalYearError(str(text))
        return ERAS[era] + year
    raise FiscalYearError(str(text))


_PERIOD_SEPARATOR = re.compile(r"\s*[～〜~\-‐–—－]\s*")


def parse_period(text: str) -> tuple[int, int]:
    """A plan's period: 「令和6年度～令和9年度」「2024～2027」「R6-R9」 → (2024, 2027). Raises
    FiscalYearError for anything else, or a period that ends before it begins."""
    value = unicodedata.normalize("NFKC", str(text)).strip()
    parts = _PERIOD_SEPARATOR.split(value)
    if len(parts) != 2 or not all(parts):
        raise FiscalYearError(str(text))
    first, last = (parse_fiscal_year(part) for part in parts)
    if first > last:
        raise FiscalYearError(str(text))
    return first, last


def display_period(first: int, last: int) -> str:
    """(2024, 2027) → 「令和6年度～令和9年度」, as the workbook writes the plan's period."""
    return f"{era_name(first)}～{era_name(last)}"


def _era_year(text: str) -> int:
    """「元」 → 1, 「6」 → 6, and kanji numerals as typed in documents: 「六」 → 6, 「十二」 → 12, 「三十一」 → 31."""
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return _KANJI_DIGITS[text] if len(text) == 1 else -1
    return (_KANJI_DIGITS.get(tens, -1) if tens else 1) * 10 + (_KANJI_DIGITS.get(ones, -1) if ones else 0)


def era_name(year: int) -> str:
    """2024 → 「令和6年度」, 2019 → 「令和元年度」, 2018 → 「平成30年度」."""
    for era, offset in sorted(ERAS.items(), key=lambda item: -item[1]):
        if year > offset:
            number = year - offset
            return f"{era}{'元' if number == 1 else number}年度"
    return f"{year}年度"


def display_fiscal_year(year: int) -> str:
    """2024 → 「令和6年度（2024年度）」, as the sheet and the pages print it."""
    return f"{era_name(year)}（{year}年度）"
