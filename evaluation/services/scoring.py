"""Apply the plan's grading scheme to a result and its values (no saving: the caller saves).

Every function grades by the plan's scheme unless given `scheme`: a closed year's late figure is
graded by the year's snapshot (EvaluationYear.scheme), a regrading preview by the new scheme."""

from __future__ import annotations

from collections.abc import Sequence

from evaluation.domain import grading
from evaluation.models import Indicator, Result, ResultValue


def open_states(scheme: grading.GradingScheme) -> tuple[str, ...]:
    """The states of the scheme whose item waits for its figure (集計中): a closed year's approved item in
    one of them takes a late figure (確定値の報告), and closing the year lists them."""
    return tuple(state.code for state in scheme.states if state.open)


def measure_grade(
    indicator: Indicator, value: ResultValue, judged_grade: str = "", scheme: grading.GradingScheme | None = None
) -> grading.Graded:
    """The achievement and grade of one measure of an outcome; activities are not graded."""
    if not indicator.is_outcome:
        return grading.UNGRADED
    return (scheme or indicator.plan.scheme).grade_measure(
        indicator.direction,
        value.target_value,
        value.actual,
        baseline=value.measure.baseline_value,
        judged_grade=judged_grade,
        survey=indicator.survey,
        state=value.scheme_state,
    )


def apply_grades_or_hold(
    result: Result, values: Sequence[ResultValue], scheme: grading.GradingScheme | None = None
) -> grading.GradingError | None:
    """apply_grades(); while the outcome cannot be graded yet (no numeric target: the planning section
    sets it), every grade is held at ー and the reason returned instead of raised, so that a
    department can always save a draft of its actual. None when the result was graded."""
    try:
        apply_grades(result, values, scheme)
    except grading.GradingError as error:
        for value in values:
            value.achievement, value.grade = None, ""
        result.grade = ""
        return error
    return None


def grading_hold(
    result: Result, values: Sequence[ResultValue], scheme: grading.GradingScheme | None = None
) -> grading.GradingError | None:
    """Why the result cannot be graded yet (apply_grades_or_hold's reason), without changing anything."""
    try:
        for value in values:
            measure_grade(result.indicator, value, result.judged_grade, scheme)
    except grading.GradingError as error:
        return error
    return None


def apply_grades(result: Result, values: Sequence[ResultValue], scheme: grading.GradingScheme | None = None) -> None:
    """Set each value's achievement and grade, and the result's grade (a compound indicator takes its
    worst measure's). Raises grading.GradingError when a target cannot be graded."""
    indicator = result.indicator
    grades = []
    for value in values:
        graded = measure_grade(indicator, value, result.judged_grade, scheme)
        value.achievement = graded.achievement
        value.grade = graded.grade
        grades.append(graded.grade)
    result.grade = (scheme or indicator.plan.scheme).worst(grades) if indicator.is_outcome else ""
