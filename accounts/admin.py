"""The admin of user accounts, through accounts.services and the guards of departments.permissions, as
the pages are: only a superuser gives or takes administrator rights or touches a superuser's account,
nobody takes their own rights away nor deletes themselves; a password set here ends the
account's sessions and is a sign-in event; every change and deletion is in the account's history
(the audit trail). The user's roles are edited on its page too (departments.admin.MembershipInline)."""

from contextvars import ContextVar

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied

from accounts import services
from departments.admin import ADMIN_CHANGE_REASON, AuditedAdmin, CheckedChoices, MembershipInline, RecordsDeletions
from departments.permissions import ADMIN_RIGHT_FIELDS, Refusal, refuse_account_change, refuse_account_delete

# The administrator setting a password on the admin's password page (its form has no request).
_acting_user: ContextVar = ContextVar("accounts_admin_acting_user", default=None)


class AccountChangeForm(UserChangeForm):
    """The account's form: the guard runs in clean() so that a refusal is the form's error."""

    acting_user = None

    def clean(self):
        cleaned_data = super().clean()
        stored = User._default_manager.get(pk=self.instance.pk) if self.instance.pk else None
        flags = {name: cleaned_data.get(name, getattr(stored, name, False)) for name in services.ACCOUNT_FLAGS}
        try:
            refuse_account_change(self.acting_user, stored, self.changed_data, flags)
        except Refusal as refusal:
            raise forms.ValidationError(refusal.message) from None
        return cleaned_data


class AccountPasswordForm(AdminPasswordChangeForm):
    """The admin's password page saves through accounts.services.set_password."""

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        return services.set_password(self.user, password, acting_user=_acting_user.get())


admin.site.unregister(User)
admin.site.unregister(Group)
# django-axes's logs of successes and of each failure are off (AXES_DISABLE_ACCESS_LOG; the sign-in events
# are the record, in the audit trail): only its attempts stay in the admin, where deleting one unlocks,
# logged with the attempt's user name and address (the audit trail lists the unlocking).
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(RecordsDeletions, AxesAccessAttemptAdmin):
    pass


@admin.register(Group)
class GroupAdmin(CheckedChoices, DjangoGroupAdmin):
    """Django's, with its permissions taking only ids they can look up."""


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = AccountChangeForm
    change_password_form = AccountPasswordForm
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "is_superuser")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)  # a new class for each request
        form.acting_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += sorted(ADMIN_RIGHT_FIELDS)
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # a superuser's account is a superuser's business (its password above all)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None:
            try:
                refuse_account_delete(request.user, obj)
            except Refusal:
                return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        token = _acting_user.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _acting_user.reset(token)

    def save_model(self, request, obj, form, change):
        services.save_account(
            obj, changed_fields=form.changed_data, acting_user=request.user, reason=ADMIN_CHANGE_REASON
        )

    def delete_model(self, request, obj):
        try:
            services.delete_account(obj, acting_user=request.user, reason=ADMIN_CHANGE_REASON)
        except Refusal:
            raise PermissionDenied from None

    def delete_queryset(self, request, queryset):
        for account in queryset:
            try:
                services.delete_account(account, acting_user=request.user, reason=ADMIN_CHANGE_REASON)
            except Refusal as refusal:
                self.message_user(request, f"{account}: {refusal.message}", messages.ERROR)
