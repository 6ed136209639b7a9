import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from evaluation.domain.enums import ActualState, Direction, IndicatorKind, ResultStatus
from evaluation.domain.numbers import TALLYING, parse_number
from evaluation.models import Indicator, Initiative, Pillar, Plan, PolicyArea, ResultValue, Vision
from evaluation.services import scoring
from evaluation.workbook.cells import spreadsheet_safe
from evaluation.workbook.plan_columns import PLAN_COLUMNS
from evaluation.workbook.plan_import import import_plan_file
from evaluation.workbook.results_export import RESULTS_EXPORT_COLUMNS, result_rows, write_results
from tests.builders import make_department, make_indicator, make_initiative, make_plan, make_result

pytestmark = pytest.mark.django_db

FORMAT_COLUMNS = [
    "計画",
    "年度",
    "指標ID",
    "小項目",
    "種別",
    "指標名",
    "担当所管課",
    "当初計画",
    "修正計画",
    "目標",
    "実績",
    "達成状況",
    "評価",
    "評価理由",
    "状態",
]
# What the command's export lacked before the export came to the screens (issue 8).
HIERARCHY_AND_INDICATOR_COLUMNS = [
    "柱番号",
    "柱",
    "推進施策番号",
    "推進施策",
    "めざす姿番号",
    "めざす姿見出し",
    "取組番号",
    "主な取組み",
    "実施計画",
    "再掲",
    "区分",
    "番号",
    "注記",
    "現況値",
    "現況値時点",
    "修正理由",
]


def graded_result(indicator, *, values_by_label=None, **fields):
    """make_result, then set per-sub-item values and store the grades the way the services do."""
    result = make_result(indicator, **fields)
    values = list(result.values.select_related("measure"))
    for value in values:
        for field, content in (values_by_label or {}).get(value.measure.label, {}).items():
            setattr(value, field, content)
    scoring.apply_grades(result, values)
    for value in values:
        value.save()
    result.save()
    return result


def set_actual(number):
    return {"actual_state": ActualState.NUMBER, "actual_value": number}


def rows_of(plan, year=2024):
    return list(result_rows(plan, year))


def csv_rows(plan, year=2024):
    stream = io.BytesIO()
    write_results(plan, year, "csv", stream)
    return list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"), newline="")))


def xlsx_sheet(plan, year=2024):
    stream = io.BytesIO()
    write_results(plan, year, "xlsx", stream)
    stream.seek(0)
    return openpyxl.load_workbook(stream).active


# --- rows ---------------------------------------------------------------------------------------


def test_rows_have_every_format_column_and_the_plan_workbook_columns_in_its_order():
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(90))
    (row,) = rows_of(plan)
    assert list(row) == list(RESULTS_EXPORT_COLUMNS)
    assert set(FORMAT_COLUMNS) <= set(row)
    assert set(HIERARCHY_AND_INDICATOR_COLUMNS) <= set(row)
    # The columns that say which indicator a row is come in the plan workbook's order …
    columns = list(row)
    identifying = columns[: columns.index("現況値時点") + 1]
    assert [column for column in identifying if column in PLAN_COLUMNS] == [
        column for column in PLAN_COLUMNS if column in identifying
    ]
    # … then the year's values, in FORMAT.md's order.
    values = columns[columns.index("担当所管課") :]
    format_values = FORMAT_COLUMNS[FORMAT_COLUMNS.index("担当所管課") :]
    assert [column for column in values if column in FORMAT_COLUMNS] == format_values


def _placed_indicator(plan, **fields):
    """An outcome in 柱2 / 推進施策3 / めざす姿4 / 取組み5, its initiative cited in the implementation
    plan and re-listed from another policy area."""
    initiative = make_initiative(plan, pillar=2, policy_area=3, vision=4, number=5)
    Pillar.objects.filter(pk=initiative.vision.policy_area.pillar_id).update(title="基盤整備")
    PolicyArea.objects.filter(pk=initiative.vision.policy_area_id).update(title="防災・防犯")
    Vision.objects.filter(pk=initiative.vision_id).update(heading="避難支援")
    Initiative.objects.filter(pk=initiative.pk).update(
        title="個別避難計画作成の推進", implementation_ref="施策１０－１", is_relisted=True
    )
    return make_indicator(plan, initiative=initiative, **fields)


