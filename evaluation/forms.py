"""Forms of the evaluation pages.

ResultEntryForm is one row of the department entry page: per measure the actual as typed and the
state chosen instead of a figure (the 集計中 box where that is the plan's scheme's only state, else a
choice of the scheme's states: 完了, 未着手, 中止 …), the judged grade of a qualitative outcome (one of
the scheme's grade labels), the reason and the version the user saw.
Each data field also sends back, hidden, the value the page showed (`initial-<name>`, Django's
show_hidden_initial): a row is "changed" when the user changed it on the page, whatever a colleague
saved since. Nothing else is taken from a POST: the department, the grade and the status are never
fields.

The page does not render its rows through the form: Django's widget renderer costs a template per
input (842 on a page of 250 rows). evaluation.entry_inputs gives what each input holds, named as the
form names it, for the row template to print; `row_changed` tells an unchanged row without building
its form, and `rows_maybe_changed` the rows a POST may have changed without reading them, so that a
save validates and writes only the rows the user changed. All read a row's fields from `field_specs`,
the one list the form builds its own fields from.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.text_input import TextChecks
from evaluation import display
from evaluation.domain import grading
from evaluation.domain.enums import ActualState
from evaluation.domain.messages import describe_hold
from evaluation.models import Result, ResultValue
from evaluation.services.department_entry import Draft, RowInput
from evaluation.services.entries import (
    EntryError,
    asks_notes,
    parse_actual,
    parse_judged_grade,
    scheme_of,
    state_name,
)
from evaluation.services.results import ActualInput
from evaluation.services.scoring import apply_grades_or_hold, grading_hold

# Fields that are not data of the result: they never make a row "changed".
NOT_DATA = ("selected", "version")


def actual_as_typed(value: ResultValue) -> str:
    """The stored actual as the input shows it, close to what was typed (「1,816」, 「50」 even for a rate:
    the page's read-only figures print 50.0), 「一部運用」; blank when none or a state such as 集計中 (its
    control says so)."""
    if value.actual_state == ActualState.NUMBER and value.actual_value is not None:
        return display.number(value.actual_value)
    if value.actual_state == ActualState.TEXT:
        return value.actual_text
    return ""


@dataclass
class Preview:
    """What a row would be graded if saved now: per value id the achievement and grade, the result's
    grade, whether a reason is missing for it, and a grading error (a target that cannot be graded)."""

    achievements: dict[int, Decimal | None] = field(default_factory=dict)
    grades: dict[int, str] = field(default_factory=dict)
    grade: str = ""
    reason_missing: bool = False
    error: str = ""


def actual_field_name(value: ResultValue) -> str:
    """The actual's name in a message of the row (「実績」, 「実績（a）」): the row names the indicator."""
    label = value.measure.label
    return str(_("Actual (%(label)s)") % {"label": label} if label else _("Actual"))


# The row's fields ----------------------------------------------------------------------------------

TEXT, FLAG, CHOICE = "text", "flag", "choice"
# Stateless fields that compare a posted value with the shown one as the form's own fields do
# (a text stripped, a checkbox's "on"/absent as a boolean, a choice as posted).
COMPARED_AS = {
    TEXT: forms.CharField(required=False),
    FLAG: forms.BooleanField(required=False),
    CHOICE: forms.ChoiceField(required=False),
}


@dataclass(frozen=True)
class FieldSpec:
    """One data field of a row: its name within the row (actual_12), its kind, what is stored (the
    value an unchanged page shows), its label (naming the indicator) and its short label (naming it
    within the row: 実績 a), 集計中, 評価, 理由)."""

    name: str
    kind: str
    stored: object
    label: str
    short_label: str


def indicator_title(indicator) -> str:
    return f"{indicator.label} {indicator.name}".strip()


def tallying_box(scheme: grading.GradingScheme) -> bool:
    """The state instead of a figure is the 集計中 box (tallying_<id>) where 集計中 is the scheme's only
    state (Setagaya's); a scheme with other states offers a choice of them (state_<id>)."""
    return scheme.state_codes == (ActualState.TALLYING,)


