"""The grading page's figures form, for a scheme of any shape: each threshold, band and roll-up bound
with its label and its rule in words; a changed figure is previewed (the grades it changes, the new
※1) and applied as previewed; a figure the scheme checker refuses is shown at its field, in the
checker's words, with what was typed kept, and nothing changes."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.domain import scheme_files
from evaluation.models import Plan, Result
from evaluation.services.regrading import REGRADE_REASON
from tests.builders import make_graded_result, make_indicator, make_open_year, make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]

URL = reverse("year_grading")


@pytest.fixture
def osaka(department):
    """大阪府立図書館's scheme (A ≥ 110, B ≥ 80, C ≥ 50, D < 50) with an open FY2024 and an 85 % B."""
    plan = make_plan("図書館の計画", scheme="osaka-library")
    make_open_year(plan, 2024)
    make_graded_result(
        make_indicator(plan, department=department, name="来館者数"), fiscal_year=2024, actual=Decimal(85)
    )
    return plan


def _figures(client, plan, **figures):
    return client.post(URL, {"plan": plan.pk, "action": "figures", **figures})


def _osaka(b: str, c: str = "50") -> dict:
    """The osaka plan's four thresholds as typed, A's and D's as they are."""
    return {"rules-1-value": "110", "rules-2-value": b, "rules-3-value": c, "rules-4-value": "50"}


def _unchanged(plan):
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.preset(plan.scheme.key)
    assert not Result.objects.filter(indicator__plan=plan).exclude(grade="B").exists()


def test_every_figure_of_the_scheme_is_offered_with_its_label_and_rule_in_words(client, planner, osaka):
    client.force_login(planner)
    form = client.get(URL, {"plan": osaka.pk}).context["form"]
    fields = {field.name: (str(field.label), str(field.help_text), field.initial) for field in form.figure_fields}
    assert fields == {
        "rules-1-value": ("A: threshold (%)", "rules[1].value: 110 % or more", "110"),
        "rules-2-value": ("B: threshold (%)", "rules[2].value: 80 % to under 110 %", "80"),
        "rules-3-value": ("C: threshold (%)", "rules[3].value: 50 % to under 80 %", "50"),
        "rules-4-value": ("D: threshold (%)", "rules[4].value: under 50 %", "50"),
    }
    page = client.get(URL, {"plan": osaka.pk}).content.decode()
    assert 'name="rules-2-value"' in page and 'value="80"' in page and 'name="threshold_a"' not in page


def test_bands_and_roll_up_bounds_are_figures_too(client, planner):
    client.force_login(planner)
    nagayo = client.get(URL, {"plan": make_plan("長与", scheme="nagayo").pk}).context["form"]
    assert [field.name for field in nagayo.figure_fields] == ["rules-3-band_percent"]
    assert str(nagayo.fields["rules-3-band_percent"].label) == "B: band (% of the baseline)"
    fukuoka = client.get(URL, {"plan": make_plan("福岡", scheme="fukuoka").pk}).context["form"]
    assert [field.name for field in fukuoka.figure_fields] == ["rules-3-survey_band_points"]
    kanagawa = client.get(URL, {"plan": make_plan("神奈川", scheme="kanagawa").pk}).context["form"]
    assert [field.initial for field in kanagawa.figure_fields] == ["100", "1", "2/3", "0.5", "0"]
    assert str(kanagawa.fields["rollup-2-at_least"].label).startswith("Overall 概ね順調: from this share")


def test_the_meanings_of_the_labels_a_rule_gives_are_offered_with_the_figures(client, planner):
    client.force_login(planner)
    nagayo = client.get(URL, {"plan": make_plan("長与", scheme="nagayo").pk}).context["form"]
    names = [field.name for field in nagayo.meaning_fields]
    assert names == [f"labels-{index}-{attribute}" for index in (1, 2, 3, 4) for attribute in ("meaning", "meaning_en")]
    # − (a state's label, given by no rule) has none
    assert nagayo["labels-3-meaning"].initial == scheme_files.preset("nagayo").label("B").meaning


def test_a_meaning_changed_with_its_figure_is_previewed_and_applied(client, planner, osaka):
    client.force_login(planner)
    response = _figures(client, osaka, **_osaka("90"), **{"labels-2-meaning": "90％以上110％未満"})
    page = response.content.decode()
    assert "Meaning of B: 80％以上110％未満 → <strong>90％以上110％未満</strong>" in page
    assert response.context["new_scheme"].label("B").meaning == "90％以上110％未満"  # its table's
    data = {"plan": osaka.pk, "action": "scheme", "confirmed": "1", "token": response.context["preview"].token}
    client.post(URL, {**data, "scheme_data": response.context["new_scheme_data"]})
    scheme = Plan.objects.get(pk=osaka.pk).scheme
    assert scheme.label("B").meaning == "90％以上110％未満"
    assert scheme.label("B").meaning_en == "80 % to under 110 %"  # not sent: kept
    assert scheme.label("A") == scheme_files.preset("osaka-library").label("A")


