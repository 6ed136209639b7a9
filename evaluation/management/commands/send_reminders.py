"""send_reminders: remind each person of their open items of the open evaluation year(s)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluation.domain.enums import YearStatus
from evaluation.domain.fiscal_year import display_fiscal_year
from evaluation.mailing import DEVELOPMENT_BASE_URL
from evaluation.models import EvaluationYear
from evaluation.reminders import send_reminders


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so the text is translated when the parser is built (argparse needs a str, not a lazy one).
        return _(
            "Send each entry staff member ONE email listing their open items (not entered, in progress, returned) "
            "of the open evaluation year, with the deadline and a link to their entry page. Prints who was sent what."
        )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help=_("Fiscal year, e.g. 2024 (default: every open year)."))
        parser.add_argument("--plan", help=_("Plan name (default: every plan)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Print who would be sent what; send nothing."))

    def handle(self, *args, year=None, plan=None, dry_run=False, **options):
        years = EvaluationYear.objects.select_related("plan").order_by("plan__name", "fiscal_year")
        if plan:
            years = years.filter(plan__name=plan)
        if year:
            years = years.filter(fiscal_year=year)
        years = list(years)
        closed = [evaluation for evaluation in years if evaluation.status == YearStatus.CLOSED]
        years = [evaluation for evaluation in years if evaluation.status == YearStatus.OPEN]
        if not years:
            if closed:
                raise CommandError(
                    _("No open evaluation year matches (it is closed): open one on the years page first.")
                )
            raise CommandError(_("No open evaluation year matches: open one on the years page first."))
        if not settings.MEZASU_BASE_URL:
            self.stderr.write(
                self.style.WARNING(
                    _("MEZASU_BASE_URL is not set: the links in the messages start at %(url)s.")
                    % {"url": DEVELOPMENT_BASE_URL}
                )
            )
        for evaluation in years:
            self._run(evaluation, dry_run)

    def _run(self, evaluation: EvaluationYear, dry_run: bool):
        report = send_reminders(evaluation, dry_run=dry_run)
        heading = {"plan": evaluation.plan.name, "year": display_fiscal_year(evaluation.fiscal_year)}
        if evaluation.deadline:
            heading["deadline"] = evaluation.deadline.isoformat()
            self.stdout.write(_("%(plan)s %(year)s (deadline %(deadline)s)") % heading)
        else:
            self.stdout.write(_("%(plan)s %(year)s (deadline none)") % heading)
        for reminder in report.sent:
            departments = ", ".join(
                # Translators: one department and its number of open items, e.g. "地域行政課 1".
                _("%(department)s %(count)s") % {"department": group.department_name, "count": len(group.results)}
                for group in reminder.departments
            )
            line = {
                "user": reminder.user.get_username(),
                "email": reminder.email,
                "count": reminder.item_count,
                "departments": departments,
            }
            if dry_run:
                self.stdout.write(
                    "  " + _("Would send to %(user)s <%(email)s>: %(count)s open items (%(departments)s)") % line
                )
            else:
                self.stdout.write(
                    "  " + _("Sent to %(user)s <%(email)s>: %(count)s open items (%(departments)s)") % line
                )
        for reminder in report.without_email:
            self.stdout.write(
                self.style.WARNING(
                    "  "
                    + _("No email address: %(user)s has %(count)s open items")
                    % {"user": reminder.user.get_username(), "count": reminder.item_count}
                )
            )
        summary = _("%(people)s people, %(items)s items") % {"people": len(report.sent), "items": report.item_count}
        if report.without_email:
            summary += _("; %(count)s without an email address") % {"count": len(report.without_email)}
        if dry_run:
            summary += _(" (dry run: nothing sent)")
        self.stdout.write(self.style.SUCCESS("  " + summary))