def test_a_row_carries_the_hierarchy_the_printed_number_the_marks_and_the_baseline():
    plan = make_plan()
    indicator = _placed_indicator(
        plan,
        code="2.3.4.5.O2",
        label="3-2",
        footnote="※3",
        unit="%",
        baseline_text="8.2%",
        baseline_as_of="令和５年度見込み",
    )
    graded_result(indicator, target=Decimal(55), actual=Decimal(55), revision_reason="設問の変更")

    (row,) = rows_of(plan)

    assert {column: row[column] for column in HIERARCHY_AND_INDICATOR_COLUMNS} == {
        "柱番号": 2,
        "柱": "基盤整備",
        "推進施策番号": 3,
        "推進施策": "防災・防犯",
        "めざす姿番号": 4,
        "めざす姿見出し": "避難支援",
        "取組番号": 5,
        "主な取組み": "個別避難計画作成の推進",
        "実施計画": "施策１０－１",
        "再掲": "再掲",
        "区分": "3-2",
        "番号": "３－②",
        "注記": "※3",
        "現況値": "8.2%",
        "現況値時点": "令和５年度見込み",
        "修正理由": "設問の変更",
    }


def test_an_indicator_without_marks_reference_or_baseline_has_blank_cells_there():
    plan = make_plan()
    graded_result(make_indicator(plan, label="2"), actual=Decimal(1))
    (row,) = rows_of(plan)
    assert (row["区分"], row["番号"]) == ("2", "2")
    blank = ("実施計画", "再掲", "注記", "現況値", "現況値時点", "修正理由")
    assert {column: row[column] for column in blank} == dict.fromkeys(blank)


def test_a_compound_indicator_repeats_its_place_and_baseline_on_every_row():
    plan = make_plan()
    indicator = _placed_indicator(plan, label="5", baseline_text="a)340件b)3,200件", sub_items=("a", "b"))
    graded_result(indicator, actual=Decimal(1), revision_reason="※2")
    rows = rows_of(plan)
    assert [(row["主な取組み"], row["番号"], row["現況値"]) for row in rows] == [
        ("個別避難計画作成の推進", "5", "a)340件b)3,200件")
    ] * 3
    assert [row["修正理由"] for row in rows] == [None, None, "※2"]


def test_a_simple_outcome_is_one_row_with_its_numbers_as_decimals():
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    department = make_department("保健福祉政策課")
    indicator = make_indicator(plan, code="1.1.1.1.O1", name="認知度", unit="%", department=department)
    graded_result(indicator, target=Decimal("9.0"), actual=Decimal("8.7"), status=ResultStatus.APPROVED)

    (row,) = rows_of(plan)

    assert row["計画"] == "世田谷区地域保健医療福祉総合計画"
    assert row["年度"] == 2024
    assert row["指標ID"] == "1.1.1.1.O1"
    assert row["小項目"] is None
    assert row["種別"] == "成果指標"
    assert row["方向"] == "高いほど良い"
    assert row["担当所管課"] == "保健福祉政策課"
    assert row["目標"] == Decimal("9") and isinstance(row["目標"], Decimal)
    assert row["実績"] == Decimal("8.7")
    assert str(row["達成状況"]) == "96.7"
    assert row["評価"] == "B"


def test_numbers_lose_the_database_trailing_zeros_but_keep_the_plan_decimals_of_the_achievement():
    plan = make_plan()
    graded_result(make_indicator(plan), target=Decimal(430), actual=Decimal(430))
    (row,) = rows_of(plan)
    assert str(row["目標"]) == "430"
    assert str(row["実績"]) == "430"
    assert str(row["達成状況"]) == "100.0"


def test_achievement_uses_the_plan_number_of_decimals():
    plan = make_plan(achievement_decimals=2)
    graded_result(make_indicator(plan), target=Decimal(3), actual=Decimal(2))
    (row,) = rows_of(plan)
    assert str(row["達成状況"]) == "66.67"
    assert row["評価"] == "C"


