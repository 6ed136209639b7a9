"""What a department types for one measure, read the same way by the entry page and the entry
sheet upload: a number typed the Japanese way, 集計中 (an explicit choice), or a text where the
indicator allows one (activities, qualitative outcomes). The services then save it."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from config.text_input import control_characters, describe_control_characters
from evaluation.domain import numbers
from evaluation.domain.enums import ActualState, Direction, Grade, IndicatorKind
from evaluation.domain.errors import MezasuError
from evaluation.domain.messages import describe
from evaluation.models import Indicator
from evaluation.services.results import ActualInput


class EntryError(MezasuError, ValueError):
    """The typed value cannot be taken; `message` says why, in the active language."""


def text_allowed(indicator: Indicator) -> bool:
    """Activities and qualitative outcomes may be reported in words; graded outcomes need numbers."""
    return indicator.kind == IndicatorKind.ACTIVITY or indicator.direction == Direction.QUALITATIVE


def parse_actual(indicator: Indicator, text: str | None, *, tallying: bool = False) -> ActualInput:
    """The actual as typed (「１，８１６」「２８７．１％」「２２６件」「集計中」) → ActualInput.

    `tallying` is the explicit 集計中 choice; typing 集計中 means the same. A number the database
    cannot keep (domain.numbers.FIGURE) or a control character is refused. Raises EntryError."""
    if tallying:
        return ActualInput(ActualState.TALLYING)
    if isinstance(text, str) and (found := control_characters(text, multiline=False)):
        raise EntryError(describe_control_characters(str(_("Actual")), found))
    try:
        parsed = numbers.parse_number(text, indicator.unit)
    except numbers.NumberError as error:
        if text_allowed(indicator) and not error.typed_as_number:
            return ActualInput(ActualState.TEXT, text=str(text).strip())
        hint = _("Enter a number, or choose 集計中.")
        raise EntryError(f"{describe(error)} {hint}") from error
    if parsed is numbers.EMPTY:
        return ActualInput()
    if parsed is numbers.TALLYING:
        return ActualInput(ActualState.TALLYING)
    assert isinstance(parsed, Decimal)
    return ActualInput(ActualState.NUMBER, parsed)


def parse_judged_grade(indicator: Indicator, text: str | None) -> str:
    """The judged grade of a qualitative outcome (A–D, or blank); other indicators have none."""
    if indicator.direction != Direction.QUALITATIVE:
        return ""
    grade = numbers.normalize(text or "").upper()
    if grade and grade not in Grade.values:
        raise EntryError(_("Choose a grade from A, B, C and D."))
    return grade
