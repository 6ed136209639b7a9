"""The parts of an entry page row that every row has, written in one pass: the row's opening <tbody>
and its first line (selection, indicator, baseline, plan, last year's actual, the actuals' inputs or
figures, achievement, grade, status), and the reason line of an outcome. A page of 250 rows spent
more on these through the template engine (about 40 variables, 20 tags and a filter or two a row)
than the plain-template floor spends on the whole page (issue 11). The rarer lines (a row's errors,
a return comment, a conflict, what a save could not take) stay in templates/evaluation/entry/_row.html,
which prints these. Everything is written as the template wrote it, each value escaped
(conditional_escape: the HTML the view-models write, such as the inputs, goes in as it is);
tests/evaluation/views/test_entry_row_html.py holds the output to the template's."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from evaluation import display
from evaluation.domain.enums import ResultStatus

if TYPE_CHECKING:
    from evaluation.views.entry_rows import EntryRow


PREVIEW_PK = 987654321  # stands for a result's id in the preview URL reversed once a page


@dataclass(frozen=True)
class RowWords:
    """The words every row repeats (its cells' labels for narrow screens, the kind chips, the statuses),
    translated once for the page, and the live preview's URL, reversed once."""

    select: str
    baseline: str
    plan: str
    previous: str
    actual: str
    achievement: str
    grade: str
    activity: str
    outcome: str
    not_graded: str
    reason: str
    reason_required: str
    statuses: dict[str, str]  # {status: its name (display.status)}
    preview_url: str  # the live preview's URL with PREVIEW_PK for the row's result id
    note: str = ""
    note_required: str = ""  # 「中止・評価困難のときは必須」: an activity's note; empty where no state needs one

    @classmethod
    def translated(cls, reason_required: str | None = None, note_required: str = "") -> RowWords:
        """The words in the active language; `reason_required` is the plan scheme's (「C・Dのときは必須」,
        entry_rows.reason_rule), `note_required` its states' that need a note (「中止・評価困難のときは必須」;
        empty: the activities' rows have no note)."""
        words = {
            "select": gettext("Select"),
            "baseline": gettext("Baseline"),
            "plan": gettext("Plan / target"),
            "previous": gettext("Last year's actual"),
            "actual": gettext("Actual"),
            "achievement": gettext("Achievement"),
            "grade": gettext("Grade"),
            "activity": pgettext("indicator kind, short", "Activity"),
            "outcome": pgettext("indicator kind, short", "Outcome"),
            "not_graded": gettext("not graded"),
            "reason": gettext("Reason for the grade"),
            "reason_required": gettext("required for C and D") if reason_required is None else reason_required,
        }
        if note_required:
            words.update(note=gettext("Note on why"), note_required=note_required)
        return cls(
            **{name: conditional_escape(text) for name, text in words.items()},
            statuses={status: _text(display.status(status)) for status in ResultStatus.values},
            preview_url=reverse("entry_preview", args=[PREVIEW_PK]),
        )

    def preview_of(self, result_id: int) -> str:
        """reverse("entry_preview", args=[result_id]), reversed once a page rather than once a row."""
        return self.preview_url.replace(f"/{PREVIEW_PK}/", f"/{result_id}/")


def _text(value) -> str:
    """A value as the template prints it: HTML as it is, anything else escaped (as Django's escape,
    without its check for lazy arguments, which cost more than the escaping on a page of 250 rows)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape("" if value is None else str(value))


def _errors(errors) -> str:
    return "".join(f'<p class="field-error">{_text(error)}</p>' for error in errors)


def row_opening(row: EntryRow, words: RowWords) -> SafeString:
    """The row's <tbody> and its first line, up to and with its </tr>."""
    result, indicator, inputs = row.result, row.indicator, row.inputs
    status = _text(result.status)
    pk = result.pk
    attributes = f' data-label="{_text(indicator.code)} {_text(indicator.name)}"'
    if row.shows_unsaved:
        attributes += " data-unsaved"
    if inputs:
        attributes += (
            f' hx-post="{_text(words.preview_of(pk))}" hx-trigger="input delay:400ms" hx-swap="none"'
            f' hx-sync="this:replace" hx-params="{_text(inputs.param_names)}"'
        )
    parts = [
        f'<tbody id="{_text(row.anchor)}" class="entry-item entry-item--{status}'
        f'{" entry-item--editable" if inputs else ""}"{attributes}>\n<tr>\n',
        f'<td class="entry-select" data-label="{words.select}">\n{inputs.selection()}</td>\n'
        if inputs
        else '<td class="entry-select">\n</td>\n',
        _indicator_cell(row, words),
        f'<td class="entry-baseline" data-label="{words.baseline}">{_text(indicator.baseline_text or "—")}'
        + (f' <span class="entry-small">{_text(indicator.baseline_as_of)}</span>' if indicator.baseline_as_of else "")
        + "</td>\n",
        f'<td class="entry-plan" data-label="{words.plan}">{row.plan_html()}</td>\n',
        f'<td class="entry-previous" data-label="{words.previous}">{row.previous_html()}</td>\n',
        f'<td class="entry-actual" data-label="{words.actual}">{_actuals(row)}</td>\n',
        f'<td class="entry-achievement num" data-label="{words.achievement}"><div id="r{pk}-achievement"'
        f' aria-live="polite">{row.achievement_html()}</div></td>\n',
        f'<td class="entry-grade" data-label="{words.grade}">{_grade(row, words)}</td>\n',
        f'<td class="entry-status"><span class="status status--{status}">{words.statuses[result.status]}</span>',
    ]
    if result.updated_by:
        parts.append(
            f'\n<span class="entry-small">{_text(display.person(result.updated_by))}'
            f" {_text(display.moment(result.updated_at))}</span>"
        )
    parts.append("</td>\n</tr>\n")
    return mark_safe("".join(parts))


def _indicator_cell(row: EntryRow, words: RowWords) -> str:
    indicator = row.indicator
    marks = row.result.marks
    return (
        f'<th scope="row" class="entry-indicator"><span class="kind-chip kind-chip--{_text(indicator.kind)}">'
        f"{words.activity if row.is_activity else words.outcome}</span>\n"
        + (
            f'<span class="entry-indicator__label">{_text(display.indicator_number(indicator.label))}</span>\n'
            if indicator.label
            else ""
        )
        + f'<span class="entry-indicator__name">{_text(indicator.name)}'
        + (f'<span class="footnote-mark">{_text(marks)}</span>' if marks else "")
        + f'</span>\n<span class="entry-indicator__meta">{_text(row.unit_text)}\n'
        f'<span class="entry-indicator__code">{_text(indicator.code)}</span></span></th>\n'
    )


def _actuals(row: EntryRow) -> str:
    parts = []
    for measure in row.measures:
        parts.append('<div class="entry-measure entry-measure--input">')
        if row.is_compound:
            parts.append(
                f'<span class="entry-measure__label" aria-hidden="true">{_text(measure.value.measure.label)})</span>\n'
            )
        if row.inputs:
            parts.append(
                f'{measure.inputs}\n<div class="field-message" id="{_text(measure.actual.message_id)}"'
                f' data-describes="{_text(measure.actual.id)}">{_errors(measure.errors)}\n</div>'
            )
        else:
            parts.append(f'<span class="entry-value">{_text(measure.actual_display)}</span>')
        parts.append("\n</div>")
    return "".join(parts)


def _grade(row: EntryRow, words: RowWords) -> str:
    grade = row.inputs.judged_grade if row.inputs else None
    if grade:
        return (
            f'{row.inputs.grade()}\n<div class="field-message" id="{_text(grade.message_id)}"'
            f' data-describes="{_text(grade.id)}">{_errors(row.judged_grade_errors)}\n</div>'
        )
    if row.indicator.is_outcome:
        badge = f'<span class="grade grade--{_text(row.grade_css)}">{_text(row.grade_letter)}</span>'
    else:
        badge = f'<span class="entry-small">{words.not_graded}</span>'
    return f'<div id="r{row.result.pk}-grade" aria-live="polite">{badge}</div>'


def reason_line(row: EntryRow, words: RowWords) -> SafeString:
    """An outcome's reason line: its input, or the stored reason when read-only; an activity's note line
    where a state of the scheme needs a note (else nothing)."""
    indicator, result = row.indicator, row.result
    if not indicator.is_outcome:
        return note_line(row, words) if words.note_required else mark_safe("")
    reason = row.inputs.reason if row.inputs else None
    if reason:
        message = (
            render_to_string("evaluation/entry/_reason_message.html", {"row": row})
            if row.reason_errors or row.preview.reason_missing
            else ""
        )
        cell = (
            f'<label class="entry-reason__label" for="{_text(reason.id)}">{words.reason}<span class="visually-hidden">'
            f"（{_text(display.indicator_number(indicator.label))} {_text(indicator.name)}）</span>"
            f' <span class="entry-small">{words.reason_required}</span></label>\n{reason.textarea()}\n'
            f'<div class="field-message" id="{_text(reason.message_id)}" data-describes="{_text(reason.id)}">'
            f"{message}\n</div>"
        )
    elif result.reason:
        cell = (
            f'<p class="entry-reason__text"><span class="entry-reason__label">{words.reason}</span>'
            f" {linebreaksbr(result.reason, autoescape=True)}</p>"
        )
    else:
        cell = ""
    return mark_safe(f'<tr class="entry-reason-row">\n<td></td>\n<td colspan="8">\n{cell}\n</td>\n</tr>\n')


def note_line(row: EntryRow, words: RowWords) -> SafeString:
    """An activity's note on a state that needs one (中止, 評価困難): its input, hidden by the page's CSS
    until such a state is entered or a note is written (the flag, which the live preview swaps), or the
    stored note when read-only."""
    indicator, result = row.indicator, row.result
    note = row.inputs.reason if row.inputs else None
    if note:
        message = render_to_string("evaluation/entry/_reason_message.html", {"row": row}) if row.note_problem else ""
        cell = (
            f'<label class="entry-reason__label" for="{_text(note.id)}">{words.note}<span class="visually-hidden">'
            f"（{_text(display.indicator_number(indicator.label))} {_text(indicator.name)}）</span>"
            f' <span class="entry-small">{words.note_required}</span></label>\n{note.textarea()}\n'
            f'<div class="field-message" id="{_text(note.message_id)}" data-describes="{_text(note.id)}">'
            f"{message}\n</div>{note_flag(row)}"
        )
    elif result.reason:
        cell = (
            f'<p class="entry-reason__text"><span class="entry-reason__label">{words.note}</span>'
            f" {linebreaksbr(result.reason, autoescape=True)}</p>"
        )
    else:
        return mark_safe("")
    return mark_safe(
        f'<tr class="entry-reason-row entry-note-line">\n<td></td>\n<td colspan="8">\n{cell}\n</td>\n</tr>\n'
    )


def note_flag(row: EntryRow) -> str:
    """The empty element whose class shows the activity's note line (static/css/app.css): a state that
    needs a note is entered, or a note is written, or it has a problem. The live preview swaps it."""
    asked = " entry-note-flag--asked" if row.note_asked else ""
    return f'<span class="entry-note-flag{asked}" id="r{row.result.pk}-note-flag"></span>'
