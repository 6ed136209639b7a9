"""The arithmetic of the report's Excel book (evaluation.report.xlsx), apart from openpyxl: the
worksheets' names, a figure's number format, how tall a wrapped text stands in a column, the rows'
heights and where the pages break.

A spreadsheet does not grow a merged cell with its text, and it breaks pages wherever a page is full,
through the middle of an initiative; so the book sets every row's height from the texts it carries
and breaks its pages itself, between initiatives, the way the PDF does. Both are estimates from the
characters (the book's face is proportional): a little generous, never short.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from evaluation.report.sheet_parts import Figure, PrintedArea

SHEET_NAME_LIMIT = 31
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")

BODY_SIZE = 9  # points
LINE_HEIGHT = 12.0  # points a text line takes at BODY_SIZE
PADDING = 3.0  # points above and below a cell's text
# Half-width characters a column of width 1 holds at BODY_SIZE: the face shows about 1.15 (measured in
# LibreOffice with Calibri's metrics, which set Excel's column width); kept a tenth short so that the
# spreadsheet's own wrapping stays within the rows.
CHARACTERS_PER_WIDTH = 1.05
_KANA = ("HIRAGANA", "KATAKANA")

# A4 landscape with the narrow margins, in points, and a column of width 1 (seven pixels).
PRINTABLE_WIDTH = (841.9 - 2 * 0.25 * 72) * 0.98
PRINTABLE_HEIGHT = (595.3 - 2 * 0.75 * 72) * 0.97
POINTS_PER_WIDTH = 7 * 0.75


def area_titles(areas: list[PrintedArea]) -> list[str]:
    """Each area's short title, 「推進施策1」 from its heading 「推進施策1　title」; 「柱2 推進施策1」 where
    the plan numbers its areas afresh in each pillar (Setagaya's does)."""
    titles = [(area.heading.split() or [""])[0] for area in areas]
    if len(set(titles)) == len(titles):
        return titles
    pillar, prefixed = "", []
    for area, title in zip(areas, titles, strict=True):
        if area.pillar_heading:
            pillar = (area.pillar_heading.split() or [""])[0].translate(_TO_ASCII)
        prefixed.append(f"柱{pillar} {title}" if pillar else title)
    return prefixed


def sheet_name(title: str, taken: set[str]) -> str:
    """A worksheet's name: the title without the characters Excel forbids (and no apostrophe at
    either end), within its 31 characters, unique among `taken` regardless of case (「推進施策1 (2)」)."""
    base = _FORBIDDEN_IN_SHEET_NAME.sub("", title).strip().strip("'").strip()[:SHEET_NAME_LIMIT] or "推進施策"
    taken_names = {name.casefold() for name in taken}
    name, number = base, 1
    while name.casefold() in taken_names:
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LIMIT - len(suffix)].rstrip("'") + suffix
    return name


def number_format(figure: Figure) -> str:
    """Thousands separators, the printed decimals and the unit as a literal: `#,##0.0" %"`,
    `#,##0" 回"`; `#,##0` without a unit."""
    pattern = "#,##0" + (f".{'0' * figure.places}" if figure.places else "")
    if not figure.unit:
        return pattern
    # A double quote cannot stand inside a quoted literal: it is written escaped between two parts.
    return pattern + '" ' + '"\\""'.join(figure.unit.split('"')) + '"'


def text_width(text: str) -> float:
    """Width in half-width characters: a kanji or full-width sign takes two, a kana (proportional
    in the book's face) a little less."""
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) not in "WFA":
            width += 1
        elif unicodedata.name(char, "").startswith(_KANA):
            width += 1.7
        else:
            width += 2
    return width


def text_height(text: str, width: float, *, size: float = BODY_SIZE) -> float:
    """Points a text needs wrapped in a column (or merged columns) of the given width."""
    capacity = max(1.0, width * CHARACTERS_PER_WIDTH * BODY_SIZE / size)
    lines = sum(max(1, math.ceil(text_width(part) / capacity)) for part in text.split("\n"))
    return lines * LINE_HEIGHT * size / BODY_SIZE + PADDING


@dataclass(frozen=True)
class Need:
    """Rows first..last (merged, or one row) need `height` points together."""

    first: int
    last: int
    height: float


def fit_heights(heights: dict[int, float], needs: list[Need], *, default: float) -> dict[int, float]:
    """Every row as tall as its own texts need, then each merged range as tall as its text needs,
    the missing height shared among its rows (the ranges over fewest rows first)."""
    heights = dict(heights)
    for need in sorted(needs, key=lambda need: need.last - need.first):
        rows = range(need.first, need.last + 1)
        missing = need.height - sum(heights.get(row, default) for row in rows)
        if missing > 0:
            for row in rows:
                heights[row] = heights.get(row, default) + missing / len(rows)
    return heights


def page_height(widths: tuple[float, ...]) -> float:
    """The points of rows one A4 landscape page holds when the sheet is fitted to one page wide."""
    scale = min(1.0, PRINTABLE_WIDTH / (sum(widths) * POINTS_PER_WIDTH))
    return PRINTABLE_HEIGHT / scale


def page_breaks(heights: list[float], preferred: list[int], allowed: list[int], page: float) -> list[int]:
    """The rows (1-based) after which a page ends, so that each page holds at most `page` points of
    rows: before a row of `preferred` (an initiative, a vision) where one fits, else before a row of
    `allowed` (a slot of an initiative taller than a page); where neither fits, the spreadsheet
    breaks the page itself and no later break is set."""
    tops = [0.0]
    for height in heights:
        tops.append(tops[-1] + height)
    breaks, start = [], 1
    while tops[-1] - tops[start - 1] > page:
        for candidates in (preferred, allowed):
            fitting = [row for row in candidates if start < row and tops[row - 1] - tops[start - 1] <= page]
            if fitting:
                start = max(fitting)
                breaks.append(start - 1)
                break
        else:
            return breaks
    return breaks
