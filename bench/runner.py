"""`python -m bench`: for each size, a database of its own (created, then dropped), the synthetic plan
built in it, every page and command measured, and the table printed side by side and written to
BENCHMARKS.md. Needs PostgreSQL (DATABASE_URL); bench/run.sh starts a private one when none is given.

    python -m bench [--sizes 250,2500] [--repeat 5] [--budget 60] [--only entry_big,save_1]
                    [--note before] [--output BENCHMARKS.md] [--write | --no-write]

Exits 1 when a measured page or command answers wrongly (BenchFailure), 2 on a bad option."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ORDER = [
    "trivial",
    "home",
    "entry_typical",
    "entry_big",
    "entry_floor",
    "preview",
    "save_1",
    "save_50",
    "submit",
    "review_queue",
    "review_item",
    "progress",
    "audit",
    "audit_csv",
    "sheet_download",
    "sheet_upload",
    "sheet_preview",
    "sheet_confirm",
    "report_html",
    "report_pdf",
    "report_pdf_ask",
    "export_csv",
    "export_xlsx",
    "import_plan",
    "bulk_create",
    "bulk_create_history",
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250,2500", help="indicators of each plan, comma separated (250,2500)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each measurement (5)")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds of timed runs per measurement before no further run starts (60)",
    )
    parser.add_argument("--only", default="", help="measure only these (comma separated): " + ", ".join(ORDER))
    parser.add_argument("--note", default="", help="a word for the run's heading in BENCHMARKS.md (e.g. before)")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parent.parent / "BENCHMARKS.md"))
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write BENCHMARKS.md (default: unless --only)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes numbers: --sizes 250,2500")
    if not args.sizes or min(args.sizes) < 20:
        parser.error("--sizes: at least one plan of 20 indicators or more")
    args.only = {name.strip() for name in args.only.split(",") if name.strip()}
    if unknown := args.only - set(ORDER):
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}; choose among {', '.join(ORDER)}")
    if args.repeat < 1 or args.budget < 0:
        parser.error("--repeat is at least 1, --budget at least 0")
    if args.write is None:
        args.write = not args.only
    return args


def measure_size(indicators: int, args, folder: Path):
    """Build the plan of `indicators` in the current database and measure it: a SizeRun."""
    from bench.builders import build_plan
    from bench.commands import Commands
    from bench.measure import Timer
    from bench.pages import Pages
    from bench.plan import PlanShape
    from bench.report import SizeRun

    shape = PlanShape.of_size(indicators)
    started = time.perf_counter()
    bench = build_plan(shape)
    built = time.perf_counter() - started
    size = SizeRun(
        indicators=indicators,
        departments=shape.departments,
        big_rows=bench.results_of(bench.big).count(),
        build_seconds=built,
        statuses=bench.statuses,
    )
    print(
        f"== {indicators:,} indicators, {shape.departments} departments: built in {built:.0f} s {bench.statuses}",
        flush=True,
    )
    pages = Pages(bench)
    timer = Timer(repeat=args.repeat, budget=args.budget)
    trivial = pages.trivial()
    measurements = [trivial, *pages.measurements(), *Commands(bench, folder).measurements()]
    for measurement in measurements:
        if args.only and measurement.name not in args.only | {"trivial"}:
            continue
        floor = None if measurement is trivial else timer.floor(trivial)
        sample = timer.measure(measurement)
        sample.floor = floor
        size.samples[measurement.name] = sample
        size.labels[measurement.name] = measurement.label
        print(
            f"   {measurement.label[:50]:<50} {sample.queries:>6} queries {sample.median * 1000:>10.1f} ms"
            f" ({len(sample.times)} timed)",
            flush=True,
        )
    for measurement in measurements:  # after every run: a note may tell what a later one found (pages)
        if (sample := size.samples.get(measurement.name)) is not None:
            timed = len(sample.times)
            runs = f"{timed} timed run{'s' if timed > 1 else ''}" if timed < (measurement.repeat or args.repeat) else ""
            sample.note = ", ".join(part for part in (measurement.note(), runs) if part)
    return size


def run(args) -> str:
    """Every size in its own database; returns the run's section of BENCHMARKS.md."""
    from django.db import connection

    from bench import report

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark measures PostgreSQL: set DATABASE_URL (make bench starts a private server).")
    load_start = os.getloadavg()
    sizes = []
    with tempfile.TemporaryDirectory(prefix="mezasu-bench-") as folder:
        for indicators in args.sizes:
            old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                sizes.append(measure_size(indicators, args, Path(folder)))
                machine_lines = report.machine(load_start, os.getloadavg())
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
    return report.section(
        sizes,
        ORDER,
        repeat=args.repeat,
        budget=args.budget,
        machine_lines=machine_lines,
        note=args.note,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench.measure import BenchFailure
    from bench.report import write

    try:
        text = run(args)
    except BenchFailure as failure:
        print(f"\nBENCHMARK FAILED: {failure}", file=sys.stderr)
        return 1
    print("\n" + text)
    if args.write:
        write(Path(args.output), text)
        print(f"Written to {args.output}")
    return 0
