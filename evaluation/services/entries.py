"""What a department types for one measure, read the same way by the entry page and the entry
sheet upload: a number typed the Japanese way, a state of the plan's grading scheme (集計中, 中止 …:
an explicit choice, or its name typed), or a text where the indicator allows one (activities,
qualitative outcomes). The services then save it.

Each function takes the plan's scheme from its caller (a page takes plan.scheme once, not per row);
without one, the indicator's plan's."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.text_input import control_characters, describe_control_characters
from evaluation.domain import numbers, scheme_files
from evaluation.domain.enums import ActualState, Direction, IndicatorKind
from evaluation.domain.errors import MezasuError
from evaluation.domain.grading import GradingScheme
from evaluation.domain.messages import describe, word_list
from evaluation.models import Indicator
from evaluation.services.results import ActualInput


class EntryError(MezasuError, ValueError):
    """The typed value cannot be taken; `message` says why, in the active language."""


def text_allowed(indicator: Indicator) -> bool:
    """Activities and qualitative outcomes may be reported in words; graded outcomes need numbers."""
    return indicator.kind == IndicatorKind.ACTIVITY or indicator.direction == Direction.QUALITATIVE


def scheme_of(indicator: Indicator, scheme: GradingScheme | None = None) -> GradingScheme:
    """`scheme`, else the indicator's plan's (Setagaya's for an indicator without a plan)."""
    if scheme is not None:
        return scheme
    return indicator.plan.scheme if indicator.plan_id else scheme_files.default_scheme()


def state_name(state) -> str:
    """A state's name in the active language (中止; Cancelled in English when the scheme gives one)."""
    english = (get_language() or "ja").startswith("en")
    return (state.name_en or state.name) if english else state.name


def reason_words(scheme: GradingScheme) -> tuple[list[str], list[str]]:
    """The scheme's reason rule in words: the labels whose grade needs a reason (C, D), and the names of
    the states that need a note (中止, 評価困難)."""
    return [label.code for label in scheme.labels if label.reason], [
        state_name(state) for state in scheme.states if state.note
    ]


def asks_notes(scheme: GradingScheme) -> bool:
    """Some state of the scheme needs a note on why (あきる野's 中止, 評価困難): then an activity volume's
    row has a note too, since such a state may be entered on it (Setagaya's 集計中 needs none)."""
    return any(state.note for state in scheme.states)


def state_words(scheme: GradingScheme) -> dict[str, numbers.State]:
    """The words typed for the scheme's states: their names (集計中 → tallying, 中止 → cancelled), English
    names and codes, as the plan workbook reads them (GradingScheme.state_named)."""
    return numbers.state_words(
        (word, state.code) for state in scheme.states for word in (state.name, state.name_en, state.code)
    )


def states_hint(scheme: GradingScheme) -> str:
    """What may be entered instead of a figure, for a refused actual: 「数値を入力するか、「集計中」を選んで
    ください。」 where 集計中 is the scheme's only state."""
    if scheme.state_codes == (numbers.TALLYING,):
        return str(_("Enter a number, or choose 集計中."))
    if not scheme.states:
        return str(_("Enter a number."))
    names = [f"「{state.name}」" for state in scheme.states]
    return str(_("Enter a number, or one of %(states)s.") % {"states": word_list(names)})


def parse_actual(
    indicator: Indicator,
    text: str | None,
    *,
    tallying: bool = False,
    state: str = "",
    scheme: GradingScheme | None = None,
) -> ActualInput:
    """The actual as typed (「１，８１６」「２８７．１％」「２２６件」「集計中」「中止」) → ActualInput.

    `state` is a state of the scheme chosen explicitly (`tallying`: 集計中 ticked); it wins over what is
    typed, and typing a state's name means the same. A number the database cannot keep
    (domain.numbers.FIGURE), a control character, or a state the scheme does not have is refused.
    Raises EntryError."""
    scheme = scheme_of(indicator, scheme)
    if tallying:
        state = state or numbers.TALLYING
    if state:
        if scheme.state(state) is None:
            raise EntryError(_("「%(state)s」 is not a state of this plan's grading scheme.") % {"state": state})
        return ActualInput(str(state))
    if isinstance(text, str) and (found := control_characters(text, multiline=False)):
        raise EntryError(describe_control_characters(str(_("Actual")), found))
    try:
        parsed = numbers.parse_number(text, indicator.unit, states=state_words(scheme))
    except numbers.NumberError as error:
        if text_allowed(indicator) and not error.typed_as_number:
            return ActualInput(ActualState.TEXT, text=str(text).strip())
        raise EntryError(f"{describe(error)} {states_hint(scheme)}") from error
    if parsed is numbers.EMPTY:
        return ActualInput()
    if isinstance(parsed, numbers.State):
        return ActualInput(str(parsed))
    assert isinstance(parsed, Decimal)
    return ActualInput(ActualState.NUMBER, parsed)


# Marks staff type for the scheme's ○ and × (a kanji zero, a large circle, a multiplication-like x).
_LABEL_ALIASES = {"〇": "○", "◯": "○", "✕": "×", "✖": "×"}


def judged_label(scheme: GradingScheme, text: str | None) -> str | None:
    """The grade label `text` names (normalised NFKC: 「Ｓ」 → S; a letter of another case where that is
    the only one: 「ｂ」 → B in A–D, 「B」 → b in a/b/c), '' for blank, None when it names none."""
    typed = (text or "").strip()
    if not typed:
        return ""
    return scheme.judged_label(_LABEL_ALIASES.get(typed, typed))


def parse_judged_grade(indicator: Indicator, text: str | None, *, scheme: GradingScheme | None = None) -> str:
    """The judged grade of a qualitative outcome (one of the scheme's grade labels, or blank); other
    indicators have none."""
    if indicator.direction != Direction.QUALITATIVE:
        return ""
    scheme = scheme_of(indicator, scheme)
    grade = judged_label(scheme, text)
    if grade is None:
        raise EntryError(_("Choose a grade from %(labels)s.") % {"labels": word_list(scheme.grade_labels)})
    return grade
