"""A job's page and its file: only for the person who asked (404 for anyone else), the progress bar and
its htmx refresh (which stops once the job has ended), the refusal in the reader's language, the file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.enums import Role
from departments.models import Membership
from jobs import services
from jobs.enums import JobState, JobStep
from jobs.models import Job
from tests.builders import make_finished_job, make_user

pytestmark = pytest.mark.django_db


def _page(client, job, **extra):
    return client.get(reverse("job", args=[job.pk]), **extra)


def _active_job(user, **fields):
    return Job.objects.create(
        requested_by=user,
        kind="report_pdf",
        parameters={"plan": 1, "year": 2024, "label": "資料１－３", "departments": None},
        fingerprint="x",
        **fields,
    )


def test_the_asker_sees_the_progress_bar_and_the_page_polls_while_the_job_runs(client, planner):
    job = _active_job(planner, state=JobState.RUNNING, step=JobStep.LAYING_OUT, progress_done=37, progress_total=526)
    client.force_login(planner)
    html = _page(client, job).content.decode()
    assert "評価シート（PDF）" in html and "令和6年度（2024年度） 資料１－３" in html
    assert '<progress class="job-progress"' in html and 'max="100" value="7">7 %</progress>' in html
    assert "ページを組んでいます（37 / 526）" in html
    assert f'hx-get="{reverse("job", args=[job.pk])}" hx-trigger="every 2s"' in html
    assert reverse("job_download", args=[job.pk]) not in html


def test_a_queued_job_shows_an_indeterminate_bar_and_after_a_minute_a_note(client, planner):
    job = _active_job(planner)
    client.force_login(planner)
    html = _page(client, job).content.decode()
    assert 'max="100"></progress>' in html and "処理の順番を待っています" in html
    assert "まだ処理が始まっていません" not in html

    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert "まだ処理が始まっていません" in _page(client, job).content.decode()


def test_the_poll_gets_the_status_part_and_stops_once_the_job_has_ended(client, planner):
    job = _active_job(planner, state=JobState.RUNNING)
    client.force_login(planner)
    running = _page(client, job, HTTP_HX_REQUEST="true")
    assert running.status_code == 200 and "<html" not in running.content.decode()

    finished = make_finished_job(planner)
    done = _page(client, finished, HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling, and shows the answer
    assert reverse("job_download", args=[finished.pk]) in done.content.decode()


def test_a_finished_job_offers_its_file_and_says_how_long_it_is_kept(client, planner):
    job = make_finished_job(planner, content=b"%PDF-1.7 the report")
    client.force_login(planner)
    html = _page(client, job).content.decode()
    assert f'href="{reverse("job_download", args=[job.pk])}" download' in html
    assert 'value="100"' in html and "完了" in html and "まで保管されます" in html
    assert "hx-get" not in html

    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200 and response.content == b"%PDF-1.7 the report"
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "no-store"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "filename*=utf-8''" in response["Content-Disposition"]
    )


@pytest.mark.parametrize(
    "language, words", [("ja", "処理が途中で止まりました"), ("en", "The job stopped without finishing")]
)
def test_a_failed_job_says_why_in_the_readers_language(client, planner, language, words):
    job = _active_job(planner)
    services._finish_failed(job.pk, services.STALLED)
    client.force_login(planner)
    html = _page(client, job, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert words in html and 'role="alert"' in html and "<progress" not in html


@pytest.mark.parametrize("who", ["another planner", "a superuser", "department staff"])
def test_nobody_but_the_asker_sees_the_job_or_its_file(client, planner, department, who):
    job = make_finished_job(planner)
    other = {
        "another planner": lambda: make_user("planner2", department=department, role=Role.PLANNING),
        "a superuser": lambda: make_user("root", is_superuser=True, is_staff=True),
        "department staff": lambda: make_user("staff2", department=department),
    }[who]()
    client.force_login(other)
    assert _page(client, job).status_code == 404
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_the_anonymous_are_sent_to_the_login_page(client, planner):
    job = make_finished_job(planner)
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_who_lost_the_right_to_the_file_loses_the_file(client, viewer):
    job = make_finished_job(viewer, kind="results_csv", parameters={"plan": 1, "year": 2024})
    client.force_login(viewer)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
    Membership.objects.filter(user=viewer).delete()
    viewer.__dict__.pop("_mezasu_roles", None)
    assert _page(client, job).status_code == 403
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 403


def test_a_job_without_its_file_yet_has_nothing_to_download(client, planner):
    job = _active_job(planner, state=JobState.RUNNING)
    client.force_login(planner)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_a_running_job_whose_worker_is_gone_is_shown_failed(client, planner):
    job = _active_job(planner, state=JobState.RUNNING)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    client.force_login(planner)
    html = _page(client, job).content.decode()
    assert "処理が途中で止まりました" in html and "hx-get" not in html
