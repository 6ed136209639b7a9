"""manage.py export_report: the evaluation report of one plan and fiscal year as PDF, XLSX or HTML."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.management.options import add_year_and_plan, fiscal_year_option, plan_option
from evaluation.models import Result
from evaluation.report.document import FORMATS, render_report, report_context


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Write the evaluation report of one fiscal year: the sheet of every policy area as a PDF "
            "(A4 landscape, fonts embedded), an Excel book (one sheet per policy area) or one HTML file. "
            "Until the year is closed every page says 暫定 (provisional)."
        )

    def add_arguments(self, parser):
        add_year_and_plan(parser)
        parser.add_argument("--label", default="", help=_("Document label printed at the top right, e.g. 資料１－３."))
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("Output format. Default: taken from the --output suffix (.pdf, .xlsx, .html)."),
        )
        parser.add_argument("--output", required=True, help=_("File to write."))

    def handle(self, *args, year, plan, label, format, output, **options):
        fiscal_year = fiscal_year_option(year)
        plan_obj = plan_option(plan)
        fmt = format or Path(output).suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError(
                _("Choose the format with --format (%(formats)s) or a file ending in one of them.")
                % {"formats": ", ".join(FORMATS)}
            )
        if not Result.objects.filter(indicator__plan=plan_obj, fiscal_year=fiscal_year).exists():
            raise CommandError(
                _("The plan '%(plan)s' has no results for %(year)s.")
                % {"plan": plan_obj.name, "year": display_fiscal_year(fiscal_year)}
            )
        context = report_context(plan_obj, fiscal_year, label=label.strip())
        sheet = context["sheet"]
        content = render_report(context, fmt)
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror or error}
            ) from error
        self.stderr.write(
            _("Wrote %(file)s (%(format)s, %(plan)s, %(year)s%(provisional)s).")
            % {
                "file": output,
                "format": fmt,
                "plan": plan_obj.name,
                "year": display_fiscal_year(fiscal_year),
                "provisional": _(", provisional: the year is not closed") if sheet.provisional else "",
            }
        )
