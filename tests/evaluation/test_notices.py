"""Notices by e-mail: one message per person per request, to the people the change concerns (returns and
comments to the department's entry staff, submissions to the planning section), never to the person who
acted, in the recipient's language, plain text, with links under MEZASU_BASE_URL."""

import logging
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from departments.enums import Role
from evaluation import display, notices
from evaluation.domain.enums import ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import Result
from evaluation.services.results import review
from tests.builders import (
    add_membership,
    enter_actual,
    make_department,
    make_indicator,
    make_open_year,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db

BASE = "https://intra.city.example.lg.jp/mezasu/"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEZASU_BASE_URL = BASE


@pytest.fixture
def world(plan):
    """Housing: a, b (also in area), c (no e-mail), an inactive colleague; area: d. The planning
    section: p1, p2, and one without e-mail; a viewer. FY2024 is open."""
    make_open_year(plan)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    area = make_department("地域行政課")
    people = {
        "a": make_user("a", department=housing, email="a@example.jp", last_name="居住", first_name="一郎"),
        "b": make_user("b", department=housing, email="b@example.jp"),
        "c": make_user("c", department=housing),
        "gone": make_user("gone", department=housing, email="gone@example.jp", is_active=False),
        "d": make_user("d", department=area, email="d@example.jp"),
        "p1": make_user("p1", department=welfare, role=Role.PLANNING, email="p1@example.jp", last_name="計画"),
        "p2": make_user("p2", department=welfare, role=Role.PLANNING, email="p2@example.jp"),
        "p3": make_user("p3", department=welfare, role=Role.PLANNING),
        "viewer": make_user("viewer", department=welfare, role=Role.VIEWER, email="viewer@example.jp"),
    }
    add_membership(people["b"], area)
    return {"plan": plan, "housing": housing, "area": area, "welfare": welfare, **people}


def _submitted(world, department, name, *, user=None):
    indicator = make_indicator(world["plan"], department=department, name=name)
    result = make_result(indicator, target=Decimal(100))
    staff = user or (world["d"] if department == world["area"] else world["a"])
    return enter_actual(result, staff, "100", then_submit=True)


def _by_recipient():
    assert all(len(message.to) == 1 for message in mail.outbox)
    return {message.to[0]: message for message in mail.outbox}


def _return_selection(client, results, comment, **headers):
    data = {"action": "return", "comment": comment, "confirmed": "1", "selected": [result.pk for result in results]}
    data.update({f"version-{result.pk}": result.version for result in results})
    return client.post(reverse("review_selection", args=[2024]), data, **headers)


def test_returning_a_selection_sends_each_person_of_the_departments_one_message(client, world):
    h1 = _submitted(world, world["housing"], "居住支援協議会の相談件数")
    h2 = _submitted(world, world["housing"], "住まいの相談窓口の認知度")
    a1 = _submitted(world, world["area"], "地区の相談件数")
    mail.outbox.clear()
    client.force_login(world["p1"])

    _return_selection(client, [h1, h2, a1], "実績の内訳を理由欄に書いてください。")

    messages = _by_recipient()
    assert set(messages) == {"a@example.jp", "b@example.jp", "d@example.jp"}  # not c, the inactive, the planners
    both = messages["b@example.jp"]
    assert all(name in both.body for name in ("居住支援協議会の相談件数", "住まいの相談窓口の認知度", "地区の相談件数"))
    assert both.body.count("実績の内訳を理由欄に書いてください。") == 3
    assert "差戻し 3件" in both.subject and "令和6年度" in both.subject
    assert "地区の相談件数" not in messages["a@example.jp"].body
    assert "差戻し 2件" in messages["a@example.jp"].subject
    assert "居住支援協議会" not in messages["d@example.jp"].body
    assert "計画" in both.body  # who returned them, by display.person


def test_a_notice_is_plain_text_with_a_link_to_each_item_under_the_base_url(client, world):
    result = _submitted(world, world["housing"], "A&B 'の' <件数>")
    mail.outbox.clear()
    client.force_login(world["p1"])

    _return_selection(client, [result], "1行目\n2行目 & <b>")

    message = _by_recipient()["a@example.jp"]
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])
    assert f"{BASE}review/results/{result.pk}/" in message.body
    assert f"{BASE}#" not in message.body and f"{BASE}" in message.body  # the home page, where everything waits
    assert "A&B 'の' <件数>" in message.body and "2行目 & <b>" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body and "&lt;" not in message.body


