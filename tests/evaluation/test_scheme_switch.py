"""Issue 12, done when: a plan switched to another preset regrades its open year, and its screens, its
exports and its report show that scheme's labels. One plan, switched from Setagaya's to 神奈川県's
through the service the page and the command use, then read everywhere a grade shows."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.domain import scheme_files
from evaluation.models import Result
from evaluation.report.document import render_report, report_context
from evaluation.services.regrading import apply_regrading
from evaluation.workbook.results_export import write_results
from tests.builders import make_graded_result, make_indicator, make_open_year

pytestmark = pytest.mark.django_db

KANAGAWA_NOTE = "目標に対しての成果。○:100％以上、×:100％未満"


@pytest.fixture
def switched(plan, department, planner):
    make_open_year(plan, 2024)
    outcomes = {}
    for name, actual in (("相談件数", "85"), ("講演会の参加者数", "120"), ("見守り協定の締結数", "50")):
        indicator = make_indicator(plan, department=department, name=name)
        outcomes[name] = make_graded_result(
            indicator, fiscal_year=2024, target=Decimal(100), actual=Decimal(actual), reason="理由"
        )
    assert [result.grade for result in outcomes.values()] == ["B", "A", "C"]
    apply_regrading(plan, scheme_files.preset("kanagawa"), user=planner)
    plan.refresh_from_db()
    return plan, outcomes


def test_the_open_year_is_regraded_on_the_record(switched):
    plan, outcomes = switched
    assert [Result.objects.get(pk=result.pk).grade for result in outcomes.values()] == ["×", "○", "×"]


def test_the_screens_show_the_schemes_labels(client, planner, department, switched):
    plan, _outcomes = switched
    client.force_login(planner)
    queue = client.get(reverse("review_queue", args=[2024]), {"plan": plan.pk}).content.decode()
    assert "× 目標未達成" in queue and "○ 目標達成" in queue  # the grade filter's options
    assert ">×<" in queue and ">○<" in queue
    home = client.get(reverse("home"), {"plan": plan.pk}).content.decode()
    assert "遅れている" in home  # one target of three met: the policy area's overall grade
    entry = client.get(reverse("entry_department", args=[department.pk, 2024])).content.decode()
    assert ">×<" in entry and ">○<" in entry
    assert ">A<" not in entry and ">B<" not in entry and ">C<" not in entry


def test_the_export_writes_the_labels(switched):
    plan, _outcomes = switched
    stream = io.BytesIO()
    write_results(plan, 2024, "csv", stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    assert sorted(row["評価"] for row in rows) == ["×", "×", "○"]


def test_the_report_prints_the_schemes_note_labels_and_overall_grade(switched):
    plan, _outcomes = switched
    html = render_report(report_context(plan, 2024), "html").decode()
    assert KANAGAWA_NOTE in html
    assert "遅れている" in html
    assert "評価A" not in html and "評価C" not in html
