"""The planning section's review: the queue (filters, sorting, paging, counts, selection) and the
item page (context, history, comments, approve / return / reopen), and who is refused."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import ActualState, CommentKind, Grade, IndicatorKind, ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import Result, ResultComment
from evaluation.services.results import ActualInput, review, save_draft
from tests.builders import (
    enter_actual,
    make_department,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

# Messages are asserted in English: the request's language is chosen explicitly.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def plan(plan):
    make_open_year(plan)
    return plan


@pytest.fixture
def welfare():
    return make_department("保健福祉政策課")


@pytest.fixture
def housing():
    return make_department("居住支援課")


@pytest.fixture
def planner(welfare):
    return make_user("planner", department=welfare, role=Role.PLANNING, first_name="花子", last_name="計画")


@pytest.fixture
def staff(housing):
    return make_user("staff", department=housing, first_name="太郎", last_name="居住")


@pytest.fixture
def viewer(welfare):
    return make_user("viewer", department=welfare, role=Role.VIEWER)


def _submitted(plan, department, *, actual="100", target=Decimal(100), user=None, policy_area=1, **indicator_fields):
    """An outcome entered and submitted by the department (through the services)."""
    indicator = make_indicator(
        plan, department=department, initiative=make_initiative(plan, policy_area=policy_area), **indicator_fields
    )
    result = make_result(indicator, target=target)
    reason = "理由" if Decimal(actual) < target * Decimal("0.8") else ""
    return enter_actual(result, user or make_user(department=department), actual, reason=reason, then_submit=True)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _queue(client, query=""):
    return client.get(reverse("review_queue", args=[2024]) + query, HTTP_ACCEPT_LANGUAGE="en")


def _codes(response):
    return [row.record.indicator.code for row in response.context["table"].paginated_rows]


# The queue ------------------------------------------------------------------------------------


@pytest.fixture
def mixed_year(plan, welfare, housing):
    """Welfare: submitted A, returned B (returned once), approved C; housing: not entered, draft 集計中."""
    planner = make_user("reviewer", department=welfare, role=Role.PLANNING)
    a = _submitted(plan, welfare, actual="120", code="W.1")
    b = _submitted(plan, welfare, actual="90", code="W.2", policy_area=2)
    b = review(b, Action.RETURN, user=planner, expected_version=b.version, comment="根拠を")
    c = _submitted(plan, welfare, actual="50", code="W.3")
    c = review(c, Action.APPROVE, user=planner, expected_version=c.version)
    not_entered = make_result(make_indicator(plan, department=housing, code="H.1"))
    tallying = make_result(make_indicator(plan, department=housing, code="H.2"))
    value = tallying.values.get()
    save_draft(
        tallying,
        user=make_user(department=housing),
        expected_version=1,
        actuals={value.pk: ActualInput(ActualState.TALLYING)},
        reason="",
    )
    return {"a": a, "b": b, "c": c, "not_entered": not_entered, "tallying": tallying}


def test_planning_section_sees_every_result_of_the_year_with_counts(client, planner, mixed_year):
    client.force_login(planner)

    response = _queue(client)

    assert response.status_code == 200
    assert sorted(_codes(response)) == ["H.1", "H.2", "W.1", "W.2", "W.3"]
    counts = response.context["counts"]
    assert counts.by_status == {
        ResultStatus.NOT_ENTERED: 1,
        ResultStatus.DRAFT: 1,
        ResultStatus.SUBMITTED: 1,
        ResultStatus.RETURNED: 1,
        ResultStatus.APPROVED: 1,
    }
    assert (counts.by_grade, counts.not_graded) == ({"A": 1, "B": 1, "C": 1, "D": 0}, 2)
    assert 'name="selected"' in response.content.decode()
    assert reverse("review_item", args=[mixed_year["a"].pk]) in response.content.decode()


def test_open_year_is_the_default_of_the_queue(client, planner, mixed_year):
    client.force_login(planner)

    response = client.get(reverse("review_queue"))

    assert response.context["fiscal_year"] == 2024
    assert len(_codes(response)) == 5


def test_a_year_without_results_is_not_found(client, planner, mixed_year):
    client.force_login(planner)

    assert client.get(reverse("review_queue", args=[2019])).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=submitted", ["W.1"]),
        ("?grade=C", ["W.3"]),
        ("?grade=none", ["H.1", "H.2"]),
        ("?tallying=yes", ["H.2"]),
        ("?returned=yes", ["W.2"]),
        ("?kind=activity", []),
    ],
)
def test_queue_filters(client, planner, mixed_year, query, expected):
    client.force_login(planner)

    assert sorted(_codes(_queue(client, query))) == expected


def test_filters_by_department_and_policy_area_and_counts_follow_the_filters(client, planner, mixed_year, housing):
    client.force_login(planner)

    by_department = _queue(client, f"?department={housing.pk}")
    area_2 = mixed_year["b"].indicator.initiative.vision.policy_area
    by_area = _queue(client, f"?policy_area={area_2.pk}")

    assert sorted(_codes(by_department)) == ["H.1", "H.2"]
    assert by_department.context["counts"].total == 2
    assert by_department.context["counts"].by_status[ResultStatus.SUBMITTED] == 0
    assert _codes(by_area) == ["W.2"]
    assert by_area.context["counts"].by_grade["B"] == 1


def test_changed_since_last_review_lists_a_returned_item_the_department_corrected(client, planner, mixed_year):
    returned = mixed_year["b"]
    enter_actual(returned, make_user(department=returned.indicator.department), 95)
    client.force_login(planner)

    assert _codes(_queue(client, "?changed=yes")) == ["W.2"]
    assert "W.2" not in _codes(_queue(client, "?changed=no"))


def test_queue_sorts_by_status_and_by_department(client, planner, mixed_year):
    client.force_login(planner)

    by_status = _queue(client, "?sort=status")
    by_department = _queue(client, "?sort=department")
    by_department_desc = _queue(client, "?sort=-department")

    statuses = [row.record.status for row in by_status.context["table"].paginated_rows]
    assert statuses == sorted(statuses)
    # Code points: 保健福祉政策課 (W.*) sorts before 居住支援課 (H.*).
    assert [code[0] for code in _codes(by_department)] == ["W", "W", "W", "H", "H"]
    assert [code[0] for code in _codes(by_department_desc)] == ["H", "H", "W", "W", "W"]


def test_queue_pages_by_fifty(client, planner, plan, welfare):
    for _ in range(51):
        make_result(make_indicator(plan, department=welfare))
    client.force_login(planner)

    first, second = _queue(client), _queue(client, "?page=2")

    assert len(_codes(first)) == 50
    assert len(_codes(second)) == 1
    assert 'aria-current="page"' in first.content.decode()


def _queue_queries(client, plan, department, rows):
    for _ in range(rows):
        indicator = make_indicator(plan, department=department, sub_items=("a", "b"))
        make_result(indicator, actual=Decimal(90))
    with CaptureQueriesContext(connection) as queries:
        response = _queue(client)
    assert response.status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_the_rows(client, planner, plan, welfare):
    client.force_login(planner)
    few = _queue_queries(client, plan, welfare, 3)
    many = _queue_queries(client, plan, welfare, 30)

    assert few == many


def test_queue_query_count_does_not_grow_with_departments_policy_areas_or_a_filter(client, planner, plan, welfare):
    """The filter lists are read in one query each, whatever their length; a filter by department
    or policy area reads nothing more (its choice is checked against the list already read)."""
    client.force_login(planner)

    def queries(departments, query=""):
        for number in range(departments):
            department = make_department()
            make_result(
                make_indicator(plan, department=department, initiative=make_initiative(plan, policy_area=number))
            )
        with CaptureQueriesContext(connection) as captured:
            assert _queue(client, query).status_code == 200
        return len(captured)

    few, many = queries(2), queries(25)
    area = plan.pillars.get().policy_areas.order_by("number").last()
    filtered = queries(0, f"?department={welfare.pk}&policy_area={area.pk}&pillar={area.pillar_id}")

    assert few == many == filtered


def test_queue_pages_through_a_sort_with_ties_showing_each_row_once_in_plan_order(client, planner, plan, welfare):
    """60 rows of one department, sorted by department: page 2 goes on where page 1 stopped."""
    for _ in range(60):
        make_result(make_indicator(plan, department=welfare))
    client.force_login(planner)
    in_plan_order = list(
        Result.objects.order_by("indicator__position", "indicator__code").values_list("indicator__code", flat=True)
    )

    for sort in ("department", "-department", "status", "kind", "grade"):
        first, second = _queue(client, f"?sort={sort}"), _queue(client, f"?sort={sort}&page=2")
        codes = _codes(first) + _codes(second)
        expected = in_plan_order if not sort.startswith("-") else in_plan_order[::-1]
        assert codes == expected, sort


def test_queue_filter_lists_hold_the_plans_choices_once_each(client, planner, mixed_year, welfare, housing):
    make_indicator(make_plan("別の計画"), department=make_department("別の課"))
    client.force_login(planner)

    page = _queue(client).content.decode()
    form = _queue(client).context["filter"].form

    assert [label for _value, label in form.fields["department"].choices] == ["All", "保健福祉政策課", "居住支援課"]
    assert [label for _value, label in form.fields["policy_area"].choices] == ["All", "1-1 推進施策1", "1-2 推進施策2"]
    assert page.count('<option value="" selected>All</option>') == len(form.fields)
    assert page.count('<option value="">All</option>') == 0
    chosen = _queue(client, f"?department={housing.pk}").content.decode()
    assert f'<option value="{housing.pk}" selected>居住支援課</option>' in chosen


@pytest.mark.parametrize("query", ["?department=999999", "?policy_area=x", "?pillar=-1"])
def test_a_filter_choice_that_is_not_the_plans_filters_nothing(client, planner, mixed_year, query):
    client.force_login(planner)

    response = _queue(client, query)

    assert response.status_code == 200
    assert len(_codes(response)) == 5


def test_viewer_reads_the_queue_without_actions(client, viewer, mixed_year):
    client.force_login(viewer)

    response = _queue(client)

    assert response.status_code == 200
    assert len(_codes(response)) == 5
    assert 'name="selected"' not in response.content.decode()
    assert reverse("review_selection", args=[2024]) not in response.content.decode()


def test_department_staff_are_refused_the_queue(client, staff, mixed_year):
    client.force_login(staff)

    assert _queue(client).status_code == 403
    assert client.get(reverse("review_queue")).status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_the_review_pages(client, mixed_year):
    for url in (
        reverse("review_queue"),
        reverse("review_queue", args=[2024]),
        reverse("review_item", args=[mixed_year["a"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("review_action", args=[mixed_year["a"].pk, "approve"]), {"version": 1})
    assert response.status_code == 302
    assert Result.objects.get(pk=mixed_year["a"].pk).status == ResultStatus.SUBMITTED


# Selections -----------------------------------------------------------------------------------


def _select(client, results, action, comment=""):
    """The selection as the confirmation page posts it (views.confirmations: test_confirmations.py)."""
    data = {"action": action, "comment": comment, "selected": [result.pk for result in results], "confirmed": "1"}
    data.update({f"version-{result.pk}": result.version for result in results})
    return client.post(reverse("review_selection", args=[2024]), data, HTTP_ACCEPT_LANGUAGE="en")


def test_planning_section_approves_a_selection(client, planner, plan, welfare):
    results = [_submitted(plan, welfare) for _ in range(3)]
    client.force_login(planner)

    response = _select(client, results, "approve")

    assert response.status_code == 302
    assert set(Result.objects.filter(pk__in=[r.pk for r in results]).values_list("status", flat=True)) == {
        ResultStatus.APPROVED
    }
    assert any(message.startswith("Approved:") for message in _messages(response))


def test_a_selection_is_all_or_nothing_and_names_the_refused_items(client, planner, plan, welfare):
    submitted = _submitted(plan, welfare, code="OK.1")
    draft = make_result(make_indicator(plan, department=welfare, code="NG.1"))
    client.force_login(planner)

    response = _select(client, [submitted, draft], "approve")

    assert Result.objects.get(pk=submitted.pk).status == ResultStatus.SUBMITTED
    messages = _messages(response)
    assert "Nothing was changed: 1 of the 2 selected items cannot be approved." in messages
    assert any(message.startswith("NG.1") and "Not entered" in message for message in messages)
    assert not any(message.startswith("OK.1") for message in messages)


def test_a_selection_is_returned_with_one_comment_on_each_item(client, planner, plan, welfare):
    results = [_submitted(plan, welfare) for _ in range(2)]
    client.force_login(planner)

    _select(client, results, "return", comment="目標値の根拠を追記してください")

    for result in results:
        result.refresh_from_db()
        assert result.status == ResultStatus.RETURNED
        assert result.comments.get().body == "目標値の根拠を追記してください"


def test_returning_a_selection_without_a_comment_is_refused(client, planner, plan, welfare):
    results = [_submitted(plan, welfare) for _ in range(2)]
    client.force_login(planner)

    response = _select(client, results, "return", comment="　")

    assert set(Result.objects.filter(pk__in=[r.pk for r in results]).values_list("status", flat=True)) == {
        ResultStatus.SUBMITTED
    }
    assert any("Nothing was returned" in message for message in _messages(response))


def test_a_selection_changed_after_the_list_was_opened_is_refused(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    stale = Result.objects.get(pk=result.pk)
    stale.version -= 1  # the list was opened before the submission
    client.force_login(planner)

    response = _select(client, [stale], "approve")

    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED
    assert any("after you opened the list" in message for message in _messages(response))


@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_department_staff_and_viewers_cannot_review_a_selection(client, request, who, plan, housing):
    result = _submitted(plan, housing)
    client.force_login(request.getfixturevalue(who))

    response = _select(client, [result], "approve")

    assert response.status_code == 403
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED


# The item page --------------------------------------------------------------------------------


def _item(client, result):
    return client.get(reverse("review_item", args=[result.pk]), HTTP_ACCEPT_LANGUAGE="en")


def _act(client, result, action, version=None, comment=""):
    return client.post(
        reverse("review_action", args=[result.pk, action]),
        {"version": result.version if version is None else version, "comment": comment},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_item_page_shows_the_indicator_in_context_with_values_history_and_comments(client, planner, plan, welfare):
    indicator_fields = {
        "baseline_text": "65.7%",
        "baseline_as_of": "令和5年度見込み",
        "footnote": "※2",
        "code": "1-1-1",
    }
    result = _submitted(plan, welfare, actual="139", target=Decimal(60), **indicator_fields)
    earlier = make_result(result.indicator, fiscal_year=2023, actual=Decimal(55), grade=Grade.B)
    ResultComment.objects.create(result=result, author=planner, body="確認します")
    client.force_login(planner)

    response = _item(client, result)
    page = response.content.decode()

    assert response.status_code == 200
    for text in ("65.7%", "令和5年度見込み", "※2", "めざす姿1", "推進施策1", "保健福祉政策課", "231.7%", "確認します"):
        assert text in page
    assert response.context["earlier"][0][0] == earlier
    history = response.context["history"]
    assert history[-1].created
    changed = {(change.field, change.old, change.new) for event in history for change in event.changes}
    assert ("actual value", None, Decimal(139)) in changed
    assert ("status", ResultStatus.DRAFT, ResultStatus.SUBMITTED) in changed
    assert '<span class="change-list__old">—</span>' in page
    assert '<span class="change-list__new">139</span>' in page
    assert '<span class="change-list__new">Submitted</span>' in page
    assert response.context["actions"] == [Action.APPROVE, Action.RETURN]


def test_item_page_query_count_does_not_grow_with_comments_sub_items_or_earlier_years(client, planner, plan, welfare):
    def queries(result):
        with CaptureQueriesContext(connection) as captured:
            assert _item(client, result).status_code == 200
        return len(captured)

    client.force_login(planner)
    simple = _submitted(plan, welfare)
    make_result(simple.indicator, fiscal_year=2023, actual=Decimal(50))
    ResultComment.objects.create(result=simple, author=planner, body="確認します")
    few = queries(simple)
    busy = _submitted(plan, welfare, sub_items=("a", "b", "c"))
    for year in (2021, 2022, 2023):
        make_result(busy.indicator, fiscal_year=year, actual=Decimal(50))
    for number in range(6):
        ResultComment.objects.create(result=busy, author=make_user(department=welfare), body=f"コメント{number}")

    assert queries(busy) == few


def test_planning_section_approves_an_item(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    client.force_login(planner)

    response = _act(client, result, "approve")

    result.refresh_from_db()
    assert response.status_code == 302
    assert (result.status, result.updated_by, result.reviewed_version) == (
        ResultStatus.APPROVED,
        planner,
        result.version,
    )
    assert _item(client, result).context["actions"] == [Action.REOPEN]


def test_returning_an_item_needs_a_comment(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    client.force_login(planner)

    refused = _act(client, result, "return", comment=" ")
    result.refresh_from_db()
    assert result.status == ResultStatus.SUBMITTED
    assert "Write a comment for the department." in _messages(refused)

    _act(client, result, "return", comment="実績の出典を教えてください")
    result.refresh_from_db()
    assert result.status == ResultStatus.RETURNED
    assert result.comments.get().kind == CommentKind.RETURN


def test_reopening_an_approved_item_needs_a_reason_and_is_on_the_record(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    result = review(result, Action.APPROVE, user=planner, expected_version=result.version)
    client.force_login(planner)

    _act(client, result, "reopen", comment="")
    assert Result.objects.get(pk=result.pk).status == ResultStatus.APPROVED

    _act(client, result, "reopen", comment="集計誤りの連絡があったため")
    result.refresh_from_db()
    assert result.status == ResultStatus.RETURNED
    comment = result.comments.get()
    assert (comment.kind, comment.author, comment.body) == (CommentKind.REOPEN, planner, "集計誤りの連絡があったため")
    statuses = [
        change.new for event in result_history_of(result) for change in event.changes if change.field == "status"
    ]
    assert statuses[-2:] == [ResultStatus.APPROVED, ResultStatus.RETURNED]


def result_history_of(result):
    from evaluation.queries.history import result_history

    return result_history(result)


def test_approving_an_item_that_is_not_submitted_is_refused(client, planner, plan, welfare):
    result = make_result(make_indicator(plan, department=welfare))
    client.force_login(planner)

    response = _act(client, result, "approve")

    assert Result.objects.get(pk=result.pk).status == ResultStatus.NOT_ENTERED
    assert "“Approve” is not possible while the item is “Not entered”." in _messages(response)


def test_approval_is_refused_when_the_values_changed_after_the_reviewer_opened_the_item(
    client, planner, plan, housing, staff
):
    result = _submitted(plan, housing, actual="100", user=staff)
    client.force_login(planner)
    seen_version = _item(client, result).context["result"].version
    # The department withdraws, corrects the actual and resubmits while the reviewer reads.
    from evaluation.services.results import transition

    result = transition(result, Action.WITHDRAW, user=staff, expected_version=result.version)
    result = enter_actual(result, staff, 70, reason="事業縮小のため", then_submit=True)

    response = _act(client, result, "approve", version=seen_version)

    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED
    (message,) = _messages(response)
    assert message.startswith("Approval refused: after you opened this item,")
    assert "居住 太郎" in message or "太郎 居住" in message
    assert "actual value: 100 → 70" in message


def test_department_staff_open_their_own_item_read_only(client, staff, plan, housing):
    result = _submitted(plan, housing)
    client.force_login(staff)

    response = _item(client, result)

    assert response.status_code == 200
    assert response.context["actions"] == []
    assert reverse("review_action", args=[result.pk, "approve"]) not in response.content.decode()
    assert response.context["can_comment"]


def test_department_staff_cannot_open_another_departments_item(client, staff, plan, welfare):
    result = _submitted(plan, welfare)
    client.force_login(staff)

    assert _item(client, result).status_code == 404


def test_department_staff_cannot_approve_even_with_a_forged_post(client, staff, plan, housing):
    result = _submitted(plan, housing)
    client.force_login(staff)

    response = _act(client, result, "approve")

    assert response.status_code == 403
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED


def test_viewer_reads_an_item_but_cannot_act_or_comment(client, viewer, plan, housing):
    result = _submitted(plan, housing)
    client.force_login(viewer)

    page = _item(client, result)
    approve = _act(client, result, "approve")
    comment = client.post(reverse("review_comment", args=[result.pk]), {"body": "意見"})

    assert page.status_code == 200
    assert (page.context["actions"], page.context["can_comment"]) == ([], False)
    assert (approve.status_code, comment.status_code) == (403, 403)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED
    assert not ResultComment.objects.exists()


def test_planning_section_and_the_owning_department_comment(client, planner, staff, plan, housing):
    result = _submitted(plan, housing)

    client.force_login(planner)
    client.post(reverse("review_comment", args=[result.pk]), {"body": "数値の出典は？"})
    client.force_login(staff)
    client.post(reverse("review_comment", args=[result.pk]), {"body": "区民意識調査です"})
    empty = client.post(reverse("review_comment", args=[result.pk]), {"body": "  "}, HTTP_ACCEPT_LANGUAGE="en")

    thread = list(result.comments.order_by("created_at").values_list("author__username", "kind", "body"))
    assert thread == [("planner", "comment", "数値の出典は？"), ("staff", "comment", "区民意識調査です")]
    assert "Write a comment." in _messages(empty)


def test_unknown_action_is_not_found(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    client.force_login(planner)

    assert _act(client, result, "submit").status_code == 404
    by_get = client.get(reverse("review_action", args=[result.pk, "approve"]))
    assert (by_get.status_code, by_get.url) == (302, reverse("review_item", args=[result.pk]))
    result.refresh_from_db()
    assert result.status == ResultStatus.SUBMITTED


def test_activity_item_shows_its_plan_values(client, planner, plan, welfare):
    indicator = make_indicator(plan, department=welfare, kind=IndicatorKind.ACTIVITY)
    result = make_result(indicator, target=None)
    result.values.update(original_plan_value=Decimal(1830), revised_plan_value=Decimal(1900))
    client.force_login(planner)

    page = _item(client, result).content.decode()

    assert "1,830" in page and "1,900" in page


# One display: the same value prints the same on every page -------------------------------------


def test_the_queue_shows_the_last_update_in_japan_time(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    Result.objects.filter(pk=result.pk).update(updated_at=datetime.datetime(2024, 6, 30, 15, 30, tzinfo=datetime.UTC))
    client.force_login(planner)

    page = client.get(reverse("review_queue", args=[2024]), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert '<span class="review-table__when">2024/07/01 0:30</span>' in page
    assert "2024/06/30" not in page


def test_an_achievement_prints_the_same_on_the_queue_the_item_and_the_entry_page(client, planner, plan, welfare):
    staff = make_user(department=welfare)
    result = _submitted(plan, welfare, actual="100", target=Decimal(100), user=staff)
    client.force_login(planner)
    queue = _queue(client).content.decode()
    item = _item(client, result).content.decode()
    client.force_login(staff)
    entry = client.get(reverse("entry_department", args=[welfare.pk, 2024])).content.decode()

    for page in (queue, item, entry):
        assert "100.0%" in page


# Bad input: a message, nothing saved, never a 500 -----------------------------------------------------


@pytest.mark.parametrize("body", ["確認\x00しました", "\x1b[31m"])
def test_a_comment_with_a_control_character_is_refused_with_a_message(client, planner, plan, housing, body):
    """The issue's 500: a NUL byte in a comment (PostgreSQL refuses it in a text column)."""
    result = _submitted(plan, housing)
    client.force_login(planner)

    response = client.post(reverse("review_comment", args=[result.pk]), {"body": body}, HTTP_ACCEPT_LANGUAGE="en")
    in_japanese = client.post(reverse("review_comment", args=[result.pk]), {"body": body}, HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 302
    assert any("Comment contains a control character" in message for message in _messages(response))
    assert any("コメントに使えない制御文字" in message for message in _messages(in_japanese))
    assert not result.comments.exists()


def test_a_return_with_a_control_character_in_its_comment_is_refused(client, planner, plan, welfare):
    result = _submitted(plan, welfare)
    client.force_login(planner)

    response = client.post(
        reverse("review_action", args=[result.pk, "return"]),
        {"version": result.version, "comment": "修正を\x00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert any("Comment contains a control character (U+0000)" in message for message in _messages(response))
    result.refresh_from_db()
    assert (result.status, result.comments.count()) == (ResultStatus.SUBMITTED, 0)


def test_a_selections_comment_with_a_control_character_is_refused_and_kept(client, planner, plan, welfare):
    results = [_submitted(plan, welfare) for _ in range(2)]
    client.force_login(planner)

    response = _select(client, results, "return", comment="根拠を\x07追記")

    assert any("contains a control character (U+0007)" in message for message in _messages(response))
    assert {result.status for result in Result.objects.filter(pk__in=[r.pk for r in results])} == {
        ResultStatus.SUBMITTED
    }


@pytest.mark.parametrize(
    ("field", "value"), [("version", "１"), ("version", "9" * 30), ("version", "²"), ("selected", "1e3")]
)
def test_a_selection_or_version_that_is_no_id_is_a_bad_request(client, planner, plan, welfare, field, value):
    result = _submitted(plan, welfare)
    client.force_login(planner)

    if field == "version":
        response = client.post(reverse("review_action", args=[result.pk, "approve"]), {"version": value})
    else:
        response = client.post(reverse("review_selection", args=[2024]), {"action": "approve", "selected": value})

    assert response.status_code == 400
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED


@pytest.mark.parametrize("next_url", ["-1", "review_queue", "//elsewhere.example/", "https://elsewhere.example/"])
def test_a_selections_next_page_is_only_a_path_of_this_site(client, planner, plan, next_url):
    """redirect() took a bare word for a URL name and failed (a 500)."""
    client.force_login(planner)

    response = client.post(reverse("review_selection", args=[2024]), {"action": "approve", "next": next_url})

    assert (response.status_code, response["Location"]) == (302, reverse("review_queue", args=[2024]))


@pytest.mark.parametrize("per_page", ["-1", "0", "9" * 30, "x"])
def test_the_queue_keeps_its_page_size_whatever_the_address_says(client, planner, plan, welfare, per_page):
    """django-tables2 read ?per_page= and the paginator failed on -1 (a 500)."""
    [_submitted(plan, welfare) for _ in range(3)]
    client.force_login(planner)

    response = _queue(client, f"?per_page={per_page}")

    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == 50
