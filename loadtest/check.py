"""After the rush (the servers stopped): the figures and the checks, from what the simulated browsers
recorded (every request, every save's answer per row) and what the database holds.
`python -m loadtest.check --manifest FILE --record FILE [--setup TEXT] [--load-before "1.0 1.1 1.2"]`

Figures: throughput, p50/p95/p99 per action (exact, from every request), the entry page's p50 next to
the trivial view's (the idle-time dialog's session extension: a signed-in request that reads and
saves the session and renders nothing) and the health probe's, under the same load.

Checks (exit 1 when one fails):
- no 5xx and no request left unanswered;
- every value the server accepted is in the database, unless a later accepted save of the same field
  replaced it; and its save is on the record (a history row of the next version, by that person);
- no two saves accepted from the same version of a row (an update lost);
- every conflicting save (another save or submission took the next version of the row first) was
  answered with the conflict message, or with the row's no-longer-yours message;
- no value dropped without a message: every save of a row was saved or answered with a message on
  the row, and a row said not to be saved was not saved;
- each row the page said was submitted is submitted or approved, each item said approved is approved."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACTUAL_FIELD = re.compile(r"actual_(\d+)$")
MESSAGES = ("conflict", "not_taken", "field_error")
ORDER = [
    "login page",
    "log in",
    "home",
    "entry (redirect)",
    "entry page",
    "entry page (big department)",
    "live preview",
    "save draft",
    "save draft + page after it",
    "submit",
    "trivial: session extend",
    "healthz (probe)",
    "review queue",
    "review queue (filtered)",
    "approve selection: confirmation page",
    "approve selection",
    "review item",
    "approve item",
    "static file",
]
SLACK = timedelta(seconds=2)  # the browsers' clock and the database's are the same machine's


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank, of the times of an action that ran at least once (the callers list only those)."""
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def same_value(typed: str, shown: str) -> bool:
    return typed.replace(",", "").strip() == shown.replace(",", "").strip()


# Figures ----------------------------------------------------------------------------------------------


def figures(requests: list, logins_done: float | None) -> tuple[list[str], dict]:
    by_name: dict[str, list] = defaultdict(list)
    for name, kind, start, elapsed, status in requests:
        by_name[name].append((start, elapsed, status, kind))
    real = [request for request in requests if request[1] != "FLOW"]
    first = min(request[2] for request in real)
    last = max(request[2] + request[3] / 1000 for request in real)
    lines = [
        f"Throughput: {len(real):,} requests in {last - first:.0f} s = {len(real) / (last - first):.1f} requests/s",
    ]
    if logins_done:
        steady = [request for request in real if request[2] >= logins_done]
        if steady and last > logins_done:
            lines.append(
                f"  after every login (from +{logins_done - first:.0f} s): {len(steady) / (last - logins_done):.1f}"
                " requests/s"
            )
    lines.append("")
    lines.append(f"{'action':<38}{'count':>7}{'5xx':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    summary = {}
    names = [name for name in ORDER if name in by_name] + sorted(set(by_name) - set(ORDER))
    for name in names:
        times = sorted(elapsed for _start, elapsed, _status, _kind in by_name[name])
        errors = sum(1 for _start, _elapsed, status, _kind in by_name[name] if status >= 500)
        summary[name] = {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "count": len(times)}
        lines.append(
            f"{name:<38}{len(times):>7}{errors:>6}{percentile(times, 0.5):>9.0f}{percentile(times, 0.95):>9.0f}"
            f"{percentile(times, 0.99):>9.0f}{times[-1]:>9.0f}"
        )
        if logins_done and name in ("entry page", "save draft", "save draft + page after it"):
            steady = sorted(elapsed for start, elapsed, _s, _k in by_name[name] if start >= logins_done)
            if steady:
                lines.append(
                    f"{'  after every login':<38}{len(steady):>7}{'':>6}{percentile(steady, 0.5):>9.0f}"
                    f"{percentile(steady, 0.95):>9.0f}{percentile(steady, 0.99):>9.0f}{steady[-1]:>9.0f}"
                )
    entry, trivial, probe = (summary.get(name) for name in ("entry page", "trivial: session extend", "healthz (probe)"))
    if entry and trivial:
        lines.append("")
        lines.append(
            f"Entry page p50 {entry['p50']:.0f} ms = {entry['p50'] / trivial['p50']:.1f} × the trivial view's"
            f" p50 {trivial['p50']:.0f} ms (signed-in session extension) under the same load"
            + (f"; the health probe's p50 {probe['p50']:.0f} ms" if probe else "")
        )
    return lines, summary


SERVER_ACTIONS = [  # (the client's name of the action, the server's method and path)
    ("log in", "POST", re.compile(r"^/login/$")),
    ("entry page", "GET", re.compile(r"^/entry/\d+/\d+/$")),
    ("live preview", "POST", re.compile(r"^/entry/results/\d+/preview/$")),
    ("save draft", "POST", re.compile(r"^/entry/\d+/\d+/save/$")),
    ("trivial: session extend", "POST", re.compile(r"^/session/extend/$")),
]


def read_access_logs(paths: list[str]) -> dict[str, list[float]]:
    """{action: the server's times in ms} from gunicorn's access logs (`METHOD PATH STATUS µs` a line):
    from the request read to the answer written, without the wait for a free worker before."""
    times: dict[str, list[float]] = defaultdict(list)
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) != 4 or not parts[3].isdigit():
                continue
            method, url, _status, micros = parts
            for name, wanted, pattern in SERVER_ACTIONS:
                if method == wanted and pattern.match(url):
                    times[name].append(int(micros) / 1000)
                    break
    return times


