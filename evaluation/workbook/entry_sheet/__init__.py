"""The department's entry sheet (入力シート): download it as XLSX, fill it in offline, upload it back.

- layout.py: the columns, the cells to fill in, the hidden 管理番号 naming each row;
- build.py: `build_entry_sheet` writes one department's results of one fiscal year;
- read.py: `read_entry_sheet` reads an upload back and says, row by row, what would change;
- apply.py: `apply_entry_upload` applies a checked upload through services.save_draft, all or nothing.
"""

from evaluation.workbook.entry_sheet.apply import Applied, apply_entry_upload, changed_rows
from evaluation.workbook.entry_sheet.build import build_entry_sheet
from evaluation.workbook.entry_sheet.errors import UploadRefused
from evaluation.workbook.entry_sheet.layout import ENTRY_SHEET_COLUMNS, ID_COLUMN, entry_id, sheet_filename
from evaluation.workbook.entry_sheet.read import read_entry_sheet

__all__ = [
    "ENTRY_SHEET_COLUMNS",
    "ID_COLUMN",
    "Applied",
    "UploadRefused",
    "apply_entry_upload",
    "build_entry_sheet",
    "changed_rows",
    "entry_id",
    "read_entry_sheet",
    "sheet_filename",
]
