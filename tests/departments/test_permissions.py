"""Every rule of departments/permissions.py for each kind of person: anonymous, the entry staff of
the owning department, its head (所属長), the staff and the head of another department, a viewer,
the planning section, a member of the planning section who also enters the owning department's
results, and a superuser. The table says who gets yes; everyone else gets no."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import IntegrityError, transaction

from departments import permissions
from departments.enums import Role
from evaluation.models import EntryUpload, Indicator
from tests.builders import add_membership, make_department, make_indicator, make_result, make_user

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "own_staff",
    "own_head",
    "other_staff",
    "other_head",
    "viewer",
    "planner",
    "planner_and_staff",
    "superuser",
)
PLANNING = {"planner", "planner_and_staff", "superuser"}
EVERYONE_WHO_SEES_ALL = {"viewer"} | PLANNING
OWN_STAFF = {"own_staff", "planner_and_staff"}
OWN_AND_ALL = {"own_staff", "own_head"} | EVERYONE_WHO_SEES_ALL
EVERY_MEMBER = OWN_AND_ALL | {"other_staff", "other_head"}


@pytest.fixture
def setting(plan, department, staff, planner, viewer):
    """The owning department's indicator, its result and an upload of its staff; one person per role."""
    other_department = make_department("居住支援課")
    indicator = make_indicator(plan, department=department)
    planner_and_staff = make_user("planner-and-staff", department=department, role=Role.PLANNING)
    add_membership(planner_and_staff, department, Role.ENTRY)
    people = {
        "anonymous": AnonymousUser(),
        "own_staff": staff,
        "own_head": make_user("own-head", department=department, role=Role.HEAD),
        "other_staff": make_user("other-staff", department=other_department),
        "other_head": make_user("other-head", department=other_department, role=Role.HEAD),
        "viewer": viewer,
        "planner": planner,
        "planner_and_staff": planner_and_staff,
        "superuser": make_user("root", is_superuser=True),
    }
    return {
        "people": people,
        "department": department,
        "indicator": indicator,
        "result": make_result(indicator, target=Decimal(100)),
        "upload": EntryUpload(user=staff, department=department, plan=plan, fiscal_year=2024),
    }


