"""The audit trail (/audit/): who changed what, and when — the planning section's search and CSV export.

The CSV streams (GET); when the search finds more than MEZASU_AUDIT_CSV_JOB_ROWS rows, the page's button
asks for it as a background job instead (POST: evaluation.job_kinds), whose page offers the file."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from config.text_input import TextChecks
from departments.models import Department
from departments.permissions import can_view_audit
from evaluation.job_kinds import audit_parameters
from evaluation.queries.audit import KIND_LABELS, AuditFilters, audit_rows, describe_rows
from evaluation.workbook.audit_export import export_csv
from jobs import services as jobs

PAGE_SIZE = 50


class AuditFilterForm(TextChecks, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.ModelChoiceField(
        label=_("User"), queryset=get_user_model().objects.none(), required=False, empty_label=_("All")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All")
    )
    indicator_code = forms.CharField(label=_("Indicator ID"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind of object"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")
        self.fields["department"].queryset = Department.objects.order_by("name")
        self.fields["kind"].choices = [("", _("All")), *KIND_LABELS.items()]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            user_id=data["user"].pk if data.get("user") else None,
            department_id=data["department"].pk if data.get("department") else None,
            indicator_code=data.get("indicator_code") or "",
            kind=data.get("kind") or "",
        )


def _form(request) -> AuditFilterForm:
    if not can_view_audit(request.user):
        raise PermissionDenied
    return AuditFilterForm(request.GET or None)


@require_GET
def audit_trail(request):
    """The filtered audit trail, newest first, a page at a time."""
    form = _form(request)
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound and valid else AuditFilters()
    page = Paginator(audit_rows(filters) if valid else [], PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluation/audit/trail.html",
        {
            "form": form,
            "page": page,
            "entries": describe_rows(list(page.object_list)) if valid else [],
            "query": query.urlencode(),
            "csv_as_job": valid and page.paginator.count > settings.MEZASU_AUDIT_CSV_JOB_ROWS,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def audit_export(request):
    """The filtered audit trail as CSV (UTF-8 with BOM, texts guarded against spreadsheet formulas):
    streamed (GET), or made by a background job (POST, the page's button for a large trail)."""
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "evaluation/audit/trail.html", {"form": form, "entries": []}, status=400)
    filters = form.filters() if form.is_bound else AuditFilters()
    if request.method == "POST":
        return redirect(jobs.ask(request.user, "audit_csv", audit_parameters(filters)))
    response = StreamingHttpResponse(export_csv(filters), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
