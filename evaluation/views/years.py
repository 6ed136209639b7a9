"""The evaluation years of a plan (the planning section's page): the plan's period and its extension,
open a fiscal year (after a preview of the plan values it lacks, carried forward on request), set or
extend its deadline, close it and reopen it (each after a confirmation that says what will happen),
and change the plan's grading rule (a preview of the grades it changes in the open years, then the
regrading). Each state change is a POST through one service of evaluation.services.years or
evaluation.services.regrading."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from config.http import page, post_only
from config.text_input import TextChecks
from departments.permissions import can_manage_years
from evaluation import display
from evaluation.domain.enums import YearStatus
from evaluation.models import EvaluationYear, Plan
from evaluation.queries.progress import StatusCounts, status_choices, status_counts_by_year, tallying_results
from evaluation.services import years as year_services
from evaluation.views.home import _choose
from evaluation.views.params import parse_id

# Small forms of this page only (evaluation/forms.py holds the entry forms).


class DateInput(forms.DateInput):
    input_type = "date"


class OpenYearForm(TextChecks, forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(year, display.fiscal_year(year)) for year in years]


class DeadlineForm(TextChecks, forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput)


class PeriodForm(TextChecks, forms.Form):
    last_fiscal_year = forms.TypedChoiceField(label=_("Extend the period to"), coerce=int)
    reason = forms.CharField(
        label=_("Reason for extending the period"),
        max_length=year_services.HISTORY_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        later = range(plan.last_fiscal_year + 1, plan.last_fiscal_year + 6)
        self.fields["last_fiscal_year"].choices = [(year, display.fiscal_year(year)) for year in later]


class ReopenYearForm(TextChecks, forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=year_services.HISTORY_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseYearForm(TextChecks, forms.Form):
    force = forms.BooleanField(label=_("Close with items that are not approved"), required=False)
    reason = forms.CharField(
        label=_("Reason for closing with open items"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _manager_only(request) -> None:
    if not can_manage_years(request.user):
        raise PermissionDenied


def _plan(request) -> Plan | None:
    plans = {plan.pk: plan for plan in Plan.objects.order_by("name")}
    if not plans:
        return None
    return _choose(request, "plan", plans) or next(iter(plans.values()))


def _year_for_manager(request, year_id: int) -> EvaluationYear:
    _manager_only(request)
    return get_object_or_404(EvaluationYear.objects.select_related("plan"), pk=year_id)


def _back(year_or_plan) -> str:
    plan_id = getattr(year_or_plan, "plan_id", None) or year_or_plan.pk
    return f"{reverse('years')}?plan={plan_id}"


@require_safe
def years(request):
    """A plan's evaluation years: status, deadline, counts per status; forms to open, extend, close."""
    _manager_only(request)
    plan = _plan(request)
    context = {"plan": plan, "plans": list(Plan.objects.order_by("name"))}
    if plan is None:
        return render(request, "evaluation/years/list.html", context)
    evaluation_years = list(plan.evaluation_years.order_by("-fiscal_year"))
    counts = status_counts_by_year(plan)
    opened = {year.fiscal_year for year in evaluation_years}
    openable = [year for year in plan.fiscal_years if year not in opened]
    rows = [
        {
            "year": year,
            "counts": counts.get(year.fiscal_year) or StatusCounts.none_of(plan),
            "deadline_form": DeadlineForm(prefix=f"y{year.pk}"),
            "close_form": CloseYearForm(prefix=f"y{year.pk}"),
            "reopen_form": ReopenYearForm(prefix=f"y{year.pk}"),
        }
        for year in evaluation_years
    ]
    context.update(
        rows=rows,
        open_form=OpenYearForm(years=openable) if openable else None,
        period_form=PeriodForm(plan=plan),
        statuses=[label for _status, label in status_choices(plan)],
        OPEN=YearStatus.OPEN,
    )
    return render(request, "evaluation/years/list.html", context)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _plan_of_request(request) -> Plan:
    try:
        return Plan.objects.get(pk=parse_id(request.POST.get("plan") or request.GET.get("plan")))
    except Plan.DoesNotExist:
        raise Http404("unknown plan") from None


