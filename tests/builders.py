"""The one place for test data builders, shared by the tests and the benchmarks: a plan, departments
and their people, evaluation years, a path down the plan to an indicator, its year's result, a
department's year of results, and a department's entry of an actual.

Plain functions: they need a configured Django and a database, not pytest
(`from tests.builders import make_plan, make_department_year`). The fixtures in tests/conftest.py
only wrap them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from departments.enums import Role
from departments.models import Department, Membership
from evaluation.domain import scheme_files
from evaluation.domain.enums import ActualState, Direction, IndicatorKind, ResultStatus, YearStatus
from evaluation.domain.grading import GradingScheme
from evaluation.models import (
    EvaluationYear,
    Indicator,
    Initiative,
    Measure,
    Pillar,
    Plan,
    PolicyArea,
    Result,
    ResultValue,
    Vision,
)
from evaluation.services.regrading import SETTINGS_FIELDS  # the thresholds' keywords, as the settings form names them
from evaluation.services.results import ActualInput, save_draft, submit
from evaluation.services.scoring import apply_grades

_sequence = count(1)


def make_plan(name: str = "テスト計画", *, scheme: str | GradingScheme | None = None, **settings) -> Plan:
    """A plan graded by `scheme` (a preset's name, or a scheme), or by Setagaya's with the thresholds,
    formula, rounding or decimals given as the settings form names them (threshold_b=Decimal(90))."""
    thresholds = {SETTINGS_FIELDS[key]: settings.pop(key) for key in list(settings) if key in SETTINGS_FIELDS}
    if isinstance(scheme, str):
        scheme = scheme_files.preset(scheme)
    if scheme is not None or thresholds:
        scheme = scheme_files.with_thresholds(scheme, **thresholds) if thresholds else scheme
        settings["grading_scheme"] = scheme_files.to_data(scheme)
    settings = {"first_fiscal_year": 2024, "last_fiscal_year": 2027, **settings}
    return Plan.objects.create(name=name, **settings)


def thresholds(scheme: GradingScheme) -> dict:
    """The thresholds, measure, rounding and decimals of a threshold scheme (scheme_files.thresholds_of)."""
    return scheme_files.thresholds_of(scheme)


def make_department(name: str | None = None) -> Department:
    return Department.objects.create(name=name or f"課{next(_sequence)}")


def make_user(username: str | None = None, *, department: Department | None = None, role: str = Role.ENTRY, **extra):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_sequence)}", password="pw-for-tests-only", **extra
    )
    if department is not None:
        Membership.objects.create(user=user, department=department, role=role)
    return user


def add_membership(user, department: Department, role: str = Role.ENTRY) -> Membership:
    """A further department for a person (make_user gives the first)."""
    return Membership.objects.create(user=user, department=department, role=role)


def make_open_year(plan: Plan, fiscal_year: int = 2024, *, deadline: datetime.date | None = None) -> EvaluationYear:
    """The plan's evaluation year, open (the default status), with its deadline if one is given."""
    return EvaluationYear.objects.create(plan=plan, fiscal_year=fiscal_year, deadline=deadline)


def make_closed_year(plan: Plan, fiscal_year: int = 2024, *, reason: str = "テスト用に締切") -> EvaluationYear:
    """The plan's evaluation year, already closed (as services.years.close leaves it)."""
    year = EvaluationYear(plan=plan, fiscal_year=fiscal_year, status=YearStatus.CLOSED, close_reason=reason)
    year.snapshot_rule()  # the rule it keeps, as close_year takes it
    year.save()
    return year


def make_initiative(plan: Plan, *, pillar: int = 1, policy_area: int = 1, vision: int = 1, number: int = 1):
    pillar_obj, _ = Pillar.objects.get_or_create(plan=plan, number=pillar, defaults={"title": f"柱{pillar}"})
    area, _ = PolicyArea.objects.get_or_create(
        pillar=pillar_obj, number=policy_area, defaults={"title": f"推進施策{policy_area}"}
    )
    vision_obj, _ = Vision.objects.get_or_create(
        policy_area=area, number=vision, defaults={"heading": f"めざす姿{vision}", "statement": "…"}
    )
    initiative, _ = Initiative.objects.get_or_create(vision=vision_obj, number=number, defaults={"title": "取組み"})
    return initiative


def make_indicator(
    plan: Plan | None = None,
    *,
    department: Department | None = None,
    kind: str = IndicatorKind.OUTCOME,
    direction: str | None = None,
    unit: str = "件",
    sub_items: tuple[str, ...] = ("",),
    initiative: Initiative | None = None,
    **fields,
) -> Indicator:
    plan = plan or make_plan()
    number = next(_sequence)
    if direction is None:
        direction = Direction.HIGHER if kind == IndicatorKind.OUTCOME else ""
    indicator = Indicator.objects.create(
        plan=plan,
        initiative=initiative or make_initiative(plan),
        code=fields.pop("code", f"X.{number}"),
        kind=kind,
        name=fields.pop("name", f"指標{number}"),
        unit=unit,
        direction=direction,
        department=department or make_department(),
        position=number,
        **fields,
    )
    for label in sub_items:
        Measure.objects.create(indicator=indicator, label=label, name=f"小項目{label}" if label else "")
    return indicator


def make_result(
    indicator: Indicator,
    *,
    fiscal_year: int = 2024,
    target: Decimal | str | None = Decimal(100),
    actual: Decimal | str | None = None,
    **fields,
) -> Result:
    """A result with one value per measure, each with the same target and actual."""
    if "department" not in fields:
        fields.setdefault("department_id", indicator.department_id)
    result = Result.objects.create(indicator=indicator, fiscal_year=fiscal_year, **fields)
    for measure in indicator.measures.all():
        value = ResultValue(result=result, measure=measure)
        if isinstance(target, Decimal):
            value.target_value = target
        elif target:
            value.target_text = target
        if isinstance(actual, Decimal):
            value.actual_state, value.actual_value = ActualState.NUMBER, actual
        elif actual == "集計中":
            value.actual_state = ActualState.TALLYING
        elif actual:
            value.actual_state, value.actual_text = ActualState.TEXT, actual
        value.save()
    return result


def make_graded_result(indicator: Indicator, *, values_by_label: dict | None = None, **fields) -> Result:
    """make_result, then per sub-item label the given value fields, graded and stored the way the
    services grade them (scoring.apply_grades), without a version or history of an entry."""
    result = make_result(indicator, **fields)
    values = list(result.values.select_related("measure"))
    for value in values:
        for name, content in (values_by_label or {}).get(value.measure.label, {}).items():
            setattr(value, name, content)
    apply_grades(result, values)
    for value in values:
        value.save()
    result.save()
    return result


def make_outcome_result(
    plan: Plan, department: Department, *, target: Decimal | str | None = Decimal(100), **indicator_fields
) -> Result:
    """The FY2024 result of a new outcome indicator of the department (target 100 unless given)."""
    return make_result(make_indicator(plan, department=department, **indicator_fields), target=target)


def make_department_year(plan: Plan, department: Department, count: int, *, fiscal_year: int = 2024) -> list[Result]:
    """A department's year of `count` results shaped like a real entry page: every third an activity,
    the rest outcomes (target 100), every fourth returned (差戻し), each with last year's actual."""
    results = []
    for index in range(count):
        kind = IndicatorKind.ACTIVITY if index % 3 == 0 else IndicatorKind.OUTCOME
        status = ResultStatus.RETURNED if index % 4 == 1 else ResultStatus.NOT_ENTERED
        indicator = make_indicator(plan, department=department, kind=kind)
        results.append(make_result(indicator, fiscal_year=fiscal_year, target=Decimal(100), status=status))
        make_result(indicator, fiscal_year=fiscal_year - 1, actual=Decimal(5))
    return results


def enter_actual(
    result: Result,
    user,
    actual,
    *,
    reason: str = "",
    expected_version: int | None = None,
    then_submit: bool = False,
) -> Result:
    """The department enters the number `actual` for each value of the result through the entry service
    (save_draft, at the result's version unless `expected_version` is given), and submits it if asked."""
    actuals = {value.pk: ActualInput(ActualState.NUMBER, Decimal(actual)) for value in result.values.all()}
    version = result.version if expected_version is None else expected_version
    result = save_draft(result, user=user, expected_version=version, actuals=actuals, reason=reason)
    if then_submit:
        result = submit(result, user=user, expected_version=result.version)
    return result


def make_finished_job(
    user, *, kind: str = "report_pdf", content: bytes = b"%PDF-1.7 test", parameters: dict | None = None, **fields
):
    """A background job of `user` that has made its file (jobs.models), as the worker leaves it."""
    from django.utils import timezone

    from jobs.enums import JobState, JobStep
    from jobs.models import Job, JobFile
    from jobs.services import fingerprint

    parameters = parameters if parameters is not None else {"plan": 1, "year": 2024, "label": "", "departments": None}
    job = Job.objects.create(
        requested_by=user,
        kind=kind,
        parameters=parameters,
        fingerprint=fingerprint(kind, parameters),
        state=fields.pop("state", JobState.DONE),
        step=JobStep.FINISHED,
        finished_at=fields.pop("finished_at", timezone.now()),
        **fields,
    )
    JobFile.objects.create(
        job=job, filename="評価シート.pdf", content_type="application/pdf", size=len(content), content=content
    )
    return job
