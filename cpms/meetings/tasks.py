"""The meetings' background work: the reminders (scheduled by CELERY_BEAT_SCHEDULE every 5 minutes)
and the invitation e-mails of each change (queued by invitations.notify_meeting)."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from cpms.lib.tasks import ReliableTask

from . import invitations, reminders


@shared_task(base=ReliableTask, name="meetings.send_reminders")
def send_reminders() -> dict[str, int]:
    """A day before and 15 minutes before each meeting: see reminders.py. Safe to run twice at once."""
    return reminders.send_reminders()


class MailServerFailed(OSError):
    """The mail server failed mid-way: the invitees not reached yet are tried again."""


@shared_task(base=ReliableTask, bind=True, name="meetings.send_invitations")
def send_invitations(self, meeting_id: int, what: str, user_ids: list[int]) -> int:
    """One meeting change's e-mails (invitations.send_invitation_emails); how many invitees it covered.

    When the mail server fails, the retry (with the backoff of ReliableTask) carries only the
    invitees not reached yet, so nobody gets the same e-mail twice because a later one failed."""
    left = invitations.send_invitation_emails(meeting_id, what, user_ids)
    if left:
        failure = MailServerFailed(f"{len(left)} invitations not sent yet")
        raise self.retry(args=(meeting_id, what, left), exc=failure, countdown=backoff(self))
    return len(user_ids)


def backoff(task) -> int:
    """The countdown ReliableTask's automatic retries use: 1, 2, 4 … seconds with jitter."""
    return get_exponential_backoff_interval(
        factor=1, retries=task.request.retries, maximum=task.retry_backoff_max, full_jitter=task.retry_jitter
    )
