"""The progress board: counts and bars per department, late departments, links to what is missing,
one aggregate query, and who may see it."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from evaluation.domain.enums import ResultStatus, YearStatus
from evaluation.models import EvaluationYear
from evaluation.queries.progress import StatusCounts, progress_by_department
from evaluation.templatetags.mezasu import status_bar
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db

S = ResultStatus
TODAY = timezone.localdate()


def _results(plan, department, *statuses, fiscal_year=2024):
    for status in statuses:
        make_result(make_indicator(plan, department=department), fiscal_year=fiscal_year, status=status)


@pytest.fixture
def late_year(plan):
    """居住支援課 has open items after the deadline; 地域行政課 has everything submitted or approved."""
    housing, area = make_department("居住支援課"), make_department("地域行政課")
    _results(plan, housing, S.NOT_ENTERED, S.DRAFT, S.RETURNED, S.APPROVED)
    _results(plan, area, S.SUBMITTED, S.APPROVED)
    year = make_open_year(plan, deadline=TODAY - datetime.timedelta(days=3))
    return year, housing, area


def test_counts_per_department_in_one_aggregate_query(plan, late_year):
    _year, housing, area = late_year
    with CaptureQueriesContext(connection) as queries:
        rows = progress_by_department(plan, 2024)
    assert len(queries) == 1
    assert [(row.department_name, row.counts.by_status) for row in rows] == [
        ("地域行政課", {"not_entered": 0, "draft": 0, "submitted": 1, "returned": 0, "approved": 1}),
        ("居住支援課", {"not_entered": 1, "draft": 1, "submitted": 0, "returned": 1, "approved": 1}),
    ]


def test_bar_segments_add_up_to_the_whole_in_exact_decimals():
    counts = StatusCounts({S.NOT_ENTERED: 1, S.DRAFT: 1, S.SUBMITTED: 1, S.RETURNED: 0, S.APPROVED: 0})
    segments = counts.segments
    assert [segment.status for segment in segments] == [S.NOT_ENTERED, S.DRAFT, S.SUBMITTED]
    assert [str(segment.width) for segment in segments] == ["33.33", "33.33", "33.33"]
    assert [str(segment.offset) for segment in segments] == ["0", "33.33", "66.66"]
    assert StatusCounts().segments == []


def test_board_shows_counts_deadline_and_highlights_the_late_department(client, planner, late_year):
    year, housing, area = late_year
    client.force_login(planner)

    response = client.get(reverse("progress_board", args=[2024]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    rows = {row.progress.department_name: row for row in response.context["rows"]}
    assert rows["居住支援課"].is_late and not rows["地域行政課"].is_late
    assert response.context["late_count"] == 1
    assert response.context["days_left"] == -3
    html = response.content.decode()
    assert "3 days past the deadline" in html
    assert 'class="is-late"' in html and "Late" in html  # a word, not only a colour
    assert "1 department still has open items after the deadline." in html


def test_board_links_to_exactly_what_is_missing(client, planner, late_year):
    year, housing, _area = late_year
    client.force_login(planner)

    response = client.get(reverse("progress_board", args=[2024]))

    row = next(row for row in response.context["rows"] if row.progress.department_id == housing.pk)
    links = {label: (count, url) for label, count, url in row.missing_links}
    assert set(links) == {S.NOT_ENTERED.label, S.DRAFT.label, S.RETURNED.label}
    count, url = links[S.RETURNED.label]
    queue = reverse("review_queue", args=[2024])
    assert count == 1
    assert url == f"{queue}?plan={year.plan_id}&department={housing.pk}&status=returned"
    assert row.entry_url == reverse("entry_department", args=[housing.pk, 2024])
    assert row.entry_url in response.content.decode()


def test_no_department_is_late_before_the_deadline(client, planner, late_year):
    year, _housing, _area = late_year
    year.deadline = TODAY + datetime.timedelta(days=5)
    year.save()
    client.force_login(planner)

    response = client.get(reverse("progress_board", args=[2024]), HTTP_ACCEPT_LANGUAGE="en")

    assert not any(row.is_late for row in response.context["rows"])
    assert response.context["days_left"] == 5
    assert "5 days" in response.content.decode()


def test_board_query_count_does_not_grow_with_departments_or_results(client, planner, plan):
    make_open_year(plan, deadline=TODAY)
    client.force_login(planner)
    url = reverse("progress_board", args=[2024])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _results(plan, make_department(), S.NOT_ENTERED, S.SUBMITTED)
    small = count_queries()
    for _ in range(6):
        _results(plan, make_department(), S.NOT_ENTERED, S.DRAFT, S.RETURNED, S.APPROVED)
    assert count_queries() == small


def test_progress_without_a_year_goes_to_the_open_year(client, planner, plan, late_year):
    make_plan("別の計画")
    EvaluationYear.objects.create(plan=plan, fiscal_year=2023, status=YearStatus.CLOSED)
    client.force_login(planner)

    response = client.get(reverse("progress_board"))

    assert response.status_code == 302
    assert response.url == f"{reverse('progress_board', args=[2024])}?plan={plan.pk}"


def test_progress_without_an_open_year_says_so(client, planner, plan):
    client.force_login(planner)
    response = client.get(reverse("progress_board"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No evaluation year is open" in response.content.decode()


def test_viewer_reads_the_board_without_the_reminder_buttons(client, viewer, late_year):
    client.force_login(viewer)
    response = client.get(reverse("progress_board", args=[2024]))
    assert response.status_code == 200
    assert not response.context["can_remind"]
    assert reverse("progress_remind", args=[2024]) not in response.content.decode()


def test_board_of_an_unknown_year_is_not_found(client, planner, late_year):
    client.force_login(planner)
    assert client.get(reverse("progress_board", args=[2031])).status_code == 404


def test_department_staff_may_not_see_the_board(client, late_year):
    _year, housing, _area = late_year
    client.force_login(make_user("staff", department=housing))
    assert client.get(reverse("progress_board", args=[2024])).status_code == 403
    assert client.get(reverse("progress_board")).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client, late_year):
    response = client.get(reverse("progress_board", args=[2024]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_status_bar_draws_each_status_with_its_share_and_tooltip():
    counts = StatusCounts({S.NOT_ENTERED: 1, S.DRAFT: 0, S.SUBMITTED: 2, S.RETURNED: 0, S.APPROVED: 1})

    with translation.override("ja"):
        bar = status_bar(counts)

    assert bar.startswith('<svg class="status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"')
    assert [(part["status"], part["x"], part["width"], part["title"]) for part in _parts(bar)] == [
        ("not_entered", "0", "25.00", "未入力 1"),
        ("submitted", "25.00", "50.00", "提出済 2"),
        ("approved", "75.00", "25.00", "承認済 1"),
    ]
    assert [part["status"] for part in _parts(status_bar(StatusCounts()))] == ["empty"]


def _parts(bar: str) -> list[dict]:
    pattern = (
        r'<rect class="status-bar__part status-bar__part--(?P<status>\w+)" x="(?P<x>[\d.]+)" y="0" '
        r'width="(?P<width>[\d.]+)" height="10">(?:<title>(?P<title>[^<]*)</title>)?</rect>'
    )
    return [match.groupdict() for match in re.finditer(pattern, bar)]
