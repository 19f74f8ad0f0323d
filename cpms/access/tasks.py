"""The access desk's regular job, scheduled by CELERY_BEAT_SCHEDULE (config/settings.py)."""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from .actions.validation import do_notify_expiring_guest_grants


@shared_task(base=ReliableTask, name="access.notify_expiring_guest_grants")
def notify_expiring_guest_grants() -> int:
    """Daily: guests whose access ends within 14 days are told, once per grant and date."""
    return do_notify_expiring_guest_grants().notified
