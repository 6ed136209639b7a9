"""The plan's admin page: a button to its grading scheme page, where a preset or a scheme file is
previewed (the items whose grade would change, the new scheme's table and ※1) and applied, through the
grading page's step and services.regrading; for those who may change the plan and manage the years."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.enums import Role
from evaluation.domain import scheme_files
from evaluation.models import Plan, Result
from evaluation.services.regrading import REGRADE_REASON
from tests.builders import make_graded_result, make_indicator, make_open_year, make_plan, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]


@pytest.fixture
def draft(plan, department):
    make_open_year(plan, 2024)
    return make_graded_result(
        make_indicator(plan, department=department, name="相談窓口の認知度"), fiscal_year=2024, actual=Decimal(85)
    )


def _url(plan):
    return reverse("admin:evaluation_plan_grading_scheme", args=[plan.pk])


def _staff(department, role):
    user = make_user(department=department, role=role, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_plan", "change_plan"]))
    return user


@pytest.fixture
def admin_planner(department):
    """The planning section's staff account, allowed to change plans in the admin."""
    return _staff(department, Role.PLANNING)


def test_the_plans_change_page_has_a_button_to_the_grading_scheme_page(client, admin_planner, plan):
    client.force_login(admin_planner)
    page = client.get(reverse("admin:evaluation_plan_change", args=[plan.pk])).content.decode()
    assert f'href="{_url(plan)}">Grading scheme: preview and change</a>' in page


def test_the_page_shows_the_scheme_now_in_the_admins_look(client, admin_planner, plan, draft):
    client.force_login(admin_planner)
    response = client.get(_url(plan))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The scheme now: 世田谷区" in page and "目標に対しての成果。A:100％" in page
    assert 'class="breadcrumbs"' in page and 'class="submit-row"' in page
    assert f"{reverse('year_grading_download')}?plan={plan.pk}" in page


def test_a_preset_is_previewed_then_applied_and_regrades_on_the_record(client, admin_planner, plan, draft):
    client.force_login(admin_planner)
    response = client.post(_url(plan), {"action": "scheme", "preset": "kanagawa"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: 神奈川県" in page and "○:100％以上、×:100％未満" in page
    assert "相談窓口の認知度" in page and "<strong>×</strong>" in page
    assert f'action="{_url(plan)}"' in page
    assert Result.objects.get(pk=draft.pk).grade == "B"
    context = response.context
    data = {"action": "scheme", "confirmed": "1", "token": context["preview"].token}
    response = client.post(_url(plan), {**data, "scheme_data": context["new_scheme_data"]})
    assert response.status_code == 302 and response.url == reverse("admin:evaluation_plan_change", args=[plan.pk])
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.preset("kanagawa")
    result = Result.objects.get(pk=draft.pk)
    assert result.grade == "×" and result.history.first().history_change_reason == REGRADE_REASON
    messages = client.get(response.url).content.decode()
    assert "1 item of the open years is regraded" in messages


def test_a_wrong_file_is_refused_with_its_problems_and_nothing_changes(client, admin_planner, plan, draft):
    client.force_login(admin_planner)
    bad = b'key = "ours"\nname = "x"\n[[labels]]\ncode = "A"\n[[rules]]\nlabel = "B"\nwhen = "measure"\nvalue = "abc"\n'
    response = client.post(_url(plan), {"action": "scheme", "scheme_file": SimpleUploadedFile("ours.toml", bad)})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="errorlist"' in page and "rules[1].value: 「abc」 is not a number." in page
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


def test_staff_who_do_not_manage_the_years_are_refused(client, department, plan, draft):
    client.force_login(_staff(department, Role.ENTRY))
    assert client.get(_url(plan)).status_code == 403
    assert client.post(_url(plan), {"action": "scheme", "preset": "kanagawa", "confirmed": "1"}).status_code == 403
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


def test_the_planning_section_without_the_admins_change_permission_is_refused(client, department, plan):
    user = make_user(department=department, role=Role.PLANNING, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_plan"))
    client.force_login(user)
    assert client.get(_url(plan)).status_code == 403


def test_an_unknown_plan_is_not_found(client, admin_planner, plan):
    client.force_login(admin_planner)
    assert client.get(reverse("admin:evaluation_plan_grading_scheme", args=[plan.pk + 100])).status_code == 404


def test_the_admin_preview_costs_the_same_queries_at_two_sizes(client, admin_planner, department):
    client.force_login(admin_planner)

    def queries(count):
        plan = make_plan(f"計画{count}")
        make_open_year(plan, 2024)
        for _index in range(count):
            make_graded_result(make_indicator(plan, department=department), fiscal_year=2024, actual=Decimal(85))
        with CaptureQueriesContext(connection) as captured:
            response = client.post(_url(plan), {"action": "scheme", "preset": "kanagawa"})
            assert len(response.context["changes"]) == count
        return len(captured)

    assert queries(1) == queries(12)
