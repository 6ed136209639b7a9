"""The deadline rush, driven by locust (loadtest/run.sh starts it headless): department staff log in,
open their entry page, type actuals (the page's live preview answers each row), save drafts and now
and then submit a row, while the planning section approves submitted items from the review queue,
and a load balancer probes /healthz. Everyone acts on the pages as a browser does (loadtest/browser.py):
each form is read from the page and sent back whole, with the CSRF token, cookie and Origin.

Read from the environment (run.sh sets them): LOAD_MANIFEST (the accounts, prepare.py), LOAD_HOSTS
(the gunicorn instances, comma separated; people are spread across them), LOAD_RECORD (where the
record of every request and every save's answer is written at the end, for check.py), LOAD_THINK
(a factor on the think times, 1 by default), LOAD_SEED and LOAD_KEEP_DIR (where an answer the browser
cannot read as expected is kept whole, see `Browser.keep`).

The app sits behind an HTTPS-terminating proxy in production: the client sends X-Forwarded-Proto
https on loopback, as that proxy does, so that the app runs as it does there (secure cookies,
the CSRF checks of HTTPS)."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode, urljoin, urlsplit

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser
from locust.runners import STATE_CLEANUP, STATE_STOPPED, STATE_STOPPING

from loadtest import browser

MANIFEST = json.loads(open(os.environ["LOAD_MANIFEST"], encoding="utf-8").read())  # noqa: SIM115
HOSTS = os.environ["LOAD_HOSTS"].split(",")
THINK = float(os.environ.get("LOAD_THINK", "1"))
RANDOM = random.Random(int(os.environ.get("LOAD_SEED", "11")))
SUBMIT_SHARE = 0.15  # of the cycles that end with a submission of one saved row
EXTEND_SHARE = 0.25  # of the cycles where the page's idle-time dialog extends the session (the trivial view)
PAIR_ROWS = 3  # the two staff of a paired department both type into its first rows

KEEP_DIR = os.environ.get("LOAD_KEEP_DIR", "")
KEEP_AT_MOST = 50  # answers kept whole a run (each is up to a megabyte)

LOOP_TICK = 0.05  # the browsers' event loop is looked at this often: how late its timers fire

RECORD = {"requests": [], "saves": [], "submits": [], "approvals": [], "readback": [], "kept": [], "loop_lag": []}
_kept_count = itertools.count(1)
_entry_accounts = iter(MANIFEST["entry_users"])
_planner_accounts = iter(MANIFEST["planners"])
_host_turn = itertools.count()


def think(low: float, high: float) -> None:
    time.sleep(RANDOM.uniform(low, high) * THINK)  # gevent-patched: the user waits, the others go on


@events.request.add_listener
def _record_request(request_type, name, response_time, response_length, response=None, exception=None, **kw):
    status = getattr(response, "status_code", 0) if response is not None else 0
    start = kw.get("start_time") or time.time() - response_time / 1000
    RECORD["requests"].append([name, request_type, start, response_time, status])  # as measured


def _watch_the_loop():
    """How late a timer of the simulated browsers fires (their one gevent loop is busy reading a page):
    each request's time as measured includes such waits, which are the client's, not the server's."""
    while True:
        started = time.perf_counter()
        gevent.sleep(LOOP_TICK)
        RECORD["loop_lag"].append((time.perf_counter() - started - LOOP_TICK) * 1000)  # ms, rounded when printed


@events.test_start.add_listener
def _start_watching(environment, **_kw):
    gevent.spawn(_watch_the_loop)


@events.quitting.add_listener
def _write_record(environment, **_kw):
    times = os.times()
    RECORD["client_cpu"] = times.user + times.system  # this process: what the browsers took of the cores
    with open(os.environ["LOAD_RECORD"], "w", encoding="utf-8") as stream:
        json.dump(RECORD, stream)


def same_value(typed: str, shown: str) -> bool:
    """What was typed against what the page shows now (「1,816」 for 1816)."""
    return typed.replace(",", "").strip() == shown.replace(",", "").strip()


