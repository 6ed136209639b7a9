"""The plan workbook importer: one code path for the admin, the command line and the tests.

The file is read by the one reader (reader.py: CSV in UTF-8 with or without BOM or Shift_JIS/cp932,
or XLSX) into rows of stripped strings; `import_plan_rows` checks every row (plan_checks.py),
collects every problem, and only when there is none applies the whole file in one transaction: the
hierarchy sync (plan_hierarchy.py), then the result sync (plan_results.py). See shared/data/FORMAT.md.

What an import does and does not touch:

- Plan (by name), Pillar, PolicyArea, Vision, Initiative (by number under their parent), Department
  (by name), Indicator (by plan and 指標ID), Measure (by indicator and 小項目), Result (by indicator
  and 年度) and ResultValue (by result and measure) are created or updated in place.
- Only objects whose fields change are saved, so importing the same file twice saves nothing and
  django-simple-history records nothing the second time. A change goes through `save()`; new objects
  are written a table at a time (plan_sync.Bookkeeper.flush: bulk_create, with their history rows
  written in bulk beside them, the same user and path), so the history records every object created.
- Results of fiscal years not in the file are never read nor written.
- Indicators, measures and hierarchy rows that are missing from a file are left alone (never deleted):
  a file may hold part of a plan.
- What services.guards forbids refuses the file (unchanged rows pass): a change of a closed year's
  results, of an approved result, of what a closed year's record shows (an indicator's department,
  direction, kind, unit or baseline, a measure's baseline), of a plan's grading settings while it
  has a closed year.
- The status of an existing result is never changed; a new one starts NOT_ENTERED (no actual) or
  DRAFT. The grades of graded outcomes are always computed (scoring.apply_grades), never read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from evaluation.domain import scheme_files
from evaluation.models import Plan, Result
from evaluation.workbook.cells import clean_cell
from evaluation.workbook.errors import ImportRefused, RowError, UnreadableWorkbook
from evaluation.workbook.plan_checks import RowChecker
from evaluation.workbook.plan_columns import REQUIRED_COLUMNS
from evaluation.workbook.plan_hierarchy import HierarchySync
from evaluation.workbook.plan_report import CREATED, UNCHANGED, UPDATED, ImportReport, RowOutcome
from evaluation.workbook.plan_results import ResultSync
from evaluation.workbook.plan_rows import PlanRow
from evaluation.workbook.plan_sync import CHANGE_REASON, Bookkeeper
from evaluation.workbook.reader import read_workbook

# The phases an import reports its rows in (progress(phase, done, total)): checked, then applied.
CHECKING = "checking"
APPLYING = "applying"
RowProgress = Callable[[str, int, int], None]


def import_plan_rows(
    rows: list[dict[str, str]], *, dry_run: bool = False, user=None, progress: RowProgress | None = None
) -> ImportReport:
    """Check every row, then apply the whole file in one transaction (rolled back for a dry run).
    `progress(phase, done, total)`, when given, is told each row checked (CHECKING) and applied (APPLYING).

    Side effects: creates or updates Plan, Pillar, PolicyArea, Vision, Initiative, Department,
    Indicator, Measure, Result and ResultValue rows (see the module docstring), each saved only when a
    field changes and with `user` as the history user. Raises ImportRefused listing every problem;
    then the database is unchanged.
    """
    if not rows:
        raise ImportRefused([RowError(None, "", "", _("The file has no data rows."))])
    _refuse_missing_columns(rows)
    plan = Plan.objects.filter(name=next((row["計画"] for row in rows if row.get("計画")), "")).first()
    checker = RowChecker(plan.scheme if plan else scheme_files.default_scheme())
    parsed = checker.check(rows, on_row=(lambda done, total: progress(CHECKING, done, total)) if progress else None)
    if checker.errors:
        raise ImportRefused(checker.errors)
    try:
        with transaction.atomic():
            report = _apply(parsed, user, dry_run, checker.period, progress)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:
        raise ImportRefused(
            [
                RowError(
                    None,
                    "",
                    "",
                    _("The database refused the import (%(error)s). Nothing was imported.") % {"error": error},
                )
            ]
        ) from error
    report.ignored = checker.ignored
    return report


def import_plan_file(
    path_or_file,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    user=None,
    progress: RowProgress | None = None,
) -> ImportReport:
    """Read a CSV or XLSX plan workbook and import it (see import_plan_rows). Raises ImportRefused."""
    return import_plan_rows(read_workbook(path_or_file, filename), dry_run=dry_run, user=user, progress=progress)


def preview_plan_file(path_or_file, *, filename: str | None = None, user=None) -> ImportReport:
    """What importing the file would change, without changing anything: a dry run (the import is applied
    inside a transaction that is rolled back). `report.changes()` lists the changes row by row."""
    return import_plan_file(path_or_file, filename=filename, dry_run=True, user=user)


def _refuse_missing_columns(rows: list[dict[str, str]]) -> None:
    columns = set().union(*(row.keys() for row in rows))
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise ImportRefused(
            [
                RowError(
                    1, column, "", _("The column 「%(column)s」 is missing from the header row.") % {"column": column}
                )
                for column in missing
            ]
        )


def _current_departments(plan: Plan, rows: list[PlanRow]) -> dict[str, str | None]:
    """{指標ID: the indicator's department after the file}: the 担当所管課 of the file's latest year of
    it, unless the indicator already has a result of a later year (then None: it stays as it is)."""
    latest: dict[str, PlanRow] = {}
    for row in rows:
        if row.kind and (row.code not in latest or row.fiscal_year >= latest[row.code].fiscal_year):
            latest[row.code] = row
    later = dict(
        Result.objects.filter(indicator__plan=plan)
        .values("indicator__code")
        .annotate(last=Max("fiscal_year"))
        .values_list("indicator__code", "last")
    )
    return {
        code: row["担当所管課"] if row.fiscal_year >= later.get(code, row.fiscal_year) else None
        for code, row in latest.items()
    }


def _apply(
    rows: list[PlanRow], user, dry_run: bool, period: tuple[int, int] | None, progress: RowProgress | None
) -> ImportReport:
    """The hierarchy of every row, then the results of every indicator and year. Runs inside the
    import's transaction: a refusal raises ImportRefused there, so nothing of the file is kept."""
    years = sorted({row.fiscal_year for row in rows})
    report = ImportReport(plan_name=rows[0].plan_name, fiscal_years=years, dry_run=dry_run, period=period)
    book = Bookkeeper(report, user)
    hierarchy = HierarchySync(book, rows)
    plan = hierarchy.plan()
    hierarchy.load(plan)
    positions = {code: index for index, code in enumerate(dict.fromkeys(row.code for row in rows if row.kind), 1)}
    current_departments = _current_departments(plan, rows)
    rows_of_result: dict[tuple[str, int], list[PlanRow]] = defaultdict(list)
    for done, row in enumerate(rows, 1):
        if progress is not None:
            progress(APPLYING, done, len(rows))
        book.outcome = RowOutcome(
            row=row.number,
            fiscal_year=row.fiscal_year,
            code=row.code,
            label=row["小項目"],
            kind=row["種別"],
            name=row["指標名"] or row.value("主な取組み"),
        )
        book.report.rows.append(book.outcome)
        initiative = hierarchy.initiative(plan, row)
        book.outcome.instance = initiative
        if not row.kind:
            continue
        indicator = hierarchy.indicator(plan, initiative, row, positions[row.code], current_departments.get(row.code))
        hierarchy.measure(indicator, row)
        book.outcome.instance = indicator
        rows_of_result[(row.code, row.fiscal_year)].append(row)
    outcomes = {outcome.row: outcome for outcome in book.report.rows}
    results = ResultSync(book, hierarchy.measures, outcomes, hierarchy.departments)
    results.load(plan, years)
    for (code, year), result_rows in sorted(rows_of_result.items(), key=lambda item: item[0][1]):
        results.sync(hierarchy.indicators[code], year, result_rows)
    if book.refusals:
        raise ImportRefused(list(book.refusals.values()))  # inside the import's transaction: nothing is kept
    book.flush()  # the new objects, a table at a time with their history rows
    book.report.counts = dict(book.counts)
    return book.report


__all__ = [
    "APPLYING",
    "CHECKING",
    "CHANGE_REASON",
    "CREATED",
    "UNCHANGED",
    "UPDATED",
    "ImportRefused",
    "ImportReport",
    "RowError",
    "RowOutcome",
    "UnreadableWorkbook",
    "clean_cell",
    "import_plan_file",
    "import_plan_rows",
    "preview_plan_file",
    "read_workbook",
]
