"""The application shell and the home page: login, language, visibility of counts, query count."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.enums import Role
from evaluation.domain.enums import Grade, IndicatorKind, ResultStatus
from evaluation.domain.workflow import Action
from evaluation.models import Result
from evaluation.services.results import add_comment, review
from evaluation.templatetags.mezasu import fiscal_year, grade
from tests.builders import (
    enter_actual,
    make_department,
    make_indicator,
    make_initiative,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db


def _graded_outcome(plan, department, grade_letter, *, policy_area=1, fiscal_year=2024):
    indicator = make_indicator(plan, department=department, initiative=make_initiative(plan, policy_area=policy_area))
    make_result(indicator, fiscal_year=fiscal_year, actual=Decimal(100), grade=grade_letter)
    return indicator


def _activity(plan, department, *, policy_area=1, fiscal_year=2024):
    indicator = make_indicator(
        plan,
        department=department,
        kind=IndicatorKind.ACTIVITY,
        initiative=make_initiative(plan, policy_area=policy_area),
    )
    make_result(indicator, fiscal_year=fiscal_year, target=None, actual=Decimal(5))
    return indicator


@pytest.fixture
def plan_with_two_departments():
    """Policy area 1: welfare's A, A, B, one activity; policy area 2: housing's C, an ungraded outcome."""
    plan = make_plan("世田谷区地域保健医療福祉総合計画")
    welfare, housing = make_department("保健福祉政策課"), make_department("居住支援課")
    for letter in (Grade.A, Grade.A, Grade.B):
        _graded_outcome(plan, welfare, letter, policy_area=1)
    _activity(plan, welfare, policy_area=1)
    _graded_outcome(plan, housing, Grade.C, policy_area=2)
    _graded_outcome(plan, housing, "", policy_area=2)
    return plan, welfare, housing


def _rows(response):
    """{policy area number: [activity, outcome, A, B, C, D, ー]} as the page shows them."""
    return {
        row.policy_area.number: [row.counts.activity, row.counts.outcome, *row.counts.grade_columns]
        for pillar in response.context["summary"].pillars
        for row in pillar.rows
    }


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_through_the_form_leads_home(client, plan_with_two_departments):
    make_user("planning", department=plan_with_two_departments[1], role=Role.PLANNING)

    response = client.post(reverse("login"), {"username": "planning", "password": "pw-for-tests-only"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "planning"


def test_wrong_password_is_announced_as_an_alert(client):
    make_user("planning")

    response = client.post(reverse("login"), {"username": "planning", "password": "wrong"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_logout_is_a_post_that_ends_the_session(client):
    client.force_login(make_user())

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_planning_section_sees_the_counts_of_every_department(client, plan_with_two_departments):
    plan, welfare, _housing = plan_with_two_departments
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert _rows(response) == {1: [1, 3, 2, 1, 0, 0, 0], 2: [0, 2, 0, 0, 1, 0, 1]}
    assert response.context["summary"].total.grade_columns == [2, 1, 1, 0, 1]
    page = response.content.decode()
    assert plan.name in page
    assert "令和6年度（2024年度）" in page
    assert plan.period_display in page
    assert 'id="scope-notice"' not in page


def test_viewer_sees_the_counts_of_every_department(client, plan_with_two_departments):
    _plan, welfare, _housing = plan_with_two_departments
    client.force_login(make_user(department=welfare, role=Role.VIEWER))

    response = client.get(reverse("home"))

    assert set(_rows(response)) == {1, 2}


def test_department_staff_see_only_their_own_departments_counts_and_are_told_so(client, plan_with_two_departments):
    _plan, _welfare, housing = plan_with_two_departments
    client.force_login(make_user(department=housing, role=Role.ENTRY))

    response = client.get(reverse("home"))

    assert _rows(response) == {2: [0, 2, 0, 0, 1, 0, 1]}
    assert response.context["summary"].total.outcome == 2
    page = response.content.decode()
    assert 'id="scope-notice"' in page
    assert "居住支援課" in page


def test_user_without_membership_gets_an_empty_state_instead_of_counts(client, plan_with_two_departments):
    client.force_login(make_user())

    response = client.get(reverse("home"), headers={"accept-language": "en"})

    assert response.status_code == 200
    assert "summary" not in response.context
    assert "not assigned to a department" in response.content.decode()


def test_empty_database_explains_how_to_load_a_plan(client):
    client.force_login(make_user(is_superuser=True))

    response = client.get(reverse("home"))

    page = response.content.decode()
    assert "import_plan" in page
    assert "load_demo" in page


def test_latest_fiscal_year_with_results_is_shown_and_another_can_be_chosen(client, plan_with_two_departments):
    plan, welfare, _housing = plan_with_two_departments
    _graded_outcome(plan, welfare, Grade.D, policy_area=1, fiscal_year=2025)
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    latest = client.get(reverse("home"))
    earlier = client.get(reverse("home"), {"year": 2024})

    assert latest.context["fiscal_year"] == 2025
    assert latest.context["summary"].total.by_grade == {"A": 0, "B": 0, "C": 0, "D": 1}
    assert earlier.context["fiscal_year"] == 2024
    assert earlier.context["summary"].total.by_grade == {"A": 2, "B": 1, "C": 1, "D": 0}
    assert client.get(reverse("home"), {"year": 2019}).status_code == 404


def test_plan_is_chosen_among_several_with_the_plan_parameter(client, plan_with_two_departments):
    plan, welfare, _housing = plan_with_two_departments
    other = make_plan("別の計画")
    _graded_outcome(other, welfare, Grade.B)
    client.force_login(make_user(department=welfare, role=Role.PLANNING))

    response = client.get(reverse("home"), {"plan": other.pk})

    assert response.context["plan"] == other
    assert response.context["summary"].total.by_grade["B"] == 1
    assert client.get(reverse("home"), {"plan": "nope"}).status_code == 404


def _add_data(plan, department, areas):
    for area in areas:
        for letter in (Grade.A, Grade.C, ""):
            _graded_outcome(plan, department, letter, policy_area=area)
        _activity(plan, department, policy_area=area)


@pytest.mark.parametrize("role", [Role.PLANNING, Role.ENTRY])
def test_home_page_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, role):
    plan, department = make_plan(), make_department()
    client.force_login(make_user(department=department, role=role))
    _add_data(plan, department, areas=[1])
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200

    _add_data(plan, department, areas=range(2, 12))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("home"))

    assert response.context["summary"].total.outcome == 33


def test_language_switch_to_english_changes_the_page_language(client, plan_with_two_departments):
    client.force_login(make_user(department=plan_with_two_departments[1], role=Role.PLANNING))
    assert '<html lang="ja">' in client.get(reverse("home")).content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert '<html lang="en">' in response.content.decode()


def test_login_page_points_to_the_readme_for_demo_accounts_only_in_debug(client, settings):
    make_user("planning")
    settings.DEBUG = False
    assert "README" not in client.get(reverse("login")).content.decode()

    settings.DEBUG = True
    page = client.get(reverse("login")).content.decode()

    assert "README" in page
    assert "mezasu-demo" not in page


@pytest.mark.parametrize(
    ("year", "printed"), [(2024, "令和6年度（2024年度）"), (2019, "令和元年度（2019年度）"), (None, "")]
)
def test_fiscal_year_filter_prints_the_era_and_the_western_year(year, printed):
    assert fiscal_year(year) == printed


@pytest.mark.parametrize(("value", "printed"), [("A", "A"), ("D", "D"), ("", "ー"), (None, "ー")])
def test_grade_filter_prints_a_dash_for_no_grade(value, printed):
    assert grade(value) == printed


def test_every_stylesheet_and_script_is_served_by_the_app_without_inline_code(client, plan_with_two_departments):
    client.force_login(make_user(department=plan_with_two_departments[1], role=Role.PLANNING))
    page = client.get(reverse("home")).content.decode()

    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page)

    assert "/static/vendor/digital-go-jp-design-tokens/tokens.css" in sources
    assert "/static/css/app.css" in sources
    assert any(source.startswith("/static/django_htmx/htmx") for source in sources)
    assert all(source.startswith("/static/") for source in sources), sources
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert " style=" not in page


# What waits for the person -----------------------------------------------------------------------


def _returned_and_commented(plan, department, planner, staff, *, count=1):
    """`count` returned items and `count` submitted items with the planner's comment, of the department."""
    for _ in range(count):
        returned = make_result(make_indicator(plan, department=department), target=Decimal(100))
        returned = enter_actual(returned, staff, "100", then_submit=True)
        review(returned, Action.RETURN, user=planner, expected_version=returned.version, comment="根拠を追記")
        commented = make_result(make_indicator(plan, department=department), target=Decimal(100))
        add_comment(enter_actual(commented, staff, "100", then_submit=True), user=planner, body="確認中です")


