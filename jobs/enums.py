"""The states of a background job and the steps it reports (labels translated when shown)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class JobStep(models.TextChoices):
    """What a running job is doing; a kind reports the steps it has (jobs.kinds)."""

    WAITING = "waiting", _("Waiting for a worker")
    READING = "reading", _("Reading the plan and its results")
    PREPARING = "preparing", _("Preparing the document")
    LAYING_OUT = "laying_out", _("Laying out the pages")
    WRITING = "writing", _("Writing the file")
    ROWS = "rows", _("Writing the rows")
    CHECKING = "checking", _("Checking the rows")
    COMPARING = "comparing", _("Comparing the rows with the plan")
    IMPORTING = "importing", _("Importing the rows")
    FINISHED = "finished", _("Finished")
