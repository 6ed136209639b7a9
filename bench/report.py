"""The run's table and the machine it ran on, printed and written to BENCHMARKS.md (a section per run,
newest first, the older runs kept for before/after comparisons)."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.db import connection

from bench.measure import Derived, Sample

ROOT = Path(__file__).resolve().parent.parent
RUNS_MARKER = "<!-- Runs follow, newest first; `make bench` adds one here. -->"
HEADER = f"""# Benchmarks

`make bench` (bench/, issue 11) builds synthetic plans shaped like the seed (activity/outcome pairs,
compound a)/b) indicators, qualitative ones, 集計中; one department owning a tenth of the indicators)
on PostgreSQL, fills their results in a realistic mix of statuses, and measures each page and command
through the Django test client with the production settings (DJANGO_DEBUG off).

- **queries**: the queries of one run (the warm-up run, which also checks the answer).
- **ms**: the median of the timed runs, warm (after the warm-up).
- **× trivial**: that time divided by a trivial view's (a logged-in request through the whole
  middleware stack that renders nothing), the median of 10 runs taken just before the measurement:
  it cancels part of the machine's speed and of its load at that moment. (The first run below, of
  16:24, divided by the trivial view's median of 30 runs at the start of each size instead.)
- **big ÷ small**: the largest size's time divided by the smallest's (10 for 10× the indicators is linear;
  about 1 is a page that does not grow with the plan).

The machine is shared (2 cores): read each run next to its load average.

