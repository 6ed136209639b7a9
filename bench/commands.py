"""The commands measured: export_results as CSV and XLSX, import_plan of the whole synthetic workbook
(as a new plan, in a transaction rolled back after each run so that every run creates it all), and
the import's floor, a raw bulk_create of the same rows with and without the history rows (baseline.py)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import transaction

from bench import baseline
from bench.measure import BenchFailure, Measurement

IMPORTED_PLAN = "ベンチマーク計画（取込）"


class RolledBack(Exception):
    """Raised inside the run's transaction to undo it."""


def rolled_back(work):
    """Run `work()` in a transaction, then undo everything it wrote; returns what it returned."""
    outcome = {}
    try:
        with transaction.atomic():
            outcome["value"] = work()
            raise RolledBack
    except RolledBack:
        pass
    return outcome["value"]


class Commands:
    def __init__(self, bench, folder: Path):
        self.bench = bench
        self.folder = folder
        self.workbook = bench.synthetic.write_csv(folder / "plan.csv", plan_name=IMPORTED_PLAN)
        self.rows = None  # parsed once, for the bulk_create floor

    def export(self, fmt: str) -> Measurement:
        output = self.folder / f"results.{fmt}"
        name = f"export_{fmt}"

        def run(_prepared):
            output.unlink(missing_ok=True)
            call_command(
                "export_results",
                "--year",
                str(self.bench.fiscal_year),
                "--format",
                fmt,
                "--output",
                str(output),
                stderr=StringIO(),
            )
            return output.stat().st_size if output.exists() else 0

        def check(size, _prepared):
            if not size:
                raise BenchFailure(f"{name}: export_results wrote nothing")

        return Measurement(name, f"export_results {fmt.upper()}", run, check=check)

    def import_plan(self) -> Measurement:
        def work() -> str:
            stdout = StringIO()
            call_command("import_plan", str(self.workbook), stdout=stdout)  # a refused file raises CommandError
            return stdout.getvalue()

        def check(output, _prepared):
            if not output:
                raise BenchFailure("import_plan: the command said nothing")

        return Measurement(
            "import_plan",
            "import_plan, whole workbook (new plan)",
            lambda _prepared: rolled_back(work),
            check=check,
            note=self.rows_note,
        )

    def rows_note(self) -> str:
        return f"{len(self.bench.synthetic.rows)} rows"

    def parsed(self):
        if self.rows is None:
            self.rows = baseline.parsed_rows(self.bench.synthetic.rows)
        return self.rows

    def bulk(self, *, history: bool) -> Measurement:
        name = "bulk_create_history" if history else "bulk_create"
        label = "raw bulk_create of the same rows" + (", with history rows" if history else "")

        def run(rows):
            return rolled_back(lambda: baseline.bulk_write(rows, IMPORTED_PLAN, history=history))

        def check(written, _rows):
            if not written:
                raise BenchFailure(f"{name}: nothing written")

        return Measurement(name, label, run, self.parsed, check, note=self.rows_note)

    def measurements(self) -> list[Measurement]:
        return [
            self.export("csv"),
            self.export("xlsx"),
            self.import_plan(),
            self.bulk(history=False),
            self.bulk(history=True),
        ]