def server_and_client(requests: list, server: dict[str, list[float]], loop_lag: list[float]) -> list[str]:
    """Each action's p50/p95 in the server (its access log) beside the browsers' (the same requests, as
    measured by the client: the wait for a free worker, and the client's own delays, included), and how
    late the browsers' event loop ran (its timers fire late while it reads a page)."""
    lines = []
    if server:
        lines += [
            "",
            "In the server (gunicorn's access log) and as the browsers measured it (waiting for a free worker",
            "and the browsers' own delays included):",
            f"{'action':<38}{'server p50':>11}{'p95':>7}{'browser p50':>13}{'p95':>7}",
        ]
        for name, _method, _pattern in SERVER_ACTIONS:
            own = sorted(server.get(name, []))
            measured = sorted(t for action, kind, _s, t, _st in requests if action == name and kind != "FLOW")
            if own and measured:
                lines.append(
                    f"{name + (' (all departments)' if name == 'entry page' else ''):<38}"
                    f"{percentile(own, 0.5):>11.0f}{percentile(own, 0.95):>7.0f}"
                    f"{percentile(measured, 0.5):>13.0f}{percentile(measured, 0.95):>7.0f}"
                )
        lines.append("  (save draft: the server's row counts every POST of the entry form, submissions too)")
    if loop_lag:
        lag = sorted(loop_lag)
        lines.append(
            f"The browsers' event loop (one process): its timers fired late by p50 {percentile(lag, 0.5):.0f} ms,"
            f" p95 {percentile(lag, 0.95):.0f} ms, max {lag[-1]:.0f} ms (a request in flight then waits as long)"
        )
    return lines


# Checks -----------------------------------------------------------------------------------------------


class Checks:
    def __init__(self):
        self.results: list[tuple[bool, str, list[str]]] = []

    def add(self, ok: bool, text: str, problems: list[str] | None = None):
        self.results.append((ok, text, problems or []))

    @property
    def ok(self) -> bool:
        return all(ok for ok, _text, _problems in self.results)

    def lines(self) -> list[str]:
        out = []
        for ok, text, problems in self.results:
            out.append(f"  [{'ok' if ok else 'FAILED'}] {text}")
            out += [f"      {problem}" for problem in problems[:10]]
            if len(problems) > 10:
                out.append(f"      … and {len(problems) - 10} more")
        return out


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def check_ran(record: dict, manifest: dict, checks: Checks) -> None:
    """The rush happened: everyone signed in, and saves were answered (else every other check holds
    for nothing)."""
    people = len(manifest["entry_users"]) + len(manifest["planners"])
    signed_in = sum(1 for name, _k, _s, _e, status in record["requests"] if name == "log in" and status == 302)
    answered = sum(1 for save in record["saves"] if save["outcome"] != "unanswered")
    checks.add(
        signed_in == people and answered > 0,
        f"the rush ran: {signed_in} of {people} people signed in, {answered:,} row saves answered",
    )


