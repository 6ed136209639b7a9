"""One's own account: the login (always a fresh session, also over another person's), the password page,
logging out one's other sessions, the idle timeout and its extension, and the lockout after repeated
failures — with the test client on the real database."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import activity
from accounts.enums import AccountEventKind
from accounts.models import AccountEvent, UserSession
from tests.builders import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # tests.builders.make_user's
NEW_PASSWORD = "a-new-long-passphrase-2024"


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _signed_in_as(client) -> str | None:
    user_id = client.session.get(SESSION_KEY)
    return None if user_id is None else str(user_id)


# The login: a fresh session every time ------------------------------------------------------------


def test_signing_in_over_another_persons_session_signs_in_the_new_person_on_a_new_session(client):
    alice, bob = make_user("alice"), make_user("bob")
    client.force_login(alice)
    alices_key = client.session.session_key

    page = client.get(reverse("login"))
    assert page.status_code == 200  # the form, not a redirect to alice's home
    assert "alice" in page.content.decode()  # it says who this browser is signed in as
    response = _sign_in(client, "bob")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _signed_in_as(client) == str(bob.pk)
    assert client.session.session_key != alices_key
    assert not UserSession.objects.filter(session_key=alices_key).exists()  # alice's session ended
    assert AccountEvent.objects.filter(kind=AccountEventKind.SIGNED_OUT, user=alice).count() == 1
    assert UserSession.objects.get(session_key=client.session.session_key).user == bob


def test_signing_in_again_as_the_same_person_rotates_the_session_and_drops_its_data(client):
    alice = make_user("alice")
    client.force_login(alice)
    session = client.session
    session["left_over"] = "from the earlier session"
    session.save()
    old_key = session.session_key

    _sign_in(client, "alice")

    assert client.session.session_key != old_key
    assert "left_over" not in client.session
    assert not UserSession.objects.filter(session_key=old_key).exists()


def test_what_a_session_nobody_was_signed_in_to_kept_survives_the_sign_in_on_a_new_key(client):
    """The way a page's typed values may wait for the person to sign in again after an expiry."""
    make_user("alice")
    session = client.session
    session["kept"] = "typed before signing in"
    session.save()
    anonymous_key = session.session_key

    _sign_in(client, "alice")

    assert client.session["kept"] == "typed before signing in"
    assert client.session.session_key != anonymous_key


def test_a_sign_in_is_recorded_with_the_address(client):
    alice = make_user("alice")
    _sign_in(client, "alice", REMOTE_ADDR="10.1.2.3")
    event = AccountEvent.objects.get(kind=AccountEventKind.SIGNED_IN)
    assert (event.user, event.acting_user, event.username, event.ip_address) == (alice, alice, "alice", "10.1.2.3")
    alice.refresh_from_db()
    assert alice.last_login is not None
    assert not alice.history.filter(history_type="~").exists()  # a sign-in is not a change of the account


def test_a_failed_sign_in_is_recorded_with_the_user_name_tried(client):
    alice = make_user("alice")
    assert _sign_in(client, "alice", "wrong password").status_code == 200
    _sign_in(client, "nobody-by-that-name", "x")
    failures = AccountEvent.objects.filter(kind=AccountEventKind.SIGN_IN_FAILED).order_by("id")
    assert [(event.username, event.user) for event in failures] == [("alice", alice), ("nobody-by-that-name", None)]
    assert all(event.acting_user is None for event in failures)


def test_a_sign_out_is_recorded(client):
    alice = make_user("alice")
    client.force_login(alice)
    client.post(reverse("logout"))
    assert AccountEvent.objects.filter(kind=AccountEventKind.SIGNED_OUT, user=alice).count() == 1


# The lockout --------------------------------------------------------------------------------------


