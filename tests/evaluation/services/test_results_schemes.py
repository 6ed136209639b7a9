"""The submission's checks (results.submission_problems, the one place a page, a sheet and a command
submit through) ask a note wherever the scheme says so: an activity volume 中止 in あきる野's scheme needs
one as an outcome does; Setagaya's 集計中 needs none, on an activity or an outcome."""

import pytest

from evaluation.domain.enums import ActualState, IndicatorKind, ResultStatus
from evaluation.domain.workflow import TransitionRefused
from evaluation.models import Result
from evaluation.services.results import ActualInput, save_draft, submission_problems, submit
from tests.builders import make_indicator, make_plan, make_result

pytestmark = pytest.mark.django_db


def _activity(plan, department):
    return make_result(make_indicator(plan, department=department, kind=IndicatorKind.ACTIVITY), target=None)


def _save(result, user, state: str, reason: str = ""):
    value = result.values.get()
    return save_draft(
        result, user=user, expected_version=result.version, actuals={value.pk: ActualInput(state)}, reason=reason
    )


@pytest.mark.usefixtures("english")
def test_an_activity_cancelled_without_a_note_is_refused_and_with_one_is_submitted(staff, department):
    result = _save(_activity(make_plan(scheme="akiruno"), department), staff, "cancelled")

    assert submission_problems(result, list(result.values.all())) == ["Write a note on why the figure is 「中止」."]
    with pytest.raises(TransitionRefused):
        submit(result, user=staff, expected_version=result.version)

    result = _save(Result.objects.get(pk=result.pk), staff, "cancelled", reason="会場の改修で中止")
    assert submit(result, user=staff, expected_version=result.version).status == ResultStatus.SUBMITTED


def test_an_activity_not_started_needs_no_note(staff, department):
    result = _save(_activity(make_plan(scheme="akiruno"), department), staff, "not_started")
    assert submit(result, user=staff, expected_version=result.version).status == ResultStatus.SUBMITTED


def test_a_setagaya_activity_being_tallied_needs_no_note(staff, department):
    result = _save(_activity(make_plan(), department), staff, ActualState.TALLYING)
    assert submit(result, user=staff, expected_version=result.version).status == ResultStatus.SUBMITTED
