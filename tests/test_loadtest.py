"""The load test's browsers and checks (loadtest/, `make loadtest`) on the real pages, so that they
cannot rot when the pages change: the entry form read from the page and sent back as a browser sends
it changes nothing, a value typed into it is saved; a stale save of a row is read as the conflict the
page shows; the checks pass on what really happened and fail on a lost update, a value the database
does not hold, and a save the server said was refused but kept. No timing is asserted."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from bench.builders import build_plan
from bench.plan import PlanShape
from departments.enums import Role
from departments.models import Membership
from evaluation.domain.enums import IndicatorKind, ResultStatus
from evaluation.models import ResultValue
from loadtest import browser
from loadtest.check import Checks, check_history, check_values, same_value
from loadtest.prepare import add_people, load_database_url


@pytest.fixture
def bench(db):
    return build_plan(PlanShape.of_size(20))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class EntryPage:
    """A department's entry page in one browser, as loadtest/locustfile.py reads and sends it."""

    def __init__(self, client: Client, department, fiscal_year: int):
        self.client = client
        self.url = reverse("entry_department", args=[department.pk, fiscal_year])
        self.open()

    def open(self):
        self.take(self.client.get(self.url))

    def take(self, response):
        assert response.status_code == 200
        self.document = browser.parse(response.content)
        self.form = browser.form_with_button(self.document, "save")
        self.rows = browser.page_rows(self.document)

    def editable(self) -> list[browser.Row]:
        return [row for row in self.rows.values() if row.editable and not row.ticked]

    def save(self, changes: dict[str, str], action: str = "save", selected: tuple[browser.Row, ...] = ()):
        values = browser.with_changes(browser.form_values(self.form), changes)
        values += [(row.select_name, "on") for row in selected]
        values.append(browser.submit_button(self.form, action))
        data: dict[str, list[str]] = {}
        for name, value in values:
            data.setdefault(name, []).append(value)
        return self.client.post(self.form.get("action"), data)


def attempt(user, row: browser.Row, fields: dict[str, str], outcome: str, sent: float) -> dict:
    return {
        "user": user.username,
        "result": row.result_id,
        "version": row.version,
        "fields": fields,
        "outcome": outcome,
        "sent": sent,
        "answered": time.time(),
    }


def test_the_entry_form_sent_back_as_read_changes_nothing_and_a_typed_value_is_saved(bench):
    user = bench.entry_user(bench.typical)
    page = EntryPage(signed_in(user), bench.typical, bench.fiscal_year)
    row = page.editable()[0]
    name = next(iter(row.text_fields))
    versions = {pk: other.version for pk, other in page.rows.items()}

    unchanged = page.save({})
    page.open()

    assert unchanged.status_code == 302
    assert {pk: other.version for pk, other in page.rows.items()} == versions

    saved = page.save({name: "4321"})
    page.open()

    assert saved.status_code == 302
    assert page.rows[row.result_id].version == str(int(row.version) + 1)
    assert same_value("4321", page.rows[row.result_id].text_fields[name])
    value_id = int(name.rsplit("_", 1)[1])
    assert ResultValue.objects.get(pk=value_id).actual_value == 4321


def test_a_stale_save_is_read_as_the_conflict_and_the_checks_hold_on_what_happened(bench):
    first = bench.entry_user(bench.typical)
    second = add_people(bench, users=3, pairs=1, planners=3)["entry_users"][-1]
    second = type(first).objects.get(username=second["username"])
    assert Membership.objects.filter(user=second, department=bench.typical, role=Role.ENTRY).exists()
    mine = EntryPage(signed_in(first), bench.typical, bench.fiscal_year)
    theirs = EntryPage(signed_in(second), bench.typical, bench.fiscal_year)
    row = mine.editable()[0]
    name = next(iter(row.text_fields))

    sent = time.time()
    assert mine.save({name: "111"}).status_code == 302
    accepted = attempt(first, row, {name: "111"}, "accepted", sent)
    sent = time.time()
    answer = theirs.save({name: "222"})
    theirs.take(answer)
    said = theirs.rows[row.result_id].says
    refused = attempt(second, row, {name: "222"}, said, sent)

    assert answer.status_code == 200 and said == browser.CONFLICT
    checks = Checks()
    check_values([accepted, refused], checks)
    check_history([accepted, refused], checks)
    assert checks.ok, checks.lines()
    assert "1 conflicting row saves: 1 with the conflict message" in "\n".join(checks.lines())

    # The checks fail on what would be wrong: both saves accepted from one version (an update lost,
    # and the database holding only one of them), and a save said refused that the record shows saved.
    lost = Checks()
    check_values([accepted, {**refused, "outcome": "accepted"}], lost)
    assert [ok for ok, _text, _problems in lost.results] == [False, False]
    kept = Checks()
    check_history([{**accepted, "outcome": browser.CONFLICT}], kept)
    assert not kept.ok


