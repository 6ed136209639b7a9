"""The report page and its PDF download: who sees what, the choices, the file, the query count."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from departments.enums import Role
from tests.builders import (
    make_closed_year,
    make_department,
    make_graded_result,
    make_indicator,
    make_initiative,
    make_plan,
    make_user,
)
from tests.jobs.worker import ask_and_download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]


@pytest.fixture
def plan():
    return make_plan()


@pytest.fixture
def welfare():
    return make_department("福祉課")


@pytest.fixture
def housing():
    return make_department("住宅課")


@pytest.fixture
def items(plan, welfare, housing):
    for number, (department, name) in enumerate([(welfare, "福祉の指標"), (housing, "住宅の指標")], start=1):
        indicator = make_indicator(
            plan, initiative=make_initiative(plan, number=number), department=department, name=name
        )
        make_graded_result(indicator, actual=Decimal(90))


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("report"), params)


def test_the_planning_section_sees_the_whole_plan_with_its_label(client, plan, items, welfare):
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    page = _page(client, planner, label="資料１－３").content.decode()
    assert "福祉の指標" in page and "住宅の指標" in page
    assert "資料１－３" in page and "暫定（" in page
    assert "Your department's items only" not in page


def test_department_staff_see_their_own_items_until_the_year_is_closed(client, plan, items, welfare):
    staff = make_user("staff", department=welfare)
    page = _page(client, staff).content.decode()
    assert "福祉の指標" in page and "住宅の指標" not in page
    assert "Your department's items only" in page

    make_closed_year(plan)
    page = _page(client, staff).content.decode()
    assert "福祉の指標" in page and "住宅の指標" in page and "暫定（" not in page


def test_the_pdf_download_is_the_report_as_a_pdf_file(client, plan, items, welfare):
    viewer = make_user("viewer", department=welfare, role=Role.VIEWER)
    client.force_login(viewer)
    response = ask_and_download(client, reverse("report_pdf") + "?year=2024&label=%E8%B3%87%E6%96%99%EF%BC%91")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"] and "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"


def test_the_excel_download_is_the_book_of_the_departments_own_items(client, plan, items, welfare):
    client.force_login(make_user("staff", department=welfare))
    response = ask_and_download(client, reverse("report_xlsx"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = [
        cell for sheet in openpyxl.load_workbook(io.BytesIO(response.content)) for row in sheet.values for cell in row
    ]
    assert "福祉の指標" in cells and "住宅の指標" not in cells


@pytest.mark.parametrize("params", [{"plan": "999"}, {"plan": "x"}, {"year": "2031"}, {"year": "²"}])
def test_an_unknown_plan_or_year_is_a_404(client, plan, items, welfare, params):
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    assert _page(client, planner, **params).status_code == 404


def test_a_long_label_is_cut_to_its_limit(client, plan, items, welfare):
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    page = _page(client, planner, label="資" * 60).content.decode()
    assert "資" * 40 in page and "資" * 41 not in page


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_reads_in_a_fixed_number_of_queries(client, plan, welfare, count, django_assert_num_queries):
    for number in range(count):
        indicator = make_indicator(plan, initiative=make_initiative(plan, number=number + 1), department=welfare)
        make_graded_result(indicator, actual=Decimal(90))
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    client.force_login(planner)
    # 17, the summary's revision marks of the year, the header's count of what waits for the planner (the
    # session is not saved again within a minute of its renewal: accounts.activity)
    with django_assert_num_queries(19):
        assert client.get(reverse("report")).status_code == 200
