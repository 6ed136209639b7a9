"""The one reader of every uploaded or imported file: the plan workbook (the command, the admin's
import through resources.py) and the department's entry sheet all come in here.

It knows files, not plans: it detects the format (CSV or XLSX, by extension or content) and the
encoding of a CSV (UTF-8 with or without BOM, else Shift_JIS/cp932), and returns rows of stripped
strings keyed by the header. The size and shape limits of an upload live here, so that every path
that reads a file refuses the same things.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from evaluation.workbook.cells import clean_cell
from evaluation.workbook.errors import UnreadableWorkbook

# Limits of an uploaded or imported file.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # an entry sheet: the department's rows, far below this
ENTRY_SHEET_EXTENSIONS = (".xlsx", ".csv")  # what the entry sheet page accepts
CSV_EXTENSIONS = (".csv",)
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
XLSX_SIGNATURE = b"PK\x03\x04"  # a zip: how an XLSX upload without a name is recognised
CSV_ENCODINGS = ("utf-8-sig", "cp932")  # tried in this order; utf-8-sig also reads UTF-8 without BOM


def read_workbook(source, filename: str | None = None) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX workbook as dicts {header: stripped string}; blank cells are "".

    `source` is a path or a binary file object (an upload); `filename` gives the extension when the
    source has no name. Row i of the list is spreadsheet row i + 2 (blank rows are kept, so the
    numbering holds; trailing blank rows are dropped). Raises UnreadableWorkbook.
    """
    name = filename or (str(source) if isinstance(source, str | os.PathLike) else getattr(source, "name", "")) or ""
    try:
        data = _read_bytes(source)
    except OSError as error:
        raise UnreadableWorkbook(
            _("The file %(name)s cannot be read (%(error)s).") % {"name": name, "error": error.strerror or error}
        ) from error
    table = _read_table(data, name)
    if not table:
        raise UnreadableWorkbook(_("The file is empty."))
    return _rows_by_header(table)


def _read_table(data: bytes, name: str) -> list[list[Any]]:
    extension = Path(name).suffix.lower()
    if not extension:
        extension = XLSX_EXTENSIONS[0] if data.startswith(XLSX_SIGNATURE) else CSV_EXTENSIONS[0]
    if extension in CSV_EXTENSIONS:
        return _read_csv(data)
    if extension in XLSX_EXTENSIONS:
        return _read_xlsx(data)
    raise UnreadableWorkbook(
        _("The file %(name)s is neither a CSV nor an Excel (.xlsx) file.") % {"name": Path(name).name}
    )


def _rows_by_header(table: list[list[Any]]) -> list[dict[str, str]]:
    headers = [clean_cell(cell) for cell in table[0]]
    while headers and not headers[-1]:
        headers.pop()
    duplicates = sorted({header for header in headers if header and headers.count(header) > 1})
    if duplicates:
        raise UnreadableWorkbook(
            _("The header row names a column more than once: %(columns)s.")
            % {"columns": "、".join(f"「{column}」" for column in duplicates)}
        )
    rows = []
    for cells in table[1:]:
        values = [clean_cell(cell) for cell in cells]
        values += [""] * (len(headers) - len(values))
        rows.append({header: values[index] for index, header in enumerate(headers) if header})
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


def _read_bytes(source) -> bytes:
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    if hasattr(source, "chunks"):  # a Django UploadedFile
        return b"".join(source.chunks())
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise UnreadableWorkbook(
        _("The CSV file is neither UTF-8 nor Shift_JIS. Save it from Excel as “CSV UTF-8” and import it again.")
    )


def _read_xlsx(data: bytes) -> list[list[Any]]:
    import openpyxl  # imported here: only the XLSX path needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException…)
        raise UnreadableWorkbook(
            _("The Excel file cannot be read (%(error)s). Save it as .xlsx and import it again.")
            % {"error": type(error).__name__}
        ) from error
    try:
        if not book.worksheets:
            return []
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