@require_http_methods(["GET", "POST"])
def open_year(request):
    """GET: what opening the chosen year would find (the indicators without a plan value or target,
    those the previous year can give one); POST: open it, carrying them forward if asked."""
    _manager_only(request)
    plan = _plan_of_request(request)
    taken = set(plan.evaluation_years.values_list("fiscal_year", flat=True))
    form = OpenYearForm(request.POST or request.GET, years=[year for year in plan.fiscal_years if year not in taken])
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_back(plan))
    fiscal_year, deadline = form.cleaned_data["fiscal_year"], form.cleaned_data["deadline"]
    if request.method == "GET":
        context = {"plan": plan, "form": form, "preview": year_services.opening_preview(plan, fiscal_year)}
        return render(request, "evaluation/years/open.html", context)
    try:
        opened = year_services.open_year(
            plan, fiscal_year, user=request.user, deadline=deadline, carry_forward=bool(request.POST.get("carry"))
        )
    except year_services.YearRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(year)s is open: %(created)d result rows were created, %(carried)d plan values carried forward.")
            % {
                "year": display.fiscal_year(opened.year.fiscal_year),
                "created": opened.results_created,
                "carried": opened.values_carried,
            },
        )
    return redirect(_back(plan))


@post_only(page("years"))
def extend_period(request):
    _manager_only(request)
    plan = _plan_of_request(request)
    form = PeriodForm(request.POST, plan=plan)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_back(plan))
    try:
        plan = year_services.extend_period(
            plan, form.cleaned_data["last_fiscal_year"], user=request.user, reason=form.cleaned_data["reason"]
        )
    except year_services.YearRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The plan's period is now %(period)s.") % {"period": plan.period_display})
    return redirect(_back(plan))


@post_only(page("years"))
def set_deadline(request, year_id: int):
    year = _year_for_manager(request, year_id)
    form = DeadlineForm(request.POST, prefix=f"y{year.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_back(year))
    try:
        year = year_services.set_deadline(year, form.cleaned_data["deadline"], user=request.user)
    except year_services.YearRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The deadline of %(year)s is now %(deadline)s.")
            % {"year": display.fiscal_year(year.fiscal_year), "deadline": display.day(year.deadline)},
        )
    return redirect(_back(year))


@post_only(page("years"))
def close_year(request, year_id: int):
    """Close the year after a confirmation page that says what closing does: the items not approved
    it closes (with the reason asked for), and the 集計中 items whose figure comes later."""
    year = _year_for_manager(request, year_id)
    form = CloseYearForm(request.POST, prefix=f"y{year.pk}")
    if not form.is_valid():  # both fields are optional (the service checks the reason), but not any text
        _form_errors(request, form)
        return redirect(_back(year))
    if not request.POST.get("confirmed"):
        context = {
            "plan": year.plan,
            "year": year,
            "form": form,
            "counts": status_counts_by_year(year.plan).get(year.fiscal_year, StatusCounts()),
            "tallying": tallying_results(year.plan_id, year.fiscal_year),
        }
        return render(request, "evaluation/years/close_confirm.html", context)
    try:
        year = year_services.close_year(
            year,
            user=request.user,
            force=form.cleaned_data.get("force", False),
            reason=form.cleaned_data.get("reason", ""),
        )
    except year_services.YearRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("%(year)s is closed: it is read-only now.") % {"year": display.fiscal_year(year.fiscal_year)}
        )
    return redirect(_back(year))


@post_only(page("years"))
def reopen_year(request, year_id: int):
    """Reopen a closed year with its reason, after a confirmation page."""
    year = _year_for_manager(request, year_id)
    form = ReopenYearForm(request.POST, prefix=f"y{year.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_back(year))
    if not request.POST.get("confirmed"):
        context = {"plan": year.plan, "year": year, "form": form}
        return render(request, "evaluation/years/reopen_confirm.html", context)
    try:
        year = year_services.reopen_year(year, user=request.user, reason=form.cleaned_data["reason"])
    except year_services.YearRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(year)s is open again: its items can be changed; the reason is on the record.")
            % {"year": display.fiscal_year(year.fiscal_year)},
        )
    return redirect(_back(year))
