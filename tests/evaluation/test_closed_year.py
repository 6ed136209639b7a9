"""A closed year is read-only: every write path refuses to change it, says why, and leaves the database
as it was (values, versions, history rows). The walk of test_locks.py, for the closed year.

The closed year's items here are not approved (a year closed by force, with a reason), so that what
refuses them is the closed-year rule itself and not the approval lock. The plan workbook import is
walked here through the real importer (a re-import of the plan's own export, one figure changed);
its row and column messages are tested with the workbook's own tests (workbook/test_plan_import.py).

A comment on a closed year is refused too: the thread is part of the year's record (returns and
reopenings are in it) and the report is printed from a closed year, so the planning section and the
departments expect it to stay as it was closed; a remark belongs to the next year's evaluation."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import ActualState, Direction, IndicatorKind, ResultStatus, RevisionField, YearStatus
from evaluation.domain.workflow import Action
from evaluation.models import (
    EntryUpload,
    EvaluationYear,
    Indicator,
    Measure,
    Plan,
    Result,
    ResultComment,
    ResultValue,
    Revision,
)
from evaluation.services import guards, years
from evaluation.services import results as services
from evaluation.services.guards import RecordInUse, YearClosed
from evaluation.services.results import ActualInput
from evaluation.services.revisions import revise
from evaluation.workbook.errors import ImportRefused
from evaluation.workbook.plan_export import workbook_rows
from evaluation.workbook.plan_import import import_plan_rows
from tests.builders import make_department, make_graded_result, make_indicator, make_plan, make_result, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "english_client")]

CLOSED = "The evaluation of 令和6年度（2024年度） is closed"
RECORD_IN_USE = "is closed and shows it as it is; it cannot change now"


@pytest.fixture
def department():
    return make_department("福祉課")


@pytest.fixture
def staff(department):
    return make_user("staff", department=department)


@pytest.fixture
def planner():
    return make_user("planner", department=make_department("計画課"), role=Role.PLANNING)


@pytest.fixture
def superuser():
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def year(department):
    plan = make_plan()
    return EvaluationYear.objects.create(plan=plan, fiscal_year=2024, status=YearStatus.CLOSED)


@pytest.fixture
def draft(year, department):
    indicator = make_indicator(year.plan, department=department, code="1-1", baseline_text="30")
    indicator.measures.update(baseline_value=Decimal(30))
    return make_graded_result(indicator, target=Decimal(100), actual=Decimal(90), status=ResultStatus.DRAFT)


@pytest.fixture
def submitted(year, department):
    indicator = make_indicator(year.plan, department=department, code="1-2")
    return make_graded_result(indicator, target=Decimal(100), actual=Decimal(90), status=ResultStatus.SUBMITTED)


@pytest.fixture
def activity(year, department):
    indicator = make_indicator(year.plan, department=department, code="1-3", kind=IndicatorKind.ACTIVITY)
    return make_graded_result(indicator, target=None, actual=Decimal(5), status=ResultStatus.DRAFT)


def _database():
    """Everything a write path could change, with the history row counts."""
    return {
        "results": list(Result.objects.order_by("pk").values()),
        "values": list(ResultValue.objects.order_by("pk").values()),
        "indicators": list(Indicator.objects.order_by("pk").values()),
        "measures": list(Measure.objects.order_by("pk").values()),
        "plans": list(Plan.objects.order_by("pk").values()),
        "years": list(EvaluationYear.objects.order_by("pk").values()),
        "comments": ResultComment.objects.count(),
        "revisions": Revision.objects.count(),
        "history": [model.history.count() for model in (Result, ResultValue, Indicator, Measure, Plan, EvaluationYear)],
    }


@pytest.fixture
def unchanged(draft, submitted, activity):
    """Asserts, after the test, that the database is as it was before."""
    before = _database()
    yield
    assert _database() == before


# The entry page and the entry sheet -----------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("action", ["save", "submit_all"])
def test_the_entry_page_saves_and_submits_nothing_of_a_closed_year(client, staff, department, draft, action):
    client.force_login(staff)
    value = draft.values.get()
    data = {
        f"r{draft.pk}-version": str(draft.version),
        f"r{draft.pk}-reason": "変更",
        f"r{draft.pk}-actual_{value.pk}": "50",
        "action": action,
    }
    response = client.post(reverse("entry_department_save", args=[department.pk, 2024]), data, follow=True)
    assert response.status_code == 200
    assert "evaluation is closed: its entries can no longer be changed" in response.content.decode()


@pytest.mark.usefixtures("unchanged")
def test_the_entry_sheet_upload_of_a_closed_year_is_refused_on_confirm(client, staff, department, draft):
    value = draft.values.get()
    upload = EntryUpload.objects.create(
        user=staff,
        department=department,
        plan=draft.indicator.plan,
        fiscal_year=2024,
        filename="sheet.xlsx",
        rows=[
            {
                "row": 5,
                "code": "1-1",
                "result_id": draft.pk,
                "version": draft.version,
                "reason": "",
                "judged_grade": "",
                "changed": True,
                "measures": [
                    {"value_id": value.pk, "state": ActualState.NUMBER, "value": "50", "text": "", "changed": True}
                ],
            }
        ],
    )
    client.force_login(staff)
    response = client.post(reverse("entry_sheet_confirm", args=[upload.pk]), follow=True)
    assert "Nothing was saved" in response.content.decode()
    assert "not open" in response.content.decode()
    upload.refresh_from_db()
    assert upload.applied_at is None


# The services ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
def test_saving_a_draft_of_a_closed_year_is_refused(staff, draft):
    value = draft.values.get()
    with pytest.raises(YearClosed, match=CLOSED):
        services.save_draft(
            draft,
            user=staff,
            expected_version=draft.version,
            actuals={value.pk: ActualInput(ActualState.NUMBER, Decimal(50))},
            reason="",
        )


@pytest.mark.usefixtures("unchanged")
def test_submitting_an_item_of_a_closed_year_is_refused(staff, draft):
    with pytest.raises(YearClosed, match=CLOSED):
        services.submit(draft, user=staff, expected_version=draft.version)


@pytest.mark.usefixtures("unchanged")
def test_withdrawing_a_submission_of_a_closed_year_is_refused(staff, submitted):
    with pytest.raises(YearClosed, match=CLOSED):
        services.transition(submitted, Action.WITHDRAW, user=staff, expected_version=submitted.version)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("action", [Action.APPROVE, Action.RETURN])
def test_reviewing_an_item_of_a_closed_year_is_refused(planner, submitted, action):
    with pytest.raises(YearClosed, match=CLOSED):
        services.review(submitted, action, user=planner, expected_version=submitted.version, comment="直して")


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("action", [Action.CONFIRM, Action.RETURN_BY_HEAD])
def test_the_heads_check_of_an_item_of_a_closed_year_is_refused(department, submitted, action):
    head = make_user("head", department=department, role=Role.HEAD)
    Result.objects.filter(pk=submitted.pk).update(status=ResultStatus.AWAITING_HEAD)
    submitted.refresh_from_db()

    with pytest.raises(YearClosed, match=CLOSED):
        services.review(submitted, action, user=head, expected_version=submitted.version, comment="直して")
    Result.objects.filter(pk=submitted.pk).update(status=ResultStatus.SUBMITTED)  # as the walk expects it


@pytest.mark.usefixtures("unchanged")
def test_reviewing_a_selection_of_a_closed_year_is_refused_naming_each_item(planner, submitted):
    with pytest.raises(services.SelectionRefused) as refused:
        services.review_selection({submitted.pk: submitted.version}, Action.APPROVE, user=planner)
    [refusal] = refused.value.refusals
    assert refusal.result == submitted and CLOSED in refusal.error.message


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("who", ["staff", "planner"])
def test_commenting_on_an_item_of_a_closed_year_is_refused(request, draft, who):
    with pytest.raises(YearClosed, match=CLOSED):
        services.add_comment(draft, user=request.getfixturevalue(who), body="来年度に向けて")


@pytest.mark.usefixtures("unchanged")
def test_the_item_page_says_why_a_comment_on_a_closed_year_is_refused(client, planner, draft):
    client.force_login(planner)
    response = client.post(reverse("review_comment", args=[draft.pk]), {"body": "来年度に向けて"}, follow=True)
    assert CLOSED in response.content.decode()


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("column", "value"), [("実績", "95"), ("目標", "120"), ("担当所管課", "新しい課")])
def test_a_plan_reimport_that_changes_a_closed_year_is_refused(draft, column, value):
    rows = list(workbook_rows(draft.indicator.plan))
    import_plan_rows(rows, dry_run=True)  # the export as it is passes (it changes nothing of 2024)
    changed = next(row for row in rows if row["指標ID"] == draft.indicator.code)
    changed[column] = value

    with pytest.raises(ImportRefused) as refused:
        import_plan_rows(rows)

    [error] = refused.value.errors
    assert (error.row, error.column, error.value) == (rows.index(changed) + 2, column, value)
    assert CLOSED in error.message or RECORD_IN_USE in error.message


@pytest.mark.usefixtures("unchanged")
def test_the_item_page_of_a_closed_year_offers_no_review_and_no_comment(client, planner, submitted):
    client.force_login(planner)
    page = client.get(reverse("review_item", args=[submitted.pk])).content.decode()
    assert "is closed: its items, their review and their comments are read-only" in page
    assert reverse("review_comment", args=[submitted.pk]) not in page
    assert 'value="approve"' not in page


@pytest.mark.usefixtures("unchanged")
def test_a_regrade_of_a_closed_year_is_refused(superuser, draft):
    with pytest.raises(YearClosed, match=CLOSED):
        services.regrade(draft, user=superuser, change_reason="admin")


@pytest.mark.usefixtures("unchanged")
def test_the_deadline_of_a_closed_year_cannot_change(planner, year):
    import datetime

    with pytest.raises(years.YearRefused, match=CLOSED):
        years.set_deadline(year, datetime.date(2099, 1, 1), user=planner)


# The revisions --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("fixture", "field"),
    [
        ("draft", RevisionField.TARGET),
        ("draft", RevisionField.BASELINE),
        ("activity", RevisionField.ORIGINAL_PLAN),
        ("activity", RevisionField.REVISED_PLAN),
    ],
)
def test_each_kind_of_revision_of_a_closed_year_is_refused(request, planner, fixture, field):
    result = request.getfixturevalue(fixture)
    with pytest.raises(YearClosed, match=CLOSED):
        revise(result, user=planner, field=field, new_value="80", reason="誤り", expected_version=result.version)


@pytest.mark.usefixtures("unchanged")
def test_the_revise_page_of_a_closed_year_says_why_and_records_nothing(client, planner, draft):
    client.force_login(planner)
    url = reverse("revise_result", args=[draft.pk])
    assert CLOSED in client.get(url).content.decode()
    response = client.post(url, {"field": "target", "new_value": "80", "reason": "誤り", "expected_version": 1})
    assert response.status_code == 200 and CLOSED in response.content.decode()


def test_a_baseline_that_a_closed_years_record_shows_cannot_be_revised_from_an_open_year(planner, draft):
    next_year = make_result(draft.indicator, fiscal_year=2025, target=Decimal(100), status=ResultStatus.DRAFT)
    before = _database()
    with pytest.raises(RecordInUse, match=RECORD_IN_USE):
        revise(next_year, user=planner, field=RevisionField.BASELINE, new_value="40", reason="誤り", expected_version=1)
    assert _database() == before


def test_a_target_of_an_open_year_is_still_revised(planner, draft):
    next_year = make_result(draft.indicator, fiscal_year=2025, target=Decimal(100), status=ResultStatus.DRAFT)
    revise(next_year, user=planner, field=RevisionField.TARGET, new_value="80", reason="誤り", expected_version=1)
    assert next_year.values.get().target_value == Decimal(80)


# The admin: results and their values ----------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
def test_the_admin_shows_a_closed_years_result_read_only_and_refuses_a_post(client, superuser, draft):
    client.force_login(superuser)
    url = reverse("admin:evaluation_result_change", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    value = draft.values.get()
    response = client.post(
        url,
        {
            "indicator": draft.indicator_id,
            "fiscal_year": 2024,
            "reason": "changed",
            "values-TOTAL_FORMS": 1,
            "values-INITIAL_FORMS": 1,
            "values-0-id": value.pk,
            "values-0-result": draft.pk,
            "values-0-measure": value.measure_id,
            "values-0-target_value": "1",
            "values-0-actual_state": ActualState.NUMBER,
            "values-0-actual_value": "1",
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 403


@pytest.mark.usefixtures("unchanged")
def test_the_admin_refuses_a_post_to_a_closed_years_value(client, superuser, draft):
    client.force_login(superuser)
    value = draft.values.get()
    response = client.post(
        reverse("admin:evaluation_resultvalue_change", args=[value.pk]),
        {"result": draft.pk, "measure": value.measure_id, "actual_state": ActualState.NUMBER, "actual_value": "1"},
    )
    assert response.status_code == 403


def test_the_admin_inline_of_a_closed_years_result_is_read_only(superuser, draft):
    request = RequestFactory().get("/")
    request.user = superuser
    inline = site._registry[Result].get_inline_instances(request, draft)[0]
    assert not inline.has_change_permission(request, draft)
    assert not inline.has_add_permission(request, draft)
    assert not inline.has_delete_permission(request, draft)


def test_the_admin_adds_no_value_and_no_result_to_a_closed_year(client, superuser, draft):
    client.force_login(superuser)
    other = make_indicator(draft.indicator.plan, department=draft.indicator.department, code="9-9")
    before = _database()
    measure = draft.indicator.measures.get()
    value_page = client.post(
        reverse("admin:evaluation_resultvalue_add"),
        {"result": draft.pk, "measure": measure.pk, "actual_state": ActualState.EMPTY},
    )
    assert value_page.status_code == 200  # the form again, with the error
    result_page = client.post(
        reverse("admin:evaluation_result_add"),
        {
            "indicator": other.pk,
            "fiscal_year": 2024,
            "values-TOTAL_FORMS": 0,
            "values-INITIAL_FORMS": 0,
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
        },
    )
    assert result_page.status_code == 200 and CLOSED in result_page.content.decode()
    assert _database() == before


@pytest.mark.usefixtures("unchanged")
def test_the_admin_deletes_nothing_a_closed_year_shows(client, superuser, draft):
    client.force_login(superuser)
    value = draft.values.get()
    initiative = draft.indicator.initiative
    for url in (
        reverse("admin:evaluation_result_delete", args=[draft.pk]),
        reverse("admin:evaluation_resultvalue_delete", args=[value.pk]),
        reverse("admin:evaluation_indicator_delete", args=[draft.indicator_id]),
        reverse("admin:evaluation_measure_delete", args=[value.measure_id]),
        reverse("admin:evaluation_plan_delete", args=[draft.indicator.plan_id]),
        reverse("admin:evaluation_initiative_delete", args=[initiative.pk]),
        reverse("admin:evaluation_vision_delete", args=[initiative.vision_id]),
        reverse("admin:evaluation_policyarea_delete", args=[initiative.vision.policy_area_id]),
        reverse("admin:evaluation_pillar_delete", args=[initiative.vision.policy_area.pillar_id]),
        reverse("admin:evaluation_evaluationyear_delete", args=[EvaluationYear.objects.get().pk]),
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403, url


@pytest.mark.usefixtures("unchanged")
def test_the_admin_does_not_reopen_a_closed_year(client, superuser, year):
    client.force_login(superuser)
    url = reverse("admin:evaluation_evaluationyear_change", args=[year.pk])
    response = client.post(url, {"plan": year.plan_id, "fiscal_year": 2024, "status": YearStatus.OPEN})
    assert response.status_code == 403


# The admin: the master data a closed year's record rests on ------------------------------------------


def _admin_form_data(page) -> dict:
    """The POST of an admin change page as shown: its form and inline formsets with their values."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _post_change(client, model: str, pk: int, **changes):
    url = reverse(f"admin:evaluation_{model}_change", args=[pk])
    data = {**_admin_form_data(client.get(url)), **changes}
    return client.post(url, data)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "change",
    [
        {"direction": Direction.LOWER},
        {"baseline_text": "35"},
        {"unit": "人"},
        {"measures-0-baseline_value": "35"},
    ],
    ids=["direction", "baseline", "unit", "measure baseline"],
)
def test_the_admin_refuses_an_indicator_change_that_a_closed_year_shows(client, superuser, draft, change):
    client.force_login(superuser)
    response = _post_change(client, "indicator", draft.indicator_id, **change)
    assert response.status_code == 200  # the form again, with the guard's message
    assert RECORD_IN_USE in response.content.decode()


