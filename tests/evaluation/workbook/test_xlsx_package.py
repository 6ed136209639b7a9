"""An XLSX upload's package checked before openpyxl reads it, and its rows and columns capped as read
(workbook/xlsx_package.py, workbook/xlsx_rows.py): each cap at its edge, what is never inflated, and
defusedxml under openpyxl. The hostile files on every path: tests/evaluation/test_hostile_files.py."""

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from defusedxml import EntitiesForbidden
from django.test import override_settings
from django.utils import translation
from openpyxl.xml import functions as openpyxl_xml

from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind, limits_for
from evaluation.workbook.reader import read_workbook
from tests.evaluation.workbook.hostile_files import (
    MEMORY_BUDGET,
    MIB,
    blank_lines_csv,
    declared_dimension_xlsx,
    measured,
    shared_strings_bomb_xlsx,
    sheet_xml,
    xlsx,
    zip_bomb_xlsx,
)

ROOT = Path(__file__).resolve().parents[3]
HEADER = ["指標ID", "実績"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _read(content: bytes, kind=FileKind.ENTRY_SHEET):
    return read_workbook(io.BytesIO(content), "sheet.xlsx", kind=kind)


def _entry_limits(**caps):
    return override_settings(MEZASU_FILE_LIMITS={"entry_sheet": caps})


def test_openpyxl_parses_xml_with_defusedxml():
    billion_laughs = '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'

    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(EntitiesForbidden):
        openpyxl_xml.fromstring(billion_laughs)
    with pytest.raises(EntitiesForbidden):
        list(openpyxl_xml.iterparse(io.BytesIO(billion_laughs.encode())))


def test_a_sheet_declaring_the_whole_grid_is_read_as_the_rows_it_holds():
    with measured() as cost:
        rows = _read(declared_dimension_xlsx(HEADER, ["1.1", "１，８１６"]))

    assert rows == [{"指標ID": "1.1", "実績": "１，８１６"}]
    assert cost.peak_bytes < MIB


@pytest.mark.parametrize(("rows", "refused"), [(5, False), (6, True)])
def test_rows_are_capped_at_the_last_row_allowed(rows, refused):
    content = xlsx(sheet_xml([HEADER] + [["1.1", str(number)] for number in range(rows - 1)]))

    with _entry_limits(max_rows=5):
        if refused:
            with pytest.raises(UnreadableWorkbook, match="past row 5, .* stopped at row 6"):
                _read(content)
        else:
            assert len(_read(content)) == 4


@pytest.mark.parametrize(("reference", "refused"), [("AN2", False), ("AO2", True)])  # columns 40 and 41
def test_a_value_past_the_last_column_allowed_is_refused(reference, refused):
    content = xlsx(sheet_xml([HEADER], tail=f'<row r="2"><c r="{reference}"><v>1</v></c></row>'.encode()))

    if refused:
        with pytest.raises(UnreadableWorkbook, match="Row 2 has a value past column 40"):
            _read(content)
    else:
        assert _read(content) == []  # a value under no header is not read


def test_a_formatted_empty_cell_past_the_last_column_is_no_value():
    content = xlsx(sheet_xml([HEADER, ["1.1", "5"]], tail=b'<row r="3"><c r="XFD3" s="1"/></row>'))

    assert _read(content) == [{"指標ID": "1.1", "実績": "5"}]


def test_cells_past_the_cap_are_refused_before_openpyxl_reads_the_sheet():
    content = xlsx(sheet_xml([HEADER] + [["1.1", "5"]] * 10))  # 11 rows of 2 cells: 77 elements

    with _entry_limits(max_cell_elements=77):
        assert len(_read(content)) == 10
    with _entry_limits(max_cell_elements=76), pytest.raises(UnreadableWorkbook, match="more than 76 cells and rows"):
        _read(content)


def test_a_part_packed_more_than_a_hundred_times_over_is_refused_unread():
    padding = b" " * (2 * MIB)  # blanks between rows: well-formed, 2 MB, packed about a thousand times
    content = xlsx(sheet_xml([HEADER], tail=padding))

    with pytest.raises(UnreadableWorkbook, match=r"sheet1.xml of the Excel file is packed [\d,]+ times over"):
        _read(content)


def test_a_small_part_may_pack_well():
    content = xlsx(sheet_xml([HEADER, ["1.1", "5"]], tail=b" " * (512 * 1024)))

    assert _read(content) == [{"指標ID": "1.1", "実績": "5"}]


def test_parts_openpyxl_never_opens_are_never_inflated_nor_counted():
    # A comment part with a DTD, and a drawing of ten thousand elements: the sheet is read all the same.
    comments = b'<!DOCTYPE c [<!ENTITY x "y">]><comments>&x;</comments>'
    drawing = b"<wsDr>" + b"<a/>" * 10_000 + b"</wsDr>"
    content = xlsx(
        sheet_xml([HEADER, ["1.1", "5"]]),
        extra_parts=[("xl/comments1.xml", comments), ("xl/drawings/drawing1.xml", drawing)],
    )

    assert _read(content) == [{"指標ID": "1.1", "実績": "5"}]


def test_the_demo_workbook_reads_within_its_kinds_caps():
    demo = ROOT / "evaluation" / "demo_data" / "setagaya-r6.xlsx"

    with measured() as cost:
        rows = read_workbook(demo, kind=FileKind.PLAN_WORKBOOK)

    assert len(rows) == 136
    assert cost.peak_bytes < MEMORY_BUDGET


# The memory a process really takes (its resident size, which counts every allocation, C libraries'
# too), not only what Python's allocators report: each file is read in a fresh process, after a small
# file has warmed the reader up; Linux's peak resident size is reset just before the read.
_RESIDENT_SCRIPT = """
import json, os, re, sys
import django
django.setup()
from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind
from evaluation.workbook.reader import read_workbook

def status(field):
    with open("/proc/self/status") as status:
        return int(re.search(field + r":\\s+(\\d+) kB", status.read()).group(1)) * 1024

path, kind = sys.argv[1], FileKind(sys.argv[2])
read_workbook(os.path.join(os.path.dirname(path), "warm.xlsx"), kind=kind)
with open("/proc/self/clear_refs", "w") as clear_refs:
    clear_refs.write("5")  # the peak resident size starts again from the present one
before = status("VmRSS")
try:
    read_workbook(path, kind=kind)
    outcome = "read"
except UnreadableWorkbook as refused:
    outcome = str(refused)
print(json.dumps({"growth": status("VmHWM") - before, "outcome": outcome}))
"""


@pytest.mark.parametrize("kind", [FileKind.ENTRY_SHEET, FileKind.PLAN_WORKBOOK])
@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("bomb.xlsx", lambda _limits: zip_bomb_xlsx(HEADER)),
        ("dimension.xlsx", lambda _limits: declared_dimension_xlsx(HEADER, HEADER, far_cell=True)),
        ("strings.xlsx", lambda _limits: shared_strings_bomb_xlsx(HEADER)),
        ("blank.csv", lambda limits: blank_lines_csv(limits.max_bytes - 16)),
    ],
)
def test_a_refused_file_costs_a_process_little_resident_memory(tmp_path, kind, name, make):
    (tmp_path / "warm.xlsx").write_bytes(xlsx(sheet_xml([HEADER, ["1.1", "5"]])))
    path = tmp_path / name
    path.write_bytes(make(limits_for(kind)))

    finished = subprocess.run(
        [sys.executable, "-c", _RESIDENT_SCRIPT, str(path), str(kind)],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    measured_run = json.loads(finished.stdout.splitlines()[-1])

    print(f"\n{kind} {name}: resident memory grew {measured_run['growth'] / MIB:.1f} MiB")
    assert measured_run["outcome"] != "read"
    assert measured_run["growth"] < MEMORY_BUDGET
