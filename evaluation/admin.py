"""The admin: master data of the plan for the planning section and system administrators, with the
plan workbook's import (preview, then confirm, each a background job: evaluation.plan_import_jobs) and
export on the plan list.

Every change, inline and delete asks evaluation.services.guards: an approved result and everything of
a closed year are read-only here (no save button, a POST refused), the master data a closed year's
record rests on cannot change under it (a form error, nothing saved), and what holds such a record
cannot be deleted. No bulk action: it would pass by the per-object checks."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm

from departments.admin import ADMIN_CHANGE_REASON, AuditedAdmin, RecordsDeletions
from departments.permissions import can_import_plan
from evaluation import plan_import_jobs
from evaluation.admin_grading import GradingSchemeAdmin
from evaluation.domain import scheme_files, scheme_text
from evaluation.domain.errors import MezasuError
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.models import (
    RESULT_VALUE_FIELDS,
    EvaluationYear,
    Indicator,
    Initiative,
    Measure,
    Pillar,
    Plan,
    PolicyArea,
    Result,
    ResultComment,
    ResultValue,
    Revision,
    Vision,
)
from evaluation.resources import PlanWorkbookResource, WorkbookCSV, WorkbookXLSX, result_from_json
from evaluation.services import guards
from evaluation.services.results import move_open_results, regrade
from evaluation.workbook.errors import UnreadableWorkbook
from evaluation.workbook.limits import FileKind
from evaluation.workbook.reader import check_file
from jobs import services as job_services
from jobs.enums import JobState
from jobs.models import Job

admin.site.site_header = _("Mezasu administration")
admin.site.site_title = _("Mezasu administration")
admin.site.index_title = _("Plan and evaluation master data")


def guarded_form(guard):
    """A model form whose clean() asks `guard(instance, changed fields)` and shows its refusal as the
    form's error, so that nothing is saved (the instance is still as stored when clean() runs)."""

    class GuardedForm(forms.ModelForm):
        def clean(self):
            cleaned_data = super().clean()
            try:
                guard(self.instance, self.changed_data)
            except MezasuError as refusal:
                raise forms.ValidationError(refusal.message) from None
            return cleaned_data

    return GuardedForm


class MeasureFormSet(forms.BaseInlineFormSet):
    """The measures of an indicator: a changed or deleted row asks the guards, like the measure's own form."""

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            try:
                if self.can_delete and self._should_delete_form(form):
                    guards.refuse_measure_delete(form.instance)
                else:
                    guards.refuse_measure_change(form.instance, form.changed_data)
            except MezasuError as refusal:
                raise forms.ValidationError(refusal.message) from None


class HoldsIndicators:
    """The admin of an indicator or what holds one (a pillar … an initiative): a delete takes them with it."""

    indicators_lookup = ""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not guards.may_delete_indicators(
            Indicator.objects.filter(**{self.indicators_lookup: obj.pk})
        ):
            return False
        return super().has_delete_permission(request, obj)


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0
    fields = ["number", "title"]
    show_change_link = True


class PlanImportForm(ImportForm):
    """The import's first step: the file goes through the one reader in the request, before it is kept
    (in the database) for the background jobs that preview and import it; a refused file is not kept."""

    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        try:
            check_file(import_file, import_file.name, kind=FileKind.PLAN_WORKBOOK)
        except UnreadableWorkbook as refused:
            raise forms.ValidationError([str(error) for error in refused.errors]) from None
        return import_file


class PlanConfirmForm(forms.Form):
    """The import's second step: the preview job to import as it showed (the person's own, checked)."""

    preview = forms.UUIDField(widget=forms.HiddenInput)


PLAN_GRADING_FIELD_ORDER = ["grading_scheme_summary"]


