"""The grading rule page (/years/grading/): the settings in a form, a preview of the grades the new
settings would change in the open years, then the regrading after that confirmation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.domain.enums import ResultStatus
from evaluation.models import EvaluationYear, Plan, Result
from evaluation.report.document import report_sheet
from evaluation.services import years
from evaluation.services.regrading import REGRADE_REASON
from tests.builders import make_graded_result, make_indicator, make_open_year, thresholds

pytestmark = pytest.mark.django_db

URL = reverse("year_grading")
SETAGAYA_NOTE = "目標に対しての成果。A:100％、B：80％～100％未満、C:８０％未満、D:０％以下"


def _settings(plan, **changes) -> dict:
    data = {
        "plan": plan.pk,
        "grading_formula": plan.scheme.measure,
        "threshold_a": "100",
        "threshold_b": "80",
        "threshold_d": "0",
        "rounding": plan.scheme.rounding,
        "achievement_decimals": "1",
    }
    return {**data, **changes}


@pytest.fixture
def story(plan, department, planner):
    """FY2024 closed with an 85 % B; FY2025 open with an 85 % B draft and a 120 % A draft."""
    closed = make_graded_result(
        make_indicator(plan, department=department), fiscal_year=2024, actual=Decimal(85), status=ResultStatus.APPROVED
    )
    years.close_year(EvaluationYear.objects.create(plan=plan, fiscal_year=2024), user=planner)
    make_open_year(plan, 2025)
    draft = make_graded_result(
        make_indicator(plan, department=department, name="相談窓口の認知度"), fiscal_year=2025, actual=Decimal(85)
    )
    make_graded_result(make_indicator(plan, department=department), fiscal_year=2025, actual=Decimal(120))
    return {"closed": closed, "draft": draft}


def test_the_years_page_links_to_the_grading_rule_page(client, planner, plan):
    client.force_login(planner)
    assert f"{URL}?plan={plan.pk}" in client.get(reverse("years") + f"?plan={plan.pk}").content.decode()


def test_the_page_is_japanese_first_and_shows_the_rule_and_what_closed_years_keep(client, planner, plan, story):
    client.force_login(planner)
    page = client.get(URL, {"plan": plan.pk}).content.decode()
    assert "評価ルール" in page and "プレビュー" in page
    assert SETAGAYA_NOTE in page
    assert "令和6年度（2024年度）（締切済み）の評価ルール" in page


@pytest.mark.usefixtures("english_client")
def test_the_preview_lists_the_grades_that_would_change_and_changes_nothing(client, planner, plan, story):
    client.force_login(planner)
    before = list(Result.objects.order_by("pk").values()), list(Plan.objects.values())
    page = client.post(URL, _settings(plan, threshold_b="９０．０％")).content.decode()  # typed the Japanese way
    assert "1 item of the open years would be regraded." in page
    assert "相談窓口の認知度" in page and "85.0%" in page
    assert "Apply the rule and regrade 1 item" in page
    assert "(the department must give the reason)" in page
    assert (list(Result.objects.order_by("pk").values()), list(Plan.objects.values())) == before


@pytest.mark.usefixtures("english_client")
def test_applying_after_the_preview_regrades_the_open_year_and_keeps_the_closed_one(client, planner, plan, story):
    client.force_login(planner)
    page = client.post(URL, _settings(plan, threshold_b="90")).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    response = client.post(URL, {**_settings(plan, threshold_b="90"), "confirmed": "1", "token": token})
    assert response.status_code == 302 and response.url == f"{reverse('years')}?plan={plan.pk}"
    plan.refresh_from_db()
    assert thresholds(plan.scheme)["threshold_b"] == Decimal(90)
    draft = Result.objects.get(pk=story["draft"].pk)
    assert draft.grade == "C" and draft.history.first().history_change_reason == REGRADE_REASON
    assert Result.objects.get(pk=story["closed"].pk).grade == "B"
    assert report_sheet(plan, 2024).grading_note == SETAGAYA_NOTE


@pytest.mark.usefixtures("english_client")
def test_an_approved_item_that_would_change_is_listed_and_nothing_can_be_applied(client, planner, plan, story):
    Result.objects.filter(pk=story["draft"].pk).update(status=ResultStatus.APPROVED)
    client.force_login(planner)
    page = client.post(URL, _settings(plan, threshold_b="90")).content.decode()
    assert "Approved: reopen to regrade." in page
    assert 'name="confirmed"' not in page
    response = client.post(URL, {**_settings(plan, threshold_b="90"), "confirmed": "1", "token": ""}, follow=True)
    assert "1 approved item would change" in response.content.decode()
    plan.refresh_from_db()
    assert thresholds(plan.scheme)["threshold_b"] == Decimal(80)


@pytest.mark.usefixtures("english_client")
def test_thresholds_out_of_order_are_refused_with_the_form(client, planner, plan, story):
    client.force_login(planner)
    response = client.post(URL, _settings(plan, threshold_b="120"))
    assert response.status_code == 400
    assert "The thresholds must be in order" in response.content.decode()


def test_department_staff_and_viewers_may_not_see_the_page(client, staff, viewer, plan):
    for user in (staff, viewer):
        client.force_login(user)
        assert client.get(URL, {"plan": plan.pk}).status_code == 403
        assert client.post(URL, _settings(plan, threshold_b="90")).status_code == 403


@pytest.mark.usefixtures("english_client")
def test_a_reopened_year_graded_by_its_old_rule_can_be_regraded_by_the_plans_rule(client, planner, plan, story):
    """FY2024 was closed with B from 80 %; the plan moved to 90 %; reopened, FY2024 follows the plan's
    rule, and the page offers to regrade its 85 % B to C (the rule itself unchanged)."""
    client.force_login(planner)
    token = client.post(URL, _settings(plan, threshold_b="90")).content.decode().split('name="token" value="')[1]
    client.post(URL, {**_settings(plan, threshold_b="90"), "confirmed": "1", "token": token.split('"')[0]})
    Result.objects.filter(pk=story["closed"].pk).update(status=ResultStatus.RETURNED)
    years.reopen_year(EvaluationYear.objects.get(plan=plan, fiscal_year=2024), user=planner, reason="再評価のため")
    page = client.post(URL, _settings(plan, threshold_b="90")).content.decode()
    assert "1 item of the open years would be regraded." in page and 'name="confirmed"' in page


@pytest.mark.parametrize("decimals", ["4", "１２", "30000", "-1", "1e400"])
def test_more_decimals_than_the_achievement_column_keeps_are_refused_at_the_field(
    client, planner, plan, story, decimals
):
    """12 decimals passed the form and the grading's rounding failed (a 500): the achievement keeps 3."""
    client.force_login(planner)

    response = client.post(URL, _settings(plan, achievement_decimals=decimals), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.context["form"].errors["achievement_decimals"]
    assert Plan.objects.get(pk=plan.pk).achievement_decimals == 1
