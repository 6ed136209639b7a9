"""manage.py export_results: the results export of one plan and fiscal year, as CSV, XLSX or JSON
(evaluation.workbook.results_export; the screens' downloads are evaluation.views.exports)."""

import contextlib
import os
from io import BytesIO
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.management.options import add_year_and_plan, fiscal_year_option, plan_option
from evaluation.models import Plan, Result
from evaluation.workbook.results_export import BY, BY_INDICATOR, FORMATS, write_results


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so the text is translated when the parser is built (argparse needs a str, not a lazy one).
        return _(
            "Export the results of one fiscal year as CSV (UTF-8 with BOM, for Excel), XLSX or JSON: one row "
            "per indicator and sub-item, with its place in the plan (pillar, policy area, vision, initiative, "
            "implementation plan reference, re-listed), its number as stored and as printed, its footnote "
            "marks, its baseline and as-of note, the year's plan values, target, actual, achievement, grade, "
            "reasons and status (docs/plan-workbook.md). The same files download from the review and progress "
            "pages. With --by policy-area, one row per policy area instead: its pillar, number and title, how "
            "many of its outcome indicators have each label of the year's grading scheme, how many are not "
            "graded, and its overall grade where the scheme has one. CSV and JSON go to standard output unless "
            "--output is given; XLSX is a binary file and needs --output."
        )

    def add_arguments(self, parser):
        add_year_and_plan(parser)
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("Output format. Default: taken from the --output suffix (.csv, .xlsx, .json), else csv."),
        )
        parser.add_argument("--output", help=_("File to write. Required for xlsx; csv and json default to stdout."))
        parser.add_argument(
            "--by",
            choices=BY,
            default=BY_INDICATOR,
            help=_(
                "A row per indicator and sub-item (indicator, the default), or per policy area with its counts "
                "per grade and its overall grade (policy-area)."
            ),
        )

    def handle(self, *args, year, plan, format, output, by=BY_INDICATOR, **options):
        fiscal_year = fiscal_year_option(year)
        plan_obj = plan_option(plan)
        fmt = format or _format_from_suffix(output) or "csv"
        if fmt == "xlsx" and not output:
            raise CommandError(_("XLSX is a binary format: give a file with --output (e.g. --output results.xlsx)."))
        if not Result.objects.filter(indicator__plan=plan_obj, fiscal_year=fiscal_year).exists():
            raise CommandError(
                _("The plan '%(plan)s' has no results for %(year)s. Its fiscal years are %(first)s–%(last)s.")
                % {
                    "plan": plan_obj.name,
                    "year": display_fiscal_year(fiscal_year),
                    "first": plan_obj.first_fiscal_year,
                    "last": plan_obj.last_fiscal_year,
                }
            )
        if output:
            try:
                with Path(output).open("wb") as stream:
                    write_results(plan_obj, fiscal_year, fmt, stream, by=by)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror or error}
                ) from error
            self.stderr.write(
                _("Wrote %(file)s (%(format)s, %(plan)s, %(year)s).")
                % {"file": output, "format": fmt, "plan": plan_obj.name, "year": display_fiscal_year(fiscal_year)}
            )
        else:
            self._write_to_stdout(plan_obj, fiscal_year, fmt, by)

    def _write_to_stdout(self, plan: Plan, fiscal_year: int, fmt: str, by: str) -> None:
        # Bytes straight to the binary stdout when there is one, so the BOM and CRLF pass untouched;
        # otherwise (call_command with a StringIO) the same bytes decoded.
        binary = getattr(self.stdout, "buffer", None)
        if binary is not None:
            self.stdout.flush()
            try:
                write_results(plan, fiscal_year, fmt, binary, by=by)
                binary.flush()
            except BrokenPipeError:
                _discard_further_output(binary)
            return
        buffer = BytesIO()
        write_results(plan, fiscal_year, fmt, buffer, by=by)
        self.stdout.write(buffer.getvalue().decode("utf-8"), ending="")


def _discard_further_output(binary) -> None:
    """The reader stopped early (`export_results … | head`): it has what it wanted, so no traceback. The
    stream's descriptor now points to /dev/null, or Python's final flush at exit would fail on the pipe again."""
    # No descriptor (a stream in memory): nothing will flush to a pipe at exit.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), binary.fileno())


def _format_from_suffix(output: str | None) -> str | None:
    if not output:
        return None
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None
