"""Telling people about a panel: one call from every action, `notify(recipients, kind, panel, actor=…)`.

It writes the in-application notifications (the header's count and list) in the caller's
transaction; e-mail follows each recipient's settings, through the background worker
(cpms/panels/tasks.py), once the transaction is committed.
"""

from collections.abc import Iterable

from cpms.lib.tasks import run_on_commit

from .models import Notification, Panel


def notify(
    recipients: Iterable, kind: str, panel: Panel | None, *, actor=None, meeting_id: int | None = None
) -> list[Notification]:
    """One notification per recipient (users or user ids; never the actor, never twice); `meeting_id`
    for a meeting's (cpms/meetings: its reminders), which opens the meeting."""
    actor_id = getattr(actor, "pk", actor)
    recipient_ids = sorted({getattr(r, "pk", r) for r in recipients} - {actor_id, None})
    urgent = bool(panel is not None and panel.is_urgent)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=recipient_id,
            kind=kind,
            panel=panel,
            actor_id=actor_id,
            urgent=urgent,
            meeting_id=meeting_id,
        )
        for recipient_id in recipient_ids
    )
    if notifications:
        from .tasks import email_notifications  # the tasks import the actions, which import this

        run_on_commit(email_notifications, [n.pk for n in notifications])
    return notifications
