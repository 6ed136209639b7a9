"""The report's summary (評価の集計) for a plan and a fiscal year, printed: the grade distribution of the
outcome indicators overall, per pillar and per policy area (counts per label of the year's grading
scheme in its order, and shares with its decimals), each policy area's and pillar's overall grade
(総合評価) where the scheme has a roll-up, its charts, the items whose grade needs a reason (C and D for
Setagaya) with their reasons, the items being tallied (集計中), the activity volumes against plan, and
the comparison with the plan's earlier years.

Facts from evaluation.queries.report_summary; every value printed through evaluation.display; the
indicators it names from evaluation.report.summary_items, the charts from evaluation.report.charts.
templates/evaluation/report/_summary.html shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from evaluation import display
from evaluation.domain import grading, scheme_text
from evaluation.domain.grading import GradingScheme
from evaluation.models import Plan
from evaluation.queries.report_summary import (
    ActivityState,
    ActivityTally,
    AreaFacts,
    GradeTally,
    SummaryData,
    summary_data,
    total_tally,
)
from evaluation.report import charts
from evaluation.report.summary_items import (
    ListedItem,
    OutcomeTrend,
    OutcomeYear,
    area_label,
    grade_key_of,
    listed_item,
    outcome_trend,
    outcome_year,
    pillar_label,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class GradeShare:
    """One grade's count and share (a percentage with the plan's decimals; None when nothing is
    counted). `grade` is as stored ("" for not graded), `letter` as printed (ー), `key` names its fill."""

    grade: str
    letter: str
    key: str
    count: int
    share: Decimal | None
    share_text: str


@dataclass(frozen=True)
class GradeDistribution:
    """The outcome indicators by grade, in the scheme's order (A, B, C, D, ー for Setagaya), and their
    overall grade (総合評価) where the scheme has a roll-up: its label (with its meaning where the label
    is a mark: 「B（概ね順調）」), or ー while none is graded."""

    total: int
    shares: tuple[GradeShare, ...]
    rollup: str = ""

    def count(self, grade: str) -> int:
        return next(share.count for share in self.shares if share.grade == grade)

    def bar(self, label: str, *, is_total: bool = False) -> charts.Bar:
        segments = tuple(charts.Segment(share.key, share.letter, share.count) for share in self.shares)
        return charts.Bar(label, segments, is_total)


@dataclass(frozen=True)
class ActivityAchievement:
    """Activity volumes (行動量) against plan: reached, missed, no figure to compare."""

    achieved: int
    not_achieved: int
    no_figure: int

    @property
    def total(self) -> int:
        return self.achieved + self.not_achieved + self.no_figure


@dataclass(frozen=True)
class AreaSummary:
    policy_area: object
    label: str  # 「推進施策1」
    title: str
    grades: GradeDistribution
    activities: ActivityAchievement


@dataclass(frozen=True)
class PillarSummary:
    pillar: object
    label: str  # 「柱1」
    title: str
    grades: GradeDistribution
    activities: ActivityAchievement
    areas: tuple[AreaSummary, ...]
    chart: SafeString  # a bar per policy area and the pillar's total


@dataclass(frozen=True)
class YearDistribution:
    fiscal_year: int
    label: str  # 「令和6年度（2024年度）」
    grades: GradeDistribution


@dataclass(frozen=True)
class PillarYears:
    label: str
    title: str
    years: tuple[YearDistribution, ...]


@dataclass(frozen=True)
class YearOverYear:
    """This year beside the plan's earlier years that have results (oldest first, this year last)."""

    years: tuple[YearDistribution, ...]
    pillars: tuple[PillarYears, ...]
    outcomes: tuple[OutcomeTrend, ...]
    chart: SafeString

    @property
    def trend_columns(self) -> int:
        """The columns of the table of each outcome by year: the indicator, then an actual and a grade a year."""
        return 1 + 2 * len(self.years)


