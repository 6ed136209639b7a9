"""The grading rule (footnote ※1 of the evaluation sheet), exact and pure.

「目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下」

Everything is Decimal; nothing here imports Django. The achievement is rounded once, by the plan's
rule, and the grade is read from the rounded figure, so a sheet never prints 100.0 % next to a B.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from evaluation.domain.numbers import ACHIEVEMENT

HUNDRED = Decimal(100)

# Stored values of the choices in enums.py, repeated here so this module stays free of Django.
HIGHER, LOWER, QUALITATIVE = "higher", "lower", "qualitative"
RATIO, PROGRESS = "ratio", "progress"
HALF_UP, DOWN = "half_up", "down"
GRADES = ("A", "B", "C", "D")
NO_GRADE = ""  # the stored grade of what is not graded (evaluation.display prints it ー)

_DECIMAL_ROUNDING = {HALF_UP: decimal.ROUND_HALF_UP, DOWN: decimal.ROUND_DOWN}
# Enough digits for any quotient we print; the default context (28) is enough, said here on purpose.
_CONTEXT = decimal.Context(prec=34)


class GradingError(ValueError):
    """The values cannot be graded (e.g. a zero target). `code` says why, for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class GradingRule:
    """A plan's grading settings. Setagaya's are the defaults."""

    formula: str = RATIO
    threshold_a: Decimal = Decimal(100)
    threshold_b: Decimal = Decimal(80)
    threshold_d: Decimal = Decimal(0)
    rounding: str = HALF_UP
    decimals: int = 1

    def round(self, value: Decimal) -> Decimal:
        exponent = Decimal(1).scaleb(-self.decimals)
        return value.quantize(exponent, rounding=_DECIMAL_ROUNDING[self.rounding], context=_CONTEXT)

    def grade_for(self, achievement: Decimal) -> str:
        """The grade of a rounded achievement: D at or below D's threshold, then A, B, else C."""
        if achievement <= self.threshold_d:
            return "D"
        if achievement >= self.threshold_a:
            return "A"
        if achievement >= self.threshold_b:
            return "B"
        return "C"


@dataclass(frozen=True)
class Graded:
    """The outcome of grading one measure: the printed achievement (or None) and the grade ('' = ー)."""

    achievement: Decimal | None
    grade: str


UNGRADED = Graded(None, NO_GRADE)


def check_gradable(rule: GradingRule, direction: str, target: Decimal | None, baseline: Decimal | None = None):
    """Raise GradingError when an outcome with this target can never be graded.

    A graded (non-qualitative) outcome needs a numeric, non-zero target; the progress formula also
    needs a numeric baseline different from the target.
    """
    if direction == QUALITATIVE:
        return
    if target is None:
        raise GradingError("target_not_numeric")
    if rule.formula == PROGRESS:
        if baseline is None:
            raise GradingError("baseline_not_numeric")
        if target == baseline:
            raise GradingError("target_equals_baseline")
    elif target == 0:
        raise GradingError("target_zero")


def achievement(rule: GradingRule, direction: str, target: Decimal, actual: Decimal, baseline: Decimal | None = None):
    """The unrounded achievement in percent, or None when lower is better and the actual is 0."""
    check_gradable(rule, direction, target, baseline)
    if rule.formula == PROGRESS:
        return _CONTEXT.divide(_CONTEXT.multiply(actual - baseline, HUNDRED), target - baseline)
    if direction == LOWER:
        if actual == 0:
            return None
        return _CONTEXT.divide(_CONTEXT.multiply(target, HUNDRED), actual)
    return _CONTEXT.divide(_CONTEXT.multiply(actual, HUNDRED), target)


def grade_measure(
    rule: GradingRule,
    direction: str,
    target: Decimal | None,
    actual: Decimal | None,
    *,
    baseline: Decimal | None = None,
    judged_grade: str = NO_GRADE,
) -> Graded:
    """Grade one measure of an outcome.

    - qualitative: no figure; the grade is the judgement entered (or none yet);
    - no actual yet, or 集計中 (actual None): no figure, not graded;
    - lower is better with an actual of 0 (ratio formula): the target is met outright, A, no figure;
    - otherwise the achievement rounded by the plan's rule, and the grade read from that figure.
    """
    if direction == QUALITATIVE:
        return Graded(None, judged_grade if judged_grade in GRADES else NO_GRADE)
    check_gradable(rule, direction, target, baseline)
    if actual is None:
        return UNGRADED
    raw = achievement(rule, direction, target, actual, baseline)
    if raw is None:
        return Graded(None, "A")
    rounded = rule.round(raw)
    if not ACHIEVEMENT.fits(rounded):  # e.g. a target of 0.0001: a figure no sheet prints, nor the database keeps
        raise GradingError("achievement_too_large")
    return Graded(rounded, rule.grade_for(rounded))


def worst_grade(grades: Iterable[str]) -> str:
    """A compound indicator's grade: its worst sub-item's; not graded while any sub-item is not."""
    grades = list(grades)
    if not grades or any(grade not in GRADES for grade in grades):
        return NO_GRADE
    return max(grades)  # "D" > "C" > "B" > "A"


def reason_required(grade: str) -> bool:
    """A reason (達成状況評価の理由) is required for C and D."""
    return grade in ("C", "D")


def has_reason(text: str | None) -> bool:
    """Blank, or only spaces (full-width 「　」 included), is no reason."""
    return bool(text and text.strip())
