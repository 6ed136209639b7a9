"""The grading page's download: the plan's scheme as a TOML (or JSON) file that the scheme reader reads
back to the same scheme, so a planning section starts its own from it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.domain import scheme_files
from tests.builders import make_plan

pytestmark = pytest.mark.django_db

URL = reverse("year_grading_download")


def test_the_grading_page_links_to_the_download(client, planner, plan):
    client.force_login(planner)
    page = client.get(reverse("year_grading"), {"plan": plan.pk}).content.decode()
    assert f'href="{URL}?plan={plan.pk}" download>この評価基準をダウンロード（TOML）' in page
    assert f'href="{URL}?plan={plan.pk}&amp;format=json" download' in page


def test_a_plan_whose_thresholds_were_edited_downloads_a_file_that_reads_back_the_same(client, planner):
    plan = make_plan("計画", threshold_a=Decimal("99.95"), threshold_b=Decimal("90"))
    client.force_login(planner)
    response = client.get(URL, {"plan": plan.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/toml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="setagaya.toml"'
    text = response.content.decode("utf-8")
    assert text.startswith("# 評価基準ファイル（TOML、UTF-8）、計画「計画」の評価基準")
    assert "value = 99.95\n" in text
    assert scheme_files.loads(text, "toml") == plan.scheme


@pytest.mark.parametrize("name", scheme_files.preset_names())
def test_every_preset_downloads_as_json_and_toml_that_read_back_the_same(client, planner, name):
    plan = make_plan(name, scheme=name)
    client.force_login(planner)
    for fmt in ("toml", "json"):
        response = client.get(URL, {"plan": plan.pk, "format": fmt})
        assert response["Content-Disposition"] == f'attachment; filename="{name}.{fmt}"'
        assert scheme_files.loads(response.content.decode("utf-8"), fmt) == plan.scheme


def test_the_comments_follow_the_pages_language(client, planner, plan):
    client.force_login(planner)
    text = client.get(URL, {"plan": plan.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert text.startswith("# A grading scheme file (TOML, UTF-8) of the plan")


def test_an_unknown_format_or_plan_is_not_found_and_others_are_refused(client, planner, staff, viewer, plan):
    client.force_login(planner)
    assert client.get(URL, {"plan": plan.pk, "format": "xml"}).status_code == 404
    assert client.get(URL, {"plan": plan.pk + 100}).status_code == 404
    assert client.post(URL, {"plan": plan.pk}).status_code == 405
    for user in (staff, viewer):
        client.force_login(user)
        assert client.get(URL, {"plan": plan.pk}).status_code == 403
