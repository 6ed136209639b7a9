"""Confirmation before approving or returning a selection of the review queue: nothing changes until
confirmed, the page says what will happen to how many items and people, and going back keeps the
selection and the comment. (The progress board's reminders: tests/evaluation/test_reminders.py.)"""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.models import Result, ResultComment
from tests.builders import enter_actual, make_department, make_indicator, make_open_year, make_result, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = ResultStatus


@pytest.fixture
def year(plan):
    """FY2024 open; housing (two people with e-mail, one without) submitted two items, area (one person) one."""
    make_open_year(plan)
    housing, area = make_department("居住支援課"), make_department("地域行政課")
    staff = {
        "housing": make_user("h1", department=housing, email="h1@example.jp"),
        "area": make_user("a1", department=area, email="a1@example.jp"),
    }
    make_user("h2", department=housing, email="h2@example.jp")
    make_user("h3", department=housing, last_name="無登録")
    planner = make_user("planner", department=make_department("保健福祉政策課"), role=Role.PLANNING)
    results = []
    for department, code in ((housing, "H.1"), (housing, "H.2"), (area, "A.1")):
        result = make_result(make_indicator(plan, department=department, code=code), target=Decimal(100))
        submitter = staff["housing"] if department == housing else staff["area"]
        results.append(enter_actual(result, submitter, "100", then_submit=True))
    mail.outbox.clear()
    return {"plan": plan, "planner": planner, "results": results, "housing": housing}


QUEUE = "/review/2024/?status=submitted"


def _post(client, results, action, *, comment="", **extra):
    data = {"action": action, "comment": comment, "next": QUEUE, "selected": [result.pk for result in results]}
    data.update({f"version-{result.pk}": result.version for result in results})
    data.update(extra)
    return client.post(reverse("review_selection", args=[2024]), data, HTTP_ACCEPT_LANGUAGE="en")


def _statuses():
    return set(Result.objects.values_list("status", flat=True))


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_approving_a_selection_asks_first_and_changes_nothing(client, year):
    client.force_login(year["planner"])

    response = _post(client, year["results"], "approve")

    assert response.status_code == 200
    assert _statuses() == {S.SUBMITTED}
    page = response.content.decode()
    assert "Approve 3 items?" in page
    assert "3 items of 2 departments will be approved and locked" in page
    assert "Approving sends no e-mail." in page
    assert re.search(r'name="confirmed" value="1"[^>]*>\s*Approve 3 items\s*</button>', page)
    for result in year["results"]:
        assert f'name="selected" value="{result.pk}"' in page
        assert f'name="version-{result.pk}" value="{result.version}"' in page
    assert f'name="next" value="{QUEUE}"' in page.replace("&amp;", "&")


def test_returning_a_selection_asks_first_with_the_comment_and_who_will_be_told(client, year):
    client.force_login(year["planner"])

    response = _post(client, year["results"], "return", comment="内訳を\n書いてください")

    assert response.status_code == 200
    assert _statuses() == {S.SUBMITTED} and not ResultComment.objects.exists() and mail.outbox == []
    page = response.content.decode()
    assert "Return 3 items to their departments?" in page
    assert "3 items of 2 departments will be returned with the comment below" in page
    assert "内訳を\n書いてください" in page
    assert "3 people of these departments will be told by e-mail." in page
    assert "1 person has no e-mail address and will not be told: 無登録." in page


def test_confirming_does_it(client, year):
    client.force_login(year["planner"])

    response = _post(client, year["results"], "return", comment="内訳を書いてください", confirmed="1")

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert _statuses() == {S.RETURNED}
    assert len(mail.outbox) == 3


def test_going_back_keeps_the_selection_and_the_comment_once(client, year):
    chosen = year["results"][:2]
    client.force_login(year["planner"])

    response = _post(client, chosen, "return", comment="内訳を書いてください", back="1")

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert _statuses() == {S.SUBMITTED}
    assert "Nothing was changed: your selection and your comment are kept." in _messages(response)
    page = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    checked = set(map(int, re.findall(r'name="selected" value="(\d+)"[^>]*checked', page)))
    assert checked == {result.pk for result in chosen}
    assert ">内訳を書いてください</textarea>" in page
    assert '<details class="bulk-bar__return" open>' in page
    again = client.get(QUEUE).content.decode()
    assert "checked" not in again.split('id="review-table"', 1)[1] and "内訳を書いてください" not in again


def test_a_return_without_a_comment_keeps_the_selection(client, year):
    client.force_login(year["planner"])
    response = _post(client, year["results"][:1], "return", comment="  ")
    assert response.status_code == 302
    page = client.get(QUEUE).content.decode()
    assert re.search(rf'value="{year["results"][0].pk}"[^>]*checked', page)


def test_a_confirmation_names_what_cannot_be_done_and_offers_only_to_go_back(client, year, plan):
    stale = Result.objects.get(pk=year["results"][0].pk)
    stale.version -= 1
    draft = make_result(make_indicator(plan, department=year["housing"], code="D.1"))
    client.force_login(year["planner"])

    response = _post(client, [stale, draft, year["results"][1]], "approve")

    page = response.content.decode()
    assert "2 of the selected items cannot be done" in page
    assert "after you opened the list" in page and "Not entered" in page
    assert 'name="confirmed"' not in page and 'name="back" value="1"' in page
    assert _statuses() == {S.SUBMITTED, S.NOT_ENTERED}


def test_a_selection_refused_after_confirming_keeps_the_selection(client, year):
    stale = Result.objects.get(pk=year["results"][0].pk)
    stale.version -= 1
    client.force_login(year["planner"])

    response = _post(client, [stale], "approve", confirmed="1")

    assert any("after you opened the list" in message for message in _messages(response))
    assert re.search(rf'value="{stale.pk}"[^>]*checked', client.get(QUEUE).content.decode())


def test_the_kept_selection_of_another_year_is_not_shown(client, year, plan):
    make_open_year(plan, 2025)
    make_result(make_indicator(plan, department=year["housing"]), fiscal_year=2025)
    client.force_login(year["planner"])
    _post(client, year["results"][:1], "approve", back="1")

    page = client.get(reverse("review_queue", args=[2025])).content.decode()

    assert "checked" not in page.split('id="review-table"', 1)[1]


@pytest.mark.parametrize("role", [Role.ENTRY, Role.VIEWER])
def test_the_confirmation_is_refused_to_department_staff_and_viewers(client, year, role):
    client.force_login(make_user(department=year["housing"], role=role))
    assert _post(client, year["results"], "approve").status_code == 403
