"""load_demo: development only; imports the demo plan once and creates one account per role and department."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db.models import Min
from django.test import RequestFactory
from django.utils import translation

from departments.enums import Role
from departments.models import Department, Membership
from evaluation.management.commands.load_demo import DEMO_PASSWORD
from evaluation.models import Indicator, Plan
from tests.builders import make_plan

pytestmark = pytest.mark.django_db

User = get_user_model()


def _run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        _run()

    assert not Plan.objects.exists()
    assert not User.objects.exists()


def test_the_demo_password_passes_the_password_rules():
    """Public, but not weaker than what anyone may choose (12 characters at least, not common)."""
    assert DEMO_PASSWORD == "mezasu-demo-2024"
    validate_password(DEMO_PASSWORD)  # raises ValidationError when a rule refuses it


def test_load_demo_imports_the_plan_and_creates_the_demo_accounts(settings):
    settings.DEBUG = True

    with translation.override("ja"):
        output = _run()

    plan = Plan.objects.get()
    assert plan.name == "世田谷区地域保健医療福祉総合計画"
    assert Indicator.objects.filter(plan=plan).exists()
    assert User.objects.get(username="admin").is_superuser
    # The planning section also enters its own department's results (separation of duties: planning2 approves them).
    assert set(Membership.objects.filter(user__username="planning").values_list("department__name", "role")) == {
        ("保健福祉政策課", Role.PLANNING),
        ("保健福祉政策課", Role.ENTRY),
    }
    assert set(Membership.objects.filter(user__username="planning2").values_list("department__name", "role")) == {
        ("保健福祉政策課", Role.PLANNING)
    }
    assert set(Membership.objects.filter(user__username="viewer").values_list("department__name", "role")) == {
        ("保健福祉政策課", Role.VIEWER)
    }
    for username in ("admin", "planning", "planning2", "viewer", "dept01", "dept21", "head01", "head21"):
        # Through the sign-in's checks (django-axes asks for the request), as the login page signs in.
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password="mezasu-demo-2024") is not None, username
    assert "mezasu-demo-2024" in output
    assert "dept21" in output
    # Japanese first: the table's header and the password line as the developer reads them.
    assert "ユーザー名" in output and "デモアカウントのパスワード（共通）：mezasu-demo-2024" in output


def test_department_accounts_follow_the_departments_first_appearance_in_the_workbook(settings):
    settings.DEBUG = True

    _run()

    in_workbook_order = list(
        Department.objects.annotate(first=Min("indicators__position"))
        .filter(first__isnull=False)
        .order_by("first")
        .values_list("name", flat=True)
    )
    entry_accounts = User.objects.filter(username__startswith="dept").order_by("username")
    assert len(in_workbook_order) == 21
    assert [user.username for user in entry_accounts] == [f"dept{number:02d}" for number in range(1, 22)]
    assert [user.first_name for user in entry_accounts] == in_workbook_order
    assert entry_accounts[0].first_name == "保健福祉政策課"
    assert entry_accounts[1].first_name == "地域行政課"
    for user in entry_accounts:
        membership = Membership.objects.get(user=user)
        assert (membership.department.name, membership.role) == (user.first_name, Role.ENTRY)


def test_load_demo_run_twice_changes_nothing_and_prints_the_accounts_again(settings):
    settings.DEBUG = True
    _run()
    counts = (Plan.objects.count(), Indicator.objects.count(), User.objects.count(), Membership.objects.count())

    with translation.override("en"):
        output = _run()

    assert (Plan.objects.count(), Indicator.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert "nothing imported" in output
    assert "planning" in output and "mezasu-demo-2024" in output


def test_load_demo_leaves_a_database_with_another_plan_alone(settings):
    settings.DEBUG = True
    make_plan("既存の計画")

    with translation.override("en"):
        output = _run()

    assert list(Plan.objects.values_list("name", flat=True)) == ["既存の計画"]
    assert not User.objects.exists()
    assert "No demo account exists" in output


def test_each_department_has_a_head_for_the_department_heads_check_which_the_plan_leaves_off(settings):
    settings.DEBUG = True

    _run()

    heads = User.objects.filter(username__startswith="head").order_by("username")
    assert [user.username for user in heads] == [f"head{number:02d}" for number in range(1, 22)]
    for number, head in enumerate(heads, start=1):
        staff = User.objects.get(username=f"dept{number:02d}")
        membership = Membership.objects.get(user=head)
        assert (membership.department.name, membership.role) == (staff.first_name, Role.HEAD)
        assert head.first_name == f"{staff.first_name}長"
    assert not Plan.objects.get().requires_head_check
