"""The result sync of a plan import: per indicator and fiscal year of the file, the Result (judged
grade, reasons) and its ResultValues (plan values, target, actual), graded by the plan's rule.

What may change is asked of services.guards: nothing of a closed year (a new result, a new
sub-item or a changed value of a closed year is refused), and nothing of an approved result until
the planning section reopens it. Unchanged rows pass either way. A refusal names each row and
column of the file that would change, and the whole file is undone.

Results of fiscal years not in the file are never read, so never written, with one exception: the
responsible department (担当所管課) is per year, and a row that changes it for year N moves the
indicator from N on, so its results of later years not in the file move with it. A move never touches
a closed year: changing 担当所管課 of a closed year is refused (on its own rows, or on the row of the
move when a later closed year would move). The status of an existing result is never changed; a new
one starts NOT_ENTERED (no actual) or DRAFT.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.models import Indicator, Plan, Result, ResultValue
from evaluation.services import guards, scoring
from evaluation.workbook.plan_columns import PER_RESULT_COLUMNS, RESULT_FIELD_COLUMNS, column_order
from evaluation.workbook.plan_report import CREATED, UNCHANGED, UPDATED
from evaluation.workbook.plan_rows import PlanRow
from evaluation.workbook.plan_sync import Bookkeeper, differences, field_label, shown

# The ResultValue fields the file sets, and the row's parsed value behind each.
_VALUE_FIELDS = {
    "original_plan_value": ("original_plan", "number"),
    "original_plan_text": ("original_plan", "text"),
    "revised_plan_value": ("revised_plan", "number"),
    "revised_plan_text": ("revised_plan", "text"),
    "target_value": ("target", "number"),
    "target_text": ("target", "text"),
    "actual_state": ("actual", "state"),
    "actual_value": ("actual", "number"),
    "actual_text": ("actual", "text"),
}


def differences_after(obj, name: str, value) -> str:
    """Set `name` to `value` and describe the change as `differences` does."""
    old = getattr(obj, name)
    setattr(obj, name, value)
    return f"{field_label(obj, name)} {shown(old)} → {shown(value)}"


class ResultSync:
    """Brings the results of the file's fiscal years in line with its rows, one result at a time."""

    def __init__(self, book: Bookkeeper, measures: dict, outcomes: dict[int, object], departments: dict):
        self.book = book
        self.measures = measures  # {(指標ID, 小項目): Measure}, from the hierarchy sync
        self.outcomes = outcomes  # {spreadsheet row: RowOutcome}
        self.departments = departments  # {name: Department}, every 担当所管課 of the file, from the hierarchy sync

    def load(self, plan: Plan, years: list[int]):
        """The existing results and values of the file's years, and which years are closed."""
        self.closed_years = guards.closed_fiscal_years(plan.pk)
        self.file_years = set(years)
        self.results = {
            (result.indicator_id, result.fiscal_year): result
            for result in Result.objects.filter(indicator__plan=plan, fiscal_year__in=years).select_related(
                "department"
            )
        }
        self.values = {
            (value.result_id, value.measure_id): value
            for value in ResultValue.objects.filter(result__indicator__plan=plan, result__fiscal_year__in=years)
        }

    def sync(self, indicator: Indicator, year: int, rows: list[PlanRow]):
        """One result: its rows (one per measure) set, graded, then saved or refused."""
        self.book.outcome = self.outcomes[rows[0].number]
        result, result_before = self.result_from_rows(indicator, year, rows)
        created = result_before is None
        values = [(row, self.value_from_row(result, created, indicator, row)) for row in rows]
        # held at ー (with the reason shown to the department) where the scheme needs a baseline it lacks
        scoring.apply_grades_or_hold(result, [value for _row, (value, _before) in values])
        result_changes = {} if created else differences(result, result_before)
        # None: a new value; else {field: description} of what changes.
        value_changes = [
            (row, value, None if before is None else differences(value, before)) for row, (value, before) in values
        ]
        refusal = self.refusal(result, created, year)
        if refusal is not None:
            self.refuse_changes(rows, created, result_changes, value_changes, refusal)
            return
        self.save_result(result, created, result_changes, value_changes)
        self.save_values(result, value_changes)
        if "department" in result_changes:
            self.move_later_results(indicator, year, result.department, rows)

    def move_later_results(self, indicator: Indicator, year: int, department, rows: list[PlanRow]):
        """A move from `year`: the indicator's results of later years not in the file move with it
        (those in the file follow their own rows); a closed year's result never moves. The indicator's
        current department then follows its latest result."""
        later = Result.objects.filter(indicator=indicator, fiscal_year__gt=year).exclude(
            fiscal_year__in=self.file_years
        )
        for result in later.exclude(department=department).select_related("department").order_by("fiscal_year"):
            if result.fiscal_year in self.closed_years:
                self.book.refuse(rows[0], "担当所管課", guards.YearClosed(result.fiscal_year).message)
                continue
            changes = differences_after(result, "department", department)
            result.version += 1
            if self.book.user is not None:
                result.updated_by = self.book.user
            self.book.save(result, ["department", "version", "updated_by", "updated_at"])
            self.book.count(Result, UPDATED)
            self.book.mark(UPDATED, [f"{result}: {changes}"])
            if indicator.department_id != department.pk:
                self.book.mark(UPDATED, list(self.book.sync(indicator, {"department": department}).values()))

    def result_from_rows(self, indicator: Indicator, year: int, rows: list[PlanRow]):
        """(the result with the file's values set, its fields before; None for a new result)."""
        first_nonblank = {
            column: next((row[column] for row in rows if row[column]), "") for column in PER_RESULT_COLUMNS
        }
        judged = next((row.judged_grade for row in rows if row.judged_grade), "")
        fields = {
            "department": self.departments[rows[0]["担当所管課"]],  # the same on every row of the year
            "judged_grade": judged if indicator.is_qualitative else "",
            "reason": first_nonblank["評価理由"],
            "revision_reason": first_nonblank["修正理由"],
        }
        result = self.results.get((indicator.pk, year))
        if result is None:
            has_actual = any(row.actual.state != ActualState.EMPTY for row in rows)
            result = Result(
                indicator=indicator,
                fiscal_year=year,
                status=ResultStatus.DRAFT if has_actual else ResultStatus.NOT_ENTERED,
                updated_by=self.book.user,
                **fields,
            )
            before = None
        else:
            before = {name: getattr(result, name) for name in [*fields, "grade"]}
            for name, value in fields.items():
                setattr(result, name, value)
        result.indicator = indicator
        return result, before

    def value_from_row(self, result: Result, created: bool, indicator: Indicator, row: PlanRow):
        """(the row's value with the file's cells set, its fields before; None for a new value)."""
        measure = self.measures[(indicator.code, row["小項目"])]
        value = None if created else self.values.get((result.pk, measure.pk))
        desired = {name: getattr(getattr(row, part), attribute) for name, (part, attribute) in _VALUE_FIELDS.items()}
        if value is None:
            value, before = ResultValue(measure=measure, **desired), None
        else:
            before = {name: getattr(value, name) for name in [*desired, "achievement", "grade"]}
            for name, new in desired.items():
                setattr(value, name, new)
        value.measure = measure
        return value, before

    def refusal(self, result: Result, created: bool, year: int) -> str | None:
        """Why this result may not change now (the guards' words), or None when it may."""
        if year in self.closed_years:
            return str(guards.YearClosed(year).message)
        if not created and guards.is_approved(result):
            return _("%(result)s is approved: ask the planning section to reopen it.") % {"result": result}
        return None

    def refuse_changes(self, rows, created: bool, result_changes: dict, value_changes: list, message: str):
        """One refusal per row and column of the file that would change the result; unchanged rows pass."""
        refused: dict[tuple[int, str], PlanRow] = {}
        new_column = "指標ID" if created else "小項目"  # a new result, or a new sub-item of it
        for row, _value, changes in value_changes:
            if changes is None:
                refused.setdefault((row.number, new_column), row)
                continue
            columns = {RESULT_FIELD_COLUMNS[name] for name in changes}
            if columns - {"現況値"}:
                columns.discard("現況値")  # the grade moved with the target or actual, not the baseline
            for column in sorted(columns, key=column_order):
                refused.setdefault((row.number, column), row)
        for name in result_changes:
            column = RESULT_FIELD_COLUMNS[name]
            if column == "現況値" and refused:
                continue
            row = next((row for row in rows if row[column]), rows[0])
            refused.setdefault((row.number, column), row)
        for (_number, column), row in refused.items():
            self.book.refuse(row, column, message)

    def save_result(self, result: Result, created: bool, result_changes: dict, value_changes: list):
        book = self.book
        if created:
            book.create(result)
            book.count(Result, CREATED)
            book.mark(CREATED, [_("New result %(result)s") % {"result": result}])
        elif result_changes or any(changes is None or changes for _row, _value, changes in value_changes):
            # A changed value changes its result: a new version, so that a form opened before the
            # import cannot silently overwrite it.
            result.version += 1
            if book.user is not None:
                result.updated_by = book.user
            book.save(result, [*result_changes, "version", "updated_by", "updated_at"])
            book.count(Result, UPDATED)
            book.mark(UPDATED, [f"{result}: {description}" for description in result_changes.values()])
        else:
            book.count(Result, UNCHANGED)

    def save_values(self, result: Result, value_changes: list):
        book = self.book
        for row, value, changes in value_changes:
            book.outcome = self.outcomes[row.number]
            value.result = result
            if changes is None:
                book.create(value)
                book.count(ResultValue, CREATED)
                book.mark(CREATED)
            elif changes:
                book.save(value, list(changes))
                book.count(ResultValue, UPDATED)
                book.mark(UPDATED, [f"{value}: {description}" for description in changes.values()])
            else:
                book.count(ResultValue, UNCHANGED)
