"""The entry page when the session has ended before a save, and the language switcher on the page a
save rendered: the user always lands on the entry page, never on a 405. (What was typed is put back
by the page's script from the tab's storage: tests/e2e/test_entry_lost_input.py drives a browser.)"""

import pytest
from django.urls import reverse

from accounts.models import UserSession as Session  # the session engine's table (accounts.sessions)
from evaluation.domain.enums import ActualState
from tests.builders import make_open_year, make_outcome_result
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # tests.builders.make_user's


@pytest.fixture
def year(plan):
    return make_open_year(plan)


def _page(department) -> str:
    return reverse("entry_department", args=[department.pk, 2024])


def _save(department) -> str:
    return reverse("entry_department_save", args=[department.pk, 2024])


def test_a_save_after_the_session_ended_logs_in_and_lands_on_the_entry_page_not_a_405(
    client, plan, year, department, staff
):
    result = make_outcome_result(plan, department)
    client.force_login(staff)
    data = form_data(client.get(_page(department)).content.decode(), _save(department))
    data[f"r{result.pk}-actual_{result.values.get().pk}"] = "80"
    Session.objects.all().delete()  # the session ends while the page is open

    sent = client.post(_save(department), {**data, "action": "save", "stash_token": "0123456789abcdef"})

    login_url = f"{reverse('login')}?next={_save(department)}"
    assert (sent.status_code, sent.url) == (302, login_url)
    landed = client.post(login_url, {"username": "staff", "password": PASSWORD, "next": _save(department)}, follow=True)
    assert landed.status_code == 200
    assert [url for url, _status in landed.redirect_chain] == [_save(department), _page(department)]
    assert landed.request["PATH_INFO"] == _page(department)
    # The save was never handled: the page carries no token back, so the page's script puts back
    # what was typed; nothing was saved behind the user's back.
    assert 'data-handled-token=""' in landed.content.decode()
    result.refresh_from_db()
    assert result.version == 1 and result.values.get().actual_state == ActualState.EMPTY


def test_a_handled_save_carries_its_token_back_on_the_next_page(client, plan, year, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)
    data = form_data(client.get(_page(department)).content.decode(), _save(department))
    data[f"r{result.pk}-actual_{result.values.get().pk}"] = "80"

    saved = client.post(_save(department), {**data, "action": "save", "stash_token": "0123456789abcdef"}, follow=True)

    assert 'data-handled-token="0123456789abcdef"' in saved.content.decode()
    assert 'data-handled-token=""' in client.get(_page(department)).content.decode()  # once only


def test_a_malformed_token_is_ignored(client, plan, year, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)
    data = form_data(client.get(_page(department)).content.decode(), _save(department))
    data[f"r{result.pk}-actual_{result.values.get().pk}"] = "たくさん"  # refused: the page is shown again

    shown = client.post(_save(department), {**data, "action": "save", "stash_token": '"><script>'})

    assert shown.status_code == 200
    assert 'data-handled-token=""' in shown.content.decode()


def test_the_language_switcher_on_the_page_a_save_rendered_goes_back_to_the_entry_page(
    client, plan, year, department, staff
):
    result = make_outcome_result(plan, department)
    client.force_login(staff)
    data = form_data(client.get(_page(department)).content.decode(), _save(department))
    data[f"r{result.pk}-actual_{result.values.get().pk}"] = "たくさん"
    shown = client.post(_save(department), {**data, "action": "save"})
    assert shown.status_code == 200  # rendered at the save URL

    switcher = form_data(shown.content.decode(), reverse("set_language"))
    switched = client.post(reverse("set_language"), {**switcher, "language": "en"}, follow=True)

    assert switcher["next"] == _page(department)
    assert switched.status_code == 200 and switched.request["PATH_INFO"] == _page(department)

    # An old link or a bookmark of the save URL lands there too.
    assert client.get(_save(department), follow=True).request["PATH_INFO"] == _page(department)