def state_choices(scheme: grading.GradingScheme) -> list[tuple[str, str]]:
    """The choice of a state instead of a figure: none (a figure or a text is typed), then each state
    of the scheme by its name."""
    return [("", display.EMPTY), *((state.code, state_name(state)) for state in scheme.states)]


def grade_choices(scheme: grading.GradingScheme) -> list[tuple[str, str]]:
    """The judged grade's choices: not graded, then the scheme's grade labels, best first."""
    return [("", display.NOT_GRADED), *((code, code) for code in scheme.grade_labels)]


def grade_titles(scheme: grading.GradingScheme) -> dict[str, str]:
    """Each grade label's meaning in the active language, the title of its option (S: 目標値以上)."""
    english = (get_language() or "ja").startswith("en")
    titles = {}
    for code in scheme.grade_labels:
        label = scheme.label(code)
        if meaning := (label.meaning_en or label.meaning) if english else label.meaning:
            titles[code] = meaning
    return titles


class TitledSelect(forms.Select):
    """A select whose options carry a title (a grade label's meaning: S → 目標値以上)."""

    def __init__(self, attrs=None, choices=(), titles=None):
        super().__init__(attrs, choices)
        self.titles = titles or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if title := self.titles.get(str(value)):
            option["attrs"]["title"] = title
        return option


def field_specs(
    result: Result, values: list[ResultValue], scheme: grading.GradingScheme | None = None
) -> list[FieldSpec]:
    """The data fields of the row of `result`, in the form's order: the judged grade (qualitative
    outcomes), the reason (outcomes; an activity's note where a state of the scheme needs one), then per
    measure its actual and its state instead of a figure (集計中, or the scheme's choice of states).
    `scheme`: the plan's, taken once by a page."""
    indicator = result.indicator
    scheme = scheme_of(indicator, scheme)
    name = indicator_title(indicator)
    specs = []
    if indicator.is_qualitative:
        specs.append(
            FieldSpec(
                "judged_grade",
                CHOICE,
                result.judged_grade,
                _("Grade of %(indicator)s") % {"indicator": name},
                str(_("Grade")),
            )
        )
    if indicator.is_outcome:
        specs.append(
            FieldSpec(
                "reason",
                TEXT,
                result.reason,
                _("Reason for the grade of %(indicator)s") % {"indicator": name},
                str(_("Reason")),
            )
        )
    elif asks_notes(scheme):  # an activity's note on a state that needs one (中止 …), in the result's reason
        label = _("Note on why, %(indicator)s") % {"indicator": name}
        specs.append(FieldSpec("reason", TEXT, result.reason, label, str(_("Note"))))
    compound = len(values) > 1
    for value in values:
        sub_item = value.measure.label
        suffix = f" {sub_item})" if compound else ""
        label = (
            _("Actual of %(indicator)s, sub-item %(label)s") % {"indicator": name, "label": sub_item}
            if sub_item
            else _("Actual of %(indicator)s") % {"indicator": name}
        )
        specs.append(
            FieldSpec(f"actual_{value.pk}", TEXT, actual_as_typed(value), str(label), str(_("Actual")) + suffix)
        )
        if tallying_box(scheme):
            tallying = str(ActualState.TALLYING.label)
            ticked = value.actual_state == ActualState.TALLYING
            specs.append(FieldSpec(f"tallying_{value.pk}", FLAG, ticked, tallying, tallying + suffix))
        elif scheme.states:
            state_label = (
                _("Instead of a figure, %(indicator)s, sub-item %(label)s") % {"indicator": name, "label": sub_item}
                if sub_item
                else _("Instead of a figure, %(indicator)s") % {"indicator": name}
            )
            short = str(_("Instead of a figure"))
            specs.append(FieldSpec(f"state_{value.pk}", CHOICE, value.scheme_state, str(state_label), short + suffix))
    return specs


