"""GET /healthz: 200 while the database answers, 503 when it does not; no login, no session, no
cookie; answered to the load balancer's probe over plain HTTP and by address (a Host that is not in
ALLOWED_HOSTS), where every other page is redirected or refused."""

import pytest
from django.test import Client

from accounts.models import UserSession as Session  # the session engine's table (accounts.sessions)

pytestmark = pytest.mark.django_db


def test_the_health_check_answers_200_without_a_login_while_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


def test_the_health_check_sets_no_cookie_and_writes_no_session(client, staff):
    client.force_login(staff)
    sessions = Session.objects.count()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.cookies == {}
    assert Session.objects.count() == sessions


def test_the_health_check_answers_head_and_refuses_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_the_health_check_answers_503_when_the_database_is_down_and_200_when_it_is_back(client, database_down, caplog):
    with database_down():
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
    assert "the database does not answer" in caplog.text
    assert client.get("/healthz").status_code == 200


def test_the_probe_over_http_by_address_is_answered_where_a_page_is_redirected_or_refused(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["mezasu.example.lg.jp"]
    probe = Client(HTTP_HOST="10.0.3.17:8000")

    assert probe.get("/healthz").status_code == 200
    assert probe.get("/login/").status_code == 400  # the host is not allowed
    browser = Client(HTTP_HOST="mezasu.example.lg.jp")
    assert browser.get("/login/").status_code == 301  # to https://
    assert browser.get("/healthz").status_code == 200
