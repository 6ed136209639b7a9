"""Translated sentences for the domain errors of the pure modules (numbers, grading, fiscal_year).

The pure modules raise errors with a `code` and no Django import; the importer, the forms and the
views turn them into a sentence for the staff here, in the active language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evaluation.domain.fiscal_year import FiscalYearError
from evaluation.domain.grading import GradingError
from evaluation.domain.numbers import NumberError

NUMBER_MESSAGES = {
    "not_a_number": _("「%(text)s」 is not a number."),
    "bad_grouping": _("「%(text)s」 has its thousands separators in the wrong place (write e.g. 1,830 or 1830)."),
    "unit_mismatch": _("「%(text)s」 has the wrong unit: the unit 「%(unit)s」 was expected."),
}

GRADING_MESSAGES = {
    "target_not_numeric": _("A graded outcome needs a numeric target other than 0."),
    "target_zero": _("A graded outcome needs a numeric target other than 0."),
    "baseline_not_numeric": _("Grading progress from the baseline needs a numeric baseline."),
    "target_equals_baseline": _("Grading progress from the baseline needs a target different from the baseline."),
}

FISCAL_YEAR_MESSAGE = _("「%(text)s」 is not a fiscal year (write e.g. 2024 or 令和6年度).")


def describe(error: Exception) -> str:
    """A translated sentence for a NumberError, GradingError or FiscalYearError (else the error's text)."""
    if isinstance(error, NumberError):
        template = NUMBER_MESSAGES.get(error.code, NUMBER_MESSAGES["not_a_number"])
        return str(template) % {"text": error.text, "unit": error.unit}
    if isinstance(error, GradingError):
        return str(GRADING_MESSAGES.get(error.code, GRADING_MESSAGES["target_not_numeric"]))
    if isinstance(error, FiscalYearError):
        return str(FISCAL_YEAR_MESSAGE) % {"text": error.text}
    return str(error)
