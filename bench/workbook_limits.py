"""What reading and checking a large plan workbook costs, to set the plan workbook's caps
(evaluation/workbook/limits.py, docs/uploads.md): a multi-year workbook of the benchmark's 2,500-indicator
plan (bench/plan.py, 2,525 rows a year), cut to 4,000, 13,000 and 20,000 rows, as CSV and as XLSX, each
read by the one reader and checked by the plan's row checks in a fresh process (the caps lifted there),
which prints its time and memory:

    DJANGO_DEBUG=1 python -m bench.workbook_limits [ROWS ...]

Peak memory twice: the resident size's peak above the process's before the read (Linux VmHWM, reset
first), and in a second process the peak of Python's allocations (tracemalloc; slower, so not timed).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = (4_000, 13_000, 20_000)
LIFTED = {
    "max_bytes": 1 << 30,
    "max_rows": 1_000_000,
    "max_part_bytes": 1 << 30,
    "max_unpacked_bytes": 1 << 30,
    "max_cell_elements": 100_000_000,
    "max_string_elements": 100_000_000,
}


def multi_year_rows(rows: int) -> list[dict[str, str]]:
    """`rows` data rows: the 2,500-indicator plan's year repeated over as many years as it takes."""
    from bench.plan import FISCAL_YEAR, PlanShape, synthetic_plan
    from evaluation.domain.fiscal_year import display_period

    one_year = synthetic_plan(PlanShape.of_size(2_500)).rows
    years = -(-rows // len(one_year))
    period = display_period(FISCAL_YEAR, FISCAL_YEAR + years - 1)
    out = []
    for offset in range(years):
        out.extend({**row, "年度": str(FISCAL_YEAR + offset), "計画期間": period} for row in one_year)
    return out[:rows]


def write_file(rows: list[dict[str, str]], fmt: str, path: Path) -> Path:
    header = list(rows[0])
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        return path
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    book.save(path)
    return path


def _peak_resident_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def measure_one(path: str, traced: bool) -> dict:
    """In this (fresh) process: read and check the file; the time and the memory it took."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import tracemalloc

    from django.conf import settings

    from evaluation.domain import scheme_files
    from evaluation.workbook.limits import FileKind
    from evaluation.workbook.plan_checks import RowChecker
    from evaluation.workbook.reader import read_workbook

    settings.MEZASU_FILE_LIMITS = {str(FileKind.PLAN_WORKBOOK): LIFTED}
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the resident size now
    before = _peak_resident_kib()
    if traced:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    rows = read_workbook(path, kind=FileKind.PLAN_WORKBOOK)
    read_s = time.perf_counter() - started
    checker = RowChecker(scheme_files.default_scheme())
    checker.check(rows)
    out = {
        "rows": len(rows),
        "errors": len(checker.errors),
        "read_s": read_s,
        "total_s": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu,
        "resident_peak_mib": (_peak_resident_kib() - before) / 1024,
    }
    if traced:
        out["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    return out


def main(sizes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        print("rows, format, bytes, read s, read+check s, CPU s, resident peak MiB, allocated peak MiB")
        for size in sizes:
            rows = multi_year_rows(size)
            for fmt in ("csv", "xlsx"):
                path = write_file(rows, fmt, Path(folder) / f"plan-{size}.{fmt}")
                runs = [
                    json.loads(
                        subprocess.run(
                            [sys.executable, "-m", "bench.workbook_limits", "--one", str(path), traced],
                            check=True,
                            capture_output=True,
                            text=True,
                        ).stdout.splitlines()[-1]
                    )
                    for traced in ("", "traced")
                ]
                timed, traced_run = runs
                print(
                    f"{size:,}, {fmt}, {path.stat().st_size:,}, {timed['read_s']:.2f}, {timed['total_s']:.2f}, "
                    f"{timed['cpu_s']:.2f}, {timed['resident_peak_mib']:.1f}, {traced_run['traced_peak_mib']:.1f}"
                    f"  (rows read {timed['rows']:,}, problems {timed['errors']})",
                    flush=True,
                )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure_one(sys.argv[2], traced=sys.argv[3:4] == ["traced"])))
    else:
        main([int(size) for size in sys.argv[1:]] or SIZES)
