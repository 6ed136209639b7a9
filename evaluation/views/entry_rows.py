"""What the department entry page shows per indicator (its view-models): one EntryRow per result
with a MeasureRow per measure, the conflict of a stale save, what was typed in a row the save could
not take, the progress bar, and the grouping by pillar … initiative. Built from what the queries
fetched and, after a save, from what the user typed and what the save did
(department_entry.EntryReport)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluation import display
from evaluation.domain import grading
from evaluation.domain.enums import ActualState, IndicatorKind, ResultStatus
from evaluation.domain.messages import describe_hold, missing_actual_sentence, reason_sentence, word_list
from evaluation.entry_inputs import PageInput, RowInputs, page_inputs
from evaluation.forms import Preview, ResultEntryForm, reason_missing, stored_preview
from evaluation.models import EvaluationYear, Result, ResultComment, ResultValue
from evaluation.services import guards
from evaluation.services.department_entry import NOT_CHANGEABLE, EntryReport, RefusedBecause, RowOutcome
from evaluation.services.entries import reason_words, scheme_of, state_name
from evaluation.services.scoring import grading_hold
from evaluation.views.entry_row_html import RowWords, reason_line, row_opening


@dataclass
class MeasureRow:
    value: ResultValue
    previous: ResultValue | None
    actual: PageInput | None = None  # None when read-only
    tallying: PageInput | None = None
    achievement: Decimal | None = None
    grade: str = ""
    errors: list[str] = field(default_factory=list)
    decimals: int | None = None  # the year's (a closed year's from its closing); None: the plan's
    row_inputs: RowInputs | None = None
    scheme: grading.GradingScheme | None = None  # the page's (a closed year's from its closing)
    state: str | None = None  # the actual's state as the preview graded it (None: as stored)

    def _plan_figure(self, value, text) -> str:
        """A plan value or target through the one display module; empty (not 「—」) when there is none,
        so that the template leaves the line out."""
        if value is None and not text:
            return ""
        return display.plan_value(value, text, **display.figure_style(self.value.result.indicator, self.decimals))

    @property
    def original_plan(self) -> str:
        return self._plan_figure(self.value.original_plan_value, self.value.original_plan_text)

    @property
    def revised_plan(self) -> str:
        return self._plan_figure(self.value.revised_plan_value, self.value.revised_plan_text)

    @property
    def target(self) -> str:
        return self._plan_figure(self.value.target_value, self.value.target_text)

    @property
    def achievement_display(self) -> str:
        return display.achievement(
            self.achievement, display.figure_style(self.value.result.indicator, self.decimals)["decimals"]
        )

    @property
    def actual_display(self) -> str:
        return display_actual(self.value, self.value.result.indicator, self.decimals, self.scheme)

    @property
    def message_id(self) -> str:
        return self.actual.message_id if self.actual else ""

    @property
    def inputs(self):
        """The measure's actual and its state (集計中 …) inputs, written in one pass (RowInputs.measure)."""
        return self.row_inputs.measure(self.value.pk) if self.row_inputs else ""

    @property
    def typed_state(self) -> str:
        """The state the row's preview graded this measure with (as typed, or stored)."""
        return self.state if self.state is not None else self.value.actual_state

    @property
    def previous_display(self) -> str:
        if not self.previous:
            return display.EMPTY
        return display_actual(self.previous, self.value.result.indicator, scheme=self.scheme)


@dataclass
class Conflict:
    """What another person saved while this user was typing. `kept`: the row holds fields the user
    changed (a save) rather than only what the other person saved (an untouched row's submission)."""

    user: str
    at: object
    values: list[tuple[str, str]]
    reason: str
    kept: bool = True


@dataclass
class NotTaken:
    """A row the save could not take because it is no longer the department's to change: why, and
    what the user typed in it (label, text), shown so that nothing typed is lost from sight."""

    message: str
    typed: list[tuple[str, str]]


