"""The caps on every uploaded or imported file, by kind: what the one reader (reader.py) refuses
before it parses anything, and where it stops while it reads.

Two kinds of file come in: a department's entry sheet (any department account uploads it) and the
plan workbook (the admin's import and `manage.py import_plan`). Each cap is far above what a real
file of its kind holds and low enough that a refused file costs well under a second and under the
memory budget (docs/uploads.md). A deployment raises a kind's caps with the setting
MEZASU_FILE_LIMITS, e.g. {"plan_workbook": {"max_rows": 20_000}} (config/settings.py).

The caps on XML elements bound openpyxl's work, which is slow per element (a shared string or a
style takes it tens of microseconds; a cell a few): cells and rows of the sheets, the shared
strings, and everything else (styles, the workbook, relations, the sheets' set-up) are counted
apart, over the whole package, before openpyxl reads any part.
"""

from __future__ import annotations

import dataclasses
import enum

from django.conf import settings

MIB = 1024 * 1024


class FileKind(enum.StrEnum):
    ENTRY_SHEET = "entry_sheet"
    PLAN_WORKBOOK = "plan_workbook"


@dataclasses.dataclass(frozen=True)
class FileLimits:
    max_bytes: int  # the file as uploaded
    max_rows: int  # spreadsheet rows read, header included, blank rows included
    max_columns: int
    max_cell_chars: int  # one CSV cell (a longer one is refused, never read whole)
    # An XLSX file is a zip package: checked from its central directory before anything is inflated …
    max_parts: int
    max_part_bytes: int  # one part inflated (a sheet, the shared strings)
    max_small_part_bytes: int  # one of the other parts inflated (styles, workbook, relations …)
    max_unpacked_bytes: int  # all parts inflated together
    max_ratio: int  # inflated ÷ compressed size of a part larger than RATIO_FLOOR
    # … then its XML parts, counted as they are inflated (no DTD, no entity: defusedxml's rule).
    max_cell_elements: int  # rows, cells and their values in the sheets
    max_string_elements: int  # the shared strings (a string and its runs and phonetic guides)
    max_other_elements: int  # everything else


RATIO_FLOOR = 1 * MIB  # a small part's ratio says nothing; a large one packed 200 times over is a bomb

DEFAULT_LIMITS = {
    # A department's sheet lists its own rows of one year: tens, a few hundred at most, in 18 columns.
    FileKind.ENTRY_SHEET: FileLimits(
        max_bytes=5 * MIB,
        max_rows=2_000,
        max_columns=40,
        max_cell_chars=32_768,
        max_parts=100,
        max_part_bytes=8 * MIB,
        max_small_part_bytes=2 * MIB,
        max_unpacked_bytes=16 * MIB,
        max_ratio=200,
        max_cell_elements=60_000,
        max_string_elements=20_000,
        max_other_elements=8_000,
    ),
    # A whole plan: the demo has 136 rows a year and 35 columns; a plan of several years and
    # several hundred indicators stays far below these. Five years of a 2,500-indicator plan (12,600
    # rows) need higher caps, which put the worst file they let through over the memory budget: the
    # figures and the setting are in docs/uploads.md ("A plan workbook of several years").
    FileKind.PLAN_WORKBOOK: FileLimits(
        max_bytes=5 * MIB,
        max_rows=4_000,
        max_columns=48,
        max_cell_chars=32_768,
        max_parts=100,
        max_part_bytes=32 * MIB,
        max_small_part_bytes=2 * MIB,
        max_unpacked_bytes=64 * MIB,
        max_ratio=200,
        max_cell_elements=200_000,
        max_string_elements=80_000,
        max_other_elements=8_000,
    ),
}


def limits_for(kind: FileKind) -> FileLimits:
    """The caps of a kind of file: the defaults above, with the deployment's MEZASU_FILE_LIMITS over them."""
    overrides = getattr(settings, "MEZASU_FILE_LIMITS", {}).get(str(kind), {})
    return dataclasses.replace(DEFAULT_LIMITS[kind], **overrides)


def largest_upload_bytes() -> int:
    """The most any upload may weigh: the upload handler stops storing a file past this."""
    return max(limits_for(kind).max_bytes for kind in FileKind)
