"""Responsibility per fiscal year (issue 9): an indicator moved to 新課 from FY2025 keeps 旧課 in
FY2024 on every screen, export and sheet, and 旧課 keeps reading its FY2024 item."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments import permissions
from departments.enums import Role
from evaluation.domain.enums import ResultStatus, RevisionField
from evaluation.queries.report import report_data
from evaluation.queries.report_summary import summary_data
from evaluation.report.sheet import build_sheet
from evaluation.report.summary_items import listed_item
from evaluation.services.revisions import revise
from evaluation.workbook.results_export import result_rows
from tests.builders import make_closed_year, make_department, make_indicator, make_open_year, make_result, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(plan):
    """旧課 answered for FY2024 (closed); from FY2025 the indicator is 新課's."""
    old, new = make_department("旧課"), make_department("新課")
    make_closed_year(plan, 2024)
    make_open_year(plan, 2025)
    indicator = make_indicator(plan, department=old, name="移管された指標")
    result_2024 = make_result(indicator, fiscal_year=2024, actual=Decimal(120), status=ResultStatus.APPROVED)
    indicator.department = new
    indicator.save()
    result_2025 = make_result(indicator, fiscal_year=2025)
    return {
        "plan": plan,
        "old": old,
        "new": new,
        "2024": result_2024,
        "2025": result_2025,
        "old_staff": make_user("old_staff", department=old),
        "new_staff": make_user("new_staff", department=new),
        "planner": make_user("planner", department=make_department("計画課"), role=Role.PLANNING),
    }


def test_each_result_keeps_the_department_of_its_year(moved):
    assert moved["2024"].department == moved["old"]
    assert moved["2025"].department == moved["new"]


def test_the_old_department_reads_its_earlier_item_and_the_new_one_the_later(moved):
    old_staff, new_staff = moved["old_staff"], moved["new_staff"]
    assert permissions.can_view_result(old_staff, moved["2024"])
    assert not permissions.can_view_result(old_staff, moved["2025"])
    assert permissions.can_view_result(new_staff, moved["2025"])
    assert not permissions.can_view_result(new_staff, moved["2024"])
    assert permissions.can_edit_result(new_staff, moved["2025"])
    assert not permissions.can_edit_result(old_staff, moved["2025"])
    assert permissions.can_edit_result(old_staff, moved["2024"])  # its own; the closed year refuses the write


def test_entry_pages_list_the_item_under_the_department_of_each_year(moved, client):
    client.force_login(moved["old_staff"])
    page_2024 = client.get(reverse("entry_department", args=[moved["old"].pk, 2024])).content.decode()
    page_2025 = client.get(reverse("entry_department", args=[moved["old"].pk, 2025])).content.decode()
    assert "移管された指標" in page_2024
    assert "移管された指標" not in page_2025
    assert client.get(reverse("review_item", args=[moved["2024"].pk])).status_code == 200

    client.force_login(moved["new_staff"])
    page_2025 = client.get(reverse("entry_department", args=[moved["new"].pk, 2025])).content.decode()
    page_2024 = client.get(reverse("entry_department", args=[moved["new"].pk, 2024])).content.decode()
    assert "移管された指標" in page_2025
    assert "移管された指標" not in page_2024


def test_the_review_queue_shows_the_department_of_the_year(moved, client):
    client.force_login(moved["planner"])
    page_2024 = client.get(reverse("review_queue", args=[2024])).content.decode()
    page_2025 = client.get(reverse("review_queue", args=[2025])).content.decode()
    assert ">旧課</td>" in page_2024 and ">新課</td>" not in page_2024
    assert ">新課</td>" in page_2025 and ">旧課</td>" not in page_2025
    item_2024 = client.get(reverse("review_item", args=[moved["2024"].pk])).content.decode()
    assert "旧課" in item_2024


def test_the_results_export_shows_the_department_of_the_year(moved):
    [row_2024] = result_rows(moved["plan"], 2024)
    [row_2025] = result_rows(moved["plan"], 2025)
    assert row_2024["担当所管課"] == "旧課"
    assert row_2025["担当所管課"] == "新課"


def _printed_department(plan, fiscal_year, **filters):
    [area] = build_sheet(report_data(plan, fiscal_year, **filters), closed=True).areas
    [slot] = area.visions[0].initiatives[0].slots
    return slot.department


