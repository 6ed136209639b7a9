from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a membership lets a person do. A person may hold several roles in one department (e.g. the
    planning section's staff also enter their own department's results)."""

    ENTRY = "entry", _("Entry staff")  # 入力担当: enters its department's results
    HEAD = "head", _("Department head")  # 所属長: confirms its department's submissions (when the plan asks)
    PLANNING = "planning", _("Planning section")  # 計画所管: reviews, approves, owns the plan master
    VIEWER = "viewer", _("Viewer")  # 閲覧: e.g. the evaluation committee, read-only