@pytest.fixture
def waiting_world(plan_with_two_departments):
    plan, welfare, housing = plan_with_two_departments
    make_open_year(plan)
    planner = make_user("planner", department=welfare, role=Role.PLANNING, last_name="計画")
    staff = make_user("staff", department=housing)
    _returned_and_commented(plan, housing, planner, staff)
    return {"plan": plan, "planner": planner, "staff": staff, "housing": housing}


def test_department_staff_see_their_returned_items_and_unread_comments_with_links(client, waiting_world):
    client.force_login(waiting_world["staff"])

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    waiting = page[page.index('id="waiting"') : page.index("</section>", page.index('id="waiting"'))]
    assert "Returned to your department: 1 item" in waiting
    assert "Comments you have not read: 1 item" in waiting
    for result in Result.objects.filter(indicator__department=waiting_world["housing"]).exclude(comments=None):
        assert f'href="{reverse("review_item", args=[result.pk])}#comments"' in waiting
    entry_url = reverse("entry_department", args=[waiting_world["housing"].pk, 2024])
    assert entry_url in waiting and "根拠を追記" in waiting and "確認中です" in waiting and "計画" in waiting
    assert 'class="nav-count">2<' in page and "items waiting for you" in page


def test_the_planning_section_sees_the_items_to_review(client, waiting_world):
    client.force_login(waiting_world["planner"])

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "To review: 1 submitted item" in page
    submitted = Result.objects.get(status=ResultStatus.SUBMITTED)
    assert f'href="{reverse("review_item", args=[submitted.pk])}"' in page
    queue = f"{reverse('review_queue', args=[2024])}?plan={waiting_world['plan'].pk}&amp;status=submitted"
    assert queue in page
    assert "Returned to your department" not in page
    assert 'class="nav-count">1<' in page


