"""`manage.py compile_translations`: .po to .mo without GNU gettext. No database."""

import gettext
import textwrap

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

HEADER = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=1; plural=0;\\n"

    """
)


@pytest.fixture
def project(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return tmp_path


def write_po(project, body: str):
    po = project / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return po


def test_translated_entries_are_compiled_and_fuzzy_ones_left_out(project):
    po = write_po(
        project,
        """\
        msgid "Submit"
        msgstr "提出"

        #, fuzzy
        msgid "Approve"
        msgstr "却下"

        #, python-format
        msgid "%(count)s indicator"
        msgid_plural "%(count)s indicators"
        msgstr[0] "%(count)s件の指標"
        """,
    )

    call_command("compile_translations")

    with po.with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Submit") == "提出"
    assert catalogue.gettext("Approve") == "Approve"
    assert catalogue.ngettext("%(count)s indicator", "%(count)s indicators", 3) % {"count": 3} == "3件の指標"


def test_no_catalogue_yet_is_not_an_error(project, capsys):
    with translation.override("en"):
        call_command("compile_translations")

    assert "No .po file" in capsys.readouterr().out


@pytest.mark.parametrize(
    "msgstr",
    ['"%(name)s の計画"', '"%(plan)s の計画"', '"計画"', '"%s の計画"'],
    ids=["unknown-name", "renamed", "missing", "positional"],
)
def test_a_translation_whose_placeholders_differ_is_refused(project, msgstr):
    po = write_po(project, f'#, python-format\nmsgid "Plan %(plan)s of %(year)s"\nmsgstr {msgstr}\n')

    with translation.override("en"), pytest.raises(CommandError, match="Translations not compiled"):
        call_command("compile_translations")
    assert not po.with_suffix(".mo").exists()


def test_a_broken_catalogue_is_refused(project):
    write_po(project, 'msgid "Submit"\nmsgstr "提出"\nmsgstr "送信"\n')

    with translation.override("en"), pytest.raises(CommandError, match="cannot be read"):
        call_command("compile_translations")
