"""A background job (jobs.services runs it, jobs.tasks puts it on the queue): who asked, for what,
how far it got, and the file it made. Everything lives in the database, so any app process or
worker on any machine sees the same state, progress and result."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.enums import ACTIVE_STATES, JobState, JobStep

WAITING_LONG = timedelta(minutes=1)


class Job(models.Model):
    # The id is in the job page's address: a UUID, not a count anyone could walk.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("requested by")
    )
    kind = models.CharField(_("kind"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict)
    # sha256 of kind and parameters: the same request of the same person while one is active is reused.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    step = models.CharField(_("step"), max_length=20, choices=JobStep.choices, default=JobStep.WAITING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)  # 0: not known yet
    # The refusal shown to the person, in every language of the site ({"ja": …, "en": …}); no traceback.
    error = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Every progress report touches it: a running job that stops moving has lost its worker.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="jobs_job_state_valid"),
            # The database keeps one active job per person and request, even when two clicks race.
            models.UniqueConstraint(
                fields=["requested_by", "fingerprint"],
                condition=Q(state__in=ACTIVE_STATES),
                name="jobs_one_active_job_per_request",
            ),
        ]
        indexes = [models.Index(fields=["state", "finished_at"], name="jobs_job_state_finished")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def waiting_long(self) -> bool:
        """Queued for longer than a worker takes to notice: no worker may be running."""
        return self.state == JobState.QUEUED and self.created_at < timezone.now() - WAITING_LONG

    @property
    def percent(self) -> int | None:
        if self.state == JobState.DONE:
            return 100
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)


class JobFile(models.Model):
    """The file a finished job made, kept in the database (no disk another machine cannot see)
    until it expires (jobs.services.prune_expired)."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, primary_key=True, related_name="file")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.filename
