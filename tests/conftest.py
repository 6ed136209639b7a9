"""Test set-up shared by every test: the browser (Playwright on Debian's Chromium) and its artifacts.

Browser tests live in tests/e2e/ (marked `e2e` automatically). They open pages of pytest-django's
`live_server` through pytest-playwright's `page`, whose base URL is the live server's, so
`page.goto("/login/")` works. A test that uses the live server gets a transactional database, so
the data a test creates is visible to the server thread.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from departments.enums import Role
from tests.builders import make_department, make_plan, make_user

# Playwright drives a live_server from its own event loop; Django refuses sync ORM calls there without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
E2E_FOLDER = Path(__file__).resolve().parent / "e2e"
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """Mark the browser tests; outside CI, skip them (with the reason) when Chromium is missing.

    In CI they are never skipped: `browser_type_launch_args` fails them instead.
    """
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} not found: `make test` as root installs it (apt-get install chromium fonts-noto-cjk)"
    )
    for item in items:
        if E2E_FOLDER in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if not IN_CI and not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests must run in CI (make test installs chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages are opened on the live server: `page.goto("/login/")`."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def screenshot(page, request):
    """`screenshot("after-login")` saves the page as test-artifacts/screenshots/<test>-after-login.png.

    For engineers to look at pages; test-artifacts/ is git-ignored. Returns the file's path.
    """
    folder = ARTIFACTS / "screenshots"
    test_name = re.sub(r"[^\w.-]+", "-", request.node.nodeid.split("::", 1)[-1]).strip("-")

    def take(name: str = "page", *, full_page: bool = True) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{test_name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture(autouse=True)
def _language_of_the_project():
    """Every test starts in the project's language (Japanese) and leaves it so: a request with
    Accept-Language: en leaves English active in the thread, which would leak into later tests."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.4 s a user; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The people and the plan most tests share. A module that needs other names or details defines its own
# fixture of the same name, or one that takes this one (`def plan(plan): make_open_year(plan); return plan`).


@pytest.fixture
def department(db):
    """The department of `staff`, `planner` and `viewer`; the planning section sits in it."""
    return make_department("保健福祉政策課")


@pytest.fixture
def staff(department):
    return make_user("staff", department=department)


@pytest.fixture
def planner(department):
    return make_user("planner", department=department, role=Role.PLANNING)


@pytest.fixture
def viewer(department):
    return make_user("viewer", department=department, role=Role.VIEWER)


@pytest.fixture
def plan(db):
    return make_plan("世田谷区地域保健医療福祉総合計画")


@pytest.fixture
def english():
    """Messages in English, so that tests read the English texts: `pytest.mark.usefixtures("english")`."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_client(client):
    """The test client asks for pages in English (Accept-Language: en); it is the same `client` a test gets."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
