"""The audit trail: every path leaves a history row with its user; the search, the CSV, and nobody edits it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import AccountEventKind
from accounts.models import AccountEvent
from departments.enums import Role
from departments.models import Membership
from evaluation import display
from evaluation.domain import scheme_files
from evaluation.domain.enums import ResultStatus, RevisionField
from evaluation.models import Indicator, Result, ResultComment, ResultValue
from evaluation.queries import audit
from evaluation.services.regrading import apply_regrading
from evaluation.services.results import ActualInput, save_draft
from evaluation.services.revisions import revise
from evaluation.workbook import audit_export
from tests.builders import (
    enter_actual,
    make_closed_year,
    make_department,
    make_indicator,
    make_plan,
    make_result,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]


@pytest.fixture
def welfare():
    return make_department("福祉課")


@pytest.fixture
def result(welfare):
    indicator = make_indicator(make_plan(), department=welfare, code="1-1", name="相談窓口の認知度")
    return make_result(indicator, target=Decimal(100))


def _entries(**filters):
    with translation.override("en"):
        return audit.describe_rows(list(audit.audit_rows(audit.AuditFilters(**filters))))


def _printed(entry) -> set[tuple[str, str, str]]:
    """(field, old, new) of an entry's changes as the page and the CSV print them."""
    with translation.override("en"):
        return {
            (
                change.field,
                display.field_value(change.model_field, change.old, **entry.figure_style),
                display.field_value(change.model_field, change.new, **entry.figure_style),
            )
            for change in entry.changes
        }


def test_a_saved_actual_is_listed_with_who_what_and_from_what_to_what(result, welfare):
    staff = make_user("tanaka", department=welfare, first_name="田中")
    enter_actual(result, staff, 90)
    entries = _entries(user_id=staff.pk)
    value_entry = next(entry for entry in entries if entry.kind == "result_value")
    assert value_entry.user == staff and display.person(value_entry.user) == "田中"
    assert value_entry.object.startswith("1-1 相談窓口の認知度")
    changes = {field: (old, new) for field, old, new in _printed(value_entry)}
    assert changes["actual value"] == ("—", "90")
    assert changes["actual"] == ("Not entered", "Number")
    status_entry = next(entry for entry in entries if entry.kind == "result")
    assert ("status", "Not entered", "In progress") in _printed(status_entry)


def test_the_import_and_the_revision_leave_their_path_and_user(planner, result):
    revise(result, user=planner, field=RevisionField.TARGET, new_value="80", reason="r", expected_version=1)
    entries = _entries(kind="result_value", user_id=planner.pk)
    assert entries and entries[0].path == "Plan revision"
    assert ("target", "100", "80") in _printed(entries[0])


def test_filters_by_department_indicator_code_kind_and_date(result, welfare):
    other = make_indicator(result.indicator.plan, code="2-1")
    make_result(other)
    Membership.objects.create(user=make_user(), department=welfare)
    assert {entry.kind for entry in _entries(department_id=welfare.pk)} >= {"result", "indicator", "membership"}
    assert all("2-1" not in entry.object for entry in _entries(department_id=welfare.pk))
    assert {entry.object.split()[0] for entry in _entries(indicator_code="2-1")} == {"2-1"}
    assert {entry.kind for entry in _entries(kind="membership")} == {"membership"}
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    assert _entries(date_from=tomorrow) == []
    assert _entries(date_to=timezone.localdate())


def test_a_deletion_is_listed(result):
    ResultValue.objects.filter(result=result).get().delete()
    assert _entries(kind="result_value")[0].action == "Deleted"


def test_the_planning_section_searches_the_trail(client, planner, result):
    client.force_login(planner)
    response = client.get(reverse("audit_trail"), {"indicator_code": "1-1", "kind": "result"})
    assert response.status_code == 200
    assert "1-1 相談窓口の認知度" in response.content.decode()


def test_a_start_date_after_the_end_date_is_refused(client, planner):
    client.force_login(planner)
    response = client.get(reverse("audit_trail"), {"date_from": "2025-01-02", "date_to": "2025-01-01"})
    assert "The start date is after the end date." in response.content.decode()


def test_the_trail_is_paged(client, planner, result):
    for number in range(60):
        Result.objects.filter(pk=result.pk).update(reason="")  # no history: filler rows below
        result.reason = f"理由{number}"
        result.save()
    client.force_login(planner)
    page_two = client.get(reverse("audit_trail"), {"kind": "result", "page": 2})
    assert page_two.status_code == 200 and "51–61 of 61" in page_two.content.decode()


