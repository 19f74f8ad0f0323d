"""A person's own notifications: the header's count, the list, one to open, and their e-mail settings.

Notifications belong to their recipient only: anyone else asking for one gets 404, as for one that
does not exist. They name a panel by its reference and the patient's ERN pseudonym, never more, so
reading them is not a read of the case (the panel's own page audits that).
"""

from django.db.models import QuerySet
from django.http import Http404

from cpms.access.queries.pages import KeysetPage, keyset_page

from ..models import Notification, NotificationSettings

PAGE_SIZE = 25
RELATED = ("panel", "panel__patient", "panel__ern", "actor")


def unread_count(user) -> int:
    """How many notifications `user` has not read: one query on the (recipient, read_at) index."""
    return Notification.objects.filter(recipient=user, read_at=None).count()


def notifications_of(user) -> QuerySet:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def list_notifications(user, *, after: str = "", before: str = "", size: int = PAGE_SIZE) -> KeysetPage:
    """`user`'s notifications, newest first, a page at a time (3 queries at any depth)."""
    return keyset_page(notifications_of(user), related=RELATED, after=after, before=before, size=size)


def get_notification_for_user(user, notification_id) -> Notification:
    """One of `user`'s notifications; 404 when it is missing or someone else's."""
    try:
        return Notification.objects.select_related("panel").get(pk=notification_id, recipient=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def email_choice(user) -> str:
    """How `user` wants panel e-mails (NotificationSettings.Email); "now" until they choose."""
    choice = NotificationSettings.objects.filter(user=user).values_list("email", flat=True).first()
    return choice or NotificationSettings.Email.NOW
