"""The permission matrix: every URL of the project, for each role, answers as this table says.

The test walks config.urls (recursively, the admin's URLs included) and fails when a URL exists that
the matrix does not cover, so a new URL must be added here with the answers it gives each role.

Roles: an anonymous visitor; department staff of the department the URL's object belongs to ("own")
and of another department ("other"); the head (所属長) of the own department; a read-only viewer;
the planning section; a superuser. The head answers as the own staff do unless a row says
otherwise (`head=`): a head reads the department's items and its page, and enters nothing.
Answers: a status code, LOGIN (302 to the login page with ?next=), ADMIN_LOGIN (302 to the admin's
login page), or REDIRECT (302 somewhere else: a page after a POST, or a user's own landing page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from departments.enums import Role
from evaluation.domain.enums import ResultStatus
from evaluation.models import EntryUpload, Result, ResultComment, Revision
from tests.builders import (
    make_department,
    make_finished_job,
    make_indicator,
    make_open_year,
    make_plan,
    make_result,
    make_user,
)

pytestmark = pytest.mark.django_db

ANON, OWN, OTHER, VIEWER, PLANNING, SUPER = "anonymous", "own staff", "other staff", "viewer", "planning", "superuser"
HEAD = "own head"
ROLES = (ANON, OWN, HEAD, OTHER, VIEWER, PLANNING, SUPER)
LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin login", "redirect"
SAME_AS_OWN = object()


def answers(anon, own, other, viewer, planning, superuser, *, head=SAME_AS_OWN) -> dict[str, object]:
    head = own if head is SAME_AS_OWN else head
    return dict(zip(ROLES, (anon, own, head, other, viewer, planning, superuser), strict=True))


def everyone(answer, *, anon=LOGIN) -> dict[str, object]:
    return answers(anon, answer, answer, answer, answer, answer)


@dataclass(frozen=True)
class Case:
    method: str
    expected: dict[str, object]
    data: dict = field(default_factory=dict)


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, URLPattern]]:
    """(full route, namespaced name, pattern) of every URL pattern under the resolver."""
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += walk(entry, route, inner)
        else:
            found.append((route, f"{namespace}{entry.name}" if entry.name else "", entry))
    return found


@dataclass
class World:
    users: dict
    kwargs: dict
    admin_objects: dict


@pytest.fixture
def world(django_user_model) -> World:
    return make_world()


def make_world() -> World:
    """One plan, an open FY2024, the own department's indicator with its result, another department,
    and one user per role; the kwargs the URLs take point at the own department's objects."""
    plan = make_plan()
    own, other, secretariat = make_department("福祉課"), make_department("住宅課"), make_department("保健福祉政策課")
    indicator = make_indicator(plan, department=own, code="1-1")
    make_indicator(plan, department=other, code="2-1")
    result = make_result(indicator, target=Decimal(100), actual=Decimal(90), status=ResultStatus.SUBMITTED)
    year = make_open_year(plan)
    users = {
        ANON: None,
        OWN: make_user("own", department=own),
        HEAD: make_user("head", department=own, role=Role.HEAD),
        OTHER: make_user("other", department=other),
        VIEWER: make_user("viewer", department=secretariat, role=Role.VIEWER),
        PLANNING: make_user("planning", department=secretariat, role=Role.PLANNING),
        SUPER: make_user("root", is_staff=True, is_superuser=True),
    }
    upload = EntryUpload.objects.create(
        user=users[OWN], department=own, plan=plan, fiscal_year=2024, filename="sheet.xlsx"
    )
    ResultComment.objects.create(result=result, author=users[PLANNING], body="確認してください")
    Revision.objects.create(
        indicator=indicator,
        fiscal_year=2024,
        field="target",
        old_value="90",
        new_value="100",
        reason="※2",
        changed_by=users[PLANNING],
    )
    Group.objects.create(name="計画所管")
    # A locked sign-in (the admin unlocks it by deleting the attempt).
    AccessAttempt.objects.create(
        username="own",
        ip_address="127.0.0.1",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="text/html",
        path_info="/login/",
        failures_since_start=5,
    )
    job = make_finished_job(users[OWN])
    kwargs = {
        "job_id": job.pk,
        "result_id": result.pk,
        "department_id": own.pk,
        "fiscal_year": 2024,
        "upload_id": upload.pk,
        "year_id": year.pk,
        "action": "approve",
    }
    return World(users=users, kwargs=kwargs, admin_objects={})


