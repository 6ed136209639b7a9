"""No admin pages for the jobs: a job's page is its asker's (jobs.views), and the queue's own admin
(django-tasks-db's task results, with their tracebacks in English) is taken away: a failure is in the
log with its job number, which the job's page shows the person."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