@dataclass
class EntryRow:
    """One indicator's row. `inputs`: what its inputs hold (None when read-only); `form`: the row's
    bound form when it shows what the user typed (after a refusal, or the live preview), else None."""

    result: Result
    inputs: RowInputs | None
    form: ResultEntryForm | None
    preview: Preview
    measures: list[MeasureRow]
    return_comment: ResultComment | None = None
    conflict: Conflict | None = None
    not_taken: NotTaken | None = None
    shows_unsaved: bool = False  # its inputs hold typed values that are not saved (after a refusal)
    row_errors: list[str] = field(default_factory=list)
    reason_errors: list[str] = field(default_factory=list)
    judged_grade_errors: list[str] = field(default_factory=list)
    words: RowWords | None = None  # the page's (page_rows), for the lines written in one pass
    scheme: grading.GradingScheme | None = None

    @property
    def indicator(self):
        return self.result.indicator

    @property
    def reason_prompt(self) -> str:
        """What the reason's message asks while it is missing: the grade's label (評価C：理由を入力…), or a
        note on the state entered (中止 …)."""
        scheme = scheme_of(self.indicator, self.scheme)
        grade = self.preview.grade
        if scheme.reason_required(grade):
            return _("Grade %(grade)s: write the reason (required to submit).") % {"grade": grade}
        states = [measure.typed_state for measure in self.measures]
        return reason_sentence(scheme, grade, states)

    @property
    def note_problem(self) -> bool:
        """The reason or note has a message to show: refused at a save, or missing for the grade or state."""
        return bool(self.reason_errors) or self.preview.reason_missing

    @property
    def note_asked(self) -> bool:
        """An activity's note line shows (entry_row_html.note_flag): a state that needs a note is entered
        (as typed: the preview's), a note is written, or it has a problem."""
        if self.note_problem:
            return True
        note = self.inputs.reason if self.inputs else None
        if note is not None and str(note.value).strip():
            return True
        scheme = scheme_of(self.indicator, self.scheme)
        return any((state := scheme.state(measure.typed_state)) and state.note for measure in self.measures)

    @property
    def anchor(self) -> str:
        return f"result-{self.result.pk}"

    def opening(self) -> SafeString:
        """The row's <tbody> and first line (entry_row_html; _row.html prints them)."""
        return row_opening(self, self.words or RowWords.translated())

    def reason_line(self) -> SafeString:
        """An outcome's reason line (entry_row_html)."""
        return reason_line(self, self.words or RowWords.translated())

    @property
    def is_compound(self) -> bool:
        return len(self.measures) > 1

    @property
    def is_activity(self) -> bool:
        return self.indicator.kind == IndicatorKind.ACTIVITY

    @property
    def unit_text(self) -> str:
        unit = self.indicator.unit
        return _("Unit: %(unit)s") % {"unit": unit} if unit else ""

    def achievement_html(self) -> SafeString:
        """The achievement cell's content, per measure (with each sub-item's grade of a compound
        outcome) and the grading notice: the page's row and the live preview write the same."""
        compound, graded = self.is_compound, self.indicator.is_outcome
        parts = []
        for measure in self.measures:
            label = self._measure_label(measure)
            grade = (
                f' <span class="entry-small">{escape(display.grade(measure.grade))}</span>'
                if compound and graded
                else ""
            )
            parts.append(f'<div class="entry-measure">{label}{escape(measure.achievement_display)}{grade}</div>')
        if self.preview.error:
            parts.append(f'<p class="field-error">{escape(self.preview.error)}</p>')
        return mark_safe("".join(parts))

    def _measure_label(self, measure: MeasureRow) -> str:
        return (
            f'<span class="entry-measure__label">{escape(measure.value.measure.label)})</span>'
            if self.is_compound
            else ""
        )

    def plan_html(self) -> SafeString:
        """The plan / target cell's content, per measure: an activity's original and revised plan, an
        outcome's target, and where a figure was carried from the year before."""
        parts = []
        for measure in self.measures:
            if self.is_activity:
                figures = _plan_item(_("Original plan"), measure.original_plan) + _carried(measure) + "\n"
                if revised := measure.revised_plan:
                    figures += _plan_item(_("Revised plan"), revised)
            else:
                figures = _plan_item(_("Target"), measure.target) + _carried(measure)
            parts.append(f'<div class="entry-measure">{self._measure_label(measure)}\n{figures}\n</div>')
        return mark_safe("".join(parts))

    def previous_html(self) -> SafeString:
        """Last year's actual cell's content, per measure."""
        return mark_safe(
            "".join(
                f'<div class="entry-measure">{self._measure_label(measure)}{escape(measure.previous_display)}</div>'
                for measure in self.measures
            )
        )

    @property
    def grade_css(self) -> str:
        """The grade badge's modifier (as includes/grade_badge.html's, written in the row)."""
        return display.grade_tone(self.preview.grade, self.scheme)  # by rank in the plan's scheme

    @property
    def grade_letter(self) -> str:
        return display.grade(self.preview.grade)

    def summary(self) -> list[tuple[str, str]]:
        """(field id to jump to, message) of every problem of the row, for the error summary."""
        first_field = self.measures[0].actual.id if self.inputs and self.measures else self.anchor
        problems = [(first_field, message) for message in self.row_errors]
        if self.preview.error and self.form is not None:
            problems.append((first_field, self.preview.error))
        if self.conflict and self.conflict.kept:
            problems.append((first_field, _("Someone else saved this item while you were typing.")))
        elif self.conflict:
            problems.append((first_field, _("Someone else saved this item after you opened the page: check it.")))
        if self.not_taken:
            problems.append((self.anchor, self.not_taken.message))
        for measure in self.measures:
            target = measure.actual.id if measure.actual else self.anchor
            problems += [(target, message) for message in measure.errors]
        problems += self._field_problems("judged_grade", self.judged_grade_errors)
        problems += self._field_problems("reason", self.reason_errors)
        return problems

    def _field_problems(self, name: str, errors: list[str]) -> list[tuple[str, str]]:
        data = getattr(self.inputs, name, None) if self.inputs else None
        if data is None:
            return []
        return [(data.id, message) for message in errors]


