"""The checks of a whole plan workbook: every row (plan_rows.py), then what must hold across rows (one
plan per file, no row twice, the rows of one indicator, result or hierarchy level agreeing).

Every problem is collected, none stops the checks: the person fixes the whole file in one go.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from evaluation.domain.fiscal_year import FiscalYearError, display_period, parse_period
from evaluation.workbook.errors import RowError
from evaluation.workbook.plan_columns import (
    FIRST_DATA_ROW,
    HIERARCHY_TITLE_COLUMNS,
    PER_INDICATOR_COLUMNS,
    PER_RESULT_COLUMNS,
    PER_YEAR_COLUMNS,
    PERIOD_COLUMN,
)
from evaluation.workbook.plan_rows import PlanRow, RowParser


class RowChecker(RowParser):
    """Checks the rows of a file; after `check`, `errors` refuse the file and `ignored` are told."""

    period: tuple[int, int] | None = None  # the file's 計画期間, after check_period

    def check(self, raw_rows: list[dict[str, str]], on_row=None) -> list[PlanRow]:
        """The file's data rows, parsed (blank rows skipped, numbered as in the spreadsheet).
        `on_row(done, total)`, when given, is told each row checked."""
        rows = []
        for index, raw in enumerate(raw_rows):
            if on_row is not None:
                on_row(index + 1, len(raw_rows))
            if not any(value.strip() for value in raw.values()):
                continue
            rows.append(self.parse_row(PlanRow(number=index + FIRST_DATA_ROW, raw=raw)))
        if not rows:
            self.errors.append(RowError(None, "", "", _("The file has no data rows.")))
            return rows
        self.check_one_plan(rows)
        self.check_period(rows)
        self.check_duplicates(rows)
        self.check_agreement(rows)
        return rows

    def check_one_plan(self, rows: list[PlanRow]):
        names = [row.plan_name for row in rows if row.plan_name]
        if len(set(names)) > 1:
            first = names[0]
            for row in rows:
                if row.plan_name and row.plan_name != first:
                    self.error(
                        row, "計画", _("A file holds one plan; the first row names 「%(plan)s」.") % {"plan": first}
                    )

    def check_period(self, rows: list[PlanRow]):
        """The plan's period (計画期間): the same on every row that fills it, and holding every year of
        the file. `period` is (first, last), or None when no row gives one."""
        self.period = None
        for row in rows:
            text = row.value(PERIOD_COLUMN)
            if not text:
                continue
            try:
                period = parse_period(text)
            except FiscalYearError:
                self.error(row, PERIOD_COLUMN, _("Write the plan's period as e.g. 令和6年度～令和9年度."))
                continue
            if self.period is None:
                self.period = period
            elif period != self.period:
                self.error(
                    row,
                    PERIOD_COLUMN,
                    _("A plan has one period; an earlier row gives %(period)s.")
                    % {"period": display_period(*self.period)},
                )
        if self.period is None:
            return
        first, last = self.period
        for row in rows:
            if row.fiscal_year is not None and not first <= row.fiscal_year <= last:
                self.error(
                    row,
                    "年度",
                    _("The year is outside the plan's period (%(period)s).") % {"period": display_period(first, last)},
                )

    def check_duplicates(self, rows: list[PlanRow]):
        seen: dict[tuple, int] = {}
        for row in rows:
            if not row.is_indicator:
                continue
            key = (row.plan_name, row.fiscal_year, row.code, row["小項目"])
            if key in seen:
                self.error(
                    row,
                    "指標ID",
                    _("Row %(row)s already has this indicator ID and sub-item (小項目 「%(label)s」) for this year.")
                    % {"row": seen[key], "label": row["小項目"]},
                )
            else:
                seen[key] = row.number
        labels: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if row.is_indicator:
                labels[row.code].add(row["小項目"])
        for row in rows:
            if row.is_indicator and "" in labels[row.code] and len(labels[row.code]) > 1:
                self.error(
                    row, "小項目", _("Some rows of this indicator have a sub-item (小項目) and others have none.")
                )

    def check_agreement(self, rows: list[PlanRow]):
        indicator_rows = [row for row in rows if row.is_indicator]
        self.agree(indicator_rows, lambda row: row.code, PER_INDICATOR_COLUMNS, _("indicator ID 「%(key)s」"))
        self.agree(
            indicator_rows,
            lambda row: (row.code, row.fiscal_year),
            PER_YEAR_COLUMNS,
            _("indicator ID 「%(key)s」 in the same year"),
        )
        self.agree(
            indicator_rows,
            lambda row: (row.code, row.fiscal_year),
            PER_RESULT_COLUMNS,
            _("indicator ID 「%(key)s」 in the same year"),
            blank_agrees=True,
        )
        self.agree(indicator_rows, lambda row: (row.code, row["小項目"]), ["小項目名"], _("this sub-item"))
        for number_column, title_columns in HIERARCHY_TITLE_COLUMNS.items():
            depth = list(HIERARCHY_TITLE_COLUMNS).index(number_column) + 1
            path = [
                row for row in rows if None not in (row.pillar, row.policy_area, row.vision, row.initiative)[:depth]
            ]

            def key(row, depth=depth):
                return (row.pillar, row.policy_area, row.vision, row.initiative)[:depth]

            # The demo sheet leaves e.g. 実施計画 blank on some rows of an initiative: a blank cell
            # agrees with any value, and takes the value of the initiative's other rows.
            first = self.agree(
                path,
                key,
                title_columns,
                _("the same %(column)s") % {"column": number_column},
                blank_agrees=True,
                show_key=False,
            )
            for row in path:
                for column in title_columns:
                    if not row[column] and (key(row), column) in first:
                        row.filled[column] = first[(key(row), column)][column]

    def agree(self, rows, key, columns, what, *, blank_agrees=False, show_key=True) -> dict[tuple, PlanRow]:
        """Every row with the same key must have the same value in each column (the first row's).
        Returns {(key, column): the first row with a value there}."""
        first: dict[tuple, PlanRow] = {}
        for row in rows:
            for column in columns:
                value = row[column]
                if blank_agrees and not value:
                    continue
                slot = (key(row), column)
                if slot not in first:
                    first[slot] = row
                    continue
                if first[slot][column] != value:
                    label = str(what) % {"key": row.code} if show_key else str(what)
                    self.error(
                        row,
                        column,
                        _("Rows with %(what)s must agree: row %(row)s has 「%(other)s」.")
                        % {"what": label, "row": first[slot].number, "other": first[slot][column]},
                    )
        return first
