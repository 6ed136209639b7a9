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
    "too_large": _(
        "「%(text)s」 is too large: a figure has at most %(integer_digits)s digits before the decimal point."
    ),
    "too_precise": _("「%(text)s」 has too many decimal places: a figure has at most %(decimal_places)s."),
}

GRADING_MESSAGES = {
    "target_not_numeric": _("A graded outcome needs a numeric target other than 0."),
    "target_zero": _("A graded outcome needs a numeric target other than 0."),
    "baseline_not_numeric": _("Grading progress from the baseline needs a numeric baseline."),
    "target_equals_baseline": _("Grading progress from the baseline needs a target different from the baseline."),
    "baseline_needed": _(
        "The plan's grading scheme compares the actual with the baseline: a numeric baseline is needed."
    ),
    "achievement_too_large": _(
        "The achievement (actual ÷ target) is too large to record: check the actual and the target."
    ),
}

# The same causes, as the entry page and the entry sheet word them to a department: its draft is
# saved, its grade held at ー, and the planning section sets or corrects the target.
HOLD_MESSAGES = {
    "target_not_numeric": _(
        "No numeric target is set for this outcome yet, so its grade is ー. The planning section sets the "
        "target: save a draft now and submit once the target is set."
    ),
    "target_zero": _(
        "The target of this outcome is 0, which cannot be graded, so its grade is ー. The planning section "
        "corrects the target: save a draft now and submit once it is corrected."
    ),
    "baseline_not_numeric": _(
        "This outcome is graded by progress from the baseline, which has no number yet, so its grade is ー. "
        "The planning section sets the baseline: save a draft now and submit once it is set."
    ),
    "baseline_needed": _(
        "The plan's grading scheme compares this actual with the baseline, which has no number, so its grade is "
        "ー. The planning section sets the baseline: save a draft now and submit once it is set."
    ),
    "target_equals_baseline": _(
        "The target of this outcome equals its baseline, so progress cannot be graded and its grade is ー. "
        "The planning section corrects it: save a draft now and submit once it is corrected."
    ),
    "achievement_too_large": _(
        "The achievement of this outcome (actual ÷ target) is too large to record, so its grade is ー. Check the "
        "actual; if it is right, the planning section corrects the target."
    ),
}

FISCAL_YEAR_MESSAGE = _("「%(text)s」 is not a fiscal year (write e.g. 2024 or 令和6年度).")


def describe_hold(error: GradingError) -> str:
    """Why a department's outcome is held at ー, and who acts (HOLD_MESSAGES)."""
    return str(HOLD_MESSAGES.get(error.code, HOLD_MESSAGES["target_not_numeric"]))


SHOWN_LENGTH = 40


def _shown(text: str) -> str:
    """What a message quotes of a typed value: its start, when it is very long."""
    return text if len(text) <= SHOWN_LENGTH else f"{text[:SHOWN_LENGTH]}…"


def describe(error: Exception) -> str:
    """A translated sentence for a NumberError, GradingError or FiscalYearError (else the error's text)."""
    if isinstance(error, NumberError):
        template = NUMBER_MESSAGES.get(error.code, NUMBER_MESSAGES["not_a_number"])
        return str(template) % {
            "text": _shown(error.text),
            "unit": error.unit,
            "integer_digits": error.digits.integer_digits,
            "decimal_places": error.digits.decimal_places,
        }
    if isinstance(error, GradingError):
        return str(GRADING_MESSAGES.get(error.code, GRADING_MESSAGES["target_not_numeric"]))
    if isinstance(error, FiscalYearError):
        return str(FISCAL_YEAR_MESSAGE) % {"text": error.text}
    return str(error)


def reason_sentence(scheme, grade: str, states=()) -> str:
    """What a department is asked for when scheme.reason_missing(): the reason for its grade's label, or a
    note on the state it entered (中止, 評価困難 …), in the active language."""
    if scheme.reason_required(grade):
        return _("Write the reason for grade %(grade)s.") % {"grade": grade}
    noted = [state.name for code in states if (state := scheme.state(code)) and state.note]
    return _("Write a note on why the figure is 「%(state)s」.") % {"state": "・".join(dict.fromkeys(noted))}


SCHEME_MESSAGES = {
    "file_too_large": _("The scheme file is too large: at most %(limit)s KB."),
    "unreadable": _("The file cannot be read as %(format)s: %(error)s"),
    "not_a_table": _("A table (key = value lines, or a JSON object) is expected here."),
    "not_a_list": _("A list ([[…]] tables, or a JSON array) is expected here."),
    "unknown_key": _("「%(key)s」 is not a key of a grading scheme (a typing mistake?)."),
    "not_text": _("Text is expected here."),
    "missing": _("「%(key)s」 is missing."),
    "too_long": _("Too long: at most %(limit)s characters."),
    "not_a_flag": _("true or false is expected here."),
    "bad_choice": _("「%(value)s」 is not one of: %(choices)s."),
    "not_a_number": _("「%(value)s」 is not a number."),
    "bad_decimals": _("The decimals are a whole number from 0 to %(limit)s."),
    "duplicate": _("「%(code)s」 is given twice."),
    "bad_state_code": _(
        "「%(code)s」 cannot name a state: lower-case letters, digits and _, starting with a letter, and not "
        "empty, number or text."
    ),
    "unknown_label": _("「%(code)s」 is not one of the scheme's labels."),
    "state_label_in_rule": _("「%(code)s」 is the label of a state: a rule cannot give it."),
    "measure_rule_without_measure": _(
        "A rule on the measure needs a measure: set measure to ratio or progress, or compare with the target "
        "or the baseline."
    ),
    "two_bands": _("Give the band in percent or in points, not both."),
    "negative_band": _("A band is 0 or more."),
    "key_not_for_rule": _("「%(key)s」 means nothing in a rule on 「%(when)s」."),
    "key_not_for_rollup": _("「%(key)s」 means nothing in a roll-up of kind 「%(kind)s」."),
    "missing_points": _("Label 「%(code)s」 needs its points for a roll-up by points."),
    "bands_not_descending": _("The roll-up's labels go from the best down: each at_least below the one before."),
    "bands_incomplete": _("The last roll-up label must start at %(lowest)s or below, or some policy areas get none."),
    "unreachable": _(
        "This rule can never give its label: rule %(earlier)s before it already holds for every such case."
    ),
    "incomplete": _(
        "Some figures would get no grade: end the rules with one on 「always」, or cover every figure "
        "(for example ≥ 50 and < 50)."
    ),
}


def describe_problem(problem) -> str:
    """One problem of a scheme file, with where it is: 「rules[3].value: 「abc」 is not a number.」"""
    text = SCHEME_MESSAGES[problem.code] % problem.params
    return f"{problem.where}: {text}" if problem.where else str(text)
