"""Every permission rule of the project, in one place. Views and services ask here, per object.

A person holds one or more roles per department (departments.models.Membership): each rule asks
about the role it concerns, so entry staff who also belong to the planning section enter their own
department's results and review everyone's (separation of duties is the guards': nobody approves
what they submitted, evaluation.services.guards.refuse_own_review)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from departments.enums import Role


def _roles(user) -> frozenset[tuple[int, str]]:
    """{(department id, role)} of the user, fetched once per request-user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_mezasu_roles", None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("department_id", "role"))
        user._mezasu_roles = cached
    return cached


def _department_ids(user, role: str) -> set[int]:
    return {department_id for department_id, held in _roles(user) if held == role}


def _holds(user, role: str) -> bool:
    return any(held == role for _department_id, held in _roles(user))


def is_planning_section(user) -> bool:
    """The planning section (計画所管) reviews, approves and owns the plan master; so does a superuser."""
    return bool(getattr(user, "is_superuser", False)) or _holds(user, Role.PLANNING)


def is_viewer(user) -> bool:
    return _holds(user, Role.VIEWER)


def can_view_everything(user) -> bool:
    return is_planning_section(user) or is_viewer(user)


def entry_department_ids(user) -> set[int]:
    """Departments whose indicators the user enters."""
    return _department_ids(user, Role.ENTRY)


def head_department_ids(user) -> set[int]:
    """Departments the user heads (所属長): they confirm its submissions when the plan asks for it."""
    return _department_ids(user, Role.HEAD)


def own_department_ids(user) -> set[int]:
    """Departments whose indicators the user sees as one of its own: as entry staff or as its head."""
    return entry_department_ids(user) | head_department_ids(user)


def visible_indicators(user, indicators: QuerySet, fiscal_year: int | None = None) -> QuerySet:
    """The indicators a user may see: all for the planning section and viewers, else its own departments'
    (in `fiscal_year`, those whose result of that year is its departments': responsibility is per year)."""
    if can_view_everything(user):
        return indicators
    if fiscal_year is None:
        return indicators.filter(department_id__in=own_department_ids(user))
    return indicators.filter(
        results__fiscal_year=fiscal_year, results__department_id__in=own_department_ids(user)
    ).distinct()


def can_view_indicator(user, indicator) -> bool:
    return can_view_everything(user) or indicator.department_id in own_department_ids(user)


def can_edit_result(user, result) -> bool:
    """Department staff change only their own departments' results."""
    return result.department_id in entry_department_ids(user)


def can_approve(user, result) -> bool:
    """Only the planning section approves or returns."""
    return is_planning_section(user)


def can_confirm(user, result) -> bool:
    """The head (所属長) of the owning department confirms its submission, or returns it (所属長確認)."""
    return result.department_id in head_department_ids(user)


def can_import_plan(user) -> bool:
    """Importing the plan workbook replaces master data: the planning section with the model permission."""
    return user.has_perm("evaluation.add_indicator")


def can_review(user) -> bool:
    """Reviewing the year (approve, return, reopen, one item or a selection) is the planning section's."""
    return is_planning_section(user)


def can_view_review_queue(user) -> bool:
    """The review queue: the planning section acts on it; viewers may read it; department staff may not."""
    return can_view_everything(user)


def can_view_result(user, result) -> bool:
    """A result's item page: everyone who sees everything, and the staff of the department responsible
    for it in its year (an earlier year stays its earlier department's after a move)."""
    return can_view_everything(user) or result.department_id in own_department_ids(user)


def can_comment(user, result) -> bool:
    """The comment thread is between the owning department (its staff and its head) and the planning section."""
    return is_planning_section(user) or result.department_id in own_department_ids(user)


def can_view_department(user, department_id: int) -> bool:
    """A department's entry page: its own staff; its head, the planning section and viewers (read-only)."""
    return can_view_everything(user) or department_id in own_department_ids(user)


def can_use_entry_upload(user, upload) -> bool:
    """An uploaded entry sheet is previewed and confirmed by its uploader only, while still in the department."""
    return upload.user_id == user.pk and upload.department_id in entry_department_ids(user)


# The evaluation year and the progress board (evaluation.years, evaluation.views.years/progress) ------


