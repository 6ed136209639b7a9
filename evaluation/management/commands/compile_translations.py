"""Compile every project .po file to .mo with the pure-Python polib: no GNU gettext needed.

Django's own `compilemessages` shells out to msgfmt, which a fresh machine may not have. This does
the same job for the project's catalogues (LOCALE_PATHS and any app's locale/ folder, never the
virtualenv's), skips fuzzy and untranslated entries as msgfmt does, and refuses a translation whose
placeholders differ from its msgid's (msgfmt --check-format's job): such a string would raise
KeyError or print garbage at run time.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

_SKIPPED_FOLDERS = {".venv", "venv", "node_modules", ".git", "staticfiles", "site-packages"}
_PERCENT = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0 +]*\d*(?:\.\d+)?(?P<type>[diouxXeEfFgGcrsa%])")
_BRACE = re.compile(r"(?<!\{)\{(?P<name>[^{}!:]*)[^{}]*\}(?!\})")


def placeholders(text: str, flags: list[str]) -> tuple[frozenset[str], int]:
    """The named placeholders of a string and the number of positional ones, by its format flag."""
    if "python-format" in flags:
        found = [m for m in _PERCENT.finditer(text) if m["type"] != "%"]
        return frozenset(m["name"] for m in found if m["name"]), sum(1 for m in found if not m["name"])
    if "python-brace-format" in flags:
        names = [m["name"] for m in _BRACE.finditer(text)]
        return frozenset(n for n in names if n and not n.isdigit()), sum(1 for n in names if not n or n.isdigit())
    return frozenset(), 0


def format_problems(entry: polib.POEntry) -> list[str]:
    """Why a translated entry's placeholders cannot work with its msgid's (empty when they can)."""
    if not entry.translated():
        return []
    names, positional = placeholders(entry.msgid, entry.flags)
    if entry.msgid_plural:
        plural_names, plural_positional = placeholders(entry.msgid_plural, entry.flags)
        allowed, positional = names | plural_names, max(positional, plural_positional)
        translations = list(entry.msgstr_plural.values())
    else:
        allowed = names
        translations = [entry.msgstr]
    problems = []
    for text in translations:
        got_names, got_positional = placeholders(text, entry.flags)
        if not got_names <= allowed:
            problems.append(
                _("unknown placeholder(s) %(names)s in %(text)s")
                % {"names": sorted(got_names - allowed), "text": repr(text)}
            )
        if not entry.msgid_plural and got_names != allowed:
            problems.append(
                _("placeholder(s) %(names)s missing in %(text)s")
                % {"names": sorted(allowed - got_names), "text": repr(text)}
            )
        if got_positional != positional:
            problems.append(
                _("%(found)s positional placeholder(s) where the msgid has %(expected)s: %(text)s")
                % {"found": got_positional, "expected": positional, "text": repr(text)}
            )
    return problems


def project_catalogues(base_dir: Path, locale_paths: list[Path]) -> list[Path]:
    """Every .po file under the project's locale folders, outside virtualenvs and build output."""
    roots = {Path(p) for p in locale_paths}
    roots |= {
        p
        for p in base_dir.glob("*/locale")
        if p.is_dir() and not _SKIPPED_FOLDERS.intersection(p.relative_to(base_dir).parts)
    }
    return sorted(po for root in roots if root.is_dir() for po in root.glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    @property
    def help(self):
        # A property, so the text is translated when the parser is built (argparse needs a str, not a lazy one).
        return _("Compile the project's .po files to .mo with polib (no GNU gettext needed).")

    def handle(self, *args, **options):
        catalogues = project_catalogues(Path(settings.BASE_DIR), list(settings.LOCALE_PATHS))
        if not catalogues:
            self.stdout.write(_("No .po file to compile (run `make messages` to create locale/ja)."))
            return
        errors = []
        for po_path in catalogues:
            try:
                catalogue = polib.pofile(str(po_path), wrapwidth=0)
            except (OSError, ValueError) as error:
                errors.append(_("%(file)s: cannot be read: %(error)s") % {"file": po_path, "error": error})
                continue
            problems = [f"{po_path}:{entry.linenum}: {p}" for entry in catalogue for p in format_problems(entry)]
            if problems:
                errors.extend(problems)
                continue
            mo_path = po_path.with_suffix(".mo")
            catalogue.save_as_mofile(str(mo_path))
            self.stdout.write(
                _("Compiled %(file)s (%(translated)s translated, %(untranslated)s untranslated, %(fuzzy)s fuzzy)")
                % {
                    "file": po_path.relative_to(settings.BASE_DIR),
                    "translated": len(catalogue.translated_entries()),
                    "untranslated": len(catalogue.untranslated_entries()),
                    "fuzzy": len(catalogue.fuzzy_entries()),
                }
            )
        if errors:
            raise CommandError(_("Translations not compiled:") + "\n" + "\n".join(errors))
