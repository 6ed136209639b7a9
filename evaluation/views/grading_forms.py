"""The forms of the grading scheme's pages (the grading page and the plan's admin page): another scheme
(a preset or a file), the thresholds of an A–D scheme shaped like Setagaya's, and the figures of any
scheme's rules and roll-up. Each gives a scheme to preview; none writes anything."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.text_input import TextChecks
from evaluation.domain import grading, numbers, scheme_files, scheme_text
from evaluation.domain.enums import GradingFormula, Rounding
from evaluation.domain.messages import SCHEME_MESSAGES, describe, describe_problem
from evaluation.services import regrading


def _threshold_field(label):
    return forms.DecimalField(label=label, **numbers.THRESHOLD.field_options)


class ThresholdsForm(TextChecks, forms.Form):
    """The thresholds of an A–D scheme shaped like Setagaya's (scheme_files.is_threshold_scheme), its
    measure, rounding and decimals. Figures are read the Japanese way too (「９０」「８０．５％」)."""

    FIGURES = ("threshold_a", "threshold_b", "threshold_d", "achievement_decimals")

    grading_formula = forms.ChoiceField(label=_("grading formula"), choices=GradingFormula.choices)
    threshold_a = _threshold_field(_("threshold for A (%)"))
    threshold_b = _threshold_field(_("threshold for B (%)"))
    threshold_d = _threshold_field(_("threshold for D (%)"))
    rounding = forms.ChoiceField(label=_("rounding"), choices=Rounding.choices)
    # At most the decimals the achievement column keeps.
    achievement_decimals = forms.IntegerField(
        label=_("decimals of the achievement"), min_value=0, max_value=numbers.ACHIEVEMENT.decimal_places
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name in self.FIGURES:
                if name in data:
                    data[name] = numbers.normalize(data[name]).removesuffix("%").strip()
        super().__init__(data, *args, **kwargs)

    @classmethod
    def initial_of(cls, scheme) -> dict:
        values = scheme_files.thresholds_of(scheme if scheme_files.is_threshold_scheme(scheme) else None)
        return {field: values[name] for field, name in regrading.SETTINGS_FIELDS.items()}

    def clean(self):
        cleaned_data = super().clean()
        a, b, d = (cleaned_data.get(name) for name in ("threshold_a", "threshold_b", "threshold_d"))
        if None not in (a, b, d) and not d < b < a:
            raise forms.ValidationError(_("The thresholds must be in order: D's below B's, B's below A's."))
        return cleaned_data


class SchemeChoiceForm(forms.Form):
    """Another scheme: a preset, or a file (TOML or JSON) the planning section wrote, checked with every
    problem listed; on the confirming step, the scheme previewed, carried as data and checked again."""

    preset = forms.ChoiceField(label=_("A preset"), required=False)
    scheme_file = forms.FileField(
        label=_("or a scheme file (TOML or JSON)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".toml,.json"}),
    )
    scheme_data = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        presets = [(scheme.key, scheme.name) for scheme in scheme_files.presets()]
        self.fields["preset"].choices = [("", "—"), *presets]

    def clean(self):
        cleaned_data = super().clean()
        data, upload, preset = (cleaned_data.get(name) for name in ("scheme_data", "scheme_file", "preset"))
        try:
            if data:
                cleaned_data["scheme"] = scheme_files.parse(json.loads(data, parse_float=Decimal))
            elif upload:
                cleaned_data["scheme"] = _read_upload(upload)
            elif preset:
                cleaned_data["scheme"] = scheme_files.preset(preset)
            else:
                raise forms.ValidationError(_("Choose a preset, or a scheme file."))
        except scheme_files.SchemeInvalid as invalid:
            raise forms.ValidationError([describe_problem(problem) for problem in invalid.problems]) from None
        except ValueError:
            raise forms.ValidationError(_("The scheme to apply could not be read: preview it again.")) from None
        return cleaned_data


def _read_upload(upload):
    if upload.size > scheme_files.MAX_FILE_BYTES:
        raise scheme_files.SchemeInvalid(
            [scheme_files.Problem("", "file_too_large", {"limit": scheme_files.MAX_FILE_BYTES // 1024})]
        )
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(_("The scheme file must be UTF-8 text.")) from None
    return scheme_files.loads(text, "json" if upload.name.lower().endswith(".json") else "toml")


# --- the figures of any scheme ---------------------------------------------------------------------------
RULE_FIGURES = ("value", "band_percent", "band_points", "survey_band_points")
_FIGURE_LABELS = {
    "value": _("%(label)s: threshold (%%)"),
    "band_percent": _("%(label)s: band (%% of the baseline)"),
    "band_points": _("%(label)s: band (points)"),
    "survey_band_points": _("%(label)s: band of survey-based indicators (points)"),
    grading.ROLLUP_SHARE: _("Overall %(label)s: from this share of outcomes met (e.g. 2/3)"),
    grading.ROLLUP_POINTS: _("Overall %(label)s: from these mean points"),
    "meaning": _("Meaning of %(label)s"),
    "meaning_en": _("Meaning of %(label)s in English"),
}
_UNITS = {"value": "%", "band_percent": "%", "band_points": "ポイント", "survey_band_points": "ポイント"}


@dataclass(frozen=True)
class Figure:
    """One figure (or meaning) of a scheme a planning section may change: where it is in a scheme file
    (「rules[3].value」, 「rollup.labels[2].at_least」, 「labels[2].meaning」), the form field's name, and
    the rule, roll-up label or grade label it belongs to (by index)."""

    where: str
    name: str
    attribute: str
    rule: int | None = None
    band: int | None = None
    label: int | None = None

    def of(self, scheme: grading.GradingScheme):
        """The rule, roll-up label or grade label of the scheme it belongs to."""
        if self.rule is not None:
            return scheme.rules[self.rule]
        if self.band is not None:
            return scheme.rollup.bands[self.band]
        return scheme.labels[self.label]


def _has_bands(scheme: grading.GradingScheme) -> bool:
    return scheme.rollup.kind in (grading.ROLLUP_SHARE, grading.ROLLUP_POINTS)


def figures_of(scheme: grading.GradingScheme) -> list[Figure]:
    """Every figure of the scheme's rules (thresholds and bands) and of its roll-up's labels, in order."""
    figures = [
        Figure(f"rules[{index + 1}].{attribute}", f"rules-{index + 1}-{attribute}", attribute, rule=index)
        for index, rule in enumerate(scheme.rules)
        for attribute in RULE_FIGURES
        if getattr(rule, attribute) is not None
    ]
    if _has_bands(scheme):
        figures += [
            Figure(f"rollup.labels[{index + 1}].at_least", f"rollup-{index + 1}-at_least", "at_least", band=index)
            for index in range(len(scheme.rollup.bands))
        ]
    return figures


def meanings_of(scheme: grading.GradingScheme) -> list[Figure]:
    """The meaning (Japanese, English) of each grade label a rule gives and of each roll-up label: words
    that often name a figure (「80％以上100％未満」), so they are changed with it."""
    given = {rule.label for rule in scheme.rules}
    meanings = [
        Figure(f"labels[{index + 1}].{attribute}", f"labels-{index + 1}-{attribute}", attribute, label=index)
        for index, label in enumerate(scheme.labels)
        if label.code in given
        for attribute in ("meaning", "meaning_en")
    ]
    if _has_bands(scheme):
        meanings += [
            Figure(f"rollup.labels[{index + 1}].{attribute}", f"rollup-{index + 1}-{attribute}", attribute, band=index)
            for index in range(len(scheme.rollup.bands))
            for attribute in ("meaning", "meaning_en")
        ]
    return meanings


def share_text(value: Fraction) -> str:
    """A roll-up's bound as typed: 1, 0.5, 5.5, or 2/3 where no decimal is exact."""
    exact = numbers.exact_decimal(value)
    return f"{value.numerator}/{value.denominator}" if exact is None else numbers.format_number(exact)


