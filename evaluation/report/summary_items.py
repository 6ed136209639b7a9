"""The indicators the report's summary names, printed: those whose grade needs a reason (C and D for
Setagaya) and those being tallied (ListedItem), and each outcome's actual and grade by year
(OutcomeYear, OutcomeTrend). Every value through evaluation.display, a state of the year's scheme by
its name (中止); a compound indicator's values as 「a)… b)…」."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from evaluation import display
from evaluation.domain.enums import IndicatorKind
from evaluation.domain.footnotes import year_marks
from evaluation.domain.grading import GradingScheme
from evaluation.queries.report_summary import IndicatorFacts
from evaluation.report import charts


@dataclass(frozen=True)
class ListedItem:
    """An indicator in the lists of the summary (a grade that needs a reason, 集計中), its values printed;
    a compound indicator's as 「a)… b)…」. `planned` is an outcome's target, or an activity's plan in
    force. `grade_key` names its badge's fill (grade_key_of)."""

    indicator_id: int
    kind: str
    kind_label: str
    number: str
    name: str
    footnote: str
    unit: str
    department: str
    pillar: str  # 「柱1」
    policy_area: str  # 「推進施策1」 (numbered within its pillar)
    policy_area_title: str
    grade: str  # the scheme's label or ー for an outcome; empty for an activity
    reason: str
    planned: str
    actual: str
    achievement: str
    grade_key: str


@dataclass(frozen=True)
class OutcomeYear:
    """An outcome in one fiscal year: the year, its actual and its grade, as printed; `grade_key` names
    the badge's fill (grade_key_of), not part of what the year says."""

    fiscal_year: int
    actual: str
    grade: str
    grade_key: str = field(default="none", compare=False)


def grade_key_of(printed: str, scheme: GradingScheme) -> str:
    """A grade's badge and fill (templates/includes/grade_badge.html, the charts) by its rank in the
    scheme: a … d for Setagaya's A … D (charts.rank_key), `state` for a state's label (中止 …) or a label
    the scheme does not know, none for ー."""
    if printed in ("", display.NOT_GRADED):
        return "none"
    labels = scheme.grade_labels
    if printed not in labels:
        return "state"
    return charts.rank_key(labels.index(printed), len(labels))


@dataclass(frozen=True)
class OutcomeTrend:
    """An outcome's actual and grade in each year of the comparison (oldest first, this year last)."""

    indicator_id: int
    number: str
    name: str
    unit: str
    department: str
    pillar: str
    policy_area: str
    policy_area_title: str
    years: tuple[OutcomeYear, ...]


def pillar_label(pillar) -> str:
    """「柱1」"""
    return _("Pillar %(number)s") % {"number": pillar.number}


def area_label(policy_area) -> str:
    """「推進施策1」: numbered within its pillar, so a list names the pillar too."""
    return _("Policy area %(number)s") % {"number": policy_area.number}


def _place(facts: IndicatorFacts) -> dict:
    """Where an indicator sits: its pillar's and policy area's labels and the policy area's title."""
    area = facts.policy_area
    return {"pillar": pillar_label(area.pillar), "policy_area": area_label(area), "policy_area_title": area.title}


def _joined(facts: IndicatorFacts, fiscal_year: int, printed: Callable) -> str:
    """A value of each sub-item, printed: 「430」, or 「a)231.6% b)287.1%」 for a compound indicator."""
    values = facts.year(fiscal_year).values
    if len(values) == 1 and not values[0].measure.label:
        return printed(values[0])
    return " ".join(f"{value.measure.label}){printed(value)}" for value in values) or display.EMPTY


def _style(facts: IndicatorFacts, decimals: int) -> dict:
    return {"unit": facts.indicator.unit, "decimals": decimals}


def _printed_actual(facts: IndicatorFacts, fiscal_year: int, decimals: int, scheme: GradingScheme) -> str:
    style = _style(facts, decimals)
    return _joined(facts, fiscal_year, lambda value: display.value_actual(value, scheme, **style))


def _printed_planned(facts: IndicatorFacts, fiscal_year: int, decimals: int) -> str:
    style = _style(facts, decimals)

    def planned(value) -> str:
        if facts.is_outcome:
            return display.plan_value(value.target_value, value.target_text, **style)
        if value.revised_plan_value is not None or value.revised_plan_text:
            return display.plan_value(value.revised_plan_value, value.revised_plan_text, **style)
        return display.plan_value(value.original_plan_value, value.original_plan_text, **style)

    return _joined(facts, fiscal_year, planned)


def listed_item(facts: IndicatorFacts, fiscal_year: int, decimals: int, scheme: GradingScheme) -> ListedItem:
    indicator = facts.indicator
    record = facts.year(fiscal_year)
    grade = display.grade(record.grade) if facts.is_outcome else ""
    return ListedItem(
        indicator_id=indicator.pk,
        kind=indicator.kind,
        kind_label=str(IndicatorKind(indicator.kind).label),
        number=display.indicator_number(indicator.label),
        name=indicator.name,
        footnote=year_marks(indicator.footnote, facts.revision_marks),
        unit=indicator.unit,
        department=display.department(facts.department(fiscal_year)),
        **_place(facts),
        grade=grade,
        grade_key=grade_key_of(grade, scheme),
        reason=record.result.reason if record.result is not None else "",
        planned=_printed_planned(facts, fiscal_year, decimals),
        actual=_printed_actual(facts, fiscal_year, decimals, scheme),
        achievement=(
            _joined(facts, fiscal_year, lambda value: display.achievement(value.achievement, decimals))
            if facts.is_outcome
            else ""
        ),
    )


def outcome_year(facts: IndicatorFacts, fiscal_year: int, decimals: int, scheme: GradingScheme) -> OutcomeYear:
    grade = display.grade(facts.year(fiscal_year).grade)
    return OutcomeYear(
        fiscal_year, _printed_actual(facts, fiscal_year, decimals, scheme), grade, grade_key_of(grade, scheme)
    )


def outcome_trend(facts: IndicatorFacts, years: list[int], decimals: int, scheme: GradingScheme) -> OutcomeTrend:
    indicator = facts.indicator
    return OutcomeTrend(
        indicator_id=indicator.pk,
        number=display.indicator_number(indicator.label),
        name=indicator.name,
        unit=indicator.unit,
        department=display.department(facts.department(years[-1])),
        **_place(facts),
        years=tuple(outcome_year(facts, year, decimals, scheme) for year in years),
    )
