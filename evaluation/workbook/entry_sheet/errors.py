"""The entry sheet's problems, as the upload keeps them: plain JSON dicts (EntryUpload.errors) with
the spreadsheet row, the column, the value and a sentence in the active language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from config.text_input import printable
from evaluation import display
from evaluation.domain.errors import MezasuError
from evaluation.models import Result
from evaluation.workbook.errors import RowError


class UploadRefused(MezasuError):
    """Nothing of the upload was saved. `errors` are error dicts as `sheet_error` makes them;
    `message` is their text, joined."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(error["text"] for error in errors))
        self.errors = errors


def sheet_error(row: int | None, column: str, value: str, message) -> dict:
    """A problem of the sheet as a JSON dict; `text` is the whole sentence naming row, column and value
    (a control character of the value shown as �: the message names it)."""
    value = printable(value)
    error = RowError(row, column, value, str(message))
    return {"row": row, "column": column, "value": value, "message": str(message), "text": str(error)}


def stale_message(current: Result) -> str:
    """Why an item cannot be taken from the sheet: someone saved it after the download."""
    return _(
        "%(user)s saved this item on %(when)s, after the sheet was downloaded. "
        "Download the sheet again and enter your changes in it."
    ) % {"user": display.person(current.updated_by), "when": display.moment(current.updated_at)}
