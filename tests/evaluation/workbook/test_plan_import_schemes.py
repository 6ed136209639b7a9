"""The plan workbook under a plan's grading scheme: the optional 意識調査 column, the scheme's state words in
実績 and its judged labels in 評価, read through the real reader; the export writes them back."""

import pytest
from django.utils import translation

from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, YearStatus
from evaluation.models import EvaluationYear, Indicator, Plan, Result, ResultValue
from evaluation.workbook.errors import ImportRefused
from evaluation.workbook.plan_export import workbook_rows
from evaluation.workbook.plan_import import import_plan_file
from tests.evaluation.workbook.plan_files import DEMO_CSV, PLAN, demo_rows, row_of, write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OUTCOME = "1.1.2.1.O1"  # higher is better, target 560, actual 600 in the demo
QUALITATIVE = "2.5.1.1.O1"


def _plan_on(preset: str) -> Plan:
    """The demo plan imported, then moved to a preset (the regrading's own tests cover how)."""
    import_plan_file(DEMO_CSV)
    plan = Plan.objects.get(name=PLAN)
    Plan.objects.filter(pk=plan.pk).update(grading_scheme=scheme_files.to_data(scheme_files.preset(preset)))
    return plan


def _refused(tmp_path, rows) -> list[tuple[int, str, str, str]]:
    with pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "f.csv", rows))
    return [(error.row, error.column, error.value, error.message) for error in refused.value.errors]


def test_the_survey_column_marks_a_survey_based_indicator_and_the_export_writes_it(tmp_path):
    rows = demo_rows()
    for row in rows:
        row["意識調査"] = "〇" if row["指標ID"] == OUTCOME else ""
    import_plan_file(write_csv(tmp_path / "f.csv", rows))
    assert list(Indicator.objects.filter(survey=True).values_list("code", flat=True)) == [OUTCOME]
    exported = list(workbook_rows(Plan.objects.get(name=PLAN)))
    assert {row["意識調査"] for row in exported if row["指標ID"] == OUTCOME} == {"○"}
    assert {row["意識調査"] for row in exported if row["指標ID"] != OUTCOME} == {""}


def test_a_workbook_without_the_survey_column_is_read_as_before():
    import_plan_file(DEMO_CSV)
    assert not Indicator.objects.filter(survey=True).exists()


def test_a_wrong_survey_mark_or_one_on_an_activity_is_refused(tmp_path):
    rows = demo_rows()
    activity = next(row for row in rows if row["種別"] == "行動量")
    activity["意識調査"] = "○"
    row_of(rows, OUTCOME)["意識調査"] = "はい"
    problems = _refused(tmp_path, rows)
    assert [(column, value) for _row, column, value, _message in problems] == [("意識調査", "○"), ("意識調査", "はい")]
    assert "Only an outcome indicator can be survey-based" in problems[0][3]
    assert "Write ○ for a survey-based indicator" in problems[1][3]


def test_a_state_word_of_the_plans_scheme_is_read_as_that_state(tmp_path):
    _plan_on("akiruno")
    rows = demo_rows()
    row_of(rows, OUTCOME)["実績"] = "中止"
    import_plan_file(write_csv(tmp_path / "f.csv", rows))
    value = ResultValue.objects.get(result__indicator__code=OUTCOME)
    assert (value.actual_state, value.actual_value, value.grade) == ("cancelled", None, "Y")
    exported = next(row for row in workbook_rows(Plan.objects.get(name=PLAN)) if row["指標ID"] == OUTCOME)
    assert exported["実績"] == "中止"  # written back as the word it was read from


def test_a_state_word_the_plans_scheme_does_not_have_is_refused_with_the_words_it_has(tmp_path):
    rows = demo_rows()
    row_of(rows, OUTCOME)["実績"] = "中止"
    [(_row, column, value, message)] = _refused(tmp_path, rows)
    assert (column, value) == ("実績", "中止")
    assert "Write a number, one of 集計中, or leave it blank." in message


def test_a_judgement_is_one_of_the_plans_labels(tmp_path):
    _plan_on("fukuoka")
    rows = demo_rows()
    row_of(rows, QUALITATIVE)["評価"] = "ｂ"  # full-width, as typed with a Japanese keyboard
    import_plan_file(write_csv(tmp_path / "f.csv", rows))
    assert Result.objects.get(indicator__code=QUALITATIVE).grade == "b"
    row_of(rows, QUALITATIVE)["評価"] = "Ａ"  # a label in another case is the plan's: a
    import_plan_file(write_csv(tmp_path / "f.csv", rows))
    assert Result.objects.get(indicator__code=QUALITATIVE).grade == "a"
    row_of(rows, QUALITATIVE)["評価"] = "D"  # Setagaya's letter: not a grade of this plan
    [(_row, column, value, message)] = _refused(tmp_path, rows)
    assert (column, value) == ("評価", "D") and "one of the plan's grades: a、b、c" in message


def test_the_refusals_speak_japanese_by_default(tmp_path):
    rows = demo_rows()
    row_of(rows, OUTCOME)["評価"] = "D"
    with translation.override("ja"), pytest.raises(ImportRefused) as refused:
        import_plan_file(write_csv(tmp_path / "f.csv", rows))
    [error] = refused.value.errors
    assert error.column == "評価" and "評価" in str(error) and "A" in error.message
    assert ActualState.NUMBER  # the enum is still the actual's kind


def test_a_closed_years_state_is_written_by_the_scheme_it_was_closed_with(tmp_path):
    plan = _plan_on("akiruno")
    rows = demo_rows()
    row_of(rows, OUTCOME)["実績"] = "中止"
    import_plan_file(write_csv(tmp_path / "f.csv", rows))
    fiscal_year = Result.objects.get(indicator__code=OUTCOME).fiscal_year
    EvaluationYear.objects.update_or_create(plan=plan, fiscal_year=fiscal_year)
    year = EvaluationYear.objects.get(plan=plan, fiscal_year=fiscal_year)
    year.status = YearStatus.CLOSED
    year.save(update_fields=["status", *year.snapshot_rule()])
    Plan.objects.filter(pk=plan.pk).update(grading_scheme=scheme_files.to_data(scheme_files.default_scheme()))

    exported = next(row for row in workbook_rows(Plan.objects.get(name=PLAN)) if row["指標ID"] == OUTCOME)

    assert exported["実績"] == "中止"  # not left blank because Setagaya's scheme has no 中止
