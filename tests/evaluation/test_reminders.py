"""Reminders: one message per person listing only their open items, by the command and the board's button."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from departments.enums import Role
from departments.models import Membership
from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.models import EvaluationYear, Result
from evaluation.reminders import plan_reminders, send_reminders
from tests.builders import make_department, make_indicator, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db

S = ResultStatus
DEADLINE = timezone.localdate() + datetime.timedelta(days=10)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEZASU_BASE_URL = "https://mezasu.city.example.lg.jp/"


@pytest.fixture
def setting():
    """Two departments with open items, a third with everything submitted; a person in two departments."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    housing, area, done = make_department("居住支援課"), make_department("地域行政課"), make_department("完了課")
    items = {}
    for department, statuses in ((housing, (S.NOT_ENTERED, S.RETURNED, S.SUBMITTED)), (area, (S.DRAFT, S.APPROVED))):
        for status in statuses:
            indicator = make_indicator(plan, department=department, name=f"{department.name}の{status}")
            items[(department.name, status)] = make_result(indicator, status=status)
    make_result(make_indicator(plan, department=done), status=S.SUBMITTED)
    year = EvaluationYear.objects.create(plan=plan, fiscal_year=2024, deadline=DEADLINE)

    both = make_user("both", department=housing, email="both@example.jp", last_name="両方")
    Membership.objects.create(user=both, department=area, role=Role.ENTRY)
    make_user("housing_only", department=housing, email="housing@example.jp")
    make_user("no_mail", department=area)
    make_user("done_staff", department=done, email="done@example.jp")
    make_user("area_viewer", department=area, role=Role.VIEWER, email="viewer@example.jp")
    planner = make_user("planner", department=make_department("保健福祉政策課"), role=Role.PLANNING)
    return {"plan": plan, "year": year, "housing": housing, "area": area, "planner": planner}


def _by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def test_each_person_gets_one_message_listing_only_their_open_items(setting):
    report = send_reminders(setting["year"])

    messages = _by_recipient()
    assert set(messages) == {"both@example.jp", "housing@example.jp"}  # not the done, viewer or no-mail staff
    both = messages["both@example.jp"].body
    assert "居住支援課のnot_entered" in both and "居住支援課のreturned" in both and "地域行政課のdraft" in both
    assert "のsubmitted" not in both and "のapproved" not in both
    housing = messages["housing@example.jp"].body
    assert "地域行政課" not in housing and "居住支援課のreturned" in housing
    assert [reminder.user.username for reminder in report.without_email] == ["no_mail"]
    assert report.item_count == 3 + 2


def test_message_has_the_deadline_and_absolute_links_to_the_entry_pages_in_japanese(setting):
    send_reminders(setting["year"])

    message = _by_recipient()["both@example.jp"]
    for department in (setting["housing"], setting["area"]):
        path = reverse("entry_department", args=[department.pk, 2024])
        assert f"https://mezasu.city.example.lg.jp{path}" in message.body
    assert f"{DEADLINE.year}年{DEADLINE.month}月{DEADLINE.day}日" in message.body
    assert "令和6年度" in message.subject and "3" in message.subject
    assert "&amp;" not in message.body and "&#x27;" not in message.body


def test_reminders_of_one_department_only(setting):
    report = send_reminders(setting["year"], department_ids=[setting["area"].pk])

    assert [message.to for message in mail.outbox] == [["both@example.jp"]]
    assert "居住支援課" not in mail.outbox[0].body
    assert [reminder.user.username for reminder in report.without_email] == ["no_mail"]


def test_dry_run_sends_nothing_but_says_who_would_get_what(setting):
    report = send_reminders(setting["year"], dry_run=True)
    assert mail.outbox == []
    assert sorted(reminder.user.username for reminder in report.sent) == ["both", "housing_only"]


def test_plan_reminders_runs_two_queries(setting, django_assert_num_queries):
    with django_assert_num_queries(2):
        reminders = plan_reminders(setting["year"])
    assert {reminder.user.username: reminder.item_count for reminder in reminders} == {
        "both": 3,
        "housing_only": 2,
        "no_mail": 1,
    }


