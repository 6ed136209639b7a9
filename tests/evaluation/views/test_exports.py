"""The results downloads on the screens: XLSX and CSV of a plan's fiscal year, for the planning section
and viewers, made by a background job (asked for with a POST, downloaded from the job's page); files
read back as Excel would read them."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import IndicatorKind
from evaluation.models import Plan
from evaluation.workbook.plan_import import import_plan_file
from evaluation.workbook.results_export import RESULTS_EXPORT_COLUMNS
from jobs import services as jobs
from jobs.enums import JobState
from jobs.models import Job, JobFile
from tests.builders import (
    make_department,
    make_graded_result,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_user,
)
from tests.evaluation.workbook.plan_files import DEMO_CSV
from tests.jobs.worker import ask_and_download

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_url(year=2024, plan=None):
    return reverse("results_export_xlsx", args=[year]) + (f"?plan={plan.pk}" if plan else "")


def _csv_url(year=2024, plan=None):
    return reverse("results_export_csv", args=[year]) + (f"?plan={plan.pk}" if plan else "")


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _records(sheet):
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, (cell.value for cell in cells), strict=True)) for cells in sheet.iter_rows(min_row=2)]


@pytest.fixture
def demo_plan(db):
    import_plan_file(DEMO_CSV)
    return Plan.objects.get(name="世田谷区地域保健医療福祉総合計画")


def test_the_planning_section_downloads_the_demo_years_results_as_xlsx(client, planner, demo_plan):
    client.force_login(planner)
    response = ask_and_download(client, _xlsx_url(plan=demo_plan))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="results-2024.xlsx"'
    assert response["Cache-Control"] == "no-store"
    sheet = _sheet(response)
    assert sheet.title == "令和6年度"
    assert [cell.value for cell in sheet[1]] == list(RESULTS_EXPORT_COLUMNS)
    records = _records(sheet)
    assert len(records) == 65 + 71  # activities; outcomes with the compound one's sub-items and own row
    first = records[0]
    assert (first["指標ID"], first["柱番号"], first["推進施策番号"], first["番号"]) == ("1.1.1.1.O1", 1, 1, "1")
    assert (first["注記"], first["現況値"], first["目標"], first["実績"], first["評価"]) == (
        "※",
        "8.2%",
        9,
        "集計中",
        "ー",
    )
    by_code = {(record["指標ID"], record["小項目"]): record for record in records}
    assert by_code[("1.1.2.1.O1", None)]["達成状況"] == pytest.approx(190.3)
    assert by_code[("1.4.1.2.O1", None)]["番号"] == "２－①"
    assert by_code[("1.9.1.3.O2", None)]["再掲"] == "再掲"


def test_a_viewer_downloads_the_csv_with_bom_and_crlf(client, viewer, demo_plan):
    client.force_login(viewer)
    response = ask_and_download(client, _csv_url(plan=demo_plan))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="results-2024.csv"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbf" + ",".join(RESULTS_EXPORT_COLUMNS).encode() + b"\r\n")
    header, *rows = _csv(response)
    assert len(rows) == 136
    row = dict(zip(header, rows[-1], strict=True))  # the plan's last indicator
    assert row["柱番号"] == "2" and row["年度"] == "2024"
    compound = [dict(zip(header, line, strict=True)) for line in rows if line[2] == "1.10.1.5.O1"]
    assert [(line["小項目"], line["達成状況"], line["評価"]) for line in compound] == [
        ("a", "231.7", "A"),
        ("b", "287.2", "A"),
        ("", "", "A"),
    ]
    assert {line["実施計画"] for line in compound} == {"施策１０－１"}


@pytest.mark.parametrize("url", [_xlsx_url, _csv_url])
def test_department_staff_are_refused(client, url):
    plan = make_plan()
    department = make_department()
    make_graded_result(make_indicator(plan, department=department), actual=Decimal(1))
    client.force_login(make_user(department=department))
    assert client.post(url(plan=plan)).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("url", [_xlsx_url, _csv_url])
def test_the_anonymous_are_sent_to_the_login_page(client, url):
    plan = make_plan()
    make_graded_result(make_indicator(plan), actual=Decimal(1))
    response = client.post(url(plan=plan))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_plan_chooses_among_several_plans_and_defaults_to_the_first_by_name(client, planner):
    later, earlier = make_plan("計画B"), make_plan("計画A")
    make_graded_result(make_indicator(later, code="B-1"), actual=Decimal(1))
    make_graded_result(make_indicator(earlier, code="A-1"), actual=Decimal(1))
    client.force_login(planner)
    assert _csv(ask_and_download(client, _csv_url(plan=later)))[1][:3] == ["計画B", "2024", "B-1"]
    assert _csv(ask_and_download(client, _csv_url()))[1][:3] == ["計画A", "2024", "A-1"]


@pytest.mark.parametrize(
    "query", ["?plan=999999", "?plan=abc", "?plan=²", "?plan=" + "9" * 30, "?plan=2147483648", "?plan=-1"]
)
def test_an_unknown_plan_is_not_found(client, planner, query):
    make_graded_result(make_indicator(make_plan()), actual=Decimal(1))
    client.force_login(planner)
    assert client.post(reverse("results_export_xlsx", args=[2024]) + query).status_code == 404


@pytest.mark.parametrize("url", [_xlsx_url, _csv_url])
def test_the_plan_is_named_in_ascii_digits_only(client, planner, url):
    """The issue's 500: ?plan=² (int() refused what str.isdigit() let through); 「１」 is no id either."""
    plan = make_plan()
    make_graded_result(make_indicator(plan), actual=Decimal(1))
    client.force_login(planner)
    full_width = str(plan.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    assert client.post(f"{url()}?plan={plan.pk}").status_code == 302
    assert client.post(f"{url()}?plan={full_width}").status_code == 404


def test_a_year_without_results_is_not_found(client, planner):
    plan = make_plan()
    make_graded_result(make_indicator(plan), actual=Decimal(1))
    client.force_login(planner)
    assert client.post(_xlsx_url(2025, plan)).status_code == 404
    assert client.post(_csv_url(2025, plan)).status_code == 404
    assert not Job.objects.exists()


def test_asking_for_a_file_is_a_post(client, planner):
    plan = make_plan()
    make_graded_result(make_indicator(plan), actual=Decimal(1))
    client.force_login(planner)
    assert client.get(_xlsx_url(plan=plan)).status_code == 405
    assert not Job.objects.exists()


def _plan_of_size(count):
    plan = make_plan(f"計画{count}")
    for number in range(1, count + 1):
        place = make_initiative(plan, pillar=number, policy_area=number, vision=number, number=number)
        make_graded_result(make_indicator(plan, initiative=place), actual=Decimal(number))
        make_graded_result(make_indicator(plan, initiative=place, sub_items=("a", "b")), actual=Decimal(number))
        make_graded_result(make_indicator(plan, initiative=place, kind=IndicatorKind.ACTIVITY), actual=Decimal(1))
    return plan


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("count", [1, 10])
def test_the_queries_of_the_export_job_do_not_grow_with_the_indicators(fmt, count, django_assert_num_queries):
    plan = _plan_of_size(count)
    user = make_user(department=make_department(), role=Role.PLANNING)
    job = Job.objects.create(
        requested_by=user, kind=f"results_{fmt}", parameters={"plan": plan.pk, "year": 2024}, fingerprint="x"
    )
    # the claim, the job, its plan, its step; then the export's six: the year's decimals, indicators with
    # their hierarchy, measures, results, values, the year's revision marks; the file and the job's end in
    # a transaction (a savepoint, two writes, its release); the expired jobs dropped
    with django_assert_num_queries(15):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE and JobFile.objects.get(job=job).size > 0


# --- the buttons on the review queue and the progress board ---------------------------------------


@pytest.fixture
def year_with_results(plan):
    make_open_year(plan)
    make_graded_result(make_indicator(plan), actual=Decimal(1))
    return plan


def _pages(plan):
    return {
        "review queue": reverse("review_queue", args=[2024]) + f"?plan={plan.pk}",
        "progress board": reverse("progress_board", args=[2024]) + f"?plan={plan.pk}",
    }


@pytest.mark.parametrize("page", ["review queue", "progress board"])
@pytest.mark.parametrize("role", ["planner", "viewer"])
def test_the_pages_offer_both_downloads_in_japanese_and_they_work(client, request, year_with_results, page, role):
    client.force_login(request.getfixturevalue(role))
    html = client.get(_pages(year_with_results)[page]).content.decode()
    plan = year_with_results
    for label, url in (
        ("結果を書き出す（Excel）", _xlsx_url(plan=plan)),
        ("結果を書き出す（CSV）", _csv_url(plan=plan)),
    ):
        assert f'action="{url.replace("&", "&amp;")}">' in html and f">{label}</button>" in html
        assert ask_and_download(client, url).status_code == 200


@pytest.mark.parametrize("page", ["review queue", "progress board"])
def test_the_pages_offer_the_downloads_in_english_too(english_client, planner, year_with_results, page):
    english_client.force_login(planner)
    html = english_client.get(_pages(year_with_results)[page]).content.decode()
    assert "Export the results (Excel)" in html and "Export the results (CSV)" in html


@pytest.mark.parametrize("page", ["review queue", "progress board"])
def test_the_pages_hide_the_downloads_from_who_may_not_export(client, planner, year_with_results, page, monkeypatch):
    monkeypatch.setattr("evaluation.views.review.permissions.can_export_results", lambda user: False)
    monkeypatch.setattr("evaluation.views.progress.can_export_results", lambda user: False)
    client.force_login(planner)
    response = client.get(_pages(year_with_results)[page])
    assert response.status_code == 200
    assert reverse("results_export_xlsx", args=[2024]) not in response.content.decode()


def test_the_progress_board_of_a_year_without_results_has_no_downloads(client, planner, plan):
    make_open_year(plan)
    make_indicator(plan)  # no result in 2024
    client.force_login(planner)
    response = client.get(reverse("progress_board", args=[2024]) + f"?plan={plan.pk}")
    assert response.status_code == 200
    assert reverse("results_export_csv", args=[2024]) not in response.content.decode()


# --- per policy area ---------------------------------------------------------------------------------


def test_the_buttons_per_policy_area_download_kanagawas_counts_and_overall_grades(client, planner):
    plan = make_plan("神奈川県総合計画", scheme="kanagawa")
    make_open_year(plan)
    for actual in (Decimal(100), Decimal(100), Decimal(90)):
        make_graded_result(make_indicator(plan), actual=actual)
    client.force_login(planner)
    html = client.get(reverse("progress_board", args=[2024]) + f"?plan={plan.pk}").content.decode()
    xlsx, csv_url = (_xlsx_url(plan=plan) + "&by=policy-area", _csv_url(plan=plan) + "&by=policy-area")
    for label, url in (("推進施策ごとに書き出す（Excel）", xlsx), ("推進施策ごとに書き出す（CSV）", csv_url)):
        assert f'action="{url.replace("&", "&amp;")}">' in html and f">{label}</button>" in html

    response = ask_and_download(client, csv_url)

    assert response["Content-Disposition"] == 'attachment; filename="results-by-policy-area-2024.csv"'
    header, row = _csv(response)
    assert header[-5:] == ["評価○", "評価×", "未評価", "成果指標数", "総合評価"]
    assert row[-5:] == ["2", "1", "0", "3", "概ね順調"]
    sheet = _sheet(ask_and_download(client, xlsx))
    assert [record["総合評価"] for record in _records(sheet)] == ["概ね順調"]


def test_an_unknown_grouping_is_a_bad_request(client, planner, year_with_results):
    client.force_login(planner)
    response = client.post(_csv_url(plan=year_with_results) + "&by=department")
    assert response.status_code == 400
    assert not Job.objects.exists()
