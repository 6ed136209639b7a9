"""The floor of a plan import: the same rows written with a raw bulk_create per table (plan, pillars,
policy areas, visions, initiatives, indicators, measures, results, values), from rows already
parsed, with no check, no comparison and no grading; and the same with the history rows that
django-simple-history's bulk_create_with_history writes for the tables that keep a history (plan,
indicator, measure, result, value), as the import leaves one per object it creates."""

from __future__ import annotations

from dataclasses import dataclass, field

from simple_history.utils import bulk_create_with_history

from departments.models import Department
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, ResultStatus
from evaluation.models import Indicator, Initiative, Measure, Pillar, Plan, PolicyArea, Result, ResultValue, Vision
from evaluation.workbook.plan_checks import RowChecker
from evaluation.workbook.plan_rows import PlanRow
from evaluation.workbook.plan_sync import CHANGE_REASON

RELISTED_WORD = "再掲"


def parsed_rows(raw_rows: list[dict[str, str]]) -> list[PlanRow]:
    """The rows as the import's checks parse them (untimed: the floor starts from parsed rows)."""
    checker = RowChecker(scheme_files.default_scheme())
    rows = checker.check(raw_rows)
    if checker.errors:
        raise ValueError(f"the synthetic plan does not parse: {checker.errors[:3]}")
    return rows


@dataclass
class _Objects:
    """The plan's objects, built in memory, each table in the order of the rows."""

    plan: Plan
    pillars: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    visions: dict = field(default_factory=dict)
    initiatives: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    measures: list = field(default_factory=list)
    values: list = field(default_factory=list)


def _hierarchy(objects: _Objects, row: PlanRow) -> Initiative:
    pillar = objects.pillars.setdefault(row.pillar, Pillar(plan=objects.plan, number=row.pillar, title=row.value("柱")))
    area_key = (row.pillar, row.policy_area)
    area = objects.areas.setdefault(
        area_key, PolicyArea(pillar=pillar, number=row.policy_area, title=row.value("推進施策"))
    )
    vision_key = (*area_key, row.vision)
    vision = objects.visions.setdefault(
        vision_key,
        Vision(
            policy_area=area,
            number=row.vision,
            heading=row.value("めざす姿見出し"),
            statement=row.value("めざす姿"),
            plan_pages=row.value("計画書頁"),
        ),
    )
    return objects.initiatives.setdefault(
        (*vision_key, row.initiative),
        Initiative(
            vision=vision,
            number=row.initiative,
            title=row.value("主な取組み"),
            description=row.value("取組内容"),
            implementation_ref=row.value("実施計画"),
            is_relisted=row.value("再掲") == RELISTED_WORD,
        ),
    )


def _indicator(objects: _Objects, row: PlanRow, initiative: Initiative, department: Department) -> None:
    indicator = objects.indicators.get(row.code)
    if indicator is None:
        indicator = objects.indicators[row.code] = Indicator(
            plan=objects.plan,
            initiative=initiative,
            code=row.code,
            kind=row.kind,
            label=row["区分"],
            name=row["指標名"],
            footnote=row["注記"],
            unit=row["単位"],
            direction=row.direction,
            baseline_text=row["現況値"],
            baseline_as_of=row["現況値時点"],
            department=department,
            position=len(objects.indicators) + 1,
        )
        objects.results[row.code] = Result(
            indicator=indicator,
            fiscal_year=row.fiscal_year,
            department=department,
            status=ResultStatus.DRAFT if row.actual.state != ActualState.EMPTY else ResultStatus.NOT_ENTERED,
            judged_grade=row.judged_grade if row.direction == "qualitative" else "",
            reason=row["評価理由"],
            revision_reason=row["修正理由"],
        )
    measure = Measure(indicator=indicator, label=row["小項目"], name=row["小項目名"], baseline_value=row.baseline_value)
    objects.measures.append(measure)
    objects.values.append(
        ResultValue(
            result=objects.results[row.code],
            measure=measure,
            original_plan_value=row.original_plan.number,
            original_plan_text=row.original_plan.text,
            revised_plan_value=row.revised_plan.number,
            revised_plan_text=row.revised_plan.text,
            target_value=row.target.number,
            target_text=row.target.text,
            actual_state=row.actual.state,
            actual_value=row.actual.number,
            actual_text=row.actual.text,
        )
    )


def build_objects(rows: list[PlanRow], plan_name: str) -> _Objects:
    years = [row.fiscal_year for row in rows]
    objects = _Objects(plan=Plan(name=plan_name, first_fiscal_year=min(years), last_fiscal_year=max(years)))
    departments = Department.objects.in_bulk({row["担当所管課"] for row in rows if row.kind}, field_name="name")
    for row in rows:
        initiative = _hierarchy(objects, row)
        if row.kind:
            _indicator(objects, row, initiative, departments[row["担当所管課"]])
    return objects


def bulk_write(rows: list[PlanRow], plan_name: str, *, history: bool) -> int:
    """Write the rows' objects with one bulk_create per table (with their history rows when asked);
    Django sets each foreign key from its parent saved just before. Returns the number of objects
    written. The departments exist already (as for the import measured)."""
    objects = build_objects(rows, plan_name)

    def create(model, objs, *, keeps_history: bool = False):
        if history and keeps_history:
            return bulk_create_with_history(objs, model, default_change_reason=CHANGE_REASON)
        return model.objects.bulk_create(objs)

    create(Plan, [objects.plan], keeps_history=True)
    create(Pillar, list(objects.pillars.values()))
    create(PolicyArea, list(objects.areas.values()))
    create(Vision, list(objects.visions.values()))
    create(Initiative, list(objects.initiatives.values()))
    indicators = list(objects.indicators.values())
    create(Indicator, indicators, keeps_history=True)
    create(Measure, objects.measures, keeps_history=True)
    create(Result, list(objects.results.values()), keeps_history=True)
    create(ResultValue, objects.values, keeps_history=True)
    return (
        1
        + len(objects.pillars)
        + len(objects.areas)
        + len(objects.visions)
        + len(objects.initiatives)
        + len(indicators)
        + len(objects.measures)
        + len(objects.results)
        + len(objects.values)
    )