class BehindTheProxy(DefaultCookiePolicy):
    """The browser speaks HTTPS to the proxy: its secure cookies (__Host-sessionid, __Host-csrftoken)
    go along with the requests that reach the app over loopback HTTP."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser(FastHttpUser):
    """A person at a browser: a session of their own, one of the gunicorn instances."""

    abstract = True
    host = HOSTS[0]  # every URL is absolute: each person keeps to the instance given at the start
    network_timeout = 120.0
    connection_timeout = 30.0

    def on_start(self):
        self.base = HOSTS[next(_host_turn) % len(HOSTS)]
        self.client.cookiejar.set_policy(BehindTheProxy())
        self.fetched_assets: set[str] = set()
        self.page_url = ""
        self.document = None

    def stopping(self) -> bool:
        """The run's time is up: finish what is under way (a save), start nothing new."""
        return self.environment.runner is not None and self.environment.runner.state in (
            STATE_STOPPING,
            STATE_STOPPED,
            STATE_CLEANUP,
        )

    def headers(self, referer: str | None = None, **extra) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "ja"}
        if referer:
            origin = urlsplit(self.base)
            headers["Origin"] = f"https://{origin.netloc}"
            headers["Referer"] = "https://" + origin.netloc + urlsplit(referer).path
        headers.update(extra)
        return headers

    def call(self, method: str, url: str, name: str, *, referer=None, data=None, headers=None):
        url = urljoin(self.base, url)
        return self.client.request(
            method,
            url,
            name=name,
            data=urlencode(data) if data is not None else None,
            headers={
                **self.headers(referer),
                **({"Content-Type": "application/x-www-form-urlencoded"} if data is not None else {}),
                **(headers or {}),
            },
            allow_redirects=False,
        )

    def get_page(self, url: str, name: str):
        response = self.call("GET", url, name)
        if response.status_code == 200:
            self.page_url = urljoin(self.base, url)
            self.document = browser.parse(response.content)
            self.fetch_assets()
        return response

    def follow(self, response, name: str):
        """A 302's Location, fetched as the browser follows it."""
        if response.status_code in (301, 302, 303) and response.headers.get("Location"):
            return self.get_page(response.headers["Location"], name)
        return response

    def keep(self, why: str, method: str, url: str, response, *, data=None, attempts=(), **about) -> None:
        """An answer the browser could not read as expected (a status it does not expect, a page without
        the entry form, a row of a save missing from the page drawn after it): kept whole in
        LOAD_KEEP_DIR (the body as <n>.html, what was asked and answered as <n>.json) and listed in the
        record, so that check.py says where to look."""
        number = next(_kept_count)
        body = bytes(response.content or b"") if response is not None else b""
        headers = dict(response.headers.items()) if response is not None and response.headers is not None else {}
        about = {
            "number": number,
            "why": why,
            "user": getattr(self, "account", None) if isinstance(getattr(self, "account", None), str)
            else (getattr(self, "account", None) or {}).get("username"),
            "at": time.time(),
            "method": method,
            "url": urljoin(self.base, url),
            "page_url": self.page_url,
            "status": getattr(response, "status_code", 0),
            "headers": headers,
            "body_length": len(body),
            "body_complete": body.rstrip().endswith(b"</html>"),
            "rows_in_body": body.count(b'id="result-'),
            "results": [attempt["result"] for attempt in attempts],
            "row_in_body": {attempt["result"]: f'id="result-{attempt["result"]}"'.encode() in body
                            for attempt in attempts},
            "request": data or [],
            **about,
        }  # fmt: skip
        if KEEP_DIR and number <= KEEP_AT_MOST:
            os.makedirs(KEEP_DIR, exist_ok=True)
            with open(os.path.join(KEEP_DIR, f"{number}.html"), "wb") as stream:
                stream.write(body)
            with open(os.path.join(KEEP_DIR, f"{number}.json"), "w", encoding="utf-8") as stream:
                json.dump(about, stream, ensure_ascii=False, indent=1, default=str)
            about["file"] = os.path.join(KEEP_DIR, f"{number}.html")
        RECORD["kept"].append({key: about[key] for key in about if key not in ("request", "headers")})

    def fetch_assets(self):
        for url in browser.assets(self.document, self.base):
            if url not in self.fetched_assets:  # cached by the browser after the first time
                self.fetched_assets.add(url)
                self.call("GET", url, "static file")

    def log_in(self, username: str, password: str) -> bool:
        self.get_page("/login/", "login page")
        form = browser.form_posting_to(self.document, "/login/")
        values = []
        for name, value in browser.form_values(form):
            kind = next(element.get("type") for element in form.inputs if element.name == name)
            values.append((name, password if kind == "password" else username if kind == "text" else value))
        response = self.call("POST", form.get("action"), "log in", referer=self.page_url, data=values)
        if response.status_code != 302:
            return False
        self.follow(response, "home")
        return True