def _plan_item(label: str, figure: str) -> str:
    return f'<span class="entry-plan__item"><span class="entry-small">{escape(label)}</span> {escape(figure)}</span>'


def _carried(measure: MeasureRow) -> str:
    """Where a plan value or target was carried from (the year before), if it was."""
    if not measure.value.carried_from:
        return ""
    text = _("(carried from %(year)s)") % {"year": display.fiscal_year(measure.value.carried_from)}
    return f'<span class="entry-small"> {escape(text)}</span>'


def reason_rule(scheme: grading.GradingScheme) -> dict[str, str]:
    """The page's words for the scheme's reason rule: `required`, next to the reason (「C・Dのときは必須」),
    and the legend's sentences (「評価がC・Dのときは理由が必要です。」, and the states that need a note)."""
    labels, states = reason_words(scheme)
    rule = {"required": "", "labels": "", "states": "", "names": word_list(labels + states, "・"), "note_required": ""}
    if labels or states:
        rule["required"] = _("required for %(labels)s") % {"labels": rule["names"]}
    if states:  # an activity's note (entry_row_html.note_line)
        rule["note_required"] = _("required for %(labels)s") % {"labels": word_list(states, "・")}
    if labels:
        rule["labels"] = _("A reason is required for %(labels)s.") % {"labels": word_list(labels, "・")}
    if states:
        rule["states"] = _("A note on why is required for %(states)s.") % {"states": word_list(states, "・")}
    return rule


def display_actual(
    value: ResultValue, indicator, decimals: int | None = None, scheme: grading.GradingScheme | None = None
) -> str:
    """A read-only actual through the one display module (「—」 when not entered); a state of the plan's
    scheme (中止 …) by its name, the sheet's word in every language as 集計中 is."""
    if value.scheme_state and (state := scheme_of(indicator, scheme).state(value.scheme_state)) is not None:
        return state.name
    style = display.figure_style(indicator, decimals)
    return display.actual(value.actual_state, value.actual_value, value.actual_text, **style)


