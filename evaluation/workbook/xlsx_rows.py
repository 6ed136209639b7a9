"""The rows of an XLSX file's first sheet, read by openpyxl (read-only, values only) from the
checked package (xlsx_package.py), rows and columns capped as they are read.

openpyxl is used as it is, with two changes made through its own classes: the package it reads is
ours (every part checked before openpyxl parses it), and a sheet's declared dimension is never read
(a sheet of a few kilobytes declaring A1:XFD1048576 would otherwise be read as 17 billion cells, and
a sheet without one would be parsed twice). openpyxl parses XML with defusedxml (pinned in
requirements.txt; tests/evaluation/workbook/test_xlsx_package.py checks it does).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileLimits
from evaluation.workbook.xlsx_package import CheckedPackage, too_many_columns_message, too_many_rows_message


class _UndimensionedSheet(ReadOnlyWorksheet):
    """A read-only sheet that never reads the dimension the file declares: rows and columns are capped as read."""

    def _get_size(self):
        pass


class _PackageReader(ExcelReader):
    """openpyxl's reader (read-only, values only, no external links) on a checked package."""

    def __init__(self, package: CheckedPackage):  # not super().__init__: it would open the file itself
        self.archive = package
        self.valid_files = package.namelist()
        self.read_only = True
        self.keep_vba = False
        self.data_only = True
        self.keep_links = False
        self.rich_text = False
        self.shared_strings = []

    def read_worksheets(self):
        for sheet, relation in self.parser.find_sheets():
            if relation.target in self.valid_files and "chartsheet" not in relation.Type:
                worksheet = _UndimensionedSheet(self.wb, sheet.name, relation.target, self.shared_strings)
                self.wb._sheets.append(worksheet)


def first_sheet_rows(package: CheckedPackage, limits: FileLimits) -> list[tuple[Any, ...]]:
    """The first worksheet's rows as tuples of values (trailing blank cells dropped). Raises
    UnreadableWorkbook at the first row past `max_rows` or the first value past `max_columns`."""
    reader = _PackageReader(package)
    reader.read()
    if not reader.wb.worksheets:
        return []
    return list(_capped_rows(reader.wb.worksheets[0], limits))


def _capped_rows(sheet: ReadOnlyWorksheet, limits: FileLimits) -> Iterator[tuple[Any, ...]]:
    # One row and one column past the caps are asked for: openpyxl gives row max_rows + 1 only when
    # the sheet goes on past max_rows, and a value in column max_columns + 1 only when there is one.
    rows = sheet.iter_rows(max_row=limits.max_rows + 1, max_col=limits.max_columns + 1, values_only=True)
    for number, values in enumerate(rows, start=1):
        if number > limits.max_rows:
            raise UnreadableWorkbook(too_many_rows_message(limits))
        if values[limits.max_columns] is not None:
            raise UnreadableWorkbook(too_many_columns_message(number, limits))
        end = len(values)
        while end and values[end - 1] is None:
            end -= 1
        yield values[:end]
