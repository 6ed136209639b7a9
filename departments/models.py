from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.history import HistoricalRecords
from departments.enums import Role


class Department(models.Model):
    """A responsible department (担当所管課), created from the plan workbook on import."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role in a department. A person may belong to several departments, and hold several
    roles in one (one membership per role: entry staff and department head, or entry staff and the
    planning section)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("department")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTRY)

    history = HistoricalRecords()

    class Meta:
        ordering = ["department__name", "user__username", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="membership_unique_role"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} / {self.department} ({self.get_role_display()})"
