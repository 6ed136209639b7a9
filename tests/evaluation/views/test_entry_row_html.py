"""The entry page's rows written in one pass (evaluation/views/entry_row_html.py) hold to what the row
template wrote before (REFERENCE: entry_row_reference.html, the template as it was), byte for byte:
every kind of row of a bench plan (activity, outcome, compound, qualitative; not entered, draft,
submitted, returned with its comment, approved) for its staff and for the planning section
(read-only), in Japanese and English, and the rows of a refused save (what was typed, aria-invalid,
the errors under their fields)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, override, pgettext

from bench.builders import build_plan
from bench.plan import PlanShape
from evaluation.domain import scheme_files
from evaluation.domain.enums import IndicatorKind, ResultStatus
from evaluation.models import Plan, Result, ResultValue
from evaluation.views.entry_rows import reason_rule
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db

REFERENCE = (Path(__file__).parent / "entry_row_reference.html").read_text(encoding="utf-8")


def reference_labels(reason_required: str = "", note_required: str = "") -> dict[str, str]:
    """What department.html translated once for every row, as the reference row reads it; the reason
    rule's words of a scheme other than Setagaya's (reason_rule)."""
    return {
        "select_label": gettext("Select"),
        "baseline_label": gettext("Baseline"),
        "plan_label": gettext("Plan / target"),
        "previous_label": gettext("Last year's actual"),
        "actual_label": gettext("Actual"),
        "achievement_label": gettext("Achievement"),
        "grade_label": gettext("Grade"),
        "activity_label": pgettext("indicator kind, short", "Activity"),
        "outcome_label": pgettext("indicator kind, short", "Outcome"),
        "not_graded_label": gettext("not graded"),
        "reason_label": gettext("Reason for the grade"),
        "reason_required_label": reason_required or gettext("required for C and D"),
        "note_label": gettext("Note on why") if note_required else "",
        "note_required_label": note_required,
    }


def page_rows_of(response) -> list:
    assert response.status_code == 200
    rows = []
    for group in response.context["pillars"]:
        for area in group["areas"]:
            for vision in area["visions"]:
                for initiative in vision["initiatives"]:
                    rows += initiative["rows"]
    return rows


def assert_rows_as_the_reference_wrote_them(rows, labels: dict[str, str] | None = None) -> None:
    reference = Template(REFERENCE)
    labels = labels or reference_labels()
    for row in rows:
        written = render_to_string("evaluation/entry/_row.html", {"row": row})
        assert written == reference.render(Context({**labels, "row": row})), row.anchor


@pytest.fixture
def bench(db):
    return build_plan(PlanShape.of_size(250))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_kind_of_row_is_written_as_the_row_template_wrote_it(bench, language):
    rows = []
    with override(language):
        for department in bench.departments:
            url = reverse("entry_department", args=[department.pk, bench.fiscal_year])
            staff, planner = Client(), Client()
            staff.force_login(bench.entry_user(department))
            planner.force_login(bench.planner)
            for client in (staff, planner):
                page = page_rows_of(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
                assert_rows_as_the_reference_wrote_them(page)
                rows += page

    assert any(row.inputs for row in rows) and any(not row.inputs for row in rows)
    kinds = {(row.indicator.kind, row.is_compound, row.indicator.is_qualitative, row.result.status) for row in rows}
    assert {kind for kind, *_rest in kinds} == {IndicatorKind.ACTIVITY, IndicatorKind.OUTCOME}
    assert any(compound for _kind, compound, _q, _s in kinds) and any(q for _kind, _c, q, _s in kinds)
    assert {status for *_rest, status in kinds} >= {
        ResultStatus.NOT_ENTERED, ResultStatus.DRAFT, ResultStatus.SUBMITTED, ResultStatus.RETURNED,
        ResultStatus.APPROVED,
    }  # fmt: skip
    assert any(row.return_comment for row in rows)


def test_the_rows_of_a_refused_save_are_written_as_the_row_template_wrote_them(bench):
    url = reverse("entry_department", args=[bench.big.pk, bench.fiscal_year])
    staff = Client()
    staff.force_login(bench.entry_user(bench.big))
    page = staff.get(url)
    content = page.content.decode()
    form = re.search(r'<form class="entry-form".*?</form>', content, re.S).group(0)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    typed = re.findall(r'name="(r\d+-actual_\d+)"', form)[:6]
    data.update(dict.fromkeys(typed, "たくさん"))
    data["action"] = "save"

    with override("ja"):
        rows = page_rows_of(staff.post(reverse("entry_department_save", args=[bench.big.pk, bench.fiscal_year]), data))
        shown_as_typed = [row for row in rows if row.shows_unsaved]
        assert_rows_as_the_reference_wrote_them(rows)

    assert len(shown_as_typed) >= 1
    assert all(any(measure.errors for measure in row.measures) for row in shown_as_typed)


@pytest.fixture
def akiruno_bench(db):
    """A small bench plan graded by あきる野's scheme (中止 and 評価困難 need a note): activities 中止 with a
    note, 中止 without one, a note without a state, editable and submitted."""
    bench = build_plan(PlanShape.of_size(30))
    Plan.objects.filter(pk=bench.plan.pk).update(grading_scheme=scheme_files.to_data(scheme_files.preset("akiruno")))
    shapes = [("cancelled", ""), ("cancelled", "事業を見直したため"), ("", "前年度の注記"), ("difficult", "調査なし")]
    for department in bench.departments:  # each department's activities take the shapes in turn
        activities = Result.objects.filter(
            indicator__plan=bench.plan, indicator__kind=IndicatorKind.ACTIVITY, department=department
        ).order_by("pk")
        for result, (state, note) in zip(activities, shapes, strict=False):
            if state:
                ResultValue.objects.filter(result=result).update(actual_state=state, actual_value=None, actual_text="")
            Result.objects.filter(pk=result.pk).update(reason=note)
    return bench


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_activities_note_lines_of_a_scheme_that_asks_notes_are_written_as_the_reference(akiruno_bench, language):
    bench = akiruno_bench
    rows = []
    with override(language):
        rule = reason_rule(scheme_files.preset("akiruno"))
        labels = reference_labels(rule["required"], rule["note_required"])
        for department in bench.departments:
            url = reverse("entry_department", args=[department.pk, bench.fiscal_year])
            staff, planner = Client(), Client()
            staff.force_login(bench.entry_user(department))
            planner.force_login(bench.planner)
            for client in (staff, planner):
                page = page_rows_of(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
                assert_rows_as_the_reference_wrote_them(page, labels)
                rows += page

    notes = [row for row in rows if row.is_activity and row.inputs and row.inputs.reason]
    assert any(row.note_asked for row in notes) and any(not row.note_asked for row in notes)
    assert any(row.preview.reason_missing for row in notes)  # 中止 without its note
    assert any(row.is_activity and not row.inputs and row.result.reason for row in rows)  # read-only note


def test_the_rows_of_a_submission_refused_for_a_missing_note_are_written_as_the_reference(akiruno_bench):
    bench = akiruno_bench
    url = reverse("entry_department", args=[bench.big.pk, bench.fiscal_year])
    staff = Client()
    staff.force_login(bench.entry_user(bench.big))
    save_url = reverse("entry_department_save", args=[bench.big.pk, bench.fiscal_year])
    data = {**form_data(staff.get(url).content.decode(), save_url), "action": "submit_all"}

    with override("ja"):
        rule = reason_rule(scheme_files.preset("akiruno"))
        rows = page_rows_of(staff.post(save_url, data))
        assert_rows_as_the_reference_wrote_them(rows, reference_labels(rule["required"], rule["note_required"]))

    assert any(row.is_activity and row.reason_errors for row in rows)