def check_http(record: dict, checks: Checks) -> None:
    statuses = Counter(status for _name, kind, _start, _elapsed, status in record["requests"] if kind != "FLOW")
    failed = [f"{status}: {count}" for status, count in sorted(statuses.items()) if status >= 500 or status == 0]
    by_name = Counter(
        (name, status) for name, kind, _s, _e, status in record["requests"] if kind != "FLOW" and status >= 500
    )
    checks.add(
        not failed,
        f"no 5xx and no request unanswered ({sum(statuses.values()):,} requests: "
        + ", ".join(f"{status} × {count:,}" for status, count in sorted(statuses.items()))
        + ")",
        [*failed, *(f"{name}: {status} × {count}" for (name, status), count in by_name.items())],
    )


def stored_values(field_names: set[tuple[int, str]]) -> tuple[dict, set]:
    """What the entry page would show now in each (result, field) typed into: the stored actual as
    its input shows it. Fields the load test cannot map to a column are returned apart."""
    from evaluation.forms import actual_as_typed
    from evaluation.models import ResultValue

    value_ids = {int(match.group(1)): key for key in field_names if (match := ACTUAL_FIELD.search(key[1])) is not None}
    values = ResultValue.objects.select_related("result__indicator").in_bulk(list(value_ids))
    shown = {}
    for value_id, key in value_ids.items():
        value = values.get(value_id)
        if value is not None and value.result_id == key[0]:
            shown[key] = actual_as_typed(value)
    return shown, field_names - set(shown)


def check_values(saves: list[dict], checks: Checks) -> None:
    accepted = [save for save in saves if save["outcome"] == "accepted"]
    by_field: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for save in accepted:
        for name in save["fields"]:
            by_field[(save["result"], name)].append(save)
    shown, unmapped = stored_values(set(by_field))
    unanswered = defaultdict(list)
    for save in saves:
        if save["outcome"] == "unanswered":
            for name, value in save["fields"].items():
                unanswered[(save["result"], name)].append(value)
    wrong, inconclusive = [], 0
    for key, field_saves in by_field.items():
        if key not in shown:
            continue
        last = max(field_saves, key=lambda save: (int(save["version"] or 0), save.get("answered", 0)))
        if same_value(last["fields"][key[1]], shown[key]):
            continue
        if any(same_value(value, shown[key]) for value in unanswered[key]):
            inconclusive += 1
            continue
        wrong.append(
            f"result {key[0]} {key[1]}: the database holds {shown[key]!r}, the last accepted save"
            f" ({last['user']}, from version {last['version']}) sent {last['fields'][key[1]]!r}"
        )
    checks.add(
        not wrong,
        f"every value in the database is the last one the server accepted ({len(shown):,} fields typed into"
        f" by {len(accepted):,} accepted row saves"
        + (f"; {inconclusive} hold a save left unanswered at the stop" if inconclusive else "")
        + (f"; {len(unmapped)} fields not read: no actual_<id> in their names" if unmapped else "")
        + ")",
        wrong,
    )
    same_version = Counter((save["result"], save["version"]) for save in accepted if save["version"])
    lost = [f"result {result} from version {version}: {count} saves accepted"
            for (result, version), count in same_version.items() if count > 1]  # fmt: skip
    checks.add(not lost, "no two saves accepted from the same version of a row (no update lost)", lost)


