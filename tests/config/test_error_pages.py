"""The error pages: 400, 403 (and the CSRF refusal), 404 and 500 in the app's look, in Japanese for a
Japanese user and in English for an English one, each with the request id of the X-Request-ID
header; the 500's id is in the log line of the error, and the 500 page is drawn while the database
is down."""

import io
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEADINGS = {
    400: ("リクエストを処理できませんでした", "The request could not be understood"),
    403: ("このページを開く権限がありません", "You are not allowed to open this page"),
    404: ("ページが見つかりません", "The page was not found"),
    500: ("サーバーでエラーが発生しました", "Something went wrong on the server"),
    "csrf": ("フォームを送信できませんでした", "The form could not be sent"),
}


def heading(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def shown_request_id(response) -> str:
    return re.search(r"<code>([0-9a-f]{12})</code>", response.content.decode()).group(1)


def assert_error_page(response, status, key, language):
    japanese, english = HEADINGS[key]
    assert response.status_code == status
    assert heading(response) == (japanese if language == "ja" else english)
    assert f'<html lang="{language}">' in response.content.decode()
    assert 'href="/static/css/app.css"' in response.content.decode()
    assert shown_request_id(response) == response["X-Request-ID"]


@pytest.fixture
def log_output():
    """What the configured log handler (settings.LOGGING's console, with its request-id filter and
    format) writes during the test."""
    handler = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def browser(language: str, **options) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language, **options)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_page_of_another_role_is_a_403_in_the_users_language(language, staff):
    client = browser(language)
    client.force_login(staff)

    assert_error_page(client.get(reverse("audit_trail")), 403, 403, language)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_unknown_address_is_a_404_in_the_users_language(language, staff):
    client = browser(language)
    client.force_login(staff)

    assert_error_page(client.get("/no-such-page/"), 404, 404, language)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_malformed_request_is_a_400_in_the_users_language(language, planner):
    client = browser(language)
    client.force_login(planner)

    response = client.post(reverse("review_selection", args=[2024]), {"action": "approve", "selected": "x"})

    assert_error_page(response, 400, 400, language)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_form_without_its_csrf_token_is_refused_with_the_styled_page(language, staff):
    client = browser(language, enforce_csrf_checks=True)
    client.get(reverse("login"))  # the CSRF cookie, but the form's token is missing

    response = client.post(reverse("login"), {"username": "staff", "password": "pw-for-tests-only"})

    assert_error_page(response, 403, "csrf", language)
    assert "Nothing was saved" in response.content.decode() or "保存されていません" in response.content.decode()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_500_page_is_drawn_while_the_database_is_down_with_the_id_of_the_log_line(
    language, staff, database_down, log_output
):
    client = browser(language, raise_request_exception=False)
    client.force_login(staff)

    with database_down():
        response = client.get(reverse("home"))

    assert_error_page(response, 500, 500, language)
    request_id = response["X-Request-ID"]
    logged = log_output.getvalue()
    error_line = next(line for line in logged.splitlines() if "Internal Server Error: /" in line)
    assert f"ERROR [{request_id}] django.request: Internal Server Error: /" in error_line
    assert "OperationalError" in logged  # the traceback follows the line


def test_each_request_gets_its_own_id(client):
    first, second = client.get(reverse("login")), client.get(reverse("login"))

    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_404_is_logged_with_its_request_id_and_a_line_outside_a_request_with_a_dash(client, log_output):
    response = client.get("/no-such-page/")
    logging.getLogger("mezasu.test").warning("outside any request")

    lines = log_output.getvalue().splitlines()
    logged_404 = f"WARNING [{response['X-Request-ID']}] django.request: Not Found: /no-such-page/"
    assert any(logged_404 in line for line in lines)
    assert any("WARNING [-] mezasu.test: outside any request" in line for line in lines)
