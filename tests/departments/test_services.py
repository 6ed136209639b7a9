"""Memberships (who holds which role where) are written through departments.services, from the admin's
membership list and the department's and the user's inlines alike: nobody but a superuser changes
their own roles, and every change is in the audit trail with who and the path."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from departments import services
from departments.enums import Role
from departments.models import Membership
from departments.permissions import Refusal
from evaluation.queries import audit
from tests.builders import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def welfare():
    return make_department("福祉課")


@pytest.fixture
def manager():
    """A staff member allowed to manage memberships, not a superuser."""
    user = make_user("manager", is_staff=True)
    codenames = ["view_membership", "add_membership", "change_membership", "delete_membership", "view_user"]
    codenames += ["view_department", "change_department"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def _trail(**filters):
    return audit.describe_rows(list(audit.audit_rows(audit.AuditFilters(kind="membership", **filters))))


def test_giving_a_role_leaves_a_history_row_with_who_and_the_path(welfare, manager):
    clerk = make_user("clerk")
    services.save_membership(
        Membership(user=clerk, department=welfare, role=Role.HEAD), acting_user=manager, reason="admin"
    )
    entry = _trail(user_id=manager.pk)[0]
    assert (entry.object, entry.action, entry.path) == ("clerk / 福祉課", "作成", "管理サイト")


def test_nobody_but_a_superuser_gives_or_takes_their_own_role(welfare, manager):
    with pytest.raises(Refusal):
        services.save_membership(Membership(user=manager, department=welfare, role=Role.PLANNING), acting_user=manager)
    own = Membership.objects.create(user=manager, department=welfare, role=Role.ENTRY)
    with pytest.raises(Refusal):
        services.remove_membership(own, acting_user=manager)
    moved = Membership.objects.create(user=make_user("clerk"), department=welfare)
    moved.user = manager
    with pytest.raises(Refusal):
        services.save_membership(moved, acting_user=manager)
    root = make_user("root", is_superuser=True, is_staff=True)
    services.save_membership(Membership(user=root, department=welfare, role=Role.PLANNING), acting_user=root)


def test_the_membership_admin_refuses_ones_own_role_as_a_form_error(client, welfare, manager):
    client.force_login(manager)
    response = client.post(
        reverse("admin:departments_membership_add"),
        {"user": manager.pk, "department": welfare.pk, "role": Role.PLANNING},
    )
    assert response.status_code == 200
    assert "自分自身の役割は変更できません。他の管理者に依頼してください。" in response.content.decode()
    assert not Membership.objects.filter(user=manager).exists()


def test_the_membership_admin_saves_and_deletes_through_the_service(client, welfare, manager):
    clerk = make_user("clerk")
    client.force_login(manager)
    client.post(
        reverse("admin:departments_membership_add"), {"user": clerk.pk, "department": welfare.pk, "role": Role.ENTRY}
    )
    membership = Membership.objects.get(user=clerk)
    client.post(reverse("admin:departments_membership_delete", args=[membership.pk]), {"post": "yes"})

    assert not Membership.objects.filter(user=clerk).exists()
    assert [(entry.action, entry.user, entry.path) for entry in _trail(user_id=manager.pk)] == [
        ("削除", manager, "管理サイト"),
        ("作成", manager, "管理サイト"),
    ]


def test_the_departments_inline_goes_through_the_service_and_its_guard(client, welfare, manager):
    clerk = make_user("clerk")
    client.force_login(manager)
    url = reverse("admin:departments_department_change", args=[welfare.pk])
    form = {
        "name": welfare.name,
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": clerk.pk,
        "memberships-0-role": Role.ENTRY,
        "memberships-1-user": manager.pk,
        "memberships-1-role": Role.PLANNING,
    }

    refused = client.post(url, form)

    assert refused.status_code == 200 and not Membership.objects.exists()
    form |= {"memberships-TOTAL_FORMS": "1"}
    assert client.post(url, form).status_code == 302
    assert list(Membership.objects.values_list("user__username", "role")) == [("clerk", Role.ENTRY)]
    assert _trail(user_id=manager.pk)[0].path == "管理サイト"


def test_the_users_page_edits_its_roles_through_the_service(client, welfare):
    root = make_user("root", is_superuser=True, is_staff=True)
    clerk = make_user("clerk")
    client.force_login(root)
    form = {
        "username": "clerk",
        "is_active": "on",
        "date_joined_0": clerk.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": clerk.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-department": welfare.pk,
        "memberships-0-role": Role.HEAD,
    }

    assert client.post(reverse("admin:auth_user_change", args=[clerk.pk]), form).status_code == 302

    assert list(clerk.memberships.values_list("department__name", "role")) == [("福祉課", Role.HEAD)]
    assert _trail(user_id=root.pk)[0].object == "clerk / 福祉課"
