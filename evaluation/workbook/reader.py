"""The one reader of every uploaded or imported file: the plan workbook (the command, the admin's
import through resources.py) and the department's entry sheet all come in here.

It knows files, not plans: it detects the format (CSV or XLSX, by extension or content) and the
encoding of a CSV (UTF-8 with or without BOM, else Shift_JIS/cp932), and returns rows of stripped
strings keyed by the header. Every cap of a file lives in limits.py and is applied here, for every
path alike, before anything is parsed or while it is read, never after:

- the file's size, before a byte is read (an upload's declared size, a path's size on disk, and
  no more than the cap is ever read);
- an XLSX package's parts, sizes and compression, then its XML (xlsx_package.py), then its rows
  and columns as openpyxl reads them (xlsx_rows.py; the sheet's declared dimension is ignored);
- a CSV's rows, columns and cell lengths as it is decoded and parsed, a stream never held whole;
- NUL characters, refused in either format with the row and column that holds one;
- the header's duplicate names, found in one pass.

A refused file raises UnreadableWorkbook, whose message says what is wrong and where.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation.workbook.cells import clean_cell
from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind, FileLimits, limits_for
from evaluation.workbook.xlsx_package import (
    OLE_SIGNATURE,
    ZIP_SIGNATURE,
    CheckedPackage,
    broken_message,
    refuse_zip_directory,
    too_many_columns_message,
    too_many_rows_message,
)
from evaluation.workbook.xlsx_rows import first_sheet_rows

ENTRY_SHEET_EXTENSIONS = (".xlsx", ".csv")  # what the entry sheet page accepts
CSV_EXTENSIONS = (".csv",)
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
XLSX_SIGNATURE = ZIP_SIGNATURE  # a zip: how an XLSX upload without a name is recognised
CSV_ENCODINGS = ("utf-8-sig", "cp932")  # tried in this order; utf-8-sig also reads UTF-8 without BOM
NUL = "\x00"


def read_workbook(source, filename: str | None = None, *, kind: FileKind = FileKind.PLAN_WORKBOOK) -> list[dict]:
    """The rows of a CSV or XLSX workbook as dicts {header: stripped string}; blank cells are "".

    `source` is a path or a binary file object (an upload); `filename` gives the extension when the
    source has no name; `kind` chooses the caps (limits.py). Row i of the list is spreadsheet row
    i + 2 (blank rows are kept, so the numbering holds; trailing blank rows are dropped). Raises
    UnreadableWorkbook, before parsing when the file is too large or its package is not sound.
    """
    limits = limits_for(kind)
    name = _name_of(source, filename)
    data = _read_bytes(source, name, limits)
    table = _read_table(data, name, limits)
    if not table:
        raise UnreadableWorkbook(_("The file is empty."))
    return _rows_by_header(table)


def check_file(source, filename: str | None = None, *, kind: FileKind = FileKind.PLAN_WORKBOOK) -> None:
    """Read the file as read_workbook does and refuse it the same way, keeping nothing: for a form
    that must refuse a file before it is kept anywhere. Raises UnreadableWorkbook."""
    read_workbook(source, filename, kind=kind)


def _name_of(source, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(source, str | os.PathLike):
        return str(source)
    return getattr(source, "name", "") or ""


def _read_bytes(source, name: str, limits: FileLimits) -> bytes:
    """The file's bytes, its size checked first and never more than the cap read."""
    try:
        if isinstance(source, str | os.PathLike):
            size = _refuse_size(Path(source).stat().st_size, limits)
            with Path(source).open("rb") as file:
                data = file.read(size + 1)
        else:
            size = _refuse_size(_declared_size(source), limits)
            if hasattr(source, "seek"):
                source.seek(0)
            data = source.read(size + 1 if size else limits.max_bytes + 1)
    except OSError as error:
        raise UnreadableWorkbook(
            _("The file %(name)s cannot be read (%(error)s).") % {"name": name, "error": error.strerror or error}
        ) from error
    data = data.encode("utf-8") if isinstance(data, str) else data
    _refuse_size(len(data), limits)
    return data


def _declared_size(source) -> int:
    """An upload's size as Django counted it, else a file object's length (0 when it has none)."""
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    if hasattr(source, "seek") and hasattr(source, "tell"):
        position = source.seek(0, io.SEEK_END)
        source.seek(0)
        return position
    return 0


def _refuse_size(size: int, limits: FileLimits) -> int:
    if size > limits.max_bytes:
        raise UnreadableWorkbook(too_large_message(size, limits))
    return size


def too_large_message(size: int, limits: FileLimits) -> str:
    """The refusal of a file by its size alone; in bytes when the sizes round alike (10.0 MB, 10.0 MB)."""
    printed, limit = filesizeformat(size), filesizeformat(limits.max_bytes)
    if printed == limit:
        printed, limit = _bytes(size), _bytes(limits.max_bytes)
    return _("The file is %(size)s; a file of this kind may be at most %(limit)s.") % {"size": printed, "limit": limit}


