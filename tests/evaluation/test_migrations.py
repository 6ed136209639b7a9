"""Data migrations whose logic is worth a test of its own."""

import importlib

import pytest
from django.apps import apps

from tests.builders import make_indicator

pytestmark = pytest.mark.django_db


def test_marks_appended_by_earlier_revisions_leave_the_indicator(plan):
    """0011: 「※」 from the workbook stays; 「※3」 appended by a revision (as before marks per year) goes."""
    migration = importlib.import_module("evaluation.migrations.0012_revision_marks_per_year")
    appended = make_indicator(plan, footnote="※")
    appended.footnote = "※※3"
    appended._change_reason = "revision"
    appended.save()
    by_the_workbook = make_indicator(plan, footnote="※")
    by_the_workbook.footnote = "※※2"
    by_the_workbook._change_reason = "import"
    by_the_workbook.save()

    migration.remove_appended_marks(apps, None)

    appended.refresh_from_db()
    by_the_workbook.refresh_from_db()
    assert (appended.footnote, by_the_workbook.footnote) == ("※", "※※2")
