"""The workbook's refusals: a problem of a file names its row, column and value, and a refused file
carries every problem at once (so the person fixes the file in one go)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation.domain.errors import MezasuError
from evaluation.workbook.plan_columns import column_order


@dataclass(frozen=True)
class RowError:
    """One problem of the file. `row` is the spreadsheet row (header = 1), None for the whole file."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        return _("Row %(row)s, column %(column)s, value %(value)s: %(message)s") % {
            "row": self.row,
            "column": f"「{self.column}」",
            "value": f"「{self.value}」",
            "message": self.message,
        }


# A file of thousands of wrong rows is shown its first problems and how many more there are: the
# person fixes those first, and no page or log line grows with the file.
MAX_REPORTED_PROBLEMS = 100


class ImportRefused(MezasuError):
    """Nothing was imported. `count` is the number of problems found; `errors` lists them in row
    order, the first MAX_REPORTED_PROBLEMS of them and then a line saying how many more there are;
    `message` is their text, one a line, in the active language."""

    def __init__(self, errors: list[RowError]):
        ordered = sorted(errors, key=lambda error: (error.row or 0, column_order(error.column)))
        self.count = len(ordered)
        self.errors = ordered[:MAX_REPORTED_PROBLEMS]
        if self.count > MAX_REPORTED_PROBLEMS:
            more = self.count - MAX_REPORTED_PROBLEMS
            self.errors.append(
                RowError(
                    None,
                    "",
                    "",
                    ngettext(
                        "…and %(count)s more problem. Fix the ones above and import the file again.",
                        "…and %(count)s more problems. Fix the ones above and import the file again.",
                        more,
                    )
                    % {"count": f"{more:,}"},
                )
            )
        super().__init__("\n".join(str(error) for error in self.errors))


class UnreadableWorkbook(ImportRefused):
    """The file cannot be read at all (unknown extension, broken file, unknown encoding), or is refused
    as a whole (too large, too many rows, a NUL character): `row`, `column` and `value` say where
    when one place is to blame."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "", value: str = ""):
        super().__init__([RowError(row, column, value, message)])
