"""What is refused before any view (config.input_limits): a query parameter holding a control
character or longer than 1,000 characters, an admin date drill-down that is no date, and in the
admin's forms a control character or a tampered management form; each answered 400 with a page
naming the parameter or field, in the user's language, nothing changed."""

import pytest
from django.urls import reverse

from departments.enums import Role
from evaluation.models import Vision
from tests.builders import make_department, make_indicator, make_open_year, make_plan, make_result, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return make_user("planner", department=make_department("保健福祉政策課"), role=Role.PLANNING)


@pytest.fixture
def superuser():
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def vision():
    plan = make_plan()
    make_open_year(plan)
    return make_result(make_indicator(plan)).indicator.initiative.vision


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "japanese", "english"),
    [
        ({"plan": "1\x00"}, "パラメーター「plan」に使えない制御文字（U+0000）", "The parameter 「plan」 contains"),
        ({"status": "\x1b"}, "パラメーター「status」に使えない制御文字（U+001B）", "(U+001B)"),
        ({"q\x00": "1"}, "パラメーター「q」に使えない制御文字（U+0000）", "The parameter 「q」 contains"),
        ({"label": "x" * 1001}, "パラメーター「label」が 1000 文字を超えています。", "longer than 1000 characters"),
    ],
)
def test_a_query_parameter_the_app_cannot_read_is_answered_400_naming_it(client, planner, query, japanese, english):
    client.force_login(planner)

    response = client.get(reverse("review_queue"), query)
    english_response = client.get(reverse("review_queue"), query, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert japanese in _text(response) and "何も変更されていません" in _text(response)
    assert english_response.status_code == 400 and english in _text(english_response)


def test_an_ordinary_query_and_one_of_1000_characters_pass(client, planner, vision):
    client.force_login(planner)

    assert client.get(reverse("report"), {"label": "資料１－３" + "x" * 994}).status_code == 200


def test_the_anonymous_get_the_same_answer_before_the_login(client):
    assert client.get(reverse("login"), {"next": "/\x00"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [{"status__exact": "\x00"}, {"q": "x" * 100_000}, {"updated_at__year": "9" * 15}, {"updated_at__month": "１"}],
)
def test_the_admins_filters_search_and_dates_are_refused_before_the_database(client, superuser, query):
    """PostgreSQL refuses a NUL in a filter, SQLite a search pattern this long, and Django's date
    drill-down overflows on such a year: each was a 500."""
    client.force_login(superuser)

    assert client.get(reverse("admin:evaluation_result_changelist"), query).status_code == 400


def _vision_form(vision, **changes) -> dict:
    data = {
        "policy_area": vision.policy_area_id,
        "number": vision.number,
        "heading": vision.heading,
        "statement": vision.statement,
        "plan_pages": "",
        **changes,
    }
    return data


def test_a_control_character_in_an_admin_form_is_refused_naming_the_field(client, superuser, vision):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:evaluation_vision_change", args=[vision.pk]), _vision_form(vision, heading="見出し\x07")
    )

    assert response.status_code == 400
    assert "項目「heading」に使えない制御文字（U+0007）" in _text(response)
    vision.refresh_from_db()
    assert vision.heading == "めざす姿1"


def test_line_breaks_and_tabs_pass_in_an_admin_form(client, superuser, vision):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:evaluation_vision_change", args=[vision.pk]),
        _vision_form(vision, statement="一行目\r\n\t二行目"),
    )

    assert response.status_code == 302
    assert Vision.objects.get(pk=vision.pk).statement == "一行目\r\n\t二行目"


@pytest.mark.parametrize("count", ["-1", "1e3", "１"])
def test_a_tampered_inline_count_is_refused(client, superuser, vision, count):
    """With INITIAL_FORMS of -1 the formset took the saved rows for new ones and the database's unique
    key failed (a 500)."""
    client.force_login(superuser)
    plan = vision.policy_area.pillar.plan
    data = {
        "name": plan.name,
        "first_fiscal_year": 2024,
        "last_fiscal_year": 2027,
        "pillars-TOTAL_FORMS": "1",
        "pillars-INITIAL_FORMS": count,
        "pillars-0-id": vision.policy_area.pillar_id,
        "pillars-0-number": "1",
        "pillars-0-title": "柱1",
    }

    response = client.post(reverse("admin:evaluation_plan_change", args=[plan.pk]), data)

    assert response.status_code == 400
    assert "項目「pillars-INITIAL_FORMS」が画面の書いた件数ではありません。" in _text(response)