def test_without_a_base_url_links_are_built_from_the_request(client, world, settings):
    settings.MEZASU_BASE_URL = ""
    result = _submitted(world, world["housing"], "件数")
    mail.outbox.clear()
    client.force_login(world["p1"])

    _return_selection(client, [result], "確認してください")

    assert f"http://testserver/review/results/{result.pk}/" in _by_recipient()["a@example.jp"].body


def test_a_notice_is_in_the_recipients_language_not_the_actors(client, world, monkeypatch):
    monkeypatch.setattr(notices, "language_for", lambda user: "en" if user.username == "d" else "ja")
    results = [_submitted(world, world["housing"], "件数"), _submitted(world, world["area"], "回数")]
    mail.outbox.clear()
    client.force_login(world["p1"])

    _return_selection(client, results, "確認してください", HTTP_ACCEPT_LANGUAGE="en")  # the planner reads English

    messages = _by_recipient()
    assert "様" in messages["a@example.jp"].body and "差し戻しました" in messages["a@example.jp"].body
    assert messages["d@example.jp"].body.startswith("Dear d,")
    assert "returned this item to your department" in messages["d@example.jp"].body
    assert messages["d@example.jp"].subject == "[Mezasu] 令和6年度（2024年度）: 1 item returned"


def test_submitting_on_the_entry_page_tells_the_planning_section_in_one_message(client, world):
    first, second = (make_result(make_indicator(world["plan"], department=world["housing"])) for _ in range(2))
    client.force_login(world["a"])
    data = {"action": "submit_all"}
    for result in (first, second):
        data |= {f"r{result.pk}-version": "1", f"r{result.pk}-reason": ""}
        data |= {f"r{result.pk}-actual_{value.pk}": "100" for value in result.values.all()}

    response = client.post(reverse("entry_department_save", args=[world["housing"].pk, 2024]), data)

    assert response.status_code == 302
    messages = _by_recipient()
    assert set(messages) == {"p1@example.jp", "p2@example.jp"}  # not p3 (no address), the viewer, the staff
    body = messages["p1@example.jp"].body
    assert first.indicator.name in body and second.indicator.name in body
    assert "新しい提出 2件" in messages["p1@example.jp"].subject
    assert f"{BASE}review/results/{first.pk}/" in body
    assert f"{display.person(world['a'])} さんが" in body and body.startswith("計画 様")


def test_the_person_who_acted_is_never_told(client, world):
    add_membership(world["p1"], world["housing"])  # a planner who also enters for housing
    result = make_result(make_indicator(world["plan"], department=world["housing"]))
    enter_actual(result, world["p1"], "100", then_submit=False)
    client.force_login(world["p1"])
    result.refresh_from_db()
    data = {"action": "submit_all", f"r{result.pk}-version": str(result.version), f"r{result.pk}-reason": ""}
    data |= {f"r{result.pk}-actual_{value.pk}": "100" for value in result.values.all()}

    client.post(reverse("entry_department_save", args=[world["housing"].pk, 2024]), data)

    assert set(_by_recipient()) == {"p2@example.jp"}


def test_returning_one_item_tells_its_department_and_approving_tells_nobody(client, world):
    returned, approved = _submitted(world, world["housing"], "差戻す"), _submitted(world, world["housing"], "承認する")
    mail.outbox.clear()
    client.force_login(world["p1"])

    client.post(reverse("review_action", args=[approved.pk, "approve"]), {"version": approved.version})
    assert mail.outbox == []

    client.post(
        reverse("review_action", args=[returned.pk, "return"]), {"version": returned.version, "comment": "根拠を"}
    )
    assert set(_by_recipient()) == {"a@example.jp", "b@example.jp"}
    assert "根拠を" in mail.outbox[0].body


def test_withdrawing_an_approval_tells_the_department_with_the_reason(client, world):
    result = _submitted(world, world["area"], "承認済み")
    result = review(result, Action.APPROVE, user=world["p1"], expected_version=result.version)
    mail.outbox.clear()
    client.force_login(world["p1"])

    client.post(
        reverse("review_action", args=[result.pk, "reopen"]), {"version": result.version, "comment": "値の誤り"}
    )

    assert Result.objects.get(pk=result.pk).status == ResultStatus.RETURNED
    assert set(_by_recipient()) == {"b@example.jp", "d@example.jp"}
    assert "値の誤り" in mail.outbox[0].body


