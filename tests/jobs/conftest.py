"""Kinds of job for the tests of the jobs app itself: one that reports progress and makes a file, one
refused with a sentence, one that fails with an exception. Registered for a test and taken away after."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy as _

from jobs import kinds
from jobs.enums import JobStep
from jobs.models import Job

SEEN: list[tuple] = []  # what the kind saw of its own row in the database while it ran


def _echo(parameters: dict, progress) -> kinds.MadeFile:
    for done in range(1, 4):
        progress.report(JobStep.ROWS, done, 3)
        row = Job.objects.get(parameters=parameters, state="running")
        SEEN.append((row.step, row.progress_done, row.progress_total))
    return kinds.MadeFile(("echo:" + parameters["text"]).encode(), "echo.txt", "text/plain; charset=utf-8")


def _refused(parameters: dict, progress) -> kinds.MadeFile:
    raise kinds.JobRefused(_("The plan of this file no longer exists."))


def _crash(parameters: dict, progress) -> kinds.MadeFile:
    raise RuntimeError("secret internals /srv/mezasu/app.py line 42")


def _kind(name, run, allowed=lambda user: user.is_authenticated):
    return kinds.JobKind(
        name=name,
        label=_("Evaluation report (PDF)"),
        run=run,
        allowed=allowed,
        describe=lambda parameters: parameters.get("text", ""),
        back_url=lambda parameters: "/",
        back_label=_("Back to the evaluation report"),
    )


@pytest.fixture
def test_kinds():
    SEEN.clear()
    added = [
        kinds.register(_kind(name, run)) for name, run in (("echo", _echo), ("refused", _refused), ("crash", _crash))
    ]
    yield SEEN
    for kind in added:
        kinds._KINDS.pop(kind.name, None)