def test_rows_follow_the_plan_order_of_indicators():
    plan = make_plan()
    later = make_indicator(plan, code="B")
    earlier = make_indicator(plan, code="A")  # created second, but placed first in the plan
    Indicator.objects.filter(pk=later.pk).update(position=20)
    Indicator.objects.filter(pk=earlier.pk).update(position=10)
    graded_result(later, actual=Decimal(1))
    graded_result(earlier, actual=Decimal(1))
    assert [row["指標ID"] for row in rows_of(plan)] == ["A", "B"]


def test_a_compound_indicator_has_a_row_per_sub_item_then_its_own_row_with_the_worst_grade():
    plan = make_plan()
    indicator = make_indicator(plan, code="C1", sub_items=("a", "b"))
    graded_result(
        indicator,
        target=Decimal(60),
        actual=Decimal(60),
        values_by_label={"a": set_actual(Decimal(139)), "b": set_actual(Decimal(50))},
        reason="bが未達",
    )

    rows = rows_of(plan)

    assert [(row["指標ID"], row["小項目"]) for row in rows] == [("C1", "a"), ("C1", "b"), ("C1", None)]
    first, second, overall = rows
    assert (first["実績"], str(first["達成状況"]), first["評価"]) == (Decimal(139), "231.7", "A")
    assert (second["実績"], str(second["達成状況"]), second["評価"]) == (Decimal(50), "83.3", "B")
    assert first["小項目名"] == "小項目a"
    assert overall["評価"] == "B"
    assert overall["実績"] is None and overall["達成状況"] is None
    assert overall["評価理由"] == "bが未達"
    assert first["評価理由"] is None


def test_tallying_actual_is_written_as_text_with_no_achievement_and_grade_dash():
    plan = make_plan()
    graded_result(make_indicator(plan), actual="集計中")
    (row,) = rows_of(plan)
    assert row["実績"] == "集計中"
    assert row["達成状況"] is None
    assert row["評価"] == "ー"


def test_qualitative_outcome_writes_its_texts_and_the_judged_grade():
    plan = make_plan()
    indicator = make_indicator(plan, direction=Direction.QUALITATIVE)
    graded_result(indicator, target="課題整理", actual="一部運用", judged_grade="A")
    (row,) = rows_of(plan)
    assert (row["目標"], row["実績"], row["達成状況"], row["評価"]) == ("課題整理", "一部運用", None, "A")
    assert row["方向"] == "定性"


def test_lower_is_better_met_at_zero_is_graded_a_without_a_figure():
    plan = make_plan()
    graded_result(make_indicator(plan, direction=Direction.LOWER), target=Decimal(5), actual=Decimal(0))
    (row,) = rows_of(plan)
    assert (row["達成状況"], row["評価"]) == (None, "A")


def test_an_activity_has_its_plan_values_and_no_grade():
    plan = make_plan()
    indicator = make_indicator(plan, kind=IndicatorKind.ACTIVITY, unit="回")
    result = graded_result(indicator, target=None, actual=Decimal(12))
    ResultValue.objects.filter(result=result).update(
        original_plan_value=Decimal(10), revised_plan_text="周知活動を実施する"
    )
    (row,) = rows_of(plan)
    assert row["種別"] == "行動量"
    assert row["方向"] is None
    assert (row["当初計画"], row["修正計画"], row["実績"]) == (Decimal(10), "周知活動を実施する", Decimal(12))
    assert row["達成状況"] is None and row["評価"] is None


def test_status_is_the_japanese_label_of_the_result_status():
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(1), status=ResultStatus.SUBMITTED)
    make_indicator(plan)  # no result this year
    submitted, missing = rows_of(plan)
    with translation.override("ja"):
        assert submitted["状態"] == str(ResultStatus.SUBMITTED.label)
        assert missing["状態"] == str(ResultStatus.NOT_ENTERED.label)
    assert isinstance(submitted["状態"], str) and submitted["状態"] != ResultStatus.SUBMITTED.value


def test_an_indicator_without_a_result_that_year_still_has_a_blank_row():
    plan = make_plan()
    graded_result(make_indicator(plan, code="X"), fiscal_year=2025, actual=Decimal(1))
    (row,) = rows_of(plan, 2024)
    assert row["指標ID"] == "X"
    assert row["実績"] is None and row["評価"] == "ー"


