"""Warn holders of guest access that it ends soon. Run daily (cron, or Celery beat in production).

Expired grants need no clean-up: Grant.objects.active() leaves them out as soon as they expire.
Each notice is remembered in the audit trail (access.grant.expiry_notice), so running the
command again sends nothing twice; renewing a grant moves its date and allows a new notice.
"""

from django.core.management.base import BaseCommand

from cpms.access.actions.validation import EXPIRY_NOTICE_WINDOW, do_notify_expiring_guest_grants


class Command(BaseCommand):
    help = "E-mail users whose guest access expires within 14 days (once per expiry date)."

    def handle(self, *args, **options):
        summary = do_notify_expiring_guest_grants()
        self.stdout.write(
            f"Guest grants expiring within {EXPIRY_NOTICE_WINDOW.days} days: "
            f"{summary.notified} notified, {summary.already_notified} already notified."
        )
