"""Texts of django-import-export and django-simple-history that our users see in the admin and
that those packages' own catalogs lack in Japanese. Listed here so that makemessages keeps them in
locale/ja, whose catalog takes precedence over the packages' (settings.LOCALE_PATHS). Never imported."""

from django.utils.translation import gettext_noop

MESSAGES = [
    # django-import-export (admin/import_export/import.html, export.html)
    gettext_noop("Some rows failed to validate"),
    gettext_noop("Please correct these errors in your data where possible, then reupload it using the form above."),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Select all"),
    gettext_noop("This exporter will export the following fields: "),
    # django-simple-history (simple_history/object_history*.html)
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    gettext_noop("Changes"),
    gettext_noop("Comment"),
    gettext_noop("Date/time"),
    gettext_noop("History"),
    gettext_noop("Object"),
    gettext_noop("Revert"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View on site"),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
]
