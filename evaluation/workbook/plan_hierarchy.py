"""The hierarchy sync of a plan import: plan → pillar → policy area → vision → initiative →
indicator → measure, each found by its key (a number under its parent, the 指標ID, the 小項目) and
created or updated in place; departments are found by name and created when new.

The master data a closed year's record rests on is asked about first (services.guards): an
indicator's direction, kind, unit or baseline, a measure's baseline and the plan's
grading settings do not change while a closed year shows them; such a change becomes a refusal
naming the row, the column and the value, and the whole file is undone.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from departments.models import Department
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.models import EvaluationYear, Indicator, Initiative, Measure, Pillar, Plan, PolicyArea, Result, Vision
from evaluation.services import guards
from evaluation.workbook.plan_columns import PERIOD_COLUMN, RECORD_FIELD_COLUMNS, RELISTED_WORD
from evaluation.workbook.plan_report import CREATED, UNCHANGED, UPDATED
from evaluation.workbook.plan_rows import PlanRow
from evaluation.workbook.plan_sync import Bookkeeper


class HierarchySync:
    """Brings the plan's hierarchy in line with the file's rows, one row at a time."""

    def __init__(self, book: Bookkeeper, rows: list[PlanRow]):
        self.book = book
        self.first_row = rows[0]
        self.years = book.report.fiscal_years
        self.plan_change: tuple[str, list[str]] | None = None  # told on the first row

    def plan(self) -> Plan:
        name = self.book.report.plan_name
        plan = Plan.objects.filter(name=name).first()
        first, last = self.book.report.period or (self.years[0], self.years[-1])
        if plan is None:
            plan = Plan(name=name, first_fiscal_year=first, last_fiscal_year=last)
            self.book.save(plan)
            self.book.count(Plan, CREATED)
            self.plan_change = (CREATED, [_("New plan %(plan)s") % {"plan": plan}])
            return plan
        changes = self.book.sync(
            plan,
            self._period_fields(plan, first, last),
        )
        try:
            guards.refuse_plan_grading_change(plan, changes)
        except guards.RecordInUse as refused:
            self.book.refuse(self.first_row, "計画", refused.message)
        self.book.count(Plan, UPDATED if changes else UNCHANGED)
        self.plan_change = (UPDATED, list(changes.values())) if changes else None
        return plan

    def _period_fields(self, plan: Plan, first: int, last: int) -> dict[str, int]:
        """The plan's years after the file: its 計画期間 when it gives one (refused when that would leave
        out a year the plan already evaluates), else the plan's years widened to the file's."""
        if self.book.report.period is None:
            return {
                "first_fiscal_year": min(plan.first_fiscal_year, first),
                "last_fiscal_year": max(plan.last_fiscal_year, last),
            }
        outside = sorted(
            set(EvaluationYear.objects.filter(plan=plan).values_list("fiscal_year", flat=True))
            | set(Result.objects.filter(indicator__plan=plan).values_list("fiscal_year", flat=True).distinct())
        )
        outside = [year for year in outside if not first <= year <= last]
        if outside:
            self.book.refuse(
                self.first_row,
                PERIOD_COLUMN,
                _("The plan already has %(years)s, outside this period.")
                % {"years": "、".join(display_fiscal_year(year) for year in outside)},
            )
        return {"first_fiscal_year": first, "last_fiscal_year": last}

    def load(self, plan: Plan):
        """Fetch every existing object of the hierarchy the file may touch, in a handful of queries."""
        self.departments = {department.name: department for department in Department.objects.all()}
        # Keyed by numbers and codes, not by the parent's pk: a new parent has none until the flush.
        self.pillars = {pillar.number: pillar for pillar in Pillar.objects.filter(plan=plan)}
        pillar_number = {pillar.pk: pillar.number for pillar in self.pillars.values()}
        self.policy_areas = {
            (pillar_number[area.pillar_id], area.number): area for area in PolicyArea.objects.filter(pillar__plan=plan)
        }
        area_key = {area.pk: key for key, area in self.policy_areas.items()}
        self.visions = {
            (*area_key[vision.policy_area_id], vision.number): vision
            for vision in Vision.objects.filter(policy_area__pillar__plan=plan)
        }
        vision_key = {vision.pk: key for key, vision in self.visions.items()}
        self.initiatives = {
            (*vision_key[initiative.vision_id], initiative.number): initiative
            for initiative in Initiative.objects.filter(vision__policy_area__pillar__plan=plan)
        }
        self.indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(plan=plan)}
        code_of = {indicator.pk: code for code, indicator in self.indicators.items()}
        for indicator in self.indicators.values():
            indicator.plan = plan
        self.measures = {
            (code_of[measure.indicator_id], measure.label): measure
            for measure in Measure.objects.filter(indicator__plan=plan)
        }

    def initiative(self, plan: Plan, row: PlanRow) -> Initiative:
        """The row's initiative, its pillar, policy area and vision synced on the way down."""
        if self.plan_change:
            self.book.mark(*self.plan_change)
            self.plan_change = None
        get_or_create = self.book.get_or_create
        pillar = get_or_create(
            self.pillars, row.pillar, Pillar, {"plan": plan, "number": row.pillar, "title": row.value("柱")}
        )
        area = get_or_create(
            self.policy_areas,
            (row.pillar, row.policy_area),
            PolicyArea,
            {"pillar": pillar, "number": row.policy_area, "title": row.value("推進施策")},
        )
        vision = get_or_create(
            self.visions,
            (row.pillar, row.policy_area, row.vision),
            Vision,
            {
                "policy_area": area,
                "number": row.vision,
                "heading": row.value("めざす姿見出し"),
                "statement": row.value("めざす姿"),
                "plan_pages": row.value("計画書頁"),
            },
        )
        return get_or_create(
            self.initiatives,
            (row.pillar, row.policy_area, row.vision, row.initiative),
            Initiative,
            {
                "vision": vision,
                "number": row.initiative,
                "title": row.value("主な取組み"),
                "description": row.value("取組内容"),
                "implementation_ref": row.value("実施計画"),
                "is_relisted": row.value("再掲") == RELISTED_WORD,
            },
        )

    def department(self, name: str) -> Department:
        department = self.departments.get(name)
        if department is None:
            department = Department(name=name)
            self.book.create(department)
            self.departments[name] = department
            self.book.seen.add(id(department))
            self.book.count(Department, CREATED)
            self.book.mark(CREATED, [_("New department %(department)s") % {"department": name}])
        elif id(department) not in self.book.seen:
            self.book.seen.add(id(department))
            self.book.count(Department, UNCHANGED)
        return department

    def indicator(
        self, plan: Plan, initiative: Initiative, row: PlanRow, position: int, department: str | None
    ) -> Indicator:
        """`department`: the indicator's current department after the file (the name of its latest
        year's 担当所管課), or None to leave an existing indicator's as it is."""
        row_department = self.department(row["担当所管課"])  # found or created for the row's result
        values = {
            "plan": plan,
            "initiative": initiative,
            "code": row.code,
            "kind": row.kind,
            "label": row["区分"],
            "name": row["指標名"],
            "footnote": row["注記"],
            "unit": row["単位"],
            "direction": row.direction,
            "survey": row.survey,
            "baseline_text": row["現況値"],
            "baseline_as_of": row["現況値時点"],
            "department": self.department(department) if department else row_department,
            "position": position,
        }
        if department is None and row.code in self.indicators:
            del values["department"]
        indicator = self.book.get_or_create(
            self.indicators,
            row.code,
            Indicator,
            values,
            check=lambda obj, changes: self.check_record(obj, row, changes),
        )
        indicator.plan = plan
        return indicator

    def measure(self, indicator: Indicator, row: PlanRow) -> Measure:
        values = {
            "indicator": indicator,
            "label": row["小項目"],
            "name": row["小項目名"],
            "baseline_value": row.baseline_value,
        }
        measure = self.book.get_or_create(
            self.measures,
            (indicator.code, row["小項目"]),
            Measure,
            values,
            check=lambda obj, changes: self.check_record(indicator, row, changes),
        )
        measure.indicator = indicator
        return measure

    def check_record(self, indicator: Indicator, row: PlanRow, changes: dict[str, str]) -> None:
        """Refuse, column by column, a change of what a closed year's record of the indicator shows."""
        try:
            guards.refuse_indicator_change(indicator, changes)
        except guards.RecordInUse as refused:
            columns = {RECORD_FIELD_COLUMNS[name] for name in changes if name in RECORD_FIELD_COLUMNS}
            for column in sorted(columns):
                self.book.refuse(row, column, refused.message)
