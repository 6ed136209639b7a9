"""The admin: every model listed, and the plan workbook's import (preview, then confirm) and export."""

import csv
import io
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import Department, Membership
from evaluation.models import Indicator, Plan, PlanWorkbookUpload, Result, ResultValue
from evaluation.workbook.plan_columns import PLAN_COLUMNS as COLUMNS
from evaluation.workbook.plan_import import import_plan_file
from tests.builders import make_user
from tests.hostile import page_forms
from tests.jobs.worker import run_queued_jobs

DEMO_CSV = Path(__file__).resolve().parents[2] / "evaluation" / "demo_data" / "setagaya-r6.csv"
IMPORT_URL = reverse("admin:evaluation_plan_import")
PROCESS_URL = reverse("admin:evaluation_plan_process_import")

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_client(client):
    """Staff who may look at plans but not import (no evaluation.add_indicator)."""
    user = make_user(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_plan", "change_plan", "add_plan"]))
    client.force_login(user)
    return client


def upload(content: bytes, name="plan.csv", fmt="0"):
    return {"format": fmt, "resource": "0", "import_file": SimpleUploadedFile(name, content)}


def test_every_model_is_registered_with_a_working_changelist(superuser_client):
    import_plan_file(DEMO_CSV)
    for model in [Plan, Indicator, Result, ResultValue, Department, Membership]:
        assert admin.site.is_registered(model)
    for model in admin.site._registry:
        if model._meta.app_label not in ("evaluation", "departments"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, url


def test_change_pages_show_inlines_and_computed_fields_read_only(superuser_client):
    import_plan_file(DEMO_CSV)
    result = Result.objects.get(indicator__code="1.1.2.1.O1")

    page = superuser_client.get(reverse("admin:evaluation_result_change", args=[result.pk]))
    indicator_page = superuser_client.get(reverse("admin:evaluation_indicator_change", args=[result.indicator_id]))

    assert page.status_code == 200
    assert "values-0-target_value" in page.content.decode()
    assert "values-0-achievement" not in page.content.decode()  # read-only: shown, not an input
    assert "190.3" in page.content.decode()
    assert "measures-0-label" in indicator_page.content.decode()


def after_the_job(client, asked):
    """The page a person lands on once the job `asked` (a redirect to its page) is done: the worker runs
    it (on SQLite it ran when asked), then its page leads to the import's preview or result."""
    assert asked.status_code == 302, asked
    run_queued_jobs()
    return client.get(asked.url, follow=True)


def preview_of(client, content: bytes, **options):
    return after_the_job(client, client.post(IMPORT_URL, upload(content, **options)))


def test_superuser_imports_through_preview_then_confirm(superuser_client):
    preview = preview_of(superuser_client, DEMO_CSV.read_bytes())

    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_validation_errors()
    assert result.totals["new"] == 136
    assert "confirm_form" in preview.context
    assert not Plan.objects.exists()  # the preview is a dry run

    done = after_the_job(superuser_client, superuser_client.post(PROCESS_URL, preview.context["confirm_form"].initial))

    assert done.status_code == 200
    assert Indicator.objects.count() == 134
    assert done.context["totals"]["new"] == 136
    assert reverse("admin:evaluation_plan_change", args=[Plan.objects.get().pk]) in done.content.decode()

    again = preview_of(superuser_client, DEMO_CSV.read_bytes())
    assert again.context["result"].totals["skip"] == 136


def test_admin_import_reads_shift_jis_csv(superuser_client):
    text = DEMO_CSV.read_text(encoding="utf-8-sig")

    preview = preview_of(superuser_client, text.encode("cp932"))

    assert preview.context["result"].totals["new"] == 136


def test_admin_preview_of_a_broken_file_shows_each_error_and_offers_no_confirm(superuser_client):
    text = DEMO_CSV.read_text(encoding="utf-8-sig").replace(",430,", ",abc,", 1)

    preview = preview_of(superuser_client, text.encode("utf-8"))

    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "confirm_form" not in preview.context
    [invalid] = result.invalid_rows
    assert invalid.number == 7
    assert "目標" in invalid.field_specific_errors
    assert "「abc」" in preview.content.decode()
    assert not Plan.objects.exists()


def test_admin_import_of_an_unreadable_file_says_why(superuser_client):
    page = superuser_client.post(IMPORT_URL, upload("計画".encode("utf-16"), name="plan.csv"))

    assert "Shift_JIS" in page.context["form"].errors["import_file"][0]


def test_staff_without_the_import_permission_gets_no_button_and_a_403(staff_client):
    changelist = staff_client.get(reverse("admin:evaluation_plan_changelist"))

    assert changelist.status_code == 200
    assert IMPORT_URL not in changelist.content.decode()
    assert staff_client.get(IMPORT_URL).status_code == 403
    assert staff_client.post(IMPORT_URL, upload(DEMO_CSV.read_bytes())).status_code == 403
    assert staff_client.post(PROCESS_URL, {"import_file_name": "x", "format": "0", "resource": "0"}).status_code == 403
    assert not Plan.objects.exists()


def test_staff_with_the_import_permission_sees_the_button(staff_client):
    user = staff_client.session["_auth_user_id"]
    Permission.objects.get(codename="add_indicator").user_set.add(user)

    changelist = staff_client.get(reverse("admin:evaluation_plan_changelist"))

    assert IMPORT_URL in changelist.content.decode()


def test_admin_export_downloads_the_workbook_that_imports_unchanged(superuser_client, tmp_path):
    import_plan_file(DEMO_CSV)

    response = superuser_client.post(reverse("admin:evaluation_plan_export"), {"format": "0", "resource": "0"})

    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == COLUMNS
    path = tmp_path / "export.csv"
    path.write_bytes(response.content)
    assert import_plan_file(path).row_counts == {"unchanged": 136}


def test_an_actual_changed_in_the_admin_is_regraded_and_moves_the_version(client):
    from decimal import Decimal

    from evaluation.models import ResultValue
    from tests.builders import make_indicator, make_result, make_user

    admin_user = make_user("root", is_staff=True, is_superuser=True)
    result = make_result(make_indicator(), target=Decimal(100), actual=Decimal(100))
    value = ResultValue.objects.get(result=result)
    client.force_login(admin_user)
    url = reverse("admin:evaluation_resultvalue_change", args=[value.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(actual_state="number", actual_value="50")

    response = client.post(url, data)

    assert response.status_code == 302
    value.refresh_from_db()
    result.refresh_from_db()
    assert (value.achievement, value.grade, result.grade, result.version) == (Decimal("50.0"), "C", "C", 2)
    assert result.history.first().history_change_reason == "admin"


def test_a_file_refused_by_the_importer_is_not_kept_for_a_confirmation(superuser_client):
    rows = list(csv.DictReader(io.StringIO(DEMO_CSV.read_text(encoding="utf-8-sig"))))
    rows[0]["年度"] = "二千二十四"
    content = io.StringIO()
    writer = csv.DictWriter(content, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)

    page = preview_of(superuser_client, content.getvalue().encode("utf-8"))

    assert page.context["result"].has_validation_errors()
    assert "confirm_form" not in page.context
    assert not PlanWorkbookUpload.objects.exists()


def test_a_confirmation_whose_kept_file_expired_is_refused_with_a_message(superuser_client):
    preview = preview_of(superuser_client, DEMO_CSV.read_bytes())
    assert PlanWorkbookUpload.objects.count() == 1
    PlanWorkbookUpload.objects.all().delete()

    page = after_the_job(superuser_client, superuser_client.post(PROCESS_URL, preview.context["confirm_form"].initial))

    assert page.context["job"].state == "failed"
    assert page.context["error"] == (
        "アップロードしたファイルはもう保存されていません（取り込み済みか、保存期間が過ぎました）。何も取り込んでいません。"
    )
    assert not Plan.objects.exists()


def test_a_comment_is_not_added_in_the_admin(superuser_client):
    """Every field of its form is read-only: saving it failed in the database (a 500). A comment is
    written on the item's page."""
    assert superuser_client.get(reverse("admin:evaluation_resultcomment_add")).status_code == 403
    assert superuser_client.post(reverse("admin:evaluation_resultcomment_add"), {}).status_code == 403


@pytest.mark.parametrize("department", ["1" * 30, "abc"])
def test_an_indicators_department_no_row_can_be_is_refused_at_the_field(superuser_client, department):
    import_plan_file(DEMO_CSV)
    indicator = Indicator.objects.first()

    url = reverse("admin:evaluation_indicator_change", args=[indicator.pk])
    [form] = [form for form in page_forms(superuser_client.get(url).content.decode(), url) if form.action == url]
    response = superuser_client.post(url, {**form.data(), "department": department})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["department"]
    assert Indicator.objects.get(pk=indicator.pk).department_id == indicator.department_id
