"""Approved items are locked: every write path refuses to change them (the entry page's service, the entry
sheet, the admin's forms, inlines, deletes and actions, the plan workbook import, the revision)."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import ActualState, ResultStatus, RevisionField
from evaluation.domain.workflow import Action, TransitionRefused
from evaluation.models import EntryUpload, Indicator, Result, ResultValue
from evaluation.services.guards import ItemApproved
from evaluation.services.results import submit, transition
from evaluation.services.revisions import revise
from evaluation.workbook.entry_sheet import UploadRefused, apply_entry_upload
from evaluation.workbook.plan_columns import PLAN_COLUMNS as COLUMNS
from evaluation.workbook.plan_import import ImportRefused, import_plan_file
from tests.builders import (
    add_membership,
    enter_actual,
    make_department,
    make_indicator,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DEMO_CSV = Path(__file__).resolve().parents[2] / "evaluation" / "demo_data" / "setagaya-r6.csv"


@pytest.fixture
def department():
    return make_department("福祉課")


@pytest.fixture
def approved(department):
    indicator = make_indicator(make_plan(), department=department, code="1-1")
    make_open_year(indicator.plan)
    return make_result(indicator, target=Decimal(100), actual=Decimal(90), status=ResultStatus.APPROVED)


@pytest.fixture
def superuser():
    return make_user("root", is_staff=True, is_superuser=True)


def _unchanged(result):
    value = ResultValue.objects.get(result=result)
    assert (value.actual_value, value.target_value) == (Decimal(90), Decimal(100))
    assert Result.objects.get(pk=result.pk).status == ResultStatus.APPROVED


# The entry page and the entry sheet -----------------------------------------------------------------


def test_saving_a_draft_of_an_approved_item_is_refused(approved, department):
    staff = make_user(department=department)
    with pytest.raises(TransitionRefused):
        enter_actual(approved, staff, 50)
    _unchanged(approved)


@pytest.mark.parametrize("action", [Action.CONFIRM, Action.RETURN_BY_HEAD, Action.SUBMIT, Action.WITHDRAW])
def test_the_heads_check_and_the_departments_submission_of_an_approved_item_are_refused(approved, department, action):
    approved.indicator.plan.requires_head_check = True
    approved.indicator.plan.save()
    person = make_user("head-and-staff", department=department, role=Role.HEAD)
    add_membership(person, department, Role.ENTRY)

    with pytest.raises(TransitionRefused):
        if action == Action.SUBMIT:
            submit(approved, user=person, expected_version=approved.version)
        else:
            transition(approved, action, user=person, expected_version=approved.version, comment="直して")
    _unchanged(approved)


def test_applying_an_entry_sheet_row_of_an_approved_item_is_refused(approved, department):
    staff = make_user(department=department)
    value = approved.values.get()
    upload = EntryUpload.objects.create(
        user=staff,
        department=department,
        plan=approved.indicator.plan,
        fiscal_year=2024,
        filename="sheet.xlsx",
        rows=[
            {
                "row": 5,
                "code": "1-1",
                "result_id": approved.pk,
                "version": approved.version,
                "reason": "",
                "judged_grade": "",
                "changed": True,
                "measures": [
                    {"value_id": value.pk, "state": ActualState.NUMBER, "value": "50", "text": "", "changed": True}
                ],
            }
        ],
    )
    with pytest.raises(UploadRefused):
        apply_entry_upload(upload, user=staff)
    _unchanged(approved)


# The admin ------------------------------------------------------------------------------------------


def test_the_admin_shows_an_approved_result_read_only_and_refuses_a_post(client, superuser, approved):
    client.force_login(superuser)
    url = reverse("admin:evaluation_result_change", args=[approved.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    value = approved.values.get()
    response = client.post(
        url,
        {
            "indicator": approved.indicator_id,
            "fiscal_year": 2024,
            "reason": "changed",
            "values-TOTAL_FORMS": 1,
            "values-INITIAL_FORMS": 1,
            "values-0-id": value.pk,
            "values-0-result": approved.pk,
            "values-0-measure": value.measure_id,
            "values-0-target_value": "1",
            "values-0-actual_state": ActualState.NUMBER,
            "values-0-actual_value": "1",
            "comments-TOTAL_FORMS": 0,
            "comments-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 403
    _unchanged(approved)


def test_the_admin_refuses_a_post_to_an_approved_results_value(client, superuser, approved):
    client.force_login(superuser)
    value = approved.values.get()
    response = client.post(
        reverse("admin:evaluation_resultvalue_change", args=[value.pk]),
        {"result": approved.pk, "measure": value.measure_id, "actual_state": ActualState.NUMBER, "actual_value": "1"},
    )
    assert response.status_code == 403
    _unchanged(approved)


def test_the_admin_cannot_add_a_value_to_an_approved_result(client, superuser, approved):
    client.force_login(superuser)
    measure = approved.indicator.measures.create(label="b", name="追加")
    response = client.post(
        reverse("admin:evaluation_resultvalue_add"),
        {"result": approved.pk, "measure": measure.pk, "actual_state": ActualState.EMPTY},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not ResultValue.objects.filter(measure=measure).exists()


def test_the_admin_inline_of_an_approved_result_is_read_only(superuser, approved):
    request = RequestFactory().get("/")
    request.user = superuser
    inline = site._registry[Result].get_inline_instances(request, approved)[0]
    assert not inline.has_change_permission(request, approved)
    assert not inline.has_add_permission(request, approved)
    assert not inline.has_delete_permission(request, approved)


def test_the_admin_refuses_to_delete_an_approved_result_or_what_holds_it(client, superuser, approved):
    client.force_login(superuser)
    for url in (
        reverse("admin:evaluation_result_delete", args=[approved.pk]),
        reverse("admin:evaluation_resultvalue_delete", args=[approved.values.get().pk]),
        reverse("admin:evaluation_indicator_delete", args=[approved.indicator_id]),
        reverse("admin:evaluation_measure_delete", args=[approved.values.get().measure_id]),
        reverse("admin:evaluation_plan_delete", args=[approved.indicator.plan_id]),
    ):
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    _unchanged(approved)


def test_the_admin_offers_no_bulk_action_on_results(superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    for model in (Result, ResultValue, Indicator):
        assert site._registry[model].get_actions(request) == {}


def test_the_admin_still_edits_a_result_that_is_not_approved(client, superuser, department):
    result = make_result(make_indicator(make_plan(), department=department))
    client.force_login(superuser)
    value = result.values.get()
    response = client.post(
        reverse("admin:evaluation_resultvalue_change", args=[value.pk]),
        {"result": result.pk, "measure": value.measure_id, "target_value": "120", "actual_state": ActualState.EMPTY},
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.target_value == Decimal(120)
    history = value.history.first()
    assert history.history_user == superuser and history.history_change_reason == "admin"


# The plan workbook import ---------------------------------------------------------------------------


def _rows():
    with DEMO_CSV.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def _write(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_an_import_that_would_change_an_approved_result_is_refused_naming_row_column_and_value(tmp_path):
    import_plan_file(DEMO_CSV)
    result = Result.objects.get(indicator__code="1.8.1.1.O1")
    Result.objects.filter(pk=result.pk).update(status=ResultStatus.APPROVED)
    before = list(ResultValue.objects.order_by("pk").values_list("target_value", "actual_value"))
    import_plan_file(DEMO_CSV)  # unchanged approved rows are fine

    rows = _rows()
    row = next(row for row in rows if row["指標ID"] == "1.8.1.1.O1")
    row["目標"] = "１０．０"
    row["評価理由"] = "書き換え"
    other = next(row for row in rows if row["指標ID"] == "1.1.1.1.O1")
    other["目標"] = "99"  # a change elsewhere is refused with the rest: all or nothing
    with pytest.raises(ImportRefused) as refused:
        import_plan_file(_write(tmp_path / "changed.csv", rows))

    number = rows.index(row) + 2
    found = {(error.row, error.column, error.value) for error in refused.value.errors}
    assert found == {(number, "目標", "１０．０"), (number, "評価理由", "書き換え")}
    assert "approved: ask the planning section to reopen it" in str(refused.value)
    assert list(ResultValue.objects.order_by("pk").values_list("target_value", "actual_value")) == before


def test_an_import_leaves_its_user_and_path_in_the_history():
    user = make_user("importer")
    import_plan_file(DEMO_CSV, user=user)
    history = ResultValue.history.first()
    assert history.history_user == user and history.history_change_reason == "import"


# The revision ---------------------------------------------------------------------------------------


def test_revising_an_approved_item_is_refused(approved):
    planning = make_user(department=make_department("計画課"), role=Role.PLANNING)
    with pytest.raises(ItemApproved):
        revise(approved, user=planning, field=RevisionField.TARGET, new_value="80", reason="r", expected_version=1)
    _unchanged(approved)