def test_fifty_wrong_passwords_lock_the_sign_in_and_the_right_one_is_refused_then(client, settings):
    alice = make_user("alice")
    answers = [_sign_in(client, "alice", f"wrong-{number}").status_code for number in range(50)]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(answers[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}

    response = _sign_in(client, "alice")

    assert response.status_code == 429
    assert _signed_in_as(client) is None
    page = response.content.decode()
    assert "ログインがロックされています" in page and "15" in page  # the cool-off, in minutes
    kinds = list(AccountEvent.objects.filter(user=alice).order_by("id").values_list("kind", flat=True))
    limit = settings.AXES_FAILURE_LIMIT
    assert kinds == [AccountEventKind.SIGN_IN_FAILED] * limit + [AccountEventKind.LOCKED_OUT] + [
        AccountEventKind.SIGN_IN_REFUSED
    ] * (50 - limit + 1)
    assert AccountEvent.objects.get(kind=AccountEventKind.LOCKED_OUT).count == limit


def test_the_lockout_page_speaks_english_to_an_english_browser(english_client, settings):
    make_user("alice")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(english_client, "alice", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked" in page and "wrong 5 times in a row" in page and "You can try again after" in page


def test_the_lockout_ends_after_the_cool_off(client, settings):
    make_user("alice")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "alice", "wrong")
    assert _sign_in(client, "alice").status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))

    assert _sign_in(client, "alice").status_code == 302
    assert not AccessAttempt.objects.exists()  # a success clears the count


def test_the_lockout_holds_one_user_name_from_one_address_only(client, settings):
    make_user("alice"), make_user("bob")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "alice", "wrong", REMOTE_ADDR="10.0.0.1")
    assert _sign_in(Client(), "alice", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _sign_in(Client(), "alice", REMOTE_ADDR="10.0.0.2").status_code == 302  # alice at her own desk
    assert _sign_in(Client(), "bob", REMOTE_ADDR="10.0.0.1").status_code == 302  # a colleague on that computer


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked(client, settings):
    settings.MEZASU_TRUSTED_PROXIES = 1
    make_user("alice")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR="forged, 10.0.0.7", REMOTE_ADDR="192.0.2.1")
    locked = _sign_in(Client(), "alice", HTTP_X_FORWARDED_FOR="10.0.0.7", REMOTE_ADDR="192.0.2.1")
    elsewhere = _sign_in(Client(), "alice", HTTP_X_FORWARDED_FOR="10.0.0.8", REMOTE_ADDR="192.0.2.1")
    assert (locked.status_code, elsewhere.status_code) == (429, 302)
    assert set(AccountEvent.objects.values_list("ip_address", flat=True)) == {"10.0.0.7", "10.0.0.8"}


# The password page ---------------------------------------------------------------------------------


def test_every_page_links_to_the_password_page(client):
    client.force_login(make_user("alice"))
    assert f'href="{reverse("account")}"' in client.get(reverse("home")).content.decode()


