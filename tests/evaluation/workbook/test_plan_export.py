"""The plan workbook export (PlanWorkbookResource over workbook/plan_export.py): what it writes
imports again unchanged."""

from pathlib import Path

import pytest

from evaluation.models import Indicator, Plan, ResultValue
from evaluation.workbook.plan_columns import PLAN_COLUMNS
from evaluation.workbook.plan_import import import_plan_file
from evaluation.workbook.reader import read_workbook
from tests.evaluation.workbook.plan_files import DEMO_CSV, demo_rows, history_count, row_of, snapshot, write_csv

pytestmark = pytest.mark.django_db


def export_file(tmp_path, fmt, **resource_kwargs) -> Path:
    from evaluation.resources import PlanWorkbookResource, WorkbookCSV, WorkbookXLSX

    dataset = PlanWorkbookResource(**resource_kwargs).export(Plan.objects.all())
    writer = {"csv": WorkbookCSV, "xlsx": WorkbookXLSX}[fmt]()
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(writer.export_data(dataset))
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(tmp_path, fmt):
    import_plan_file(DEMO_CSV)
    before, history_before = snapshot(), history_count()

    path = export_file(tmp_path, fmt)
    report = import_plan_file(path)

    assert read_workbook(path)[0].keys() == set(PLAN_COLUMNS) and list(read_workbook(path)[0]) == PLAN_COLUMNS
    assert report.row_counts == {"unchanged": 136}
    assert snapshot() == before
    assert history_count() == history_before


def test_export_writes_the_values_as_the_workbook_has_them(tmp_path):
    import_plan_file(DEMO_CSV)

    exported = read_workbook(export_file(tmp_path, "csv"))

    original = demo_rows()
    assert [(row["指標ID"], row["小項目"]) for row in exported] == [(row["指標ID"], row["小項目"]) for row in original]
    for column in ["当初計画", "修正計画", "目標", "実績", "現況値", "種別", "方向", "評価", "評価理由", "修正理由"]:
        differing = [row["指標ID"] for row, old in zip(exported, original, strict=True) if row[column] != old[column]]
        # the database keeps 55.0 as 55 and 80 as 80.0 for these two (see resources._decimals)
        assert set(differing) <= {"1.9.1.3.O2", "1.10.1.1.O1"}, column
    assert row_of(exported, "1.10.1.1.O1")["目標"] == "80.0"  # its baseline 「７３．１％」 has one decimal
    assert row_of(exported, "1.1.1.1.O1")["目標"] == "9.0"
    assert row_of(exported, "1.1.1.1.O1")["実績"] == "集計中"


def test_export_guards_text_cells_against_formulas_and_import_reads_them_back(tmp_path):
    rows = demo_rows()
    names = {"1.1.1.1.O1": "=1+2", "1.1.1.2.O1": "+81", "1.1.1.3.O1": "-あ", "1.1.2.1.O1": "@SUM(A1)"}
    for code, name in names.items():
        row_of(rows, code)["指標名"] = name
    import_plan_file(write_csv(tmp_path / "f.csv", rows))
    ResultValue.objects.filter(result__indicator__code="1.1.1.2.A1").update(original_plan_text="\tタブ")

    path = export_file(tmp_path, "csv")
    text = path.read_text(encoding="utf-8-sig")

    for name in names.values():
        assert f",'{name}," in text
    assert ",'\tタブ," in text
    assert import_plan_file(path).row_counts == {"unchanged": 136}
    assert Indicator.objects.get(code="1.1.1.1.O1").name == "=1+2"


def test_export_of_two_years_keeps_each_year(tmp_path):
    import_plan_file(DEMO_CSV)
    rows_2025 = demo_rows()
    for row in rows_2025:
        row["年度"] = "2025"
    row_of(rows_2025, "1.1.2.1.O1")["実績"] = "600"
    import_plan_file(write_csv(tmp_path / "r7.csv", rows_2025))
    before = snapshot()

    exported = read_workbook(export_file(tmp_path, "csv"))
    only_2025 = read_workbook(export_file(tmp_path, "xlsx", fiscal_years=[2025]))

    assert len(exported) == 2 * 135 + 1  # every measure per year, the initiative without indicator once
    assert {row["年度"] for row in only_2025} == {"2025"}
    assert import_plan_file(tmp_path / "export.csv").row_counts == {"unchanged": 271}
    assert snapshot() == before
