"""Real plan workbook files for the tests: the demo workbook, copies of it written to tmp_path, and a
snapshot of every row an import may write (to show that a refused file changed nothing)."""

import csv
from pathlib import Path

from departments.models import Department
from evaluation.models import Indicator, Initiative, Measure, Pillar, Plan, PolicyArea, Result, ResultValue, Vision
from evaluation.workbook.plan_columns import PLAN_COLUMNS

DEMO = Path(__file__).resolve().parents[3] / "evaluation" / "demo_data"
DEMO_CSV = DEMO / "setagaya-r6.csv"
DEMO_XLSX = DEMO / "setagaya-r6.xlsx"
PLAN = "世田谷区地域保健医療福祉総合計画"


def demo_rows() -> list[dict[str, str]]:
    with DEMO_CSV.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding="utf-8-sig", columns=PLAN_COLUMNS) -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row_of(rows, code, label=""):
    return next(row for row in rows if row["指標ID"] == code and row["小項目"] == label)


def snapshot():
    """Every row the importer may write, as plain tuples, to show that nothing changed."""
    models = [Plan, Pillar, PolicyArea, Vision, Initiative, Department, Indicator, Measure, Result, ResultValue]
    return {model.__name__: sorted(model.objects.values_list()) for model in models}


def history_count():
    models = [Plan, Department, Indicator, Measure, Result, ResultValue]
    return sum(model.history.count() for model in models)
