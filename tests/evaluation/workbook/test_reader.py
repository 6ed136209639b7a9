"""The one reader of uploaded and imported files: encodings, CSV and XLSX, cells as typed, a CSV's caps."""

import io
import subprocess
import sys

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation

from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind
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
    sheet.append([row.get(column, "") for column in PLAN_COLUMNS])
    sheet.cell(row=2, column=PLAN_COLUMNS.index("目標") + 1, value=16.5)
    sheet.cell(row=2, column=PLAN_COLUMNS.index("実績") + 1, value=2.675)  # a float that is not exactly 2.675
    sheet.cell(row=2, column=PLAN_COLUMNS.index("年度") + 1, value=2024)
    book.save(tmp_path / "numbers.xlsx")

    rows = read_workbook(tmp_path / "numbers.xlsx")

    assert (rows[0]["目標"], rows[0]["実績"], rows[0]["年度"]) == ("16.5", "2.675", "2024")


# --- the caps of a CSV (every hostile file on every path: tests/evaluation/test_hostile_files.py) ------


def _read_csv(text: str, kind=FileKind.ENTRY_SHEET):
    with translation.override("en"):
        return read_workbook(io.BytesIO(text.encode("utf-8")), "sheet.csv", kind=kind)


@pytest.mark.parametrize(("lines", "refused"), [(5, False), (6, True)])
def test_a_csv_is_read_up_to_its_last_row_allowed(lines, refused):
    text = "指標ID,実績\r\n" + "1.1,5\r\n" * (lines - 1)

    with override_settings(MEZASU_FILE_LIMITS={"entry_sheet": {"max_rows": 5}}):
        if refused:
            with pytest.raises(UnreadableWorkbook, match="past row 5, .* stopped at row 6"):
                _read_csv(text)
        else:
            assert len(_read_csv(text)) == 4


def test_a_deployment_raises_a_kinds_caps_in_its_settings():
    text = "指標ID,実績\r\n" + "\r\n" * 2_500 + "1.1,5\r\n"

    with pytest.raises(UnreadableWorkbook, match="past row 2,000"):
        _read_csv(text)
    with override_settings(MEZASU_FILE_LIMITS={"entry_sheet": {"max_rows": 3_000}}):
        assert _read_csv(text)[-1] == {"指標ID": "1.1", "実績": "5"}


def test_the_size_caps_come_from_the_environment():
    script = (
        "import django; django.setup(); from evaluation.workbook.limits import FileKind, limits_for; "
        "print(limits_for(FileKind.ENTRY_SHEET).max_bytes, limits_for(FileKind.PLAN_WORKBOOK).max_bytes)"
    )
    environment = {"DJANGO_SETTINGS_MODULE": "config.settings", "MEZASU_ENTRY_SHEET_MAX_MB": "2", "PATH": "/usr/bin"}

    printed = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )

    assert printed.stdout.split() == [str(2 * 1024 * 1024), str(5 * 1024 * 1024)]


@pytest.mark.parametrize(("columns", "refused"), [(40, False), (41, True)])
def test_a_csv_row_is_read_up_to_its_last_column_allowed(columns, refused):
    text = ",".join(f"列{number}" for number in range(columns)) + "\r\n"

    if refused:
        with pytest.raises(UnreadableWorkbook, match="Row 1 has a value past column 40"):
            _read_csv(text)
    else:
        assert _read_csv(text + "x\r\n") == [{"列0": "x", **{f"列{number}": "" for number in range(1, columns)}}]


def test_duplicate_header_names_are_each_named_once():
    text = ",".join(["実績"] * 24 + ["指標ID"] * 16) + "\r\n1.1,5\r\n"

    with pytest.raises(
        UnreadableWorkbook, match="^The header row names a column more than once: 「実績」、「指標ID」.$"
    ):
        _read_csv(text)


def test_a_nul_character_is_refused_naming_its_row_column_and_value():
    with pytest.raises(UnreadableWorkbook) as refused:
        _read_csv("指標ID,実績\r\n1.1,5\r\n1.2,1\x008\r\n")

    assert str(refused.value) == (
        "Row 3, column 「実績」, value 「1\\08」: the cell holds a NUL character (\\0), which a spreadsheet cell "
        "cannot hold: the file is damaged or not a spreadsheet. Remove the character and upload the file again."
    )


def test_a_shift_jis_csv_is_still_read_after_utf_8_fails_midway():
    text = "id,actual\r\n" + "1.1,5\r\n" * 3_000 + "1.2,集計中\r\n"  # ASCII for 18 KB, then Shift_JIS

    with translation.override("en"):
        rows = read_workbook(io.BytesIO(text.encode("cp932")), "sheet.csv", kind=FileKind.PLAN_WORKBOOK)

    assert rows[-1] == {"id": "1.2", "actual": "集計中"}


def test_a_path_is_refused_by_its_size_on_disk_before_it_is_read(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(b"x" * (5 * 1024 * 1024 + 1))

    with translation.override("en"), pytest.raises(UnreadableWorkbook) as refused:
        read_workbook(path)

    # 5.0 MB both, rounded: said in bytes
    assert str(refused.value) == "The file is 5,242,881 bytes; a file of this kind may be at most 5,242,880 bytes."
