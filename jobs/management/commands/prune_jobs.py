"""Drop the background jobs whose file has expired (MEZASU_JOB_RESULT_HOURS after they finished) and
fail the running ones whose worker is gone. The worker does the first after every job; run this from
cron or a systemd timer too (docs/deployment.md)."""

from django.core.management.base import BaseCommand

from jobs import services
from jobs.models import Job


class Command(BaseCommand):
    help = "Drop expired background jobs and their files; fail the jobs whose worker stopped."

    def handle(self, *args, **options):
        stalled = services.fail_stalled(Job.objects.all())
        deleted = services.prune_expired()
        self.stdout.write(f"{deleted} expired rows dropped, {stalled} stalled jobs failed.")
