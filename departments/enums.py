from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a membership lets a person do."""

    ENTRY = "entry", _("Entry staff")  # 入力担当: enters its department's results
    PLANNING = "planning", _("Planning section")  # 計画所管: reviews, approves, owns the plan master
    VIEWER = "viewer", _("Viewer")  # 閲覧: e.g. the evaluation committee, read-only
