"""The meetings' background work: the reminders (scheduled by CELERY_BEAT_SCHEDULE every 5 minutes)."""

from celery import shared_task

from cpms.lib.tasks import ReliableTask

from . import reminders


@shared_task(base=ReliableTask, name="meetings.send_reminders")
def send_reminders() -> dict[str, int]:
    """A day before and 15 minutes before each meeting: see reminders.py. Safe to run twice at once."""
    return reminders.send_reminders()
