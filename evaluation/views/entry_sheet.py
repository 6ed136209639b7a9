"""The entry sheet round trip: download the department's sheet, upload it filled in, preview what it
changes, confirm. Each view fetches through a permission-checking helper (404 for what the user may
not touch) and calls one function of evaluation.workbook.entry_sheet."""

from pathlib import Path

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from config.http import page, post_only
from departments import permissions
from departments.models import Department
from evaluation.models import EntryUpload, Plan
from evaluation.services import guards
from evaluation.services.guards import PermissionRefused
from evaluation.views.entry_rows import reason_rule
from evaluation.views.params import parse_id
from evaluation.workbook.entry_sheet import (
    UploadRefused,
    apply_entry_upload,
    build_entry_sheet,
    changed_rows,
    read_entry_sheet,
    sheet_filename,
)
from evaluation.workbook.entry_sheet.layout import STATE_HEADER, only_tallying
from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind, limits_for
from evaluation.workbook.reader import ENTRY_SHEET_EXTENSIONS as UPLOAD_EXTENSIONS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EntrySheetUploadForm(forms.Form):
    """The file only; its size and everything in it are checked by the one reader (workbook/reader.py)."""

    sheet = forms.FileField(
        label=gettext_lazy("Filled-in entry sheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "sheet-file"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].help_text = _("Excel (.xlsx), or CSV saved from the sheet; up to %(size)s.") % {
            "size": filesizeformat(limits_for(FileKind.ENTRY_SHEET).max_bytes)
        }

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if Path(sheet.name).suffix.lower() not in UPLOAD_EXTENSIONS:
            raise forms.ValidationError(_("Upload the sheet as an Excel (.xlsx) or CSV file."))
        return sheet


def _department_for_entry(request, department_id: int) -> Department:
    """The department whose sheet the user enters; 404 for any other."""
    department = get_object_or_404(Department, pk=department_id)
    if not permissions.can_enter_for_department(request.user, department.pk):
        raise Http404("not an entry department of the user")
    return department


def _plan_for(request, department: Department, fiscal_year: int) -> Plan:
    """The plan with the department's results of that year (?plan= chooses among several); 404 if none."""
    plans = Plan.objects.filter(
        indicators__results__department=department, indicators__results__fiscal_year=fiscal_year
    ).distinct()
    raw = request.GET.get("plan", "").strip()
    if raw:
        plans = plans.filter(pk=plan_id) if (plan_id := parse_id(raw)) else plans.none()
    plan = plans.order_by("name").first()
    if plan is None:
        raise Http404("no results of the department in that year")
    return plan


def _upload_for(request, upload_id) -> EntryUpload:
    """An upload of the user's own (and of one of its departments); 404 for anyone else's."""
    upload = get_object_or_404(EntryUpload.objects.select_related("department", "plan"), pk=upload_id)
    if not permissions.can_use_entry_upload(request.user, upload):
        raise Http404("not the user's upload")
    return upload


def department_page_url(department_id: int, fiscal_year: int, fallback: str = "") -> str:
    """The department's entry page; `fallback` (else home) while that page does not exist."""
    try:
        return reverse("entry_department", args=[department_id, fiscal_year])
    except NoReverseMatch:
        return fallback or reverse("home")


@require_safe
def download(request, department_id: int, fiscal_year: int):
    department = _department_for_entry(request, department_id)
    plan = _plan_for(request, department, fiscal_year)
    response = HttpResponse(build_entry_sheet(department, plan, fiscal_year), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, sheet_filename(department, fiscal_year))
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def upload(request, department_id: int, fiscal_year: int):
    department = _department_for_entry(request, department_id)
    plan = _plan_for(request, department, fiscal_year)
    is_open = guards.is_year_open(plan.pk, fiscal_year)
    form = EntrySheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not is_open:
        messages.error(request, _("The evaluation of this fiscal year is not open: nothing can be uploaded."))
    elif request.method == "POST" and form.is_valid():
        sheet = form.cleaned_data["sheet"]
        try:
            rows, errors = read_entry_sheet(
                sheet, user=request.user, department=department, plan=plan, fiscal_year=fiscal_year
            )
        except UnreadableWorkbook as refused:  # the file itself: nothing to preview, nothing kept
            for error in refused.errors:
                form.add_error("sheet", str(error))
        else:
            entry_upload = EntryUpload.objects.create(
                user=request.user,
                department=department,
                plan=plan,
                fiscal_year=fiscal_year,
                filename=Path(sheet.name).name[:255],
                rows=rows,
                errors=errors,
            )
            return redirect("entry_sheet_preview", upload_id=entry_upload.pk)
    scheme = plan.scheme_of(fiscal_year)  # the year's
    context = {
        "plan": plan,
        "department": department,
        "fiscal_year": fiscal_year,
        "form": form,
        "is_open": is_open,
        "back_url": department_page_url(department.pk, fiscal_year),
        "reason_rule": reason_rule(scheme),
        "state_header": "" if only_tallying(scheme) else STATE_HEADER,  # the sheet's column of states, if not 集計中
    }
    return render(request, "evaluation/entry/upload.html", context, status=400 if form.errors else 200)


@require_safe
def preview(request, upload_id):
    entry_upload = _upload_for(request, upload_id)
    changes = changed_rows(entry_upload)
    context = {
        "plan": entry_upload.plan,
        # the grades' looks by rank in the year's scheme
        "scheme": entry_upload.plan.scheme_of(entry_upload.fiscal_year),
        "upload": entry_upload,
        "department": entry_upload.department,
        "fiscal_year": entry_upload.fiscal_year,
        "changes": changes,
        "unchanged_count": len(entry_upload.rows) - len(changes),
        "can_confirm": bool(changes) and not entry_upload.errors and entry_upload.applied_at is None,
        "back_url": department_page_url(entry_upload.department_id, entry_upload.fiscal_year),
    }
    return render(request, "evaluation/entry/upload_preview.html", context)


@post_only(page("entry_sheet_preview", "upload_id"))
def confirm(request, upload_id):
    entry_upload = _upload_for(request, upload_id)
    try:
        applied = apply_entry_upload(entry_upload, user=request.user)
    except PermissionRefused:
        raise Http404("not the user's upload") from None
    except UploadRefused as refused:
        messages.error(
            request,
            _("Nothing was saved: %(problems)s") % {"problems": " ".join(error["text"] for error in refused.errors)},
        )
        return redirect("entry_sheet_preview", upload_id=entry_upload.pk)
    messages.success(
        request,
        ngettext(
            "Saved the sheet: %(changed)s item changed and is now a draft; %(unchanged)s unchanged.",
            "Saved the sheet: %(changed)s items changed and are now drafts; %(unchanged)s unchanged.",
            applied.changed,
        )
        % {"changed": applied.changed, "unchanged": applied.unchanged},
    )
    preview_url = reverse("entry_sheet_preview", args=[entry_upload.pk])
    return redirect(department_page_url(entry_upload.department_id, entry_upload.fiscal_year, preview_url))
