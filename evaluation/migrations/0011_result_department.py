"""The responsible department per fiscal year: each result carries its own (担当所管課 of that year),
filled for existing results from their indicator's department."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_departments(apps, schema_editor):
    Result = apps.get_model("evaluation", "Result")
    HistoricalResult = apps.get_model("evaluation", "HistoricalResult")
    Indicator = apps.get_model("evaluation", "Indicator")
    of_indicator = Subquery(Indicator.objects.filter(pk=OuterRef("indicator_id")).values("department_id")[:1])
    Result.objects.filter(department__isnull=True).update(department_id=of_indicator)
    HistoricalResult.objects.filter(department__isnull=True).update(department_id=of_indicator)


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("evaluation", "0010_year_grading_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalresult",
            name="department",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="departments.department",
                verbose_name="responsible department",
            ),
        ),
        migrations.AddField(
            model_name="result",
            name="department",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="departments.department",
                verbose_name="responsible department",
            ),
        ),
        migrations.RunPython(fill_departments, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="result",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="departments.department",
                verbose_name="responsible department",
            ),
        ),
    ]