def conflict_of(current: Result, *, kept: bool = True) -> Conflict:
    values = list(current.values.select_related("measure").order_by("measure__label"))
    return Conflict(
        user=display.person(current.updated_by),
        at=current.updated_at,
        values=[(value.measure.label, display_actual(value, current.indicator)) for value in values],
        reason=current.reason,
        kept=kept,
    )


def not_taken_message(outcome: RowOutcome, fiscal_year: int) -> str:
    """Why the save could not take the row, naming who changed it and when where that is known."""
    current = outcome.current
    if outcome.refused_because == RefusedBecause.YEAR_CLOSED:
        return _(
            "Not saved: the evaluation of %(year)s no longer takes entries (it was closed after you opened this page)."
        ) % {"year": display.fiscal_year(fiscal_year)}
    if outcome.refused_because == RefusedBecause.OUT_OF_HANDS and current is not None:
        return _(
            "Not saved: after you opened this page, %(user)s made this item “%(status)s” (%(at)s). "
            "It can no longer be changed here."
        ) % {
            "user": display.person(current.updated_by),
            "status": display.status(current.status),
            "at": display.moment(current.updated_at),
        }
    return _("Not saved: %(reason)s") % {"reason": outcome.message}


def typed_values(form: ResultEntryForm) -> list[tuple[str, str]]:
    """(label, text) of every field the user changed in a bound form, as typed."""
    typed = []
    for name in form.changed_data:
        data = form[name].data
        if isinstance(data, bool):  # 集計中 ticked or unticked
            data = "✓" if data else display.EMPTY
        elif name.startswith("state_") and (state := form.scheme.state(data or "")) is not None:
            data = state_name(state)
        typed.append((form.short_label(name), data or display.EMPTY))
    return typed


def build_row(
    result,
    *,
    editable: bool,
    form=None,
    previous,
    return_comment,
    decimals: int | None = None,
    scheme: grading.GradingScheme | None = None,
) -> EntryRow:
    """The row of one result: what its inputs hold (`editable`; else read-only figures) and the preview
    of its grades; `form`, the row's bound form, when it shows what the user typed (its errors and
    its grades as typed), else what is stored; `decimals`: the year's, when it is closed (else the
    plan's); `scheme`: the year's, taken once by the page (else the plan's)."""
    scheme = form.scheme if form is not None else scheme_of(result.indicator, scheme)
    values = list(result.values.all())
    preview = form.preview() if form is not None else stored_preview(result, values, scheme)
    typed = form.typed_states() if form is not None else {}
    data = form.data if form is not None else None
    inputs = page_inputs(result, values, data=data, scheme=scheme) if editable else None
    measures = []
    for value in values:
        measure = MeasureRow(
            value=value,
            previous=previous.get(value.measure_id),
            achievement=preview.achievements.get(value.pk),
            grade=preview.grades.get(value.pk, ""),
            decimals=decimals,
            scheme=scheme,
            state=typed.get(value.pk),
        )
        if inputs is not None:
            measure.actual, measure.tallying = inputs.actuals[value.pk], inputs.tallying.get(value.pk)
            measure.row_inputs = inputs
        if form is not None:
            measure.errors = list(form.errors.get(form.actual_name(value), []))
        measures.append(measure)
    row = EntryRow(
        result=result,
        inputs=inputs,
        form=form,
        preview=preview,
        measures=measures,
        return_comment=return_comment,
        scheme=scheme,
    )
    if form is not None:
        row.reason_errors = list(form.errors.get("reason", []))
        row.judged_grade_errors = list(form.errors.get("judged_grade", []))
        row.row_errors = list(form.non_field_errors()) + list(form.errors.get("version", []))
    return row


