"""The pages measured through the Django test client, each as the person who uses it: the planning
section (home, review, progress, audit, report), the big department's and a typical department's
entry staff (entry page, live preview, saves, submit, entry sheet). A client per person, logged in
once, as a browser keeps its session."""

from __future__ import annotations

import itertools
import re
import subprocess
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bench import payloads
from bench.measure import BenchFailure, Measurement, expect_status, read_whole
from evaluation.domain.enums import Direction, ResultStatus
from evaluation.domain.workflow import EDITABLE_BY_DEPARTMENT
from evaluation.models import EntryUpload, Result
from jobs.enums import ACTIVE_STATES
from jobs.models import Job
from tests.jobs.worker import run_queued_jobs

TRIVIAL_RUNS = 30  # the divisor of every other figure: more runs for a steadier median
SHEET_ROWS = 10  # rows typed anew in the uploaded entry sheet
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_pages(content: bytes) -> int:
    """Pages of a PDF, read by poppler's pdfinfo (WeasyPrint may pack its page objects in streams)."""
    try:
        info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
        return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    except (OSError, subprocess.CalledProcessError, AttributeError):
        return len(re.findall(rb"/Type\s*/Page\b", content))


class Pages:
    """The people's clients and the measurements of the pages of one built plan."""

    def __init__(self, bench):
        self.bench = bench
        self.clients: dict[int, Client] = {}
        self.numbers = itertools.count(10_000, 1_000)  # typed figures: each run types new ones
        self.facts: dict[str, object] = {}  # what the notes say (rows, pages), filled by the runs
        for user in (bench.planner, bench.entry_user(bench.big), bench.entry_user(bench.typical)):
            self.client(user)  # logged in before any measurement, as a browser is

    # Requests --------------------------------------------------------------------------------

    def client(self, user) -> Client:
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    def get(self, user, url: str, **extra):
        return read_whole(self.client(user).get(url, **extra))

    def post(self, user, url: str, data, **extra):
        return read_whole(self.client(user).post(url, data, **extra))

    # Building blocks ---------------------------------------------------------------------------

    def page(self, name: str, label: str, user, url, *, note=None, repeat: int | None = None) -> Measurement:
        def check(response, _prepared):
            expect_status(name, response, 200)

        def prepare():  # a URL to look up (a result to open) is looked up untimed
            return url() if callable(url) else url

        return Measurement(
            name,
            label,
            run=lambda page_url: self.get(user, page_url),
            prepare=prepare,
            check=check,
            note=note or (lambda: ""),
            repeat=repeat,
        )

    def entry_url(self, department) -> str:
        return reverse("entry_department", args=[department.pk, self.bench.fiscal_year])

    def rows_note(self, department) -> str:
        return f"{self.bench.results_of(department).count()} rows"

    # The measurements --------------------------------------------------------------------------

    def trivial(self) -> Measurement:
        return self.page(
            "trivial", "trivial view (the floor)", self.bench.planner, reverse("bench_trivial"), repeat=TRIVIAL_RUNS
        )

    def measurements(self) -> list[Measurement]:
        bench, planner, year = self.bench, self.bench.planner, self.bench.fiscal_year
        big, typical = bench.big, bench.typical
        report_query = "?" + urlencode({"year": year})
        return [
            self.page("home", "home (planning section)", planner, reverse("home")),
            self.page(
                "entry_typical",
                "entry page, typical department",
                bench.entry_user(typical),
                self.entry_url(typical),
                note=lambda: self.rows_note(typical),
            ),
            self.page(
                "entry_big",
                "entry page, big department",
                bench.entry_user(big),
                self.entry_url(big),
                note=lambda: self.rows_note(big),
            ),
            self.page(
                "entry_floor",
                "entry page's floor: the same rows, plain template",
                bench.entry_user(big),
                reverse("bench_entry_floor", args=[big.pk, year]),
                note=lambda: self.rows_note(big),
            ),
            self.preview(),
            self.save("save_1", "draft save, 1 row changed", rows=1),
            self.save("save_50", "draft save, 50 rows changed", rows=50),
            self.submit(),
            self.page("review_queue", "review queue (50 a page)", planner, reverse("review_queue", args=[year])),
            self.page(
                "review_item", "review item", planner, lambda: reverse("review_item", args=[self.submitted_result()])
            ),
            self.page("progress", "progress board", planner, reverse("progress_board", args=[year])),
            self.page("audit", "audit trail", planner, reverse("audit_trail")),
            self.page("audit_csv", "audit trail CSV", planner, reverse("audit_export")),
            self.page(
                "sheet_download",
                "entry sheet download, big department",
                bench.entry_user(big),
                reverse("entry_sheet_download", args=[big.pk, year]),
                note=lambda: self.rows_note(big),
            ),
            self.sheet_upload(),
            self.sheet_preview(),
            self.sheet_confirm(),
            self.page(
                "report_html",
                "report HTML, whole plan",
                planner,
                reverse("report") + report_query,
                note=lambda: f"{self.facts.get('pdf_pages', '?')} pages",
            ),
            self.report_pdf(report_query),
            self.report_pdf_ask(report_query),
        ]

    # The report's PDF, a background job ---------------------------------------------------------

    def report_pdf(self, query: str) -> Measurement:
        """The whole plan's PDF as the planning section gets it: the button (a POST that puts the job on
        the queue), the worker's run of the job, the download from the job's page."""
        planner = self.bench.planner

        def run(_prepared):
            asked = self.post(planner, reverse("report_pdf") + query, {})
            expect_status("report_pdf", asked, 302, location="/jobs/")
            run_queued_jobs()  # db_worker's own run of the task (on SQLite it ran when asked)
            return self.get(planner, asked["Location"].rstrip("/") + "/download/")

        def check(response, _prepared):
            expect_status("report_pdf", response, 200)
            self.facts["pdf_pages"] = pdf_pages(response.body)

        return Measurement(
            "report_pdf",
            "report PDF, whole plan (ask, job, download)",
            run,
            check=check,
            note=lambda: f"{self.facts.get('pdf_pages', '?')} pages",
        )

    def report_pdf_ask(self, query: str) -> Measurement:
        """The request a person waits for now: asking for the PDF, answered with the job's page address
        (the job waits on the queue; dropped untimed before the next run, which would reuse it)."""
        planner = self.bench.planner

        def prepare():
            Job.objects.filter(requested_by=planner, state__in=ACTIVE_STATES).delete()

        return Measurement(
            "report_pdf_ask",
            "report PDF, the request that asks for it",
            lambda _prepared: self.post(planner, reverse("report_pdf") + query, {}),
            prepare,
            lambda response, _p: expect_status("report_pdf_ask", response, 302, location="/jobs/"),
        )

    def submitted_result(self) -> int:
        """A submitted result to review: the big department's first, else any department's."""
        if "review_item" not in self.facts:
            submitted = Result.objects.filter(
                indicator__plan=self.bench.plan, fiscal_year=self.bench.fiscal_year, status=ResultStatus.SUBMITTED
            )
            result = submitted.filter(department=self.bench.big).first() or submitted.order_by("pk").first()
            if result is None:
                raise BenchFailure("review_item: no submitted result to open")
            self.facts["review_item"] = result.pk
        return self.facts["review_item"]

    def preview(self) -> Measurement:
        bench, user = self.bench, self.bench.entry_user(self.bench.big)

        def prepare():
            return payloads.preview_post(bench, bench.big, user, next(self.numbers))

        def run(prepared):
            result_id, data = prepared
            return self.post(user, reverse("entry_preview", args=[result_id]), data, HTTP_HX_REQUEST="true")

        return Measurement(
            "preview",
            "live preview of one row",
            run,
            prepare,
            lambda response, _p: expect_status("preview", response, 200),
        )

    def save(self, name: str, label: str, *, rows: int) -> Measurement:
        bench, department = self.bench, self.bench.big
        user, url = (
            bench.entry_user(department),
            reverse("entry_department_save", args=[department.pk, bench.fiscal_year]),
        )

        def prepare():
            post = payloads.page_post(bench, department, user, rows=rows, number=next(self.numbers))
            self.facts[name] = (len(post.changed), len(post.versions))
            return post

        def check(response, post):
            expect_status(name, response, 302, location=self.entry_url(department))
            versions = dict(Result.objects.filter(pk__in=post.changed).values_list("pk", "version"))
            unsaved = [pk for pk in post.changed if versions[pk] <= post.versions[pk]]
            if unsaved or not post.changed:
                raise BenchFailure(f"{name}: rows not saved: {unsaved or 'no row to change'}")

        def note():
            changed, sent = self.facts[name]
            return f"{changed} changed of {sent} rows sent"

        return Measurement(name, label, lambda post: self.post(user, url, post.data), prepare, check, note)

    def submit(self) -> Measurement:
        """選択した項目を提出 of one ready draft on its department's page: the big department's while it
        has one (a small plan may run out of them), else the next department's."""
        bench = self.bench

        def prepare():
            for department in bench.departments:
                ready = payloads.submittable(bench, department)
                if ready:
                    user = bench.entry_user(department)
                    self.client(user)  # logged in before the timed run
                    post = payloads.submit_post(bench, department, user, ready[0])
                    self.facts["submit"] = (department.name, len(post.versions))
                    return department, post
            raise BenchFailure("submit: no draft is left to submit (lower --repeat)")

        def run(prepared):
            department, post = prepared
            url = reverse("entry_department_save", args=[department.pk, bench.fiscal_year])
            return self.post(bench.entry_user(department), url, post.data)

        def check(response, prepared):
            department, post = prepared
            expect_status("submit", response, 302, location=self.entry_url(department))
            if Result.objects.get(pk=post.changed[0]).status != ResultStatus.SUBMITTED:
                raise BenchFailure(f"submit: result {post.changed[0]} was not submitted")

        def note():
            department, sent = self.facts["submit"]
            where = "" if department == bench.big.name else f" ({department})"
            return f"1 selected of {sent} rows sent{where}"

        return Measurement("submit", "submit 1 selected row", run, prepare, check, note)

    # The entry sheet's round trip ---------------------------------------------------------------

    def sheet_department(self):
        """The big department while its sheet has an open row to type in (a small plan may run out of
        them after the saves and submissions), else the first department that has one."""
        for department in self.bench.departments:
            open_rows = self.bench.results_of(department).filter(status__in=EDITABLE_BY_DEPARTMENT)
            if open_rows.exclude(indicator__direction=Direction.QUALITATIVE).exists():
                return department
        raise BenchFailure("entry sheet: no department has an open row left (lower --repeat)")

    def filled_upload(self):
        """(department, its sheet as downloaded with SHEET_ROWS open rows typed anew), untimed."""
        bench, department = self.bench, self.sheet_department()
        user = bench.entry_user(department)
        download = self.get(user, reverse("entry_sheet_download", args=[department.pk, bench.fiscal_year]))
        expect_status("sheet_download", download, 200)
        content, changed = payloads.filled_sheet(download.body, rows=SHEET_ROWS, number=next(self.numbers))
        if not changed:
            raise BenchFailure(f"entry sheet: no open row to type in the sheet of {department.name}")
        self.facts["sheet"] = (department.name, changed)
        return department, SimpleUploadedFile("入力シート.xlsx", content, content_type=XLSX)

    def upload(self, prepared):
        department, sheet = prepared
        url = reverse("entry_sheet_upload", args=[department.pk, self.bench.fiscal_year])
        return self.post(self.bench.entry_user(department), url, {"sheet": sheet})

    def checked_upload(self, response) -> EntryUpload:
        expect_status("sheet_upload", response, 302, location="/entry/uploads/")
        upload = EntryUpload.objects.select_related("department", "user").get(
            pk=response["Location"].rstrip("/").rsplit("/", 1)[-1]
        )
        if upload.errors:
            raise BenchFailure(f"sheet_upload: the sheet was refused: {upload.errors[:3]}")
        return upload

    def sheet_note(self) -> str:
        department, changed = self.facts.get("sheet", ("", "?"))
        where = "" if department == self.bench.big.name else f" ({department})"
        return f"{changed} rows typed anew{where}"

    def sheet_upload(self) -> Measurement:
        return Measurement(
            "sheet_upload",
            "entry sheet upload",
            self.upload,
            self.filled_upload,
            lambda response, _prepared: self.checked_upload(response),
            self.sheet_note,
        )

    def sheet_preview(self) -> Measurement:
        def prepare():
            if "preview_upload" not in self.facts:
                self.facts["preview_upload"] = self.checked_upload(self.upload(self.filled_upload()))
            return self.facts["preview_upload"]

        def run(upload):
            return self.get(upload.user, reverse("entry_sheet_preview", args=[upload.pk]))

        return Measurement(
            "sheet_preview",
            "entry sheet preview",
            run,
            prepare,
            lambda response, _upload: expect_status("sheet_preview", response, 200),
            self.sheet_note,
        )

    def sheet_confirm(self) -> Measurement:
        def prepare():
            return self.checked_upload(self.upload(self.filled_upload()))

        def check(response, upload):
            expect_status("sheet_confirm", response, 302, location=self.entry_url(upload.department))
            upload.refresh_from_db()
            if upload.applied_at is None:
                raise BenchFailure(f"sheet_confirm: upload {upload.pk} was not applied")

        def run(upload):
            return self.post(upload.user, reverse("entry_sheet_confirm", args=[upload.pk]), {})

        return Measurement("sheet_confirm", "entry sheet confirm", run, prepare, check, self.sheet_note)
