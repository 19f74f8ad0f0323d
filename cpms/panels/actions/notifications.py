"""A person's writes on their own notifications: read markers and how they want e-mails."""

from django.db import transaction
from django.utils import timezone

from cpms.audit.record import record

from ..models import Notification, NotificationSettings

SETTINGS_CHANGED = "panels.notifications.settings_changed"


def do_mark_notification_read(*, acting_user, notification: Notification) -> None:
    """Opened: read from now on (a second opening keeps the first moment)."""
    if notification.recipient_id != acting_user.pk or notification.read_at is not None:
        return
    notification.read_at = timezone.now()
    Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=notification.read_at)


def do_mark_all_notifications_read(*, acting_user) -> int:
    """Every unread notification of `acting_user` read now; how many were unread."""
    return Notification.objects.filter(recipient=acting_user, read_at=None).update(read_at=timezone.now())


@transaction.atomic
def do_change_notification_settings(*, acting_user, email: str) -> bool:
    """Keep `acting_user`'s e-mail choice (a NotificationSettings.Email value); False when unchanged."""
    if email not in NotificationSettings.Email.values:
        raise ValueError(f"Not an e-mail choice: {email!r}")
    settings, _created = NotificationSettings.objects.select_for_update().get_or_create(user=acting_user)
    old = settings.email
    if old == email:
        return False
    settings.email = email
    settings.save(update_fields=["email"])
    record(acting_user, SETTINGS_CHANGED, acting_user, {"email": {"old": old, "new": email}})
    return True
