"""The grading page's other way: another scheme (a preset, or a file the planning section wrote),
previewed with its grades and the items it would change, then applied on the record."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.domain import scheme_files
from evaluation.models import Plan, Result
from evaluation.services.regrading import REGRADE_REASON
from tests.builders import make_graded_result, make_indicator, make_open_year

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]

URL = reverse("year_grading")


@pytest.fixture
def draft(plan, department):
    make_open_year(plan, 2024)
    return make_graded_result(
        make_indicator(plan, department=department, name="相談窓口の認知度"), fiscal_year=2024, actual=Decimal(85)
    )


def _choose(client, plan, **data):
    return client.post(URL, {"plan": plan.pk, "action": "scheme", **data})


def test_a_preset_is_previewed_with_its_grades_and_the_changes_and_nothing_changes(client, planner, plan, draft):
    client.force_login(planner)
    response = _choose(client, plan, preset="kanagawa")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: 神奈川県" in page
    assert "○:100％以上、×:100％未満" in page  # its ※1
    assert "Target not met" not in page or "目標未達成" in page  # its labels' meanings are listed
    assert "相談窓口の認知度" in page and "<strong>×</strong>" in page
    assert "pref.kanagawa.jp" in page  # its source
    assert Result.objects.get(pk=draft.pk).grade == "B"
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


def test_confirming_applies_the_scheme_previewed_and_regrades_on_the_record(client, planner, plan, draft):
    client.force_login(planner)
    page = _choose(client, plan, preset="kanagawa").content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    data = json.dumps(scheme_files.to_data(scheme_files.preset("kanagawa")), ensure_ascii=False)
    response = _choose(client, plan, confirmed="1", token=token, scheme_data=data)
    assert response.status_code == 302
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.preset("kanagawa")
    result = Result.objects.get(pk=draft.pk)
    assert result.grade == "×" and result.history.first().history_change_reason == REGRADE_REASON


def test_the_confirm_step_carries_the_scheme_it_previewed_in_the_page(client, planner, plan, draft):
    client.force_login(planner)
    page = _choose(client, plan, preset="sano").content.decode()
    assert 'name="scheme_data" value="{' in page and "&quot;key&quot;: &quot;sano&quot;" in page


def test_a_file_written_by_the_planning_section_is_checked_and_previewed(client, planner, plan, draft):
    client.force_login(planner)
    text = (scheme_files.PRESETS_DIR / "osaka-library.toml").read_text(encoding="utf-8")
    text = text.replace('key = "osaka-library"', 'key = "ours"').replace("value = 80\n", "value = 90\n", 1)
    upload = SimpleUploadedFile("ours.toml", text.encode("utf-8"), content_type="application/toml")
    page = _choose(client, plan, scheme_file=upload).content.decode()
    assert "B:90％～110％未満" in page
    assert "<strong>C</strong>" in page  # 85 % is C from 90 %


def test_a_wrong_file_is_refused_with_every_problem_and_where_and_nothing_changes(client, planner, plan, draft):
    client.force_login(planner)
    bad = b'key = "ours"\nname = "x"\n[[labels]]\ncode = "A"\n[[rules]]\nlabel = "B"\nwhen = "measure"\nvalue = "abc"\n'
    response = _choose(client, plan, scheme_file=SimpleUploadedFile("ours.toml", bad))
    page = response.content.decode()
    assert response.status_code == 400
    assert "rules[1].label: 「B」 is not one of the scheme&#x27;s labels." in page
    assert "rules[1].value: 「abc」 is not a number." in page
    assert "Preview:" not in page
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


@pytest.mark.parametrize("content", [b"\xff\xfe\x00", b"key = "])
def test_an_unreadable_file_is_refused_in_words(client, planner, plan, content):
    client.force_login(planner)
    response = _choose(client, plan, scheme_file=SimpleUploadedFile("ours.toml", content))
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode() or "cannot be read as TOML" in response.content.decode()


def test_nothing_chosen_or_a_tampered_scheme_is_refused(client, planner, plan, draft):
    client.force_login(planner)
    assert "Choose a preset, or a scheme file." in _choose(client, plan).content.decode()
    response = _choose(client, plan, confirmed="1", token="", scheme_data='{"key": "x"}')
    assert response.status_code == 400 and "labels: 「labels」 is missing." in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


def test_only_the_planning_section_may_change_the_scheme(client, staff, plan, draft):
    client.force_login(staff)
    assert _choose(client, plan, preset="kanagawa").status_code == 403
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.default_scheme()


def test_a_plan_on_another_scheme_shows_it_and_offers_no_thresholds_form(client, planner, department):
    from tests.builders import make_plan

    plan = make_plan("福岡の計画", scheme="fukuoka")
    client.force_login(planner)
    page = client.get(URL, {"plan": plan.pk}).content.decode()
    assert "The scheme now: 福岡市" in page
    assert "※1 a:目標値に到達、b:" in page  # the printed ※1, Japanese as the report prints it
    assert 'name="threshold_a"' not in page
