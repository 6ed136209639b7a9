"""User accounts in the admin go through accounts.services and the guards of departments.permissions:
administrator rights and superusers' accounts are a superuser's business, nobody demotes or deletes
themselves, and every change is in the audit trail."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.enums import AccountEventKind
from accounts.models import AccountEvent, UserSession
from departments.models import Department, Membership
from departments.permissions import Refusal, refuse_account_delete
from evaluation.queries import audit
from tests.builders import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def helpdesk():
    """A staff member who may edit accounts, but is no superuser."""
    user = make_user("helpdesk", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    return user


def _change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if changes.get(flag, getattr(user, flag)):
            data[flag] = "on"
    return data


def test_a_superuser_makes_someone_staff_and_the_trail_shows_who_and_what(client, root):
    clerk = make_user("clerk")
    client.force_login(root)

    response = client.post(reverse("admin:auth_user_change", args=[clerk.pk]), _change_form(clerk, is_staff=True))

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_staff
    entry = audit.describe_rows(list(audit.audit_rows(audit.AuditFilters(kind="account", user_id=root.pk))))[0]
    assert (entry.object, entry.user, entry.path) == ("clerk", root, "管理サイト")
    # Only the flag: the form's round trip of date_joined (without its microseconds) is no change.
    assert [(change.model_field.name, change.old, change.new) for change in entry.changes] == [
        ("is_staff", False, True)
    ]


def test_a_staff_member_who_edits_accounts_cannot_give_administrator_rights(client, helpdesk):
    clerk = make_user("clerk")
    client.force_login(helpdesk)
    url = reverse("admin:auth_user_change", args=[clerk.pk])

    page = client.get(url).content.decode()
    client.post(url, _change_form(clerk, is_superuser=True, is_staff=True))

    assert 'name="is_superuser"' not in page  # shown read-only
    clerk.refresh_from_db()
    assert not clerk.is_superuser and not clerk.is_staff


def test_a_staff_member_cannot_touch_a_superusers_account_or_password(client, root, helpdesk):
    client.force_login(helpdesk)
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    form = {"password1": "taken-over-2024!", "password2": "taken-over-2024!", "usable_password": "true"}

    assert client.post(password_url, form).status_code == 403
    root.refresh_from_db()
    assert root.check_password("pw-for-tests-only")


def test_a_password_set_in_the_admin_ends_the_accounts_sessions_and_is_recorded(client, root):
    clerk = make_user("clerk")
    at_desk = Client()
    at_desk.force_login(clerk)
    client.force_login(root)
    form = {"password1": "a-fresh-password-2024", "password2": "a-fresh-password-2024", "usable_password": "true"}

    response = client.post(reverse("admin:auth_user_password_change", args=[clerk.pk]), form)

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("a-fresh-password-2024")
    assert not UserSession.objects.filter(user=clerk).exists()
    assert at_desk.get(reverse("home")).status_code == 302
    event = AccountEvent.objects.get(kind=AccountEventKind.PASSWORD_CHANGED)
    assert (event.user, event.acting_user) == (clerk, root)
    assert not clerk.history.filter(history_type="~").exists()


def test_a_superuser_cannot_demote_or_delete_itself(client, root):
    make_user("second-root", is_staff=True, is_superuser=True)
    client.force_login(root)

    response = client.post(reverse("admin:auth_user_change", args=[root.pk]), _change_form(root, is_superuser=False))

    assert response.status_code == 200
    assert "自分自身の管理者権限の取消しや、自分のアカウントの無効化はできません。" in response.content.decode()
    root.refresh_from_db()
    assert root.is_superuser
    assert client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403


def test_a_staff_member_cannot_delete_a_superuser_and_nobody_deletes_itself(root, helpdesk):
    with pytest.raises(Refusal):
        refuse_account_delete(helpdesk, root)
    with pytest.raises(Refusal):
        refuse_account_delete(helpdesk, helpdesk)
    refuse_account_delete(root, helpdesk)  # a superuser deletes another account


def test_deactivating_an_account_in_the_admin_ends_its_sessions(client, root):
    clerk = make_user("clerk")
    at_desk = Client()
    at_desk.force_login(clerk)
    client.force_login(root)

    client.post(reverse("admin:auth_user_change", args=[clerk.pk]), _change_form(clerk, is_active=False))

    assert not UserSession.objects.filter(user=clerk).exists()


def test_an_administrator_unlocks_a_sign_in_by_deleting_its_attempt_and_the_trail_says_so(client, root, settings):
    make_user("clerk")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "clerk", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="clerk")
    client.force_login(root)

    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert Client().post(reverse("login"), {"username": "clerk", "password": "pw-for-tests-only"}).status_code == 302
    entry = audit.describe_rows(list(audit.audit_rows(audit.AuditFilters(kind="admin_deletion"))))[0]
    assert entry.user == root and "clerk" in {str(change.old) for change in entry.changes}


@pytest.mark.parametrize("group", ["1" * 30, "-1", "abc"])
def test_a_group_no_row_can_be_is_refused_at_the_field(client, root, group):
    """SQLite could not even be asked about a 30-digit id (a 500); now any such id is an invalid choice."""
    clerk = make_user("clerk")
    client.force_login(root)

    response = client.post(reverse("admin:auth_user_change", args=[clerk.pk]), {**_change_form(clerk), "groups": group})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["groups"]
    assert not clerk.groups.exists()


@pytest.mark.parametrize("user", ["1" * 30, "abc", "²"])
def test_a_memberships_user_no_row_can_be_is_refused_at_the_field(client, root, user):
    """The autocomplete widget looked the refused value up again to show it, and failed (a 500)."""
    department = Department.objects.create(name="福祉課")
    client.force_login(root)

    response = client.post(
        reverse("admin:departments_membership_add"), {"user": user, "department": department.pk, "role": "entry"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert not Membership.objects.exists()