def answer_of(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/login/"):
            return LOGIN
        return REDIRECT
    return response.status_code


def parameters(pattern: URLPattern) -> list[str]:
    """The names of the kwargs a pattern takes (route converters or regex named groups)."""
    return list(pattern.pattern.regex.groupindex)


def path_for(name: str, pattern: URLPattern, kwargs: dict) -> str:
    return reverse(name, kwargs={key: kwargs[key] for key in parameters(pattern)})


def fetch(client, user, method: str, path: str, data: dict | None = None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(path, data or {})


def admin_path(route: str, name: str, pattern: URLPattern, world: World) -> str:
    """A concrete URL for an admin pattern: the model's object (and its first history row) where it takes one."""
    parts = route.split("/")
    model = None
    if len(parts) > 3 and parts[1] and "<" not in parts[1] and "(" not in parts[2] and "<" not in parts[2]:
        try:
            model = apps.get_model(parts[1], parts[2])
        except LookupError:
            model = None
    obj = model._default_manager.order_by("pk").first() if model is not None else None
    if name.endswith("_simple_history"):
        return reverse(name, args=[obj.pk, obj.history.order_by("history_id").first().history_id])
    if name == "admin:view_on_site":
        return reverse(name, args=[ContentType.objects.get_for_model(Result).pk, world.kwargs["result_id"]])
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "evaluation"})
    if not name:  # the unnamed patterns: an object's old-style URL, and the catch-all
        return f"/admin/{parts[1]}/{parts[2]}/{obj.pk}/" if obj is not None else "/admin/no-such-page/"
    if not parameters(pattern):
        return reverse(name)
    if parameters(pattern) == ["job_id"]:  # an import's job page: the world's job (another person's, not an import)
        return reverse(name, kwargs={"job_id": world.kwargs["job_id"]})
    return reverse(name, kwargs=dict.fromkeys(parameters(pattern), obj.pk))  # object_id, or id