class FigureField(forms.CharField):
    """A figure typed the Japanese way too (「９０」「８０．５％」「△５」), read exactly by numbers.parse_number
    within a threshold's digits; its refusal is the app's number message."""

    def __init__(self, *, unit: str = "", **kwargs):
        self.unit = unit
        super().__init__(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        try:
            return numbers.parse_number(text, self.unit, numbers.THRESHOLD, states={})
        except numbers.NumberError as error:
            raise forms.ValidationError(describe(error), code=error.code) from None


class ShareField(forms.CharField):
    """A roll-up's bound: a fraction (「2/3」「２／３」) or a number; a share is from 0 to 1."""

    def __init__(self, *, share: bool, **kwargs):
        self.share = share
        super().__init__(**kwargs)

    def to_python(self, value):
        text = numbers.normalize(super().to_python(value)).replace(" ", "")
        if text in self.empty_values:
            return text
        try:
            if "/" in text:
                bound = Fraction(text)
            else:
                bound = Fraction(numbers.parse_number(text, "", numbers.THRESHOLD, states={}))
        except (ValueError, ZeroDivisionError, numbers.NumberError):
            raise forms.ValidationError(
                _("「%(text)s」 is not a number or a fraction (e.g. 2/3)."), params={"text": value}, code="not_a_number"
            ) from None
        if self.share and not 0 <= bound <= 1:
            raise forms.ValidationError(_("A share is from 0 to 1 (e.g. 2/3)."), code="share_range")
        return bound


class SchemeFiguresForm(TextChecks, forms.Form):
    """The figures of the plan's scheme, whatever its shape: each rule's threshold or band and each
    roll-up label's bound, with its label and the rule in words; then the labels' meanings, which name
    the figures in words. The scheme they make is checked as a file is (scheme_files), and what the
    checker refuses is shown at the field it names, in its words."""

    def __init__(self, scheme: grading.GradingScheme, data=None, **kwargs):
        self.scheme = scheme
        self.figures, self.meanings = figures_of(scheme), meanings_of(scheme)
        if data is not None:  # a meaning not sent at all is kept (a blank one is cleared)
            data = data.copy()
            for meaning in self.meanings:
                data.setdefault(meaning.name, self.current(meaning))
        super().__init__(data, **kwargs)
        language = get_language() or "ja"
        for figure in self.figures:
            self.fields[figure.name] = self._figure_field(figure, language)
        for meaning in self.meanings:
            code = meaning.of(scheme).code
            self.fields[meaning.name] = forms.CharField(
                label=_FIGURE_LABELS[meaning.attribute] % {"label": code},
                help_text=meaning.where,
                initial=self.current(meaning),
                required=False,  # its length is the scheme checker's to refuse, at this field
            )

    @property
    def figure_fields(self):
        return [self[figure.name] for figure in self.figures]

    @property
    def meaning_fields(self):
        return [self[meaning.name] for meaning in self.meanings]

    def _figure_field(self, figure: Figure, language: str) -> forms.Field:
        if figure.rule is not None:
            rule = figure.of(self.scheme)
            words = scheme_text.rule_words(self.scheme, figure.rule, language)
            return FigureField(
                unit=_UNITS[figure.attribute],
                label=_FIGURE_LABELS[figure.attribute] % {"label": rule.label},
                help_text=f"{figure.where}: {words}",
                initial=numbers.format_number(getattr(rule, figure.attribute)),
            )
        band = figure.of(self.scheme)
        kind = self.scheme.rollup.kind
        meaning = band.meaning_en if language.startswith("en") and band.meaning_en else band.meaning
        return ShareField(
            share=kind == grading.ROLLUP_SHARE,
            label=_FIGURE_LABELS[kind] % {"label": band.code},
            help_text=f"{figure.where}: {meaning}" if meaning else figure.where,
            initial=share_text(band.at_least),
        )

    def current(self, figure: Figure):
        return getattr(figure.of(self.scheme), figure.attribute)

    def changed_scheme(self) -> grading.GradingScheme:
        rules, bands, labels = list(self.scheme.rules), list(self.scheme.rollup.bands), list(self.scheme.labels)
        for entry in [*self.figures, *self.meanings]:
            value = {entry.attribute: self.cleaned_data[entry.name]}
            if entry.rule is not None:
                rules[entry.rule] = dataclasses.replace(rules[entry.rule], **value)
            elif entry.band is not None:
                bands[entry.band] = dataclasses.replace(bands[entry.band], **value)
            else:
                labels[entry.label] = dataclasses.replace(labels[entry.label], **value)
        rollup = dataclasses.replace(self.scheme.rollup, bands=tuple(bands))
        return dataclasses.replace(self.scheme, rules=tuple(rules), labels=tuple(labels), rollup=rollup)

    def changed_figures(self) -> list[dict]:
        """What was typed other than the scheme's: the field's label, before and after, as typed back."""
        rows = []
        for entry in [*self.figures, *self.meanings]:
            old, new = self.current(entry), self.cleaned_data[entry.name]
            if old != new:
                show = {"at_least": share_text, "meaning": str, "meaning_en": str}.get(entry.attribute)
                show = show or numbers.format_number
                rows.append({"label": self.fields[entry.name].label, "old": show(old), "new": show(new)})
        return rows

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        scheme = self.changed_scheme()
        try:
            cleaned_data["scheme"] = scheme_files.parse(scheme_files.to_data(scheme))
        except scheme_files.SchemeInvalid as invalid:
            for problem in invalid.problems:
                name = self._field_at(problem.where)
                if name is None:
                    self.add_error(None, describe_problem(problem))
                else:
                    self.add_error(name, str(SCHEME_MESSAGES[problem.code] % problem.params))
        return cleaned_data

    def _field_at(self, where: str) -> str | None:
        """The field of a checker's problem: the one it names, or the first figure of the rule or the
        roll-up label it names (「rules[3]」: that rule can never give its label)."""
        entries = [*self.figures, *self.meanings]
        for entry in entries:
            if entry.where == where:
                return entry.name
        for entry in entries:
            if entry.where.startswith(f"{where}."):
                return entry.name
        return None
