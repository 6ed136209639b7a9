"""The admin of departments and memberships (who enters, reviews or views which department's
results), and the base of every admin with a history (AuditedAdmin, used by evaluation.admin and
accounts.admin too).

Memberships are written through departments.services, as everywhere: the membership list, the
department's inline and the user's inline ask departments.permissions in the form (a refusal is the
form's error, nothing saved) and save or delete through the service. Every deletion made in the admin
is logged with what the object held (RecordsDeletions): the audit trail lists it. A chosen row sent
by hand as a value no row can have (a word or a 30-digit number for an id) is a form error, never a
failed look-up (CheckedChoices)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from simple_history.admin import SimpleHistoryAdmin

from departments import services
from departments.admin_log import deleted_content
from departments.models import Department, Membership
from departments.permissions import Refusal, refuse_role_change

# The history_change_reason of every save and delete made in the admin: the audit trail shows the path.
ADMIN_CHANGE_REASON = "admin"


class RecordsDeletions:
    """An admin whose every deletion (a delete page, the bulk action, an inline row) is logged with
    the object's content before it goes."""

    def log_deletions(self, request, queryset):
        return [
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=[obj],
                action_flag=DELETION,
                change_message=deleted_content(obj),
                single_object=True,
            )
            for obj in queryset
        ]

    def save_formset(self, request, form, formset, change):
        self.log_deletions(request, [form.instance for form in formset.deleted_forms if form.instance.pk])
        super().save_formset(request, form, formset, change)


def may_look_up(field, value) -> bool:
    """Whether `value` can be looked up in the model field `field` (an id: digits within its column's
    range; a text: no NUL, which PostgreSQL refuses)."""
    try:
        prepared = field.get_prep_value(field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(prepared, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or prepared >= low) and (high is None or prepared <= high)
    return "\x00" not in str(prepared)


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget shows a refused form's choice again by looking it up; a value no
    row can have made that look-up fail. It is left out: the form's own error says the choice is invalid."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if may_look_up(self.field.target_field, v)], attr)


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice (a user's groups, a group's permissions): an id beyond its column's range is
    refused like any unknown one (SQLite cannot even be asked about it)."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            options = self.queryset.model._meta
            target = options.get_field(self.to_field_name) if self.to_field_name else options.pk
            for pk in value:
                if not may_look_up(target, pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super().clean(value)


class CheckedChoices:
    """An admin (or inline) whose autocomplete and many-to-many fields take only values they can look up."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", CheckedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AuditedAdmin(CheckedChoices, RecordsDeletions, SimpleHistoryAdmin):
    """The admin of a model with a history: each save, inline save and delete is recorded with the
    user and the path "admin"; the history is evidence, viewable but never reverted nor edited."""

    def save_model(self, request, obj, form, change):
        obj._change_reason = ADMIN_CHANGE_REASON
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._history_user, obj._change_reason = request.user, ADMIN_CHANGE_REASON
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        if getattr(formset, "saves_through_services", False):
            self.log_deletions(request, [form.instance for form in formset.deleted_forms if form.instance.pk])
            formset.save()
            return
        instances = formset.save(commit=False)
        self.log_deletions(request, formset.deleted_objects)
        for obj in formset.deleted_objects:
            obj._history_user, obj._change_reason = request.user, ADMIN_CHANGE_REASON
            obj.delete()
        for instance in instances:
            instance._history_user, instance._change_reason = request.user, ADMIN_CHANGE_REASON
            instance.save()
        formset.save_m2m()

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's view saves a POST (a revert) whatever the buttons show: refuse it here.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# Memberships --------------------------------------------------------------------------------------


class MembershipForm(forms.ModelForm):
    """A membership's form: the guard runs in clean(), so a refusal is the form's error and nothing is saved.
    `acting_user` is set on the class the admin makes for each request."""

    acting_user = None

    def clean(self):
        cleaned_data = super().clean()
        stored_user = Membership.objects.get(pk=self.instance.pk).user if self.instance.pk else None
        try:
            refuse_role_change(self.acting_user, cleaned_data.get("user"), stored_user)
        except Refusal as refusal:
            raise forms.ValidationError(refusal.message) from None
        return cleaned_data


class MembershipFormSet(forms.BaseInlineFormSet):
    """The memberships of a department or of a person: each new, changed or deleted row asks the guard
    (a refusal is the formset's error), and every write goes through departments.services."""

    acting_user = None
    saves_through_services = True

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() and not (self.can_delete and self._should_delete_form(form)):
                continue
            stored = form.instance if form.instance.pk else None
            stored_user = Membership.objects.get(pk=stored.pk).user if stored is not None else None
            try:
                refuse_role_change(self.acting_user, form.cleaned_data.get("user", stored_user), stored_user)
            except Refusal as refusal:
                raise forms.ValidationError(refusal.message) from None

    def save_new(self, form, commit=True):
        membership = super().save_new(form, commit=False)
        return services.save_membership(membership, acting_user=self.acting_user, reason=ADMIN_CHANGE_REASON)

    def save_existing(self, form, obj, commit=True):
        membership = form.save(commit=False)
        return services.save_membership(membership, acting_user=self.acting_user, reason=ADMIN_CHANGE_REASON)

    def delete_existing(self, obj, commit=True):
        services.remove_membership(obj, acting_user=self.acting_user, reason=ADMIN_CHANGE_REASON)


class MembershipInline(CheckedChoices, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class for each request
        formset.acting_user = request.user
        return formset


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    form = MembershipForm
    list_display = ["user", "department", "role"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user", "department"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class for each request
        form.acting_user = request.user
        return form

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and obj.user_id == request.user.pk:
            return False  # one's own role is taken away by another administrator
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.save_membership(obj, acting_user=request.user, reason=ADMIN_CHANGE_REASON)

    def delete_model(self, request, obj):
        try:
            services.remove_membership(obj, acting_user=request.user, reason=ADMIN_CHANGE_REASON)
        except Refusal:
            raise PermissionDenied from None

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            try:
                services.remove_membership(membership, acting_user=request.user, reason=ADMIN_CHANGE_REASON)
            except Refusal as refusal:
                self.message_user(request, f"{membership}: {refusal.message}", messages.ERROR)
