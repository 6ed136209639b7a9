"""What waits for a person: returned items and unread comments for department staff, submissions for
the planning section; only open years; reading an item's page marks its comments read."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import ResultComment, ResultReading
from evaluation.queries.waiting import department_waiting, review_waiting, waiting_count
from evaluation.services.results import add_comment, review
from tests.builders import (
    enter_actual,
    make_closed_year,
    make_department,
    make_indicator,
    make_open_year,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(plan):
    """FY2024 open, FY2023 closed. Housing: one item returned with a comment, one submitted with the
    planner's comment, one submitted with its own staff's comment, one approved; area: one returned;
    FY2023: one returned item of housing."""
    make_open_year(plan)
    make_closed_year(plan, 2023)
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    area = make_department("地域行政課")
    planner = make_user("planner", department=welfare, role=Role.PLANNING)
    staff = make_user("staff", department=housing)
    area_staff = make_user("area", department=area)

    def submitted(department, user, fiscal_year=2024):
        result = make_result(make_indicator(plan, department=department), fiscal_year=fiscal_year, target=Decimal(100))
        return enter_actual(result, user, "100", then_submit=True)

    returned = submitted(housing, staff)
    returned = review(returned, Action.RETURN, user=planner, expected_version=returned.version, comment="根拠を")
    commented = submitted(housing, staff)
    add_comment(commented, user=planner, body="来週までに")
    own_comment = submitted(housing, staff)
    add_comment(own_comment, user=staff, body="補足です")
    approved = submitted(housing, staff)
    review(approved, Action.APPROVE, user=planner, expected_version=approved.version)
    other = submitted(area, area_staff)
    review(other, Action.RETURN, user=planner, expected_version=other.version, comment="別の課")
    old = make_result(make_indicator(plan, department=housing), fiscal_year=2023, status=ResultStatus.RETURNED)
    return {
        "plan": plan,
        "planner": planner,
        "staff": staff,
        "housing": housing,
        "returned": returned,
        "commented": commented,
        "own_comment": own_comment,
        "old": old,
    }


def _pks(items):
    return [item.result.pk for item in items]


def test_department_staff_wait_on_their_returned_items_and_comments_they_have_not_read(story):
    waiting = department_waiting(story["staff"], {story["housing"].pk})

    assert _pks(waiting.returned) == [story["returned"].pk]  # not the other department's, not the closed year's
    assert [comment.body for comment in waiting.returned[0].unread] == ["根拠を"]
    assert waiting.returned[0].latest_comment.body == "根拠を"
    assert _pks(waiting.commented) == [story["commented"].pk]  # their own comment is not unread
    assert [comment.body for comment in waiting.commented[0].unread] == ["来週までに"]
    assert waiting.count == 2


def test_reading_the_item_page_marks_its_comments_read_until_a_new_one_comes(client, story):
    ResultComment.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(story["staff"])

    assert client.get(reverse("review_item", args=[story["commented"].pk])).status_code == 200

    assert department_waiting(story["staff"], {story["housing"].pk}).commented == []
    add_comment(story["commented"], user=story["planner"], body="追加の指摘")
    waiting = department_waiting(story["staff"], {story["housing"].pk})
    assert [comment.body for comment in waiting.commented[0].unread] == ["追加の指摘"]
    assert waiting.commented[0].latest_comment.body == "追加の指摘"


def test_a_returned_item_stays_waiting_after_its_comment_is_read(client, story):
    client.force_login(story["staff"])
    client.get(reverse("review_item", args=[story["returned"].pk]))

    waiting = department_waiting(story["staff"], {story["housing"].pk})

    assert _pks(waiting.returned) == [story["returned"].pk]
    assert waiting.returned[0].unread == []


def test_only_the_departments_staff_leave_a_reading(client, story):
    client.force_login(story["planner"])
    client.get(reverse("review_item", args=[story["commented"].pk]))
    assert not ResultReading.objects.exists()


def test_the_planning_section_waits_on_the_submissions_of_open_years(story):
    years = review_waiting()

    assert [(group.year.fiscal_year, group.count) for group in years] == [(2024, 2)]
    assert {result.pk for result in years[0].items} == {story["commented"].pk, story["own_comment"].pk}
    assert years[0].more == 0


def test_the_planning_sections_list_is_limited_and_counts_the_rest(story):
    [group] = review_waiting(limit=1)
    assert (len(group.items), group.count, group.more) == (1, 2, 1)


def test_the_header_count_adds_up_what_waits(story):
    assert waiting_count(story["staff"], department_ids={story["housing"].pk}, reviews=False) == 2
    assert waiting_count(story["planner"], department_ids=set(), reviews=True) == 2
    # A planner who also enters for housing: the submissions, the returned item and the staff's comment
    # (the planner's own comment is not unread for them).
    assert waiting_count(story["planner"], department_ids={story["housing"].pk}, reviews=True) == 2 + 2


def test_nothing_waits_without_departments_or_in_a_closed_year(story, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert department_waiting(story["staff"], set()).count == 0
        assert waiting_count(story["staff"], department_ids=set(), reviews=False) == 0
    ResultComment.objects.all().delete()
    story["plan"].evaluation_years.update(status="closed")
    assert department_waiting(story["staff"], {story["housing"].pk}).count == 0
    assert review_waiting() == []