def test_only_the_requested_plan_and_year_are_exported():
    plan, other = make_plan("計画A"), make_plan("計画B")
    indicator = make_indicator(plan)
    graded_result(indicator, fiscal_year=2024, actual=Decimal(50))
    graded_result(indicator, fiscal_year=2025, actual=Decimal(150))
    graded_result(make_indicator(other), actual=Decimal(1))
    (row,) = rows_of(plan, 2025)
    assert (row["計画"], row["年度"], row["実績"]) == ("計画A", 2025, Decimal(150))


def _plan_with_indicators(name, count):
    """`count` times an outcome, a compound outcome and an activity, each group in a pillar, policy
    area, vision and initiative of its own."""
    plan = make_plan(name)
    for number in range(count):
        place = make_initiative(plan, pillar=number + 1, policy_area=number + 1, vision=number + 1, number=number + 1)
        graded_result(make_indicator(plan, initiative=place), actual=Decimal(number))
        compound = make_indicator(plan, initiative=place, sub_items=("a", "b"))
        graded_result(compound, actual=Decimal(number))
        activity = make_indicator(plan, initiative=place, kind=IndicatorKind.ACTIVITY)
        graded_result(activity, target=None, actual=Decimal(number))
    return plan


@pytest.mark.parametrize("count", [1, 8])
def test_the_number_of_queries_does_not_grow_with_the_indicators(count, django_assert_num_queries):
    plan = _plan_with_indicators(f"計画{count}", count)
    # the year's decimals, indicators with departments and hierarchy, measures, results, values, the
    # year's revision marks
    with django_assert_num_queries(6):
        rows = rows_of(plan)
    assert len(rows) == 5 * count
    assert {row["柱番号"] for row in rows} == set(range(1, count + 1))


# --- escaping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=SUM(1)", "+1", "-1+2", "@cmd", "\tx", "\rx"])
def test_spreadsheet_safe_prefixes_a_formula_trigger_with_an_apostrophe(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["課題整理", "a=1", "", None, Decimal("-5"), -5, Decimal("1E+2")])
def test_spreadsheet_safe_leaves_other_texts_and_every_number_alone(value):
    assert spreadsheet_safe(value) is value


def _plan_with_dangerous_reasons():
    plan = make_plan()
    for reason in ["=SUM(1)", "@cmd", "-1+2"]:
        graded_result(make_indicator(plan), actual=Decimal(10), reason=reason)
    graded_result(make_indicator(plan), actual=Decimal(-5))
    return plan


def test_csv_escapes_formula_texts_but_not_negative_numbers():
    plan = _plan_with_dangerous_reasons()
    header, *rows = csv_rows(plan)
    reason, actual = header.index("評価理由"), header.index("実績")
    assert [row[reason] for row in rows] == ["'=SUM(1)", "'@cmd", "'-1+2", ""]
    assert rows[-1][actual] == "-5"


def test_xlsx_escapes_formula_texts_and_keeps_a_negative_decimal_numeric():
    plan = _plan_with_dangerous_reasons()
    sheet = xlsx_sheet(plan)
    header = [cell.value for cell in sheet[1]]
    reason, actual = header.index("評価理由") + 1, header.index("実績") + 1
    assert [sheet.cell(row=row, column=reason).value for row in (2, 3, 4)] == ["'=SUM(1)", "'@cmd", "'-1+2"]
    assert all(sheet.cell(row=row, column=reason).data_type == "s" for row in (2, 3, 4))
    negative = sheet.cell(row=5, column=actual)
    assert negative.data_type == "n" and negative.value == -5


def _plan_with_dangerous_plan_texts():
    """Texts from the plan master that a spreadsheet would run as formulas, in the new columns."""
    plan = make_plan()
    indicator = _placed_indicator(plan, footnote="+1", baseline_text="-5件", baseline_as_of="@R5")
    Pillar.objects.filter(plan=plan).update(title="=1+1")
    PolicyArea.objects.filter(pillar__plan=plan).update(title="-2+3")
    Vision.objects.filter(policy_area__pillar__plan=plan).update(heading="@SUM(A1)")
    Initiative.objects.filter(vision__policy_area__pillar__plan=plan).update(
        title='=HYPERLINK("http://example.invalid","x")', implementation_ref="+施策"
    )
    graded_result(indicator, actual=Decimal(-5), revision_reason="=修正")
    return plan