@dataclass(frozen=True)
class ReportSummary:
    plan: Plan
    fiscal_year: int
    scheme: GradingScheme  # the year's (a closed year's snapshot)
    year_label: str
    is_limited: bool  # only some departments' items (department staff before the year is closed)
    overall: GradeDistribution
    activities: ActivityAchievement
    pillars: tuple[PillarSummary, ...]
    chart: SafeString  # a bar per pillar and the whole plan
    low_graded: tuple[ListedItem, ...]  # the grades (and states) that need a reason: C and D for Setagaya
    tallying: tuple[ListedItem, ...]
    year_over_year: YearOverYear | None  # None when no earlier year of the plan has results
    # {outcome indicator id: [its earlier years' (year, printed actual, grade)], oldest first} for the
    # sheets; every shown outcome has an entry (empty without earlier years).
    outcome_history: dict[int, list[OutcomeYear]]

    @property
    def has_rollup(self) -> bool:
        return self.scheme.rollup.kind != grading.ROLLUP_NONE

    @property
    def scheme_summary(self) -> str:
        """The year's scheme in a sentence (the legend under the tables), in the active language."""
        return display.scheme_summary(self.scheme)

    @property
    def rollup_text(self) -> str:
        """The overall grade's rule in words (scheme_text.rollup_text), in the active language."""
        return scheme_text.rollup_text(self.scheme, translation.get_language() or "ja")

    @property
    def reason_words(self) -> str:
        """What needs a reason, in words: 「C・D」 (Setagaya), 「B・C、中止・評価困難」 (あきる野市)."""
        return scheme_text.reason_words(self.scheme, translation.get_language() or "ja")


def report_summary(
    plan: Plan,
    fiscal_year: int,
    *,
    department_ids: Iterable[int] | None = None,
    decimals: int | None = None,
    scheme: GradingScheme | None = None,
) -> ReportSummary:
    """The summary of `plan`'s `fiscal_year` (five queries, six without `scheme`: the year's, which a
    closed year keeps from its closing, Plan.scheme_of); with `department_ids`, of those departments'
    indicators only. `decimals`: the shares', the scheme's unless given."""
    scheme = plan.scheme_of(fiscal_year) if scheme is None else scheme
    data = summary_data(plan, fiscal_year, department_ids=department_ids, scheme=scheme)
    decimals = scheme.decimals if decimals is None else decimals
    year_label = display.fiscal_year(fiscal_year)
    pillars = _pillars(data, decimals, year_label)
    overall_tally = total_tally((area.grades_by_year[fiscal_year] for area in data.areas), data.keys)
    overall = _distribution(overall_tally, decimals, data)
    bars = [pillar.grades.bar(pillar.label) for pillar in pillars]
    bars.append(overall.bar(_("Whole plan"), is_total=True))
    title = _("Grades of the outcome indicators per pillar, %(year)s") % {"year": year_label}
    return ReportSummary(
        plan=plan,
        fiscal_year=fiscal_year,
        scheme=scheme,
        year_label=year_label,
        is_limited=data.is_limited,
        overall=overall,
        activities=_activities(sum((area.activities for area in data.areas), ActivityTally())),
        pillars=pillars,
        chart=charts.stacked_bars("summary-grades", bars, title=title, description=_describe(bars)),
        low_graded=tuple(listed_item(facts, fiscal_year, decimals, scheme) for facts in data.low_graded),
        tallying=tuple(listed_item(facts, fiscal_year, decimals, scheme) for facts in data.tallying),
        year_over_year=_year_over_year(data, decimals) if data.earlier_years else None,
        outcome_history={
            facts.indicator.pk: [outcome_year(facts, year, decimals, scheme) for year in data.earlier_years]
            for facts in data.outcomes
        },
    )


# Distributions and their charts ----------------------------------------------------------------------


def _share(count: int, total: int, decimals: int) -> Decimal | None:
    if not total:
        return None
    return display.achievement_cell(Decimal(count) * HUNDRED / Decimal(total), decimals)


def _distribution(tally: GradeTally, decimals: int, data: SummaryData) -> GradeDistribution:
    total = tally.total
    shares = []
    for grade in tally.keys:
        count = tally.counts[grade]
        share = _share(count, total, decimals)
        shares.append(
            GradeShare(
                grade=grade,
                letter=display.grade(grade),
                key=grade_key_of(grade, data.scheme),
                count=count,
                share=share,
                share_text=display.achievement(share, decimals),
            )
        )
    rollup = ""
    if data.scheme.rollup.kind != grading.ROLLUP_NONE:
        language = translation.get_language() or "ja"
        rollup = scheme_text.rollup_label(data.scheme, data.rollup(tally), language) or display.NOT_GRADED
    return GradeDistribution(total, tuple(shares), rollup)


