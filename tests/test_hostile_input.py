"""No 500 on bad input: every URL of the project, for every role that can reach it, gets hostile
values (huge numbers, NUL and other control characters, non-ASCII digits, very long text, wrong types,
a list for one value) in every query parameter and every form field, one at a time, the rest of the
form as the page filled it.

Walked like the permission matrix (config.urls, the admin's URLs included). The fields come from the
forms on the pages each role sees (tests.hostile.page_forms) and from what the view itself reads of
request.GET and request.POST (tests.hostile.ReadParameters), so a parameter read without a form is
sent too. The first role that reaches a URL (the department's staff, else the planning section, …)
gets each field one at a time; the other roles that reach it get every field at once.

Each request runs in a savepoint rolled back afterwards, so every request meets the same data. It
must answer without a 5xx, and leave in the database (checked before the rollback) no text with a
control character and no figure its column cannot hold; a control character typed into a text field
must be answered with a message; and a POST answered with a refusal must have changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, resolve, reverse

from departments.models import Department
from evaluation.domain.enums import Direction, IndicatorKind, ResultStatus
from evaluation.models import LateFigure, Plan
from tests import hostile
from tests.builders import (
    make_closed_year,
    make_indicator,
    make_plan,
    make_result,
)
from tests.test_permission_matrix import ANON, HEAD, OTHER, OWN, PLANNING, SUPER, VIEWER, admin_path, make_world, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_wait_on_the_queue(settings):
    """A background job the walk asks for (the report's PDF, an export) waits on a queue nobody runs, as
    on PostgreSQL without its worker: the walk checks the requests, and one PDF per hostile value would
    take minutes. The jobs' runs are tested in tests/jobs and tests/evaluation/test_job_kinds.py."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# Who sweeps a URL field by field: the first of these that reaches it.
ROLES = (OWN, PLANNING, SUPER, HEAD, VIEWER, OTHER, ANON)
NOT_REACHED = {403, 404, 405}
REFUSAL_MARKERS = (
    'aria-invalid="true"',
    'class="errorlist',
    'class="errornote',
    "form-field__error",
    "error-summary",
    'class="field-error',
)
TEXT_KINDS = {"text", "textarea", "search", "email", "password", "number", "date"}


@dataclass
class World:
    users: dict
    kwargs: dict
    variants: dict = field(default_factory=dict)  # URL name → further kwargs to walk it with


@pytest.fixture
def world() -> World:
    """The permission matrix's world (its submitted outcome is the URLs' result, its users one per role),
    and more of the own department's items: a graded outcome not entered yet, an activity (a text is
    allowed), a qualitative outcome; a second plan whose closed FY2024 holds the own department's
    approved 集計中 items, one with a late figure waiting."""
    matrix = make_world()
    plan, closed_plan = Plan.objects.get(), make_plan("締めた計画")
    own = Department.objects.get(name="福祉課")
    outcome = make_result(make_indicator(plan, department=own, code="1-2"), target=Decimal(100))
    make_result(make_indicator(plan, department=own, kind=IndicatorKind.ACTIVITY, code="1-3"), target=None)
    qualitative = make_indicator(plan, department=own, direction=Direction.QUALITATIVE, unit="", code="1-4")
    make_result(qualitative, target="課題整理")
    tallying = [
        make_result(
            make_indicator(closed_plan, department=own, code=code), actual="集計中", status=ResultStatus.APPROVED
        )
        for code in ("9-1", "9-2")
    ]
    closed = make_closed_year(closed_plan)
    LateFigure.objects.create(
        result=tallying[1],
        values={},
        reason="確定しました",
        reported_by=matrix.users[OWN],
        status=LateFigure.Status.PENDING,
    )
    variants = {
        "entry_preview": [{"result_id": outcome.pk}],
        "late_figure": [{"result_id": result.pk} for result in tallying],
        "review_action": [{"action": "return"}, {"action": "reopen"}],
        "year_reopen": [{"year_id": closed.pk}],
    }
    return World(matrix.users, matrix.kwargs, variants)


@dataclass
class Sweep:
    client: object
    recorder: hostile.ReadParameters
    failures: list = field(default_factory=list)
    before: dict | None = None

    def send(self, method: str, path: str, data: dict, *, hostile_in: str = "", kind: str | None = None, enctype=""):
        """One request in a rolled-back savepoint, a POST encoded as the form says (a browser's default
        when none: urlencoded); its failures are collected."""
        label = f"{method.upper()} {path} {hostile_in}={_short(data.get(hostile_in))}"
        self.client.cookies.pop("messages", None)
        self.recorder.names.clear()
        session = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            if method == "post" and not enctype.startswith("multipart/"):
                body = urlencode(data, doseq=True)
                response = self.client.post(path, body, content_type="application/x-www-form-urlencoded")
            else:
                response = getattr(self.client, method)(path, data)
            if response.status_code >= 500:
                self.failures.append(f"{label}: {response.status_code}")
            elif method == "post":
                # An inline's empty template row (…-__prefix__-…) is sent by the browser and never read.
                kind = None if "__prefix__" in hostile_in else kind
                self._check_post(response, label, data.get(hostile_in), kind, hostile.written_tables(queries))
            transaction.set_rollback(True)
        if session is not None and session.value:  # the rollback kept the session: so does the browser (after a logout)
            self.client.cookies[settings.SESSION_COOKIE_NAME] = session.value
        return response

    def _check_post(self, response, label: str, value, kind: str | None, written: set[str]) -> None:
        """Only the tables the request wrote can hold a new problem or a change (written_tables)."""
        if written and (problems := hostile.stored_problems(written)):
            self.failures.append(f"{label}: stored {problems[:2]}")
        refused = _is_refusal(response)
        if value in hostile.REFUSED_IN_TEXT and kind in TEXT_KINDS and not refused:
            self.failures.append(f"{label}: a control character in a text field, and no message")
        if (
            refused
            and written
            and self.before is not None
            and (changed := hostile.changed_tables(self.before, written))
        ):
            self.failures.append(f"{label}: refused, yet {', '.join(changed)} changed")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 30 else f"{text[:27]}…"


def _is_refusal(response) -> bool:
    if response.status_code >= 400:
        return True
    levels = {message.level for message in get_messages(response.wsgi_request)}
    if messages.ERROR in levels or (messages.WARNING in levels and messages.SUCCESS not in levels):
        return True  # a warning next to a success is about the mails (someone without an address)
    content = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
    return any(marker in content for marker in REFUSAL_MARKERS)


def _login(client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


def _paths(name: str, pattern: URLPattern, world: World) -> list[str]:
    names = list(pattern.pattern.regex.groupindex)
    kwarg_sets = [world.kwargs, *({**world.kwargs, **variant} for variant in world.variants.get(name, []))]
    return list(dict.fromkeys(reverse(name, kwargs={key: kwargs[key] for key in names}) for kwargs in kwarg_sets))


def _reached(response) -> bool:
    if response.status_code in NOT_REACHED:
        return False
    return not (response.status_code == 302 and response["Location"].startswith(("/login/", "/admin/login/")))


_FIELD_BY_FIELD = (*hostile.HOSTILE_VALUES, hostile.LIST)


def _split(url: str) -> tuple[str, dict[str, list[str]]]:
    """A path and its query string as form data (the test client drops a query it is given data for)."""
    path, _mark, query = url.partition("?")
    data: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        data.setdefault(name, []).append(value)
    return path, data


class Walk:
    """One role's walk: each URL's page (with the query the site's own links give it when the bare URL
    is not reached), its query parameters swept; then each POST the pages offer or the URLconf has."""

    def __init__(self, sweep: Sweep, *, one_at_a_time=_FIELD_BY_FIELD, all_at_once=hostile.HOSTILE_SAMPLE):
        self.sweep = sweep
        self.values = {True: one_at_a_time, False: all_at_once}
        self.swept: set[tuple] = set()  # (view, method, fields) swept field by field already

    def role(self, user, urls: list[str]) -> None:
        _login(self.sweep.client, user)
        self.forms: dict[str, hostile.PageForm] = {}
        self.links: dict[str, str] = {}  # path → the first link to it that carries a query
        for url in urls:
            self.page(url)
        for action, form in self.forms.items():
            self.post(action, form)

    def page(self, url: str) -> None:
        # A POST no page offers a form for (or not to this role): its fields are what the view reads.
        self.forms.setdefault(url, hostile.PageForm("post", url))
        response = self.sweep.send("get", url, {})
        if not _reached(response) and url in self.links:
            url = self.links[url]
            response = self.sweep.send("get", *_split(url))
        if not _reached(response) or response.status_code >= 500:
            return
        html = response.content.decode(errors="replace") if "html" in response.get("Content-Type", "") else ""
        self.learn(html, url)
        path, baseline = _split(url)
        names = self.sweep.recorder.read_from(response.wsgi_request.GET) | hostile.link_parameters(html, path)
        first = self.first_sweep(path, "get", names | set(baseline))
        for value in self.values[first]:
            if first:
                for name in sorted(names | set(baseline)):
                    self.sweep.send("get", path, {**baseline, name: value}, hostile_in=name)
            elif names:
                self.sweep.send("get", path, {**baseline, **dict.fromkeys(names, value)})

    def learn(self, html: str, url: str) -> None:
        """The page's POST forms, and its links and GET forms to other pages (with their queries)."""
        for form in hostile.page_forms(html, url):
            if form.method == "get":
                query = urlencode([(name, value) for name, value in form.fields if form.kinds[name] != "submit"])
                self.links.setdefault(form.action.partition("?")[0], f"{form.action.partition('?')[0]}?{query}")
                continue
            known = self.forms.get(form.action)
            if known is None or not known.fields:
                self.forms[form.action] = form
        for link in hostile.page_links(html, url):
            if "?" in link:
                self.links.setdefault(link.partition("?")[0], link)

    def first_sweep(self, url: str, method: str, names: set[str]) -> bool:
        """Whether the view has not had these fields one at a time yet (/review/ and /review/2024/ are one view)."""
        key = (resolve(url.partition("?")[0]).func, method, frozenset(names))
        first = key not in self.swept
        self.swept.add(key)
        return first

    def post(self, action: str, form: hostile.PageForm) -> None:
        sweep = self.sweep
        sweep.before = None
        response = sweep.send("post", action, form.data(), enctype=form.enctype)
        if not _reached(response):
            return
        names = set(form.kinds) | sweep.recorder.read_from(response.wsgi_request.POST)
        first = self.first_sweep(action, "post", names)
        baseline = form.data()
        with transaction.atomic():  # what the database holds before any of these requests
            sweep.before = hostile.fingerprint()
            transaction.set_rollback(True)
        for value in self.values[first]:
            if first:
                for name in sorted(names):
                    sweep.send(
                        "post",
                        action,
                        {**baseline, name: value},
                        hostile_in=name,
                        kind=form.kinds.get(name),
                        enctype=form.enctype,
                    )
            else:
                sweep.send("post", action, {**baseline, **dict.fromkeys(names, value)}, enctype=form.enctype)


def _walk(world: World, sweep: Sweep, urls: list[str], roles=ROLES, **values) -> list[str]:
    walker = Walk(sweep, **values)
    for role in roles:
        walker.role(world.users[role], urls)
    return sweep.failures


def test_no_page_answers_a_hostile_value_with_a_500_or_keeps_it(client, world, monkeypatch):
    client.raise_request_exception = False
    site = [
        url
        for route, name, pattern in walk(get_resolver())
        if not route.startswith("admin/")
        for url in _paths(name, pattern, world)
    ]
    with hostile.ReadParameters(monkeypatch) as recorder:
        failures = _walk(world, Sweep(client, recorder), site)
    assert failures == [], "\n".join(failures)


def test_no_admin_page_answers_a_hostile_value_with_a_500_or_keeps_it(client, world, monkeypatch):
    """The admin, as the superuser (every other role is sent to its login: the permission matrix),
    with fewer values: Django's model forms check most of it."""
    client.raise_request_exception = False
    admin = [
        admin_path(route, name, pattern, world)
        for route, name, pattern in walk(get_resolver())
        if route.startswith("admin/")
    ]
    with hostile.ReadParameters(monkeypatch) as recorder:
        failures = _walk(world, Sweep(client, recorder), admin, roles=[SUPER], one_at_a_time=hostile.ADMIN_VALUES)
    assert failures == [], "\n".join(failures)


def test_an_id_in_the_path_beyond_any_row_answers_without_a_500(client, world):
    """<int:…> takes any run of digits: each id of each URL, as 30 digits or one over a bigint, by GET
    and POST as the roles that reach most (Django refuses such an id in a lookup on SQLite)."""
    client.raise_request_exception = False
    failures = []
    for role in (OWN, PLANNING, SUPER):
        _login(client, world.users[role])
        for _route, name, pattern in walk(get_resolver()):
            ids = [key for key, converter in pattern.pattern.converters.items() if converter.regex == "[0-9]+"]
            for key, huge in ((key, huge) for key in ids for huge in ("9" * 30, str(2**63))):
                url = reverse(name, kwargs={**{k: world.kwargs[k] for k in pattern.pattern.converters}, key: huge})
                for method in ("get", "post"):
                    if (status := getattr(client, method)(url).status_code) >= 500:
                        failures.append(f"{method.upper()} {url} as {role}: {status}")
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_the_tables_a_request_wrote_are_read_from_its_queries(world):
    """The walk reads again only the tables a request wrote: an insert, an update and a delete are each
    seen in the real database's SQL, and a read is not."""
    plan = Plan.objects.first()
    with CaptureQueriesContext(connection) as queries:
        department = Department.objects.create(name="hostile-x")
        Department.objects.filter(pk=department.pk).update(name="hostile-y")
        list(Plan.objects.filter(pk=plan.pk))
    assert hostile.written_tables(queries) == {"departments_department", "departments_historicaldepartment"}
    assert [query["sql"].split()[0].upper() for query in queries if "departments_department" in query["sql"]] == [
        "INSERT",
        "UPDATE",
    ]
    with CaptureQueriesContext(connection) as queries:
        LateFigure.objects.all()._raw_delete(LateFigure.objects.db)
    assert hostile.written_tables(queries) == {"evaluation_latefigure"}
