"""The pages under the Content-Security-Policy in Chromium: the main pages as each role (anonymous,
department staff, the department's head, a viewer, the planning section, the administrator with
every admin list, change form and history), the steps that draw a page from a POST or change one
with htmx, and the error pages, with no CSP violation on the console (the `csp_violations` watch of
tests/e2e/conftest.py fails the test otherwise). Each page's answer is checked to carry the policy,
so that a page without it cannot pass for one without violations.

The demo (load_demo: Setagaya's plan, FY2024, one account per role and department) is the data,
with a few items submitted, returned with a comment and approved. Screenshots of the error pages and
of a few main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import re
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error
from playwright.sync_api import Page, expect

from config.request_id import RequestIdMiddleware
from departments.models import Department
from evaluation.domain.enums import Direction, IndicatorKind, ResultStatus
from evaluation.management.commands.load_demo import DEMO_FILE, DEMO_PASSWORD
from evaluation.models import Plan, Result
from evaluation.services.results import review
from tests.builders import enter_actual
from tests.conftest import ARTIFACTS
from tests.e2e.browser import log_in
from tests.jobs.worker import run_queued_jobs

POLICY = "default-src 'self'"


@pytest.fixture
def demo(transactional_db, settings, django_user_model):
    settings.DEBUG = True  # load_demo runs only on a development server
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False
    users = {user.username: user for user in django_user_model.objects.all()}
    department = Department.objects.get(memberships__user=users["dept01"])
    outcomes = list(
        Result.objects.filter(
            department=department, indicator__kind=IndicatorKind.OUTCOME, indicator__direction=Direction.HIGHER
        ).order_by("indicator__position")[:3]
    )
    submitted = [enter_actual(result, users["dept01"], "100000", then_submit=True) for result in outcomes]
    returned = review(submitted[0], "return", user=users["planning"], expected_version=submitted[0].version,
                      comment="内訳を理由欄に書いてください。")  # fmt: skip
    approved = review(submitted[1], "approve", user=users["planning"], expected_version=submitted[1].version)
    assert returned.status == ResultStatus.RETURNED and approved.status == ResultStatus.APPROVED
    return {"plan": Plan.objects.get(), "department": department, "returned": returned, "submitted": submitted[2]}


class Visits:
    """Opens pages and checks each answer: its status, and that it carries the policy."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def __call__(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == status, f"{path}: {response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert POLICY in policy, f"{path}: Content-Security-Policy {policy!r}"
        self.count += 1


def _as(new_context, username: str | None, **context_options) -> tuple[Page, Visits]:
    page = new_context(**context_options).new_page()
    if username:
        log_in(page, username, DEMO_PASSWORD)
    return page, Visits(page)


def test_the_watch_sees_a_violation(page: Page, csp_violations):
    """The positive control: an inline style set from script is refused and reported."""
    response = page.goto("/login/")
    assert POLICY in response.headers["content-security-policy"]

    page.evaluate("() => document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_timeout(200)  # the console message arrives after the call

    assert any("style-src" in message or "inline style" in message for message in csp_violations), csp_violations
    csp_violations.clear()  # seen: the test passes


def test_anonymous_pages_and_error_pages_raise_no_violation(new_context, demo, csp_violations):
    page, visit = _as(new_context, None)
    visit("/login/")
    log_in(page, "dept01", "wrong password", expect_success=False)
    expect(page.get_by_role("alert")).to_be_visible()
    visit("/no-such-page/", 404)
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    _shot(page, "404-ja")

    # A form sent with a token that is not the browser's: the CSRF refusal page.
    visit("/login/")
    page.locator('#main input[name="csrfmiddlewaretoken"]').evaluate("(input) => { input.value = 'x'.repeat(64); }")
    page.get_by_label(re.compile("ユーザー名|Username")).fill("dept01")
    page.get_by_label(re.compile("パスワード|Password")).fill(DEMO_PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name=re.compile("ログイン|Log in")).click()
    assert posted.value.status == 403 and POLICY in posted.value.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_have_text("フォームを送信できませんでした")
    _shot(page, "403-csrf-ja")

    # The 500 page as Django draws it, answered with the policy of a real answer of the server.
    for language in ("ja", "en"):
        body, headers = _server_error_page(language, page)
        page.route("**/server-error-page/", functools.partial(_fulfil, status=500, body=body, headers=headers))
        visit("/server-error-page/", 500)
        expect(page.locator("code")).to_have_text(headers["x-request-id"])
        _shot(page, f"500-{language}")
        page.unroute("**/server-error-page/")
    assert visit.count == 5


def test_department_staff_and_head_pages_raise_no_violation(new_context, demo, tmp_path):
    department = demo["department"]
    page, visit = _as(new_context, "dept01")
    visit("/")
    _shot(page, "home-staff")
    visit(f"/entry/{department.pk}/2024/")
    # Typing asks the server for the grade (htmx) and swaps its answer in; saving redraws the page.
    field = page.get_by_role("textbox", name=re.compile("実績")).first
    with page.expect_response(lambda response: "/preview/" in response.url):
        field.fill("１２３")
    page.get_by_role("button", name=re.compile("一時保存|Save draft")).first.click()
    expect(page.get_by_role("status").first).to_be_visible()
    _shot(page, "entry-after-save")
    visit(f"/entry/{department.pk}/2024/upload/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"\.xlsx")).click()
    sheet = tmp_path / "sheet.xlsx"
    download.value.save_as(sheet)
    page.get_by_label(re.compile("記入済み|Filled-in entry sheet")).set_input_files(str(sheet))
    page.get_by_role("button", name=re.compile("アップロード|Upload and preview")).click()
    expect(page).to_have_url(re.compile(r"/entry/uploads/"))
    visit(f"/review/results/{demo['returned'].pk}/")
    visit("/report/")
    visit("/review/", 403)
    expect(page.get_by_role("heading", level=1)).to_have_text("このページを開く権限がありません")
    _shot(page, "403-ja")
    english, visit_in_english = _as(new_context, "dept01")
    visit_in_english("/")
    english.get_by_role("button", name="English").click()
    expect(english.locator("html")).to_have_attribute("lang", "en")
    visit_in_english("/review/", 403)
    expect(english.get_by_role("heading", level=1)).to_have_text("You are not allowed to open this page")
    _shot(english, "403-en")
    visit_in_english("/no-such-page/", 404)
    expect(english.get_by_role("heading", level=1)).to_have_text("The page was not found")
    _shot(english, "404-en")

    _head, visit_head = _as(new_context, "head01")
    visit_head("/")
    visit_head(f"/entry/{department.pk}/2024/")
    assert visit.count + visit_in_english.count + visit_head.count == 11


def test_viewer_and_planning_section_pages_raise_no_violation(new_context, demo):
    plan, returned, submitted = demo["plan"], demo["returned"], demo["submitted"]
    page, visit = _as(new_context, "viewer")
    for path in ("/", "/review/", f"/review/results/{submitted.pk}/", "/progress/2024/", "/report/"):
        visit(path)

    page, visit = _as(new_context, "planning")
    visit("/")
    visit("/review/")
    # The queue's "select all" (static/js/review.js), then the bulk return's confirmation page.
    page.goto("/review/2024/?status=submitted")
    for checkbox in page.locator('input[name="selected"]').all():
        checkbox.check()
    page.locator("summary", has_text=re.compile("選択した項目を差戻し|Return the selected items")).click()
    page.get_by_label(re.compile("所管課へのコメント|Comment to the departments")).fill("根拠を追記してください。")
    page.get_by_role("button", name=re.compile("^(選択した項目を差戻し|Return the selected items)$")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _shot(page, "confirm-selection")
    visit(f"/review/results/{submitted.pk}/")
    visit(f"/review/results/{returned.pk}/")
    visit(f"/review/results/{returned.pk}/revise/")
    visit("/audit/")
    visit("/years/")
    page.get_by_role("button", name=re.compile("年度を締め切る|Close the year")).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit(f"/years/grading/?plan={plan.pk}")
    visit("/progress/2024/")
    page.get_by_role("button", name=re.compile("すべての所管課にリマインド|Send reminders to every department")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit("/report/?label=資料１－３")
    _shot(page, "report")
    assert visit.count == 10


def test_the_admin_raises_no_violation(new_context, demo):
    page, visit = _as(new_context, "admin")
    visit("/admin/")
    for model, model_admin in admin.site._registry.items():
        options = model._meta
        visit(reverse(f"admin:{options.app_label}_{options.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        visit(reverse(f"admin:{options.app_label}_{options.model_name}_change", args=[first.pk]))
        if hasattr(model_admin, "history_view") and "history" in str(model_admin.get_urls()):
            visit(reverse(f"admin:{options.app_label}_{options.model_name}_history", args=[first.pk]))
    # The changelist's "select all" (the admin's actions.js), a search, and a bulk delete's
    # confirmation page (not confirmed).
    visit(reverse("admin:auth_user_changelist") + "?q=dept0")
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option("delete_selected")
    page.locator('button[name="index"]').click()
    expect(page.locator('input[name="post"]')).to_be_attached()
    # The plan workbook's import, up to its confirmation page (through the preview job's page), and the export page.
    visit(reverse("admin:evaluation_plan_import"))
    page.locator('input[type="file"]').set_input_files(str(DEMO_FILE))
    page.locator('input[type="submit"], button[type="submit"]').last.click()
    run_queued_jobs()  # the preview job: the worker's on PostgreSQL; on SQLite it ran when asked
    expect(page.locator("table.import-preview")).to_be_visible(timeout=10_000)
    _shot(page, "admin-import")
    visit(reverse("admin:evaluation_plan_export"))
    assert visit.count > 20


def _fulfil(route, *_request, status: int, body: str, headers: dict[str, str]) -> None:
    route.fulfill(status=status, body=body, headers=headers)


def _server_error_page(language: str, page: Page) -> tuple[str, dict[str, str]]:
    """The page Django's handler draws for a 500 (templates/500.html, with its request id), and the
    Content-Security-Policy of a real answer of the server."""
    with translation.override(language):
        drawn = RequestIdMiddleware(server_error)(RequestFactory().get("/"))
    policy = page.request.get("/login/").headers["content-security-policy"]
    headers = {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": policy,
        "x-request-id": drawn["X-Request-ID"],
    }
    return drawn.content.decode(), headers


def _shot(page: Page, name: str) -> None:
    """test-artifacts/screenshots/csp-<name>.png, for engineers to look at (git-ignored)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"csp-{name}.png"), full_page=True)
