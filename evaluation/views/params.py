"""Ids in query parameters and form fields, read as our own pages write them: ASCII digits naming a
positive database integer. Anything else (「²」「１２」「٣」「1e3」「-1」 a 30-digit number, a word) is
no id, and the view answers as it does for an unknown one (ignored, 404 or 400), never with a 500."""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the smallest integer column an id goes into
_ID = re.compile(r"[0-9]{1,10}")


def parse_id(raw: str | None) -> int | None:
    """The id written in `raw` (surrounding spaces allowed), or None."""
    if raw is None:
        return None
    raw = raw.strip()
    if not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None