def mark_problems(row: EntryRow) -> None:
    """Tie the reasons a submission was refused to their fields: no value, no judged grade, no reason
    for a label that needs one (C or D) or a note for a state that does (中止 …)
    (results.submission_problems says the same of the stored result)."""
    result = row.result
    scheme = scheme_of(result.indicator, row.scheme)
    for measure in row.measures:
        if measure.value.actual_state == ActualState.EMPTY:
            measure.errors.append(missing_actual_sentence(scheme))
    values = [measure.value for measure in row.measures]
    if result.indicator.is_qualitative and result.judged_grade not in scheme.grade_labels:
        row.judged_grade_errors.append(_("Choose the grade of this qualitative outcome."))
    if reason_missing(scheme, result, values):
        row.reason_errors.append(reason_sentence(scheme, result.grade, [value.actual_state for value in values]))
    if (hold := grading_hold(result, values, scheme)) is not None:
        row.row_errors.append(describe_hold(hold))


def set_invalid(row: EntryRow) -> None:
    """aria-invalid on the inputs that have a problem (also for a row re-shown after a refusal)."""
    if row.inputs is None:
        return
    for measure in row.measures:
        if measure.errors:
            measure.actual.invalid = True
    if row.inputs.reason is not None and (row.reason_errors or row.preview.reason_missing):
        row.inputs.reason.invalid = True
    if row.inputs.judged_grade is not None and row.judged_grade_errors:
        row.inputs.judged_grade.invalid = True


# The rows of the page, after a save --------------------------------------------------------------


def shows_as_typed(outcome: RowOutcome | None) -> bool:
    """Whether the row's form shows what the user typed rather than what is stored: its save was
    refused, or someone else saved it first. A row refused only at its submission was saved (or
    unchanged): the stored values are what was typed, at the version a next save needs."""
    if outcome is None or outcome.refused_because is None:
        return False
    if outcome.refused_because == RefusedBecause.STALE:
        return True
    return not outcome.saved and outcome.refused_because != RefusedBecause.NOT_READY


def onto_current(result: Result, typed: QueryDict, changed: list[str], scheme=None) -> QueryDict:
    """A row someone else saved after the page showed it: the fields the user changed as typed, every
    other field as it is stored now, and the shown values (hidden initials) and version of now. A
    deliberate second save then writes only what the user changed, over a save they have now seen;
    never the old values of the fields they did not touch."""
    stored = ResultEntryForm(result, scheme=scheme)
    current = stored.stored_data()
    merged = typed.copy()
    merged[stored.add_prefix("version")] = current[stored.add_prefix("version")]
    for name in stored.data_fields:
        bound = stored[name]
        merged[bound.html_initial_name] = current[bound.html_initial_name]
        if name not in changed:
            merged.pop(bound.html_name, None)
            if bound.html_name in current:
                merged[bound.html_name] = current[bound.html_name]
    return merged


def page_rows(
    user,
    year: EvaluationYear,
    results: list[Result],
    *,
    previous: dict[int, dict[int, ResultValue]],
    comments: dict[int, ResultComment],
    typed: QueryDict | None = None,
    report: EntryReport | None = None,
) -> list[EntryRow]:
    """One row per result. A row the user may change has a form: bound to `typed` (the POST) where
    the save's `report` says the row is shown as typed, with the problems of a refused submission
    tied to their fields and the conflict of a stale save. A row the save could not take and that the
    user may no longer change shows what was typed in it, and why."""
    year_open = guards.takes_entries(year)
    scheme = year.scheme if year is not None else None  # once per page: a closed year's snapshot, else the plan's
    decimals = scheme.decimals if scheme is not None and not year_open else None  # a closed year's
    outcomes = report.rows if report else {}
    rule = reason_rule(scheme) if scheme is not None else None
    words = RowWords.translated(rule["required"], rule["note_required"]) if rule else RowWords.translated()
    rows = []
    for result in results:
        outcome = outcomes.get(result.pk)
        changed = (
            ResultEntryForm(result, data=typed, scheme=scheme).changed_data
            if outcome and outcome.refused_because
            else []
        )
        editable = guards.may_department_change(user, result, year_open=year_open)
        form = _typed_form(result, outcome, typed, changed, scheme) if editable else None
        row = build_row(
            result,
            editable=editable,
            form=form,
            previous=previous.get(result.indicator_id, {}),
            return_comment=comments.get(result.pk),
            decimals=decimals,
            scheme=scheme,
        )
        row.shows_unsaved = form is not None
        row.words = words
        if outcome is not None:
            _add_outcome(row, outcome, year, typed, changed)
        set_invalid(row)
        rows.append(row)
    return rows


