"""The load test's database, made before the servers start (the project's venv, production settings):
`python -m loadtest.prepare --manifest FILE [--indicators 2500] [--users 100] [--pairs 5] [--planners 3]`

Migrates the database of DATABASE_URL (loadtest/run.sh gives it an empty one), builds the synthetic
plan with bench/builders.py (2,500 indicators in 200 departments by default; the year open, three
days to the deadline, results filled through the services) and the people of the rush: one entry
account on each of the first departments, a second one on a few of them (the pairs, typing into the
same rows), and the planning section. Writes the accounts to FILE (JSON) for the simulated browsers,
and says what it built.

`python -m loadtest.prepare --create-database URL` / `--drop-database URL`: the database beside the
one of URL that a run uses (<name>_loadtest), made afresh or dropped; prints its URL."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

LOAD_SUFFIX = "_loadtest"


def load_database_url(url: str) -> str:
    base, _slash, name = url.rpartition("/")
    name, _q, query = name.partition("?")
    return f"{base}/{name}{LOAD_SUFFIX}" + (f"?{query}" if query else "")


def _admin(url: str, statement: str) -> None:
    """A statement outside any transaction on the server of `url` (CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(url.partition("?")[0], autocommit=True) as connection:
        connection.execute(statement)


def create_database(url: str) -> str:
    target = load_database_url(url)
    name = target.rpartition("/")[2].partition("?")[0]
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')
    return target


def drop_database(url: str) -> None:
    name = load_database_url(url).rpartition("/")[2].partition("?")[0]
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_people(bench, *, users: int, pairs: int, planners: int) -> dict:
    """The rush's accounts: the first `users - pairs` departments' entry accounts (the big one
    first), a second entry account on `pairs` of them, and `planners` of the planning section."""
    from django.contrib.auth import get_user_model

    from departments.enums import Role
    from departments.models import Membership

    user_model = get_user_model()
    password = bench.planner.password  # the same hash: one PBKDF2 for every account
    departments = bench.departments[: users - pairs]
    if len(departments) < users - pairs or pairs > len(departments) - 1:
        raise SystemExit(f"{users} users with {pairs} pairs need {users - pairs} departments; the plan has fewer.")
    paired = departments[1 : 1 + pairs]  # typical departments (the big one stays single)
    seconds = user_model.objects.bulk_create(
        [user_model(username=f"{bench.entry_user(d).username}b", password=password, first_name=d.name) for d in paired]
    )
    Membership.objects.bulk_create(
        Membership(user=user, department=department, role=Role.ENTRY)
        for user, department in zip(seconds, paired, strict=True)
    )
    staff = [bench.planner.username, bench.reviewer.username]
    extra = user_model.objects.bulk_create(
        user_model(username=f"bench-planning{index}", password=password) for index in range(3, planners + 1)
    )
    Membership.objects.bulk_create(Membership(user=user, department=bench.big, role=Role.PLANNING) for user in extra)
    staff += [user.username for user in extra]
    paired_ids = {department.pk for department in paired}
    entry_users = [
        {
            "username": bench.entry_user(department).username,
            "department": department.pk,
            "big": department.pk == bench.big.pk,
            "pair": department.pk in paired_ids,
        }
        for department in departments
    ]
    entry_users += [
        {"username": user.username, "department": department.pk, "big": False, "pair": True}
        for user, department in zip(seconds, paired, strict=True)
    ]
    return {"entry_users": entry_users, "planners": staff[:planners]}


def build(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from bench.builders import BENCH_PASSWORD, build_plan
    from bench.plan import PlanShape

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    shape = PlanShape.of_size(args.indicators)
    bench = build_plan(shape)
    people = add_people(bench, users=args.users, pairs=args.pairs, planners=args.planners)
    rows = {department.pk: bench.results_of(department).count() for department in bench.departments}
    chosen = {user["department"] for user in people["entry_users"]}
    manifest = {
        "password": BENCH_PASSWORD,
        "fiscal_year": bench.fiscal_year,
        "indicators": args.indicators,
        "departments": shape.departments,
        "statuses": bench.statuses,
        "rows_of_their_departments": sorted(rows[pk] for pk in chosen),
        **people,
    }
    Path(args.manifest).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    print(
        f"== Built in {time.perf_counter() - started:.0f} s: {args.indicators:,} indicators in {shape.departments}"
        f" departments {bench.statuses}; {len(people['entry_users'])} department staff on {len(chosen)} departments"
        f" ({args.pairs} of them with two staff typing into the same rows), {len(people['planners'])} planning staff",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.prepare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", help="where to write the accounts (JSON)")
    parser.add_argument("--indicators", type=int, default=2500)
    parser.add_argument("--users", type=int, default=100, help="department staff (100)")
    parser.add_argument("--pairs", type=int, default=5, help="departments with two staff on the same rows (5)")
    parser.add_argument("--planners", type=int, default=3, help="planning section staff (3)")
    parser.add_argument("--create-database", metavar="URL")
    parser.add_argument("--drop-database", metavar="URL")
    args = parser.parse_args(argv)
    if args.create_database:
        print(create_database(args.create_database))
        return 0
    if args.drop_database:
        drop_database(args.drop_database)
        return 0
    if not args.manifest:
        parser.error("--manifest is needed to build")
    if args.planners < 1 or args.users < 1 or not 0 <= args.pairs < args.users:
        parser.error("at least one department user and one planner; fewer pairs than users")
    build(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
