"""Accounts: what happened at sign-in (successes, failures with the user name tried, lockouts, sign-outs,
password changes: the audit trail's sign-in rows), the sessions of each person (so that one can log
out one's other sessions), and the history of the user accounts themselves (names, the staff,
superuser and active flags; never the password) kept by django-simple-history like the rest."""

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register

from accounts.enums import AccountEventKind
from config.history import HistoricalRecords

# The user accounts' history (accounts.HistoricalUser): the audit trail's "account" rows. The password
# hash is never copied, and the last sign-in time is the sign-in events' business.
register(User, app="accounts", records_class=HistoricalRecords, excluded_fields=["password", "last_login"])


class AccountEvent(models.Model):
    """One sign-in event. Never changed nor deleted: the record of who signed in, who failed, from where.

    `user` is the account concerned (None for a user name that matches no account: `username` keeps
    what was typed), `acting_user` who did it (None for a failed or refused sign-in: whoever typed)."""

    kind = models.CharField(_("event"), max_length=30, choices=AccountEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    count = models.PositiveIntegerField(
        _("count"), null=True, blank=True, help_text=_("Failures before a lockout; sessions ended.")
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AccountEventKind.values), name="account_event_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M:%S}"


class UserSession(AbstractBaseSession):
    """A session in the database with the account it is signed in as (accounts.sessions keeps it up to
    date), so that a person's other sessions can be found and ended. No database constraint on the
    account: a session saved while its account is deleted must not fail the request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
        verbose_name=_("account"),
    )

    class Meta(AbstractBaseSession.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