def can_manage_years(user) -> bool:
    """Opening a fiscal year, setting or extending its deadline and closing it: the planning section's."""
    return is_planning_section(user)


def can_view_progress(user) -> bool:
    """The progress board: the planning section acts on it; viewers may read it; department staff may not."""
    return can_view_everything(user)


def can_send_reminders(user) -> bool:
    """Reminders go out in the planning section's name."""
    return is_planning_section(user)


def can_enter_for_department(user, department_id: int) -> bool:
    """Saving or submitting on a department's page: its own entry staff only."""
    return department_id in entry_department_ids(user)


def can_revise_plan(user) -> bool:
    """Revising a baseline, a plan value or a target (修正, ※2 ※3) is the planning section's."""
    return is_planning_section(user)


def can_view_audit(user) -> bool:
    """The audit trail (who changed what, and when): the planning section and superusers only."""
    return is_planning_section(user)


# The evaluation report and the results exports (evaluation.report, evaluation.views.report) ----------


def can_view_report(user) -> bool:
    """The report page: whoever sees the plan (department staff and heads see their own items until
    the year is closed: can_view_whole_report)."""
    return can_view_everything(user) or bool(own_department_ids(user))


def can_view_whole_report(user, *, year_closed: bool) -> bool:
    """The whole plan's report: the planning section and viewers always; department staff and heads
    once the year is closed (the report is then what the council and the public receive)."""
    return can_view_everything(user) or (year_closed and bool(own_department_ids(user)))


def can_export_results(user) -> bool:
    """The year's results as XLSX or CSV from the screens: the planning section and viewers."""
    return can_view_everything(user)


# Accounts, roles and memberships (departments.services, accounts.services, the admin) -----------------


class Refusal(Exception):
    """A refused change of an account or a role, with a `message` in the active language (a lazy
    translation until shown): the admin shows it as the form's error, a service raises it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


# Who may give administrator rights: the flags and the permission sets of Django's admin.
ADMIN_RIGHT_FIELDS = frozenset({"is_superuser", "is_staff", "groups", "user_permissions"})


def refuse_role_change(acting_user, *accounts) -> None:
    """Nobody gives or takes roles of their own (a member of the planning section would otherwise make
    itself a department's head or approve its own entries); a superuser may. `accounts` are the users
    whose memberships change (before and after, for a membership moved to another person)."""
    if getattr(acting_user, "is_superuser", False):
        return
    if any(account is not None and account.pk == acting_user.pk for account in accounts):
        raise Refusal(_("You cannot change your own roles: another administrator must do it."))


def refuse_account_change(acting_user, stored, changed_fields, flags: dict[str, bool]) -> None:
    """An account's change in the admin: only a superuser gives or takes administrator rights (the staff
    and superuser flags, groups and permissions) or changes a superuser's account; nobody takes their own
    rights away or deactivates themselves (so a superuser always remains: the one acting). `stored` is
    the account as saved (None when new), `flags` its is_superuser, is_staff and is_active after the change."""
    if set(changed_fields) & ADMIN_RIGHT_FIELDS and not getattr(acting_user, "is_superuser", False):
        raise Refusal(_("Only a superuser may give or take administrator rights."))
    if stored is None or stored.pk is None:
        return
    refuse_superuser_account(acting_user, stored)
    lost = {name for name, value in flags.items() if getattr(stored, name) and not value}
    if stored.pk == acting_user.pk and lost:
        raise Refusal(_("You cannot take away your own administrator rights or deactivate your own account."))


def refuse_superuser_account(acting_user, account) -> None:
    """A superuser's account (its name, password, flags) is changed by a superuser only: a staff member
    allowed to edit accounts would otherwise set a superuser's password and sign in as one."""
    if account.is_superuser and not getattr(acting_user, "is_superuser", False):
        raise Refusal(_("Only a superuser may change a superuser's account."))


def refuse_account_delete(acting_user, account) -> None:
    """Nobody deletes their own account (so a superuser always remains: the one acting), nor a
    superuser's unless a superuser."""
    refuse_superuser_account(acting_user, account)
    if account.pk == acting_user.pk:
        raise Refusal(_("You cannot delete your own account."))
