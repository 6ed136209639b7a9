"""ResultEntryForm: what a row of the entry page takes from a POST, and its live preview."""

from dataclasses import asdict
from decimal import Decimal

import pytest

from evaluation.domain.enums import ActualState, Direction
from evaluation.forms import ResultEntryForm
from tests.builders import make_indicator, make_result

pytestmark = pytest.mark.django_db


def _form(result, **data):
    result.refresh_from_db()
    prefix = f"r{result.pk}"
    return ResultEntryForm(result, data={f"{prefix}-{name}": value for name, value in data.items()})


def _actual(result) -> str:
    return f"actual_{result.values.get().pk}"


def test_an_unchanged_row_has_not_changed_even_when_selected():
    result = make_result(make_indicator(), actual=Decimal(1816))
    value = result.values.get()

    form = _form(result, version="1", selected="on", **{f"actual_{value.pk}": "1,816", "reason": ""})

    assert not form.has_changed()


def test_a_row_has_changed_only_where_the_user_changed_what_the_page_showed():
    """Each data field sends back, hidden, the value the page showed: a colleague's save since the page
    was opened (stored 77, shown 60) does not make the untouched actual "changed"."""
    result = make_result(make_indicator(), actual=Decimal(77))
    actual = _actual(result)

    prefix = f"r{result.pk}"
    shown = {f"{prefix}-version": "1", f"initial-{prefix}-{actual}": "60"}

    untouched = ResultEntryForm(result, data={**shown, f"{prefix}-{actual}": "60"})
    edited = ResultEntryForm(result, data={**shown, f"{prefix}-{actual}": "61", f"{prefix}-reason": "理由"})

    assert untouched.changed_data == [] and not untouched.has_changed()
    assert set(edited.changed_data) == {actual, "reason"}  # the reason had no shown value: compared with the stored ""


def test_the_page_renders_the_shown_value_of_every_data_field_hidden():
    result = make_result(make_indicator(direction=Direction.QUALITATIVE), actual=Decimal(5))
    result.refresh_from_db()
    form = ResultEntryForm(result)

    rendered = "".join(str(form[name]) for name in form.data_fields)

    for name in form.data_fields:
        assert f'name="initial-r{result.pk}-{name}"' in rendered
    assert f'name="initial-r{result.pk}-version"' not in str(form["version"])
    assert form.stored_data()[f"initial-r{result.pk}-{_actual(result)}"] == "5"


def test_a_japanese_actual_is_parsed_and_previewed_with_the_plan_rule():
    result = make_result(make_indicator(unit="%"), target=Decimal(100))

    form = _form(result, version="1", **{_actual(result): "５０．０％", "reason": ""})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["actuals"][result.values.get().pk].value == Decimal("50.0")
    preview = form.preview()
    assert preview.grade == "C"
    assert preview.achievements[result.values.get().pk] == Decimal("50.0")
    assert preview.reason_missing
    result.refresh_from_db()
    assert result.grade == "" and result.version == 1  # nothing saved


def test_a_reason_clears_the_missing_reason_of_a_c():
    result = make_result(make_indicator(), target=Decimal(100))

    preview = _form(result, version="1", **{_actual(result): "50", "reason": "理由"}).preview()

    assert (preview.grade, preview.reason_missing) == ("C", False)


def test_tallying_is_an_explicit_choice_and_wins_over_the_typed_text():
    result = make_result(make_indicator(), target=Decimal(100))
    value = result.values.get()

    form = _form(result, version="1", **{f"actual_{value.pk}": "12", f"tallying_{value.pk}": "on"})

    assert form.is_valid()
    assert form.cleaned_data["actuals"][value.pk].state == ActualState.TALLYING
    assert form.preview().grade == ""


def test_a_number_that_cannot_be_read_is_an_error_on_its_field():
    result = make_result(make_indicator(), target=Decimal(100))

    form = _form(result, version="1", **{_actual(result): "たくさん"})

    assert not form.is_valid()
    assert _actual(result) in form.errors


def test_the_judged_grade_exists_only_for_qualitative_outcomes():
    graded = make_result(make_indicator())
    qualitative = make_result(make_indicator(graded.indicator.plan, direction=Direction.QUALITATIVE), target="課題整理")

    assert "judged_grade" not in ResultEntryForm(graded).fields
    form = _form(qualitative, version="1", judged_grade="B", **{_actual(qualitative): "一部運用"})
    assert form.is_valid(), form.errors
    assert form.draft().judged_grade == "B"
    assert form.preview().grade == "B"


def test_smuggled_fields_are_not_taken():
    result = make_result(make_indicator(), target=Decimal(100))

    form = _form(result, version="1", grade="A", status="approved", department="9", **{_actual(result): "50"})

    assert form.is_valid()
    assert set(asdict(form.draft())) == {"expected_version", "actuals", "reason", "judged_grade"}
    assert "grade" not in form.cleaned_data and "status" not in form.cleaned_data


def test_every_input_has_a_label_naming_the_indicator():
    result = make_result(make_indicator(name="相談件数", sub_items=("a", "b")))

    form = ResultEntryForm(result)

    for name, field in form.fields.items():
        if name != "version":
            assert "相談件数" in str(field.label) or name.startswith("tallying"), name