{RUNS_MARKER}
"""


@dataclass
class SizeRun:
    """What one size of a run measured."""

    indicators: int
    departments: int
    big_rows: int
    build_seconds: float
    statuses: dict[str, int]
    samples: dict[str, Sample] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def ratio(self, name: str) -> float | None:
        """The time ÷ the trivial view's, measured just before it (else the size's trivial median)."""
        trivial = self.samples.get("trivial")
        sample = self.samples.get(name)
        floor = sample.floor if sample and sample.floor else (trivial.median if trivial and trivial.times else None)
        return sample.median / floor if sample and floor else None

    def derived(self) -> list[Derived]:
        figures = []
        samples = self.samples
        if "import_plan" in samples:
            for floor, label in (
                ("bulk_create", "import_plan ÷ raw bulk_create"),
                ("bulk_create_history", "import_plan ÷ bulk_create with history rows"),
            ):
                if floor in samples:
                    figures.append(Derived(label, samples["import_plan"].median / samples[floor].median, "×"))
        if "entry_big" in samples and "entry_floor" in samples:
            ratio = samples["entry_big"].median / samples["entry_floor"].median
            figures.append(Derived("entry page (big department) ÷ its plain-template floor", ratio, "×"))
        pages = _pages(samples)
        for name, label in (
            ("report_html", "report HTML per printed page"),
            ("report_pdf", "report PDF per printed page"),
        ):
            if name in samples and pages:
                figures.append(Derived(label, samples[name].median * 1000 / pages, "ms", f"{pages} pages"))
        return figures


def _pages(samples: dict[str, Sample]) -> int | None:
    note = samples["report_pdf"].note if "report_pdf" in samples else ""
    first = note.split(" ")[0]
    return int(first) if first.isdigit() else None


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1000
    return f"{milliseconds:,.0f}" if milliseconds >= 100 else f"{milliseconds:.1f}"


def _times(value: float | None) -> str:
    return "" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.1f}")


def table(sizes: list[SizeRun], order: list[str]) -> str:
    """The side-by-side table: per size queries, median ms and × trivial; the big ÷ small ratio; notes."""
    head = ["measurement"]
    for size in sizes:
        head += [f"queries {size.indicators:,}", f"ms {size.indicators:,}", f"× trivial {size.indicators:,}"]
    if len(sizes) > 1:
        head.append(f"{sizes[-1].indicators:,} ÷ {sizes[0].indicators:,}")
    head.append("notes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    labels = {name: label for size in sizes for name, label in size.labels.items()}
    for name in order:
        if not any(name in size.samples for size in sizes):
            continue
        cells = [labels[name]]
        for size in sizes:
            sample = size.samples.get(name)
            cells += (
                ["", "", ""] if sample is None else [str(sample.queries), _ms(sample.median), _times(size.ratio(name))]
            )
        first, last = sizes[0].samples.get(name), sizes[-1].samples.get(name)
        if len(sizes) > 1:
            cells.append(f"{last.median / first.median:.1f}" if first and last else "")
        notes = [
            f"{size.indicators:,}: {size.samples[name].note}"
            for size in sizes
            if name in size.samples and size.samples[name].note
        ]
        cells.append("; ".join(notes))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def derived_table(sizes: list[SizeRun]) -> str:
    names = list(dict.fromkeys(figure.name for size in sizes for figure in size.derived()))
    if not names:
        return ""
    lines = [
        "| figure | " + " | ".join(f"{size.indicators:,}" for size in sizes) + " |",
        "|" + "---|" * (len(sizes) + 1),
    ]
    for name in names:
        cells = []
        for size in sizes:
            figure = next((figure for figure in size.derived() if figure.name == name), None)
            if figure is None:
                cells.append("")
            elif figure.unit == "×":
                cells.append(f"{figure.value:.1f}×")
            else:
                cells.append(f"{figure.value:.1f} ms ({figure.note})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def machine(load_start: tuple[float, ...], load_end: tuple[float, ...]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    commit = _git("rev-parse", "--short", "HEAD") or "?"
    dirty = " (with uncommitted changes)" if _git("status", "--porcelain", "--untracked-files=no") else ""
    branch = _git("rev-parse", "--abbrev-ref", "HEAD")
    load = " / ".join(f"{value:.2f}" for value in load_start), " / ".join(f"{value:.2f}" for value in load_end)
    return [
        f"- Commit: {commit}{dirty}" + (f" on {branch}" if branch else ""),
        f"- Machine: {_cpu_model()}, {os.cpu_count()} cores, {_memory()}",
        f"- Load average (1, 5, 15 min): {load[0]} at the start, {load[1]} at the end",
        f"- Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL {postgres}, "
        f"WeasyPrint {_version('weasyprint')}, openpyxl {_version('openpyxl')}, "
        f"django-simple-history {_version('django-simple-history')}",
    ]


def section(
    sizes: list[SizeRun], order: list[str], *, repeat: int, budget: float, machine_lines: list[str], note: str
) -> str:
    now = datetime.datetime.now().astimezone()
    title = f"## {now:%Y-%m-%d %H:%M %Z}" + (f" · {note}" if note else "")
    built = [
        f"- {size.indicators:,} indicators in {size.departments} departments (the big one {size.big_rows} rows): "
        f"built in {size.build_seconds:.0f} s; results "
        + ", ".join(f"{status} {count}" for status, count in sorted(size.statuses.items()))
        for size in sizes
    ]
    runs = (
        f"- Runs: 1 warm-up (counts the queries) then {repeat} timed (the trivial view 30), fewer once a "
        f"measurement has spent {budget:.0f} s (a warm-up of 5 s or more counts as one); medians"
    )
    parts = [title, "", *machine_lines, runs, *built, "", table(sizes, order)]
    derived = derived_table(sizes)
    if derived:
        parts += ["", derived]
    return "\n".join(parts) + "\n"


def write(path: Path, text: str) -> None:
    """Add the run's section at the top of the runs, keeping every older run."""
    current = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if RUNS_MARKER not in current:
        current = current.rstrip("\n") + "\n\n" + RUNS_MARKER + "\n"
    before, after = current.split(RUNS_MARKER, 1)
    older = after.strip("\n")
    path.write_text(before + RUNS_MARKER + "\n\n" + text + ("\n" + older + "\n" if older else ""), encoding="utf-8")
