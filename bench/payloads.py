"""What a browser sends: the entry page's POST (every row the user may change, as the page's form holds
it, with some rows typed anew), one row's live preview, and a filled-in entry sheet. Built untimed,
from the database as it is before each run, so that every run changes something."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import load_workbook

from evaluation.domain.enums import ResultStatus
from evaluation.forms import ResultEntryForm
from evaluation.queries.entry import entry_page_results
from evaluation.services import guards
from evaluation.services.results import result_values, submission_problems
from evaluation.workbook.entry_sheet.layout import ENTRY_SHEET_COLUMNS


@dataclass
class PagePost:
    """The entry page's POST and the results whose rows it changes or selects."""

    data: dict[str, str]
    changed: list[int]  # result ids typed anew
    versions: dict[int, int]  # {result id: its version before the POST}


def form_fields(form: ResultEntryForm) -> dict[str, str]:
    """The row's fields as the page's form sends them: text as shown, a ticked box as "on", and each
    data field's hidden shown value (what the page showed: the save compares with it)."""
    return form.stored_data()


def changeable_forms(bench, department, user) -> list[ResultEntryForm]:
    results = entry_page_results(bench.plan, department.pk, bench.fiscal_year)
    return [ResultEntryForm(result) for result in results if guards.may_department_change(user, result, year_open=True)]


def type_actual(data: dict[str, str], form: ResultEntryForm, number: int) -> None:
    """Type a number in the row's first actual (and untick its 集計中)."""
    value = form.values[0]
    data[form.add_prefix(form.actual_name(value))] = f"{number:,}"
    data.pop(form.add_prefix(form.tallying_name(value)), None)


def is_numeric_row(form: ResultEntryForm) -> bool:
    return not form.indicator.is_qualitative


def page_post(bench, department, user, *, rows: int, number: int) -> PagePost:
    """一時保存 of the department's page with `rows` rows typed anew (number, number + 1 …)."""
    forms = changeable_forms(bench, department, user)
    data = {"action": "save"}
    for form in forms:
        data.update(form_fields(form))
    chosen = [form for form in forms if is_numeric_row(form)][:rows]
    for offset, form in enumerate(chosen):
        type_actual(data, form, number + offset)
    return PagePost(
        data=data,
        changed=[form.result.pk for form in chosen],
        versions={form.result.pk: form.result.version for form in forms},
    )


def submittable(bench, department) -> list[int]:
    """The department's drafts that can be submitted as they are (ids, in page order)."""
    results = bench.results_of(department).filter(status=ResultStatus.DRAFT).select_related("indicator__plan")
    return [result.pk for result in results if not submission_problems(result, result_values(result))]


def submit_post(bench, department, user, result_id: int) -> PagePost:
    """選択した項目を提出 of one row, the page sending every row as it is."""
    forms = changeable_forms(bench, department, user)
    data = {"action": "submit_selected"}
    for form in forms:
        data.update(form_fields(form))
        if form.result.pk == result_id:
            data[form.add_prefix("selected")] = "on"
    return PagePost(data=data, changed=[result_id], versions={form.result.pk: form.result.version for form in forms})


def preview_post(bench, department, user, number: int) -> tuple[int, dict[str, str]]:
    """(result id, data) of the live preview of a row typed anew, as htmx sends it (the row's params)."""
    form = next(form for form in changeable_forms(bench, department, user) if is_numeric_row(form))
    data = {name: value for name, value in form_fields(form).items() if not name.startswith("initial-")}
    type_actual(data, form, number)
    return form.result.pk, data


def filled_sheet(content: bytes, *, rows: int, number: int) -> tuple[bytes, int]:
    """The downloaded entry sheet with `rows` open rows' 実績 typed anew: (the .xlsx, rows changed).
    An open row is one whose 実績 cell is unlocked; qualitative and 集計中 rows are left alone."""
    book = load_workbook(BytesIO(content))
    sheet = book.worksheets[0]
    column = {name: index for index, name in enumerate(ENTRY_SHEET_COLUMNS)}
    changed = 0
    for cells in sheet.iter_rows(min_row=2):
        if changed >= rows:
            break
        actual = cells[column["実績"]]
        if actual.protection.locked or cells[column["方向"]].value == "定性" or cells[column["集計中"]].value:
            continue
        actual.value = number + changed
        changed += 1
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue(), changed