def test_the_report_sheet_prints_the_department_of_the_year(moved):
    assert _printed_department(moved["plan"], 2024) == "旧課"
    assert _printed_department(moved["plan"], 2025) == "新課"
    assert _printed_department(moved["plan"], 2024, department_ids={moved["old"].pk}) == "旧課"
    assert report_data(moved["plan"], 2024, department_ids={moved["new"].pk}).pillars == []


def test_the_results_export_and_the_summary_print_each_year_its_own_marks(moved):
    indicator = moved["2025"].indicator
    indicator.footnote = "※"
    indicator.save()
    revise(
        moved["2025"],
        user=moved["planner"],
        field=RevisionField.TARGET,
        new_value="90",
        reason="区民意識調査にて設問の変更があったため",
        expected_version=moved["2025"].version,
        footnote="※3",
    )
    [row_2024] = result_rows(moved["plan"], 2024)
    [row_2025] = result_rows(moved["plan"], 2025)
    assert (row_2024["注記"], row_2025["注記"]) == ("※", "※※3")
    printed = {}
    for year in (2024, 2025):
        [facts] = summary_data(moved["plan"], year).outcomes
        printed[year] = listed_item(facts, year, 1, moved["plan"].scheme).footnote
    assert printed == {2024: "※", 2025: "※※3"}


def test_the_review_queue_prints_each_year_its_own_marks(moved, client):
    moved["2025"].indicator.label = "1"  # the queue prints the marks after the number
    moved["2025"].indicator.save()
    revise(
        moved["2025"],
        user=moved["planner"],
        field=RevisionField.TARGET,
        new_value="90",
        reason="区民意識調査にて設問の変更があったため",
        expected_version=moved["2025"].version,
        footnote="※3",
    )
    client.force_login(moved["planner"])
    assert "※3" not in client.get(reverse("review_queue", args=[2024])).content.decode()
    assert client.get(reverse("review_queue", args=[2025])).content.decode().count("※3") == 1
    assert "※3" not in client.get(reverse("review_item", args=[moved["2024"].pk])).content.decode()
    assert "※3" in client.get(reverse("review_item", args=[moved["2025"].pk])).content.decode()


def _admin_change_data(response) -> dict:
    """The admin change form's data as the page holds it: the model form and its inlines."""
    form = response.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({f"{formset.prefix}-{name}": management[name].value() for name in management.fields})
        for subform in formset.initial_forms:
            data.update(
                {f"{subform.prefix}-{name}": subform[name].value() or "" for name in subform.fields if name != "DELETE"}
            )
    return data


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_a_move_in_the_admin_takes_the_open_years_results_and_leaves_the_closed_one(plan, superuser_client):
    """Changing the indicator's department in the admin moves its results of the years not closed, on
    the record; the closed FY2024 keeps the department that answered for it."""
    old, new = make_department("旧課"), make_department("新課")
    make_closed_year(plan, 2024)
    make_open_year(plan, 2025)
    indicator = make_indicator(plan, department=old)
    result_2024 = make_result(indicator, fiscal_year=2024, actual=Decimal(120), status=ResultStatus.APPROVED)
    result_2025 = make_result(indicator, fiscal_year=2025, actual=Decimal(80), status=ResultStatus.DRAFT)
    url = reverse("admin:evaluation_indicator_change", args=[indicator.pk])
    data = _admin_change_data(superuser_client.get(url))
    data["department"] = new.pk

    response = superuser_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "新課" in response.content.decode()
    result_2024.refresh_from_db()
    result_2025.refresh_from_db()
    assert (result_2024.department, result_2025.department) == (old, new)
    assert result_2025.version == 2
    assert result_2025.history.first().history_change_reason == "admin"
    assert permissions.can_edit_result(make_user("new_staff", department=new), result_2025)


def test_the_admin_refuses_a_move_while_an_open_years_result_is_approved(plan, superuser_client):
    old, new = make_department("旧課"), make_department("新課")
    make_open_year(plan, 2025)
    indicator = make_indicator(plan, department=old)
    result = make_result(indicator, fiscal_year=2025, actual=Decimal(120), status=ResultStatus.APPROVED)
    url = reverse("admin:evaluation_indicator_change", args=[indicator.pk])
    data = _admin_change_data(superuser_client.get(url))
    data["department"] = new.pk

    response = superuser_client.post(url, data)

    assert response.status_code == 200  # the form again, with the reason
    assert "実績は承認済みのため、担当所管課はそのままです" in response.content.decode()
    indicator.refresh_from_db()
    result.refresh_from_db()
    assert (indicator.department, result.department, result.version) == (old, old, 1)
