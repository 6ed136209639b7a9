"""Footnote marks per fiscal year (※, ※2, ※3): an indicator's own marks (the plan workbook's 注記,
Indicator.footnote) are printed every year; a revision's mark (Revision.footnote) belongs to the
year it was made for (Revision.fiscal_year), and a baseline's revision (no year: the 策定時 baseline
is printed the same in every year) to every year. A year prints the indicator's own marks, then each
revision mark of that year it does not already carry: never doubled, never another year's."""

from __future__ import annotations

import re
from collections.abc import Iterable

_MARK = re.compile(r"※\s*[0-9０-９]*")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")


def _key(mark: str) -> str:
    return "".join(mark.split()).translate(_TO_ASCII)


def year_marks(own: str, revision_marks: Iterable[str] = ()) -> str:
    """The marks printed after an indicator's name in one year: `own`, then each of `revision_marks`
    (the year's revisions' marks, oldest first) not already among them (「※」 + 「※3」 → 「※※3」)."""
    printed = own or ""
    seen = {_key(mark) for mark in _MARK.findall(printed)}
    for mark in revision_marks:
        key = _key(mark or "")
        if key and key not in seen:
            seen.add(key)
            printed += mark
    return printed
