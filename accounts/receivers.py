"""The sign-in signals, turned into accounts.services calls. Connected once by AccountsConfig.ready().

Django's own receiver that stamps last_login is replaced by accounts.services.record_sign_in, which
stamps it without a row in the account's history (a sign-in is an event, not a change of the account).

A failed sign-in is read after django-axes has handled it (axes connects its receivers when its app
loads, before this module connects ours: importing axes.signals below makes sure). With
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off, axes marks the request: during a lockout its backend
refuses before any password is checked (request.axes_locked_out, and no failure counted:
axes_failures_since_start stays None); the failure that reaches the limit is counted and locks
(axes_locked_out with the count)."""

from __future__ import annotations

import axes.signals  # noqa: F401  (axes's receivers first: see above)
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts import activity, services
from accounts.client import client_ip


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


def on_signed_in(sender, request, user, **kwargs):
    services.record_sign_in(user, ip_address=_ip(request))
    if request is not None and hasattr(request, "session"):
        activity.renew(request.session)  # a full idle period from the sign-in


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    username, ip_address = str(credentials.get("username", "")), _ip(request)
    locked = bool(getattr(request, "axes_locked_out", False))
    failures = getattr(request, "axes_failures_since_start", None)
    services.record_sign_in_failure(username, ip_address=ip_address, refused=locked and failures is None)
    if locked and failures is not None:
        services.record_lockout(username, ip_address=ip_address, failures=failures)


def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        services.record_sign_out(user, ip_address=_ip(request))


def connect() -> None:
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(on_signed_in, dispatch_uid="accounts_signed_in")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="accounts_sign_in_failed")
    user_logged_out.connect(on_signed_out, dispatch_uid="accounts_signed_out")