def field_changed(field: forms.Field, stored, data, html_name: str) -> bool:
    """Whether the user changed a field on the page: what was posted compared with the value the
    page showed (its hidden initial), not with what is stored now, so that a colleague's save since
    the page was opened does not make an untouched field "changed". A POST without the shown value
    (not from the page) is compared with what is stored."""
    posted = field.widget.value_from_datadict(data, {}, html_name)
    initial_name = f"initial-{html_name}"
    if initial_name not in data:
        return field.has_changed(stored, posted)
    shown = field.hidden_widget().value_from_datadict(data, {}, initial_name)
    try:
        shown = field.to_python(shown)
    except ValidationError:
        return True  # what the page showed cannot be read back: count the field as changed
    return field.has_changed(shown, posted)


def row_prefix(result: Result) -> str:
    return f"r{result.pk}"


def row_changed(result: Result, data, scheme: grading.GradingScheme | None = None) -> bool:
    """ResultEntryForm(result, data=data).has_changed(), without building the form."""
    prefix = row_prefix(result)
    specs = field_specs(result, list(result.values.all()), scheme)
    return any(field_changed(COMPARED_AS[spec.kind], spec.stored, data, f"{prefix}-{spec.name}") for spec in specs)


POSTED_FIELD = re.compile(r"(initial-)?r(\d{1,18})-(\w+)")  # an id a bigint holds
FIELD_KINDS = (("tallying_", FLAG), ("state_", CHOICE), ("judged_grade", CHOICE))


def rows_maybe_changed(data) -> set[int]:
    """The ids of the rows of a POST that the user may have changed, read from the POST alone: a row
    whose every posted data field holds the value the page showed (its hidden initial) is left out.
    A row with a data field posted without its shown value is kept (row_changed then compares it with
    what is stored), as is a row that posts no data field at all."""
    shown_by_row: dict[int, set[str]] = {}
    posted_by_row: dict[int, set[str]] = {}
    for key in data:
        if not (match := POSTED_FIELD.fullmatch(key)) or match[3] in NOT_DATA:
            continue
        (shown_by_row if match[1] else posted_by_row).setdefault(int(match[2]), set()).add(match[3])
    rows = set()
    for key in data:
        if (match := POSTED_FIELD.fullmatch(key)) and not match[1] and match[3] == "version":
            row, shown = int(match[2]), shown_by_row.get(int(match[2]), set())
            posted = posted_by_row.get(row, set())
            if not shown or posted - shown or any(_shown_changed(data, row, name) for name in shown):
                rows.add(row)
    return rows


def rows_selected(data) -> set[int]:
    """The ids of the rows whose 選択 box the POST ticks."""
    checkbox = COMPARED_AS[FLAG].widget
    matches = (POSTED_FIELD.fullmatch(key) for key in data)
    return {
        int(match[2])
        for match in matches
        if match and not match[1] and match[3] == "selected" and checkbox.value_from_datadict(data, {}, match[0])
    }


def _shown_changed(data, row: int, name: str) -> bool:
    kind = next((kind for start, kind in FIELD_KINDS if name.startswith(start)), TEXT)
    return field_changed(COMPARED_AS[kind], None, data, f"r{row}-{name}")


def row_selected(result: Result, data) -> bool:
    """The row's 選択 box was ticked (as the form's `selected` reads it)."""
    return bool(COMPARED_AS[FLAG].widget.value_from_datadict(data, {}, f"{row_prefix(result)}-selected"))