DANGEROUS_COLUMNS = (
    "柱",
    "推進施策",
    "めざす姿見出し",
    "主な取組み",
    "実施計画",
    "注記",
    "現況値",
    "現況値時点",
    "修正理由",
)


def test_csv_escapes_formula_texts_of_the_hierarchy_marks_and_baseline():
    header, row = csv_rows(_plan_with_dangerous_plan_texts())
    cells = dict(zip(header, row, strict=True))
    assert {column: cells[column] for column in DANGEROUS_COLUMNS} == {
        "柱": "'=1+1",
        "推進施策": "'-2+3",
        "めざす姿見出し": "'@SUM(A1)",
        "主な取組み": """'=HYPERLINK("http://example.invalid","x")""",
        "実施計画": "'+施策",
        "注記": "'+1",
        "現況値": "'-5件",
        "現況値時点": "'@R5",
        "修正理由": "'=修正",
    }
    assert cells["実績"] == "-5"


def test_xlsx_escapes_formula_texts_of_the_hierarchy_marks_and_baseline():
    sheet = xlsx_sheet(_plan_with_dangerous_plan_texts())
    cells = dict(zip((cell.value for cell in sheet[1]), sheet[2], strict=True))
    assert all(cells[column].data_type == "s" for column in DANGEROUS_COLUMNS)
    assert all(cells[column].value.startswith("'") for column in DANGEROUS_COLUMNS)
    assert cells["主な取組み"].value == """'=HYPERLINK("http://example.invalid","x")"""
    assert cells["実績"].data_type == "n" and cells["実績"].value == -5


# --- writers ------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_and_crlf_line_endings():
    plan = make_plan()
    graded_result(make_indicator(plan, name="改行\nを含む名前"), target=Decimal(9), actual=Decimal("8.7"))
    stream = io.BytesIO()
    write_results(plan, 2024, "csv", stream)
    data = stream.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").startswith(",".join(RESULTS_EXPORT_COLUMNS) + "\r\n")
    assert data.endswith(b"\r\n")
    header, row = csv_rows(plan)
    assert row[header.index("指標名")] == "改行\nを含む名前"
    assert row[header.index("達成状況")] == "96.7"
    assert row[header.index("年度")] == "2024"