def test_the_csv_export_has_a_bom_and_escapes_formulas(client, planner, result):
    result.reason = "=HYPERLINK(1)"
    result.save()
    client.force_login(planner)
    response = client.get(reverse("audit_export"), {"kind": "result"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["When", "User", "Kind"]
    assert any(row[7] == "'=HYPERLINK(1)" for row in rows[1:])


@pytest.mark.parametrize("role", [Role.ENTRY, Role.VIEWER])
def test_department_staff_and_viewers_are_refused_the_trail_and_the_export(client, welfare, role):
    client.force_login(make_user(department=welfare, role=role))
    assert client.get(reverse("audit_trail")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403


def test_the_trail_refuses_a_post(client, planner):
    client.force_login(planner)
    assert client.post(reverse("audit_trail")).status_code == 405


# The history in the admin: read-only -----------------------------------------------------------------


def test_a_post_to_revert_in_the_admin_is_refused(client, result):
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    indicator = result.indicator
    original_name = indicator.name
    indicator.name = "changed"
    indicator.save()
    first = Indicator.history.filter(id=indicator.pk).order_by("history_date").first()
    client.force_login(admin_user)
    url = reverse("admin:evaluation_indicator_simple_history", args=[indicator.pk, first.history_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": original_name, "_change_history": "1"})
    assert response.status_code == 403
    assert Indicator.objects.get(pk=indicator.pk).name == "changed"


def test_the_admin_history_page_offers_no_revert(client, result):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:evaluation_result_history", args=[result.pk]))
    assert response.status_code == 200
    status = Result.objects.get(pk=result.pk).status
    assert status == ResultStatus.NOT_ENTERED


def test_the_trail_page_prints_through_display_in_japan_time(client, planner, result, welfare):
    staff = make_user("tanaka", department=welfare, first_name="田中")
    enter_actual(result, staff, 90)
    ResultValue.history.update(history_date=datetime.datetime(2024, 6, 30, 15, 30, 5, tzinfo=datetime.UTC))
    client.force_login(planner)

    page = client.get(reverse("audit_trail"), {"kind": "result_value"}).content.decode()

    assert ">2024-07-01 00:30:05</time>" in page
    assert "<td>田中</td>" in page
    assert '<span class="audit-changes__new">90</span>' in page


def _state_entered(welfare, state: str):
    """An あきる野 plan's outcome whose actual the department enters as a state of the scheme (中止 …)."""
    plan = make_plan("あきる野市の計画", scheme="akiruno")
    indicator = make_indicator(plan, department=welfare, code="9-1", name="事業の進捗")
    result = make_result(indicator, target=Decimal(100))
    value = result.values.get()
    staff = make_user("tanaka", department=welfare, first_name="田中")
    save_draft(result, user=staff, expected_version=1, actuals={value.pk: ActualInput(state)}, reason="中止の理由")
    return staff


@pytest.mark.parametrize("closed_then_switched", [False, True])
def test_a_state_of_the_years_scheme_is_named_on_the_trail_and_in_the_csv(
    client, planner, welfare, closed_then_switched
):
    """中止 by its name; also once FY2024 was closed under あきる野's scheme and the plan moved to Setagaya's,
    which has no such state (the trail had printed the stored code)."""
    staff = _state_entered(welfare, "cancelled")
    if closed_then_switched:
        plan = Indicator.objects.get(code="9-1").plan
        make_closed_year(plan, 2024)
        apply_regrading(plan, scheme_files.preset("setagaya"), user=planner)
        plan.refresh_from_db()
        assert plan.scheme.key == "setagaya"
    client.force_login(planner)

    page = client.get(reverse("audit_trail"), {"kind": "result_value"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    lines = _csv_lines(audit.AuditFilters(kind="result_value", user_id=staff.pk))

    assert '<span class="audit-changes__new">中止</span>' in page
    assert "cancelled" not in page
    assert ["actual", "Not entered", "Cancelled"] in [line[5:8] for line in lines]


# Sign-ins, accounts and the admin's deletions ------------------------------------------------------


def _sign_in(client, username, password="pw-for-tests-only"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


def test_sign_ins_failures_and_a_lockout_are_listed_with_the_user_name_tried(client, settings):
    tanaka = make_user("tanaka", first_name="田中")
    _sign_in(client, "tanaka")
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        _sign_in(Client(), "tanaka", "wrong")
    _sign_in(Client(), "ghost", "wrong")

    entries = _entries(kind="sign_in")

    assert [(entry.action, entry.object) for entry in entries[:4]] == [
        ("Sign-in failed", "ghost from 10.0.0.9"),
        ("Sign-in refused: locked out", "tanaka from 10.0.0.9"),
        ("Locked out after 5 failed sign-ins", "tanaka from 10.0.0.9"),
        ("Sign-in failed", "tanaka from 10.0.0.9"),
    ]
    assert entries[-1].action == "Signed in" and entries[-1].user == tanaka and entries[-1].actor == ""
    assert {entry.actor for entry in entries[:-1]} == {"(not signed in)"}
    assert len(_entries(kind="sign_in", user_id=tanaka.pk)) == 1 + settings.AXES_FAILURE_LIMIT + 2  # not ghost's
    assert _entries(kind="sign_in", department_id=make_department().pk) == []


def test_a_comment_deleted_in_the_admin_is_listed_with_what_it_said(client, result, planner):
    comment = ResultComment.objects.create(result=result, author=planner, body="数値を確認してください")
    root = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(root)

    response = client.post(reverse("admin:evaluation_resultcomment_delete", args=[comment.pk]), {"post": "yes"})

    assert response.status_code == 302 and not ResultComment.objects.exists()
    entry = _entries(kind="admin_deletion")[0]
    assert (entry.user, entry.action, entry.path) == (root, "Deleted", "Admin")
    assert entry.object.startswith("comment: ")
    assert ("comment", "数値を確認してください", "—") in _printed(entry)
    assert ("kind", "Comment", "—") in _printed(entry)
    assert _entries(kind="admin_deletion", user_id=planner.pk) == []


def test_a_deletion_with_its_own_history_is_listed_once(client, result):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    value = ResultValue.objects.get(result=result)
    client.post(reverse("admin:evaluation_resultvalue_delete", args=[value.pk]), {"post": "yes"})
    assert [entry.kind for entry in _entries() if entry.action == "Deleted"] == ["result_value"]


def test_a_superuser_flag_given_by_a_command_is_listed_too():
    account = make_user("clerk")
    account.is_superuser = True
    account.save()
    entry = _entries(kind="account")[0]
    assert entry.object == "clerk" and entry.user is None  # no one signed in: "(system)"
    assert ("superuser status", "No", "Yes") in _printed(entry)


def test_the_csv_lists_sign_ins_and_deletions(client, planner, result, settings):
    _sign_in(Client(), "planner", "wrong")
    comment = ResultComment.objects.create(result=result, author=planner, body="=1+1")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.post(reverse("admin:evaluation_resultcomment_delete", args=[comment.pk]), {"post": "yes"})
    client.force_login(planner)

    body = b"".join(client.get(reverse("audit_export")).streaming_content).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(body)))
    assert ["(not signed in)", "Sign-in and session", "planner from 10.0.0.9", "Sign-in failed"] in [
        row[1:5] for row in rows
    ]
    deleted = next(row for row in rows if row[2] == "Deleted in the admin" and row[5] == "comment")
    assert deleted[6:9] == ["'=1+1", "—", "Admin"]  # formula-safe


@pytest.mark.parametrize("count", [3, 30])
def test_a_page_of_events_is_described_in_a_fixed_number_of_queries(count, django_assert_num_queries):
    for number in range(count):
        AccountEvent.objects.create(kind=AccountEventKind.SIGN_IN_FAILED, username=f"user{number}")
    rows = list(audit.audit_rows(audit.AuditFilters(kind="sign_in")))
    with django_assert_num_queries(1):
        assert len(audit.describe_rows(rows)) == count


def _trail_of(count: int, welfare, staff) -> None:
    """`count` indicators with a result and an actual entered, one sign-in failure, a comment deleted."""
    plan = make_plan(f"計画{count}")
    for number in range(count):
        indicator = make_indicator(plan, department=welfare, code=f"{count}-{number}", name=f"指標{number}")
        enter_actual(make_result(indicator, target=Decimal(100)), staff, 90 + number)
        AccountEvent.objects.create(kind=AccountEventKind.SIGN_IN_FAILED, username=f"user{count}-{number}")


def _csv_lines(filters: audit.AuditFilters) -> list[list[str]]:
    with translation.override("en"):
        body = "".join(audit_export.export_csv(filters))
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


@pytest.mark.parametrize("kind", ["", "result_value"])
def test_the_csv_is_written_in_the_same_number_of_queries_whatever_the_trail(kind, welfare, monkeypatch):
    monkeypatch.setattr(audit_export, "CSV_CHUNK", 4)  # several chunks: they cost no query
    staff = make_user("tanaka", department=welfare, first_name="田中")
    _csv_lines(audit.AuditFilters(kind=kind))  # the content types' cache filled once, as in a running server
    counts = []
    for count, total in ((3, 3), (12, 15)):
        _trail_of(count, welfare, staff)
        with CaptureQueriesContext(connection) as queries:
            lines = _csv_lines(audit.AuditFilters(kind=kind))
        counts.append(len(queries))
        assert len([line for line in lines if line[5] == "actual value"]) == total
        assert len([line for line in lines if line[2] == "Sign-in and session"]) == (0 if kind else total)
    assert counts[0] == counts[1]


def test_the_csv_says_what_the_pages_say_of_the_same_rows(welfare, monkeypatch):
    monkeypatch.setattr(audit_export, "CSV_CHUNK", 4)
    staff = make_user("tanaka", department=welfare, first_name="田中")
    _trail_of(5, welfare, staff)
    filters = audit.AuditFilters(user_id=staff.pk)  # the rows before the staff's changes are not in the filter
    with translation.override("en"):
        paged = list(audit_export.csv_lines(audit.describe_rows(list(audit.audit_rows(filters)))))
    assert _csv_lines(filters)[1:] == [[str(cell) for cell in line] for line in paged]
    assert ["actual value", "—", "94"] in [line[5:8] for line in paged]
