"""Telling invitees about a meeting: an e-mail in each one's language with the .ics attached
(METHOD:REQUEST for an invitation or a change, METHOD:CANCEL for a cancellation or an invitee
taken off), and an in-application notification that opens the meeting's page.

The notifications are written in the caller's transaction; once it commits, one background task per
change (tasks.send_invitations: the worker with a broker, here in the embedded default) renders the
e-mails and their .ics from what is true then, and sends them in batches over one connection to the
mail server: a change to 200 invitees costs the request nothing. The e-mail is the notification's
e-mail: the panels' notification e-mails and digests skip these rows (`emailed_at` is set).

Each invitee's .ics names the organiser and that invitee only: invitees do not learn each other's
e-mail addresses (the meeting's page shows them each other's names).
"""

import logging
import smtplib

from django.core.mail import EmailMessage, get_connection
from django.db.models import Prefetch
from django.utils import timezone

from cpms.lib.email import masked_address, render_email
from cpms.lib.tasks import run_on_commit
from cpms.panels.models import Notification

from .calendar import CANCEL, REQUEST, clocks_differ, invitation_calendar, to_ics
from .models import AgendaItem, Invitation, Meeting

logger = logging.getLogger(__name__)

INVITED, CHANGED, CANCELLED, REMOVED = "invited", "changed", "cancelled", "removed"
KINDS = {
    INVITED: (REQUEST, Notification.Kind.MEETING_INVITED),
    CHANGED: (REQUEST, Notification.Kind.MEETING_CHANGED),
    CANCELLED: (CANCEL, Notification.Kind.MEETING_CANCELLED),
    REMOVED: (CANCEL, Notification.Kind.MEETING_CANCELLED),
}
TEMPLATE = "meetings/email/invitation"
BATCH = 50  # e-mails rendered and handed to the mail server at a time, over one connection


def notify_meeting(meeting: Meeting, what: str, user_ids, *, actor) -> None:
    """Tell these invitees (user ids) that `what` happened to `meeting`: in the application now,
    by e-mail with the .ics in the background once the transaction commits."""
    from .tasks import send_invitations  # the task calls send_invitation_emails below

    user_ids = sorted(set(user_ids) - {getattr(actor, "pk", actor), None})
    if not user_ids:
        return
    _method, kind = KINDS[what]
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, kind=kind, meeting_id=meeting.pk, actor=actor, emailed_at=now)
        for user_id in user_ids
    )
    run_on_commit(send_invitations, meeting.pk, what, user_ids)


def ics_attachment(meeting: Meeting, method: str, invitations) -> list[str]:
    """(file name, text, MIME type) of the meeting's .ics for an e-mail."""
    content = to_ics(invitation_calendar(meeting, method, invitations)).decode()
    return ["meeting.ics" if method == REQUEST else "cancel.ics", content, f"text/calendar; method={method}"]


def still_concerned(invitation: Invitation, what: str) -> bool:
    """An invitation or change for someone taken off since, or a removal undone since: nothing to send
    (the later change's own task tells them what is true)."""
    if not invitation.user.is_active:
        return False
    if what == REMOVED:
        return invitation.removed_at is not None
    return what == CANCELLED or invitation.removed_at is None


def invitation_emails(meeting_id: int, what: str, user_ids) -> list[tuple[int, EmailMessage]]:
    """(user id, e-mail) for each of these invitees still concerned, with the .ics of what is true now.
    Three queries, whatever the number of invitees."""
    method, _kind = KINDS[what]
    items = Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("panel"))
    meetings = Meeting.objects.unscoped().select_related("organiser").prefetch_related(items)
    meeting = meetings.get(pk=meeting_id)
    agenda = list(meeting.agenda_items.all())
    invitations = (
        Invitation.objects.filter(meeting=meeting, user_id__in=list(user_ids))
        .select_related("user")
        .order_by("user_id")
    )
    emails = []
    for invitation in invitations:
        if not still_concerned(invitation, what):
            continue
        user = invitation.user
        context = {
            "user": user,
            "meeting": meeting,
            "what": what,
            "agenda": agenda,
            "zone": user.time_zone,
            "other_zone": meeting.time_zone
            if clocks_differ(meeting.starts_at, meeting.time_zone, user.time_zone)
            else "",
        }
        subject, body = render_email(TEMPLATE, context, user.email_language)
        message = EmailMessage(subject=subject, body=body, to=[user.email])
        message.attach(*ics_attachment(meeting, method, [invitation]))
        emails.append((user.pk, message))
    return emails


def send_invitation_emails(meeting_id: int, what: str, user_ids: list[int]) -> list[int]:
    """Render and send, BATCH at a time over one connection; the ids it did not reach yet when the
    mail server failed (the task tries those again), else []. A refused address is skipped."""
    user_ids = sorted(user_ids)
    for start in range(0, len(user_ids), BATCH):
        batch = invitation_emails(meeting_id, what, user_ids[start : start + BATCH])
        sent_until = start
        try:
            with get_connection() as connection:
                for user_id, message in batch:
                    try:
                        connection.send_messages([message])
                    except smtplib.SMTPRecipientsRefused:  # never accepted: no retry, no address logged
                        address = masked_address(message.to[0])
                        logger.warning("Invitation to %s refused by the mail server", address)
                    sent_until = user_ids.index(user_id) + 1
        except OSError:
            logger.warning("Mail server failed after %s of %s invitations", sent_until, len(user_ids))
            return user_ids[max(sent_until, start) :]
    return []