def test_the_admin_changes_the_current_department_and_the_closed_year_keeps_its_own(client, superuser, draft):
    """The department is per year (Result.department): the indicator's is the current one, for new years."""
    client.force_login(superuser)
    other = make_department("別の課")
    response = _post_change(client, "indicator", draft.indicator_id, department=other.pk)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.indicator.department == other
    assert draft.department != other


@pytest.mark.usefixtures("unchanged")
def test_the_admin_refuses_a_measures_baseline_that_a_closed_year_shows(client, superuser, draft):
    client.force_login(superuser)
    response = _post_change(client, "measure", draft.indicator.measures.get().pk, baseline_value="35")
    assert response.status_code == 200 and RECORD_IN_USE in response.content.decode()


@pytest.mark.parametrize("change", [{"threshold_b": "70"}, {"rounding": "down"}, {"achievement_decimals": "2"}])
def test_the_admin_changes_no_grading_rule_around_the_regrading_page(client, superuser, year, change):
    """The rule is read-only in the admin and links to the regrading page; a posted change is ignored
    (the closed year does not refuse it any more: it keeps its own rule, see services/test_regrading.py)."""
    client.force_login(superuser)
    page = client.get(reverse("admin:evaluation_plan_change", args=[year.plan_id])).content.decode()
    assert f"{reverse('year_grading')}?plan={year.plan_id}" in page
    assert 'name="threshold_b"' not in page
    plans = list(Plan.objects.values())
    response = _post_change(client, "plan", year.plan_id, **change)
    assert response.status_code == 302
    assert list(Plan.objects.values()) == plans