@admin.register(Plan)
class PlanAdmin(GradingSchemeAdmin, ImportExportMixin, AuditedAdmin):
    """Plans, and the door to the plan workbook: import (preview, then confirm) and export."""

    actions = None  # a bulk delete would take approved results with it
    form = guarded_form(guards.refuse_plan_change)

    resource_classes = [PlanWorkbookResource]
    import_formats = [WorkbookCSV, WorkbookXLSX]
    export_formats = [WorkbookCSV, WorkbookXLSX]
    import_form_class = PlanImportForm
    export_form_class = ExportForm
    inlines = [PillarInline]
    list_display = ["name", "first_fiscal_year", "last_fiscal_year", "grading_scheme_name"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "first_fiscal_year", "last_fiscal_year"]}),
        (
            _("Grading rule"),
            {"fields": PLAN_GRADING_FIELD_ORDER},
        ),
        (_("Workflow"), {"fields": ["requires_head_check", "allows_own_review"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A plan's scheme changes on the regrading page or by `grading_scheme` (services.regrading), never
        # around it; a new plan starts with Setagaya's.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *PLAN_GRADING_FIELD_ORDER, "grading_rule_page"]

    @admin.display(description=_("grading scheme"))
    def grading_scheme_name(self, obj):
        return obj.scheme.name

    @admin.display(description=_("grading scheme"))
    def grading_scheme_summary(self, obj):
        scheme = obj.scheme if obj is not None and obj.pk else scheme_files.default_scheme()
        return format_html("{}<br>{}", scheme.name, scheme_text.footnote(scheme, get_language() or "ja"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": [*options["fields"], "grading_rule_page"]})
            if options["fields"] == PLAN_GRADING_FIELD_ORDER
            else (name, options)
            for name, options in fieldsets
        ]

    @admin.display(description=_("Change the grading rule"))
    def grading_rule_page(self, obj):
        return format_html(
            '<a href="{}?plan={}">{}</a>',
            reverse("year_grading"),
            obj.pk,
            gettext("On the evaluation years page: preview the grades that would change, then regrade."),
        )

    def has_import_permission(self, request):
        # The rule lives in departments/permissions.py, with every other permission rule.
        return can_import_plan(request.user)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        job_page = path(
            "import/<uuid:job_id>/",
            self.admin_site.admin_view(self.import_job_view),
            name="{}_{}_import_job".format(*info),
        )
        return [job_page, *self.grading_scheme_urls(), *super().get_urls()]

    def import_action(self, request, **kwargs):
        """The import's first step: the file, refused here by the one reader (PlanImportForm) or kept in
        the database for the background job that previews it; the job's page follows."""
        if request.method != "POST" or not self.has_import_permission(request):
            return super().import_action(request, **kwargs)  # the form, or the 403
        form = self.create_import_form(request)
        if not form.is_valid():
            return self._import_page(request, form)
        upload = plan_import_jobs.store_upload(request.user, form.cleaned_data["import_file"])
        parameters = plan_import_jobs.preview_parameters(upload, request.user, request.LANGUAGE_CODE)
        return redirect(job_services.ask(request.user, plan_import_jobs.PREVIEW, parameters))

    def import_job_view(self, request, job_id):
        """A done job of the import: the preview (what would be added, changed or refused, and the
        confirmation), or what was imported. A job still under way, or refused, is shown on its page."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        kinds = (plan_import_jobs.PREVIEW, plan_import_jobs.IMPORT)
        job = Job.objects.filter(pk=job_id, requested_by=request.user, kind__in=kinds).first()
        if job is None:
            raise Http404("no such import of yours")
        data = plan_import_jobs.kept_result(job) if job.state == JobState.DONE else None
        if data is None:
            return redirect(job)
        if job.kind == plan_import_jobs.IMPORT:
            return self._imported_page(request, data)
        result = result_from_json(data)
        context = {"result": result}
        if not result.has_validation_errors():
            context["confirm_form"] = PlanConfirmForm(initial={"preview": job.pk})
        return self._import_page(request, self.create_import_form(request), **context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmation of a preview: the import as a background job, exactly as previewed."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = PlanConfirmForm(request.POST)
        preview = (
            Job.objects.filter(
                pk=form.cleaned_data["preview"],
                requested_by=request.user,
                kind=plan_import_jobs.PREVIEW,
                state=JobState.DONE,
            ).first()
            if form.is_valid()
            else None
        )
        previewed = plan_import_jobs.kept_result(preview) if preview is not None else None
        if previewed is None or previewed["invalid_rows"]:
            messages.error(request, plan_import_jobs.PREVIEW_GONE)
            return redirect("admin:evaluation_plan_import")
        return redirect(
            job_services.ask(request.user, plan_import_jobs.IMPORT, plan_import_jobs.import_parameters(preview))
        )

    def _import_page(self, request, form, **context):
        """django-import-export's import page: the form, and the preview or the refused rows when given."""
        resources = [
            resource_class(**self.get_import_resource_kwargs(request=request, form=form))
            for resource_class in self.get_import_resource_classes(request)
        ]
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            [self.import_template_name],
            {
                **self.get_import_context_data(),
                **self.admin_site.each_context(request),
                "title": gettext("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "fields_list": [
                    (resource.get_display_name(), [field.column_name for field in resource.get_user_visible_fields()])
                    for resource in resources
                ],
                "import_error_display": self.import_error_display,
                **context,
            },
        )

    def _imported_page(self, request, data: dict):
        plan = Plan.objects.filter(pk=data.get("plan")).first()
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            "admin/evaluation/plan/imported.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Plan workbook imported"),
                "opts": self.model._meta,
                "plan": plan,
                "filename": data["filename"],
                "totals": data["totals"],
                "counts": data["counts"],
                "diff_headers": data["diff_headers"],
                "changed_rows": [row for row in data["rows"] if row[0] != "skip"],
            },
        )

    def get_export_filename(self, request, queryset, file_format):
        return f"plan-workbook.{file_format.get_extension()}"

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or guards.may_delete_plan(obj))


