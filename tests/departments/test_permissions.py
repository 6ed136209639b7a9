"""Every rule of departments/permissions.py for each kind of person: anonymous, the entry staff of
the owning department, the staff of another department, a viewer, the planning section and a
superuser. The table says who gets yes; everyone else gets no."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from departments import permissions
from departments.enums import Role
from evaluation.models import EntryUpload, Indicator
from tests.builders import make_department, make_indicator, make_result, make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "own_staff", "other_staff", "viewer", "planner", "superuser")
EVERYONE_WHO_SEES_ALL = {"viewer", "planner", "superuser"}
PLANNING = {"planner", "superuser"}
OWN_AND_ALL = {"own_staff"} | EVERYONE_WHO_SEES_ALL


@pytest.fixture
def setting(plan, department, staff, planner, viewer):
    """The owning department's indicator, its result and an upload of its staff; one person per role."""
    other_department = make_department("居住支援課")
    indicator = make_indicator(plan, department=department)
    people = {
        "anonymous": AnonymousUser(),
        "own_staff": staff,
        "other_staff": make_user("other-staff", department=other_department),
        "viewer": viewer,
        "planner": planner,
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
    "can_edit_result": (lambda user, s: permissions.can_edit_result(user, s["result"]), {"own_staff"}),
    "can_approve": (lambda user, s: permissions.can_approve(user, s["result"]), PLANNING),
    "can_import_plan": (lambda user, s: permissions.can_import_plan(user), {"superuser"}),
    "can_review": (lambda user, s: permissions.can_review(user), PLANNING),
    "can_view_review_queue": (lambda user, s: permissions.can_view_review_queue(user), EVERYONE_WHO_SEES_ALL),
    "can_view_result": (lambda user, s: permissions.can_view_result(user, s["result"]), OWN_AND_ALL),
    "can_comment": (lambda user, s: permissions.can_comment(user, s["result"]), {"own_staff"} | PLANNING),
    "can_view_department": (lambda user, s: permissions.can_view_department(user, s["department"].pk), OWN_AND_ALL),
    "can_use_entry_upload": (lambda user, s: permissions.can_use_entry_upload(user, s["upload"]), {"own_staff"}),
    "can_manage_years": (lambda user, s: permissions.can_manage_years(user), PLANNING),
    "can_view_progress": (lambda user, s: permissions.can_view_progress(user), EVERYONE_WHO_SEES_ALL),
    "can_send_reminders": (lambda user, s: permissions.can_send_reminders(user), PLANNING),
    "can_enter_for_department": (
        lambda user, s: permissions.can_enter_for_department(user, s["department"].pk),
        {"own_staff"},
    ),
    "can_revise_plan": (lambda user, s: permissions.can_revise_plan(user), PLANNING),
    "can_view_audit": (lambda user, s: permissions.can_view_audit(user), PLANNING),
    "can_view_report": (lambda user, s: permissions.can_view_report(user), OWN_AND_ALL | {"other_staff"}),
    "can_view_whole_report": (
        lambda user, s: permissions.can_view_whole_report(user, year_closed=False),
        EVERYONE_WHO_SEES_ALL,
    ),
    "sees the whole report of a closed year": (
        lambda user, s: permissions.can_view_whole_report(user, year_closed=True),
        OWN_AND_ALL | {"other_staff"},
    ),
    "can_export_results": (lambda user, s: permissions.can_export_results(user), EVERYONE_WHO_SEES_ALL),
    "sees the indicator among visible_indicators": (
        lambda user, s: s["indicator"] in permissions.visible_indicators(user, Indicator.objects.all()),
        OWN_AND_ALL,
    ),
    "enters for the department (entry_department_ids)": (
        lambda user, s: s["department"].pk in permissions.entry_department_ids(user),
        {"own_staff"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("rule", list(RULES))
def test_rule_for_role(setting, rule, role):
    ask, allowed = RULES[rule]

    assert ask(setting["people"][role], setting) is (role in allowed)


def test_every_rule_of_the_module_is_in_the_table():
    rules = {name for name in vars(permissions) if name.startswith(("is_", "can_"))}
    asked = {name for name in RULES if not name.startswith(("sees", "enters"))}
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