def test_viewers_have_nothing_waiting_and_no_count(client, waiting_world):
    client.force_login(make_user(department=waiting_world["housing"], role=Role.VIEWER))
    page = client.get(reverse("home")).content.decode()
    assert 'id="waiting"' not in page and "nav-count" not in page


def test_staff_with_nothing_waiting_are_told_so(client, plan_with_two_departments):
    client.force_login(make_user(department=plan_with_two_departments[2]))
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing is waiting for you." in page and "nav-count" not in page


def test_a_comment_read_on_its_page_leaves_the_home_page(client, waiting_world):
    client.force_login(waiting_world["staff"])
    commented = Result.objects.get(status=ResultStatus.SUBMITTED)
    client.get(reverse("review_item", args=[commented.pk]))

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Comments you have not read" not in page
    assert "Returned to your department: 1 item" in page
    assert 'class="nav-count">1<' in page


@pytest.mark.parametrize("who", ["planner", "staff"])
def test_home_page_with_waiting_items_reads_in_the_same_number_of_queries_at_two_sizes(
    client, waiting_world, who, django_assert_num_queries
):
    client.force_login(waiting_world[who])
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home")).status_code == 200

    _returned_and_commented(
        waiting_world["plan"], waiting_world["housing"], waiting_world["planner"], waiting_world["staff"], count=6
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("home"))

    waiting = response.context["waiting"]
    if who == "staff":
        assert (len(waiting["department"].returned), len(waiting["department"].commented)) == (7, 7)
    else:
        assert waiting["reviews"][0].count == 7
