"""send_reminders: remind each person of their open items of the open evaluation year(s)."""

from django.core.management.base import BaseCommand, CommandError

from evaluation.enums import YearStatus
from evaluation.fiscal_year import display_fiscal_year
from evaluation.models import EvaluationYear
from evaluation.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send each entry staff member ONE email listing their open items (not entered, in progress, returned) "
        "of the open evaluation year, with the deadline and a link to their entry page. Prints who was sent what."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Fiscal year, e.g. 2024 (default: every open year).")
        parser.add_argument("--plan", help="Plan name (default: every plan).")
        parser.add_argument("--dry-run", action="store_true", help="Print who would be sent what; send nothing.")

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
            detail = " (it is closed)" if closed else ""
            raise CommandError(f"No open evaluation year matches{detail}: open one on the years page first.")
        for evaluation in years:
            self._run(evaluation, dry_run)

    def _run(self, evaluation: EvaluationYear, dry_run: bool):
        report = send_reminders(evaluation, dry_run=dry_run)
        deadline = evaluation.deadline.isoformat() if evaluation.deadline else "none"
        self.stdout.write(f"{evaluation.plan.name} {display_fiscal_year(evaluation.fiscal_year)} (deadline {deadline})")
        verb = "Would send" if dry_run else "Sent"
        for reminder in report.sent:
            departments = ", ".join(f"{group.department_name} {len(group.results)}" for group in reminder.departments)
            self.stdout.write(
                f"  {verb} to {reminder.user.get_username()} <{reminder.email}>: "
                f"{reminder.item_count} open items ({departments})"
            )
        for reminder in report.without_email:
            self.stdout.write(
                self.style.WARNING(
                    f"  No email address: {reminder.user.get_username()} has {reminder.item_count} open items"
                )
            )
        summary = f"  {len(report.sent)} people, {report.item_count} items"
        if report.without_email:
            summary += f"; {len(report.without_email)} without an email address"
        self.stdout.write(self.style.SUCCESS(summary + (" (dry run: nothing sent)" if dry_run else "")))