@admin.register(Pillar)
class PillarAdmin(HoldsIndicators, RecordsDeletions, admin.ModelAdmin):
    actions = None
    indicators_lookup = "initiative__vision__policy_area__pillar"
    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]
    search_fields = ["title"]
    list_select_related = ["plan"]


@admin.register(PolicyArea)
class PolicyAreaAdmin(HoldsIndicators, RecordsDeletions, admin.ModelAdmin):
    actions = None
    indicators_lookup = "initiative__vision__policy_area"
    list_display = ["number", "title", "pillar"]
    list_filter = ["pillar__plan", "pillar"]
    search_fields = ["title"]
    list_select_related = ["pillar"]


@admin.register(Vision)
class VisionAdmin(HoldsIndicators, RecordsDeletions, admin.ModelAdmin):
    actions = None
    indicators_lookup = "initiative__vision"
    list_display = ["number", "heading", "policy_area", "plan_pages"]
    list_filter = ["policy_area__pillar__plan", "policy_area__pillar"]
    search_fields = ["heading", "statement"]
    list_select_related = ["policy_area"]


@admin.register(Initiative)
class InitiativeAdmin(HoldsIndicators, RecordsDeletions, admin.ModelAdmin):
    actions = None
    indicators_lookup = "initiative"
    list_display = ["number", "title", "vision", "implementation_ref", "is_relisted"]
    list_filter = ["is_relisted", "vision__policy_area__pillar__plan", "vision__policy_area__pillar"]
    search_fields = ["title", "description", "implementation_ref"]
    list_select_related = ["vision"]


class MeasureInline(admin.TabularInline):
    model = Measure
    formset = MeasureFormSet
    extra = 0
    fields = ["label", "name", "baseline_value"]


class IndicatorForm(guarded_form(guards.refuse_indicator_change)):
    """An indicator's form; a new department takes the results of the years not closed with it, which
    an approved one refuses (guards.refuse_department_move)."""

    def clean(self):
        cleaned_data = super().clean()
        if "department" in self.changed_data:
            try:
                guards.refuse_department_move(self.instance, cleaned_data.get("department"))
            except MezasuError as refusal:
                raise forms.ValidationError(refusal.message) from None
        return cleaned_data


@admin.register(Indicator)
class IndicatorAdmin(HoldsIndicators, AuditedAdmin):
    actions = None  # a bulk delete would take approved results with it
    indicators_lookup = "pk"
    form = IndicatorForm
    list_display = ["code", "name", "kind", "direction", "unit", "department", "position"]
    list_filter = ["plan", "kind", "direction", "department"]
    search_fields = ["code", "name", "department__name"]
    list_select_related = ["department"]
    autocomplete_fields = ["initiative", "department"]
    inlines = [MeasureInline]

    def save_model(self, request, obj, form, change):
        """A move to another department takes the results of the years not closed with it (on the
        record); a closed year's result keeps its department."""
        super().save_model(request, obj, form, change)
        if change and "department" in form.changed_data:
            moved = move_open_results(obj, user=request.user, change_reason=ADMIN_CHANGE_REASON)
            if moved:
                separator = pgettext("list separator", ", ")
                years = separator.join(display_fiscal_year(result.fiscal_year) for result in moved)
                self.message_user(
                    request,
                    gettext("Its results of %(years)s moved to %(department)s.")
                    % {"years": years, "department": obj.department},
                    messages.INFO,
                )


@admin.register(Measure)
class MeasureAdmin(AuditedAdmin):
    actions = None  # a bulk delete would take approved results' values with it
    form = guarded_form(guards.refuse_measure_change)
    list_display = ["indicator", "label", "name", "baseline_value"]
    list_filter = ["indicator__plan"]
    search_fields = ["indicator__code", "indicator__name", "name"]
    list_select_related = ["indicator"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or guards.may_delete_measure(obj))