def _bytes(count: int) -> str:
    return ngettext("%(count)s byte", "%(count)s bytes", count) % {"count": f"{count:,}"}


def _read_table(data: bytes, name: str, limits: FileLimits) -> list[list[Any]] | list[tuple[Any, ...]]:
    extension = Path(name).suffix.lower()
    if not extension:
        extension = XLSX_EXTENSIONS[0] if data.startswith(XLSX_SIGNATURE) else CSV_EXTENSIONS[0]
    if extension in CSV_EXTENSIONS:
        return _read_csv(data, limits)
    if extension in XLSX_EXTENSIONS:
        return _read_xlsx(data, limits)
    raise UnreadableWorkbook(
        _("The file %(name)s is neither a CSV nor an Excel (.xlsx) file.") % {"name": Path(name).name}
    )


def _rows_by_header(table) -> list[dict[str, str]]:
    headers = _cells_of_row(1, table[0], [])
    while headers and not headers[-1]:
        headers.pop()
    counts = Counter(header for header in headers if header)
    duplicates = sorted(header for header, count in counts.items() if count > 1)
    if duplicates:
        raise UnreadableWorkbook(
            _("The header row names a column more than once: %(columns)s.")
            % {"columns": "、".join(f"「{column}」" for column in duplicates)}
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = _cells_of_row(number, cells, headers)
        values += [""] * (len(headers) - len(values))
        rows.append({header: values[index] for index, header in enumerate(headers) if header})
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


def _cells_of_row(number: int, cells, headers: list[str]) -> list[str]:
    """A row's cells as stripped strings; a NUL character anywhere refuses the file, naming where."""
    values = [clean_cell(cell) for cell in cells]
    for index, value in enumerate(values):
        if NUL in value:
            column = headers[index] if index < len(headers) and headers[index] else _column_number(index)
            shown = value.replace(NUL, "\\0")
            raise UnreadableWorkbook(
                _(
                    "the cell holds a NUL character (\\0), which a spreadsheet cell cannot hold: the file is "
                    "damaged or not a spreadsheet. Remove the character and upload the file again."
                ),
                row=number,
                column=column,
                value=shown[:40] + ("…" if len(shown) > 40 else ""),
            )
    return values


def _column_number(index: int) -> str:
    return _("column %(number)s") % {"number": index + 1}


def _read_csv(data: bytes, limits: FileLimits) -> list[list[str]]:
    for encoding in CSV_ENCODINGS:
        try:
            return _csv_table(data, encoding, limits)
        except UnicodeDecodeError:
            continue
    raise UnreadableWorkbook(
        _("The CSV file is neither UTF-8 nor Shift_JIS. Save it from Excel as “CSV UTF-8” and import it again.")
    )


def _csv_table(data: bytes, encoding: str, limits: FileLimits) -> list[list[str]]:
    """The CSV's rows, decoded and parsed as a stream: reading stops at the first row, column or
    cell past the caps (a file of millions of blank lines is refused after max_rows of them)."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    table = []
    number = 0
    try:
        for number, cells in enumerate(csv.reader(text), start=1):
            if number > limits.max_rows:
                raise UnreadableWorkbook(too_many_rows_message(limits))
            if len(cells) > limits.max_columns:
                raise UnreadableWorkbook(too_many_columns_message(number, limits))
            if any(len(cell) > limits.max_cell_chars for cell in cells):
                raise UnreadableWorkbook(too_long_cell_message(number, limits))
            table.append(cells)
    except csv.Error:  # the csv module's own cap on a cell (131,072 characters), met before ours
        raise UnreadableWorkbook(too_long_cell_message(number + 1, limits)) from None
    return table


def too_long_cell_message(row: int, limits: FileLimits) -> str:
    return _(
        "Row %(row)s has a cell longer than %(limit)s characters (or a quotation mark that is never closed): "
        "reading stopped there."
    ) % {"row": f"{row:,}", "limit": f"{limits.max_cell_chars:,}"}


def _open_package(data: bytes, limits: FileLimits) -> CheckedPackage:
    if data.startswith(OLE_SIGNATURE):
        raise UnreadableWorkbook(
            _(
                "The file is an old Excel file (.xls) or is protected with a password: save it as .xlsx "
                "without a password and upload it again."
            )
        )
    refuse_zip_directory(data, limits)
    try:
        return CheckedPackage(io.BytesIO(data), limits)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnreadableWorkbook(broken_message(type(error).__name__)) from error


def _read_xlsx(data: bytes, limits: FileLimits) -> list[tuple[Any, ...]]:
    package = _open_package(data, limits)
    try:
        return first_sheet_rows(package, limits)
    except UnreadableWorkbook:
        raise
    except Exception as error:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException…)
        raise UnreadableWorkbook(broken_message(type(error).__name__)) from error
    finally:
        package.close()
