from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluation"
    verbose_name = _("Plan evaluation")

    def ready(self):
        # The report and the results export as background jobs (the jobs app runs them; a worker too).
        from evaluation import plan_import_jobs
        from evaluation.job_kinds import register_kinds

        register_kinds()
        plan_import_jobs.register_kinds()  # the plan workbook's import: its preview, then the import
