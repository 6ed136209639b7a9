"""Apply the plan's grading rule to a result and its values (no saving: the caller saves)."""

from __future__ import annotations

from collections.abc import Sequence

from evaluation.domain import grading
from evaluation.models import Indicator, Result, ResultValue


def measure_grade(indicator: Indicator, value: ResultValue, judged_grade: str = "") -> grading.Graded:
    """The achievement and grade of one measure of an outcome; activities are not graded."""
    if not indicator.is_outcome:
        return grading.UNGRADED
    return grading.grade_measure(
        indicator.plan.grading_rule,
        indicator.direction,
        value.target_value,
        value.actual,
        baseline=value.measure.baseline_value,
        judged_grade=judged_grade,
    )


def apply_grades(result: Result, values: Sequence[ResultValue]) -> None:
    """Set each value's achievement and grade, and the result's grade (a compound indicator takes its
    worst measure's). Raises grading.GradingError when a target cannot be graded."""
    indicator = result.indicator
    grades = []
    for value in values:
        graded = measure_grade(indicator, value, result.judged_grade)
        value.achievement = graded.achievement
        value.grade = graded.grade
        grades.append(graded.grade)
    result.grade = grading.worst_grade(grades) if indicator.is_outcome else ""