def _typed_form(
    result: Result, outcome: RowOutcome | None, typed: QueryDict, changed: list[str], scheme=None
) -> ResultEntryForm | None:
    """The row's form bound to what the user typed, where the row shows it (else None: what is stored)."""
    if not shows_as_typed(outcome):
        return None
    if outcome.refused_because == RefusedBecause.STALE:
        return ResultEntryForm(result, data=onto_current(result, typed, changed, scheme), scheme=scheme)
    return ResultEntryForm(result, data=typed, scheme=scheme)


def _add_outcome(row: EntryRow, outcome: RowOutcome, year: EvaluationYear, typed: QueryDict, changed: list[str]):
    if outcome.refused_because == RefusedBecause.STALE:
        row.conflict = conflict_of(outcome.current, kept=bool(changed))
    elif outcome.refused_because == RefusedBecause.NOT_READY:
        mark_problems(row)
    elif outcome.refused_because in NOT_CHANGEABLE:
        message = not_taken_message(outcome, year.fiscal_year)
        if row.inputs is None:
            row.not_taken = NotTaken(message, typed_values(ResultEntryForm(row.result, data=typed, scheme=row.scheme)))
        else:
            row.row_errors.append(message)


# The page ----------------------------------------------------------------------------------------


@dataclass
class Progress:
    total: int
    entered: int
    submitted: int
    approved: int

    def _percent(self, count: int) -> Decimal:
        if not self.total:
            return Decimal(0)
        return (Decimal(count) * 100 / Decimal(self.total)).quantize(Decimal("0.1"))

    @property
    def segments(self) -> list[tuple[str, Decimal, Decimal]]:
        """(kind, start %, width %) of the stacked bar: approved, then submitted, then entered."""
        approved, submitted, entered = (self._percent(n) for n in (self.approved, self.submitted, self.entered))
        return [
            ("approved", Decimal(0), approved),
            ("submitted", approved, submitted - approved),
            ("entered", submitted, entered - submitted),
        ]


def progress_of(results: list[Result]) -> Progress:
    statuses = [result.status for result in results]
    done = (ResultStatus.AWAITING_HEAD, ResultStatus.SUBMITTED, ResultStatus.APPROVED)
    return Progress(
        total=len(statuses),
        entered=sum(status != ResultStatus.NOT_ENTERED for status in statuses),
        submitted=sum(status in done for status in statuses),
        approved=sum(status == ResultStatus.APPROVED for status in statuses),
    )


def grouped(rows: list[EntryRow]) -> list[dict]:
    """Pillar → policy area → vision → initiative → rows, in the order of the rows (the sheet's)."""
    pillars: dict[int, dict] = {}
    for row in rows:
        initiative = row.indicator.initiative
        vision = initiative.vision
        area = vision.policy_area
        pillar = pillars.setdefault(area.pillar_id, {"pillar": area.pillar, "areas": {}})
        area_group = pillar["areas"].setdefault(area.pk, {"area": area, "visions": {}})
        vision_group = area_group["visions"].setdefault(vision.pk, {"vision": vision, "initiatives": {}})
        initiative_group = vision_group["initiatives"].setdefault(initiative.pk, {"initiative": initiative, "rows": []})
        initiative_group["rows"].append(row)
    return [{**pillar, "areas": [_area_list(area) for area in pillar["areas"].values()]} for pillar in pillars.values()]


def _area_list(area: dict) -> dict:
    visions = [{**vision, "initiatives": list(vision["initiatives"].values())} for vision in area["visions"].values()]
    return {**area, "visions": visions}
