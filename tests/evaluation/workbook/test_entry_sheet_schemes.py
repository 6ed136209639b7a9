"""The entry sheet of a plan graded by あきる野市's scheme (S, A, B, C judged; 完了, 未着手, 中止, 評価困難,
集計中 instead of a figure): its drop-down lists and instructions are the scheme's, the upload reads its
words (full-width too) and refuses others naming the row, the column and the value."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from evaluation.domain.enums import Direction, IndicatorKind, ResultStatus
from evaluation.models import EntryUpload, ResultValue
from evaluation.workbook.entry_sheet import ENTRY_SHEET_COLUMNS
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db

HEADER = "数値に代えて（完了・未着手・中止・評価困難・集計中）"  # the state's column, headed for what it holds


@pytest.fixture
def setting(client):
    plan = make_plan("あきる野市総合計画", scheme="akiruno")
    make_open_year(plan)
    department = make_department("企画政策課")
    count = make_indicator(plan, department=department, name="相談件数", code="1.1")
    make_result(count, target=Decimal(100))
    rate = make_indicator(plan, department=department, name="参加率", unit="%", code="1.2")
    make_result(rate, target=Decimal(50))
    qualitative = make_indicator(plan, department=department, direction=Direction.QUALITATIVE, unit="", code="1.3")
    make_result(qualitative, target="課題整理")
    done = make_indicator(plan, department=department, name="施設整備", code="1.4")
    finished = make_result(done, target=Decimal(1), status=ResultStatus.APPROVED)
    ResultValue.objects.filter(result=finished).update(actual_state="completed", grade="F")
    user = make_user("suzuki", department=department)
    client.force_login(user)
    return {"plan": plan, "department": department, "user": user}


def _sheet(client, setting):
    response = client.get(reverse("entry_sheet_download", args=[setting["department"].pk, 2024]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return book, book.worksheets[0]


def _column(name: str) -> int:
    return ENTRY_SHEET_COLUMNS.index(name) + 1


def _rows(sheet) -> dict[str, int]:
    return {sheet.cell(row, _column("指標ID")).value: row for row in range(2, sheet.max_row + 1)}


def _upload(client, setting, book):
    buffer = io.BytesIO()
    book.save(buffer)
    with translation.override("en"):
        response = client.post(
            reverse("entry_sheet_upload", args=[setting["department"].pk, 2024]),
            {"sheet": SimpleUploadedFile("入力シート.xlsx", buffer.getvalue())},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302, response.content.decode()[-1500:]
    return EntryUpload.objects.latest("created_at")


def test_the_lists_and_the_instructions_are_the_schemes(client, setting):
    book, sheet = _sheet(client, setting)

    formulas = {validation.formula1 for validation in sheet.data_validations.dataValidation}
    assert formulas == {'"S,A,B,C"', '"完了,未着手,中止,評価困難,集計中"'}
    assert sheet.cell(_rows(sheet)["1.4"], _column("集計中")).value == "完了"  # a saved state by its name
    help_text = "\n".join(str(row[0].value) for row in book["記入方法"].iter_rows() if row[0].value)
    assert "S、A、B、Cのいずれか" in help_text
    assert "数値に代えて：数値の代わりに「完了」、「未着手」、「中止」、「評価困難」、「集計中」" in help_text
    assert "実績、数値に代えて、評価、評価理由" in help_text
    assert "評価がB・Cのときは必須" in help_text and "中止・評価困難のときも" in help_text
    assert "A、B、C、D" not in help_text


def test_state_words_and_judged_labels_are_read_full_width_too(client, setting):
    book, sheet = _sheet(client, setting)
    rows = _rows(sheet)
    sheet.cell(rows["1.1"], _column("実績")).value = "中止"  # a state word typed in 実績
    sheet.cell(rows["1.1"], _column("評価理由")).value = "事業を廃止したため"
    sheet.cell(rows["1.2"], _column("集計中")).value = "未着手"  # chosen from the list
    sheet.cell(rows["1.3"], _column("実績")).value = "運用開始"
    sheet.cell(rows["1.3"], _column("評価")).value = "Ｓ"  # full-width

    upload = _upload(client, setting, book)

    assert upload.errors == []
    by_code = {row["code"]: row for row in upload.rows}
    assert (by_code["1.1"]["measures"][0]["state"], by_code["1.1"]["grade"]) == ("cancelled", "Y")
    assert by_code["1.1"]["measures"][0]["new"] == "中止"
    assert (by_code["1.2"]["measures"][0]["state"], by_code["1.2"]["grade"]) == ("not_started", "X")
    assert (by_code["1.3"]["judged_grade"], by_code["1.3"]["grade"]) == ("S", "S")

    assert client.post(reverse("entry_sheet_confirm", args=[upload.pk])).status_code == 302
    states = dict(
        ResultValue.objects.filter(result__indicator__plan=setting["plan"]).values_list(
            "result__indicator__code", "actual_state"
        )
    )
    assert (states["1.1"], states["1.2"]) == ("cancelled", "not_started")


def test_a_missing_note_is_shown_in_the_preview(client, setting):
    book, sheet = _sheet(client, setting)
    sheet.cell(_rows(sheet)["1.1"], _column("集計中")).value = "評価困難"

    upload = _upload(client, setting, book)

    entry = next(row for row in upload.rows if row["code"] == "1.1")
    assert entry["reason_missing"] and entry["note_states"] == "評価困難"
    page = client.get(reverse("entry_sheet_preview", args=[upload.pk])).content.decode()
    assert "「評価困難」となった理由（注記）" in page


@pytest.mark.parametrize(
    ("column", "typed", "words"),
    [
        (HEADER, "廃止", "Write one of 「完了」, 「未着手」, 「中止」, 「評価困難」 or 「集計中」 in this column"),
        ("評価", "D", "Choose a grade from S, A, B and C."),
        ("実績", "休止", "Enter a number, or one of 「完了」, 「未着手」, 「中止」, 「評価困難」 and 「集計中」."),
    ],
)
def test_a_word_the_scheme_does_not_have_is_refused_naming_row_column_and_value(client, setting, column, typed, words):
    book, sheet = _sheet(client, setting)
    row = _rows(sheet)["1.3" if column == "評価" else "1.1"]
    sheet.cell(row, _column("集計中" if column == HEADER else column)).value = typed

    upload = _upload(client, setting, book)

    assert [(error["row"], error["column"], error["value"]) for error in upload.errors] == [(row, column, typed)]
    assert upload.errors[0]["text"].startswith(f"Row {row}, column 「{column}」, value 「{typed}」: ")
    assert words in upload.errors[0]["text"]


def test_the_japanese_message_names_the_words_too(client, setting):
    book, sheet = _sheet(client, setting)
    row = _rows(sheet)["1.1"]
    sheet.cell(row, _column("集計中")).value = "廃止"
    buffer = io.BytesIO()
    book.save(buffer)

    client.post(
        reverse("entry_sheet_upload", args=[setting["department"].pk, 2024]),
        {"sheet": SimpleUploadedFile("入力シート.xlsx", buffer.getvalue())},
    )

    error = EntryUpload.objects.latest("created_at").errors[0]
    assert (
        "この列には「完了」、「未着手」、「中止」、「評価困難」、「集計中」のいずれかを入力するか、空欄にしてください。"
        in error["text"]
    )


def test_the_state_column_is_headed_for_what_it_holds_with_the_schemes_list(client, setting):
    book, sheet = _sheet(client, setting)

    header = sheet.cell(1, _column("集計中"))
    assert header.value == HEADER
    assert sheet.column_dimensions[header.column_letter].width == 16  # wider than 集計中's 8
    lists = {validation.formula1: validation for validation in sheet.data_validations.dataValidation}
    states = lists['"完了,未着手,中止,評価困難,集計中"']
    assert f"{header.column_letter}2" in str(states.sqref)
    assert states.prompt == (
        "数値の代わりに、「完了」、「未着手」、「中止」、「評価困難」、「集計中」のいずれかを選べます。"
    )


def test_the_round_trip_through_the_reader_takes_the_state_column_under_its_header(client, setting):
    book, sheet = _sheet(client, setting)
    rows = _rows(sheet)
    sheet.cell(rows["1.2"], _column("集計中")).value = "評価困難"
    sheet.cell(rows["1.2"], _column("評価理由")).value = "調査が中止されたため"

    upload = _upload(client, setting, book)

    assert upload.errors == []
    entry = next(row for row in upload.rows if row["code"] == "1.2")
    assert (entry["measures"][0]["state"], entry["grade"], entry["reason_missing"]) == ("difficult", "Z", False)
    assert client.post(reverse("entry_sheet_confirm", args=[upload.pk])).status_code == 302
    value = ResultValue.objects.get(result__indicator__code="1.2", result__indicator__plan=setting["plan"])
    assert (value.actual_state, value.result.reason) == ("difficult", "調査が中止されたため")


def test_a_sheet_headed_集計中_as_before_is_still_read(client, setting):
    book, sheet = _sheet(client, setting)
    sheet.cell(1, _column("集計中")).value = "集計中"  # a sheet downloaded before the header named its states
    sheet.cell(_rows(sheet)["1.2"], _column("集計中")).value = "未着手"

    upload = _upload(client, setting, book)

    assert upload.errors == []
    entry = next(row for row in upload.rows if row["code"] == "1.2")
    assert (entry["measures"][0]["state"], entry["grade"]) == ("not_started", "X")


def test_the_state_column_headed_twice_is_refused_naming_both(client, setting):
    book, sheet = _sheet(client, setting)
    sheet.cell(1, _column("目標")).value = "集計中"

    with translation.override("en"):
        buffer = io.BytesIO()
        book.save(buffer)
        response = client.post(
            reverse("entry_sheet_upload", args=[setting["department"].pk, 2024]),
            {"sheet": SimpleUploadedFile("入力シート.xlsx", buffer.getvalue())},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 302
    errors = EntryUpload.objects.latest("created_at").errors
    assert [(error["row"], error["column"]) for error in errors] == [(1, HEADER)]
    assert f"The header row has the column 「集計中」、「{HEADER}」 twice." in errors[0]["text"]


def test_a_missing_state_column_is_named_as_the_scheme_heads_it(client, setting):
    book, sheet = _sheet(client, setting)
    sheet.cell(1, _column("集計中")).value = "備考"

    upload = _upload(client, setting, book)

    assert [(error["row"], error["column"]) for error in upload.errors] == [(1, HEADER)]
    assert f"「{HEADER}」" in upload.errors[0]["text"]


def test_an_activity_cancelled_in_the_sheet_asks_its_note_in_評価理由(client, setting):
    activity = make_indicator(
        setting["plan"], department=setting["department"], kind=IndicatorKind.ACTIVITY, name="講座", code="2.1"
    )
    make_result(activity, target=None)
    book, sheet = _sheet(client, setting)
    row = _rows(sheet)["2.1"]
    assert not sheet.cell(row, _column("評価理由")).protection.locked  # the activity's first row takes its note
    sheet.cell(row, _column("集計中")).value = "中止"

    entry = next(entry for entry in _upload(client, setting, book).rows if entry["code"] == "2.1")

    assert (entry["reason_missing"], entry["note_states"]) == (True, "中止")

    sheet.cell(row, _column("評価理由")).value = "会場の改修で中止"
    upload = _upload(client, setting, book)
    entry = next(entry for entry in upload.rows if entry["code"] == "2.1")
    assert entry["reason_missing"] is False
    assert client.post(reverse("entry_sheet_confirm", args=[upload.pk])).status_code == 302
    saved = ResultValue.objects.select_related("result").get(result__indicator=activity)
    assert (saved.actual_state, saved.result.reason) == ("cancelled", "会場の改修で中止")
