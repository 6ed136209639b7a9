"""A large audit trail's CSV is made by a background job: the trail page's button asks for it (a POST)
when the search finds more rows than MEZASU_AUDIT_CSV_JOB_ROWS; the job's file is what the streamed
download sends for the same search."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.enums import Role
from jobs.models import Job
from tests.builders import make_department, make_indicator, make_plan, make_result, make_user
from tests.jobs.worker import ask_and_download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]


@pytest.fixture
def changes():
    department = make_department("福祉課")
    result = make_result(make_indicator(make_plan(), department=department), target=Decimal(10))
    for number in range(3):
        result.reason = f"理由{number}"
        result.save()
    return department


@pytest.fixture
def planner(changes):
    return make_user("planner", department=changes, role=Role.PLANNING)


def test_a_large_trail_offers_the_csv_as_a_job_with_the_same_content(client, planner, settings):
    settings.MEZASU_AUDIT_CSV_JOB_ROWS = 2
    client.force_login(planner)
    html = client.get(reverse("audit_trail"), {"kind": "result"}).content.decode()
    assert 'form="audit-csv-job"' in html and f'action="{reverse("audit_export")}?kind=result"' in html

    made = ask_and_download(client, f"{reverse('audit_export')}?kind=result")
    streamed = b"".join(client.get(reverse("audit_export"), {"kind": "result"}).streaming_content)
    assert made.status_code == 200 and made["Content-Type"] == "text/csv; charset=utf-8"
    assert made.content == streamed and made.content.count(b"\r\n") > 3
    job = Job.objects.get()
    assert job.kind == "audit_csv" and job.parameters["kind"] == "result"
    assert job.progress_total == job.progress_done > 0


def test_a_small_trail_streams_its_csv_from_a_link(client, planner, settings):
    settings.MEZASU_AUDIT_CSV_JOB_ROWS = 5000
    client.force_login(planner)
    html = client.get(reverse("audit_trail")).content.decode()
    assert f'href="{reverse("audit_export")}"' in html and "audit-csv-job" not in html


@pytest.mark.parametrize("role", [Role.ENTRY, Role.VIEWER])
def test_who_may_not_see_the_trail_cannot_ask_for_its_csv(client, changes, role):
    client.force_login(make_user(department=changes, role=role))
    assert client.post(reverse("audit_export")).status_code == 403
    assert not Job.objects.exists()