def _activities(tally: ActivityTally) -> ActivityAchievement:
    counts = tally.counts
    return ActivityAchievement(
        counts[ActivityState.ACHIEVED], counts[ActivityState.NOT_ACHIEVED], counts[ActivityState.NO_FIGURE]
    )


def _by_pillar(areas: Sequence[AreaFacts]) -> list[list[AreaFacts]]:
    """The areas (in plan order) in runs of one pillar."""
    groups: dict[int, list[AreaFacts]] = {}
    for area in areas:
        groups.setdefault(area.policy_area.pillar_id, []).append(area)
    return list(groups.values())


def _pillars(data: SummaryData, decimals: int, year_label: str) -> tuple[PillarSummary, ...]:
    pillars = []
    for areas in _by_pillar(data.areas):
        pillar = areas[0].policy_area.pillar
        label = pillar_label(pillar)
        rows = tuple(
            AreaSummary(
                policy_area=area.policy_area,
                label=area_label(area.policy_area),
                title=area.policy_area.title,
                grades=_distribution(area.grades_by_year[data.fiscal_year], decimals, data),
                activities=_activities(area.activities),
            )
            for area in areas
        )
        tally = total_tally((area.grades_by_year[data.fiscal_year] for area in areas), data.keys)
        grades = _distribution(tally, decimals, data)
        bars = [row.grades.bar(row.label) for row in rows]
        bars.append(grades.bar(_("Total of pillar %(number)s") % {"number": pillar.number}, is_total=True))
        title = _("Grades of the outcome indicators per policy area of pillar %(number)s, %(year)s") % {
            "number": pillar.number,
            "year": year_label,
        }
        pillars.append(
            PillarSummary(
                pillar=pillar,
                label=label,
                title=pillar.title,
                grades=grades,
                activities=_activities(sum((area.activities for area in areas), ActivityTally())),
                areas=rows,
                chart=charts.stacked_bars(
                    f"summary-grades-pillar-{pillar.number}", bars, title=title, description=_describe(bars)
                ),
            )
        )
    return tuple(pillars)


def _describe(bars: Sequence[charts.Bar]) -> str:
    """The chart in words (its <desc>): 「柱1: A 12, B 8, C 3, D 1, ー 2 (合計 26)」 per bar."""
    return "; ".join(
        "{label}: {counts} ({total} {count})".format(
            label=bar.label,
            counts=", ".join(charts.counted(segment.letter, segment.count) for segment in bar.segments),
            total=_("Total"),
            count=bar.total,
        )
        for bar in bars
    )


# Year over year --------------------------------------------------------------------------------------


def _year_distributions(areas: Sequence[AreaFacts], years: Sequence[int], decimals: int, data: SummaryData):
    return tuple(
        YearDistribution(
            year,
            display.fiscal_year(year),
            _distribution(total_tally((area.grades_by_year[year] for area in areas), data.keys), decimals, data),
        )
        for year in years
    )


def _year_over_year(data: SummaryData, decimals: int) -> YearOverYear:
    overall = _year_distributions(data.areas, data.years, decimals, data)
    pillars = tuple(
        PillarYears(
            pillar_label(areas[0].policy_area.pillar),
            areas[0].policy_area.pillar.title,
            _year_distributions(areas, data.years, decimals, data),
        )
        for areas in _by_pillar(data.areas)
    )
    outcomes = tuple(outcome_trend(facts, data.years, decimals, data.scheme) for facts in data.outcomes)
    return YearOverYear(overall, pillars, outcomes, _year_chart(overall))


def _year_chart(years: Sequence[YearDistribution]) -> SafeString:
    groups = [
        charts.Group(
            key=first.key,
            letter=first.letter,
            counts=tuple(year.grades.shares[index].count for year in years),
            shares=tuple(year.grades.shares[index].share_text for year in years),
        )
        for index, first in enumerate(years[0].grades.shares)
    ]
    title = _("Grades of the outcome indicators by fiscal year, %(first)s to %(last)s") % {
        "first": years[0].label,
        "last": years[-1].label,
    }
    description = "; ".join(
        "{letter}: {counts}".format(
            letter=group.letter,
            counts=", ".join(f"{year.label} {count}" for year, count in zip(years, group.counts, strict=True)),
        )
        for group in groups
    )
    return charts.grouped_bars(
        "summary-years", [year.label for year in years], groups, title=title, description=description
    )
