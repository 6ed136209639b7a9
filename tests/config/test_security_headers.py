"""The browser protections on everything the app draws: the Content-Security-Policy (default-src
'self', no inline script or style in any page), the Permissions-Policy, `Cache-Control: no-store` on
pages and downloads, the request id, `__Host-` cookies in production, and `check --deploy` clean.

The walk fetches every URL of the project (the permission matrix's) as every role, so a new page or
download is checked without being named here; the pages' HTML is read for inline code (style=""
attributes, on*= handlers, <script> without src), which the policy would block in a browser.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import simple_history
from django.conf import settings
from django.urls import reverse

from tests.test_permission_matrix import ROLES, SUPER, fetch, make_world, path_for, project_urls

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
}
# The report's files and the results export are made by background jobs: their file is the job's download.
DOWNLOADS = {
    "audit_export",
    "job_download",
    "entry_sheet_download",
}
# The admin's pages a superuser uses, each of a different template (the history is simple_history's).
ADMIN_PAGES = [
    ("admin:index", ()),
    ("admin:evaluation_result_changelist", ()),
    ("admin:evaluation_result_change", ("result",)),
    ("admin:evaluation_result_history", ("result",)),
    ("admin:evaluation_plan_changelist", ()),
    ("admin:evaluation_plan_import", ()),
    ("admin:evaluation_plan_export", ()),
    ("admin:departments_department_add", ()),
]


def policy_of(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return dict(part.strip().partition(" ")[::2] for part in header.split(";") if part.strip())


class InlineCode(HTMLParser):
    """Collects what a CSP of default-src 'self' blocks in an HTML page: style="" attributes, on*=
    handlers, <style> elements and <script> elements with code in them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open_script = None

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name in names:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> ({self.getpos()[0]})")
        if tag == "style":
            self.found.append(f"<style> ({self.getpos()[0]})")
        if tag == "script":
            self._open_script = "src" not in names and names.get("type") not in ("application/json",)
        if tag == "a" and (names.get("href") or "").strip().lower().startswith("javascript:"):
            self.found.append(f"<a href=javascript:…> ({self.getpos()[0]})")

    def handle_data(self, data):
        if self._open_script and data.strip():
            self.found.append(f"<script> with code ({self.getpos()[0]}): {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._open_script = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def problems_of(response, where: str) -> list[str]:
    problems = []
    if policy_of(response) != POLICY:
        problems.append(f"{where}: Content-Security-Policy is {response.get('Content-Security-Policy')!r}")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append(f"{where}: Permissions-Policy is {response.get('Permissions-Policy')!r}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{where}: Cache-Control is {response.get('Cache-Control')!r}")
    if not re.fullmatch(r"[0-9a-f]{12}", response.get("X-Request-ID", "")):
        problems.append(f"{where}: X-Request-ID is {response.get('X-Request-ID')!r}")
    if response.get("Content-Type", "").startswith("text/html"):
        problems += [f"{where}: inline {found}" for found in inline_code(response.content.decode())]
    return problems


def test_inline_code_is_found_where_the_policy_would_block_it():
    page = """<p style="color:red">x</p><button onclick="go()">y</button><script>alert(1)</script>
    <script src="/static/js/entry.js" defer></script><style>p{}</style><a href="javascript:void(0)">z</a>"""

    found = inline_code(page)

    assert len(found) == 5, found
    assert inline_code('<script src="/static/js/review.js" defer></script><p class="x">ok</p>') == []


def test_every_page_and_download_as_every_role_carries_the_headers_and_no_inline_code(client):
    world = make_world()
    problems, fetched_downloads, pages = [], set(), 0
    for route, name, pattern in project_urls():
        if route.startswith("admin/") or name == "health_check":
            continue
        path = path_for(name, pattern, world.kwargs)
        for role in ROLES:
            response = fetch(client, world.users[role], "get", path)
            problems += problems_of(response, f"GET {path} as {role} ({response.status_code})")
            pages += 1
            if response.status_code == 200 and name in DOWNLOADS:
                fetched_downloads.add(name)

    assert problems == []
    assert fetched_downloads == DOWNLOADS, "every download was fetched and checked"
    assert pages > 150


def test_the_admin_pages_carry_the_policy_and_no_inline_code(client):
    world = make_world()
    client.force_login(world.users[SUPER])
    problems = []
    for name, arguments in ADMIN_PAGES:
        path = reverse(name, args=[world.kwargs[f"{argument}_id"] for argument in arguments])
        response = client.get(path)
        assert response.status_code == 200, path
        problems += problems_of(response, f"GET {path}")
    assert problems == []


def test_the_admin_history_page_is_simple_historys_own_but_for_the_style_attribute():
    """templates/simple_history/object_history_list.html is a copy with one change; an upgrade of
    django-simple-history that changes the original must copy it again."""
    upstream = Path(simple_history.__file__).parent / "templates" / "simple_history" / "object_history_list.html"
    ours = ROOT / "templates" / "simple_history" / "object_history_list.html"
    without_comment = re.sub(r"\A\{% comment %\}.*?\{% endcomment %\}", "", ours.read_text(), flags=re.S)

    assert upstream.read_text().replace('<p class="paginator" style="border-top: 0">', '<p class="paginator">') == (
        without_comment
    )


def test_the_session_and_csrf_cookies_are_host_only_and_secure_in_production(client, staff):
    page = client.get(reverse("login"))
    csrf = page.cookies["__Host-csrftoken"]

    logged_in = client.post(reverse("login"), {"username": "staff", "password": "pw-for-tests-only"})

    assert logged_in.status_code == 302
    session = logged_in.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    assert session["httponly"] is True
    assert "sessionid" not in logged_in.cookies and "csrftoken" not in page.cookies


def _python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The project's Python in a fresh process, with no DJANGO_ or PYTEST variable but those given."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_development_over_plain_http_keeps_the_ordinary_cookie_names():
    """__Host- cookies need HTTPS: `make run` serves http://127.0.0.1:8000 with DJANGO_DEBUG=1."""
    printed = _python(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)",
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    assert printed.stdout.split() == ["sessionid", "csrftoken"], printed.stderr


def test_check_deploy_is_clean_under_production_variables():
    """As .ci/run calls it: DJANGO_DEBUG and DATABASE_URL unset, a secret key and a host given."""
    checked = _python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-for-the-check",
        DJANGO_ALLOWED_HOSTS="mezasu.example.lg.jp",
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["default-src"] == ["'self'"]