# rule: (how to ask it about the setting, the roles that get yes)
RULES = {
    "is_planning_section": (lambda user, s: permissions.is_planning_section(user), PLANNING),
    "is_viewer": (lambda user, s: permissions.is_viewer(user), {"viewer"}),
    "can_view_everything": (lambda user, s: permissions.can_view_everything(user), EVERYONE_WHO_SEES_ALL),
    "can_view_indicator": (lambda user, s: permissions.can_view_indicator(user, s["indicator"]), OWN_AND_ALL),
    "can_edit_result": (lambda user, s: permissions.can_edit_result(user, s["result"]), OWN_STAFF),
    "can_approve": (lambda user, s: permissions.can_approve(user, s["result"]), PLANNING),
    "can_confirm": (lambda user, s: permissions.can_confirm(user, s["result"]), {"own_head"}),
    "can_import_plan": (lambda user, s: permissions.can_import_plan(user), {"superuser"}),
    "can_review": (lambda user, s: permissions.can_review(user), PLANNING),
    "can_view_review_queue": (lambda user, s: permissions.can_view_review_queue(user), EVERYONE_WHO_SEES_ALL),
    "can_view_result": (lambda user, s: permissions.can_view_result(user, s["result"]), OWN_AND_ALL),
    "can_comment": (lambda user, s: permissions.can_comment(user, s["result"]), {"own_staff", "own_head"} | PLANNING),
    "can_view_department": (lambda user, s: permissions.can_view_department(user, s["department"].pk), OWN_AND_ALL),
    "can_use_entry_upload": (lambda user, s: permissions.can_use_entry_upload(user, s["upload"]), {"own_staff"}),
    "can_manage_years": (lambda user, s: permissions.can_manage_years(user), PLANNING),
    "can_view_progress": (lambda user, s: permissions.can_view_progress(user), EVERYONE_WHO_SEES_ALL),
    "can_send_reminders": (lambda user, s: permissions.can_send_reminders(user), PLANNING),
    "can_enter_for_department": (
        lambda user, s: permissions.can_enter_for_department(user, s["department"].pk),
        OWN_STAFF,
    ),
    "can_revise_plan": (lambda user, s: permissions.can_revise_plan(user), PLANNING),
    "can_view_audit": (lambda user, s: permissions.can_view_audit(user), PLANNING),
    "can_view_report": (lambda user, s: permissions.can_view_report(user), EVERY_MEMBER),
    "can_view_whole_report": (
        lambda user, s: permissions.can_view_whole_report(user, year_closed=False),
        EVERYONE_WHO_SEES_ALL,
    ),
    "sees the whole report of a closed year": (
        lambda user, s: permissions.can_view_whole_report(user, year_closed=True),
        EVERY_MEMBER,
    ),
    "can_export_results": (lambda user, s: permissions.can_export_results(user), EVERYONE_WHO_SEES_ALL),
    "sees the indicator among visible_indicators": (
        lambda user, s: s["indicator"] in permissions.visible_indicators(user, Indicator.objects.all()),
        OWN_AND_ALL,
    ),
    "enters for the department (entry_department_ids)": (
        lambda user, s: s["department"].pk in permissions.entry_department_ids(user),
        OWN_STAFF,
    ),
    "heads the department (head_department_ids)": (
        lambda user, s: s["department"].pk in permissions.head_department_ids(user),
        {"own_head"},
    ),
    "sees the department as its own (own_department_ids)": (
        lambda user, s: s["department"].pk in permissions.own_department_ids(user),
        {"own_staff", "own_head", "planner_and_staff"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", list(RULES))
def test_rule_for_role(setting, rule, role):
    ask, allowed = RULES[rule]

    assert ask(setting["people"][role], setting) is (role in allowed)


def test_every_rule_of_the_module_is_in_the_table():
    rules = {name for name in vars(permissions) if name.startswith(("is_", "can_"))}
    asked = {name for name in RULES if not name.startswith(("sees", "enters", "heads"))}
    assert rules == asked


def test_the_planning_section_imports_the_plan_with_the_model_permission(planner):
    planner.user_permissions.add(Permission.objects.get(codename="add_indicator"))
    planner = type(planner).objects.get(pk=planner.pk)  # permissions are cached on the user object

    assert permissions.can_import_plan(planner)


def test_another_departments_staff_sees_only_its_own_indicators(plan, department, staff):
    other = make_department("居住支援課")
    mine, theirs = make_indicator(plan, department=department), make_indicator(plan, department=other)

    assert list(permissions.visible_indicators(staff, Indicator.objects.all())) == [mine]
    assert theirs not in permissions.visible_indicators(staff, Indicator.objects.all())


def test_someone_else_cannot_use_a_colleagues_upload(plan, department, staff):
    colleague = make_user("colleague", department=department)
    upload = EntryUpload(user=staff, department=department, plan=plan, fiscal_year=2024)

    assert not permissions.can_use_entry_upload(colleague, upload)


def test_an_upload_is_no_longer_usable_once_its_uploader_leaves_the_department(plan, department):
    leaver = make_user("leaver", department=department, role=Role.VIEWER)
    upload = EntryUpload(user=leaver, department=department, plan=plan, fiscal_year=2024)

    assert not permissions.can_use_entry_upload(leaver, upload)


def test_a_person_holds_the_planning_role_and_an_entry_role_in_one_department(plan, department, planner):
    add_membership(planner, department, Role.ENTRY)
    planner = type(planner).objects.get(pk=planner.pk)  # the roles are cached on the user object
    result = make_result(make_indicator(plan, department=department))

    assert permissions.is_planning_section(planner)
    assert permissions.can_edit_result(planner, result)
    assert permissions.can_approve(planner, result)  # the guards refuse their own submission


def test_a_head_who_leaves_the_department_no_longer_confirms_its_items(plan, department):
    head = make_user("head", department=department, role=Role.HEAD)
    result = make_result(make_indicator(plan, department=department))
    head.memberships.all().delete()
    head = type(head).objects.get(pk=head.pk)

    assert not permissions.can_confirm(head, result)
    assert not permissions.can_view_result(head, result)


def test_one_role_per_person_and_department_is_held_once(department, staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        add_membership(staff, department, Role.ENTRY)
    add_membership(staff, department, Role.HEAD)

    assert set(staff.memberships.values_list("role", flat=True)) == {Role.ENTRY, Role.HEAD}
