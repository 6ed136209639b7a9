"""Revisions of the plan (修正, ※2 ※3): the revise service and the revise page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import GradingFormula, IndicatorKind, ResultStatus, RevisionField
from evaluation.models import Indicator, Result, ResultValue, Revision
from evaluation.queries import revisions as queries
from evaluation.services.guards import ItemApproved, PermissionRefused, StaleVersion
from evaluation.services.revisions import RevisionRefused, revise
from tests.builders import make_indicator, make_plan, make_result, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "english_client")]


@pytest.fixture
def outcome():
    indicator = make_indicator(make_plan(), code="1-1", baseline_text="30%")
    return make_result(indicator, target=Decimal(100), actual=Decimal(90), status=ResultStatus.DRAFT)


def _regrade(result):
    from evaluation.services.scoring import apply_grades

    values = list(result.values.select_related("measure"))
    apply_grades(result, values)
    for value in values:
        value.save()
    result.save()
    return result


def test_revising_a_target_keeps_old_and_new_regrades_and_bumps_the_version(planner, outcome):
    _regrade(outcome)
    assert outcome.grade == "B"
    revision = revise(
        outcome,
        user=planner,
        field=RevisionField.TARGET,
        new_value="８０",
        reason="区民意識調査にて設問の変更があったため",
        footnote="※３",
        expected_version=outcome.version,
    )
    outcome.refresh_from_db()
    value = outcome.values.get()
    assert value.target_value == Decimal(80)
    assert value.grade == "A" and outcome.grade == "A"
    assert outcome.version == 2 and outcome.revision_reason == "区民意識調査にて設問の変更があったため"
    assert (revision.old_value, revision.new_value, revision.footnote) == ("100", "80", "※3")
    assert revision.changed_by == planner and revision.fiscal_year == 2024
    # the mark is the revision's, for its year: the indicator's own marks (shared by every year) stay
    assert Indicator.objects.get(pk=outcome.indicator_id).footnote == ""
    assert Result.objects.get(pk=outcome.pk).marks == "※3"
    history = ResultValue.history.filter(id=value.pk).first()
    assert history.history_user == planner and history.history_change_reason == "revision"


def test_revising_the_baseline_changes_the_indicator_and_the_measure(planner, outcome):
    revision = revise(
        outcome,
        user=planner,
        field=RevisionField.BASELINE,
        new_value="３５．５％",
        reason="策定時の現況値に誤りがあったため",
        footnote="※2",
        expected_version=outcome.version,
    )
    indicator = Indicator.objects.get(pk=outcome.indicator_id)
    assert indicator.baseline_text == "３５．５％"
    assert indicator.measures.get().baseline_value == Decimal("35.5")
    assert revision.fiscal_year is None and revision.old_value == "30%"
    assert Indicator.history.filter(id=indicator.pk).first().history_user == planner


def test_a_baseline_under_the_progress_formula_regrades_the_other_years(planner):
    plan = make_plan(grading_formula=GradingFormula.PROGRESS)
    indicator = make_indicator(plan, baseline_text="0")
    measure = indicator.measures.get()
    measure.baseline_value = Decimal(0)
    measure.save()
    first = _regrade(make_result(indicator, target=Decimal(100), actual=Decimal(50), status=ResultStatus.DRAFT))
    second = _regrade(make_result(indicator, fiscal_year=2025, target=Decimal(100), actual=Decimal(90)))
    assert second.grade == "B"
    revise(first, user=planner, field=RevisionField.BASELINE, new_value="50", reason="誤り", expected_version=1)
    second.refresh_from_db()
    assert second.values.get().achievement == Decimal("80.0") and second.version == 2


def test_a_baseline_that_would_move_an_approved_years_grade_is_refused(planner):
    plan = make_plan(grading_formula=GradingFormula.PROGRESS)
    indicator = make_indicator(plan, baseline_text="0")
    indicator.measures.update(baseline_value=Decimal(0))
    first = _regrade(make_result(indicator, target=Decimal(100), actual=Decimal(50), status=ResultStatus.DRAFT))
    _regrade(make_result(indicator, fiscal_year=2025, actual=Decimal(90), status=ResultStatus.APPROVED))
    with pytest.raises(RevisionRefused, match="approved"):
        revise(first, user=planner, field=RevisionField.BASELINE, new_value="50", reason="誤り", expected_version=1)
    assert indicator.measures.get().baseline_value == Decimal(0)
    assert not Revision.objects.exists()


def test_revising_a_plan_value_of_an_activity_accepts_text(planner):
    indicator = make_indicator(make_plan(), kind=IndicatorKind.ACTIVITY)
    result = make_result(indicator, target=None)
    revise(
        result,
        user=planner,
        field=RevisionField.REVISED_PLAN,
        new_value="１，８１６件",
        reason="r",
        expected_version=1,
    )
    revise(
        result, user=planner, field=RevisionField.ORIGINAL_PLAN, new_value="課題整理", reason="r", expected_version=2
    )
    value = result.values.get()
    assert value.revised_plan_value == Decimal(1816) and value.original_plan_text == "課題整理"
    with pytest.raises(RevisionRefused, match="is too large"):  # 15 digits are a number typed too large, not a text
        revise(
            result, user=planner, field=RevisionField.REVISED_PLAN, new_value="1" * 15, reason="r", expected_version=3
        )


@pytest.mark.parametrize(
    ("field", "new_value", "reason", "message"),
    [
        (RevisionField.TARGET, "80", "　", "reason"),
        (RevisionField.TARGET, "たくさん", "r", "not a number"),
        (RevisionField.TARGET, "0", "r", "numeric target other than 0"),
        (RevisionField.TARGET, "100", "r", "same as the current"),
        (RevisionField.ORIGINAL_PLAN, "5", "r", "cannot be revised"),
        (RevisionField.TARGET, "1" * 15, "r", "is too large"),
        (RevisionField.TARGET, "80", "誤り\x00", "Reason for the revision contains a control character"),
        (RevisionField.TARGET, "8\x070", "r", "New value contains a control character"),
        (RevisionField.BASELINE, "9" * 20, "r", "is too large"),  # a figure, not a text baseline
    ],
)
def test_a_revision_without_a_reason_or_a_gradable_value_is_refused(
    planner, outcome, field, new_value, reason, message
):
    with pytest.raises(RevisionRefused, match=message):
        revise(outcome, user=planner, field=field, new_value=new_value, reason=reason, expected_version=1)
    assert outcome.values.get().target_value == Decimal(100)


def test_revising_an_approved_item_is_refused_until_reopened(planner, outcome):
    Result.objects.filter(pk=outcome.pk).update(status=ResultStatus.APPROVED)
    with pytest.raises(ItemApproved, match="reopen"):
        revise(outcome, user=planner, field=RevisionField.TARGET, new_value="80", reason="r", expected_version=1)


def test_department_staff_cannot_revise(outcome):
    staff = make_user(department=outcome.indicator.department)
    with pytest.raises(PermissionRefused):
        revise(outcome, user=staff, field=RevisionField.TARGET, new_value="80", reason="r", expected_version=1)


def test_a_revision_from_a_stale_page_is_refused(planner, outcome):
    with pytest.raises(StaleVersion):
        revise(outcome, user=planner, field=RevisionField.TARGET, new_value="80", reason="r", expected_version=0)


def test_the_report_helper_lists_the_years_and_baseline_revisions_by_indicator(planner, outcome):
    revise(outcome, user=planner, field=RevisionField.BASELINE, new_value="31%", reason="r", expected_version=1)
    revise(
        outcome,
        user=planner,
        field=RevisionField.TARGET,
        new_value="90",
        reason="r",
        footnote="※2",
        expected_version=2,
    )
    other_year = make_result(outcome.indicator, fiscal_year=2025)
    revise(other_year, user=planner, field=RevisionField.TARGET, new_value="95", reason="r", expected_version=1)
    grouped = queries.revisions_by_indicator(outcome.indicator.plan, 2024)
    assert [revision.field for revision in grouped[outcome.indicator_id]] == ["baseline", "target"]


# The page ------------------------------------------------------------------------------------------


def test_the_planning_section_revises_a_target_on_the_page(client, planner, outcome):
    client.force_login(planner)
    url = reverse("revise_result", args=[outcome.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"field": "target", "new_value": "９０", "reason": "設問の変更", "footnote": "※3", "expected_version": 1},
        follow=True,
    )
    assert response.status_code == 200
    assert "The revision was recorded." in response.content.decode()
    assert "設問の変更" in response.content.decode()
    assert outcome.values.get().target_value == Decimal(90)


def test_the_page_shows_the_refusal_for_an_approved_item(client, planner, outcome):
    Result.objects.filter(pk=outcome.pk).update(status=ResultStatus.APPROVED)
    client.force_login(planner)
    url = reverse("revise_result", args=[outcome.pk])
    assert "reopen it before revising" in client.get(url).content.decode()
    response = client.post(url, {"field": "target", "new_value": "90", "reason": "r", "expected_version": 1})
    assert response.status_code == 200 and "reopen it before revising" in response.content.decode()
    assert outcome.values.get().target_value == Decimal(100)


def test_the_page_without_a_reason_is_refused(client, planner, outcome):
    client.force_login(planner)
    response = client.post(
        reverse("revise_result", args=[outcome.pk]), {"field": "target", "new_value": "90", "expected_version": 1}
    )
    assert response.status_code == 200 and not Revision.objects.exists()


@pytest.mark.parametrize("role", [Role.ENTRY, Role.VIEWER])
def test_department_staff_and_viewers_are_refused_the_page(client, outcome, role):
    client.force_login(make_user(department=outcome.indicator.department, role=role))
    url = reverse("revise_result", args=[outcome.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"field": "target", "new_value": "1", "reason": "r", "expected_version": 1})
    assert response.status_code == 403
    assert not Revision.objects.exists()


def test_the_review_item_page_links_the_planning_section_to_the_revise_page(client, planner, outcome):
    client.force_login(planner)
    page = client.get(reverse("review_item", args=[outcome.pk])).content.decode()
    assert reverse("revise_result", args=[outcome.pk]) in page
