"""The evaluation year: open, deadline, extend, close (services and the years page), and a closed
year being read-only to every service that changes a result."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from evaluation.domain.enums import IndicatorKind, ResultStatus, YearStatus
from evaluation.domain.workflow import Action, TransitionRefused
from evaluation.models import EvaluationYear, Plan, Result, ResultValue
from evaluation.services import years
from evaluation.services.results import submit, transition
from tests.builders import enter_actual, make_indicator, make_result

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NEXT_WEEK = TODAY + datetime.timedelta(days=7)
NEXT_MONTH = TODAY + datetime.timedelta(days=30)


# Services ---------------------------------------------------------------------------------------


def test_opening_a_year_creates_the_missing_results_with_one_value_per_measure(plan, department, planner):
    simple = make_indicator(plan, department=department)
    compound = make_indicator(plan, department=department, sub_items=("a", "b"))

    opened = years.open_year(plan, 2025, user=planner, deadline=NEXT_WEEK)

    assert opened.year.status == YearStatus.OPEN and opened.year.deadline == NEXT_WEEK
    assert (opened.results_created, opened.values_created) == (2, 3)
    for indicator, measures in ((simple, 1), (compound, 2)):
        result = Result.objects.get(indicator=indicator, fiscal_year=2025)
        assert result.status == ResultStatus.NOT_ENTERED
        assert result.values.count() == measures
    assert Result.history.filter(fiscal_year=2025, history_user=planner).count() == 2
    assert opened.year.history.get().history_user == planner


def test_opening_a_year_keeps_existing_results_and_their_plan_values(plan, department, planner):
    imported = make_indicator(plan, department=department)
    existing = make_result(imported, fiscal_year=2024, target=Decimal(430), status=ResultStatus.DRAFT)
    make_indicator(plan, department=department)
    version = existing.version

    opened = years.open_year(plan, 2024, user=planner)

    assert opened.results_created == 1
    existing.refresh_from_db()
    assert (existing.status, existing.version) == (ResultStatus.DRAFT, version)
    assert existing.values.get().target_value == Decimal(430)
    assert Result.objects.filter(fiscal_year=2024).count() == 2


def test_opening_refuses_a_year_twice_outside_the_plan_or_by_department_staff(plan, planner, staff):
    years.open_year(plan, 2024, user=planner)
    with translation.override("en"):
        with pytest.raises(years.YearRefused, match="already open"):
            years.open_year(plan, 2024, user=planner)
        with pytest.raises(years.YearRefused, match="outside the plan's period"):
            years.open_year(plan, 2030, user=planner)
        with pytest.raises(years.YearRefused, match="Only the planning section"):
            years.open_year(plan, 2025, user=staff)
        with pytest.raises(years.YearRefused, match="past"):
            years.open_year(plan, 2025, user=planner, deadline=TODAY - datetime.timedelta(days=1))
    assert EvaluationYear.objects.count() == 1


def test_the_deadline_can_be_set_then_only_extended_and_each_change_is_on_the_record(plan, planner):
    year = years.open_year(plan, 2024, user=planner).year

    years.set_deadline(year, NEXT_WEEK, user=planner)
    years.set_deadline(year, NEXT_MONTH, user=planner)
    with translation.override("en"), pytest.raises(years.YearRefused, match="only be extended"):
        years.set_deadline(year, NEXT_WEEK, user=planner)

    year.refresh_from_db()
    assert year.deadline == NEXT_MONTH
    deadlines = list(year.history.order_by("history_date").values_list("deadline", flat=True))
    assert deadlines == [None, NEXT_WEEK, NEXT_MONTH]
    assert set(year.history.values_list("history_user", flat=True)) == {planner.pk}


def test_closing_refuses_while_items_are_not_approved_listing_how_many_per_status(plan, department, planner):
    for status in (ResultStatus.NOT_ENTERED, ResultStatus.NOT_ENTERED, ResultStatus.SUBMITTED, ResultStatus.APPROVED):
        make_result(make_indicator(plan, department=department), status=status)
    year = years.open_year(plan, 2024, user=planner).year

    with translation.override("en"), pytest.raises(years.YearNotReady) as refused:
        years.close_year(year, user=planner)

    assert refused.value.open_counts == {"not_entered": 2, "draft": 0, "submitted": 1, "returned": 0}
    assert "3 items are not approved yet (Not entered 2、Submitted 1)" in str(refused.value.message)
    year.refresh_from_db()
    assert year.status == YearStatus.OPEN


def test_closing_with_open_items_needs_force_and_a_reason_which_is_kept(plan, department, planner):
    make_result(make_indicator(plan, department=department))
    year = years.open_year(plan, 2024, user=planner).year

    with translation.override("en"), pytest.raises(years.YearRefused, match="reason"):
        years.close_year(year, user=planner, force=True, reason="  ")
    years.close_year(year, user=planner, force=True, reason="議会報告のため締切る")

    year.refresh_from_db()
    assert (year.status, year.close_reason) == (YearStatus.CLOSED, "議会報告のため締切る")
    assert year.closed_at is not None


def test_a_year_with_every_item_approved_closes_without_a_reason(plan, department, planner):
    make_result(make_indicator(plan, department=department), status=ResultStatus.APPROVED)
    year = years.open_year(plan, 2024, user=planner).year

    years.close_year(year, user=planner)

    assert EvaluationYear.objects.get().status == YearStatus.CLOSED


def test_a_closed_year_refuses_a_new_deadline_and_a_second_closing(plan, planner):
    year = years.open_year(plan, 2024, user=planner).year
    years.close_year(year, user=planner)

    with translation.override("en"):
        with pytest.raises(years.YearRefused, match="closed"):
            years.set_deadline(year, NEXT_MONTH, user=planner)
        with pytest.raises(years.YearRefused, match="closed"):
            years.close_year(year, user=planner)


# A closed year is read-only to the services of evaluation.services ------------------------------


@pytest.fixture
def closed_year_result(plan, department, planner):
    result = make_result(make_indicator(plan, department=department), status=ResultStatus.DRAFT, actual=Decimal(90))
    submitted = make_result(make_indicator(plan, department=department), status=ResultStatus.SUBMITTED)
    year = years.open_year(plan, 2024, user=planner).year
    years.close_year(year, user=planner, force=True, reason="年度末")
    return result, submitted


def test_saving_a_draft_in_a_closed_year_is_refused(closed_year_result, staff):
    result, _submitted = closed_year_result
    value = result.values.get()
    with translation.override("en"), pytest.raises(TransitionRefused, match="is closed"):
        enter_actual(result, staff, 95)
    assert ResultValue.objects.get(pk=value.pk).actual_value == Decimal(90)


def test_submitting_in_a_closed_year_is_refused(closed_year_result, staff):
    result, _submitted = closed_year_result
    with translation.override("en"), pytest.raises(TransitionRefused, match="is closed"):
        submit(result, user=staff, expected_version=result.version)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.DRAFT


def test_approving_in_a_closed_year_is_refused(closed_year_result, planner):
    _result, submitted = closed_year_result
    with translation.override("en"), pytest.raises(TransitionRefused, match="令和6年度.*is closed"):
        transition(submitted, Action.APPROVE, user=planner, expected_version=submitted.version)
    assert Result.objects.get(pk=submitted.pk).status == ResultStatus.SUBMITTED


def test_results_of_an_open_year_still_change(plan, department, planner, staff):
    result = make_result(make_indicator(plan, department=department), status=ResultStatus.DRAFT, actual=Decimal(90))
    years.open_year(plan, 2024, user=planner)
    submit(result, user=staff, expected_version=result.version)
    assert Result.objects.get(pk=result.pk).status == ResultStatus.SUBMITTED


# The years page ---------------------------------------------------------------------------------


def test_years_page_lists_the_years_with_status_deadline_and_counts(client, plan, department, planner):
    make_result(make_indicator(plan, department=department), status=ResultStatus.SUBMITTED)
    make_result(make_indicator(plan, department=department))
    years.open_year(plan, 2024, user=planner, deadline=NEXT_WEEK)
    client.force_login(planner)

    response = client.get(reverse("years"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["year"].fiscal_year == 2024
    assert row["counts"].by_status[ResultStatus.SUBMITTED] == 1
    assert row["counts"].total == 2
    assert NEXT_WEEK.isoformat() in response.content.decode()
    assert [choice for choice, _label in response.context["open_form"].fields["fiscal_year"].choices] == [
        2025,
        2026,
        2027,
    ]


def test_planning_section_opens_a_year_through_the_page(client, plan, department, planner):
    make_indicator(plan, department=department)
    client.force_login(planner)

    response = client.post(
        reverse("year_open"),
        {"plan": plan.pk, "fiscal_year": 2025, "deadline": NEXT_WEEK.isoformat()},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{reverse('years')}?plan={plan.pk}"
    assert EvaluationYear.objects.get(plan=plan, fiscal_year=2025).deadline == NEXT_WEEK
    assert Result.objects.filter(fiscal_year=2025).count() == 1
    assert "1 result rows were created" in response.content.decode()


def test_planning_section_extends_the_deadline_and_an_earlier_date_is_refused(client, plan, planner):
    year = years.open_year(plan, 2024, user=planner, deadline=NEXT_WEEK).year
    client.force_login(planner)
    url = reverse("year_deadline", args=[year.pk])

    client.post(url, {f"y{year.pk}-deadline": NEXT_MONTH.isoformat()})
    refused = client.post(url, {f"y{year.pk}-deadline": NEXT_WEEK.isoformat()}, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert EvaluationYear.objects.get().deadline == NEXT_MONTH
    assert "only be extended" in refused.content.decode()


def test_closing_through_the_page_confirms_lists_open_items_then_closes_when_forced(client, plan, department, planner):
    make_result(make_indicator(plan, department=department))
    year = years.open_year(plan, 2024, user=planner).year
    client.force_login(planner)
    url = reverse("year_close", args=[year.pk])

    confirm = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 item is not approved yet" in confirm.content.decode()
    refused = client.post(url, {"confirmed": "1"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "1 item is not approved yet (Not entered 1)" in refused.content.decode()
    assert EvaluationYear.objects.get().status == YearStatus.OPEN

    client.post(url, {"confirmed": "1", f"y{year.pk}-force": "on", f"y{year.pk}-reason": "議会日程のため"})
    year.refresh_from_db()
    assert (year.status, year.close_reason) == (YearStatus.CLOSED, "議会日程のため")


@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_years_page_and_its_actions_are_refused_to_department_staff_and_viewers(client, plan, planner, who, request):
    year = years.open_year(plan, 2024, user=planner).year
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("years")).status_code == 403
    assert client.post(reverse("year_open"), {"plan": plan.pk, "fiscal_year": 2025}).status_code == 403
    deadline = {f"y{year.pk}-deadline": NEXT_MONTH.isoformat()}
    assert client.post(reverse("year_deadline", args=[year.pk]), deadline).status_code == 403
    assert client.post(reverse("year_close", args=[year.pk])).status_code == 403
    year.refresh_from_db()
    assert (year.status, year.deadline) == (YearStatus.OPEN, None)
    assert not EvaluationYear.objects.filter(fiscal_year=2025).exists()


def test_years_page_sends_anonymous_visitors_to_the_login_page(client, plan, planner):
    year = years.open_year(plan, 2024, user=planner).year
    for url in (reverse("years"), reverse("year_close", args=[year.pk])):
        response = client.post(url) if "close" in url else client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert EvaluationYear.objects.get().status == YearStatus.OPEN


def test_year_actions_by_get_change_nothing_and_go_to_the_years_page(client, plan, planner):
    year = years.open_year(plan, 2024, user=planner).year
    client.force_login(planner)
    for name in ("year_close", "year_deadline", "year_reopen"):
        response = client.get(reverse(name, args=[year.pk]))
        assert (response.status_code, response.url) == (302, reverse("years"))
    assert client.put(reverse("year_close", args=[year.pk])).status_code == 405
    assert EvaluationYear.objects.get().status == YearStatus.OPEN


# The second year: the plan's period, carried plan values, reopening ----------------------------


@pytest.fixture
def four_year_plan(plan):
    plan.last_fiscal_year = 2027
    plan.save()
    return plan


def _last_year(plan, department, *, kind=IndicatorKind.OUTCOME, **values):
    indicator = make_indicator(plan, department=department, kind=kind)
    make_result(indicator, fiscal_year=2024, target=values.pop("target", None), **values)
    return indicator


def test_the_opening_preview_lists_what_lacks_a_plan_value_and_what_can_be_carried(four_year_plan, department):
    carried = _last_year(four_year_plan, department, target=Decimal(100))
    nothing_before = make_indicator(four_year_plan, department=department)
    already_set = _last_year(four_year_plan, department, target=Decimal(100))
    make_result(already_set, fiscal_year=2025, target=Decimal(120))  # imported for 2025

    preview = years.opening_preview(four_year_plan, 2025)

    assert preview.lacking == [carried, nothing_before]
    assert preview.carriable == [carried]


def test_opening_with_carry_forward_copies_last_years_targets_and_plans_marked_and_on_the_record(
    four_year_plan, department, planner
):
    outcome = _last_year(four_year_plan, department, target=Decimal(100))
    activity = _last_year(four_year_plan, department, kind=IndicatorKind.ACTIVITY)
    ResultValue.objects.filter(result__indicator=activity).update(
        original_plan_value=Decimal(5), revised_plan_value=Decimal(6)
    )

    opened = years.open_year(four_year_plan, 2025, user=planner, carry_forward=True)

    assert opened.values_carried == 2
    target = ResultValue.objects.get(result__indicator=outcome, result__fiscal_year=2025)
    plan_value = ResultValue.objects.get(result__indicator=activity, result__fiscal_year=2025)
    assert (target.target_value, target.carried_from) == (Decimal(100), 2024)
    assert (plan_value.original_plan_value, plan_value.revised_plan_value, plan_value.carried_from) == (
        Decimal(6),  # last year's revised plan is this year's plan
        None,
        2024,
    )
    record = target.history.latest()
    assert record.history_user == planner and "2024" in record.history_change_reason


def test_opening_with_carry_forward_runs_the_same_queries_whatever_the_size_of_the_plan(
    four_year_plan, department, planner
):
    def queries_to_open(fiscal_year: int) -> int:
        user = type(planner).objects.get(pk=planner.pk)  # its roles not yet read, each time
        with CaptureQueriesContext(connection) as queries:
            assert years.open_year(four_year_plan, fiscal_year, user=user, carry_forward=True).values_carried
        return len(queries)

    first = _last_year(four_year_plan, department, target=Decimal(100))
    small = queries_to_open(2025)
    for _ in range(6):
        _last_year(four_year_plan, department, target=Decimal(100))
    Result.objects.filter(fiscal_year=2025).delete()
    EvaluationYear.objects.filter(fiscal_year=2025).delete()
    assert ResultValue.objects.filter(result__indicator=first, result__fiscal_year=2024).exists()
    assert queries_to_open(2025) == small


def test_opening_without_carry_forward_leaves_the_targets_to_the_planning_section(four_year_plan, department, planner):
    outcome = _last_year(four_year_plan, department, target=Decimal(100))
    assert years.open_year(four_year_plan, 2025, user=planner).values_carried == 0
    value = ResultValue.objects.get(result__indicator=outcome, result__fiscal_year=2025)
    assert (value.target_value, value.carried_from) == (None, None)


def test_a_closed_year_reopens_with_its_reason_on_the_record(plan, planner, staff):
    year = years.open_year(plan, 2024, user=planner).year
    years.close_year(year, user=planner)
    with pytest.raises(years.YearRefused):
        years.reopen_year(year, user=planner, reason="　")
    with pytest.raises(years.YearRefused):
        years.reopen_year(year, user=staff, reason="確定値の反映")

    reopened = years.reopen_year(year, user=planner, reason="確定値の反映")

    assert (reopened.status, reopened.reopen_reason) == (YearStatus.OPEN, "確定値の反映")
    record = EvaluationYear.history.filter(id=year.pk).latest()
    assert (record.history_user, record.history_change_reason) == (planner, "確定値の反映")
    with pytest.raises(years.YearRefused):
        years.reopen_year(year, user=planner, reason="二度目")


def test_the_period_is_extended_with_a_reason_and_only_forward(plan, planner):
    with pytest.raises(years.YearRefused):
        years.extend_period(plan, plan.last_fiscal_year, user=planner, reason="延長")
    with pytest.raises(years.YearRefused):
        years.extend_period(plan, 2030, user=planner, reason="")
    extended = years.extend_period(plan, 2030, user=planner, reason="計画の改定まで延長")
    assert extended.last_fiscal_year == 2030
    assert extended.history.latest().history_change_reason == "計画の改定まで延長"


def test_the_pages_open_a_year_after_its_preview_and_reopen_after_a_confirmation(
    client, four_year_plan, department, planner
):
    _last_year(four_year_plan, department, target=Decimal(100))
    client.force_login(planner)

    preview = client.get(
        reverse("year_open"), {"plan": four_year_plan.pk, "fiscal_year": 2025}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "1 indicator has no plan value or target" in preview.content.decode()
    assert not EvaluationYear.objects.filter(fiscal_year=2025).exists()

    client.post(reverse("year_open"), {"plan": four_year_plan.pk, "fiscal_year": 2025, "carry": "on"})
    year = EvaluationYear.objects.get(fiscal_year=2025)
    assert ResultValue.objects.get(result__fiscal_year=2025).carried_from == 2024

    years.close_year(year, user=planner, force=True, reason="テスト")
    url = reverse("year_reopen", args=[year.pk])
    confirm = client.post(url, {f"y{year.pk}-reason": "確定値の反映"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Reopen 令和7年度" in confirm.content.decode()
    year.refresh_from_db()
    assert year.status == YearStatus.CLOSED
    client.post(url, {f"y{year.pk}-reason": "確定値の反映", "confirmed": "1"})
    year.refresh_from_db()
    assert (year.status, year.reopen_reason) == (YearStatus.OPEN, "確定値の反映")


def test_the_close_confirmation_lists_the_items_still_being_tallied(client, plan, department, planner):
    result = make_result(make_indicator(plan, department=department, name="集計中の指標"), actual="集計中")
    year = years.open_year(plan, 2024, user=planner).year
    client.force_login(planner)
    page = client.post(reverse("year_close", args=[year.pk]), {}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 item is still 集計中" in page and result.indicator.name in page
    assert EvaluationYear.objects.get().status == YearStatus.OPEN


def test_a_reason_with_a_control_character_is_refused_by_every_years_service(plan, planner):
    year = years.open_year(plan, 2024, user=planner).year
    make_result(make_indicator(plan))

    with pytest.raises(years.YearRefused, match="U\\+0000"):
        years.close_year(year, user=planner, force=True, reason="議会\x00日程")
    years.close_year(year, user=planner, force=True, reason="議会日程\r\nのため")  # line breaks are text
    with pytest.raises(years.YearRefused, match="U\\+001B"):
        years.reopen_year(year, user=planner, reason="\x1b")
    with pytest.raises(years.YearRefused, match="U\\+0007"):
        years.extend_period(plan, 2030, user=planner, reason="延長\x07")

    year.refresh_from_db()
    plan.refresh_from_db()
    assert (year.status, year.close_reason, plan.last_fiscal_year) == (YearStatus.CLOSED, "議会日程\r\nのため", 2027)


def test_closing_through_the_page_refuses_a_reason_with_a_control_character_before_confirming(
    client, plan, department, planner
):
    make_result(make_indicator(plan, department=department))
    year = years.open_year(plan, 2024, user=planner).year
    client.force_login(planner)
    data = {f"y{year.pk}-force": "on", f"y{year.pk}-reason": "議会\x00日程"}

    for confirmed in ({}, {"confirmed": "1"}):
        response = client.post(reverse("year_close", args=[year.pk]), {**data, **confirmed}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        assert (
            "Reason for closing with open items contains a control character"
            in client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )

    assert EvaluationYear.objects.get().status == YearStatus.OPEN


def test_a_reason_longer_than_its_history_row_holds_is_refused_at_the_field_and_by_the_service(client, plan, planner):
    """PostgreSQL failed on a reason of 101 characters: it is also the history row's change reason."""
    long_reason = "延" * (years.HISTORY_REASON_LENGTH + 1)
    with pytest.raises(years.YearRefused, match="100 文字以内"):
        years.extend_period(plan, 2030, user=planner, reason=long_reason)
    client.force_login(planner)

    response = client.post(
        reverse("plan_period"), {"plan": plan.pk, "last_fiscal_year": 2030, "reason": long_reason}, follow=True
    )

    assert "100" in response.content.decode() and Plan.objects.get(pk=plan.pk).last_fiscal_year == 2027
    assert years.extend_period(plan, 2030, user=planner, reason="延" * 100).last_fiscal_year == 2030
