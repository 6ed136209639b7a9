"""The entry row's form under あきる野市's scheme: per measure a choice of the scheme's states instead
of the 集計中 box, the judged grade among its labels; the page writes these inputs as Django renders
them (as tests/evaluation/test_forms.py holds the Setagaya row), and a row tells its changes apart."""

import pytest

from evaluation.domain.enums import Direction
from evaluation.entry_inputs import page_inputs
from evaluation.forms import ResultEntryForm, row_changed, rows_maybe_changed
from tests.builders import make_indicator, make_plan, make_result
from tests.evaluation.test_forms import _django_rendered, _written

pytestmark = pytest.mark.django_db


@pytest.fixture
def row():
    plan = make_plan("あきる野市総合計画", scheme="akiruno")
    indicator = make_indicator(plan, direction=Direction.QUALITATIVE, name="計画<策定> & “質”", sub_items=("a", "b"))
    result = make_result(indicator, target="計画策定")
    result.refresh_from_db()
    return result


def test_the_written_inputs_are_what_django_renders_for_a_stored_row(row):
    type(row.values.first()).objects.filter(result=row).update(actual_state="cancelled")
    type(row).objects.filter(pk=row.pk).update(reason="理由 <b>", judged_grade="S")
    row.refresh_from_db()

    form = ResultEntryForm(row)
    written = _written(form, page_inputs(row, form.values))

    assert written == _django_rendered(form)
    value = form.values[0]
    assert written[f"r{row.pk}-state_{value.pk}"][1]["selected-option"] == "cancelled"
    assert written[f"r{row.pk}-judged_grade"][1]["selected-option"] == "S"
    assert f"r{row.pk}-tallying_{value.pk}" not in written


def test_the_written_inputs_are_what_django_renders_for_a_row_shown_as_typed(row):
    prefix = f"r{row.pk}"
    data = {f"{prefix}-version": "1", f"{prefix}-judged_grade": "B", f"{prefix}-reason": ""}
    for value in row.values.all():
        data[f"{prefix}-actual_{value.pk}"] = "一部"
        data[f"{prefix}-state_{value.pk}"] = "difficult"
        data[f"initial-{prefix}-actual_{value.pk}"] = ""
        data[f"initial-{prefix}-state_{value.pk}"] = ""
    form = ResultEntryForm(row, data=data)

    assert _written(form, page_inputs(row, form.values, data=form.data)) == _django_rendered(form)
    assert form.is_valid()
    assert {entered.state for entered in form.cleaned_data["actuals"].values()} == {"difficult"}
    assert form.cleaned_data["judged_grade"] == "B"


@pytest.mark.parametrize(("state", "changed"), [("", False), ("not_started", True)])
def test_choosing_a_state_changes_the_row(row, state, changed):
    data = dict(ResultEntryForm(row).stored_data())
    value = row.values.first()
    data[f"r{row.pk}-state_{value.pk}"] = state

    assert row_changed(row, data) is changed
    assert ResultEntryForm(row, data=data).has_changed() is changed
    assert (row.pk in rows_maybe_changed(data)) is changed


def test_a_state_not_in_the_scheme_is_refused(row):
    data = dict(ResultEntryForm(row).stored_data())
    value = row.values.first()
    data[f"r{row.pk}-state_{value.pk}"] = "postponed"

    form = ResultEntryForm(row, data=data)

    assert not form.is_valid() and f"state_{value.pk}" in form.errors
