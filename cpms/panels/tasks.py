"""The panels' background work: e-mails for notifications (and, scheduled by CELERY_BEAT_SCHEDULE,
the daily digest and the reminders)."""

from celery import shared_task
from django.utils import timezone

from cpms.lib.email import send_email
from cpms.lib.tasks import ReliableTask

from .models import Notification, NotificationSettings

Email = NotificationSettings.Email


def wants_email_now(notification: Notification, choice: str) -> bool:
    return choice == Email.NOW or (choice == Email.URGENT_ONLY and notification.urgent)


@shared_task(base=ReliableTask, name="panels.email_notifications")
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail these notifications to whoever wants them now, in their language; each one once."""
    pending = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at=None)
        .select_related("recipient", "panel", "actor")
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
