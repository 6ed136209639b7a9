"""Load the demo: Setagaya's FY2024 plan and one account per role and department (development only).

The planning account also enters the results of its own department (保健福祉政策課 is both the
secretariat and a responsible department), so the demo shows the separation of duties: it enters
and submits them, and another account of the planning section approves them. Each department has a
head (head01 …) for the department head's check, which the plan leaves off (turn it on in the
admin's plan: 所属長確認)."""

import datetime
import unicodedata
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.enums import Role
from departments.models import Department, Membership
from evaluation.models import EvaluationYear, Plan

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo_data" / "setagaya-r6.csv"
DEMO_PASSWORD = "mezasu-demo-2024"
# The plan's secretariat (計画所管): the planning section of the demo plan.
SECRETARIAT = "保健福祉政策課"


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so the text is translated when the parser is built (argparse needs a str, not a lazy one).
        return _(
            "Development only (DJANGO_DEBUG=1): import the demo plan when the database has none, create the demo "
            "accounts (password '%(password)s') and print them. Run again, it only prints the accounts."
        ) % {"password": DEMO_PASSWORD}

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                _(
                    "load_demo creates accounts with a published password, so it runs only on a development "
                    "server: set DJANGO_DEBUG=1."
                )
            )
        if Plan.objects.exists():
            self.stdout.write(_("A plan is already loaded: nothing imported, no account changed."))
        else:
            self._load()
        self._print_accounts()

    @transaction.atomic
    def _load(self):
        """Import the demo workbook, then create the accounts; all or nothing."""
        from evaluation.workbook.plan_import import ImportRefused, import_plan_file

        try:
            report = import_plan_file(DEMO_FILE)
        except ImportRefused as refused:
            errors = "\n".join(f"  {error}" for error in refused.errors)
            raise CommandError(
                _("The demo workbook %(file)s was refused:") % {"file": DEMO_FILE.name} + "\n" + errors
            ) from refused
        self.stdout.write(self.style.SUCCESS(_("Imported %(file)s:") % {"file": DEMO_FILE.name}))
        self.stdout.write(str(report))
        _open_demo_year()
        # One hash for every account: the password is public anyway, and hashing 24 times takes seconds.
        password_hash = make_password(DEMO_PASSWORD)
        for username, role, department in demo_accounts():
            _create_account(username, role, department, password_hash)

    def _print_accounts(self):
        existing = set(get_user_model().objects.values_list("username", flat=True))
        rows = [
            (username, str(role.label) if role else _("superuser"), department.name if department else "")
            for username, role, department in demo_accounts()
            if username in existing
        ]
        if not rows:
            self.stdout.write(_("No demo account exists (the plan was not loaded by load_demo)."))
            return
        # The department column comes last: its names need no padding. The other two are padded to their
        # width on a terminal, where a Japanese (double-width) character takes two columns.
        header = (_("username"), _("role"), _("department"))
        widths = [max(_display_width(row[i]) for row in [header, *rows]) for i in range(2)]
        for username, role, department in [header, *rows]:
            self.stdout.write(f"{_pad(username, widths[0])}  {_pad(role, widths[1])}  {department}".rstrip())
        self.stdout.write("\n" + _("Password of every demo account: %(password)s") % {"password": DEMO_PASSWORD})


def _display_width(text: str) -> int:
    """Columns the text takes on a terminal: two for a wide (W) or full-width (F) character."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def demo_accounts() -> list[tuple[str, Role | None, Department | None]]:
    """(username, role, department), one per membership: admin; planning (the planning section, and
    entry staff of its own department); planning2 (a second member of the planning section, who
    approves what planning submitted); viewer; then dept01… and head01… per department in the order
    the departments first appear in the workbook (their smallest indicator position)."""
    secretariat = Department.objects.filter(name=SECRETARIAT).first()
    departments = Department.objects.annotate(first_position=Min("indicators__position")).filter(
        first_position__isnull=False
    )
    accounts = [
        ("admin", None, None),
        ("planning", Role.PLANNING, secretariat),
        ("planning", Role.ENTRY, secretariat),
        ("planning2", Role.PLANNING, secretariat),
        ("viewer", Role.VIEWER, secretariat),
    ]
    ordered = sorted(departments, key=lambda department: (department.first_position, department.name))
    accounts += [(f"dept{index:02d}", Role.ENTRY, department) for index, department in enumerate(ordered, start=1)]
    accounts += [(f"head{index:02d}", Role.HEAD, department) for index, department in enumerate(ordered, start=1)]
    return accounts


def _open_demo_year():
    """The plan book runs 令和6〜9年度 (the workbook holds only FY2024's values), and the demo opens
    FY2024's evaluation with a deadline two weeks ahead, so the entry pages count days left."""
    plan = Plan.objects.get()
    plan.last_fiscal_year = max(plan.last_fiscal_year, plan.first_fiscal_year + 3)
    plan.save(update_fields=["last_fiscal_year"])
    EvaluationYear.objects.get_or_create(
        plan=plan,
        fiscal_year=plan.first_fiscal_year,
        defaults={"deadline": timezone.localdate() + datetime.timedelta(days=14)},
    )


def _first_name(username: str, role: Role | None, department: Department | None) -> str:
    """The name pages show: the department for its staff, 「…課長」 for its head."""
    if department is None or username.startswith(("planning", "viewer")):
        return ""
    return f"{department.name}長" if role == Role.HEAD else department.name


def _create_account(username: str, role: Role | None, department: Department | None, password_hash: str):
    is_admin = role is None
    first_name = _first_name(username, role, department)
    user, _created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "password": password_hash,
            "first_name": first_name,
            # Reserved for examples (RFC 2606): reminders go to the console backend in the demo anyway.
            "email": f"{username}@example.jp",
            "is_staff": is_admin,
            "is_superuser": is_admin,
        },
    )
    if role is not None and department is not None:
        Membership.objects.get_or_create(user=user, department=department, role=role)
