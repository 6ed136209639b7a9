"""What the commands take from their options, in one place: a fiscal year (2024, 2024年度, 令和6年度)
and a plan by name (optional while there is one plan). Both raise CommandError with the choices."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from evaluation.domain.fiscal_year import FiscalYearError, parse_fiscal_year
from evaluation.models import Plan


def add_year_and_plan(parser) -> None:
    """The --year (required) and --plan (while there is one plan, optional) of an export command."""
    parser.add_argument("--year", required=True, help=_("Fiscal year: 2024, 2024年度 or 令和6年度."))
    parser.add_argument("--plan", help=_("Plan name; needed only when there are several plans."))


def fiscal_year_option(text: str) -> int:
    try:
        return parse_fiscal_year(text)
    except FiscalYearError as error:
        raise CommandError(_("Not a fiscal year: '%(text)s' (write 2024 or 令和6年度).") % {"text": text}) from error


def plan_option(name: str | None) -> Plan:
    names = list(Plan.objects.order_by("name").values_list("name", flat=True))
    if not names:
        raise CommandError(_("There is no plan in the database: import a plan workbook first."))
    if name is None:
        if len(names) > 1:
            raise CommandError(
                _("There are several plans; choose one with --plan: %(plans)s") % {"plans": ", ".join(names)}
            )
        name = names[0]
    try:
        return Plan.objects.get(name=name)
    except Plan.DoesNotExist:
        raise CommandError(
            _("No plan named '%(name)s'. Plans: %(plans)s") % {"name": name, "plans": ", ".join(names)}
        ) from None