def test_a_save_of_the_last_open_row_a_colleague_just_submitted_is_read_as_not_taken(bench):
    """The load test's rare "missing from the page" (issue 11): two staff of a department type into
    its last row still open; one submits it; the other's save of it is answered with the page drawn
    again, the row read-only with why it was not taken. With no row left to change the page draws its
    form without buttons: the rows are read from the form that holds them, not from the one with
    the save button (there is none), which found no row at all."""
    first = bench.entry_user(bench.typical)
    second = add_people(bench, users=3, pairs=1, planners=3)["entry_users"][-1]
    second = type(first).objects.get(username=second["username"])
    results = bench.results_of(bench.typical)
    last = results.filter(
        indicator__kind=IndicatorKind.ACTIVITY,
        status__in=(ResultStatus.NOT_ENTERED, ResultStatus.DRAFT, ResultStatus.RETURNED),
    ).first()
    results.exclude(pk=last.pk).update(status=ResultStatus.APPROVED)
    mine = EntryPage(signed_in(first), bench.typical, bench.fiscal_year)
    theirs = EntryPage(signed_in(second), bench.typical, bench.fiscal_year)
    row = theirs.rows[last.pk]
    name = next(iter(row.text_fields))
    assert [pk for pk, other in theirs.rows.items() if other.editable] == [last.pk]

    submitted = mine.save({name: "111"}, action="submit_selected", selected=(mine.rows[last.pk],))
    sent = time.time()
    answer = theirs.save({name: "222"})
    document = browser.parse(answer.content)
    shown = browser.page_rows(document).get(last.pk)

    assert submitted.status_code == 302
    last.refresh_from_db()
    assert last.status in (ResultStatus.SUBMITTED, ResultStatus.AWAITING_HEAD)
    assert answer.status_code == 200
    assert browser.form_with_button(document, "save") is None  # no row left to change: no buttons
    assert shown is not None and not shown.editable and shown.says == browser.NOT_TAKEN
    checks = Checks()
    check_history([attempt(second, row, {name: "222"}, shown.says, sent)], checks)
    assert checks.ok, checks.lines()
    assert "1 with the row's no-longer-yours message" in "\n".join(checks.lines())


def test_the_load_database_sits_beside_the_given_one():
    assert load_database_url("postgres://u@h:5432/mezasu?sslmode=require") == (
        "postgres://u@h:5432/mezasu_loadtest?sslmode=require"
    )


def test_a_form_is_serialised_as_a_browser_sends_it():
    page = browser.parse(
        '<form method="post"><input type="hidden" name="v" value="3"><input name="empty">'
        '<input type="checkbox" name="ticked" checked><input type="checkbox" name="not_ticked">'
        '<select name="grade"><option value="">ー</option><option value="B" selected>B</option></select>'
        '<select name="first"><option value="x">x</option></select>'
        '<textarea name="reason">\n理由 &amp; 根拠</textarea><input name="off" value="1" disabled>'
        '<button type="submit" name="action" value="save">保存</button></form>'
    )
    form = browser.form_with_button(page, "save")

    assert browser.form_values(form) == [
        ("v", "3"),
        ("empty", ""),
        ("ticked", "on"),
        ("grade", "B"),
        ("first", "x"),
        ("reason", "理由 & 根拠"),
    ]
    assert browser.submit_button(form, "save") == ("action", "save")
