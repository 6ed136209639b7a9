"""The benchmark's harness (bench/, `make bench`) at a tiny size, so that it cannot rot between runs:
the synthetic plan has the seed's shape, the builders build it through the import and the services,
a page and a save are measured through the real views, a page that answers wrongly stops the run,
the import's floor writes what the import writes, and BENCHMARKS.md keeps its older runs. No timing
is asserted."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

import bench as bench_module
from bench import baseline, report
from bench.builders import build_plan
from bench.commands import IMPORTED_PLAN, rolled_back
from bench.measure import BenchFailure, QueryCounter, Sample, Timer
from bench.pages import Pages
from bench.plan import PlanShape, synthetic_plan
from evaluation.domain.enums import ResultStatus
from evaluation.models import Indicator, Plan, Result, ResultValue


def test_the_synthetic_plan_is_the_seed_scaled():
    plan = synthetic_plan(PlanShape.of_size(250))
    by_department = plan.counts_by_department()

    assert plan.indicator_count() == 250
    assert len(plan.departments) == len(by_department) == 20
    assert by_department[plan.big_department] in range(25, 28)  # a tenth
    assert Counter(row["種別"] for row in plan.rows)["行動量"] == 125
    assert any(row["小項目"] == "b" for row in plan.rows)  # compound a)/b)
    assert any(row["方向"] == "定性" for row in plan.rows)  # qualitative
    assert any(row["実績"] == "集計中" for row in plan.rows)
    assert any(not row["種別"] for row in plan.rows)  # an initiative without indicator
    assert set(plan.statuses.values()) == {
        ResultStatus.NOT_ENTERED,
        ResultStatus.DRAFT,
        ResultStatus.SUBMITTED,
        ResultStatus.RETURNED,
        ResultStatus.APPROVED,
    }


@pytest.fixture
def bench(db, settings):
    settings.ROOT_URLCONF = "bench.urls"  # the trivial view
    return build_plan(PlanShape.of_size(20))


def test_the_builders_fill_the_results_through_the_services(bench):
    statuses = Counter(Result.objects.filter(indicator__plan=bench.plan).values_list("status", flat=True))

    assert sum(statuses.values()) == 20
    assert statuses[ResultStatus.APPROVED] and statuses[ResultStatus.RETURNED] and statuses[ResultStatus.SUBMITTED]
    approved = Result.objects.filter(indicator__plan=bench.plan, status=ResultStatus.APPROVED).first()
    assert approved.history.count() == 3  # imported, submitted, approved: each on the record
    assert bench.year.status == "open" and bench.year.deadline is not None


def test_a_page_and_a_save_are_measured_through_the_views(bench):
    pages = Pages(bench)
    timer = Timer(repeat=1, budget=0)
    measurements = {measurement.name: measurement for measurement in pages.measurements()}

    trivial = timer.measure(pages.trivial())
    entry = timer.measure(measurements["entry_typical"])
    saved = timer.measure(measurements["save_1"])

    # the session and the user read; the session is not saved again within a minute of its renewal
    assert trivial.queries == 2
    assert entry.queries > trivial.queries and len(entry.times) == 1
    assert saved.queries > 0 and measurements["save_1"].note().startswith("1 changed of")


def test_the_entry_floor_writes_the_rows_of_the_big_departments_page(bench, settings):
    """entry_floor: the same rows as the entry page (its row ids, its inputs' names), by the plain template."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], Path(bench_module.__file__).parent / "templates"]}]
    pages = Pages(bench)
    floor = {measurement.name: measurement for measurement in pages.measurements()}["entry_floor"]
    user = bench.entry_user(bench.big)

    sample = Timer(repeat=1, budget=0).measure(floor)
    page = pages.get(user, pages.entry_url(bench.big)).body.decode()
    plain = pages.get(user, reverse("bench_entry_floor", args=[bench.big.pk, bench.fiscal_year])).body.decode()

    rows = re.findall(r'<tbody id="result-(\d+)"', page)
    assert rows and rows == re.findall(r'<tbody id="result-(\d+)"', plain)
    actuals = set(re.findall(r'name="(r\d+-actual_\d+)"', page))
    assert actuals and actuals <= set(re.findall(r'name="(r\d+-actual_\d+)"', plain))
    assert sample.queries > 0 and floor.note() == f"{len(rows)} rows"


@pytest.mark.django_db
def test_the_query_count_has_no_limit():
    """A large import sends more statements than Django's query log keeps (9,000)."""
    with QueryCounter() as queries, connection.cursor() as cursor:
        for _statement in range(9_100):
            cursor.execute("SELECT 1")

    assert queries.count == 9_100


def test_a_page_that_answers_wrongly_stops_the_run(bench):
    pages = Pages(bench)
    missing = pages.page("missing", "a page that is not there", bench.planner, "/review/results/0/")

    with pytest.raises(BenchFailure, match="answered 404, expected 200"):
        Timer(repeat=1).measure(missing)


def test_the_import_floor_writes_what_the_import_writes(bench):
    rows = baseline.parsed_rows(bench.synthetic.rows)

    def written():
        baseline.bulk_write(rows, IMPORTED_PLAN, history=False)
        plan = Plan.objects.get(name=IMPORTED_PLAN)
        return (
            Indicator.objects.filter(plan=plan).count(),
            ResultValue.objects.filter(result__indicator__plan=plan).count(),
        )

    assert rolled_back(written) == (
        Indicator.objects.filter(plan=bench.plan).count(),
        ResultValue.objects.filter(result__indicator__plan=bench.plan).count(),
    )
    assert not Plan.objects.filter(name=IMPORTED_PLAN).exists()  # rolled back


def test_benchmarks_md_keeps_the_older_runs_newest_first(tmp_path):
    size = report.SizeRun(indicators=20, departments=2, big_rows=2, build_seconds=1, statuses={"draft": 20})
    size.samples = {"trivial": Sample("trivial", 2, [0.004]), "home": Sample("home", 11, [0.05], "a note")}
    size.labels = {"trivial": "trivial view", "home": "home"}
    path = tmp_path / "BENCHMARKS.md"

    report.write(path, "## first run\n\n" + report.table([size], ["trivial", "home"]) + "\n")
    report.write(path, "## second run\n")

    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks")
    assert text.index("## second run") < text.index("## first run")
    assert "| home | 11 | 50.0 | 12.5 | 20: a note |" in text
