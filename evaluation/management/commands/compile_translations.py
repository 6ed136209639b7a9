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
            problems.append(f"unknown placeholder(s) {sorted(got_names - allowed)} in {text!r}")
        if not entry.msgid_plural and got_names != allowed:
            problems.append(f"placeholder(s) {sorted(allowed - got_names)} missing in {text!r}")
        if got_positional != positional:
            problems.append(f"{got_positional} positional placeholder(s) where the msgid has {positional}: {text!r}")
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
    help = "Compile the project's .po files to .mo with polib (no GNU gettext needed)."

    def handle(self, *args, **options):
        catalogues = project_catalogues(Path(settings.BASE_DIR), list(settings.LOCALE_PATHS))
        if not catalogues:
            self.stdout.write("No .po file to compile (run `make messages` to create locale/ja).")
            return
        errors = []
        for po_path in catalogues:
            try:
                catalogue = polib.pofile(str(po_path), wrapwidth=0)
            except (OSError, ValueError) as error:
                errors.append(f"{po_path}: cannot be read: {error}")
                continue
            problems = [f"{po_path}:{entry.linenum}: {p}" for entry in catalogue for p in format_problems(entry)]
            if problems:
                errors.extend(problems)
                continue
            mo_path = po_path.with_suffix(".mo")
            catalogue.save_as_mofile(str(mo_path))
            self.stdout.write(
                f"Compiled {po_path.relative_to(settings.BASE_DIR)} "
                f"({len(catalogue.translated_entries())} translated, "
                f"{len(catalogue.untranslated_entries())} untranslated, {len(catalogue.fuzzy_entries())} fuzzy)"
            )
        if errors:
            raise CommandError("Translations not compiled:\n" + "\n".join(errors))
