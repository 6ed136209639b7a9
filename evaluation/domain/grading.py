"""Grading schemes (評価基準), exact and pure: a plan's grade labels, its ordered rules (first match
wins), its non-graded states and its roll-up per policy area, as data.

Setagaya's scheme is footnote ※1 of the evaluation sheet:
「目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下」 — rules `≤ 0 → D`,
`≥ 100 → A`, `≥ 80 → B`, otherwise C, over the achievement rounded once by the scheme (so a sheet never
prints 100.0 % next to a B). Other municipalities' schemes are presets (evaluation/grading_schemes/),
read and checked by scheme_files; a planning section may write its own.

Everything is Decimal (Fraction for a roll-up's shares); nothing here imports Django.
"""

from __future__ import annotations

import decimal
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from evaluation.domain.numbers import ACHIEVEMENT

HUNDRED = Decimal(100)

# Stored values of the choices in enums.py, repeated here so this module stays free of Django.
HIGHER, LOWER, QUALITATIVE = "higher", "lower", "qualitative"
RATIO, PROGRESS, NO_MEASURE = "ratio", "progress", "none"
MEASURES = (RATIO, PROGRESS, NO_MEASURE)
HALF_UP, DOWN = "half_up", "down"
NO_GRADE = ""  # the stored grade of what is not graded (evaluation.display prints it ー)

# What a rule looks at: the rounded measure; the actual against the year's target, or against the
# baseline (in the indicator's direction: for "lower is better" a fall is the improvement); or nothing.
WHEN_MEASURE, WHEN_TARGET, WHEN_BASELINE, WHEN_ALWAYS = "measure", "target", "baseline", "always"
RULE_KINDS = (WHEN_MEASURE, WHEN_TARGET, WHEN_BASELINE, WHEN_ALWAYS)
OPERATORS = (">=", ">", "<=", "<")

# How a policy area's (and a pillar's) overall grade is made from its outcomes' grades.
ROLLUP_NONE, ROLLUP_WORST, ROLLUP_SHARE, ROLLUP_POINTS = "none", "worst", "share", "points"
ROLLUP_KINDS = (ROLLUP_NONE, ROLLUP_WORST, ROLLUP_SHARE, ROLLUP_POINTS)

_DECIMAL_ROUNDING = {HALF_UP: decimal.ROUND_HALF_UP, DOWN: decimal.ROUND_DOWN}
# Enough digits for any quotient we print; the default context (28) is enough, said here on purpose.
_CONTEXT = decimal.Context(prec=34)