class ResultLock:
    """An approved result, and every result of a closed year, is locked
    (guards.may_admin_change_result): its change form and inlines are read-only, a POST to them is
    refused, and it cannot be deleted."""

    def locked_result(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        result = self.locked_result(obj) if obj is not None else None
        return super().has_change_permission(request, obj) and guards.may_admin_change_result(result)

    def has_delete_permission(self, request, obj=None):
        result = self.locked_result(obj) if obj is not None else None
        return super().has_delete_permission(request, obj) and guards.may_admin_change_result(result)


class ResultValueInline(ResultLock, admin.TabularInline):
    model = ResultValue
    extra = 0
    fields = ["measure", *RESULT_VALUE_FIELDS]
    readonly_fields = ["achievement", "grade"]

    # obj is the result the inline belongs to
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and guards.may_admin_change_result(obj)


class ResultCommentInline(admin.TabularInline):
    model = ResultComment
    extra = 0
    fields = ["created_at", "author", "kind", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResultForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        indicator, fiscal_year = cleaned_data.get("indicator"), cleaned_data.get("fiscal_year")
        if indicator is not None and fiscal_year is not None:
            try:
                guards.refuse_if_year_closed(indicator.plan_id, fiscal_year)
            except MezasuError as refusal:
                raise forms.ValidationError(refusal.message) from None
        return cleaned_data


@admin.register(Result)
class ResultAdmin(ResultLock, AuditedAdmin):
    actions = None  # no bulk action may change or delete approved results
    form = ResultForm
    list_display = [
        "indicator",
        "fiscal_year",
        "department",
        "status",
        "grade",
        "judged_grade",
        "version",
        "updated_at",
        "updated_by",
    ]
    list_filter = ["fiscal_year", "status", "grade", "indicator__plan", "department"]
    search_fields = ["indicator__code", "indicator__name", "reason"]
    list_select_related = ["indicator", "updated_by"]
    # The status moves only through the workflow (approve, return, reopen are on the record there).
    readonly_fields = ["status", "grade", "version", "updated_at", "updated_by", "submitted_by"]
    autocomplete_fields = ["indicator"]
    inlines = [ResultValueInline, ResultCommentInline]

    def save_related(self, request, form, formsets, change):
        """Values changed here are graded by the same rule as everywhere, and the version moves on."""
        super().save_related(request, form, formsets, change)
        regrade(form.instance, user=request.user, change_reason=ADMIN_CHANGE_REASON)


@admin.register(ResultValue)
class ResultValueAdmin(ResultLock, AuditedAdmin):
    actions = None  # no bulk action may change or delete approved results
    list_display = ["result", "measure", "target_value", "actual_state", "actual_value", "achievement", "grade"]
    list_filter = ["result__fiscal_year", "grade", "actual_state", "result__indicator__plan"]
    search_fields = ["result__indicator__code", "result__indicator__name"]
    list_select_related = ["result__indicator", "measure__indicator"]
    readonly_fields = ["achievement", "grade"]

    def locked_result(self, obj):
        return obj.result

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        regrade(obj.result, user=request.user, change_reason=ADMIN_CHANGE_REASON)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "result":  # a value is not added to, nor moved into, a locked result
            kwargs["queryset"] = guards.results_admin_may_change(Result.objects.select_related("indicator"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(EvaluationYear)
class EvaluationYearAdmin(AuditedAdmin):
    """Years are opened, extended, closed and reopened on the years page (the services check and record
    it); here none is added, the status stays as the services left it, and a closed year is read-only."""

    actions = None
    list_display = ["plan", "fiscal_year", "status", "deadline", "opened_at", "closed_at"]
    list_filter = ["status", "plan"]
    readonly_fields = ["status", "opened_at", "closed_at", "close_reason"]

    def has_add_permission(self, request):
        return False  # opening a year creates its results: the years page's service does it

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and guards.may_change_year(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and guards.may_change_year(obj)


@admin.register(ResultComment)
class ResultCommentAdmin(RecordsDeletions, admin.ModelAdmin):
    list_display = ["result", "author", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["body", "result__indicator__code"]
    readonly_fields = ["result", "author", "kind", "body", "created_at"]

    def has_add_permission(self, request):
        return False  # a comment is written on the item's page, in its thread (every field here is read-only)

    def has_change_permission(self, request, obj=None):
        return False  # never edited: a correction is a new comment

    def has_delete_permission(self, request, obj=None):
        result = obj.result if obj is not None else None
        return super().has_delete_permission(request, obj) and guards.may_admin_change_result(result)


@admin.register(Revision)
class RevisionAdmin(RecordsDeletions, admin.ModelAdmin):
    """Revisions are made on the revise page (with the regrading and the history); here only read."""

    list_display = [
        "indicator",
        "fiscal_year",
        "field",
        "old_value",
        "new_value",
        "footnote",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["field", "fiscal_year"]
    search_fields = ["indicator__code", "indicator__name", "reason"]
    list_select_related = ["indicator", "changed_by"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
