"""What the inputs of a row of the department entry page hold, written without Django's widget
renderer (a template per input: 842 on a page of 250 rows): `page_inputs` gives each input of an
editable row, named as ResultEntryForm names it, with what it holds (what is stored, or what was
typed when the row is shown again) and the value the page showed in its hidden initial; each input
is written in one pass, its attributes as Django's widget writes them (tests/evaluation/test_forms.py
holds them to it). templates/evaluation/entry/_row.html prints them."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from evaluation.domain import grading
from evaluation.forms import (
    COMPARED_AS,
    FLAG,
    field_specs,
    grade_choices,
    grade_titles,
    indicator_title,
    row_prefix,
    row_selected,
    state_choices,
)
from evaluation.models import Result, ResultValue
from evaluation.services.entries import scheme_of


def _hidden_value(value) -> str | None:
    """A value as a hidden input holds it (Django's HiddenInput): None, no value, for an empty one."""
    return None if value is None or value == "" else str(value)


@dataclass
class PageInput:
    """One input of a row as the row template writes it: its POST name (the form's), what it holds (a
    text, or whether a box is ticked), its hidden initial's value (what the page shows now; None: no
    value), its labels, the id of the element holding its message, and whether it has a problem."""

    name: str
    value: object
    shown: str | None
    label: str
    short_label: str
    message_id: str = ""
    invalid: bool = False

    @property
    def id(self) -> str:
        return f"id_{self.name}"

    @property
    def initial_name(self) -> str:
        return f"initial-{self.name}"

    # Written in one pass, as Django's widgets write them (their attributes in the same order), each
    # value escaped (_attr); the row's template prints these as they are.

    def _tail(self) -> str:
        """aria-invalid when the input has a problem, then the hidden shown value."""
        invalid = ' aria-invalid="true"' if self.invalid else ""
        shown = "" if self.shown is None else f' value="{_attr(self.shown)}"'
        return f'{invalid}><input type="hidden" name="{_attr(self.initial_name)}"{shown}>'

    def text_input(self) -> str:
        value = f' value="{_attr(self.value)}"' if self.value else ""
        return (
            f'<input type="text" name="{_attr(self.name)}"{value} maxlength="200" class="input input--actual" '
            f'autocomplete="off" aria-describedby="{_attr(self.message_id)}" '
            f'data-short-label="{_attr(self.short_label)}" id="{_attr(self.id)}"{self._tail()}'
        )

    def checkbox(self) -> str:
        checked = " checked" if self.value else ""
        return (
            f'<input type="checkbox" name="{_attr(self.name)}" class="checkbox" '
            f'data-short-label="{_attr(self.short_label)}" id="{_attr(self.id)}"{checked}{self._tail()}'
        )

    def textarea(self) -> SafeString:
        opening = (
            f'<textarea name="{_attr(self.name)}" cols="60" rows="2" maxlength="4000" class="input input--reason" '
            f'aria-describedby="{_attr(self.message_id)}" data-short-label="{_attr(self.short_label)}" '
            f'id="{_attr(self.id)}"'
        )
        invalid = ' aria-invalid="true"' if self.invalid else ""
        shown = "" if self.shown is None else f' value="{_attr(self.shown)}"'
        hidden = f'<input type="hidden" name="{_attr(self.initial_name)}"{shown}>'
        return mark_safe(f"{opening}{invalid}>\n{_attr(self.value)}</textarea>{hidden}")

    def select(self, choices: list[tuple[str, str]], titles: dict[str, str] | None = None, css="select--grade") -> str:
        titles = titles or {}
        options = "".join(
            f'<option value="{_attr(choice)}"{_title(titles.get(choice))}'
            f"{' selected' if choice == self.value else ''}>{_attr(text)}</option>"
            for choice, text in choices
        )
        invalid = ' aria-invalid="true"' if self.invalid else ""
        shown = "" if self.shown is None else f' value="{_attr(self.shown)}"'
        described = f'aria-describedby="{_attr(self.message_id)}" ' if self.message_id else ""
        return (
            f'<select name="{_attr(self.name)}" class="select {css}" '
            f'{described}data-short-label="{_attr(self.short_label)}" '
            f'id="{_attr(self.id)}"{invalid}>{options}</select>'
            f'<input type="hidden" name="{_attr(self.initial_name)}"{shown}>'
        )


def _title(title: str | None) -> str:
    return f' title="{_attr(title)}"' if title else ""


def _attr(value) -> str:
    """A value escaped for HTML text and attributes, as Django's escape does (without its lazy wrapper)."""
    return html.escape(str(value))


@dataclass
class RowInputs:
    """The inputs of one editable row: its version and selection, per measure (by value id) the actual
    and the state instead of a figure (the 集計中 box, or the choice of the scheme's states), the judged
    grade of a qualitative outcome with its choices (and their meanings), the reason of an outcome."""

    prefix: str
    version: str | None
    selected: bool
    selected_label: str
    actuals: dict[int, PageInput]
    tallying: dict[int, PageInput]
    judged_grade: PageInput | None = None
    grade_choices: list[tuple[str, str]] = field(default_factory=list)
    reason: PageInput | None = None
    states: dict[int, PageInput] = field(default_factory=dict)
    state_choices: list[tuple[str, str]] = field(default_factory=list)
    grade_titles: dict[str, str] = field(default_factory=dict)

    def selection(self) -> SafeString:
        """The row's version (hidden) and its 選択 box, with its label."""
        prefix = _attr(self.prefix)
        version = f' value="{_attr(self.version)}"' if self.version else ""
        checked = " checked" if self.selected else ""
        return mark_safe(
            f'<input type="hidden" name="{prefix}-version"{version}><label class="entry-select__label">'
            f'<input type="checkbox" name="{prefix}-selected" class="checkbox" id="id_{prefix}-selected"{checked}>'
            f'<span class="visually-hidden">{_attr(self.selected_label)}</span></label>'
        )

    def measure(self, value_id: int) -> SafeString:
        """A measure's actual (its label, the input, the hidden shown value) and its 集計中 box, or its
        choice of the scheme's states."""
        actual = self.actuals[value_id]
        label = _attr(actual.label)
        html = f'<label class="visually-hidden" for="{_attr(actual.id)}">{label}</label>\n{actual.text_input()}'
        if (tallying := self.tallying.get(value_id)) is not None:
            html += (
                f'\n<label class="entry-tallying">{tallying.checkbox()} {_attr(tallying.label)}'
                f'<span class="visually-hidden">（{label}）</span></label>'
            )
        elif (state := self.states.get(value_id)) is not None:
            html += (
                f'\n<label class="entry-state" for="{_attr(state.id)}"><span class="entry-small">'
                f'{_attr(state.short_label)}</span><span class="visually-hidden">（{label}）</span></label>'
                f"{state.select(self.state_choices, css='select--state')}"
            )
        return mark_safe(html)

    def grade(self) -> SafeString:
        """The judged grade's label, choice (each label's meaning its title) and hidden shown value."""
        grade = self.judged_grade
        return mark_safe(
            f'<label class="visually-hidden" for="{_attr(grade.id)}">{_attr(grade.label)}</label>\n'
            f"{grade.select(self.grade_choices, self.grade_titles)}"
        )

    @property
    def param_names(self) -> str:
        """The POST names of the row's data, for the live preview (hx-params)."""
        names = [f"{self.prefix}-version"]
        names += [data.name for data in (self.judged_grade, self.reason) if data is not None]
        for value_id, actual in self.actuals.items():
            names.append(actual.name)
            names += [state[value_id].name for state in (self.tallying, self.states) if value_id in state]
        return ",".join(names)


def page_inputs(
    result: Result, values: list[ResultValue], data=None, scheme: grading.GradingScheme | None = None
) -> RowInputs:
    """What the row's inputs hold, as ResultEntryForm(result, data=data) would render them: what is
    stored (no `data`), or what was typed (`data`, a POST shown again), each with the value the page
    showed in its hidden initial. `scheme`: the plan's, taken once by the page."""
    scheme = scheme_of(result.indicator, scheme)
    prefix = row_prefix(result)
    inputs = {}
    for spec in field_specs(result, values, scheme):
        name = f"{prefix}-{spec.name}"
        if data is None:
            value, shown = spec.stored, spec.stored
        else:
            value = COMPARED_AS[spec.kind].widget.value_from_datadict(data, {}, name)
            shown = data.get(f"initial-{name}") if f"initial-{name}" in data else value
        if spec.kind != FLAG and value is None:
            value = ""
        inputs[spec.name] = PageInput(name, value, _hidden_value(shown), spec.label, spec.short_label)
    for spec_name in ("judged_grade", "reason"):
        if spec_name in inputs:
            inputs[spec_name].message_id = f"{prefix}-{spec_name}-message"
    for value in values:
        inputs[f"actual_{value.pk}"].message_id = f"{prefix}-m{value.pk}-message"
    version = result.version if data is None else data.get(f"{prefix}-version")
    indicator = indicator_title(result.indicator)
    return RowInputs(
        prefix=prefix,
        version=_hidden_value(version),
        selected=False if data is None else row_selected(result, data),
        selected_label=str(_("Select %(indicator)s") % {"indicator": indicator}),
        actuals={value.pk: inputs[f"actual_{value.pk}"] for value in values},
        tallying={value.pk: inputs[f"tallying_{value.pk}"] for value in values if f"tallying_{value.pk}" in inputs},
        judged_grade=inputs.get("judged_grade"),
        grade_choices=grade_choices(scheme) if "judged_grade" in inputs else [],
        grade_titles=grade_titles(scheme) if "judged_grade" in inputs else {},
        reason=inputs.get("reason"),
        states={value.pk: inputs[f"state_{value.pk}"] for value in values if f"state_{value.pk}" in inputs},
        state_choices=state_choices(scheme) if any(name.startswith("state_") for name in inputs) else [],
    )
