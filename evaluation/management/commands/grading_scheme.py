"""manage.py grading_scheme: list the presets, print a plan's scheme as a file (--show), or change a plan's
grading scheme (a preset or a TOML or JSON file), showing first which grades of its open years would
change (services.regrading)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evaluation import display
from evaluation.domain import scheme_files, scheme_text, scheme_writer
from evaluation.domain.enums import YearStatus
from evaluation.domain.messages import describe_problem
from evaluation.management.options import plan_option
from evaluation.services import regrading


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "List the grading schemes shipped with Mezasu (--list), print a plan's scheme as a file to edit "
            "(--plan NAME --show [--format toml|json]), or change a plan's scheme to a preset or to "
            "a scheme file in TOML or JSON (--plan NAME --use PRESET_OR_FILE). The grades of the plan's open "
            "years that would change are listed first; with --dry-run nothing else happens. Closed years keep "
            "the scheme they were closed with. docs/grading-schemes.md describes the file."
        )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help=_("List the presets, each with its rule and source."))
        parser.add_argument("--plan", help=_("The plan's name."))
        parser.add_argument(
            "--show", action="store_true", help=_("Print the plan's scheme as a file that --use reads back.")
        )
        parser.add_argument(
            "--format", choices=scheme_writer.FORMATS, default=scheme_writer.TOML, help=_("The file format of --show.")
        )
        parser.add_argument("--use", help=_("A preset's name (see --list), or a scheme file (.toml or .json)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Show what would change; change nothing."))
        parser.add_argument(
            "--user", help=_("The planning section's account the change is recorded under (not needed with --dry-run).")
        )

    def handle(self, *args, list, plan, show, use, dry_run, user, **options):
        if list:
            self._list()
            return
        if plan and show:
            plan_obj = plan_option(plan)
            text = scheme_writer.dumps(
                plan_obj.scheme, options["format"], lang=get_language() or "ja", plan=plan_obj.name
            )
            self.stdout.write(text, ending="")
            return
        if not plan or not use:
            raise CommandError(_("Give --list, or --plan NAME with --show or --use PRESET_OR_FILE."))
        plan_obj = plan_option(plan)
        scheme = _scheme(use)
        preview = regrading.regrading_preview(plan_obj, scheme)
        self._preview(plan_obj, scheme, preview)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        actor = _planner(user)
        try:
            applied = regrading.apply_regrading(plan_obj, scheme, user=actor, expected=preview.token)
        except regrading.RegradingRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("The plan '%(plan)s' is now graded by %(scheme)s; %(count)s items of its open years regraded.")
                % {"plan": plan_obj.name, "scheme": scheme.name, "count": len(applied.changes)}
            )
        )

    def _list(self):
        language = get_language() or "ja"
        for name in scheme_files.preset_names():
            scheme = scheme_files.preset(name)
            title = scheme.name if language.startswith("ja") else (scheme.name_en or scheme.name)
            self.stdout.write(f"{name}\t{title}")
            self.stdout.write(f"\t{scheme_text.footnote(scheme, language)}")
            self.stdout.write(f"\t{scheme.source}")

    def _preview(self, plan, scheme, preview):
        self.stdout.write(
            _("Plan '%(plan)s': from %(old)s to %(new)s.")
            % {"plan": plan.name, "old": plan.scheme.name, "new": scheme.name}
        )
        self.stdout.write(scheme_text.footnote(scheme, get_language() or "ja"))
        closed = plan.evaluation_years.filter(status=YearStatus.CLOSED).order_by("fiscal_year")
        for year in closed:
            self.stdout.write(
                _("%(year)s is closed: it keeps its grades.") % {"year": display.fiscal_year(year.fiscal_year)}
            )
        self.stdout.write(
            _("%(count)s items of the open years would change their grade or figure.") % {"count": len(preview.changes)}
        )
        for change in [*preview.changes, *preview.approved]:
            indicator = change.result.indicator
            line = f"  {display.fiscal_year(change.result.fiscal_year)} {indicator.code} {indicator.name[:40]}: "
            line += f"{display.grade(change.old_grade)} → {display.grade(change.new_grade)}"
            if change.approved:
                line += " " + _("(approved: reopen it before regrading)")
            elif change.needs_reason:
                line += " " + _("(needs the department's reason)")
            self.stdout.write(line)


def _scheme(use: str):
    if use in scheme_files.preset_names():
        return scheme_files.preset(use)
    path = Path(use)
    if not path.is_file():
        raise CommandError(
            _("「%(use)s」 is neither a preset (%(presets)s) nor a file.")
            % {"use": use, "presets": ", ".join(scheme_files.preset_names())}
        )
    try:
        return scheme_files.load_path(path)
    except UnicodeDecodeError:
        raise CommandError(_("The scheme file must be UTF-8 text.")) from None
    except scheme_files.SchemeInvalid as invalid:
        lines = "\n".join(describe_problem(problem) for problem in invalid.problems)
        raise CommandError(
            _("The scheme file was refused (%(count)s problems); nothing was changed.\n%(lines)s")
            % {"count": len(invalid.problems), "lines": lines}
        ) from None


def _planner(username: str | None):
    if not username:
        raise CommandError(_("Give --user: the planning section's account the change is recorded under."))
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("There is no account 「%(user)s」.") % {"user": username})
    return user
