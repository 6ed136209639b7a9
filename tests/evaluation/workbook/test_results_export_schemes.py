"""The results export of plans graded by other schemes: 評価 holds the scheme's label (a state's label
where it has one, ー otherwise), 実績 a state's name; and the export by policy area (export_results
--by policy-area): a row per policy area with its counts per label in the scheme's order, 未評価, and
総合評価 where the scheme has a roll-up, in CSV, XLSX and JSON, from the command too."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from evaluation.domain import scheme_files
from evaluation.workbook.policy_area_export import policy_area_columns, policy_area_rows
from evaluation.workbook.results_export import result_rows, write_results
from tests.builders import make_closed_year, make_graded_result, make_indicator, make_initiative, make_plan

pytestmark = pytest.mark.django_db

PLACE = ["計画", "年度", "柱番号", "柱", "推進施策番号", "推進施策"]


def outcome(plan, actual=None, *, pillar=1, area=1, state="", fiscal_year=2024, **fields):
    indicator = make_indicator(plan, initiative=make_initiative(plan, pillar=pillar, policy_area=area), **fields)
    values = {"": {"actual_state": state}} if state else None
    make_graded_result(indicator, actual=actual, values_by_label=values, fiscal_year=fiscal_year)
    return indicator


def written(plan, fmt, *, by="policy-area", year=2024) -> bytes:
    stream = io.BytesIO()
    write_results(plan, year, fmt, stream, by=by)
    return stream.getvalue()


@pytest.fixture
def kanagawa():
    plan = make_plan("神奈川県総合計画", scheme="kanagawa")
    for actual in (Decimal(100), Decimal(100), Decimal(90)):
        outcome(plan, actual)
    outcome(plan, state="tallying")
    outcome(plan, Decimal(40), pillar=2, area=1)
    make_initiative(plan, pillar=2, policy_area=2)  # a policy area without an outcome
    return plan


def test_the_grade_column_holds_kanagawas_marks(kanagawa):
    rows = list(result_rows(kanagawa, 2024))

    assert [(row["実績"], row["達成状況"], row["評価"]) for row in rows] == [
        (Decimal(100), Decimal("100.0"), "○"),
        (Decimal(100), Decimal("100.0"), "○"),
        (Decimal(90), Decimal("90.0"), "×"),
        ("集計中", None, "ー"),
        (Decimal(40), Decimal("40.0"), "×"),
    ]


def test_akiruno_states_are_written_by_name_with_their_labels():
    plan = make_plan(scheme="akiruno")
    outcome(plan, Decimal(120))
    outcome(plan, state="cancelled")
    outcome(plan, state="completed")
    outcome(plan, state="tallying")

    rows = list(result_rows(plan, 2024))

    assert [(row["実績"], row["評価"]) for row in rows] == [
        (Decimal(120), "S"),
        ("中止", "Y"),
        ("完了", "F"),
        ("集計中", "ー"),
    ]


def test_by_policy_area_counts_each_label_in_the_schemes_order_and_the_overall_grade(kanagawa):
    scheme = kanagawa.scheme
    columns = policy_area_columns(scheme)

    rows = list(policy_area_rows(kanagawa, 2024, scheme))

    assert list(columns) == [*PLACE, "評価○", "評価×", "未評価", "成果指標数", "総合評価"]
    assert [[row[column] for column in columns] for row in rows] == [
        ["神奈川県総合計画", 2024, 1, "柱1", 1, "推進施策1", 2, 1, 1, 4, "概ね順調"],
        ["神奈川県総合計画", 2024, 2, "柱2", 1, "推進施策1", 0, 1, 0, 1, "遅れている"],
        ["神奈川県総合計画", 2024, 2, "柱2", 2, "推進施策2", 0, 0, 0, 0, "ー"],
    ]


def test_by_policy_area_csv_xlsx_and_json_carry_the_same_rows(kanagawa):
    text = written(kanagawa, "csv").decode("utf-8-sig")
    header, first, *_ = csv.reader(io.StringIO(text, newline=""))
    assert header[-5:] == ["評価○", "評価×", "未評価", "成果指標数", "総合評価"]
    assert first[-5:] == ["2", "1", "1", "4", "概ね順調"]
    assert "\r\n" in text

    sheet = openpyxl.load_workbook(io.BytesIO(written(kanagawa, "xlsx"))).active
    assert sheet.title == "令和6年度"
    assert [cell.value for cell in sheet[1]][-5:] == ["評価○", "評価×", "未評価", "成果指標数", "総合評価"]
    assert [cell.value for cell in sheet[2]][-5:] == [2, 1, 1, 4, "概ね順調"]  # counts as numbers
    assert sheet.max_row == 4

    data = json.loads(written(kanagawa, "json"))
    assert [(row["推進施策"], row["評価○"], row["総合評価"]) for row in data] == [
        ("推進施策1", 2, "概ね順調"),
        ("推進施策1", 0, "遅れている"),
        ("推進施策2", 0, "ー"),
    ]


def test_by_policy_area_for_setagaya_has_a_to_d_and_no_overall_grade():
    plan = make_plan()
    outcome(plan, Decimal(100))
    outcome(plan, Decimal(85))
    outcome(plan, Decimal(-1))

    [row] = json.loads(written(plan, "json"))

    assert list(row)[len(PLACE) :] == ["評価A", "評価B", "評価C", "評価D", "未評価", "成果指標数"]
    assert (row["評価A"], row["評価B"], row["評価C"], row["評価D"], row["成果指標数"]) == (1, 1, 0, 1, 3)


def test_by_policy_area_for_sano_gives_each_area_its_mean_points_band():
    plan = make_plan(scheme="sano")
    outcome(plan, Decimal(100))  # 7
    outcome(plan, Decimal(85))  # 5: mean 6, A
    outcome(plan, Decimal(55), area=2)  # 2: D

    rows = json.loads(written(plan, "json"))

    assert [column for column in rows[0] if column.startswith("評価")] == [f"評価{p}" for p in range(7, 0, -1)]
    assert [(row["評価7"], row["評価5"], row["評価2"], row["総合評価"]) for row in rows] == [
        (1, 1, 0, "A"),
        (0, 0, 1, "D"),
    ]


def test_a_closed_year_is_exported_by_the_scheme_it_was_closed_with():
    plan = make_plan()
    outcome(plan, Decimal(90))
    make_closed_year(plan, 2024)
    plan.grading_scheme = scheme_files.to_data(scheme_files.preset("kanagawa"))
    plan.save()

    [row] = json.loads(written(plan, "json"))

    assert (row["評価B"], "総合評価" in row, "評価○" in row) == (1, False, False)


@pytest.mark.parametrize("size", [1, 4])
def test_by_policy_area_runs_a_fixed_number_of_queries(size, django_assert_num_queries):
    plan = make_plan(scheme="kanagawa")
    for index in range(size):
        outcome(plan, Decimal(100), pillar=1 + index % 2, area=index + 1)
        outcome(plan, Decimal(50), pillar=1 + index % 2, area=index + 1)

    with django_assert_num_queries(6):  # the year's scheme, then the summary's five
        rows = json.loads(written(plan, "json"))

    assert len(rows) == size


def test_command_writes_one_row_per_policy_area(kanagawa, tmp_path):
    out = io.StringIO()
    call_command("export_results", "--year", "2024", "--by", "policy-area", "--format", "json", stdout=out)
    assert [row["総合評価"] for row in json.loads(out.getvalue())] == ["概ね順調", "遅れている", "ー"]

    target = tmp_path / "areas.xlsx"
    call_command(
        "export_results", "--year", "令和6年度", "--by", "policy-area", "--output", str(target), stderr=io.StringIO()
    )
    sheet = openpyxl.load_workbook(target).active
    assert [cell.value for cell in sheet["A"]][1:] == ["神奈川県総合計画"] * 3


def test_command_refuses_an_unknown_grouping(kanagawa):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_results", "--year", "2024", "--by", "department")