def check_history(saves: list[dict], checks: Checks) -> None:
    """Each save's answer against the record: who took the next version of the row, and when."""
    from django.contrib.auth import get_user_model

    from evaluation.models import Result

    answered = [save for save in saves if save["outcome"] != "unanswered" and save["version"]]
    results = {save["result"] for save in answered}
    history = Result.history.model.objects.filter(id__in=results).values_list(
        "id", "version", "history_user_id", "history_date"
    )
    by_version: dict[tuple[int, int], list[tuple[int, datetime]]] = defaultdict(list)
    for result_id, version, user_id, when in history:
        by_version[(result_id, version)].append((user_id, when))
    users = dict(get_user_model().objects.values_list("username", "pk"))
    not_recorded, said_refused_but_saved, conflicting, unanswered_conflict, messages = [], [], 0, [], Counter()
    false_conflicts = 0
    for save in answered:
        user_id, version = users.get(save["user"]), int(save["version"])
        sent, answered_at = _when(save["sent"]) - SLACK, _when(save.get("answered", save["sent"])) + SLACK
        next_version = by_version.get((save["result"], version + 1), [])
        ours = any(uid == user_id and sent <= when <= answered_at for uid, when in next_version)
        theirs = any(not (uid == user_id and sent <= when <= answered_at) for uid, when in next_version)
        where = f"result {save['result']} from version {version} by {save['user']} ({save['outcome']})"
        if save["outcome"] == "accepted" and not ours:
            not_recorded.append(where + ": no history row of the next version by this person")
        if save["outcome"] in MESSAGES and ours:
            said_refused_but_saved.append(where + ": the page said not saved, the history shows it saved")
        if theirs and not ours:
            conflicting += 1
            messages[save["outcome"]] += 1
            if save["outcome"] not in ("conflict", "not_taken"):
                unanswered_conflict.append(where + ": someone else took the next version first")
        if save["outcome"] == "conflict" and not next_version:
            false_conflicts += 1
    checks.add(
        not not_recorded and not said_refused_but_saved,
        f"every accepted save is on the record as the row's next version by its author ({len(answered):,} answered"
        " row saves), and no row said to be refused was saved",
        not_recorded + said_refused_but_saved,
    )
    checks.add(
        not unanswered_conflict,
        f"every conflicting save answered with the conflict message ({conflicting} conflicting row saves:"
        f" {messages['conflict']} with the conflict message, {messages['not_taken']} with the row's"
        " no-longer-yours message"
        + (f"; {false_conflicts} conflicts with no newer version on the record" if false_conflicts else "")
        + ")",
        unanswered_conflict,
    )


def check_messages(record: dict, checks: Checks) -> None:
    silent = [
        f"result {save['result']} by {save['user']}: {save['outcome']}"
        for save in record["saves"]
        if save["outcome"] not in ("accepted", "unanswered", *MESSAGES) and not save["outcome"].startswith("http")
    ]
    silent += [
        f"result {item['result']} by {item['user']} (field {item['field']}): saved, but the page after the save"
        f" shows {item['shown']!r} for {item['fields'][item['field']]!r}"
        for item in record["readback"]
    ]
    outcomes = Counter(save["outcome"] for save in record["saves"])
    checks.add(
        not silent,
        "no value dropped without a message (row saves: "
        + ", ".join(f"{outcome} {count:,}" for outcome, count in outcomes.most_common())
        + ")",
        silent,
    )


def check_workflow(record: dict, checks: Checks) -> None:
    from evaluation.domain.enums import ResultStatus
    from evaluation.models import Result

    ids = {item["result"] for item in record["submits"] + record["approvals"]}
    status = dict(Result.objects.filter(pk__in=ids).values_list("pk", "status"))
    wrong = [
        f"result {item['result']}: said submitted, now {status[item['result']]}"
        for item in record["submits"]
        if item.get("outcome") == "submitted"
        and status[item["result"]] not in (ResultStatus.SUBMITTED, ResultStatus.APPROVED)
    ]
    wrong += [
        f"result {item['result']}: said approved, now {status[item['result']]}"
        for item in record["approvals"]
        if item["outcome"] == "approved" and status[item["result"]] != ResultStatus.APPROVED
    ]
    wrong += [
        f"result {item['result']} by {item['user']}: {item.get('outcome', 'unanswered')}"
        for item in record["submits"] + record["approvals"]
        if item.get("outcome") in ("not submitted, no message", "no message", "no confirmation form")
    ]
    # An item page without its approve button is right when another planner decided the item first.
    wrong += [
        f"result {item['result']} by {item['user']}: no approve form, and the item still waits"
        for item in record["approvals"]
        if item["outcome"] == "no approve form" and status[item["result"]] == ResultStatus.SUBMITTED
    ]
    submits = Counter(item.get("outcome", "unanswered") for item in record["submits"])
    approvals = Counter(item["outcome"] for item in record["approvals"])
    checks.add(
        not wrong,
        "each row said submitted is submitted or approved, each item said approved is approved (submissions: "
        + (", ".join(f"{outcome} {count}" for outcome, count in submits.most_common()) or "none")
        + "; approvals: "
        + (", ".join(f"{outcome} {count}" for outcome, count in approvals.most_common()) or "none")
        + ")",
        wrong,
    )


