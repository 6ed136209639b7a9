"""Marks per year: a revision's footnote mark (Revision.footnote) belongs to its year and is no longer
appended to Indicator.footnote (the plan workbook's 注記, printed every year). Remove the marks that
earlier revisions appended there, found in the indicator's history (saves with the change reason
"revision" that lengthened its footnote); a mark the workbook gave itself stays."""

from django.db import migrations


def remove_appended_marks(apps, schema_editor):
    Indicator = apps.get_model("evaluation", "Indicator")
    HistoricalIndicator = apps.get_model("evaluation", "HistoricalIndicator")
    revised = HistoricalIndicator.objects.filter(history_change_reason="revision").values_list("id", flat=True)
    for indicator in Indicator.objects.filter(pk__in=set(revised)):
        previous = None
        appended = []
        for record in HistoricalIndicator.objects.filter(id=indicator.pk).order_by("history_date", "history_id"):
            if (
                previous is not None
                and record.history_change_reason == "revision"
                and record.footnote != previous
                and record.footnote.startswith(previous)
            ):
                appended.append(record.footnote[len(previous) :])
            previous = record.footnote
        footnote = indicator.footnote
        for mark in reversed(appended):
            if footnote.endswith(mark):
                footnote = footnote[: -len(mark)]
        if footnote != indicator.footnote:
            Indicator.objects.filter(pk=indicator.pk).update(footnote=footnote)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0011_result_department")]

    operations = [migrations.RunPython(remove_appended_marks, migrations.RunPython.noop)]
