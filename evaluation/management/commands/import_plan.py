"""manage.py import_plan FILE [--dry-run]: import a plan workbook (CSV or XLSX), all or nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluation.workbook.plan_import import APPLYING, ImportRefused, import_plan_file

# A file of this many rows or more prints its progress: a line at each tenth of the rows checked, then applied.
PROGRESS_FROM_ROWS = 2_000
PROGRESS_LINES = 10


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so the text is translated when the parser is built, not once when the module is imported
        # (argparse needs a str, not a lazy one).
        return _(
            "Import a plan workbook (CSV in UTF-8 or Shift_JIS, or XLSX). Every row is checked first; when any "
            "row is wrong nothing is imported and every problem is listed."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The workbook: a .csv or .xlsx file."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and report what would change, without saving anything."),
        )

    def handle(self, *args, **options):
        try:
            progress = self._progress if options["verbosity"] > 0 else None
            report = import_plan_file(options["file"], dry_run=options["dry_run"], progress=progress)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("The file was refused (%(count)s problems); nothing was imported.") % {"count": refused.count}
            ) from None
        for note in report.ignored:
            self.stdout.write(self.style.WARNING(str(note)))
        for line in report.summary_lines():
            self.stdout.write(line)
        if options["verbosity"] > 1:
            for row, change in report.changes():
                self.stdout.write(_("Row %(row)s: %(change)s") % {"row": row, "change": change})
        self.stdout.write(self.style.SUCCESS(_("Dry run finished.") if report.dry_run else _("Import finished.")))

    def _progress(self, phase: str, done: int, total: int) -> None:
        """A line at each tenth of a large file's rows (a file of 13,000 rows takes tens of seconds)."""
        if total < PROGRESS_FROM_ROWS or (done != total and done % (total // PROGRESS_LINES)):
            return
        message = (
            _("Applied %(done)s of %(total)s rows") if phase == APPLYING else _("Checked %(done)s of %(total)s rows")
        )
        self.stdout.write(message % {"done": f"{done:,}", "total": f"{total:,}"})