class ResultEntryForm(TextChecks, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    selected = forms.BooleanField(required=False)
    judged_grade = forms.ChoiceField(required=False, widget=TitledSelect)
    reason = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))

    def __init__(self, result: Result, *args, scheme: grading.GradingScheme | None = None, **kwargs):
        self.result = result
        self.indicator = result.indicator
        self.scheme = scheme_of(self.indicator, scheme)  # the plan's, taken once by a page of rows
        self.values: list[ResultValue] = list(result.values.all())
        self.specs = {spec.name: spec for spec in field_specs(result, self.values, self.scheme)}
        initial = {"version": result.version, **{name: spec.stored for name, spec in self.specs.items()}}
        super().__init__(*args, prefix=row_prefix(result), initial=initial, **kwargs)
        name = indicator_title(self.indicator)
        for value in self.values:
            actual = self.specs[self.actual_name(value)]
            self.fields[actual.name] = forms.CharField(required=False, max_length=200, label=actual.label)
            if (tallying := self.specs.get(self.tallying_name(value))) is not None:
                self.fields[tallying.name] = forms.BooleanField(required=False, label=ActualState.TALLYING.label)
            if (state := self.specs.get(self.state_name(value))) is not None:
                self.fields[state.name] = forms.ChoiceField(
                    required=False, choices=state_choices(self.scheme), label=state.label
                )
        self.fields["judged_grade"].choices = grade_choices(self.scheme)
        self.fields["judged_grade"].widget.titles = grade_titles(self.scheme)
        self.fields["selected"].label = _("Select %(indicator)s") % {"indicator": name}
        for field_name in ("reason", "judged_grade"):
            if field_name in self.specs:
                self.fields[field_name].label = self.specs[field_name].label
            else:
                del self.fields[field_name]
        self._describe_fields()
        for field_name in self.data_fields:
            self.fields[field_name].show_hidden_initial = True
            self.fields[field_name].widget.attrs["data-short-label"] = self.short_label(field_name)

    def _describe_fields(self):
        """Tie each input to the element that carries its message (aria-describedby), as the page
        and the live preview render them."""
        for value in self.values:
            widget = self.fields[self.actual_name(value)].widget
            widget.attrs.update(
                {"class": "input input--actual", "autocomplete": "off", "aria-describedby": self.message_id(value)}
            )
            if self.tallying_name(value) in self.fields:
                self.fields[self.tallying_name(value)].widget.attrs["class"] = "checkbox"
            if self.state_name(value) in self.fields:
                self.fields[self.state_name(value)].widget.attrs["class"] = "select select--state"
        self.fields["selected"].widget.attrs["class"] = "checkbox"
        if "judged_grade" in self.fields:
            self.fields["judged_grade"].widget.attrs.update(
                {"class": "select select--grade", "aria-describedby": self.message_id("judged_grade")}
            )
        if "reason" in self.fields:
            self.fields["reason"].widget.attrs.update(
                {"class": "input input--reason", "aria-describedby": self.message_id("reason")}
            )

    def message_id(self, target: ResultValue | str) -> str:
        """The id of the element holding the message of a measure's actual, or of the reason."""
        suffix = f"m{target.pk}" if isinstance(target, ResultValue) else target
        return f"{self.prefix}-{suffix}-message"

    @staticmethod
    def actual_name(value: ResultValue) -> str:
        return f"actual_{value.pk}"

    @staticmethod
    def tallying_name(value: ResultValue) -> str:
        return f"tallying_{value.pk}"

    @staticmethod
    def state_name(value: ResultValue) -> str:
        return f"state_{value.pk}"

    def short_label(self, name: str) -> str:
        """A data field's name within its row (実績 a), 集計中, 数値に代えて, 評価, 理由), where the row is already
        named."""
        return self.specs[name].short_label

    @property
    def data_fields(self) -> list[str]:
        """The names of the fields that hold the result's data (not the selection, not the version)."""
        return [name for name in self.fields if name not in NOT_DATA]

    @property
    def changed_data(self) -> list[str]:
        """The data fields the user changed on the page (field_changed: compared with the value the
        page showed, not with what is stored now)."""
        return [name for name in self.data_fields if self._changed_since_shown(self[name])]

    def _changed_since_shown(self, bound) -> bool:
        return field_changed(bound.field, bound.initial, self.data, bound.html_name)

    def stored_data(self) -> dict[str, str]:
        """What is stored now as the page POSTs it: each data field with its hidden initial, and the
        version. A checkbox that is not ticked is left out, as a browser leaves it out."""
        data = {self.add_prefix("version"): str(self.result.version)}
        for name in self.data_fields:
            bound = self[name]
            value = bound.initial
            data[bound.html_initial_name] = str(value)
            if isinstance(bound.field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = value
        return data

    @property
    def param_names(self) -> list[str]:
        """The POST names of the row's data, for the live preview (hx-params)."""
        return [self.add_prefix(name) for name in self.fields if name != "selected"]

    def clean(self):
        cleaned = super().clean()
        actuals: dict[int, ActualInput] = {}
        for value in self.values:
            name = self.actual_name(value)
            if name not in cleaned:
                continue  # the field's own validation failed (too long)
            try:
                actuals[value.pk] = parse_actual(
                    self.indicator,
                    cleaned[name],
                    tallying=cleaned.get(self.tallying_name(value), False),
                    state=cleaned.get(self.state_name(value)) or "",
                    scheme=self.scheme,
                )
            except EntryError as error:
                self.add_error(name, f"{actual_field_name(value)}: {error.message}")
        cleaned["actuals"] = actuals
        if "judged_grade" in self.fields:
            try:
                cleaned["judged_grade"] = parse_judged_grade(
                    self.indicator, cleaned.get("judged_grade"), scheme=self.scheme
                )
            except EntryError as error:
                self.add_error("judged_grade", str(error.message))
        return cleaned

    def typed_states(self) -> dict[int, str]:
        """Per value id the actual's state as typed (number, text, empty, tallying, cancelled …)."""
        self.is_valid()
        return {pk: entered.state for pk, entered in self.cleaned_data.get("actuals", {}).items()}

    def draft(self) -> Draft:
        """What a valid form holds, as results.save_draft takes it."""
        return Draft(
            expected_version=self.cleaned_data["version"],
            actuals=self.cleaned_data["actuals"],
            reason=self.cleaned_data.get("reason", self.result.reason),
            judged_grade=self.cleaned_data.get("judged_grade", ""),
        )

    def row_input(self) -> RowInput:
        """The row as department_entry.save_entries takes it (the draft is None when the form is invalid)."""
        return RowInput(
            result=self.result,
            draft=self.draft() if self.is_valid() else None,
            changed=self.has_changed(),
            selected=bool(self["selected"].data),
        )

    def preview(self) -> Preview:
        """Grade what the user typed, on unsaved copies, with the plan's rule (scoring.apply_grades).
        An unbound form shows what is stored. Nothing is saved."""
        if not self.is_bound:
            return stored_preview(self.result, self.values, self.scheme)
        self.is_valid()  # runs clean() once; a field in error keeps its stored value here
        result = copy.copy(self.result)
        values = [copy.copy(value) for value in self.values]
        actuals = self.cleaned_data.get("actuals", {})
        for value in values:
            entered = actuals.get(value.pk)
            if entered is not None:
                value.actual_state, value.actual_value, value.actual_text = entered.state, entered.value, entered.text
        result.judged_grade = self.cleaned_data.get("judged_grade", result.judged_grade)
        result.reason = self.cleaned_data.get("reason", result.reason)
        hold = apply_grades_or_hold(result, values, self.scheme)
        preview = _preview_of(result, values, self.scheme)
        if hold is not None:
            preview.error = describe_hold(hold)  # a notice: the draft saves, the grade stays ー
        return preview


def stored_preview(result: Result, values: list[ResultValue], scheme: grading.GradingScheme | None = None) -> Preview:
    """The achievement and grade as the service stored them (and why the grade is held at ー, if it is)."""
    scheme = scheme_of(result.indicator, scheme)
    preview = _preview_of(result, values, scheme)
    if (hold := grading_hold(result, values, scheme)) is not None:
        preview.error = describe_hold(hold)
    return preview


def _preview_of(result: Result, values: list[ResultValue], scheme: grading.GradingScheme) -> Preview:
    return Preview(
        achievements={value.pk: value.achievement for value in values},
        grades={value.pk: value.grade for value in values},
        grade=result.grade,
        reason_missing=reason_missing(scheme, result, values),
    )


def reason_missing(scheme: grading.GradingScheme, result: Result, values: list[ResultValue]) -> bool:
    """The result's grade or a state entered needs a reason, and there is none (an activity's state, such
    as 中止, its note: results.submission_problems asks the same)."""
    return scheme.reason_missing(result.grade, result.reason, [value.actual_state for value in values])