def test_a_comment_of_the_planning_section_tells_the_departments_staff(client, world):
    result = _submitted(world, world["housing"], "件数")
    mail.outbox.clear()
    client.force_login(world["p2"])

    client.post(reverse("review_comment", args=[result.pk]), {"body": "来週までにお願いします"})

    messages = _by_recipient()
    assert set(messages) == {"a@example.jp", "b@example.jp"}
    assert "コメント 1件" in messages["a@example.jp"].subject
    assert "来週までにお願いします" in messages["a@example.jp"].body


def test_a_comment_of_department_staff_tells_their_colleagues_not_themselves(client, world):
    result = _submitted(world, world["housing"], "件数")
    mail.outbox.clear()
    client.force_login(world["a"])

    client.post(reverse("review_comment", args=[result.pk]), {"body": "内訳を追記しました"})

    assert set(_by_recipient()) == {"b@example.jp"}


def test_people_without_an_address_are_named_to_the_planning_section_and_logged(client, world, caplog):
    result = _submitted(world, world["housing"], "件数")
    mail.outbox.clear()
    client.force_login(world["p1"])

    with caplog.at_level(logging.WARNING, logger="evaluation.notices"):
        response = _return_selection(client, [result], "秘密の指摘", HTTP_ACCEPT_LANGUAGE="en")

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert "1 person has no e-mail address and was not told: c." in texts
    assert "2 people were told by e-mail." in texts
    assert "user c" in caplog.text and "秘密の指摘" not in caplog.text


def test_department_staff_are_not_told_who_in_the_planning_section_has_no_address(client, world):
    result = make_result(make_indicator(world["plan"], department=world["housing"]))
    client.force_login(world["a"])
    data = {"action": "submit_all", f"r{result.pk}-version": "1", f"r{result.pk}-reason": ""}
    data |= {f"r{result.pk}-actual_{value.pk}": "100" for value in result.values.all()}

    response = client.post(
        reverse("entry_department_save", args=[world["housing"].pk, 2024]), data, HTTP_ACCEPT_LANGUAGE="en"
    )

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert not any("no e-mail address" in text for text in texts)
    assert len(mail.outbox) == 2


def test_a_mail_server_that_fails_leaves_the_return_done_and_says_so(client, world, monkeypatch):
    result = _submitted(world, world["housing"], "件数")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.get_connection", refuse)
    client.force_login(world["p1"])

    response = _return_selection(client, [result], "確認してください", HTTP_ACCEPT_LANGUAGE="en")

    assert Result.objects.get(pk=result.pk).status == ResultStatus.RETURNED
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert "The change is saved, but the e-mail notice could not be sent." in texts


def test_who_is_told_is_read_in_one_query(world, django_assert_num_queries):
    results = [_submitted(world, world["housing"], f"件数{n}") for n in range(3)]
    events = [notices.Event(notices.RETURNED, result) for result in results]
    events += [notices.Event(notices.SUBMITTED, result) for result in results]
    for event in events:
        event.result.indicator.department  # noqa: B018 — loaded as events_for loads them
    with django_assert_num_queries(1):
        planned = notices.plan_notices(events, actor=world["p1"])
    told = {notice.user.username: len(notice.events) for notice in planned}
    assert told == {"a": 3, "b": 3, "c": 3, "p2": 3, "p3": 3}


def test_with_the_head_check_a_submission_goes_to_the_departments_head_who_forwards_it(client, world):
    world["plan"].requires_head_check = True
    world["plan"].save()
    head = make_user("head", department=world["housing"], role=Role.HEAD, email="head@example.jp")
    make_user("other-head", department=world["area"], role=Role.HEAD, email="other@example.jp")
    result = _submitted(world, world["housing"], "居住支援の件数")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.AWAITING_HEAD
    notices.send_notices(notices.events_for(notices.SUBMITTED, [result.pk]), actor=world["a"])
    assert set(_by_recipient()) == {"head@example.jp"}  # not the planning section yet, nor another head

    mail.outbox.clear()
    client.force_login(head)
    client.post(
        reverse("review_action", args=[result.pk, Action.CONFIRM]),
        {"version": Result.objects.get(pk=result.pk).version},
    )

    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED
    assert set(_by_recipient()) == {"p1@example.jp", "p2@example.jp"}


def test_the_heads_home_page_lists_what_awaits_their_check(client, world):
    world["plan"].requires_head_check = True
    world["plan"].save()
    head = make_user("head", department=world["housing"], role=Role.HEAD, email="head@example.jp")
    result = _submitted(world, world["housing"], "居住支援の件数")
    client.force_login(head)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Awaiting your check as the department head: 1 item" in page
    assert reverse("review_item", args=[result.pk]) in page
