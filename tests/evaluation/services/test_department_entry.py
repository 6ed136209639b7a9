"""department_entry.save_entries: the entry page's save without a request. Each row comes back saved,
unchanged or refused with why; a refused row changes nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from departments.permissions import entry_department_ids
from evaluation.domain.enums import ActualState, ResultStatus, YearStatus
from evaluation.services.department_entry import Draft, PageAction, RefusedBecause, RowInput, save_entries
from evaluation.services.results import ActualInput
from evaluation.services.results import submit as _submit
from tests.builders import enter_actual, make_department, make_open_year, make_outcome_result, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def year(plan):
    return make_open_year(plan)


def _typed(result, actual, *, reason="理由", version=None, selected=False, changed=True) -> RowInput:
    """The row as the page sends it back: `actual` typed in each of its measures."""
    actuals = {value.pk: ActualInput(ActualState.NUMBER, Decimal(actual)) for value in result.values.all()}
    draft = Draft(expected_version=version or result.version, actuals=actuals, reason=reason)
    return RowInput(result, draft, changed=changed, selected=selected)


def services_submit(result, user):
    result.refresh_from_db()
    return _submit(result, user=user, expected_version=result.version)


def _reloaded(result):
    result.refresh_from_db()
    return result


def test_a_changed_row_is_saved_and_an_unchanged_one_is_left_alone(plan, year, department, staff):
    changed, untouched = make_outcome_result(plan, department), make_outcome_result(plan, department)

    report = save_entries(
        staff, department, year, [_typed(changed, 80), _typed(untouched, 0, changed=False)], PageAction.SAVE
    )

    assert report.rows[changed.pk].saved and report.rows[changed.pk].version == 2
    assert report.rows[untouched.pk].unchanged
    assert (report.saved_count, report.submitted_count, report.all_done) == (1, 0, True)
    assert (_reloaded(changed).status, changed.values.get().actual_value) == (ResultStatus.DRAFT, Decimal(80))
    assert _reloaded(untouched).version == 1


def test_an_unreadable_row_is_refused_and_nothing_is_saved(plan, year, department, staff):
    result = make_outcome_result(plan, department)

    report = save_entries(staff, department, year, [RowInput(result, draft=None)], PageAction.SAVE)

    assert report.rows[result.pk].refused_because == RefusedBecause.UNREADABLE
    assert not report.all_done and _reloaded(result).version == 1


def test_a_stale_version_is_refused_with_what_the_other_person_saved(plan, year, department, staff):
    result = make_outcome_result(plan, department)
    colleague = make_user("colleague", department=department, last_name="世田谷")
    seen = _typed(result, 50)  # the page as this user opened it: version 1
    enter_actual(result, colleague, 77)

    outcome = save_entries(staff, department, year, [seen], PageAction.SAVE).rows[result.pk]

    assert outcome.refused_because == RefusedBecause.STALE and not outcome.saved
    assert outcome.current.version == 2 and outcome.current.updated_by == colleague
    assert "changed by someone else" in outcome.message
    assert _reloaded(result).values.get().actual_value == Decimal(77)


def test_a_closed_year_is_refused_as_closed(plan, year, department, staff):
    result = make_outcome_result(plan, department)
    year.status = YearStatus.CLOSED
    year.save()

    outcome = save_entries(staff, department, year, [_typed(result, 50)], PageAction.SAVE).rows[result.pk]

    assert outcome.refused_because == RefusedBecause.YEAR_CLOSED
    assert "is closed" in outcome.message
    assert _reloaded(result).version == 1


def test_a_submitted_row_is_refused_and_stays_submitted(plan, year, department, staff):
    result = enter_actual(make_outcome_result(plan, department), staff, 100, then_submit=True)

    outcome = save_entries(staff, department, year, [_typed(result, 5)], PageAction.SAVE).rows[result.pk]

    assert outcome.refused_because == RefusedBecause.OUT_OF_HANDS
    assert "Submitted" in outcome.message
    assert outcome.current.status == ResultStatus.SUBMITTED and outcome.current.updated_by == staff
    assert (_reloaded(result).status, result.version) == (ResultStatus.SUBMITTED, 3)


def test_an_unchanged_row_is_not_compared_with_its_version(plan, year, department, staff):
    result = make_outcome_result(plan, department)
    colleague = make_user("colleague", department=department)
    seen = _typed(result, 0, changed=False)  # the page as this user opened it: version 1
    enter_actual(result, colleague, 77)

    report = save_entries(staff, department, year, [seen], PageAction.SAVE)

    assert report.rows[result.pk].unchanged and report.all_done
    assert _reloaded(result).values.get().actual_value == Decimal(77)


def test_a_row_submitted_between_the_pages_read_and_the_save_is_refused_as_out_of_hands(plan, year, department, staff):
    """The page read the row as a draft; a colleague submitted it before the save took its lock."""
    result = enter_actual(make_outcome_result(plan, department), staff, 100)
    as_read = type(result).objects.select_related("indicator__plan").get(pk=result.pk)
    colleague = make_user("colleague", department=department, last_name="世田谷")
    services_submit(result, colleague)

    outcome = save_entries(staff, department, year, [_typed(as_read, 5)], PageAction.SUBMIT_ALL).rows[result.pk]

    assert outcome.refused_because == RefusedBecause.OUT_OF_HANDS and not outcome.saved
    assert outcome.current.updated_by == colleague
    assert (_reloaded(result).status, result.values.get().actual_value) == (ResultStatus.SUBMITTED, Decimal(100))


def test_a_year_closed_between_the_pages_read_and_the_save_is_refused_as_closed(plan, year, department, staff):
    result = make_outcome_result(plan, department)
    type(year).objects.filter(pk=year.pk).update(status=YearStatus.CLOSED)  # `year` still reads open

    outcome = save_entries(staff, department, year, [_typed(result, 5)], PageAction.SAVE).rows[result.pk]

    assert outcome.refused_because == RefusedBecause.YEAR_CLOSED
    assert _reloaded(result).version == 1


def test_another_departments_row_is_refused(plan, year, department, staff):
    theirs = make_outcome_result(plan, make_department("居住支援課"))

    outcome = save_entries(staff, department, year, [_typed(theirs, 50)], PageAction.SAVE).rows[theirs.pk]

    assert outcome.refused_because == RefusedBecause.NOT_ALLOWED
    assert _reloaded(theirs).version == 1


def test_save_and_submit_the_selected_rows(plan, year, department, staff):
    chosen, other = make_outcome_result(plan, department), make_outcome_result(plan, department)

    report = save_entries(
        staff, department, year, [_typed(chosen, 100, selected=True), _typed(other, 100)], PageAction.SUBMIT_SELECTED
    )

    assert report.rows[chosen.pk].saved and report.rows[chosen.pk].submitted
    assert report.rows[other.pk].saved and not report.rows[other.pk].submitted
    assert _reloaded(chosen).status == ResultStatus.SUBMITTED
    assert _reloaded(other).status == ResultStatus.DRAFT


def test_a_submission_without_the_reason_for_c_is_saved_then_refused_as_not_ready(plan, year, department, staff):
    result = make_outcome_result(plan, department)

    outcome = save_entries(staff, department, year, [_typed(result, 50, reason="")], PageAction.SUBMIT_ALL).rows[
        result.pk
    ]

    assert outcome.saved and outcome.refused_because == RefusedBecause.NOT_READY
    assert "Write the reason for grade C." in outcome.message
    assert (_reloaded(result).status, result.grade) == (ResultStatus.DRAFT, "C")


def test_submit_selected_without_a_selection_says_nothing_was_selected(plan, year, department, staff):
    result = make_outcome_result(plan, department)

    report = save_entries(staff, department, year, [_typed(result, 0, changed=False)], PageAction.SUBMIT_SELECTED)

    assert report.nothing_selected and not report.all_done
    assert report.rows[result.pk].unchanged


def _save_queries(staff, department, year, rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = save_entries(staff, department, year, rows, PageAction.SUBMIT_ALL)
    assert report.submitted_count == len(rows)
    return len(queries)


def test_saving_and_submitting_costs_the_same_queries_for_3_rows_and_for_9(plan, year, department, staff):
    """The saves are one transaction and the submissions another, each reading the rows at once and
    writing them at once: nothing grows with the rows (the issue's aim: at most 3 per changed row)."""
    small = [_typed(make_outcome_result(plan, department), 100) for _ in range(3)]
    large = [_typed(make_outcome_result(plan, department), 100) for _ in range(9)]
    entry_department_ids(staff)  # the user's roles are read once, on the first permission check

    assert _save_queries(staff, department, year, small) == _save_queries(staff, department, year, large)


def test_every_row_of_a_bulk_save_leaves_its_history_rows_with_the_user(plan, year, department, staff):
    rows = [make_outcome_result(plan, department) for _ in range(4)]
    untouched = make_outcome_result(plan, department)

    save_entries(
        staff, department, year, [*(_typed(row, 90) for row in rows), _typed(untouched, 0, changed=False)], "save"
    )

    for row in rows:
        latest = row.history.order_by("-history_id").first()
        assert (latest.version, latest.status, latest.history_user, latest.history_type) == (2, "draft", staff, "~")
        value = row.values.get()
        assert value.history.order_by("-history_id").first().actual_value == Decimal(90)
        assert value.history.order_by("-history_id").first().history_user == staff
    assert untouched.history.count() == 1 and untouched.values.get().history.count() == 1


def test_a_stale_row_of_a_bulk_save_is_refused_and_the_others_are_saved(plan, year, department, staff):
    stale, fresh = make_outcome_result(plan, department), make_outcome_result(plan, department)
    seen = _typed(stale, 50)  # the page as this user opened it: version 1
    enter_actual(stale, make_user("colleague", department=department), 77)

    report = save_entries(staff, department, year, [seen, _typed(fresh, 60)], PageAction.SAVE)

    assert report.rows[stale.pk].refused_because == RefusedBecause.STALE and report.rows[fresh.pk].saved
    assert _reloaded(stale).values.get().actual_value == Decimal(77)
    assert (_reloaded(fresh).version, fresh.values.get().actual_value) == (2, Decimal(60))
