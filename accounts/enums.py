from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountEventKind(models.TextChoices):
    """What happened to an account's sign-in: the audit trail's sign-in rows."""

    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_IN_REFUSED = "sign_in_refused", _("Sign-in refused: locked out")
    LOCKED_OUT = "locked_out", _("Locked out after repeated failures")
    SIGNED_OUT = "signed_out", _("Signed out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    OTHER_SESSIONS_ENDED = "other_sessions_ended", _("Other sessions logged out")
