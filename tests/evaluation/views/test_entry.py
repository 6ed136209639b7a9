"""The department entry page: who sees what, saving, submitting, the live preview, conflicts, size."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.domain.enums import ActualState, IndicatorKind, ResultStatus, YearStatus
from evaluation.domain.workflow import Action
from evaluation.forms import ResultEntryForm
from evaluation.models import EvaluationYear, ResultComment
from evaluation.services import results as services
from tests.builders import (
    enter_actual,
    make_department,
    make_department_year,
    make_indicator,
    make_open_year,
    make_outcome_result,
    make_result,
    make_user,
)
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def plan(plan):
    """FY2024 open, three days before its deadline."""
    make_open_year(plan, deadline=timezone.localdate() + datetime.timedelta(3))
    return plan


@pytest.fixture
def other_department():
    return make_department("居住支援課")


def _page_url(department, year=2024):
    return reverse("entry_department", args=[department.pk, year])


def _save_url(department, year=2024):
    return reverse("entry_department_save", args=[department.pk, year])


def _row_data(result, actual="", *, reason="", selected=False, version=None):
    """The POST of one row as the page sends it."""
    result.refresh_from_db()
    prefix = f"r{result.pk}"
    data = {f"{prefix}-version": str(version or result.version), f"{prefix}-reason": reason}
    for value in result.values.all():
        data[f"{prefix}-actual_{value.pk}"] = actual
    if selected:
        data[f"{prefix}-selected"] = "on"
    return data


def _unchanged(result):
    value = result.values.get()
    text = "" if value.actual_state != ActualState.NUMBER else f"{value.actual_value.normalize():f}"
    return _row_data(result, text, reason=result.reason)


# Getting there -----------------------------------------------------------------------------------


def test_entry_sends_staff_to_their_department_page_of_the_open_year(client, plan, department, staff):
    make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.get(reverse("entry"))

    assert response.status_code == 302
    assert response["Location"] == _page_url(department)


def test_entry_without_an_open_year_says_so(client, plan, department, staff):
    EvaluationYear.objects.update(status=YearStatus.CLOSED)
    client.force_login(staff)

    response = client.get(reverse("entry"))

    assert response.status_code == 200
    assert response.context["no_open_year"]


def test_entry_lets_the_planning_section_choose_a_department(client, plan, department, planner):
    make_outcome_result(plan, department)
    client.force_login(planner)

    response = client.get(reverse("entry"))

    assert list(response.context["department_choices"]) == [department]


def test_home_page_links_department_staff_to_the_entry_page(client, plan, department, staff):
    make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.get(reverse("home"))

    assert reverse("entry") in response.content.decode()


# The department page -----------------------------------------------------------------------------


def test_department_page_shows_its_own_indicators_with_inputs(client, plan, department, other_department, staff):
    mine = make_outcome_result(plan, department, name="相談窓口の認知度")
    theirs = make_outcome_result(plan, other_department, name="居住支援の件数")
    client.force_login(staff)

    response = client.get(_page_url(department))

    content = response.content.decode()
    assert response.status_code == 200
    assert "相談窓口の認知度" in content and "居住支援の件数" not in content
    assert f'name="r{mine.pk}-actual_' in content
    assert f"r{theirs.pk}-" not in content
    assert "令和6年度（2024年度）" in content
    assert "3 days left" in content


def test_department_page_of_another_department_is_404(client, plan, department, other_department, staff):
    make_outcome_result(plan, other_department)
    client.force_login(staff)

    assert client.get(_page_url(other_department)).status_code == 404


def test_department_page_shows_an_overdue_deadline(client, plan, department, staff):
    make_outcome_result(plan, department)
    EvaluationYear.objects.update(deadline=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(staff)

    assert "Overdue by 2 days" in client.get(_page_url(department)).content.decode()


def test_planning_section_sees_any_department_read_only(client, plan, department, other_department, planner):
    make_outcome_result(plan, other_department, name="居住支援の件数")
    client.force_login(planner)

    response = client.get(_page_url(other_department))

    content = response.content.decode()
    assert response.status_code == 200
    assert "居住支援の件数" in content
    assert '<input type="text"' not in content and "<textarea" not in content
    assert 'value="submit_all"' not in content


def test_viewer_cannot_save(client, plan, department, viewer):
    result = make_outcome_result(plan, department)
    client.force_login(viewer)

    response = client.post(_save_url(department), {**_row_data(result, "50"), "action": "save"})

    assert response.status_code == 404
    result.refresh_from_db()
    assert result.version == 1


def test_last_years_actual_and_the_progress_are_shown(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    make_result(result.indicator, fiscal_year=2023, actual=Decimal(1816))
    Result = type(result)
    Result.objects.filter(pk=result.pk).update(status=ResultStatus.SUBMITTED)
    client.force_login(staff)

    response = client.get(_page_url(department))

    assert "1,816" in response.content.decode()
    progress = response.context["progress"]
    assert (progress.total, progress.entered, progress.submitted, progress.approved) == (1, 1, 1, 0)


def test_page_query_count_does_not_grow_with_the_number_of_indicators(client, plan, department, staff):
    client.force_login(staff)
    make_department_year(plan, department, 3)
    client.get(_page_url(department))  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(_page_url(department)).status_code == 200

    make_department_year(plan, department, 27)
    with CaptureQueriesContext(connection) as large:
        response = client.get(_page_url(department))

    assert len(response.context["progress"].__dict__) and response.context["progress"].total == 30
    assert len(large) == len(small), [query["sql"] for query in large]


# Saving ------------------------------------------------------------------------------------------


def test_save_draft_saves_only_the_changed_rows(client, plan, department, staff):
    changed, untouched = make_outcome_result(plan, department), make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.post(
        _save_url(department), {**_row_data(changed, "１，２０８"), **_unchanged(untouched), "action": "save"}
    )

    assert response.status_code == 302
    changed.refresh_from_db()
    untouched.refresh_from_db()
    assert (changed.status, changed.version) == (ResultStatus.DRAFT, 2)
    assert changed.values.get().actual_value == Decimal(1208)
    assert (untouched.status, untouched.version) == (ResultStatus.NOT_ENTERED, 1)


def test_get_on_the_save_url_goes_to_the_page_and_other_methods_are_refused(client, plan, department, staff):
    """The login sends a user whose session had ended on to the URL they posted to, by GET."""
    client.force_login(staff)

    response = client.get(_save_url(department))

    assert (response.status_code, response["Location"]) == (302, _page_url(department))
    assert client.put(_save_url(department)).status_code == 405


def test_save_on_another_departments_page_is_404_and_changes_nothing(client, plan, department, other_department, staff):
    theirs = make_outcome_result(plan, other_department)
    client.force_login(staff)

    response = client.post(_save_url(other_department), {**_row_data(theirs, "50"), "action": "save"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.version == 1 and theirs.values.get().actual_state == ActualState.EMPTY


def test_another_departments_row_smuggled_into_my_page_is_ignored(client, plan, department, other_department, staff):
    mine, theirs = make_outcome_result(plan, department), make_outcome_result(plan, other_department)
    client.force_login(staff)

    client.post(_save_url(department), {**_row_data(mine, "80"), **_row_data(theirs, "50"), "action": "save"})

    theirs.refresh_from_db()
    assert theirs.version == 1 and theirs.values.get().actual_state == ActualState.EMPTY


def test_smuggled_grade_status_and_department_are_ignored(client, plan, department, other_department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)
    prefix = f"r{result.pk}"

    client.post(
        _save_url(department),
        {
            **_row_data(result, "50"),
            f"{prefix}-grade": "A",
            f"{prefix}-status": "approved",
            f"{prefix}-department": str(other_department.pk),
            "action": "save",
        },
    )

    result.refresh_from_db()
    assert (result.grade, result.status, result.indicator.department_id) == ("C", ResultStatus.DRAFT, department.pk)


def test_a_version_from_the_future_is_refused_as_a_conflict(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.post(_save_url(department), {**_row_data(result, "50", version=99), "action": "save"})

    assert response.status_code == 200
    result.refresh_from_db()
    assert result.version == 1 and result.values.get().actual_state == ActualState.EMPTY


def test_an_unreadable_number_is_refused_and_shown_again_as_typed(client, plan, department, staff):
    result = make_outcome_result(plan, department, code="1-1-1-2", name="認知度")
    client.force_login(staff)

    response = client.post(_save_url(department), {**_row_data(result, "たくさん"), "action": "save"})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in content and "1-1-1-2 認知度" in content
    assert 'value="たくさん"' in content
    assert 'aria-invalid="true"' in content
    result.refresh_from_db()
    assert result.version == 1


def test_concurrent_save_shows_what_the_other_saved_and_keeps_what_this_user_typed(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    colleague = make_user("colleague", department=department, first_name="花子", last_name="世田谷")
    seen = _row_data(result, "50", reason="私の理由")  # the page as this user opened it: version 1
    enter_actual(result, colleague, 77, expected_version=1)
    client.force_login(staff)

    response = client.post(_save_url(department), {**seen, "action": "save"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "世田谷" in content and "77" in content
    assert 'value="50"' in content and "私の理由" in content
    assert f'name="r{result.pk}-version" value="2"' in content
    result.refresh_from_db()
    assert result.values.get().actual_value == Decimal(77)

    # A deliberate second save, with the current version the page now holds, goes through.
    response = client.post(_save_url(department), {**seen, f"r{result.pk}-version": "2", "action": "save"})

    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.version, result.values.get().actual_value) == (3, Decimal(50))


# Submitting --------------------------------------------------------------------------------------


def test_submit_refuses_c_without_reason_naming_it_and_keeps_what_was_typed(client, plan, department, staff):
    result = make_outcome_result(plan, department, code="1-1-1-2", name="認知度")
    client.force_login(staff)

    response = client.post(
        _save_url(department), {**_row_data(result, "50", selected=True), "action": "submit_selected"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "1-1-1-2 認知度" in content and "Write the reason for grade C." in content
    assert f'href="#id_r{result.pk}-reason"' in content
    assert 'value="50"' in content
    result.refresh_from_db()
    assert (result.status, result.grade) == (ResultStatus.DRAFT, "C")  # saved first, then refused


def test_submit_refuses_an_item_with_no_value(client, plan, department, staff):
    result = make_outcome_result(plan, department, code="9-9", name="空の指標")
    client.force_login(staff)

    response = client.post(_save_url(department), {**_unchanged(result), "action": "submit_all"})

    assert "9-9 空の指標" in response.content.decode()
    result.refresh_from_db()
    assert result.status == ResultStatus.NOT_ENTERED


def test_save_and_submit_in_one_click_with_a_reason(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.post(
        _save_url(department), {**_row_data(result, "50", reason="理由", selected=True), "action": "submit_selected"}
    )

    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.status, result.grade, result.reason) == (ResultStatus.SUBMITTED, "C", "理由")


def test_submit_selected_without_a_selection_asks_for_one(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.post(_save_url(department), {**_unchanged(result), "action": "submit_selected"})

    assert "Select the items to submit." in response.content.decode()


def test_submit_all_submits_every_ready_row(client, plan, department, staff):
    first, second = make_outcome_result(plan, department), make_outcome_result(plan, department)
    client.force_login(staff)

    client.post(_save_url(department), {**_row_data(first, "100"), **_row_data(second, "120"), "action": "submit_all"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ResultStatus.SUBMITTED


def test_submitted_item_is_read_only_and_a_returned_one_shows_the_comment_and_is_editable(
    client, plan, department, staff, planner
):
    submitted, returned = make_outcome_result(plan, department), make_outcome_result(plan, department)
    for result in (submitted, returned):
        enter_actual(result, staff, 100, then_submit=True)  # versions 2 and 3
    services.transition(returned, Action.RETURN, user=planner, expected_version=3, comment="出典を書いてください")
    client.force_login(staff)

    response = client.get(_page_url(department))

    content = response.content.decode()
    assert f'name="r{submitted.pk}-actual_' not in content
    assert f'name="r{returned.pk}-actual_' in content
    assert "出典を書いてください" in content
    assert ResultComment.objects.count() == 1

    # and posting the submitted row changes nothing
    client.post(_save_url(department), {**_row_data(submitted, "5"), "action": "save"})
    submitted.refresh_from_db()
    assert submitted.version == 3


# The live preview --------------------------------------------------------------------------------


def test_preview_returns_the_grade_computed_by_the_server_and_saves_nothing(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)

    url = reverse("entry_preview", args=[result.pk])
    response = client.post(url, _row_data(result, "５０"), HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert "50.0%" in content and "grade--c" in content
    assert "reason (required to submit)" in content
    result.refresh_from_db()
    assert (result.version, result.grade) == (1, "")


def test_preview_of_another_departments_result_is_404(client, plan, department, other_department, staff):
    theirs = make_outcome_result(plan, other_department)
    client.force_login(staff)

    response = client.post(reverse("entry_preview", args=[theirs.pk]), _row_data(theirs, "50"))

    assert response.status_code == 404


def test_preview_by_get_goes_to_the_entry_page(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.get(reverse("entry_preview", args=[result.pk]))

    assert (response.status_code, response["Location"]) == (302, reverse("entry"))


# Size --------------------------------------------------------------------------------------------


def test_a_department_with_250_indicators_saves_its_whole_page_in_one_post(client, plan, department, staff):
    results = [make_outcome_result(plan, department) for _ in range(250)]
    data = {"action": "save"}
    for result in results:
        data.update(_row_data(result, "90", reason="理由", selected=True))  # every field a row can send

    client.force_login(staff)
    response = client.post(_save_url(department), data)

    assert response.status_code == 302
    assert len(data) > 1000
    assert all(version == 2 for version in type(results[0]).objects.values_list("version", flat=True))


def test_an_outcome_without_a_target_saves_as_a_draft_and_its_submission_waits_for_the_target(
    client, plan, department, staff
):
    result = make_outcome_result(plan, department, target=None, code="2-1", name="目標のない指標")
    client.force_login(staff)

    saved = client.post(_save_url(department), {**_row_data(result, "90"), "action": "save"}, follow=True)

    result.refresh_from_db()
    assert (result.status, result.grade, result.values.get().actual_value) == (ResultStatus.DRAFT, "", Decimal(90))
    assert "No numeric target is set for this outcome yet" in saved.content.decode()

    submitted = client.post(_save_url(department), {**_unchanged(result), "action": "submit_all"})

    content = submitted.content.decode()
    assert "2-1 目標のない指標" in content and "The planning section sets the target" in content
    result.refresh_from_db()
    assert result.status == ResultStatus.DRAFT


def test_the_live_preview_says_the_grade_waits_for_the_target(client, plan, department, staff):
    result = make_outcome_result(plan, department, target=None)
    client.force_login(staff)
    response = client.post(reverse("entry_preview", args=[result.pk]), _row_data(result, "90"))
    assert response.status_code == 200
    assert "No numeric target is set for this outcome yet" in response.content.decode()


# Bad input: refused with a message naming the field, nothing saved, never a 500 -----------------------


@pytest.mark.parametrize(
    ("actual", "english", "japanese"),
    [
        ("1" * 15, "Actual: 「111111111111111」 is too large", "実績: 「111111111111111」は大きすぎます。"),
        ("9" * 30, "at most 14 digits before the decimal point", "整数部 14 桁まで"),
        ("12.34567", "has too many decimal places: a figure has at most 4", "小数点以下は 4 桁まで"),
        ("10²", "「10²」 is not a number", "「10²」は数値ではありません"),
    ],
)
def test_an_actual_the_database_cannot_hold_is_refused_naming_the_field(
    client, plan, department, staff, actual, english, japanese
):
    """The issue's 500: an actual of 15 or more digits on the entry page (PostgreSQL's numeric overflow;
    SQLite kept a wrong value). 「10²」 was read as 102."""
    result = make_outcome_result(plan, department, code="1-1-1-2", name="認知度")
    client.force_login(staff)
    data = {**_row_data(result, actual), "action": "save"}

    response = client.post(_save_url(department), data)
    in_japanese = client.post(_save_url(department), data, HTTP_ACCEPT_LANGUAGE="ja")

    value = result.values.get()
    content = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<a href="#id_r{result.pk}-actual_{value.pk}"><span class="error-summary__item">1-1-1-2 認知度</span>'
        in content
    )
    assert english in content and f'value="{actual}"' in content
    assert in_japanese.status_code == 200 and japanese in in_japanese.content.decode()
    value.refresh_from_db()
    assert (value.actual_state, value.actual_value, result.version) == (ActualState.EMPTY, None, 1)


def test_a_large_number_is_refused_where_a_text_is_allowed_too(client, plan, department, staff):
    """An activity takes 「一部運用」 as a text; 15 digits are a number typed too large, not a text."""
    result = make_result(make_indicator(plan, department=department, kind=IndicatorKind.ACTIVITY), target=None)
    client.force_login(staff)

    response = client.post(_save_url(department), {**_row_data(result, "1" * 15), "action": "save"})

    assert "is too large" in response.content.decode()
    assert result.values.get().actual_state == ActualState.EMPTY


@pytest.mark.parametrize("field", ["reason", "actual"])
def test_a_control_character_is_refused_naming_the_field(client, plan, department, staff, field):
    if field == "actual":  # an activity, which takes a text
        result = make_result(make_indicator(plan, department=department, kind=IndicatorKind.ACTIVITY), target=None)
        data = _row_data(result, "一部\x00運用")
    else:
        result = make_outcome_result(plan, department)
        data = _row_data(result, "12", reason="理由\x00")
    client.force_login(staff)

    response = client.post(_save_url(department), {**data, "action": "save"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "contains a control character (U+0000), which is not accepted" in content
    result.refresh_from_db()
    assert result.version == 1


def test_the_live_preview_of_30_digits_says_so_instead_of_failing(client, plan, department, staff):
    """The issue's 500: 30 digits in the live preview (more than Python's decimal context)."""
    result = make_outcome_result(plan, department)
    client.force_login(staff)

    response = client.post(
        reverse("entry_preview", args=[result.pk]), _row_data(result, "1" * 30), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "is too large: a figure has at most 14 digits" in response.content.decode()


def test_an_achievement_too_large_to_record_holds_the_grade_and_says_why(client, plan, department, staff):
    result = make_outcome_result(plan, department, target=Decimal("0.0001"))
    client.force_login(staff)

    client.post(_save_url(department), {**_row_data(result, "99999999999999"), "action": "save"})

    value = result.values.get()
    assert (value.actual_value, value.achievement, value.grade) == (Decimal("99999999999999"), None, "")
    page = client.get(_page_url(department)).content.decode()
    assert "is too large to record, so its grade is ー" in page


# The save's cost: only the rows the user changed or submits ------------------------------------------


def _page_form(client, department) -> dict[str, str]:
    """The department page's form as the browser sends it (its hidden shown values included)."""
    return form_data(client.get(_page_url(department)).content.decode(), _save_url(department))


