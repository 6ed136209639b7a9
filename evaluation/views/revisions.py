"""The revise page (/review/results/<id>/revise/): the planning section corrects a baseline, a plan value
or a target with a reason (修正, ※2 ※3); the revisions of the indicator are listed under the form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from config.text_input import TextChecks
from departments.permissions import can_revise_plan
from evaluation import display
from evaluation.domain.enums import RevisionField
from evaluation.domain.errors import MezasuError
from evaluation.models import Measure, Result
from evaluation.queries.revisions import indicator_revisions
from evaluation.services import guards
from evaluation.services.guards import PermissionRefused, StaleVersion
from evaluation.services.revisions import fields_for, revise


class RevisionForm(TextChecks, forms.Form):
    field = forms.ChoiceField(label=_("Item to revise"))
    measure = forms.ModelChoiceField(label=_("Sub-item"), queryset=Measure.objects.none(), required=False)
    new_value = forms.CharField(
        label=_("New value"), max_length=200, required=False, help_text=_("Japanese input is fine: e.g. １，８１６")
    )
    reason = forms.CharField(label=_("Reason for the revision"), widget=forms.Textarea(attrs={"rows": 3}))
    footnote = forms.CharField(label=_("Footnote mark"), max_length=10, required=False, help_text=_("e.g. ※2"))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, result: Result, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(value, RevisionField(value).label) for value in fields_for(result.indicator)]
        measures = result.indicator.measures.order_by("label")
        if len(measures) > 1:
            self.fields["measure"].queryset = measures
            self.fields["measure"].label_from_instance = lambda measure: f"{measure.label}) {measure.name}".strip()
        else:
            del self.fields["measure"]
        for name, widget_class in (("field", "select"), ("measure", "select"), ("reason", "input textarea")):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = widget_class
        for name in ("new_value", "footnote"):
            self.fields[name].widget.attrs["class"] = "input"


def _current_values(result: Result) -> list[dict]:
    """The values the form may revise, as printed: per sub-item, its baseline, plan values and target."""
    rows = []
    for value in result.values.select_related("measure").order_by("measure__label"):
        measure = value.measure
        rows.append(
            {
                "measure": f"{measure.label}) {measure.name}".strip() if measure.label else "",
                "baseline": _printed(measure.baseline_value, "", result.indicator),
                "original_plan": _printed(value.original_plan_value, value.original_plan_text, result.indicator),
                "revised_plan": _printed(value.revised_plan_value, value.revised_plan_text, result.indicator),
                "target": _printed(value.target_value, value.target_text, result.indicator),
            }
        )
    return rows


def _printed(number, text: str, indicator) -> str:
    """A value through the display module; empty when there is none (the page prints its own —)."""
    if number is None and not text:
        return ""
    return display.plan_value(number, text, **display.figure_style(indicator))


def _why_locked(result: Result) -> str:
    """Why the item cannot be revised now (approved, closed year), as the guards say; empty if it can."""
    try:
        guards.refuse_result_change(result)
    except MezasuError as refusal:
        return str(refusal.message)
    return ""


@require_http_methods(["GET", "POST"])
def revise_result(request, result_id: int):
    """GET: the form, the current values and the revisions; POST: revise, then back to the page."""
    result = get_object_or_404(Result.objects.select_related("indicator__plan", "department"), pk=result_id)
    if not can_revise_plan(request.user):
        raise PermissionDenied
    locked = _why_locked(result)
    form = RevisionForm(request.POST or None, result=result, initial={"expected_version": result.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revise(
                result,
                user=request.user,
                field=data["field"],
                measure=data.get("measure"),
                new_value=data["new_value"],
                reason=data["reason"],
                footnote=data["footnote"],
                expected_version=data["expected_version"],
            )
        except PermissionRefused:
            raise PermissionDenied from None
        except StaleVersion as error:
            form.add_error(
                None,
                gettext("%(user)s changed this item after you opened it; check the values and revise again.")
                % {"user": display.person(error.current.updated_by)},
            )
        except MezasuError as error:  # the revision's own refusals and the guards' (approved, closed year)
            form.add_error(None, error.message)
        else:
            messages.success(request, gettext("The revision was recorded."))
            return redirect("revise_result", result_id=result.pk)
    return render(
        request,
        "evaluation/revisions/revise.html",
        {
            "result": result,
            "indicator": result.indicator,
            "plan": result.indicator.plan,
            "form": form,
            "locked": locked,
            "current_values": _current_values(result),
            "revisions": indicator_revisions(result.indicator_id),
        },
    )
