"""Every write of a membership (who holds which role in which department). The admin (the membership
list, the department's and the user's inlines) calls these; each asks departments.permissions first,
locks the stored row, and leaves the history row the audit trail reads, with the person who acted and
the path."""

from __future__ import annotations

from django.db import transaction

from departments.models import Membership
from departments.permissions import refuse_role_change


@transaction.atomic
def save_membership(membership: Membership, *, acting_user, reason: str = "") -> Membership:
    """Give a role (a new membership) or change one (its person, department or role).

    Refused (departments.permissions.Refusal) when the acting user's own roles would change.
    Side effects: the membership saved; a history row (+ or ~) by `acting_user` with `reason`."""
    stored = Membership.objects.select_for_update().filter(pk=membership.pk).first() if membership.pk else None
    refuse_role_change(acting_user, membership.user, stored.user if stored is not None else None)
    membership._history_user, membership._change_reason = acting_user, reason
    membership.save()
    return membership


@transaction.atomic
def remove_membership(membership: Membership, *, acting_user, reason: str = "") -> None:
    """Take a role away (delete the membership).

    Refused (departments.permissions.Refusal) when it is one of the acting user's own roles.
    Side effects: the membership deleted; a history row (-) by `acting_user` with `reason`."""
    stored = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    refuse_role_change(acting_user, stored.user)
    stored._history_user, stored._change_reason = acting_user, reason
    stored.delete()
