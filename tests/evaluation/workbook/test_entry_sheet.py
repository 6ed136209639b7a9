"""The entry sheet round trip: download the department's sheet, fill it in, upload, preview, confirm."""

import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from evaluation.domain.enums import ActualState, Direction, IndicatorKind, ResultStatus, YearStatus
from evaluation.models import EntryUpload, EvaluationYear, Indicator, Result, ResultValue
from evaluation.services.results import save_draft
from evaluation.views.entry_sheet import department_page_url
from evaluation.workbook.entry_sheet import ENTRY_SHEET_COLUMNS, ID_COLUMN, build_entry_sheet, read_entry_sheet
from evaluation.workbook.entry_sheet.layout import BORDER, ENTRY_FILL, LOCKED_FILL
from tests.builders import (
    enter_actual,
    make_department,
    make_indicator,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db


@dataclass
class Setting:
    plan: object
    welfare: object
    housing: object
    user: object
    count: Indicator  # 件, higher is better, target 2,000
    rate: Indicator  # %, higher is better, target 50
    qualitative: Indicator
    activity: Indicator
    compound: Indicator
    others: Indicator  # the housing department's


@pytest.fixture
def setting(client):
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    make_open_year(plan)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    count = make_indicator(plan, department=welfare, name="相談件数", code="1.1")
    make_result(count, target=Decimal(2000))
    rate = make_indicator(plan, department=welfare, name="認知度", unit="%", code="1.2")
    make_result(rate, target=Decimal(50))
    qualitative = make_indicator(plan, department=welfare, direction=Direction.QUALITATIVE, unit="", code="1.3")
    make_result(qualitative, target="課題整理")
    activity = make_indicator(plan, department=welfare, kind=IndicatorKind.ACTIVITY, unit="回", code="1.4")
    make_result(activity, target=None)
    ResultValue.objects.filter(result__indicator=activity).update(original_plan_value=Decimal(12))
    compound = make_indicator(plan, department=welfare, sub_items=("a", "b"), code="1.5")
    make_result(compound, target=Decimal(60))
    others = make_indicator(plan, department=housing, name="住まい相談", code="2.1")
    make_result(others, target=Decimal(10))
    # Another year of the same indicator: never on the 2024 sheet.
    make_result(count, fiscal_year=2025, target=Decimal(9999))
    user = make_user("tanaka", department=welfare, first_name="花子", last_name="田中")
    client.force_login(user)
    return Setting(plan, welfare, housing, user, count, rate, qualitative, activity, compound, others)


def _download(client, department, year=2024):
    return client.get(reverse("entry_sheet_download", args=[department.pk, year]))


def _sheet(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return book, book.worksheets[0]


def _rows(sheet) -> dict[tuple[str, str], int]:
    """{(指標ID, 小項目): spreadsheet row}."""
    code, label = ENTRY_SHEET_COLUMNS.index("指標ID") + 1, ENTRY_SHEET_COLUMNS.index("小項目") + 1
    return {
        (sheet.cell(row, code).value, sheet.cell(row, label).value or ""): row for row in range(2, sheet.max_row + 1)
    }


def _set(sheet, row: int, column: str, value):
    sheet.cell(row, ENTRY_SHEET_COLUMNS.index(column) + 1).value = value


def _get(sheet, row: int, column: str):
    return sheet.cell(row, ENTRY_SHEET_COLUMNS.index(column) + 1).value


def _upload(client, department, book, name="入力シート.xlsx", year=2024):
    buffer = io.BytesIO()
    book.save(buffer)
    file = SimpleUploadedFile(name, buffer.getvalue())
    with translation.override("en"):
        return client.post(
            reverse("entry_sheet_upload", args=[department.pk, year]), {"sheet": file}, HTTP_ACCEPT_LANGUAGE="en"
        )


def _filled(client, setting):
    """The sheet as a user fills it: full-width 1,816, 集計中, a qualitative C with its reason."""
    book, sheet = _sheet(_download(client, setting.welfare).content)
    rows = _rows(sheet)
    _set(sheet, rows[("1.1", "")], "実績", "１，８１６")
    _set(sheet, rows[("1.2", "")], "集計中", "集計中")
    _set(sheet, rows[("1.3", "")], "実績", "一部運用")
    _set(sheet, rows[("1.3", "")], "評価", "C")
    _set(sheet, rows[("1.3", "")], "評価理由", "関係機関との調整に時間を要したため")
    return book, sheet, rows


def _last_upload():
    return EntryUpload.objects.latest("created_at")


def _errors(upload):
    return [(error["row"], error["column"], error["value"]) for error in upload.errors]


# --- the sheet ------------------------------------------------------------------------------------


def test_sheet_holds_only_the_departments_indicators_of_the_year_with_the_plan_values(client, setting):
    response = _download(client, setting.welfare)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    book, sheet = _sheet(response.content)
    assert sheet.title == "令和6年度"
    assert [cell.value for cell in sheet[1]] == list(ENTRY_SHEET_COLUMNS)
    rows = _rows(sheet)
    assert list(rows) == [("1.1", ""), ("1.2", ""), ("1.3", ""), ("1.4", ""), ("1.5", "a"), ("1.5", "b")]
    assert _get(sheet, rows[("1.1", "")], "目標") == 2000
    assert _get(sheet, rows[("1.3", "")], "目標") == "課題整理"
    assert _get(sheet, rows[("1.4", "")], "当初計画") == 12
    assert _get(sheet, rows[("1.1", "")], "状態") == "未入力"
    assert sheet.protection.sheet
    assert not sheet.cell(rows[("1.1", "")], ENTRY_SHEET_COLUMNS.index("実績") + 1).protection.locked
    assert sheet.cell(rows[("1.1", "")], ENTRY_SHEET_COLUMNS.index("目標") + 1).protection.locked
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(len(ENTRY_SHEET_COLUMNS))].hidden
    assert sheet.freeze_panes == "C2"
    assert "記入方法" in book.sheetnames


def test_submitted_rows_are_marked_and_locked_in_the_sheet(client, setting):
    Result.objects.filter(indicator=setting.count).update(status=ResultStatus.SUBMITTED)

    book, sheet = _sheet(_download(client, setting.welfare).content)

    row = _rows(sheet)[("1.1", "")]
    assert _get(sheet, row, "状態") == "提出済"
    assert sheet.cell(row, ENTRY_SHEET_COLUMNS.index("実績") + 1).protection.locked


def test_texts_are_escaped_against_formulas_in_the_sheet(setting):
    Indicator.objects.filter(pk=setting.count.pk).update(name="=HYPERLINK(1)")

    _book, sheet = _sheet(build_entry_sheet(setting.welfare, setting.plan, 2024))

    assert _get(sheet, 2, "指標名") == "'=HYPERLINK(1)"


def test_another_departments_sheet_is_not_found(client, setting):
    assert _download(client, setting.housing).status_code == 404
    assert client.get(reverse("entry_sheet_upload", args=[setting.housing.pk, 2024])).status_code == 404


# --- upload, preview, confirm ---------------------------------------------------------------------


def test_filled_sheet_previews_its_changes_and_confirming_applies_them(client, setting):
    book, _sheet_, _rows_ = _filled(client, setting)

    response = _upload(client, setting.welfare, book)

    upload = _last_upload()
    assert response.status_code == 302
    assert response["Location"] == reverse("entry_sheet_preview", args=[upload.pk])
    assert upload.errors == []
    changed = {entry["code"]: entry for entry in upload.rows if entry["changed"]}
    assert set(changed) == {"1.1", "1.2", "1.3"}
    assert changed["1.1"]["measures"][0]["new"] == "1,816件"
    assert changed["1.1"]["measures"][0]["achievement"] == "90.8"
    assert changed["1.1"]["grade"] == "B"
    assert changed["1.3"]["grade"] == "C"

    preview = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "1,816件" in page and "90.8%" in page and "集計中" in page
    assert reverse("entry_sheet_confirm", args=[upload.pk]) in page

    confirmed = client.post(reverse("entry_sheet_confirm", args=[upload.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert confirmed.status_code == 302
    count = Result.objects.get(indicator=setting.count, fiscal_year=2024)
    value = count.values.get()
    assert (value.actual_state, value.actual_value, value.achievement, value.grade) == (
        ActualState.NUMBER,
        Decimal(1816),
        Decimal("90.8"),
        "B",
    )
    assert (count.status, count.grade, count.updated_by) == (ResultStatus.DRAFT, "B", setting.user)
    assert count.history.latest().history_user == setting.user
    assert Result.objects.get(indicator=setting.rate).values.get().actual_state == ActualState.TALLYING
    qualitative = Result.objects.get(indicator=setting.qualitative)
    assert (qualitative.grade, qualitative.judged_grade, qualitative.reason) == (
        "C",
        "C",
        "関係機関との調整に時間を要したため",
    )
    assert qualitative.values.get().actual_text == "一部運用"
    assert Result.objects.get(indicator=setting.activity).status == ResultStatus.NOT_ENTERED
    assert _last_upload().applied_at is not None
    preview_url = reverse("entry_sheet_preview", args=[upload.pk])
    assert confirmed["Location"] == department_page_url(setting.welfare.pk, 2024, preview_url)
    assert [str(message) for message in get_messages(confirmed.wsgi_request)] == [
        "Saved the sheet: 3 items changed and are now drafts; 2 unchanged."
    ]


def test_a_compound_indicator_takes_each_sub_item_and_the_worst_grade_with_the_first_rows_reason(client, setting):
    book, sheet = _sheet(_download(client, setting.welfare).content)
    rows = _rows(sheet)
    _set(sheet, rows[("1.5", "a")], "実績", 70)
    _set(sheet, rows[("1.5", "a")], "評価理由", "b)の実績が伸びなかったため")
    _set(sheet, rows[("1.5", "b")], "実績", "３０")
    _upload(client, setting.welfare, book)
    upload = _last_upload()

    client.post(reverse("entry_sheet_confirm", args=[upload.pk]))

    result = Result.objects.get(indicator=setting.compound)
    values = {value.measure.label: value for value in result.values.select_related("measure")}
    assert (values["a"].achievement, values["a"].grade) == (Decimal("116.7"), "A")
    assert (values["b"].achievement, values["b"].grade) == (Decimal("50.0"), "C")
    assert (result.grade, result.reason, result.status) == ("C", "b)の実績が伸びなかったため", ResultStatus.DRAFT)


def test_the_actual_cells_are_text_so_excel_keeps_a_typed_percent(setting):
    _book, sheet = _sheet(build_entry_sheet(setting.welfare, setting.plan, 2024))

    assert sheet.cell(2, ENTRY_SHEET_COLUMNS.index("実績") + 1).number_format == "@"


def test_reconfirming_an_applied_upload_is_refused(client, setting):
    book, _sheet_, _rows_ = _filled(client, setting)
    _upload(client, setting.welfare, book)
    upload = _last_upload()
    client.post(reverse("entry_sheet_confirm", args=[upload.pk]))
    versions = dict(Result.objects.values_list("pk", "version"))

    response = client.post(reverse("entry_sheet_confirm", args=[upload.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert "already applied" in response.content.decode()
    assert dict(Result.objects.values_list("pk", "version")) == versions


def test_a_row_of_another_departments_indicator_is_refused_and_nothing_is_applied(client, setting):
    book, sheet, rows = _filled(client, setting)
    others = Result.objects.get(indicator=setting.others)
    _set(sheet, rows[("1.4", "")], ID_COLUMN, f"R{others.pk}-M{others.values.get().pk}-V{others.version}")
    _set(sheet, rows[("1.4", "")], "実績", "99")

    _upload(client, setting.welfare, book)

    upload = _last_upload()
    assert [error["message"] for error in upload.errors] == [
        "This is not your department's indicator: its row cannot be uploaded here."
    ]
    assert upload.errors[0]["row"] == rows[("1.4", "")]
    preview = client.get(reverse("entry_sheet_preview", args=[upload.pk])).content.decode()
    assert reverse("entry_sheet_confirm", args=[upload.pk]) not in preview
    response = client.post(reverse("entry_sheet_confirm", args=[upload.pk]))
    assert response.status_code == 302
    assert not Result.objects.exclude(status=ResultStatus.NOT_ENTERED).exists()
    assert others.values.get().actual_state == ActualState.EMPTY


def test_a_bad_number_is_refused_with_its_row_column_and_value(client, setting):
    book, sheet, rows = _filled(client, setting)
    _set(sheet, rows[("1.5", "b")], "実績", "多数")

    _upload(client, setting.welfare, book)

    upload = _last_upload()
    assert _errors(upload) == [(rows[("1.5", "b")], "実績", "多数")]
    assert upload.errors[0]["text"].startswith(f"Row {rows[('1.5', 'b')]}, column 「実績」, value 「多数」: ")
    page = client.get(reverse("entry_sheet_preview", args=[upload.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "「多数」" in page and "is not a number" in page


def test_a_missing_header_is_refused(client, setting):
    book, sheet, _rows_ = _filled(client, setting)
    _set(sheet, 1, "実績", "数値")

    _upload(client, setting.welfare, book)

    assert _errors(_last_upload()) == [(1, "実績", "")]


def test_a_change_to_a_submitted_item_is_refused(client, setting):
    book, sheet, rows = _filled(client, setting)
    Result.objects.filter(indicator=setting.count).update(status=ResultStatus.SUBMITTED)

    _upload(client, setting.welfare, book)

    upload = _last_upload()
    assert _errors(upload) == [(rows[("1.1", "")], "状態", "Submitted")]


def test_a_save_after_the_download_refuses_the_whole_upload(client, setting):
    book, _sheet_, _rows_ = _filled(client, setting)
    _upload(client, setting.welfare, book)
    upload = _last_upload()
    assert upload.errors == []
    colleague = make_user("suzuki", department=setting.welfare, first_name="一郎", last_name="鈴木")
    enter_actual(Result.objects.get(indicator=setting.count, fiscal_year=2024), colleague, 1700)

    response = client.post(reverse("entry_sheet_confirm", args=[upload.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert "saved this item on" in response.content.decode()
    upload.refresh_from_db()
    assert upload.applied_at is None
    assert "saved this item on" in upload.errors[0]["message"]
    assert Result.objects.get(indicator=setting.count, fiscal_year=2024).values.get().actual_value == Decimal(1700)
    assert Result.objects.get(indicator=setting.rate).status == ResultStatus.NOT_ENTERED


def test_a_stale_sheet_is_refused_already_at_the_preview(client, setting):
    book, _sheet_, rows = _filled(client, setting)
    result = Result.objects.get(indicator=setting.count, fiscal_year=2024)
    save_draft(result, user=setting.user, expected_version=result.version, actuals={}, reason="先に保存")

    _upload(client, setting.welfare, book)

    assert _errors(_last_upload()) == [(rows[("1.1", "")], ID_COLUMN, f"R{result.pk}-M{result.values.get().pk}-V1")]


def test_an_unchanged_sheet_has_nothing_to_confirm(client, setting):
    book, _worksheet = _sheet(_download(client, setting.welfare).content)

    _upload(client, setting.welfare, book)

    upload = _last_upload()
    page = client.get(reverse("entry_sheet_preview", args=[upload.pk])).content.decode()
    assert upload.errors == [] and not any(entry["changed"] for entry in upload.rows)
    assert reverse("entry_sheet_confirm", args=[upload.pk]) not in page


def test_another_user_can_neither_see_nor_confirm_an_upload(client, setting):
    book, _sheet_, _rows_ = _filled(client, setting)
    _upload(client, setting.welfare, book)
    upload = _last_upload()
    client.force_login(make_user("suzuki", department=setting.welfare))

    assert client.get(reverse("entry_sheet_preview", args=[upload.pk])).status_code == 404
    assert client.post(reverse("entry_sheet_confirm", args=[upload.pk])).status_code == 404
    assert not Result.objects.exclude(status=ResultStatus.NOT_ENTERED).exists()


def test_confirm_by_get_applies_nothing_and_goes_to_the_preview(client, setting):
    book, _sheet_, _rows_ = _filled(client, setting)
    _upload(client, setting.welfare, book)
    upload = _last_upload()

    response = client.get(reverse("entry_sheet_confirm", args=[upload.pk]))

    assert (response.status_code, response.url) == (302, reverse("entry_sheet_preview", args=[upload.pk]))
    assert not Result.objects.exclude(status=ResultStatus.NOT_ENTERED).exists()


def test_upload_page_offers_the_download_and_a_labelled_file_input(client, setting):
    response = client.get(reverse("entry_sheet_upload", args=[setting.welfare.pk, 2024]))

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("entry_sheet_download", args=[setting.welfare.pk, 2024]) in page
    assert '<label class="form-field__label" for="id_sheet">' in page


def test_a_file_that_is_not_a_sheet_is_refused_at_the_form(client, setting):
    file = SimpleUploadedFile("memo.txt", b"hello")

    response = client.post(reverse("entry_sheet_upload", args=[setting.welfare.pk, 2024]), {"sheet": file})

    assert response.status_code == 400
    assert not EntryUpload.objects.exists()


def test_upload_is_refused_when_the_year_is_closed(client, setting):
    book, _sheet_, _rows_ = _filled(client, setting)
    EvaluationYear.objects.update(status=YearStatus.CLOSED)

    _upload(client, setting.welfare, book)

    assert not EntryUpload.objects.exists()


def test_a_csv_saved_from_the_sheet_is_read_too(setting):
    csv = "\r\n".join(
        [
            ",".join(ENTRY_SHEET_COLUMNS),
            ",".join(
                "1.1"
                if column == "指標ID"
                else "１８１６"
                if column == "実績"
                else _id(setting.count)
                if column == ID_COLUMN
                else ""
                for column in ENTRY_SHEET_COLUMNS
            ),
        ]
    )
    file = SimpleUploadedFile("sheet.csv", csv.encode("utf-8-sig"))

    rows, errors = read_entry_sheet(
        file, user=setting.user, department=setting.welfare, plan=setting.plan, fiscal_year=2024
    )

    assert errors == []
    assert rows[0]["measures"][0]["value"] == "1816"


def _id(indicator):
    result = Result.objects.get(indicator=indicator, fiscal_year=2024)
    return f"R{result.pk}-M{result.values.get().pk}-V{result.version}"


@pytest.mark.parametrize("actual", ["1" * 15, 123456789012345, "12.34567"])
def test_an_actual_the_database_cannot_hold_is_refused_at_the_preview_and_confirm_saves_nothing(
    client, setting, actual
):
    """The issue's 500: an actual of 15 digits went through the preview and failed at the confirm."""
    book, sheet, rows = _filled(client, setting)
    _set(sheet, rows[("1.5", "a")], "実績", actual)

    _upload(client, setting.welfare, book)
    upload = _last_upload()
    response = client.post(reverse("entry_sheet_confirm", args=[upload.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)

    [error] = upload.errors
    assert (error["row"], error["column"]) == (rows[("1.5", "a")], "実績")
    assert any(words in error["text"] for words in ("is too large", "too many decimal places"))
    assert response.status_code == 200
    upload.refresh_from_db()
    assert upload.applied_at is None
    assert not Result.objects.filter(fiscal_year=2024, status=ResultStatus.DRAFT).exists()


@pytest.mark.parametrize(("actual", "words"), [("1" * 30, "is too large"), ("多\x1b数", "control character (U+001B)")])
def test_a_csv_cell_the_database_cannot_hold_is_refused_with_its_row_and_column(setting, actual, words):
    cells = {"指標ID": "1.4", "実績": actual, ID_COLUMN: _id(setting.activity)}
    csv = "\r\n".join(
        [",".join(ENTRY_SHEET_COLUMNS), ",".join(cells.get(column, "") for column in ENTRY_SHEET_COLUMNS)]
    )

    with translation.override("en"):
        rows, errors = read_entry_sheet(
            SimpleUploadedFile("sheet.csv", csv.encode("utf-8")),
            user=setting.user,
            department=setting.welfare,
            plan=setting.plan,
            fiscal_year=2024,
        )

    assert [(error["row"], error["column"]) for error in errors] == [(2, "実績")]
    assert words in errors[0]["text"]


def test_a_nul_byte_in_a_csv_is_refused_and_nothing_can_be_applied(client, setting):
    """The issue's 500: a NUL byte in a CSV (PostgreSQL refuses it in a text column). Refused by the
    file's reader or at its cell; either way nothing can be applied."""
    cells = {"指標ID": "1.4", "実績": "一部\x00運用", ID_COLUMN: _id(setting.activity)}
    csv = "\r\n".join(
        [",".join(ENTRY_SHEET_COLUMNS), ",".join(cells.get(column, "") for column in ENTRY_SHEET_COLUMNS)]
    )

    response = client.post(
        reverse("entry_sheet_upload", args=[setting.welfare.pk, 2024]),
        {"sheet": SimpleUploadedFile("sheet.csv", csv.encode("utf-8"))},
    )
    upload = EntryUpload.objects.order_by("-created_at").first()
    if upload is None:  # refused by the file's reader: the upload page again, with the message
        assert response.status_code == 400
        assert "NUL" in response.content.decode()
    else:
        assert upload.errors
        assert client.post(reverse("entry_sheet_confirm", args=[upload.pk]), follow=True).status_code == 200
        upload.refresh_from_db()
        assert upload.applied_at is None
        assert response.status_code in (200, 302)
    assert Result.objects.get(indicator=setting.activity).values.get().actual_state == ActualState.EMPTY


def test_each_row_is_styled_and_given_its_drop_down_lists_by_its_own_state(setting):
    """Cells of one kind share one style, copied: a grey submitted row among open ones, the second
    row of a compound indicator (no grade, no reason) and the qualitative outcome's grade list."""
    Result.objects.filter(indicator=setting.rate).update(status=ResultStatus.SUBMITTED)

    _book, sheet = _sheet(build_entry_sheet(setting.welfare, setting.plan, 2024))

    rows = _rows(sheet)

    def cell(key, column):
        return sheet.cell(rows[key], ENTRY_SHEET_COLUMNS.index(column) + 1)

    def is_open(key, column):
        return not cell(key, column).protection.locked and cell(key, column).fill == ENTRY_FILL

    for key in rows:
        assert all(cell(key, column).border == BORDER for column in ENTRY_SHEET_COLUMNS), key
    assert all(cell(("1.2", ""), column).protection.locked for column in ("実績", "集計中", "評価理由"))
    assert all(cell(("1.2", ""), column).fill == LOCKED_FILL for column in ENTRY_SHEET_COLUMNS)
    assert all(is_open(key, "実績") and is_open(key, "集計中") for key in rows if key != ("1.2", ""))
    assert is_open(("1.5", "a"), "評価理由") and not is_open(("1.5", "b"), "評価理由")
    assert is_open(("1.3", ""), "評価") and not is_open(("1.1", ""), "評価")
    assert cell(("1.1", ""), "指標名").alignment.wrap_text and not cell(("1.1", ""), "指標ID").alignment.wrap_text
    tallying, grades = (
        {str(validation.formula1): str(validation.sqref) for validation in sheet.data_validations.dataValidation}[
            formula
        ].split()
        for formula in ('"集計中"', '"A,B,C,D"')
    )
    assert sorted(tallying) == sorted(cell(key, "集計中").coordinate for key in rows if key != ("1.2", ""))
    assert grades == [cell(("1.3", ""), "評価").coordinate]


def test_the_download_reads_as_many_queries_for_many_rows_as_for_few(client, setting, django_assert_num_queries):
    with CaptureQueriesContext(connection) as few:
        assert _download(client, setting.welfare).status_code == 200
    for _ in range(20):
        make_result(make_indicator(setting.plan, department=setting.welfare, sub_items=("a", "b")), target=Decimal(5))

    with django_assert_num_queries(len(few.captured_queries)):
        response = _download(client, setting.welfare)
    assert len(_rows(_sheet(response.content)[1])) == 6 + 40


def test_confirming_reads_as_many_queries_for_many_changed_rows_as_for_few(client, setting, django_assert_num_queries):
    """The confirmed rows are saved together (services.save_drafts): the count does not grow with them."""

    def upload_with_actuals(codes):
        book, sheet = _sheet(_download(client, setting.welfare).content)
        rows = _rows(sheet)
        for number, code in enumerate(codes, start=1):
            _set(sheet, rows[(code, "")], "実績", str(100 + number))
        assert _upload(client, setting.welfare, book).status_code == 302
        return _last_upload()

    few = upload_with_actuals(["1.1"])
    with CaptureQueriesContext(connection) as counted:
        assert client.post(reverse("entry_sheet_confirm", args=[few.pk])).status_code == 302
    queries = len(counted.captured_queries)  # read now: the next request empties Django's query log
    extra = [make_indicator(setting.plan, department=setting.welfare, code=f"9.{n}") for n in range(1, 13)]
    for indicator in extra:
        make_result(indicator, target=Decimal(50))

    many = upload_with_actuals([indicator.code for indicator in extra])
    with django_assert_num_queries(queries):
        assert client.post(reverse("entry_sheet_confirm", args=[many.pk])).status_code == 302
    saved = Result.objects.filter(indicator__in=extra, fiscal_year=2024)
    assert sorted(result.values.get().actual_value for result in saved) == [Decimal(101 + n) for n in range(12)]
    assert all(result.history.latest().history_user == setting.user for result in saved)