def test_xlsx_has_a_bold_frozen_header_a_fiscal_year_title_and_numeric_cells():
    plan = make_plan()
    graded_result(make_indicator(plan), target=Decimal(9), actual=Decimal("8.7"))
    sheet = xlsx_sheet(plan)
    assert sheet.title == "令和6年度"
    assert [cell.value for cell in sheet[1]] == list(RESULTS_EXPORT_COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    values = dict(zip(RESULTS_EXPORT_COLUMNS, (cell for cell in sheet[2]), strict=True))
    assert values["年度"].value == 2024
    assert values["達成状況"].data_type == "n" and values["達成状況"].number_format == "0.0"
    assert str(Decimal(str(values["達成状況"].value))) == "96.7"
    assert sheet.column_dimensions["G"].width >= 8


def test_json_is_a_list_of_objects_with_decimals_as_exact_strings():
    plan = make_plan()
    graded_result(make_indicator(plan), target=Decimal(3), actual=Decimal("0.1"), reason="=SUM(1)")
    stream = io.BytesIO()
    write_results(plan, 2024, "json", stream)
    (row,) = json.loads(stream.getvalue().decode("utf-8"))
    assert list(row) == list(RESULTS_EXPORT_COLUMNS)
    assert (row["年度"], row["目標"], row["実績"], row["達成状況"]) == (2024, "3", "0.1", "3.3")
    assert row["小項目"] is None
    assert row["評価理由"] == "=SUM(1)"


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown export format"):
        write_results(make_plan(), 2024, "pdf", io.BytesIO())


# --- the command --------------------------------------------------------------------------------


def test_command_writes_csv_to_stdout_with_a_wareki_year():
    plan = make_plan()
    graded_result(make_indicator(plan, code="1.1.1.1.O1"), actual=Decimal(100))
    out = io.StringIO()
    call_command("export_results", "--year", "令和6年度", stdout=out)
    lines = out.getvalue().lstrip("\ufeff").split("\r\n")
    assert lines[0] == ",".join(RESULTS_EXPORT_COLUMNS)
    assert "1.1.1.1.O1" in lines[1]


def test_command_writes_xlsx_to_the_output_file(tmp_path):
    plan = make_plan("計画A")
    make_plan("計画B")
    graded_result(make_indicator(plan), actual=Decimal(100))
    target = tmp_path / "results.xlsx"
    call_command("export_results", "--year", "2024", "--plan", "計画A", "--output", str(target), stderr=io.StringIO())
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A2"].value == "計画A"


def test_command_takes_the_format_from_the_output_suffix(tmp_path):
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(100))
    target = tmp_path / "results.json"
    call_command("export_results", "--year", "2024", "--output", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8"))[0]["評価"] == "A"


def test_command_requires_a_plan_when_there_are_several_and_lists_them():
    make_plan("計画A")
    make_plan("計画B")
    with translation.override("en"), pytest.raises(CommandError, match="several plans.*計画A, 計画B"):
        call_command("export_results", "--year", "2024")


def test_command_refuses_an_unknown_plan():
    make_plan("計画A")
    with translation.override("en"), pytest.raises(CommandError, match="No plan named '計画Z'. Plans: 計画A"):
        call_command("export_results", "--year", "2024", "--plan", "計画Z")


def test_command_refuses_a_year_without_results():
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(1))
    with translation.override("en"), pytest.raises(CommandError, match="no results for 令和7年度"):
        call_command("export_results", "--year", "2025")


def test_command_refuses_a_year_it_cannot_read():
    make_plan()
    with translation.override("en"), pytest.raises(CommandError, match="Not a fiscal year"):
        call_command("export_results", "--year", "next year")


def test_command_refuses_xlsx_to_stdout():
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(1))
    with pytest.raises(CommandError, match="--output"):
        call_command("export_results", "--year", "2024", "--format", "xlsx")


def test_command_writes_bytes_untouched_to_a_binary_stdout():
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(100))
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    call_command("export_results", "--year", "2024", stdout=out)
    out.flush()
    data = raw.getvalue()
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(RESULTS_EXPORT_COLUMNS).encode("utf-8") + b"\r\n")
    assert data.count(b"\r\n") == 2 and b"\r\r\n" not in data


class _ClosedPipe(io.BytesIO):
    """A pipe whose reader has gone, as `export_results … | head` leaves it."""

    def write(self, data):
        raise BrokenPipeError(32, "Broken pipe")


def test_command_stops_quietly_when_the_reader_of_stdout_goes_away():
    plan = make_plan()
    graded_result(make_indicator(plan), actual=Decimal(100))
    out = io.TextIOWrapper(_ClosedPipe(), encoding="utf-8", newline="\n")
    call_command("export_results", "--year", "2024", stdout=out)


# --- the Setagaya demo workbook, checked against the rule -----------------------------------------

DEMO_FILE = Path(__file__).resolve().parents[3] / "evaluation" / "demo_data" / "setagaya-r6.csv"
DIRECTIONS = {"高いほど良い": Direction.HIGHER, "低いほど良い": Direction.LOWER, "定性": Direction.QUALITATIVE}


def _demo_outcome_lines():
    with DEMO_FILE.open(encoding="utf-8-sig", newline="") as file:
        return [line for line in csv.DictReader(file) if line["種別"] == "成果指標"]