class GradingError(ValueError):
    """The values cannot be graded (e.g. a zero target). `code` says why, for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _compare(left, op: str, right) -> bool:
    if op == ">=":
        return left >= right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    return left < right


@dataclass(frozen=True)
class Label:
    """A grade label (S, A, a, 7, ○, 順調 …) and its short meaning; `reason`: a grade with this label
    needs a written reason (達成状況評価の理由); `points`: its points for a roll-up by points."""

    code: str
    meaning: str = ""
    meaning_en: str = ""
    reason: bool = False
    points: Decimal | None = None


@dataclass(frozen=True)
class State:
    """A non-graded state a department may enter instead of a figure (集計中, 評価困難, 未着手, 中止,
    完了 …). `open`: the item waits for its figure (reported later, 確定値の報告); `note`: the state needs
    a written note; `label`: the label printed in the grade column (none: ー)."""

    code: str
    name: str
    name_en: str = ""
    open: bool = False
    note: bool = False
    label: str = NO_GRADE


@dataclass(frozen=True)
class Rule:
    """`label` when the condition holds. `when`: measure (the rounded figure `op` `value`), target (the
    actual `op` the target, in the indicator's direction), baseline (the actual's change from the
    baseline `op` minus a band: `band_percent` of the baseline or `band_points`, `survey_band_points`
    for a survey-based indicator), always."""

    label: str
    when: str
    op: str = ">="
    value: Decimal | None = None
    band_percent: Decimal | None = None
    band_points: Decimal | None = None
    survey_band_points: Decimal | None = None

    def band(self, baseline: Decimal, survey: bool) -> Decimal:
        if survey and self.survey_band_points is not None:
            return self.survey_band_points
        if self.band_points is not None:
            return self.band_points
        if self.band_percent is not None:
            return _CONTEXT.divide(_CONTEXT.multiply(abs(baseline), self.band_percent), HUNDRED)
        return Decimal(0)


@dataclass(frozen=True)
class RollupBand:
    """A roll-up label given from `at_least` (a share of the outcomes meeting the rule, or mean points)."""

    code: str
    at_least: Fraction
    meaning: str = ""
    meaning_en: str = ""


@dataclass(frozen=True)
class Rollup:
    kind: str = ROLLUP_NONE
    met: tuple[str, ...] = ()  # share: the labels that count as meeting the rule
    bands: tuple[RollupBand, ...] = ()  # best first


@dataclass(frozen=True)
class Graded:
    """The outcome of grading one measure: the printed achievement (or None) and the grade ('' = ー)."""

    achievement: Decimal | None
    grade: str


UNGRADED = Graded(None, NO_GRADE)


@dataclass(frozen=True)
class _Unbounded:
    """The ratio of a 'lower is better' outcome whose actual is 0: the target is met outright. It is
    above every figure (≥ and > rules match it, ≤ and < do not) and prints no figure."""


UNBOUNDED = _Unbounded()


@dataclass(frozen=True)
class GradingScheme:
    """A plan's grading scheme (scheme_files reads and checks one; Setagaya's preset is the default)."""

    labels: tuple[Label, ...]
    rules: tuple[Rule, ...]
    states: tuple[State, ...] = ()
    measure: str = RATIO
    rounding: str = HALF_UP
    decimals: int = 1
    rollup: Rollup = field(default_factory=Rollup)
    key: str = "setagaya"
    name: str = "世田谷区"
    name_en: str = "Setagaya"
    source: str = ""
    choices: str = ""  # what the scheme chose where its published text is ambiguous
    choices_en: str = ""

    # --- labels and states -------------------------------------------------------------------------
    @property
    def codes(self) -> tuple[str, ...]:
        """Every label, best first (state labels where the scheme puts them)."""
        return tuple(label.code for label in self.labels)

    @property
    def state_labels(self) -> frozenset[str]:
        return frozenset(state.label for state in self.states if state.label)

    @property
    def grade_labels(self) -> tuple[str, ...]:
        """The labels a figure or a judgement gives (not those of a state), best first."""
        return tuple(code for code in self.codes if code not in self.state_labels)

    def label(self, code: str) -> Label | None:
        return next((label for label in self.labels if label.code == code), None)

    def state(self, code: str) -> State | None:
        return next((state for state in self.states if state.code == code), None)

    def state_named(self, word: str) -> State | None:
        """The state a department or a workbook names (「中止」, 「Cancelled」, or its code), or None."""
        key = unicodedata.normalize("NFKC", word or "").strip().casefold()
        if not key:
            return None
        for state in self.states:
            names = (state.name, state.name_en, state.code)
            if key in (unicodedata.normalize("NFKC", name).casefold() for name in names if name):
                return state
        return None

    def judged_label(self, word: str) -> str | None:
        """The grade label a judgement names (NFKC; 「ａ」 → a; 「b」 → B where the labels are A–D), or None."""
        key = unicodedata.normalize("NFKC", word or "").strip()
        if key in self.grade_labels:
            return key
        folded = [label for label in self.grade_labels if label.casefold() == key.casefold()]
        return folded[0] if len(folded) == 1 else None

    @property
    def state_codes(self) -> tuple[str, ...]:
        return tuple(state.code for state in self.states)

    def reason_required(self, grade: str) -> bool:
        """A grade with this label needs a reason (C and D for Setagaya)."""
        label = self.label(grade)
        return bool(label and label.reason)

    def reason_missing(self, grade: str, reason: str | None, states: Iterable[str] = ()) -> bool:
        """The grade's label (or a state entered, such as 中止) needs a written reason, and there is none."""
        needed = self.reason_required(grade) or any((state := self.state(code)) and state.note for code in states)
        return needed and not has_reason(reason)

    def worst(self, grades: Iterable[str]) -> str:
        """A compound indicator's grade: its worst sub-item's in the labels' order; not graded while any
        sub-item is not."""
        grades = list(grades)
        order = self.codes
        if not grades or any(grade not in order for grade in grades):
            return NO_GRADE
        return max(grades, key=order.index)

    # --- the figure --------------------------------------------------------------------------------
    def round(self, value: Decimal) -> Decimal:
        exponent = Decimal(1).scaleb(-self.decimals)
        return value.quantize(exponent, rounding=_DECIMAL_ROUNDING[self.rounding], context=_CONTEXT)

    @property
    def needs_target(self) -> bool:
        return self.measure != NO_MEASURE or any(rule.when == WHEN_TARGET for rule in self.rules)

    def check_gradable(self, direction: str, target: Decimal | None, baseline: Decimal | None = None) -> None:
        """Raise GradingError when an outcome with these plan values can never be graded."""
        if direction == QUALITATIVE:
            return
        if self.needs_target and target is None:
            raise GradingError("target_not_numeric")
        if self.measure == PROGRESS and baseline is None:
            raise GradingError("baseline_not_numeric")
        if self.measure == PROGRESS and target == baseline:
            raise GradingError("target_equals_baseline")
        if self.measure == RATIO and target == 0:
            raise GradingError("target_zero")

    def raw_measure(self, direction: str, target: Decimal, actual: Decimal, baseline: Decimal | None):
        """The unrounded measure in percent; UNBOUNDED for a ratio when lower is better and the actual is
        0; None for a scheme without a measure."""
        if self.measure == PROGRESS:
            return _CONTEXT.divide(_CONTEXT.multiply(actual - baseline, HUNDRED), target - baseline)
        if self.measure == RATIO:
            if direction == LOWER:
                if actual == 0:
                    return UNBOUNDED
                return _CONTEXT.divide(_CONTEXT.multiply(target, HUNDRED), actual)
            return _CONTEXT.divide(_CONTEXT.multiply(actual, HUNDRED), target)
        return None

    # --- the grade ---------------------------------------------------------------------------------
    def _matches(self, rule: Rule, figure, values: _Values) -> bool:
        if rule.when == WHEN_ALWAYS:
            return True
        if rule.when == WHEN_MEASURE:
            if figure is None:
                return False
            if figure is UNBOUNDED:
                return rule.op in (">=", ">")
            return _compare(figure, rule.op, rule.value)
        sign = -1 if values.direction == LOWER else 1
        if rule.when == WHEN_TARGET:
            return _compare((values.actual - values.target) * sign, rule.op, Decimal(0))
        if values.baseline is None:  # reached only when the rules before did not grade it
            raise GradingError("baseline_needed")
        change = (values.actual - values.baseline) * sign
        return _compare(change, rule.op, -rule.band(values.baseline, values.survey))

    def grade_for(self, figure, values: _Values) -> str:
        for rule in self.rules:
            if self._matches(rule, figure, values):
                return rule.label
        return NO_GRADE  # scheme_files refuses a scheme that can leave a figure here

    def grade_measure(
        self,
        direction: str,
        target: Decimal | None,
        actual: Decimal | None,
        *,
        baseline: Decimal | None = None,
        judged_grade: str = NO_GRADE,
        survey: bool = False,
        state: str = "",
    ) -> Graded:
        """Grade one measure of an outcome.

        - qualitative: no figure; the grade is the judgement entered (one of the grade labels) or none;
        - a state (集計中, 中止 …): no figure; the state's label, or none;
        - no actual yet: no figure, not graded;
        - otherwise the measure rounded by the scheme, and the first rule that holds gives the grade.
        """
        if direction == QUALITATIVE:
            return Graded(None, judged_grade if judged_grade in self.grade_labels else NO_GRADE)
        self.check_gradable(direction, target, baseline)
        if state:
            known = self.state(state)
            return Graded(None, known.label if known else NO_GRADE)
        if actual is None:
            return UNGRADED
        raw = self.raw_measure(direction, target, actual, baseline)
        figure = raw if raw is None or raw is UNBOUNDED else self.round(raw)
        if figure is not None and figure is not UNBOUNDED and not ACHIEVEMENT.fits(figure):
            raise GradingError("achievement_too_large")  # e.g. a target of 0.0001: a figure no sheet prints
        grade = self.grade_for(figure, _Values(direction, target, actual, baseline, survey))
        return Graded(figure if isinstance(figure, Decimal) else None, grade)

    # --- roll-up -----------------------------------------------------------------------------------
    def rollup_grade(self, grades: Iterable[str]) -> str:
        """A policy area's (or a pillar's) overall grade from its outcomes' grades; '' where the scheme
        has none, or no outcome is graded yet. Grades of a state (中止 …) and ungraded ones are left out."""
        graded = [grade for grade in grades if grade in self.grade_labels]
        rollup = self.rollup
        if rollup.kind == ROLLUP_NONE or not graded:
            return NO_GRADE
        if rollup.kind == ROLLUP_WORST:
            return self.worst(graded)
        if rollup.kind == ROLLUP_SHARE:
            score = Fraction(sum(1 for grade in graded if grade in rollup.met), len(graded))
        else:
            score = Fraction(sum(Fraction(self.label(grade).points) for grade in graded), len(graded))
        for band in rollup.bands:
            if score >= band.at_least:
                return band.code
        return NO_GRADE

    @property
    def rollup_codes(self) -> tuple[str, ...]:
        if self.rollup.kind == ROLLUP_WORST:
            return self.grade_labels
        return tuple(band.code for band in self.rollup.bands)


@dataclass(frozen=True)
class _Values:
    direction: str
    target: Decimal | None
    actual: Decimal
    baseline: Decimal | None
    survey: bool


def has_reason(text: str | None) -> bool:
    """Blank, or only spaces (full-width 「　」 included), is no reason."""
    return bool(text and text.strip())


def check_gradable(scheme: GradingScheme, direction: str, target: Decimal | None, baseline: Decimal | None = None):
    scheme.check_gradable(direction, target, baseline)
