"""The panels' background work: e-mails for notifications (and, scheduled by CELERY_BEAT_SCHEDULE,
the daily digest and the reminders)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from cpms.lib.email import send_email
from cpms.lib.tasks import ReliableTask

from . import reminders
from .models import Notification, NotificationSettings

Email = NotificationSettings.Email
RELATED = ("recipient", "panel", "panel__patient", "panel__ern", "actor")
# A digest lists this many notifications at most (the rest: "and N more", all of them in the application).
DIGEST_MAX_ITEMS = 50
# Older notifications not yet e-mailed (the user chose a digest since) stay in the application only.
DIGEST_MAX_AGE = timedelta(days=7)


def wants_email_now(notification: Notification, choice: str) -> bool:
    """Urgent panels are e-mailed at once whatever the choice; the rest only to those who chose "now"."""
    return choice == Email.NOW or notification.urgent


@shared_task(base=ReliableTask, name="panels.email_notifications")
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail these notifications to whoever wants them now, in their language; each one once."""
    pending = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at=None, recipient__is_active=True)
        .select_related(*RELATED)
        .order_by("id")
    )
    choices = dict(
        NotificationSettings.objects.filter(user_id__in={n.recipient_id for n in pending}).values_list(
            "user_id", "email"
        )
    )
    sent = 0
    for notification in pending:
        if not wants_email_now(notification, choices.get(notification.recipient_id, Email.NOW)):
            continue
        recipient = notification.recipient
        context = {"user": recipient, "notification": notification, "panel": notification.panel}
        send_email(recipient.email, "panels/email/notification", context, language=recipient.email_language)
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def digest_pending(now) -> dict[int, list[Notification]]:
    """Per recipient who chose the digest: their notifications not yet e-mailed, oldest first."""
    pending = (
        Notification.objects.filter(
            emailed_at=None,
            created_at__gte=now - DIGEST_MAX_AGE,
            recipient__is_active=True,
            recipient__panel_notification_settings__email=Email.DIGEST,
        )
        .select_related(*RELATED)
        .order_by("recipient_id", "created_at", "id")
    )
    by_recipient: dict[int, list[Notification]] = {}
    for notification in pending:
        by_recipient.setdefault(notification.recipient_id, []).append(notification)
    return by_recipient


@shared_task(base=ReliableTask, name="panels.email_digests")
def email_digests() -> int:
    """Once a day: one e-mail per digest reader with what they were not told yet; how many were sent."""
    now = timezone.now()
    sent = 0
    for notifications in digest_pending(now).values():
        recipient = notifications[0].recipient
        shown = notifications[:DIGEST_MAX_ITEMS]
        context = {
            "user": recipient,
            "notifications": shown,
            "total": len(notifications),
            "more": len(notifications) - len(shown),
        }
        send_email(recipient.email, "panels/email/digest", context, language=recipient.email_language)
        # Only those still pending: an urgent one e-mailed meanwhile keeps its own moment.
        Notification.objects.filter(pk__in=[n.pk for n in notifications], emailed_at=None).update(
            emailed_at=now
        )
        sent += 1
    return sent


@shared_task(base=ReliableTask, name="panels.send_reminders")
def send_reminders() -> dict[str, int]:
    """Once a day: the reminders before the wished answer date and before a close that would fail."""
    days = settings.PANELS_REMINDER_DAYS_BEFORE
    return {
        "wished_date": reminders.remind_wished_date(days_before=days),
        "close_rule": reminders.remind_close_rule(days_before=days),
    }
