"""The one reader of uploaded and imported files: encodings, CSV and XLSX, cells as typed."""

import openpyxl
import pytest

from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.plan_columns import PLAN_COLUMNS
from evaluation.workbook.plan_import import import_plan_file
from evaluation.workbook.reader import read_workbook
from tests.evaluation.workbook.plan_files import DEMO_XLSX, demo_rows, row_of, write_csv

pytestmark = pytest.mark.django_db


def test_csv_in_shift_jis_and_without_bom_imports(tmp_path):
    rows = demo_rows()
    cp932 = write_csv(tmp_path / "cp932.csv", rows, encoding="cp932")
    plain = write_csv(tmp_path / "plain.csv", rows, encoding="utf-8")
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")

    assert import_plan_file(cp932).row_counts == {"created": 136}
    assert import_plan_file(plain).row_counts == {"unchanged": 136}


def test_upload_without_a_name_is_recognised_by_its_content():
    with DEMO_XLSX.open("rb") as file:
        rows = read_workbook(file)

    assert len(rows) == 136
    assert rows[0]["目標"] == "9"  # a numeric cell: Excel keeps the number 9, not the text 9.0
    assert rows[0]["実績"] == "集計中"


def test_unknown_extension_and_wrong_encoding_are_unreadable(tmp_path):
    (tmp_path / "plan.txt").write_text("x")
    (tmp_path / "latin.csv").write_bytes("計画".encode("utf-16"))
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")

    for name in ("plan.txt", "latin.csv", "broken.xlsx"):
        with pytest.raises(UnreadableWorkbook):
            import_plan_file(tmp_path / name)


def test_xlsx_numeric_cells_keep_the_digits_typed(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PLAN_COLUMNS)
    row = row_of(demo_rows(), "1.8.1.1.O1")
    sheet.append([row[column] for column in PLAN_COLUMNS])
    sheet.cell(row=2, column=PLAN_COLUMNS.index("目標") + 1, value=16.5)
    sheet.cell(row=2, column=PLAN_COLUMNS.index("実績") + 1, value=2.675)  # a float that is not exactly 2.675
    sheet.cell(row=2, column=PLAN_COLUMNS.index("年度") + 1, value=2024)
    book.save(tmp_path / "numbers.xlsx")

    rows = read_workbook(tmp_path / "numbers.xlsx")

    assert (rows[0]["目標"], rows[0]["実績"], rows[0]["年度"]) == ("16.5", "2.675", "2024")