def test_the_grading_rule_guard_sends_every_other_path_to_the_regrading(year):
    with pytest.raises(RecordInUse, match="Change the grading rule on the evaluation years page"):
        guards.refuse_plan_grading_change(year.plan, ["grading_scheme"])
    guards.refuse_plan_grading_change(Plan(name="新しい計画"), ["grading_scheme"])  # a new plan takes any scheme
    guards.refuse_plan_grading_change(year.plan, ["name"])


def test_the_admin_still_changes_what_a_closed_year_does_not_show(client, superuser, draft):
    client.force_login(superuser)
    response = _post_change(client, "indicator", draft.indicator_id, name="読みやすい名前")
    assert response.status_code == 302
    assert Indicator.objects.get(pk=draft.indicator_id).name == "読みやすい名前"
    response = _post_change(client, "plan", draft.indicator.plan_id, name="新しい計画名")
    assert response.status_code == 302


@pytest.mark.usefixtures("unchanged")
def test_the_admin_refuses_to_delete_a_measure_a_closed_year_shows_from_its_indicator(client, superuser, draft):
    client.force_login(superuser)
    response = _post_change(client, "indicator", draft.indicator_id, **{"measures-0-DELETE": "on"})
    assert response.status_code == 200
    assert "holds this sub-item; it cannot be deleted" in response.content.decode()


def test_the_admin_adds_no_evaluation_year_around_the_years_page(client, superuser, year):
    client.force_login(superuser)
    assert client.get(reverse("admin:evaluation_evaluationyear_add")).status_code == 403
