"""The plan workbook importer, through real files (the demo workbook and copies made in tmp_path)."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from departments.models import Department
from evaluation.domain.enums import ActualState, Direction, IndicatorKind, ResultStatus, YearStatus
from evaluation.domain.fiscal_year import FiscalYearError
from evaluation.domain.grading import GradingError
from evaluation.domain.messages import describe
from evaluation.domain.numbers import NumberError
from evaluation.models import (
    EvaluationYear,
    Indicator,
    Initiative,
    Measure,
    Pillar,
    Plan,
    PolicyArea,
    Result,
    ResultValue,
    Vision,
)
from evaluation.queries import audit
from evaluation.workbook.errors import ImportRefused
from evaluation.workbook.plan_columns import PLAN_COLUMNS
from evaluation.workbook.plan_import import CHANGE_REASON, import_plan_file, preview_plan_file
from tests.evaluation.workbook.plan_files import (
    DEMO_CSV,
    DEMO_XLSX,
    PLAN,
    demo_rows,
    history_count,
    row_of,
    snapshot,
    write_csv,
)

pytestmark = pytest.mark.django_db


# --- The demo workbook ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DEMO_CSV, DEMO_XLSX], ids=["csv", "xlsx"])
def test_demo_workbook_imports_the_whole_plan(path):
    report = import_plan_file(path)

    plan = Plan.objects.get(name=PLAN)
    assert (plan.first_fiscal_year, plan.last_fiscal_year) == (
        2024,
        2027,
    )  # the workbook's 計画期間 令和6年度～令和9年度
    assert Pillar.objects.count() == 2
    assert PolicyArea.objects.count() == 17
    assert Vision.objects.count() == 23
    assert Initiative.objects.count() == 63
    assert Indicator.objects.filter(kind=IndicatorKind.ACTIVITY).count() == 65
    assert Indicator.objects.filter(kind=IndicatorKind.OUTCOME).count() == 69
    assert Department.objects.count() == 21
    compound = Indicator.objects.get(code="1.10.1.5.O1")
    assert list(compound.measures.values_list("label", "name", "baseline_value")) == [
        ("a", "多摩川洪水浸水想定区域内", Decimal("340")),
        ("b", "多摩川洪水浸水想定区域以外", Decimal("3200")),
    ]
    assert Result.objects.filter(fiscal_year=2024).count() == 134
    assert report.row_counts == {"created": 136}
    assert report.fiscal_years == [2024]


def test_csv_and_xlsx_hold_the_same_values():
    import_plan_file(DEMO_CSV)
    before = snapshot()

    report = import_plan_file(DEMO_XLSX)

    assert report.row_counts == {"unchanged": 136}
    assert snapshot() == before


def test_lower_is_better_outcome_is_graded_from_target_over_actual():
    import_plan_file(DEMO_CSV)

    value = ResultValue.objects.get(result__indicator__code="1.1.2.1.O1", result__fiscal_year=2024)

    assert value.result.indicator.direction == Direction.LOWER
    assert (value.target_value, value.actual_value) == (Decimal(430), Decimal(226))
    assert value.achievement == Decimal("190.3")
    assert value.grade == "A"
    assert value.result.grade == "A"


def test_values_of_every_kind_are_stored_as_number_text_or_state():
    import_plan_file(DEMO_CSV)
    values = {
        value.result.indicator.code: value
        for value in ResultValue.objects.select_related("result__indicator").filter(measure__label="")
    }

    tallying = values["1.1.1.1.O1"]
    assert (tallying.target_value, tallying.actual_state, tallying.grade) == (Decimal("9.0"), ActualState.TALLYING, "")
    assert tallying.result.status == ResultStatus.DRAFT  # 集計中 is an answer: the item stays open
    text_plan = values["1.1.1.2.A1"]
    assert text_plan.original_plan_text.startswith("各地区の四者連携")
    assert text_plan.original_plan_value is None
    assert (text_plan.actual_state, text_plan.result.status) == (ActualState.EMPTY, ResultStatus.NOT_ENTERED)
    text_actual = values["1.2.1.2.A1"]
    assert (text_actual.original_plan_text, text_actual.actual_state, text_actual.actual_text) == (
        "一部運用",
        ActualState.TEXT,
        "一部運用",
    )
    assert text_actual.result.status == ResultStatus.DRAFT
    qualitative = values["2.5.1.2.O1"]
    assert (qualitative.target_text, qualitative.actual_text) == ("課題整理", "課題整理")
    assert (qualitative.result.judged_grade, qualitative.result.grade, qualitative.achievement) == ("A", "A", None)


def test_blank_kind_declares_an_initiative_without_indicator():
    import_plan_file(DEMO_CSV)

    initiative = Initiative.objects.get(title="参加支援事業")

    assert not initiative.indicators.exists()


def test_blank_hierarchy_cells_take_the_value_of_the_initiatives_other_rows():
    import_plan_file(DEMO_CSV)

    indicator = Indicator.objects.get(code="1.1.2.2.O1")  # its row leaves 実施計画 blank, the A1 row has it

    assert indicator.initiative.implementation_ref == "施策８－２"


# --- Idempotence and updates ------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing_and_records_no_history():
    import_plan_file(DEMO_CSV)
    before, history_before = snapshot(), history_count()

    report = import_plan_file(DEMO_CSV)

    assert report.row_counts == {"unchanged": 136}
    assert not report.has_changes
    assert snapshot() == before
    assert history_count() == history_before


def test_a_corrected_target_updates_in_place_and_regrades(tmp_path):
    import_plan_file(DEMO_CSV)
    value = ResultValue.objects.select_related("result").get(result__indicator__code="1.8.1.1.O1")
    assert value.grade == "C"  # target 16.5, actual 10.6
    rows = demo_rows()
    row_of(rows, "1.8.1.1.O1")["目標"] = "１０．０"
    history_before = history_count()

    report = import_plan_file(write_csv(tmp_path / "corrected.csv", rows))

    changed = [outcome for outcome in report.rows if outcome.action != "unchanged"]
    assert [(outcome.row, outcome.code, outcome.action) for outcome in changed] == [
        (rows.index(row_of(rows, "1.8.1.1.O1")) + 2, "1.8.1.1.O1", "updated")
    ]
    updated = ResultValue.objects.get(pk=value.pk)
    assert (updated.target_value, updated.achievement, updated.grade) == (Decimal(10), Decimal("106.0"), "A")
    assert updated.result.grade == "A"
    assert updated.result.version == value.result.version + 1
    assert ResultValue.objects.count() == 135
    # one history row for the value, one for its result
    assert history_count() == history_before + 2
    assert any("16.5 → 10" in change for _row, change in report.changes())


def test_a_year_imported_beside_another_leaves_the_other_years_rows_untouched(tmp_path):
    import_plan_file(DEMO_CSV)
    rows_2025 = demo_rows()
    for row in rows_2025:
        row["年度"] = "令和7年度"
        if row["指標ID"] == "1.1.2.1.O1":
            row["実績"] = "600"
    results_2024 = sorted(Result.objects.filter(fiscal_year=2024).values_list())
    values_2024 = sorted(ResultValue.objects.filter(result__fiscal_year=2024).values_list())

    report = import_plan_file(write_csv(tmp_path / "r7.csv", rows_2025))

    assert report.fiscal_years == [2025]
    assert Result.objects.filter(fiscal_year=2025).count() == 134
    assert sorted(Result.objects.filter(fiscal_year=2024).values_list()) == results_2024
    assert sorted(ResultValue.objects.filter(result__fiscal_year=2024).values_list()) == values_2024
    assert ResultValue.objects.get(result__indicator__code="1.1.2.1.O1", result__fiscal_year=2025).grade == "C"
    plan = Plan.objects.get()
    assert (plan.first_fiscal_year, plan.last_fiscal_year) == (2024, 2027)  # the period the file declares

    # and back: re-importing a corrected 2024 leaves 2025 alone
    results_2025 = sorted(Result.objects.filter(fiscal_year=2025).values_list())
    values_2025 = sorted(ResultValue.objects.filter(result__fiscal_year=2025).values_list())
    rows_2024 = demo_rows()
    row_of(rows_2024, "1.1.2.1.O1")["実績"] = "300"
    import_plan_file(write_csv(tmp_path / "r6.csv", rows_2024))
    assert sorted(Result.objects.filter(fiscal_year=2025).values_list()) == results_2025
    assert sorted(ResultValue.objects.filter(result__fiscal_year=2025).values_list()) == values_2025
    assert ResultValue.objects.get(result__indicator__code="1.1.2.1.O1", result__fiscal_year=2024).actual_value == 300


def test_existing_result_keeps_its_status(tmp_path):
    import_plan_file(DEMO_CSV)
    Result.objects.filter(indicator__code="1.1.2.1.O1").update(status=ResultStatus.SUBMITTED)
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["実績"] = "250"

    import_plan_file(write_csv(tmp_path / "f.csv", rows))

    assert Result.objects.get(indicator__code="1.1.2.1.O1").status == ResultStatus.SUBMITTED


def test_a_typed_grade_that_contradicts_the_computed_one_is_refused(tmp_path):
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["評価"] = "D"  # computed: A
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "f.csv", rows))
    [error] = refused.value.errors
    assert (error.column, error.value) == ("評価", "D")
    assert "(A)" in error.message and "leave 評価 blank" in error.message
    assert not Result.objects.exists()


def test_a_typed_grade_that_agrees_with_the_computed_one_is_taken_and_a_judgement_is_read(tmp_path):
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["評価"] = "Ａ"  # as computed (full-width, as typed in Japanese input)
    row_of(rows, "2.5.1.1.O1")["評価"] = "b"  # qualitative: the judgement is taken, as the plan's label B

    report = import_plan_file(write_csv(tmp_path / "f.csv", rows))

    assert Result.objects.get(indicator__code="1.1.2.1.O1").grade == "A"
    assert Result.objects.get(indicator__code="2.5.1.1.O1").grade == "B"
    assert report.ignored == []


def test_dry_run_lists_the_changes_and_saves_nothing(tmp_path):
    import_plan_file(DEMO_CSV)
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["目標"] = "420"
    before, history_before = snapshot(), history_count()

    report = preview_plan_file(write_csv(tmp_path / "f.csv", rows))

    assert report.dry_run
    assert [change for _row, change in report.changes() if "420" in change]
    assert snapshot() == before
    assert history_count() == history_before


def test_a_database_error_refuses_the_whole_file(monkeypatch):
    original_bulk_create = QuerySet.bulk_create

    def failing_bulk_create(self, objs, *args, **kwargs):
        if self.model is ResultValue:  # the last table written: every other one is in the database by then
            raise IntegrityError("simulated")
        return original_bulk_create(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", failing_bulk_create)

    with pytest.raises(ImportRefused) as refused:
        import_plan_file(DEMO_CSV)

    assert "simulated" in refused.value.errors[0].message
    assert not Plan.objects.exists()
    assert not Department.objects.exists()


def _import_counting_queries(tmp_path, rows, name: str, user=None):
    with CaptureQueriesContext(connection) as queries:
        report = import_plan_file(write_csv(tmp_path / name, rows), user=user)
    return report, len(queries)


def _created(report, model) -> int:
    return report.counts[str(model._meta.verbose_name_plural)]["created"]


def test_a_new_plan_is_written_a_table_at_a_time_whatever_its_size(tmp_path):
    rows = demo_rows()
    small, small_queries = _import_counting_queries(tmp_path, rows[:12], "small.csv")
    Plan.objects.all().delete()
    Department.objects.all().delete()
    large, large_queries = _import_counting_queries(tmp_path, rows[:40], "large.csv")

    assert _created(small, Indicator) < _created(large, Indicator)
    for model in [Department, Pillar, PolicyArea, Vision, Initiative, Measure, Result, ResultValue]:
        assert _created(small, model) >= 1, model
    assert small_queries == large_queries


def test_every_object_an_import_creates_has_its_history_row_with_the_user_and_the_path(planner):
    models = [Plan, Department, Indicator, Measure, Result, ResultValue]
    existing = {model: set(model.objects.values_list("pk", flat=True)) for model in models}

    import_plan_file(DEMO_CSV, user=planner)

    for model in models:
        created = set(model.objects.values_list("pk", flat=True)) - existing[model]
        rows = model.history.filter(id__in=created)
        assert created and sorted(rows.values_list("id", flat=True)) == sorted(created), model
        assert set(rows.values_list("history_type", "history_user", "history_change_reason")) == {
            ("+", planner.pk, CHANGE_REASON)
        }, model
    with translation.override("en"):
        entries = audit.describe_rows(list(audit.audit_rows(audit.AuditFilters(indicator_code="1.10.1.5.O1"))))
    assert {entry.kind for entry in entries} >= {"indicator", "measure", "result", "result_value"}
    assert {(entry.path, entry.action, entry.user) for entry in entries} == {
        ("Plan workbook import", "Created", planner)
    }
    measure_entry = next(entry for entry in entries if entry.kind == "measure" and entry.object.endswith("区域内"))
    assert ("baseline value", None, Decimal("340")) in [
        (change.field, change.old, change.new) for change in measure_entry.changes
    ]


def test_an_existing_indicator_moves_to_a_new_initiative_and_a_new_department(tmp_path):
    import_plan_file(DEMO_CSV)
    rows = demo_rows()
    row = row_of(rows, "1.10.1.5.O1", "a")
    moved = [other for other in rows if other["指標ID"] == "1.10.1.5.O1"]
    for other in moved:
        other.update({"取組番号": "99", "主な取組み": "新しい取組み", "担当所管課": "新設課"})

    report = import_plan_file(write_csv(tmp_path / "moved.csv", rows))

    indicator = Indicator.objects.select_related("initiative", "department").get(code="1.10.1.5.O1")
    assert (indicator.initiative.number, indicator.initiative.title) == (99, "新しい取組み")
    assert indicator.department.name == "新設課"
    assert indicator.results.get(fiscal_year=2024).department.name == "新設課"
    assert _created(report, Initiative) == 1 and _created(report, Department) == 1
    assert row["取組番号"] == "99"
    assert Indicator.history.filter(id=indicator.pk).count() == 2  # created, then moved: one row each


# --- Refused files ----------------------------------------------------------------------------------


def refuse(tmp_path, rows, **kwargs) -> list[tuple[int, str, str]]:
    before = snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "broken.csv", rows, **kwargs))
    assert snapshot() == before
    return [(error.row, error.column, error.value) for error in refused.value.errors]


def test_every_problem_of_a_broken_file_is_reported_at_once_and_nothing_is_saved(tmp_path):
    import_plan_file(DEMO_CSV)
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["目標"] = "4三0"  # a letter in a number
    row_of(rows, "1.1.3.1.O1")["目標"] = "0"  # zero target of a graded outcome
    row_of(rows, "1.1.1.3.A1")["種別"] = "活動量"  # unknown kind
    row_of(rows, "1.1.1.3.O1")["年度"] = "令和x年度"  # bad year
    rows.append(dict(row_of(rows, "1.1.1.1.O1")))  # duplicate key
    row_of(rows, "1.8.1.1.O1")["柱"] = "別の柱"  # title conflict with the other rows of pillar 1
    row_of(rows, "1.8.1.2.O1")["実績"] = "多い"  # text actual of a graded outcome
    row_of(rows, "1.4.1.1.O1")["推進施策番号"] = "4.5"  # not an integer
    numbered = {id(row): index + 2 for index, row in enumerate(rows)}

    errors = refuse(tmp_path, rows)

    def at(code, column, value):
        return (numbered[id(row_of(rows, code))], column, value)

    expected = {
        at("1.1.2.1.O1", "目標", "4三0"),
        at("1.1.3.1.O1", "目標", "0"),
        at("1.1.1.3.A1", "種別", "活動量"),
        at("1.1.1.3.O1", "年度", "令和x年度"),
        (len(rows) + 1, "指標ID", "1.1.1.1.O1"),
        at("1.8.1.1.O1", "柱", "別の柱"),
        at("1.8.1.2.O1", "実績", "多い"),
        at("1.4.1.1.O1", "推進施策番号", "4.5"),
    }
    assert expected <= set(errors)
    assert errors == sorted(errors, key=lambda error: error[0])


def test_figures_the_database_cannot_keep_are_refused_with_their_row_and_column(tmp_path):
    """A number the columns cannot hold failed in the database (PostgreSQL) or was rounded (a 5th
    decimal); where a text is allowed (a plan value), it was kept as a text."""
    import_plan_file(DEMO_CSV)
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["目標"] = "1" * 15
    row_of(rows, "1.1.3.1.O1")["実績"] = "0.12345"
    activity = next(row for row in rows if row["種別"] == "行動量")
    activity["当初計画"] = "9" * 20
    numbered = {id(row): index + 2 for index, row in enumerate(rows)}

    errors = refuse(tmp_path, rows)

    assert {
        (numbered[id(row_of(rows, "1.1.2.1.O1"))], "目標", "1" * 15),
        (numbered[id(row_of(rows, "1.1.3.1.O1"))], "実績", "0.12345"),
        (numbered[id(activity)], "当初計画", "9" * 20),
    } <= set(errors)


def test_missing_columns_are_named(tmp_path):
    columns = [column for column in PLAN_COLUMNS if column not in ("目標", "担当所管課")]

    errors = refuse(tmp_path, demo_rows(), columns=columns)

    assert errors == [(1, "目標", ""), (1, "担当所管課", "")]


def test_full_width_hierarchy_numbers_are_accepted(tmp_path):
    rows = demo_rows()
    for row in rows:
        row["柱番号"] = row["柱番号"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    import_plan_file(write_csv(tmp_path / "f.csv", rows))

    assert sorted(Pillar.objects.values_list("number", flat=True)) == [1, 2]


def test_sub_items_of_one_indicator_must_agree_on_the_indicators_columns(tmp_path):
    rows = demo_rows()
    row_of(rows, "1.10.1.5.O1", "b")["指標名"] = "別の名前"

    errors = refuse(tmp_path, rows)

    assert errors == [(rows.index(row_of(rows, "1.10.1.5.O1", "b")) + 2, "指標名", "別の名前")]


def test_error_messages_say_row_column_value_and_why(tmp_path):
    rows = demo_rows()
    row_of(rows, "1.1.3.1.O1")["目標"] = "0"

    with pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "f.csv", rows))

    text = str(refused.value.errors[0])
    # Japanese first: what the staff read.
    assert text == "10行目「目標」列の値「0」：評価する成果指標には、0以外の数値の目標が必要です。"


def test_error_messages_are_in_english_for_an_english_user(tmp_path):
    rows = demo_rows()
    row_of(rows, "1.1.3.1.O1")["目標"] = "0"

    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "f.csv", rows))

    text = str(refused.value.errors[0])
    assert "「目標」" in text and "「0」" in text
    assert "numeric target other than 0" in text


# --- The command ------------------------------------------------------------------------------------


def test_command_imports_and_prints_a_summary(capsys):
    call_command("import_plan", str(DEMO_CSV))

    out = capsys.readouterr().out
    assert PLAN in out
    assert "2024" in out
    assert Indicator.objects.count() == 134


def test_command_dry_run_changes_nothing(capsys):
    call_command("import_plan", str(DEMO_CSV), "--dry-run")

    assert not Plan.objects.exists()
    assert "136" in capsys.readouterr().out


def test_command_refuses_a_broken_file_with_every_error_and_no_traceback(tmp_path, capsys):
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["目標"] = "abc"
    row_of(rows, "1.1.3.1.O1")["目標"] = "0"
    path = write_csv(tmp_path / "broken.csv", rows)

    with pytest.raises(CommandError):
        call_command("import_plan", str(path))

    err = capsys.readouterr().err
    assert "「abc」" in err and "「0」" in err
    assert "Traceback" not in err
    assert not Plan.objects.exists()


def test_command_refuses_an_unreadable_file(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_plan", str(tmp_path / "missing.csv"))

    assert "missing.csv" in capsys.readouterr().err


def test_reimport_reads_the_plan_in_a_handful_of_queries(django_assert_max_num_queries):
    import_plan_file(DEMO_CSV)

    with django_assert_max_num_queries(20):
        import_plan_file(DEMO_CSV)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NumberError("not_a_number", "4三0", "件"), "「4三0」 is not a number."),
        (NumberError("unit_mismatch", "5回", "人"), "「人」"),
        (NumberError("bad_grouping", "1,00"), "「1,00」"),
        (GradingError("target_zero"), "numeric target other than 0"),
        (GradingError("target_not_numeric"), "numeric target other than 0"),
        (GradingError("baseline_not_numeric"), "baseline"),
        (FiscalYearError("令和x年度"), "「令和x年度」 is not a fiscal year"),
    ],
)
def test_domain_errors_are_described_in_words(error, expected):
    with translation.override("en"):
        assert expected in describe(error)


# --- A closed year is read-only (services.guards) ---------------------------------------------------


@pytest.fixture
def closed_2024():
    """The demo plan imported, FY2024 approved and closed: its record is printed and final."""
    import_plan_file(DEMO_CSV)
    plan = Plan.objects.get()
    Result.objects.filter(fiscal_year=2024).update(status=ResultStatus.APPROVED)
    EvaluationYear.objects.create(plan=plan, fiscal_year=2024, status=YearStatus.CLOSED)
    return plan


def refused_in_english(tmp_path, rows) -> ImportRefused:
    """The refusal of the file (its message made in English), after checking that nothing changed."""
    before, history_before = snapshot(), history_count()
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "closed.csv", rows))
    assert snapshot() == before
    assert history_count() == history_before
    return refused.value


def in_fiscal_year(rows, year: str):
    for row in rows:
        row["年度"] = year
    return rows


def test_reimporting_a_closed_year_unchanged_passes(closed_2024):
    assert import_plan_file(DEMO_CSV).row_counts == {"unchanged": 136}


def test_moving_an_indicator_in_a_closed_year_is_refused(closed_2024, tmp_path):
    rows = demo_rows()
    row_of(rows, "1.8.1.1.O1")["担当所管課"] = "新しい課"
    number = rows.index(row_of(rows, "1.8.1.1.O1")) + 2
    department = Indicator.objects.get(code="1.8.1.1.O1").department

    refused = refused_in_english(tmp_path, rows)

    assert [(error.row, error.column, error.value) for error in refused.errors] == [(number, "担当所管課", "新しい課")]
    assert f"Row {number}, column 「担当所管課」, value 「新しい課」" in refused.message
    assert "is closed" in refused.message
    assert Indicator.objects.get(code="1.8.1.1.O1").department == department
    assert Result.objects.get(indicator__code="1.8.1.1.O1", fiscal_year=2024).department == department
    assert not Department.objects.filter(name="新しい課").exists()


def test_moving_an_indicator_from_a_later_year_keeps_the_closed_year_department(closed_2024, tmp_path):
    rows = in_fiscal_year(demo_rows(), "令和7年度")
    row_of(rows, "1.8.1.1.O1")["担当所管課"] = "新しい課"
    old = Indicator.objects.get(code="1.8.1.1.O1").department

    import_plan_file(write_csv(tmp_path / "moved.csv", rows))

    moved = Department.objects.get(name="新しい課")
    assert Indicator.objects.get(code="1.8.1.1.O1").department == moved  # the current one, for new years
    assert Result.objects.get(indicator__code="1.8.1.1.O1", fiscal_year=2025).department == moved
    assert Result.objects.get(indicator__code="1.8.1.1.O1", fiscal_year=2024).department == old


def test_moving_from_a_year_moves_the_later_years_not_in_the_file(closed_2024, tmp_path):
    import_plan_file(write_csv(tmp_path / "2025.csv", in_fiscal_year(demo_rows(), "令和7年度")))
    import_plan_file(write_csv(tmp_path / "2026.csv", in_fiscal_year(demo_rows(), "令和8年度")))
    rows = in_fiscal_year(demo_rows(), "令和7年度")
    row_of(rows, "1.8.1.1.O1")["担当所管課"] = "新しい課"
    old = Indicator.objects.get(code="1.8.1.1.O1").department

    import_plan_file(write_csv(tmp_path / "moved.csv", rows))

    departments = dict(
        Result.objects.filter(indicator__code="1.8.1.1.O1").values_list("fiscal_year", "department__name")
    )
    assert departments == {2024: old.name, 2025: "新しい課", 2026: "新しい課"}
    assert Indicator.objects.get(code="1.8.1.1.O1").department.name == "新しい課"


def test_reimporting_an_earlier_year_does_not_undo_a_later_move(closed_2024, tmp_path):
    rows = in_fiscal_year(demo_rows(), "令和7年度")
    row_of(rows, "1.8.1.1.O1")["担当所管課"] = "新しい課"
    import_plan_file(write_csv(tmp_path / "moved.csv", rows))

    assert import_plan_file(DEMO_CSV).row_counts == {"unchanged": 136}
    assert Indicator.objects.get(code="1.8.1.1.O1").department.name == "新しい課"


@pytest.mark.parametrize(
    ("column", "value"),
    [("方向", "低いほど良い"), ("現況値", "１０．０％"), ("単位", "件")],
)
def test_what_a_closed_years_record_shows_of_an_indicator_cannot_change_in_a_later_year(
    closed_2024, tmp_path, column, value
):
    rows = in_fiscal_year(demo_rows(), "令和7年度")
    row_of(rows, "1.8.1.1.O1")[column] = value
    number = rows.index(row_of(rows, "1.8.1.1.O1")) + 2

    refused = refused_in_english(tmp_path, rows)

    assert [(error.row, error.column, error.value) for error in refused.errors] == [(number, column, value)]
    assert f"Row {number}, column 「{column}」" in refused.message


def test_a_closed_years_results_cannot_change_even_when_not_approved(closed_2024, tmp_path):
    Result.objects.filter(indicator__code="1.1.2.1.O1").update(status=ResultStatus.SUBMITTED)
    rows = demo_rows()
    row_of(rows, "1.1.2.1.O1")["実績"] = "250"
    number = rows.index(row_of(rows, "1.1.2.1.O1")) + 2

    refused = refused_in_english(tmp_path, rows)

    assert [(error.row, error.column, error.value) for error in refused.errors] == [(number, "実績", "250")]
    assert f"Row {number}, column 「実績」, value 「250」" in refused.message
    assert "is closed: its items can no longer be changed" in refused.message


def test_a_new_indicator_cannot_join_a_closed_year(closed_2024, tmp_path):
    rows = demo_rows()
    rows.append({**row_of(rows, "1.8.1.1.O1"), "指標ID": "1.8.1.1.O9"})

    refused = refused_in_english(tmp_path, rows)

    assert [(error.row, error.column, error.value) for error in refused.errors] == [
        (len(rows) + 1, "指標ID", "1.8.1.1.O9")
    ]
    assert not Indicator.objects.filter(code="1.8.1.1.O9").exists()


def test_a_later_year_imports_beside_a_closed_year(closed_2024, tmp_path):
    rows = in_fiscal_year(demo_rows(), "令和7年度")
    row_of(rows, "1.1.2.1.O1")["実績"] = "600"
    closed_before = sorted(ResultValue.objects.filter(result__fiscal_year=2024).values_list())

    report = import_plan_file(write_csv(tmp_path / "r7.csv", rows))

    assert report.fiscal_years == [2025]
    assert Result.objects.filter(fiscal_year=2025).count() == 134
    assert sorted(ResultValue.objects.filter(result__fiscal_year=2024).values_list()) == closed_before


# --- The plan's period (計画期間) -------------------------------------------------------------------


def _with_period(rows, period: str):
    for row in rows:
        row["計画期間"] = period
    return rows


def test_the_period_column_sets_the_plans_years(tmp_path):
    import_plan_file(write_csv(tmp_path / "p.csv", _with_period(demo_rows(), "2024～2026")))
    plan = Plan.objects.get()
    assert (plan.first_fiscal_year, plan.last_fiscal_year) == (2024, 2026)
    assert plan.period_display.startswith("令和6年度")


def test_a_file_without_the_period_column_widens_the_plan_to_its_years(tmp_path):
    columns = [column for column in PLAN_COLUMNS if column != "計画期間"]
    import_plan_file(write_csv(tmp_path / "old.csv", demo_rows(), columns=columns))
    plan = Plan.objects.get()
    assert (plan.first_fiscal_year, plan.last_fiscal_year) == (2024, 2024)


@pytest.mark.parametrize(
    ("period", "column", "message"),
    [
        ("令和6年度から", "計画期間", "Write the plan's period as e.g. 令和6年度～令和9年度."),
        ("令和7年度～令和9年度", "年度", "The year is outside the plan's period (令和7年度～令和9年度)."),
    ],
)
def test_an_unreadable_period_or_a_year_outside_it_is_refused(tmp_path, period, column, message):
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "p.csv", _with_period(demo_rows(), period)))
    *reported, more = refused.value.errors  # every one of the 136 rows: the first hundred shown, then a count
    assert {(error.column, error.message) for error in reported} == {(column, message)}
    assert more.message == "…and 36 more problems. Fix the ones above and import the file again."
    assert not Plan.objects.exists()


def test_rows_that_disagree_on_the_period_are_refused(tmp_path):
    rows = demo_rows()
    rows[5]["計画期間"] = "令和6年度～令和8年度"
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "p.csv", rows))
    [error] = refused.value.errors
    assert (error.row, error.column) == (7, "計画期間") and "令和6年度～令和9年度" in error.message


def test_a_period_that_leaves_out_a_year_the_plan_evaluates_is_refused(tmp_path):
    import_plan_file(DEMO_CSV)
    rows = in_fiscal_year(_with_period(demo_rows(), "令和7年度～令和9年度"), "令和7年度")
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "p.csv", rows))
    assert [(error.row, error.column) for error in refused.value.errors] == [(2, "計画期間")]
    assert "令和6年度（2024年度）" in refused.value.message
    assert (Plan.objects.get().first_fiscal_year, Plan.objects.get().last_fiscal_year) == (2024, 2027)