def _typed_rows(client, department, results, number, *, select=False) -> dict[str, str]:
    data = _page_form(client, department)
    for offset, result in enumerate(results):
        data[f"r{result.pk}-actual_{result.values.get().pk}"] = str(number + offset)
        data[f"r{result.pk}-reason"] = "理由"
        if select:
            data[f"r{result.pk}-selected"] = "on"
    return data


def _posted_queries(client, department, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_save_url(department), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    return len(queries)


def test_a_draft_save_costs_the_same_queries_for_1_and_for_20_changed_rows(client, plan, department, staff):
    """The issue's aim: at most 3 queries per changed row. The rows are read, locked and written at
    once, so the count does not grow at all; the 5 untouched rows cost nothing either."""
    results = make_department_year(plan, department, 25)
    outcomes = [result for result in results if result.indicator.is_outcome]
    client.force_login(staff)
    client.get(_page_url(department))  # warm the session

    one = _posted_queries(client, department, {**_typed_rows(client, department, outcomes[:1], 70), "action": "save"})
    twenty = _posted_queries(
        client, department, {**_typed_rows(client, department, outcomes[1:21], 80), "action": "save"}
    )

    assert twenty == one, (one, twenty)
    for result in outcomes[1:21]:
        result.refresh_from_db()
        assert result.version == 2 and result.values.get().actual_value >= 80
        assert result.history.count() == 2  # created, then this save: each changed row on the record


def test_a_one_row_save_builds_the_form_of_that_row_only(client, plan, department, staff, monkeypatch):
    results = make_department_year(plan, department, 12)
    client.force_login(staff)
    data = {**_typed_rows(client, department, results[:1], 70), "action": "save"}
    built = []
    original = ResultEntryForm.__init__

    def counting(self, result, *args, **kwargs):
        built.append(result.pk)
        original(self, result, *args, **kwargs)

    monkeypatch.setattr(ResultEntryForm, "__init__", counting)
    assert client.post(_save_url(department), data).status_code == 302

    assert built == [results[0].pk]  # the 11 untouched rows are neither validated nor written
    assert [result.version for result in type(results[0]).objects.filter(pk__in=[r.pk for r in results[1:]])] == [
        1
    ] * 11


def test_submitting_the_selected_rows_costs_the_same_queries_for_1_and_for_10(client, plan, department, staff):
    results = make_department_year(plan, department, 24)
    outcomes = [result for result in results if result.indicator.is_outcome]
    for result in outcomes[:11]:
        enter_actual(result, staff, 100)
    client.force_login(staff)
    client.get(_page_url(department))  # warm the session

    one = _posted_queries(
        client, department, {**_select(_page_form(client, department), outcomes[:1]), "action": "submit_selected"}
    )
    ten = _posted_queries(
        client, department, {**_select(_page_form(client, department), outcomes[1:11]), "action": "submit_selected"}
    )

    assert ten == one, (one, ten)
    statuses = type(results[0]).objects.filter(pk__in=[result.pk for result in outcomes[:11]])
    assert set(statuses.values_list("status", flat=True)) == {ResultStatus.SUBMITTED}


def _select(data: dict[str, str], results) -> dict[str, str]:
    return {**data, **{f"r{result.pk}-selected": "on" for result in results}}


def test_a_row_id_no_database_holds_is_ignored_by_the_save(client, plan, department, staff):
    result = make_outcome_result(plan, department)
    client.force_login(staff)
    huge = "9" * 30

    response = client.post(
        _save_url(department),
        {**_row_data(result, "50"), f"r{huge}-version": "1", f"r{huge}-actual_1": "5", "action": "submit_selected"},
    )

    assert response.status_code == 200 and "Select the items to submit." in response.content.decode()
    result.refresh_from_db()
    assert result.version == 2  # its own row saved; the other one is no row
