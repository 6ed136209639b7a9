"""The plan's grading scheme (評価基準) page: the scheme now and the one each closed year keeps; a change
(another preset, a scheme file the planning section wrote, or new thresholds of an A–D scheme) is
previewed, then applied through services.regrading, which regrades the open years on the record."""

import json
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from config.text_input import TextChecks
from evaluation import display
from evaluation.domain import numbers, scheme_files
from evaluation.domain.enums import GradingFormula, Rounding, YearStatus
from evaluation.domain.messages import describe_problem
from evaluation.models import Plan
from evaluation.report.sheet import grading_note
from evaluation.services import regrading
from evaluation.views.years import _back, _manager_only, _plan_of_request


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


def _achievements(achievements, decimals: int) -> str:
    """「85.0%」, or per sub-item 「a) 231.6% b) 287.1%」."""
    return " ".join(
        f"{label}) {display.achievement(value, decimals)}" if label else display.achievement(value, decimals)
        for label, value in achievements
    )


def _change_rows(changes, plan: Plan, rule) -> list[dict]:
    return [
        {
            "result": change.result,
            "year": display.fiscal_year(change.result.fiscal_year),
            "old_grade": display.grade(change.old_grade),
            "new_grade": display.grade(change.new_grade),
            "old_achievement": _achievements(change.old_achievement, plan.achievement_decimals),
            "new_achievement": _achievements(change.new_achievement, rule.decimals),
            "grade_changes": change.grade_changes,
            "needs_reason": change.needs_reason,
        }
        for change in changes
    ]


@require_http_methods(["GET", "POST"])
def grading_rule(request):
    """The plan's grading scheme: GET shows it (and the scheme each closed year keeps) with the two ways
    to change it; POST previews the grades the new scheme would change in the open years; POST with
    `confirmed` applies it through services.regrading (nothing changes before)."""
    _manager_only(request)
    plan = _plan_of_request(request)
    current = plan.scheme
    closed_years = [
        (year, grading_note(year.scheme))
        for year in plan.evaluation_years.filter(status=YearStatus.CLOSED).order_by("fiscal_year")
    ]
    context = {
        "plan": plan,
        "scheme": current,
        "closed_years": closed_years,
        "current_note": grading_note(current),
        "editable_thresholds": scheme_files.is_threshold_scheme(current),
        "form": ThresholdsForm(initial=ThresholdsForm.initial_of(current)),
        "scheme_form": SchemeChoiceForm(),
    }
    if request.method == "GET":
        return render(request, "evaluation/years/grading.html", context)
    if request.POST.get("action") == "scheme":
        form = context["scheme_form"] = SchemeChoiceForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "evaluation/years/grading.html", context, status=400)
        rule = form.cleaned_data["scheme"]
    else:
        form = context["form"] = ThresholdsForm(request.POST)
        if not form.is_valid():
            return render(request, "evaluation/years/grading.html", context, status=400)
        rule = regrading.rule_from(form.cleaned_data, base=current)
    if request.POST.get("confirmed"):
        try:
            applied = regrading.apply_regrading(plan, rule, user=request.user, expected=request.POST.get("token", ""))
        except regrading.RegradingRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                ngettext(
                    "The grading rule is changed and %(count)d item of the open years is regraded; closed years "
                    "keep their grades.",
                    "The grading rule is changed and %(count)d items of the open years are regraded; closed years "
                    "keep their grades.",
                    len(applied.changes),
                )
                % {"count": len(applied.changes)},
            )
            return redirect(_back(plan))
    preview = regrading.regrading_preview(plan, rule)
    context.update(
        preview=preview,
        new_scheme=rule,
        new_scheme_data=json.dumps(scheme_files.to_data(rule), ensure_ascii=False),
        chosen_action=request.POST.get("action") or "thresholds",
        new_note=grading_note(rule),
        changes=_change_rows(preview.changes, plan, rule),
        approved=_change_rows(preview.approved, plan, rule),
    )
    return render(request, "evaluation/years/grading.html", context)
