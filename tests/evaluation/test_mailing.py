"""The address in the links of every message: MEZASU_BASE_URL when set, else the request's own."""

import logging

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix

from evaluation.mailing import DEVELOPMENT_BASE_URL, absolute_url, base_url, send_batch


@pytest.fixture
def _script_prefix():
    yield
    set_script_prefix("/")


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("https://mezasu.city.example.lg.jp", "https://mezasu.city.example.lg.jp/"),
        ("https://intra.city.example.lg.jp/mezasu/", "https://intra.city.example.lg.jp/mezasu/"),
        ("  https://mezasu.city.example.lg.jp/  ", "https://mezasu.city.example.lg.jp/"),
    ],
)
def test_the_configured_base_url_wins_over_the_request(settings, configured, expected):
    settings.MEZASU_BASE_URL = configured
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert base_url(request) == expected
    assert base_url() == expected


def test_without_the_setting_links_are_built_from_the_request(settings):
    settings.MEZASU_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["mezasu.example.lg.jp"]
    request = RequestFactory().get("/", HTTP_HOST="mezasu.example.lg.jp", secure=True)
    assert base_url(request) == "https://mezasu.example.lg.jp/"


def test_without_the_setting_nor_a_request_links_go_to_the_development_server(settings):
    settings.MEZASU_BASE_URL = ""
    assert base_url() == DEVELOPMENT_BASE_URL


def test_a_link_under_a_sub_path_is_not_doubled_by_the_script_prefix(_script_prefix):
    base = "https://intra.city.example.lg.jp/mezasu/"
    assert absolute_url("/review/results/5/", base) == base + "review/results/5/"
    set_script_prefix("/mezasu/")  # the process itself is served under the proxy's sub-path
    path = reverse("review_item", args=[5])
    assert path == "/mezasu/review/results/5/"
    assert absolute_url(path, base) == base + "review/results/5/"


def test_a_mail_server_that_fails_is_logged_not_raised(settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    message = mail.EmailMessage(subject="件名", body="本文の秘密", to=["a@example.jp"])
    with caplog.at_level(logging.ERROR, logger="evaluation.mailing"):
        assert send_batch([message]) is False
    assert "could not send 1 message" in caplog.text
    assert "本文の秘密" not in caplog.text
