"""Every write about accounts: the sign-in events, a password change, ending a person's sessions, and
an account's change or deletion in the admin (asking departments.permissions first). Each function's
docstring lists its side effects. The sign-in events are also written to the log (logger "accounts")."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.enums import AccountEventKind
from accounts.models import AccountEvent, UserSession
from departments.permissions import refuse_account_change, refuse_account_delete, refuse_superuser_account

logger = logging.getLogger("accounts")

# The flags an account's change is checked on (departments.permissions.refuse_account_change).
ACCOUNT_FLAGS = ("is_superuser", "is_staff", "is_active")
ADMIN_REASON = "admin"


def _account(username: str):
    return get_user_model()._default_manager.filter(username=username).first() if username else None


# Sign-in events ------------------------------------------------------------------------------------


def record_sign_in(user, *, ip_address: str | None) -> AccountEvent:
    """A successful sign-in. Side effects: an event row; the account's last_login (without a history row)."""
    user.last_login = timezone.now()
    user.save_without_historical_record(update_fields=["last_login"])
    logger.info("Sign-in: user=%s ip=%s", user.get_username(), ip_address)
    return _own_event(AccountEventKind.SIGNED_IN, user, ip_address)


def record_sign_in_failure(username: str, *, ip_address: str | None, refused: bool) -> AccountEvent:
    """A failed sign-in with the user name tried; `refused` when the lockout refused it before any
    password was checked. Side effects: an event row; a warning in the log."""
    username = (username or "")[:150]
    kind = AccountEventKind.SIGN_IN_REFUSED if refused else AccountEventKind.SIGN_IN_FAILED
    outcome = "refused (locked out)" if refused else "failed"
    logger.warning("Sign-in %s: username=%r ip=%s", outcome, username, ip_address)
    return AccountEvent.objects.create(kind=kind, user=_account(username), username=username, ip_address=ip_address)


def record_lockout(username: str, *, ip_address: str | None, failures: int | None) -> AccountEvent:
    """The sign-in of `username` from `ip_address` locked after `failures` failures. Side effects: an
    event row; a warning in the log."""
    username = (username or "")[:150]
    logger.warning("Locked out: username=%r ip=%s failures=%s", username, ip_address, failures)
    return AccountEvent.objects.create(
        kind=AccountEventKind.LOCKED_OUT,
        user=_account(username),
        username=username,
        ip_address=ip_address,
        count=failures,
    )


def record_sign_out(user, *, ip_address: str | None) -> AccountEvent:
    """A sign-out. Side effects: an event row."""
    logger.info("Sign-out: user=%s ip=%s", user.get_username(), ip_address)
    return _own_event(AccountEventKind.SIGNED_OUT, user, ip_address)


def _account_event(kind: str, user, ip_address: str | None, *, acting_user, **fields) -> AccountEvent:
    """An event of an existing account, done by `acting_user`."""
    return AccountEvent.objects.create(
        kind=kind, user=user, acting_user=acting_user, username=user.get_username(), ip_address=ip_address, **fields
    )


def _own_event(kind: str, user, ip_address: str | None, **fields) -> AccountEvent:
    """An event the account's own holder did (signed in, signed out, ended other sessions)."""
    return _account_event(kind, user, ip_address, acting_user=user, **fields)


# Sessions and passwords ----------------------------------------------------------------------------


def other_session_count(user, current_session_key: str | None) -> int:
    """How many live sessions the person has besides this one."""
    return (
        UserSession.objects.filter(user=user, expire_date__gt=timezone.now())
        .exclude(session_key=current_session_key or "")
        .count()
    )


def _end_sessions(user, *, keep_session_key: str | None = None) -> int:
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended, _by_model = sessions.delete()
    return ended


@transaction.atomic
def end_other_sessions(user, *, current_session_key: str, ip_address: str | None = None) -> int:
    """Log the person out everywhere but in this session; returns how many live sessions ended.

    Side effects: the other session rows deleted (expired ones too); an event row with the count."""
    live = other_session_count(user, current_session_key)
    _end_sessions(user, keep_session_key=current_session_key)
    _own_event(AccountEventKind.OTHER_SESSIONS_ENDED, user, ip_address, count=live)
    return live


@transaction.atomic
def set_password(user, raw_password: str | None, *, acting_user, ip_address: str | None = None):
    """Set the account's password (None: no password sign-in at all), by the person or an administrator.

    Refused (departments.permissions.Refusal) for a superuser's account unless by a superuser.
    Side effects: the password saved (no history row: the hash is never copied); every session of the
    account ended (the view signs the person back in on a new session); an event row."""
    if acting_user is not None and acting_user.pk != user.pk:
        refuse_superuser_account(acting_user, user)
    if raw_password is None:
        user.set_unusable_password()
    else:
        user.set_password(raw_password)
    user.save_without_historical_record(update_fields=["password"])
    _end_sessions(user)
    _account_event(AccountEventKind.PASSWORD_CHANGED, user, ip_address, acting_user=acting_user)
    return user


# An account's change in the admin ------------------------------------------------------------------


@transaction.atomic
def save_account(user, *, changed_fields, acting_user, reason: str = ADMIN_REASON):
    """Create or change an account (names, e-mail, the staff, superuser and active flags).

    Refused (departments.permissions.Refusal) by refuse_account_change. Side effects: the account
    saved; a history row by `acting_user` with `reason`; when it is deactivated, its sessions ended."""
    model = type(user)
    stored = model._default_manager.select_for_update().filter(pk=user.pk).first() if user.pk else None
    refuse_account_change(acting_user, stored, changed_fields, {name: getattr(user, name) for name in ACCOUNT_FLAGS})
    user._history_user, user._change_reason = acting_user, reason
    user.save()
    if stored is not None and stored.is_active and not user.is_active:
        _end_sessions(user)
    return user


@transaction.atomic
def delete_account(user, *, acting_user, reason: str = ADMIN_REASON) -> None:
    """Delete an account. Refused by refuse_account_delete. Side effects: the account and what cascades
    with it (its memberships and sessions) deleted, each with a history row by `acting_user`."""
    refuse_account_delete(acting_user, user)
    user._history_user, user._change_reason = acting_user, reason
    user.delete()