def _build_demo_outcomes():
    """The demo file's outcomes, built with the test builders (code, sub-items, direction, target,
    actual, judged grade) and graded by the scoring service."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    by_code = {}
    for line in _demo_outcome_lines():
        by_code.setdefault(line["指標ID"], []).append(line)
    for code, lines in by_code.items():
        direction = DIRECTIONS[lines[0]["方向"]]
        indicator = make_indicator(plan, code=code, direction=direction, sub_items=tuple(li["小項目"] for li in lines))
        values = {}
        for line in lines:
            if direction == Direction.QUALITATIVE:
                value = {"target_value": None, "target_text": line["目標"]}
                value.update(actual_state=ActualState.TEXT, actual_text=line["実績"])
            else:
                value = {"target_value": parse_number(line["目標"])}
                actual = parse_number(line["実績"])
                value.update({"actual_state": ActualState.TALLYING} if actual is TALLYING else set_actual(actual))
            values[line["小項目"]] = value
        graded_result(indicator, target=None, values_by_label=values, judged_grade=lines[0]["評価"])
    return plan


def _expected_by_the_rule(line):
    """The sheet's footnote ※1, written out again here: ratio (inverted when lower is better), half up
    to 0.1 %, A ≥ 100, B ≥ 80, D ≤ 0, else C; 集計中 is ー; a qualitative grade is the file's."""
    if line["方向"] == "定性":
        return None, line["評価"]
    target, actual = parse_number(line["目標"]), parse_number(line["実績"])
    if actual is TALLYING:
        return None, "ー"
    ratio = target * 100 / actual if line["方向"] == "低いほど良い" else actual * 100 / target
    figure = ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    grade = "D" if figure <= 0 else "A" if figure >= 100 else "B" if figure >= 80 else "C"
    return figure, grade


def test_demo_workbook_built_with_the_builders_exports_every_outcome_graded_by_the_rule():
    _assert_demo_outcomes_graded_by_the_rule(_build_demo_outcomes())


def test_demo_workbook_imported_exports_every_outcome_graded_by_the_rule():
    import_plan_file(DEMO_FILE)
    _assert_demo_outcomes_graded_by_the_rule(Plan.objects.get(name="世田谷区地域保健医療福祉総合計画"))


def test_demo_workbook_imported_exports_one_row_per_indicator_and_sub_item_plus_the_compound_total(tmp_path):
    import_plan_file(DEMO_FILE)
    target = tmp_path / "results.csv"
    call_command("export_results", "--year", "令和6年度", "--output", str(target), stderr=io.StringIO())
    header, *rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline="")))
    kinds = [row[header.index("種別")] for row in rows]
    # 65 activities; 69 outcomes, one with sub-items a and b, so 70 outcome lines plus its own row
    assert (kinds.count("行動量"), kinds.count("成果指標")) == (65, 71)


def _assert_demo_outcomes_graded_by_the_rule(plan):
    exported = {(row["指標ID"], row["小項目"] or ""): row for row in rows_of(plan)}

    lines = _demo_outcome_lines()
    assert len(lines) == 70  # 69 outcomes, one of them with two sub-items
    for line in lines:
        row = exported[(line["指標ID"], line["小項目"])]
        assert (row["達成状況"], row["評価"]) == _expected_by_the_rule(line), line["指標ID"]

    def figure_and_grade(code, label=""):
        row = exported[(code, label)]
        return (str(row["達成状況"]) if row["達成状況"] is not None else None, row["評価"])

    assert figure_and_grade("1.1.2.1.O1") == ("190.3", "A")  # lower is better, 430 / 226
    assert figure_and_grade("1.8.1.2.O1") == ("100.0", "A")  # lower is better, 23.0 / 23.0
    assert figure_and_grade("1.1.3.2.O1") == ("0.0", "D")  # 0 of 4
    assert figure_and_grade("1.4.1.2.O1") == ("79.8", "C")  # 1676 of 2100
    assert figure_and_grade("1.10.1.5.O1", "a") == ("231.7", "A")  # 139 / 60, half up (the sheet truncated)
    assert figure_and_grade("1.10.1.5.O1", "b") == ("287.2", "A")  # 1838 / 640
    assert figure_and_grade("1.10.1.5.O1") == (None, "A")  # the compound indicator's own row
    assert figure_and_grade("2.5.1.1.O1") == (None, "A")  # 定性, judged in the file
    assert figure_and_grade("2.5.1.2.O1") == (None, "A")
    tallying = [line["指標ID"] for line in lines if line["実績"] == "集計中"]
    assert len(tallying) == 5
    assert {figure_and_grade(code) for code in tallying} == {(None, "ー")}