class DepartmentStaff(Browser):
    """An entry account of one department, typing its own indicators' actuals; two accounts of a
    paired department type into the same rows."""

    fixed_count = len(MANIFEST["entry_users"])
    wait_time = between(2 * THINK, 5 * THINK)

    def on_start(self):
        super().on_start()
        self.account = next(_entry_accounts)
        self.page_name = "entry page (big department)" if self.account["big"] else "entry page"
        self.saved: set[int] = set()
        self.carried: set[int] = set()  # rows whose typed values the last answer kept, not saved
        if not self.log_in(self.account["username"], MANIFEST["password"]):
            raise StopUser()
        self.follow(self.call("GET", "/entry/", "entry (redirect)"), self.page_name)

    def form(self):
        return browser.form_with_button(self.document, "save") if self.document is not None else None

    @task
    def cycle(self):
        form = self.form()
        if form is None:
            response = self.get_page(self.page_url or "/entry/", self.page_name)
            if response.status_code != 200 or browser.entry_form(self.document) is None:
                self.keep("the entry page without its form", "GET", self.page_url or "/entry/", response)
            return
        rows = browser.entry_rows(self.document, form)
        editable = [row for row in rows.values() if row.editable and not row.ticked]
        if self.account["pair"]:
            editable = editable[:PAIR_ROWS]
        changes: dict[str, str] = {}
        for row in RANDOM.sample(editable, min(len(editable), RANDOM.randint(1, 3))):
            if self.stopping():
                break
            think(1, 3)  # typing
            for name, shown in row.text_fields.items():
                typed = str(RANDOM.randint(1, 999))
                changes[name] = typed if not same_value(typed, shown) else str(int(typed) % 999 + 1)
            self.preview(form, row, changes)
        if RANDOM.random() < EXTEND_SHARE:
            self.call(
                "POST", "/session/extend/", "trivial: session extend", referer=self.page_url,
                headers=browser.hx_headers(self.document),
            )  # fmt: skip
        if changes or self.carried:
            self.save(form, rows, changes)
        if self.saved and RANDOM.random() < SUBMIT_SHARE and not self.stopping():
            self.submit()

    def preview(self, form, row, changes):
        """The row's live preview (htmx, after the person stops typing), with the row's fields."""
        if not row.preview_url:
            return
        values = browser.with_changes(browser.form_values(form), changes)
        wanted = set(row.preview_params)
        self.call(
            "POST", row.preview_url, "live preview", referer=self.page_url,
            data=[(name, value) for name, value in values if name in wanted],
            headers={"HX-Request": "true", **browser.hx_headers(self.document)},
        )  # fmt: skip

    def row_attempts(self, rows, typed: dict, changes) -> list[dict]:
        """The rows a POST of the page's form saves: those typed into now, and those carried since a
        conflict (their inputs still hold what this person typed: any button of the form saves them)."""
        attempts = []
        for row in rows.values():
            fields = {name: typed[name] for name in row.text_fields if name in changes}
            if row.result_id in self.carried:
                fields = {name: typed.get(name, "") for name in row.text_fields}
            if fields:
                attempts.append(
                    {
                        "user": self.account["username"],
                        "result": row.result_id,
                        "version": row.version,
                        "fields": fields,
                        "outcome": "unanswered",
                        "sent": time.time(),
                    }
                )
        RECORD["saves"].extend(attempts)
        return attempts

    def answered_on_page(self, attempts, answered, request) -> None:
        """The rows of a POST answered with the page drawn again (200): what the page says on each.
        `request` is (method, url, response, data) of that POST: kept whole when a row is missing."""
        after = browser.page_rows(self.document)
        for attempt in attempts:
            row = after.get(attempt["result"])
            attempt.update(answered=answered, status=200, outcome=self.outcome_on_page(attempt, row))
            if attempt["outcome"] == "accepted":
                self.saved.add(attempt["result"])
            elif attempt["outcome"] in (browser.CONFLICT, browser.FIELD_ERROR):
                self.carried.add(attempt["result"])
        missing = [attempt for attempt in attempts if attempt["outcome"] == "missing from the page"]
        if missing:
            method, url, response, data = request
            self.keep(
                "a row of the POST missing from the page drawn after it", method, url, response, data=data,
                attempts=missing, has_save_form=self.form() is not None, rows_read=len(after),
            )  # fmt: skip

    def save(self, form, rows, changes):
        values = browser.with_changes(browser.form_values(form), changes)
        attempts = self.row_attempts(rows, dict(values), changes)
        values = [(n, str(uuid.uuid4()) if n == "stash_token" else v) for n, v in values]
        values.append(browser.submit_button(form, "save") or ("action", "save"))
        started = time.perf_counter()
        response = self.call("POST", form.get("action"), "save draft", referer=self.page_url, data=values)
        answered = time.time()
        self.carried = set()
        if response.status_code == 302:
            page_before = self.page_url
            page = self.follow(response, self.page_name)
            if self.page_url != page_before or page.status_code != 200 or browser.entry_form(self.document) is None:
                self.keep("a save's redirect not back to a page with the entry form", "GET",
                          response.headers.get("Location") or "", page, data=values, attempts=attempts,
                          location=response.headers.get("Location"), page_before=page_before)  # fmt: skip
            events.request.fire(
                request_type="FLOW", name="save draft + page after it", response_time=(time.perf_counter() - started)
                * 1000, response_length=0, response=page, exception=None, context={},
            )  # fmt: skip
            after = browser.page_rows(self.document)
            for attempt in attempts:
                attempt.update(outcome="accepted", answered=answered, status=302)
                self.saved.add(attempt["result"])
                self.read_back(attempt, after.get(attempt["result"]))
            return
        if response.status_code != 200:
            for attempt in attempts:
                attempt.update(outcome=f"http {response.status_code}", answered=answered, status=response.status_code)
            self.keep("a save answered with neither 302 nor 200", "POST", form.get("action"), response, data=values,
                      attempts=attempts)  # fmt: skip
            return
        # Some rows were refused: the page is drawn again, saying why on each such row.
        self.document = browser.parse(response.content)
        self.answered_on_page(attempts, answered, ("POST", form.get("action"), response, values))

    @staticmethod
    def outcome_on_page(attempt, row) -> str:
        """A row of a save answered with the page drawn again: what the page says on it, else saved
        (its inputs hold what was typed), else dropped without a word."""
        if row is None:
            return "missing from the page"
        if row.says:
            return row.says
        shown = all(same_value(value, row.text_fields.get(name, "")) for name, value in attempt["fields"].items())
        if shown:
            return "accepted"
        if attempt["version"] and row.version and int(row.version) > int(attempt["version"]) + 1:
            return "accepted"  # saved, and saved again by someone since: check.py reads the record to be sure
        return "dropped without a message"

    def read_back(self, attempt, row):
        """After a save, the page shows the row as saved, unless someone saved it again since."""
        if row is None or attempt["version"] is None or row.version != str(int(attempt["version"]) + 1):
            return
        for name, value in attempt["fields"].items():
            if row.text_fields and not same_value(value, row.text_fields.get(name, "")):
                RECORD["readback"].append({**attempt, "shown": row.text_fields.get(name, ""), "field": name})

    def submit(self):
        """選択した項目を提出 of one row this person saved, still theirs to change."""
        form = self.form()
        if form is None:
            return
        rows = browser.entry_rows(self.document, form)
        candidates = [rows[pk] for pk in self.saved if pk in rows and rows[pk].editable and rows[pk].select_name]
        if not candidates:
            return
        think(1, 2)
        row = RANDOM.choice(candidates)
        values = browser.form_values(form) + [(row.select_name, "on")]
        saves = self.row_attempts(rows, dict(values), {})  # the form's carried rows are saved first
        values = [(n, str(uuid.uuid4()) if n == "stash_token" else v) for n, v in values]
        values.append(browser.submit_button(form, "submit_selected") or ("action", "submit_selected"))
        attempt = {"user": self.account["username"], "result": row.result_id, "version": row.version}
        RECORD["submits"].append(attempt)
        response = self.call("POST", form.get("action"), "submit", referer=self.page_url, data=values)
        answered = time.time()
        self.saved.discard(row.result_id)
        self.carried = set()
        if response.status_code == 302:
            self.follow(response, self.page_name)
            attempt["outcome"] = "submitted"
            for save in saves:
                save.update(outcome="accepted", answered=answered, status=302)
        elif response.status_code == 200:
            self.document = browser.parse(response.content)
            self.answered_on_page(saves, answered, ("POST", form.get("action"), response, values))
            shown = browser.page_rows(self.document).get(row.result_id)
            attempt["outcome"] = (
                shown.says if shown is not None and shown.says else "submitted" if not shown or not shown.editable
                else "not submitted, no message"
            )  # fmt: skip
        else:
            attempt["outcome"] = f"http {response.status_code}"
            self.keep("a submission answered with neither 302 nor 200", "POST", form.get("action"), response,
                      data=values, attempts=saves)  # fmt: skip


