"""What every message of Mezasu shares (the reminders, the notices): the address of the app as people
open it from their mail, the language a person reads, and sending a batch without failing the page.

MEZASU_BASE_URL is where the app's root is (「https://mezasu.example.lg.jp/」, or a sub-path behind a
reverse proxy, 「https://intra.example.lg.jp/mezasu/」). When it is unset, a link is built from the
request the batch comes from (its scheme, host and script prefix), and a command without a request
links to the development server.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core import mail
from django.urls import get_script_prefix

logger = logging.getLogger(__name__)

DEVELOPMENT_BASE_URL = "http://localhost:8000/"


def base_url(request=None) -> str:
    """The address of the app's root, ending in "/": MEZASU_BASE_URL when set, else the request's own
    address, else the development server's."""
    configured = (settings.MEZASU_BASE_URL or "").strip()
    if configured:
        return configured.rstrip("/") + "/"
    if request is not None:
        return request.build_absolute_uri(get_script_prefix())
    return DEVELOPMENT_BASE_URL


def absolute_url(path: str, base: str) -> str:
    """A path as reverse() gives it (after the script prefix of this process) under `base`."""
    prefix = get_script_prefix()
    relative = path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/")
    return base + relative


def language_for(user) -> str:
    """The language of a person's messages. Staff have no language setting yet: the project's default (ja)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def address_of(user) -> str:
    """A person's e-mail address, or "" when they have none."""
    return (getattr(user, "email", "") or "").strip()


def send_batch(messages: Sequence[mail.EmailMessage]) -> bool:
    """Send the messages over one connection of Django's mail backend. The change they announce is
    already saved: a mail server that refuses them is logged (without the messages' text), never
    raised to the page. True when every message went out."""
    if not messages:
        return True
    try:
        with mail.get_connection() as connection:
            connection.send_messages(list(messages))
    except Exception:  # the backend's errors are its own (smtplib, socket, a third-party API)
        logger.exception("Mezasu could not send %d message(s) through the mail backend", len(messages))
        return False
    return True