def _xlsx_records(sheet):
    """{(指標ID, 小項目 or ""): {column: cell}} of an export read back."""
    header = [cell.value for cell in sheet[1]]
    records = {}
    for cells in sheet.iter_rows(min_row=2):
        record = dict(zip(header, cells, strict=True))
        records[(record["指標ID"].value, record["小項目"].value or "")] = record
    return records


def test_demo_workbook_xlsx_has_the_hierarchy_marks_baselines_and_values_in_their_cells():
    import_plan_file(DEMO_FILE)
    records = _xlsx_records(xlsx_sheet(Plan.objects.get(name="世田谷区地域保健医療福祉総合計画")))

    def values(code, label=""):
        return {column: cell.value for column, cell in records[(code, label)].items()}

    sub_item_a = values("1.10.1.5.O1", "a")
    assert {column: sub_item_a[column] for column in HIERARCHY_AND_INDICATOR_COLUMNS} == {
        "柱番号": 1,
        "柱": "世田谷版地域包括ケアシステムを強化する",
        "推進施策番号": 10,
        "推進施策": "防災・防犯",
        "めざす姿番号": 1,
        "めざす姿見出し": None,
        "取組番号": 5,
        "主な取組み": "個別避難計画作成の推進",
        "実施計画": "施策１０－１",
        "再掲": None,
        "区分": "5",
        "番号": "5",
        "注記": None,
        "現況値": "a)340件b)3,200件",
        "現況値時点": "令和５年度見込み",
        "修正理由": None,
    }
    assert (sub_item_a["目標"], sub_item_a["実績"], sub_item_a["達成状況"], sub_item_a["評価"]) == (60, 139, 231.7, "A")
    assert values("1.10.1.5.O1")["評価"] == "A" and values("1.10.1.5.O1")["実績"] is None

    relisted = values("1.9.1.3.O2")
    assert (relisted["再掲"], relisted["区分"], relisted["番号"], relisted["注記"]) == ("再掲", "3-2", "３－②", "※3")
    assert (relisted["現況値"], relisted["目標"], relisted["実績"], relisted["評価"]) == ("ー", 55, 55, "A")
    assert relisted["修正理由"] == "区民意識調査にて設問の変更があったため、成果指標及び目標値を修正した"

    tallying = values("1.4.1.1.O1")
    assert (tallying["区分"], tallying["番号"], tallying["注記"]) == ("1-1", "１－①", "※")
    assert tallying["実施計画"] == "施策７－１"
    assert (tallying["現況値"], tallying["目標"], tallying["実績"]) == ("77.2%", 78.3, "集計中")
    assert (tallying["達成状況"], tallying["評価"]) == (None, "ー")

    activity = values("1.10.1.5.A1")
    assert (activity["種別"], activity["現況値"]) == ("行動量", "8,452 人")
    assert (activity["当初計画"], activity["実績"]) == (5700, 4456)
    assert activity["達成状況"] is None and activity["評価"] is None


def test_demo_workbook_xlsx_numbers_are_numeric_cells_shown_as_the_pages_print_them():
    import_plan_file(DEMO_FILE)
    records = _xlsx_records(xlsx_sheet(Plan.objects.get(name="世田谷区地域保健医療福祉総合計画")))
    rate_target = records[("1.9.1.3.O2", "")]["目標"]  # 55.0 %
    count_plan = records[("1.10.1.5.A1", "")]["当初計画"]  # 5,700 人
    achievement = records[("1.10.1.5.O1", "b")]["達成状況"]
    pillar = records[("1.10.1.5.O1", "b")]["柱番号"]
    assert [cell.data_type for cell in (rate_target, count_plan, achievement, pillar)] == ["n"] * 4
    assert (rate_target.number_format, count_plan.number_format, achievement.number_format) == (
        "#,##0.0",
        "#,##0",
        "0.0",
    )
    numeric_columns = ("年度", "柱番号", "推進施策番号", "めざす姿番号", "取組番号")
    for record in records.values():
        assert all(isinstance(record[column].value, int) for column in numeric_columns)
        assert not any(isinstance(cell.value, str) and cell.value.startswith("=") for cell in record.values())