class PlanningSection(Browser):
    """The planning section working through the submitted items: a few at once from the queue
    (with its confirmation page), or one from its own page."""

    fixed_count = len(MANIFEST["planners"])
    wait_time = between(2 * THINK, 5 * THINK)

    def on_start(self):
        super().on_start()
        self.account = next(_planner_accounts)
        if not self.log_in(self.account, MANIFEST["password"]):
            raise StopUser()

    def queue(self):
        """The review queue, filtered on 提出済 through its filter form (a GET form)."""
        self.get_page("/review/", "review queue")
        for form in self.document.forms:
            if any(element.name == "status" for element in form.inputs):
                values = [
                    (name, "submitted" if name == "status" else value) for name, value in browser.form_values(form)
                ]
                if "status" not in dict(values):
                    values.append(("status", "submitted"))
                self.get_page(f"{urlsplit(self.page_url).path}?{urlencode(values)}", "review queue (filtered)")
                return
        return

    @task
    def work(self):
        self.queue()
        form = browser.form_posting_to(self.document, "/selection/")
        if form is None:
            return
        ids = sorted({element.get("value") for element in form.inputs if element.name == "selected"})
        if not ids:
            return
        think(2, 4)  # reading
        if RANDOM.random() < 0.5:
            self.approve_selection(form, RANDOM.sample(ids, min(3, len(ids))))
        else:
            self.approve_item(RANDOM.choice(ids))

    def approve_selection(self, form, chosen):
        values = [(name, value) for name, value in browser.form_values(form) if name != "selected"]
        values += [("selected", pk) for pk in chosen]
        values.append(("action", "approve"))
        response = self.call("POST", form.get("action"), "approve selection: confirmation page", data=values,
                             referer=self.page_url)  # fmt: skip
        if response.status_code != 200:
            self.record(chosen, f"http {response.status_code}")
            return
        page = browser.parse(response.content)
        confirm = next((form for form in page.forms if browser.button_named(form, "confirmed")), None)
        if confirm is None:  # someone decided one of them since: the page lists why (all or nothing)
            said = {level for level, _text in browser.messages(page)} or page.find_class("error-summary")
            self.record(chosen, "refused with a message" if said else "no confirmation form")
            return
        values = browser.form_values(confirm) + [browser.button_named(confirm, "confirmed")]
        response = self.call("POST", confirm.get("action"), "approve selection", data=values, referer=self.page_url)
        self.follow(response, "review queue")
        self.record(chosen, self.said())

    def approve_item(self, pk):
        self.get_page(f"/review/results/{pk}/", "review item")
        form = next((form for form in self.document.forms if (form.get("action") or "").endswith("/approve/")), None)
        if form is None:  # decided by another planner since the queue was read (check.py reads its status)
            self.record([pk], "no approve form")
            return
        think(1, 2)
        response = self.call("POST", form.get("action"), "approve item", data=browser.form_values(form),
                             referer=self.page_url)  # fmt: skip
        self.follow(response, "review item")
        self.record([pk], self.said())

    def said(self) -> str:
        levels = {level for level, _text in browser.messages(self.document)} if self.document is not None else set()
        return "approved" if levels == {"success"} else "refused with a message" if levels else "no message"

    def record(self, ids, outcome):
        for pk in ids:
            RECORD["approvals"].append({"user": self.account, "result": int(pk), "outcome": outcome})


class LoadBalancer(FastHttpUser):
    """The load balancer's health check, every second on each instance in turn."""

    fixed_count = 1
    wait_time = constant(1)
    host = HOSTS[0]

    @task
    def probe(self):
        self.client.request("GET", urljoin(HOSTS[next(_host_turn) % len(HOSTS)], "/healthz"), name="healthz (probe)")