def kept_line(item: dict) -> str:
    """One answer the browser kept (locustfile.Browser.keep), on a line."""
    rows = ", ".join(f"{pk}{'' if present else ' (not in the body)'}" for pk, present in item["row_in_body"].items())
    return (
        f"#{item['number']} {item['why']}: {item['user']} {item['method']} {item['url']} → {item['status']},"
        f" {item['body_length']:,} bytes{'' if item['body_complete'] else ' (no </html> at the end)'},"
        f" {item['rows_in_body']} rows" + (f"; rows {rows}" if rows else "") + f" — {item.get('file', 'not kept')}"
    )


def machine(load_before: str) -> list[str]:
    from django.db import connection

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    load_after = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"Machine: {os.cpu_count()} cores ({model}), PostgreSQL {version}; load average (1, 5, 15 min)"
        f" before {load_before or '?'}, after {load_after}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--setup", default="", help="a line saying how the servers ran")
    parser.add_argument("--load-before", default="")
    parser.add_argument("--server-cpu", type=float, help="CPU seconds the gunicorn processes took")
    parser.add_argument("--access-logs", nargs="*", default=[], help="gunicorn's access logs (METHOD PATH STATUS µs)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    manifest = json.loads(Path(args.manifest).read_text(encoding="utf-8"))
    record = json.loads(Path(args.record).read_text(encoding="utf-8"))
    if not record["requests"]:
        print("The load test recorded no request.", file=sys.stderr)
        return 1
    logins = [start + elapsed / 1000 for name, _k, start, elapsed, _s in record["requests"] if name == "log in"]
    print()
    print(
        f"== The rush: {len(manifest['entry_users'])} department staff, {len(manifest['planners'])} planning staff"
        f" and a health probe; {manifest['indicators']:,} indicators in {manifest['departments']} departments"
        f" (their departments hold {min(manifest['rows_of_their_departments'])}–"
        f"{max(manifest['rows_of_their_departments'])} rows)"
    )
    if args.setup:
        print(args.setup)
    for line in machine(args.load_before):
        print(line)
    print()
    lines, _summary = figures(record["requests"], max(logins) if logins else None)
    print("\n".join(lines))
    served = sum(1 for _name, kind, *_rest in record["requests"] if kind != "FLOW")
    cpu = []
    if args.server_cpu:
        cpu.append(f"the servers {args.server_cpu:.0f} s = {args.server_cpu / served * 1000:.0f} ms a request")
    if record.get("client_cpu"):
        cpu.append(f"the simulated browsers (locust) {record['client_cpu']:.0f} s")
    if cpu:
        print("CPU time: " + "; ".join(cpu) + " (PostgreSQL's not counted)")
    for line in server_and_client(record["requests"], read_access_logs(args.access_logs), record.get("loop_lag", [])):
        print(line)
    checks = Checks()
    check_ran(record, manifest, checks)
    check_http(record, checks)
    check_values(record["saves"], checks)
    check_history(record["saves"], checks)
    check_messages(record, checks)
    check_workflow(record, checks)
    print("\nChecks:")
    print("\n".join(checks.lines()))
    kept = record.get("kept", [])
    if kept:
        print(f"\nAnswers the browsers could not read as expected, kept whole ({len(kept)}):")
        for item in kept[:20]:
            print("  " + kept_line(item))
    print("\n" + ("All checks passed." if checks.ok else "SOME CHECKS FAILED."))
    return 0 if checks.ok else 1


if __name__ == "__main__":
    sys.exit(main())
