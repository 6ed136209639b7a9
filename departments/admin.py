"""The admin of departments and memberships (who enters, reviews or views which department's
results), and the base of every admin with a history (AuditedAdmin, used by evaluation.admin too)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from departments.models import Department, Membership

# The history_change_reason of every save and delete made in the admin: the audit trail shows the path.
ADMIN_CHANGE_REASON = "admin"


class AuditedAdmin(SimpleHistoryAdmin):
    """The admin of a model with a history: each save, inline save and delete is recorded with the
    user and the path "admin"; the history is evidence, viewable but never reverted nor edited."""

    def save_model(self, request, obj, form, change):
        obj._change_reason = ADMIN_CHANGE_REASON
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._history_user, obj._change_reason = request.user, ADMIN_CHANGE_REASON
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "department", "role"]
    list_filter = ["role", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name"]
    list_select_related = ["user", "department"]
    autocomplete_fields = ["user", "department"]