def test_a_changed_figure_typed_in_full_width_digits_is_previewed_and_nothing_changes(client, planner, osaka):
    client.force_login(planner)
    response = _figures(client, osaka, **_osaka("９０％"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "B: threshold (%): 80 → <strong>90</strong>" in page
    assert "B:90％～110％未満" in page  # the new ※1, as the report prints it
    assert "1 item of the open years would be regraded." in page
    assert "来館者数" in page and "<strong>C</strong>" in page
    assert 'name="action" value="scheme"' in page and 'name="scheme_data"' in page  # confirmed as previewed
    _unchanged(osaka)


def test_applying_the_previewed_figures_regrades_on_the_record(client, planner, osaka):
    client.force_login(planner)
    response = _figures(client, osaka, **_osaka("90"))
    context = response.context
    data = {"plan": osaka.pk, "action": "scheme", "confirmed": "1", "token": context["preview"].token}
    response = client.post(URL, {**data, "scheme_data": context["new_scheme_data"]})
    assert response.status_code == 302
    scheme = Plan.objects.get(pk=osaka.pk).scheme
    assert [rule.value for rule in scheme.rules] == [Decimal(110), Decimal(90), Decimal(50), Decimal(50)]
    assert scheme.name == scheme_files.preset("osaka-library").name
    result = Result.objects.get(indicator__plan=osaka)
    assert result.grade == "C" and result.history.first().history_change_reason == REGRADE_REASON


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("120", "This rule can never give its label: rule 1 before it already holds for every such case."),
        ("abc", "「abc」 is not a number."),
        ("", "This field is required."),
        ("12345678", "「12345678」 is too large: a figure has at most 5 digits before the decimal point."),
    ],
)
def test_a_contradictory_or_wrong_figure_is_refused_at_its_field_and_nothing_changes(
    client, planner, osaka, typed, message
):
    client.force_login(planner)
    response = _figures(client, osaka, **_osaka(typed, "５０"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"rules-2-value": [message]}
    page = response.content.decode()
    assert f'value="{typed}"' in page and 'value="５０"' in page  # what was typed, kept
    assert 'aria-invalid="true"' in page and "Preview:" not in page
    _unchanged(osaka)


def test_a_lower_rule_made_unreachable_names_the_rule_before_it(client, planner, osaka):
    client.force_login(planner)
    response = _figures(client, osaka, **_osaka("40"))
    assert response.context["form"].errors == {
        "rules-3-value": ["This rule can never give its label: rule 2 before it already holds for every such case."]
    }


def test_roll_up_bounds_take_fractions_and_refuse_bands_out_of_order(client, planner, department):
    plan = make_plan("神奈川", scheme="kanagawa")
    client.force_login(planner)
    figures = {"rules-1-value": "100", "rollup-1-at_least": "1", "rollup-3-at_least": "1/2", "rollup-4-at_least": "0"}
    response = _figures(client, plan, **figures, **{"rollup-2-at_least": "３／４"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Overall 概ね順調: from this share of outcomes met (e.g. 2/3): 2/3 → <strong>0.75</strong>" in page
    assert "all: 順調; 3/4 or more: 概ね順調; 1/2 or more: やや遅れている" in response.context["new_rollup"]
    response = _figures(client, plan, **figures, **{"rollup-2-at_least": "1.5"})
    assert response.context["form"].errors == {"rollup-2-at_least": ["A share is from 0 to 1 (e.g. 2/3)."]}
    response = _figures(client, plan, **{**figures, "rollup-2-at_least": "2/3", "rollup-3-at_least": "0.9"})
    assert response.status_code == 400
    assert "each at_least below the one before" in response.context["form"].errors["rollup-3-at_least"][0]
    assert Plan.objects.get(pk=plan.pk).scheme == scheme_files.preset("kanagawa")


def test_a_negative_band_is_refused_in_the_checkers_words(client, planner):
    plan = make_plan("長与", scheme="nagayo")
    client.force_login(planner)
    response = _figures(client, plan, **{"rules-3-band_percent": "△5"})
    assert response.context["form"].errors == {"rules-3-band_percent": ["A band is 0 or more."]}
    response = _figures(client, plan, **{"rules-3-band_percent": "１５"})
    assert response.status_code == 200
    assert "B:現況値から改善または横ばい（現況値から15％以内の悪化を含む）" in response.content.decode()


def test_a_setagaya_shaped_scheme_keeps_its_thresholds_form(client, planner, plan):
    client.force_login(planner)
    page = client.get(URL, {"plan": plan.pk}).content.decode()
    assert 'name="threshold_a"' in page and 'name="rules-' not in page


def test_only_the_planning_section_may_preview_figures(client, staff, viewer, osaka):
    for user in (staff, viewer):
        client.force_login(user)
        assert _figures(client, osaka, **{"rules-2-value": "90"}).status_code == 403
    _unchanged(osaka)


def test_the_confirm_step_refuses_a_tampered_scheme(client, planner, osaka):
    client.force_login(planner)
    data = scheme_files.to_data(scheme_files.preset("osaka-library"))
    data["rules"][1]["value"] = "200"
    response = client.post(
        URL, {"plan": osaka.pk, "action": "scheme", "confirmed": "1", "token": "", "scheme_data": json.dumps(data)}
    )
    assert response.status_code == 400 and "rules[2]: This rule can never give its label" in response.content.decode()
    _unchanged(osaka)


def test_the_page_and_its_preview_cost_the_same_queries_at_two_sizes(client, planner, department):
    """The page reads the plan, its closed years and the session; a preview reads the open years' results
    in three queries, however many."""
    client.force_login(planner)

    def queries(count):
        plan = make_plan(f"計画{count}", scheme="osaka-library")
        make_open_year(plan, 2024)
        for _index in range(count):
            make_graded_result(make_indicator(plan, department=department), fiscal_year=2024, actual=Decimal(85))
        with CaptureQueriesContext(connection) as page:
            assert client.get(URL, {"plan": plan.pk}).status_code == 200
        with CaptureQueriesContext(connection) as preview:
            response = _figures(client, plan, **_osaka("90"))
            assert len(response.context["changes"]) == count
        return len(page), len(preview)

    assert queries(1) == queries(12)