# Every URL outside the admin: {route: {method: answers per role}}. A POST carries no data: the answers
# say who gets past the permission check, not what a complete form does.
# A URL that only takes a form's POST sends a GET on to the page of its form (config.http.post_only):
# the login's `next` after a session ended, or the language switcher on a page a POST rendered; the
# page then answers the role as its own row says.
MATRIX: dict[str, dict[str, dict[str, object]]] = {
    # The load balancer's health check: no login (answered before the login and host checks).
    "healthz": {
        "get": answers(200, 200, 200, 200, 200, 200),
        "post": answers(405, 405, 405, 405, 405, 405),
    },
    # The login page also for a signed-in browser (signing in there starts a fresh session); an empty POST
    # is the form with its errors.
    "login/": {
        "get": everyone(200, anon=200),
        "post": everyone(200, anon=200),
    },
    # Logging out is a POST, also from a page whose session has ended; a GET goes home (which sends a
    # browser without a session on to the login page).
    "logout/": {
        "get": everyone(REDIRECT, anon=REDIRECT),
        "post": everyone(LOGIN),
    },
    # One's own account: everyone signed in. An empty POST to the password form is refused with its errors.
    "account/": {
        "get": everyone(200),
        "post": everyone(405),
    },
    "account/password/": {
        "get": everyone(REDIRECT),
        "post": everyone(400),
    },
    "account/sessions/end-others/": {
        "get": everyone(REDIRECT),
        "post": everyone(REDIRECT),
    },
    # The idle-session warning's "stay signed in": a POST answered with the session's new length.
    "session/extend/": {
        "get": everyone(405),
        "post": everyone(200),
    },
    "i18n/setlang/": {
        "get": answers(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "post": answers(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    },
    # Pages that only show something answer GET and HEAD; a POST is 405 (require_safe).
    "": {
        "get": answers(LOGIN, 200, 200, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "entry/": {
        "get": answers(LOGIN, REDIRECT, REDIRECT, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "entry/<int:department_id>/<int:fiscal_year>/": {
        "get": answers(LOGIN, 200, 404, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    # The head reads the department's page and enters nothing: its writes, sheet and uploads answer 404.
    "entry/<int:department_id>/<int:fiscal_year>/save/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, REDIRECT, 404, 404, 404, 404, head=404),
    },
    "entry/results/<int:result_id>/preview/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
    },
    "entry/<int:department_id>/<int:fiscal_year>/sheet.xlsx": {
        "get": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "entry/<int:department_id>/<int:fiscal_year>/upload/": {
        "get": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
        "post": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
    },
    "entry/uploads/<uuid:upload_id>/": {
        "get": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "entry/uploads/<uuid:upload_id>/confirm/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, REDIRECT, 404, 404, 404, 404, head=404),
    },
    # The report: department staff see their own items until the year is closed (the page says so).
    "report/": {
        "get": answers(LOGIN, 200, 200, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    # Asking for the report's files (a POST) starts a job and opens its page; the report's own rules apply.
    "report/report.pdf": {
        "get": answers(LOGIN, 405, 405, 405, 405, 405),
        "post": answers(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    },
    "report/report.xlsx": {
        "get": answers(LOGIN, 405, 405, 405, 405, 405),
        "post": answers(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    },
    "review/": {
        "get": answers(LOGIN, 403, 403, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "review/<int:fiscal_year>/": {
        "get": answers(LOGIN, 403, 403, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    # An empty POST: the planning section gets 400 (nothing selected).
    "review/<int:fiscal_year>/selection/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 403, 403, 400, 400),
    },
    "review/results/<int:result_id>/": {
        "get": answers(LOGIN, 200, 404, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "review/results/<int:result_id>/comment/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, REDIRECT, 404, 403, REDIRECT, REDIRECT),
    },
    # 確定値の報告: the page shows what the person may do; an empty POST does nothing and goes back.
    "review/results/<int:result_id>/late/": {
        "get": answers(LOGIN, 200, 404, 200, 200, 200),
        "post": answers(LOGIN, REDIRECT, 404, REDIRECT, REDIRECT, REDIRECT),
    },
    "review/results/<int:result_id>/revise/": {
        "get": answers(LOGIN, 403, 403, 403, 200, 200),
        "post": answers(LOGIN, 403, 403, 403, 200, 200),
    },
    # An empty POST: the planning section gets 400 (no version seen). The action here is "approve": the
    # head is refused it like the staff (the head's own confirm and return: tests/evaluation/views/test_duties.py).
    "review/results/<int:result_id>/<str:action>/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 404, 403, 400, 400),
    },
    "audit/": {
        "get": answers(LOGIN, 403, 403, 403, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    # The CSV streams (GET); a POST asks a background job for it (the page's button for a large trail).
    "audit/export.csv": {
        "get": answers(LOGIN, 403, 403, 403, 200, 200),
        "post": answers(LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    },
    # The year's results as files: the planning section and viewers; department staff are refused.
    "exports/<int:fiscal_year>/results.xlsx": {
        "get": answers(LOGIN, 405, 405, 405, 405, 405),
        "post": answers(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT),
    },
    "exports/<int:fiscal_year>/results.csv": {
        "get": answers(LOGIN, 405, 405, 405, 405, 405),
        "post": answers(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT),
    },
    # A background job's page and file: only the person who asked (here the own staff's report); anyone
    # else gets a 404, as for a job that does not exist.
    "jobs/<uuid:job_id>/": {
        "get": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "jobs/<uuid:job_id>/download/": {
        "get": answers(LOGIN, 200, 404, 404, 404, 404, head=404),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "years/": {
        "get": answers(LOGIN, 403, 403, 403, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    # An empty POST: no plan given, 404.
    # GET is the preview of opening a year; without ?plan= the planning section gets 404.
    "years/open/": {
        "get": answers(LOGIN, 403, 403, 403, 404, 404),
        "post": answers(LOGIN, 403, 403, 403, 404, 404),
    },
    "years/period/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 403, 403, 404, 404),
    },
    # The grading rule of the plan given in ?plan= / POST plan (regrading): without one, 404.
    "years/grading/": {
        "get": answers(LOGIN, 403, 403, 403, 404, 404),
        "post": answers(LOGIN, 403, 403, 403, 404, 404),
    },
    # The plan's scheme as a file (?plan=, ?format=): without a plan, 404.
    "years/grading/download/": {
        "get": answers(LOGIN, 403, 403, 403, 404, 404),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    # An empty POST: the reason is missing, back to the years page.
    "years/<int:year_id>/reopen/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    },
    "years/<int:year_id>/deadline/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    },
    # A POST without `confirmed` is the confirmation page.
    "years/<int:year_id>/close/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 403, 403, 200, 200),
    },
    "progress/": {
        "get": answers(LOGIN, 403, 403, REDIRECT, REDIRECT, REDIRECT),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "progress/<int:fiscal_year>/": {
        "get": answers(LOGIN, 403, 403, 200, 200, 200),
        "post": answers(LOGIN, 405, 405, 405, 405, 405),
    },
    "progress/<int:fiscal_year>/remind/": {
        "get": everyone(REDIRECT),
        "post": answers(LOGIN, 403, 403, 403, REDIRECT, REDIRECT),
    },
}

# The admin, by rule: everyone but a staff member is sent to a login page; a superuser sees the pages.
NON_STAFF = (OWN, HEAD, OTHER, VIEWER, PLANNING)
ADMIN_EXCEPTIONS: dict[str, dict[str, object]] = {
    "admin:login": answers(200, 200, 200, 200, 200, REDIRECT),
    "admin:logout": answers(ADMIN_LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, 405),  # logging out is a POST
}
# A superuser's answer where it is not 200 (an admin page it may not use, or one that is not a page).
SUPERUSER_ADMIN = {
    "admin:autocomplete": 403,  # needs the field it completes
    "admin:view_on_site": 404,  # results have no page of their own outside the admin
    "admin:evaluation_plan_process_import": 405,  # the confirm step of an import is a POST
    "admin:evaluation_plan_import_job": 404,  # an import's preview or result: only its asker's, of an import job
    # The plan's grading scheme (preview, then regrade): a superuser manages the years; staff who do not,
    # or may not change the plan, get 403 (tests/evaluation/test_admin_grading.py).
    "admin:evaluation_plan_grading_scheme": 200,
    "admin:evaluation_revision_add": 403,  # revisions are made on the revise page, with their regrading
    "admin:evaluation_evaluationyear_add": 403,  # a year is opened on the years page, which creates its results
    "admin:evaluation_revision_delete": 403,  # and never deleted
    "admin:evaluation_resultcomment_add": 403,  # a comment is written on the item's page
    "admin:axes_accessattempt_add": 403,  # attempts are django-axes's record of failed sign-ins
}


def admin_expected(route: str, name: str) -> dict[str, set]:
    if name in ADMIN_EXCEPTIONS:
        return {role: {answer} for role, answer in ADMIN_EXCEPTIONS[name].items()}
    # Unnamed: an object's short URL redirects to its change page; the catch-all answers 404.
    unnamed = 404 if "(?P<url>" in route else REDIRECT
    superuser = SUPERUSER_ADMIN.get(name, 200) if name else unnamed
    # LoginRequiredMiddleware sends the anonymous to the site's login before the admin's own check does.
    return {ANON: {LOGIN, ADMIN_LOGIN}, **{role: {ADMIN_LOGIN} for role in NON_STAFF}, SUPER: {superuser}}


def project_urls() -> list[tuple[str, str, URLPattern]]:
    return walk(get_resolver())


def test_every_url_of_the_project_is_in_the_matrix():
    routes = {route for route, _name, _pattern in project_urls() if not route.startswith("admin/")}
    assert routes - MATRIX.keys() == set(), "new URLs: add them to MATRIX with each role's answer"
    assert MATRIX.keys() - routes == set(), "URLs that no longer exist: remove them from MATRIX"


def test_every_url_answers_each_role_as_the_matrix_says(client, world):
    mismatches = []
    for route, name, pattern in project_urls():
        if route.startswith("admin/"):
            continue
        path = path_for(name, pattern, world.kwargs)
        for method, expected in MATRIX[route].items():
            for role in ROLES:
                got = answer_of(fetch(client, world.users[role], method, path))
                if got != expected[role]:
                    mismatches.append(f"{method.upper()} {path} as {role}: expected {expected[role]}, got {got}")
    assert mismatches == []


def test_every_admin_url_answers_each_role_by_the_admin_rule(client, world):
    mismatches = []
    for route, name, pattern in project_urls():
        if not route.startswith("admin/"):
            continue
        path = admin_path(route, name, pattern, world)
        for role, allowed in admin_expected(route, name).items():
            got = answer_of(fetch(client, world.users[role], "get", path))
            if got not in allowed:
                mismatches.append(f"GET {path} ({name or route}) as {role}: expected {allowed}, got {got}")
    assert mismatches == []


def test_no_role_but_the_superuser_can_post_to_the_admin(client, world):
    path = reverse("admin:evaluation_result_change", args=[world.kwargs["result_id"]])
    for role in (ANON, *NON_STAFF):
        assert answer_of(fetch(client, world.users[role], "post", path, {"reason": "x"})) in {LOGIN, ADMIN_LOGIN}
