"""The admin of departments and memberships (who enters, reviews or views which department's results)."""

from django.contrib import admin

from evaluation.admin import AuditedAdmin

from .models import Department, Membership


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
