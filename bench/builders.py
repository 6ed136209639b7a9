"""Build a synthetic plan in the database (bench/plan.py's rows), as a city would have it in the last
days before the deadline: imported through the plan import, the year open, one entry account per
department and the planning section's, and the results brought to their status through the services
(submitted by their department, approved or returned by the planning section), each leaving its
history row as in real life.

Shared by the benchmark and the load test: `build_plan(PlanShape.of_size(250))` needs a configured
Django and a migrated database, nothing of pytest. Every account's password is BENCH_PASSWORD, hashed
once (Django's PBKDF2 at production strength costs ~0.3 s a hash)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bench.plan import PlanShape, SyntheticPlan, synthetic_plan
from departments.enums import Role
from departments.models import Department, Membership
from evaluation.domain.enums import ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import EvaluationYear, Plan, Result
from evaluation.services import results as services
from evaluation.workbook.plan_import import import_plan_rows

BENCH_PASSWORD = "bench-password-not-secret"
DEADLINE_IN_DAYS = 3  # the rush: three days left
RETURN_COMMENT = "実績の根拠となる資料の時点を確認し、必要であれば修正してください。"
PLANNER, REVIEWER, VIEWER = "bench-planning", "bench-planning2", "bench-viewer"
DECIDED = {ResultStatus.SUBMITTED, ResultStatus.RETURNED, ResultStatus.APPROVED}


@dataclass
class BenchPlan:
    """What build_plan made, for the measurements to find their pages and people."""

    synthetic: SyntheticPlan
    plan: Plan
    year: EvaluationYear
    departments: list[Department]  # in the workbook's order: the big one first
    entry_users: dict[int, object]  # {department id: its entry account}
    planner: object  # the planning section (approves, returns; a member of the big department)
    reviewer: object  # a second member of the planning section
    viewer: object
    statuses: dict[str, int] = field(default_factory=dict)  # {status: results} after the fill

    @property
    def fiscal_year(self) -> int:
        return self.year.fiscal_year

    @property
    def big(self) -> Department:
        return self.departments[0]

    @property
    def typical(self) -> Department:
        return self.departments[1]

    def entry_user(self, department: Department):
        return self.entry_users[department.pk]

    def results_of(self, department: Department):
        return Result.objects.filter(
            indicator__plan=self.plan, fiscal_year=self.fiscal_year, department=department
        ).order_by("indicator__position")


def build_plan(shape: PlanShape, *, synthetic: SyntheticPlan | None = None) -> BenchPlan:
    """The plan of `shape` in the database, its year open, its people, its results filled."""
    synthetic = synthetic or synthetic_plan(shape)
    import_plan_rows(synthetic.rows)
    plan = Plan.objects.get(name=shape.plan_name)
    year = open_year(plan, shape.fiscal_year)
    by_name = Department.objects.in_bulk(synthetic.departments, field_name="name")
    departments = [by_name[name] for name in synthetic.departments]
    people = make_people(departments)
    bench = BenchPlan(synthetic=synthetic, plan=plan, year=year, departments=departments, **people)
    fill_results(bench)
    bench.statuses = dict(
        Result.objects.filter(indicator__plan=plan, fiscal_year=year.fiscal_year)
        .values_list("status")
        .order_by("status")
        .annotate(count=Count("pk"))
    )
    return bench


def open_year(plan: Plan, fiscal_year: int) -> EvaluationYear:
    """The year open with its deadline a few days ahead, the plan running four years (as load_demo)."""
    plan.last_fiscal_year = max(plan.last_fiscal_year, plan.first_fiscal_year + 3)
    plan.save(update_fields=["last_fiscal_year"])
    deadline = timezone.localdate() + datetime.timedelta(days=DEADLINE_IN_DAYS)
    year, _created = EvaluationYear.objects.get_or_create(
        plan=plan, fiscal_year=fiscal_year, defaults={"deadline": deadline}
    )
    return year


@transaction.atomic
def make_people(departments: list[Department]) -> dict:
    """One entry account per department (bench-d001 …), two of the planning section (members of the
    big department, the plan's secretariat as in the seed) and a viewer; one password for all."""
    password = make_password(BENCH_PASSWORD)
    user_model = get_user_model()

    def account(username: str, first_name: str = ""):
        return user_model(username=username, password=password, first_name=first_name, email=f"{username}@example.jp")

    entry = [account(f"bench-d{index:03d}", department.name) for index, department in enumerate(departments, 1)]
    staff = [account(PLANNER), account(REVIEWER), account(VIEWER)]
    user_model.objects.bulk_create([*entry, *staff])
    planner, reviewer, viewer = staff
    big = departments[0]
    Membership.objects.bulk_create(
        [
            *(
                Membership(user=user, department=department, role=Role.ENTRY)
                for user, department in zip(entry, departments, strict=True)
            ),
            Membership(user=planner, department=big, role=Role.PLANNING),
            Membership(user=reviewer, department=big, role=Role.PLANNING),
            Membership(user=viewer, department=big, role=Role.VIEWER),
        ]
    )
    entry_users = {department.pk: user for user, department in zip(entry, departments, strict=True)}
    return {"entry_users": entry_users, "planner": planner, "reviewer": reviewer, "viewer": viewer}


def fill_results(bench: BenchPlan) -> None:
    """Bring each result to the status the workbook meant for it (bench.plan's mix), through the services:
    its department submits it, then the planning section approves or returns it with a comment. A
    result that cannot be submitted (no actual, a grade held) stays as the import left it."""
    meant = bench.synthetic.statuses
    results = (
        Result.objects.filter(indicator__plan=bench.plan, fiscal_year=bench.fiscal_year, status=ResultStatus.DRAFT)
        .select_related("indicator")
        .order_by("indicator__position")
    )
    for result in results:
        status = meant.get(result.indicator.code)
        if status not in DECIDED or services.submission_problems(result, services.result_values(result)):
            continue
        result = services.submit(result, user=bench.entry_users[result.department_id], expected_version=result.version)
        if status == ResultStatus.APPROVED:
            services.review(result, Action.APPROVE, user=bench.planner, expected_version=result.version)
        elif status == ResultStatus.RETURNED:
            services.review(
                result, Action.RETURN, user=bench.planner, expected_version=result.version, comment=RETURN_COMMENT
            )