def test_a_person_changes_their_own_password_and_stays_signed_in_here(client):
    alice = make_user("alice")
    client.force_login(alice)

    response = client.post(
        reverse("account_password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"] == reverse("account")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert client.get(reverse("account")).status_code == 200  # still signed in, on a new session
    event = AccountEvent.objects.get(kind=AccountEventKind.PASSWORD_CHANGED)
    assert (event.user, event.acting_user) == (alice, alice)
    assert not alice.history.filter(history_type="~").exists()  # the hash is never copied into the history


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (PASSWORD, "short-pw-11", "このパスワードは短すぎます。最低 12 文字以上必要です。"),
        (PASSWORD, "password1234", "このパスワードは一般的すぎます。"),
        ("not my password", NEW_PASSWORD, "元のパスワードが間違っています。もう一度入力してください。"),
    ],
)
def test_a_short_common_or_unproven_password_change_is_refused_with_why(client, old, new, message):
    alice = make_user("alice")
    client.force_login(alice)

    response = client.post(
        reverse("account_password"), {"old_password": old, "new_password1": new, "new_password2": new}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert not AccountEvent.objects.filter(kind=AccountEventKind.PASSWORD_CHANGED).exists()


def test_changing_the_password_logs_out_the_other_sessions(client):
    alice = make_user("alice")
    elsewhere = Client()
    elsewhere.force_login(alice)
    client.force_login(alice)

    client.post(
        reverse("account_password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert elsewhere.get(reverse("home")).status_code == 302  # to the login page
    assert client.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=alice).count() == 1


def test_log_out_my_other_sessions_ends_them_and_keeps_this_one_and_everyone_elses(client):
    alice, bob = make_user("alice"), make_user("bob")
    at_home, on_the_phone, bobs = Client(), Client(), Client()
    for other, person in ((at_home, alice), (on_the_phone, alice), (bobs, bob)):
        other.force_login(person)
    client.force_login(alice)
    assert "2 other browsers or devices" in client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    response = client.post(reverse("account_end_other_sessions"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert "You were logged out of 2 other sessions." in client.get(response["Location"]).content.decode()
    assert at_home.get(reverse("home")).status_code == 302 and on_the_phone.get(reverse("home")).status_code == 302
    assert client.get(reverse("home")).status_code == 200 and bobs.get(reverse("home")).status_code == 200
    event = AccountEvent.objects.get(kind=AccountEventKind.OTHER_SESSIONS_ENDED)
    assert (event.user, event.count) == (alice, 2)


def test_the_account_pages_refuse_the_wrong_method_and_send_a_get_of_a_form_to_its_page(client):
    """A GET of a form's POST-only URL (the login's `next` after the session ended) goes to the account
    page, never a 405; the page itself takes no POST."""
    client.force_login(make_user("alice"))
    assert client.post(reverse("account")).status_code == 405
    for name in ("account_password", "account_end_other_sessions"):
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"]) == (302, reverse("account"))


# The idle timeout ----------------------------------------------------------------------------------


def test_the_session_ends_after_thirty_idle_minutes_and_a_request_renews_it_each_minute(client, settings, monkeypatch):
    """A request renews the session (a write) only when its last renewal is a minute old; the page and
    htmx are told the time it really has."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.MEZASU_SESSION_RENEW_SECONDS == 60
    clock = [int(time.time())]
    monkeypatch.setattr(activity.time, "time", lambda: clock[0])
    client.force_login(make_user("alice"))
    session = UserSession.objects.get(session_key=client.session.session_key)
    signed_in = session.expire_date

    clock[0] += 59
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert not [query for query in queries if "UPDATE" in query["sql"] and "accounts_usersession" in query["sql"]]
    assert UserSession.objects.get(pk=session.pk).expire_date == signed_in
    assert response[activity.HEADER] == "1741" and 'data-session-expires-in="1741"' in response.content.decode()

    clock[0] += 1
    response = client.get(reverse("home"))
    assert UserSession.objects.get(pk=session.pk).expire_date > signed_in
    assert response[activity.HEADER] == "1800" and 'data-session-expires-in="1800"' in response.content.decode()
    expires = UserSession.objects.get(pk=session.pk).expire_date
    assert timedelta(minutes=29) < expires - timezone.now() <= timedelta(minutes=30)

    UserSession.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_tells_its_script_when_the_session_ends(client, settings):
    settings.MEZASU_SESSION_WARNING_SECONDS = 120
    client.force_login(make_user("alice"))
    page = client.get(reverse("home")).content.decode()
    # the time left, counted from the sign-in: 1800 s, or a second less on a busy machine
    left = int(page.split('data-session-expires-in="')[1].split('"')[0])
    assert 1795 <= left <= 1800 and 'data-session-warn-before="120"' in page
    assert f'data-session-extend-url="{reverse("session_extend")}"' in page
    assert 'id="session-timeout-dialog"' in page and "js/session-timeout.js" in page


def test_the_login_page_has_no_session_timer(client):
    page = client.get(reverse("login")).content.decode()
    assert "data-session-expires-in" not in page and "session-timeout.js" not in page


def test_extending_the_session_answers_its_new_length(client):
    client.force_login(make_user("alice"))
    key = client.session.session_key
    UserSession.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))

    response = client.post(reverse("session_extend"))

    assert response.status_code == 200 and response.json() == {"expires_in": 1800}
    assert UserSession.objects.get(session_key=key).expire_date > timezone.now() + timedelta(minutes=29)


def test_an_ended_session_is_not_extended(client):
    response = client.post(reverse("session_extend"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("session_extend")).status_code == 302


def test_logging_out_after_the_session_has_ended_goes_to_the_login_page_and_never_405(client):
    """The log-out button of a page whose session ended: no detour through the login page whose `next`
    would GET this POST-only URL; a GET of it goes home."""
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("login"))
    response = client.get(reverse("logout"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0] == (reverse("home"), 302)


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("tanaka\x1b", "ユーザー名に使えない制御文字（U+001B）"),
        ("x" * 100_000, "150 文字以下"),  # django-axes kept it in a column of 255: PostgreSQL failed (a 500)
    ],
)
def test_a_user_name_no_account_can_have_is_refused_before_anyone_is_asked(client, username, words):
    make_user("tanaka")

    response = _sign_in(client, username)

    assert response.status_code == 200 and words in response.content.decode()
    assert _signed_in_as(client) is None
    assert not AccountEvent.objects.exists() and not AccessAttempt.objects.exists()
