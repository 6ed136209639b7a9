"""ResultEntryForm: what a row of the entry page takes from a POST, and its live preview."""

from dataclasses import asdict
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from evaluation.domain.enums import ActualState, Direction
from evaluation.entry_inputs import page_inputs
from evaluation.forms import ResultEntryForm, row_changed, rows_maybe_changed
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


# The page's inputs, written without the widget renderer ----------------------------------------------


class _Inputs(HTMLParser):
    """The inputs, selects and textareas of a piece of HTML: {name: (tag, attributes, text)}, the
    selected option of a select among its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: dict[str, tuple[str, dict, str]] = {}
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea"):
            if attrs.get("type") == "hidden":
                attrs.pop("id", None)  # the page does not write the ids of hidden inputs: nothing points to them
            self.found[attrs["name"]] = (tag, attrs, "")
            self._open = attrs["name"] if tag in ("select", "textarea") else None
        elif tag == "option" and self._open:
            if "selected" in attrs:
                tag_name, found, _text = self.found[self._open]
                self.found[self._open] = (tag_name, {**found, "selected-option": attrs["value"]}, "")

    def handle_data(self, data):
        if self._open and self.found[self._open][0] == "textarea":
            tag, attrs, text = self.found[self._open]
            self.found[self._open] = (tag, attrs, text + data)

    def handle_endtag(self, tag):
        if tag in ("select", "textarea"):
            self._open = None


def _parsed(html: str) -> dict:
    parser = _Inputs()
    parser.feed(html)
    return parser.found


def _django_rendered(form) -> dict:
    """What Django's widgets render for every field of the form but the selection (the row's own)."""
    return _parsed("".join(str(form[name]) for name in form.fields if name != "selected"))


def _written(form, inputs) -> dict:
    html = inputs.selection() + "".join(inputs.measure(value.pk) for value in form.values)
    if inputs.judged_grade:
        html += inputs.grade()
    if inputs.reason:
        html += inputs.reason.textarea()
    found = _parsed(html)
    found.pop(f"r{form.result.pk}-selected")
    return found


def _qualitative_compound():
    result = make_result(
        make_indicator(direction=Direction.QUALITATIVE, name="相談<件数> & “質”", sub_items=("a", "b")),
        target="課題整理",
    )
    result.refresh_from_db()
    return result


def test_the_written_inputs_are_what_django_renders_for_a_stored_row():
    result = _qualitative_compound()
    ResultValue = type(result.values.first())
    ResultValue.objects.filter(result=result).update(actual_state=ActualState.TEXT, actual_text='一部"運用"')
    type(result).objects.filter(pk=result.pk).update(reason="理由 <b>", judged_grade="B")
    result.refresh_from_db()

    form = ResultEntryForm(result)

    assert _written(form, page_inputs(result, form.values)) == _django_rendered(form)


@pytest.mark.parametrize(
    "typed",
    [
        {"judged_grade": "C", "reason": "打った理由", "tallying": "on", "actual": "12"},
        {"judged_grade": "", "reason": "", "actual": "", "shown": False},  # a POST without the shown values
    ],
)
def test_the_written_inputs_are_what_django_renders_for_a_row_shown_as_typed(typed):
    result = _qualitative_compound()
    form_values = list(result.values.all())
    prefix = f"r{result.pk}"
    data = {
        f"{prefix}-version": "1",
        f"{prefix}-judged_grade": typed["judged_grade"],
        f"{prefix}-reason": typed["reason"],
    }
    for value in form_values:
        data[f"{prefix}-actual_{value.pk}"] = typed["actual"]
        if "tallying" in typed:
            data[f"{prefix}-tallying_{value.pk}"] = typed["tallying"]
        if typed.get("shown", True):
            data[f"initial-{prefix}-actual_{value.pk}"] = "9"
            data[f"initial-{prefix}-tallying_{value.pk}"] = "False"
    form = ResultEntryForm(result, data=data)

    assert _written(form, page_inputs(result, form.values, data=form.data)) == _django_rendered(form)


@pytest.mark.parametrize(
    ("posted", "changed"),
    [
        ({}, False),
        ({"actual": " 5 "}, False),  # stripped as the form strips it
        ({"actual": "6"}, True),
        ({"tallying": "on"}, True),
        ({"judged_grade": "A"}, True),
        ({"reason": "新しい理由"}, True),
        ({"shown": {"actual": "4"}}, True),  # a colleague's 5 since the page showed 4: the user typed 5
        ({"shown": {"actual": "not shown"}, "actual": "not shown"}, False),
        ({"no_shown": True}, False),
        ({"no_shown": True, "actual": "7"}, True),
    ],
)
def test_row_changed_answers_as_the_form_does(posted, changed):
    result = _qualitative_compound()
    value = result.values.first()
    ResultValue = type(value)
    ResultValue.objects.filter(result=result).update(actual_state=ActualState.NUMBER, actual_value=5)
    result.refresh_from_db()
    stored = ResultEntryForm(result).stored_data()
    data = dict(stored)
    prefix = f"r{result.pk}"
    if "actual" in posted:
        data[f"{prefix}-actual_{value.pk}"] = posted["actual"]
    if "tallying" in posted:
        data[f"{prefix}-tallying_{value.pk}"] = posted["tallying"]
    if "judged_grade" in posted:
        data[f"{prefix}-judged_grade"] = posted["judged_grade"]
    if "reason" in posted:
        data[f"{prefix}-reason"] = posted["reason"]
    for name, shown in posted.get("shown", {}).items():
        data[f"initial-{prefix}-{name}_{value.pk}"] = shown
    if posted.get("no_shown"):
        data = {name: text for name, text in data.items() if not name.startswith("initial-")}

    assert row_changed(result, data) is changed
    assert ResultEntryForm(result, data=data).has_changed() is changed
    # Read from the POST alone, a row that holds what the page showed is not even read from the database.
    maybe = result.pk in rows_maybe_changed(data)
    assert maybe if changed else maybe == bool(posted.get("no_shown"))
