"""確定値の報告 through its page: the department reports, the planning section approves; the item page
links to it and the report prints the figure with the day it was completed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.models import LateFigure
from evaluation.report.document import report_sheet
from tests.builders import make_closed_year, make_department, make_indicator, make_result, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]


@pytest.fixture
def tallying(plan, department):
    result = make_result(
        make_indicator(plan, department=department, name="認知度"),
        target=Decimal(100),
        actual="集計中",
        status=ResultStatus.APPROVED,
    )
    make_closed_year(plan)
    return result


def test_the_department_reports_on_the_page_and_the_planning_section_approves(client, tallying, staff, plan):
    url = reverse("late_figure", args=[tallying.pk])
    value = tallying.values.get()
    client.force_login(staff)
    assert "Late figure" in client.get(reverse("review_item", args=[tallying.pk])).content.decode()

    refused = client.post(url, {"action": "report", f"actual_{value.pk}": "多数"})
    assert refused.status_code == 200 and 'value="多数"' in refused.content.decode()  # kept as typed
    assert not LateFigure.objects.exists()
    client.post(url, {"action": "report", f"actual_{value.pk}": "95"})
    assert LateFigure.objects.get().status == LateFigure.Status.PENDING

    planner = make_user("planner", department=make_department("計画課"), role=Role.PLANNING)
    client.force_login(planner)
    page = client.get(url).content.decode()
    assert "Waiting for the planning section" in page and "95" in page
    client.post(url, {"action": "approve"})

    tallying.refresh_from_db()
    assert tallying.grade == "B" and tallying.completed_late_at is not None
    sheet = report_sheet(plan, 2024)
    [slot] = sheet.areas[0].visions[0].initiatives[0].slots
    assert slot.outcome.late.startswith("確定値 ") and slot.outcome.lines[1].text == "95 件"


def test_another_department_does_not_see_the_page(client, tallying):
    client.force_login(make_user("other", department=make_department("住宅課")))
    assert client.get(reverse("late_figure", args=[tallying.pk])).status_code == 404


@pytest.mark.parametrize(
    ("figure", "reason", "words"),
    [
        ("1" * 15, "確定", "is too large: a figure has at most 14 digits"),
        ("95", "確定\x00", "Reason contains a control character (U+0000)"),
    ],
)
def test_a_late_figure_the_database_cannot_keep_is_refused_with_a_message(
    client, tallying, staff, figure, reason, words
):
    value = tallying.values.get()
    client.force_login(staff)

    response = client.post(
        reverse("late_figure", args=[tallying.pk]),
        {"action": "report", f"actual_{value.pk}": figure, "reason": reason},
        follow=True,
    )

    assert response.status_code == 200 and words in response.content.decode()
    assert not LateFigure.objects.exists()