def test_command_prints_who_was_sent_what_and_who_has_no_email(setting):
    out = StringIO()
    with translation.override("en"):
        call_command("send_reminders", "--year", "2024", "--plan", setting["plan"].name, stdout=out)

    text = out.getvalue()
    assert "Sent to both <both@example.jp>: 3 open items (地域行政課 1, 居住支援課 2)" in text
    assert "Sent to housing_only <housing@example.jp>: 2 open items" in text
    assert "No email address: no_mail has 1 open items" in text
    assert len(mail.outbox) == 2


def test_command_dry_run_sends_nothing(setting):
    out = StringIO()
    with translation.override("en"):
        call_command("send_reminders", "--dry-run", stdout=out)
    assert "Would send to both" in out.getvalue() and "dry run" in out.getvalue()
    assert mail.outbox == []


def test_command_refuses_a_closed_or_unknown_year(setting):
    setting["year"].status = YearStatus.CLOSED
    setting["year"].save()
    with translation.override("en"), pytest.raises(CommandError, match="closed"):
        call_command("send_reminders", "--year", "2024", stdout=StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="No open evaluation year"):
        call_command("send_reminders", "--year", "2030", stdout=StringIO())
    assert mail.outbox == []


def test_board_button_asks_first_saying_to_whom_and_sends_nothing(client, setting):
    client.force_login(setting["planner"])

    response = client.post(
        reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert mail.outbox == []
    html = response.content.decode()
    assert "Send reminders to 2 people?" in html
    assert "2 people of 2 departments will each get one e-mail" in html and "(3 in all)" in html
    assert "1 person with open items has no e-mail address and will not be reminded: no_mail." in html
    assert "no_mail" in html
    assert 'name="confirmed" value="1"' in html
    assert f'name="plan" value="{setting["plan"].pk}"' in html


def test_board_confirmation_of_a_year_where_nobody_has_open_items_sends_nothing_without_asking(client, setting):
    Result.objects.update(status=S.SUBMITTED)
    client.force_login(setting["planner"])
    response = client.post(
        reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "Nobody has open items: no reminder was sent." in response.content.decode()
    assert mail.outbox == []


def test_board_button_sends_reminders_once_confirmed(client, setting):
    client.force_login(setting["planner"])

    response = client.post(
        reverse("progress_remind", args=[2024]),
        {"plan": setting["plan"].pk, "confirmed": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{reverse('progress_board', args=[2024])}?plan={setting['plan'].pk}"
    html = response.content.decode()
    assert "Reminders sent to 2 people (5 open items)." in html
    assert "1 person with open items has no email address: no_mail." in html
    assert len(mail.outbox) == 2


def test_board_button_for_one_department(client, setting):
    client.force_login(setting["planner"])
    client.post(reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk, "department": setting["area"].pk})
    assert [message.to for message in mail.outbox] == [["both@example.jp"]]


@pytest.mark.parametrize("role", [Role.ENTRY, Role.VIEWER])
def test_board_button_is_refused_to_department_staff_and_viewers(client, setting, role):
    client.force_login(make_user(department=setting["housing"], role=role, email="x@example.jp"))
    response = client.post(reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk})
    assert response.status_code == 403
    assert mail.outbox == []


def test_board_button_refuses_anonymous_and_get(client, setting):
    response = client.post(reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(setting["planner"])
    by_get = client.get(reverse("progress_remind", args=[2024]))
    assert (by_get.status_code, by_get.url) == (302, reverse("progress_board", args=[2024]))
    assert mail.outbox == []


def test_board_button_of_a_closed_year_sends_nothing(client, setting):
    setting["year"].status = YearStatus.CLOSED
    setting["year"].save()
    client.force_login(setting["planner"])
    response = client.post(
        reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "is closed: no reminders" in response.content.decode()
    assert mail.outbox == []


def test_board_button_links_to_the_address_the_planner_used_when_no_base_url_is_set(client, setting, settings):
    settings.MEZASU_BASE_URL = ""
    client.force_login(setting["planner"])
    client.post(reverse("progress_remind", args=[2024]), {"plan": setting["plan"].pk, "department": setting["area"].pk})
    path = reverse("entry_department", args=[setting["area"].pk, 2024])
    assert f"http://testserver{path}" in mail.outbox[0].body


def test_command_warns_when_the_base_url_is_not_set(setting, settings):
    settings.MEZASU_BASE_URL = ""
    err = StringIO()
    with translation.override("en"):
        call_command("send_reminders", "--dry-run", stdout=StringIO(), stderr=err)
    assert "MEZASU_BASE_URL is not set" in err.getvalue()
