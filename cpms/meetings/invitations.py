"""Telling invitees about a meeting: an e-mail in each one's language with the .ics attached
(METHOD:REQUEST for an invitation or a change, METHOD:CANCEL for a cancellation or an invitee
taken off), and an in-application notification that opens the meeting's page.

The notifications are written in the caller's transaction; the e-mails (and their .ics, built
from what was committed) leave once it commits. The e-mail is the notification's e-mail: the
panels' notification e-mails and digests skip these rows (`emailed_at` is set).
"""

from django.db import transaction
from django.utils import timezone

from cpms.lib.email import deliver_email, render_email
from cpms.lib.tasks import run_now
from cpms.panels.models import Notification

from .calendar import CANCEL, REQUEST, clocks_differ, invitation_calendar, to_ics
from .models import Invitation, Meeting

INVITED, CHANGED, CANCELLED, REMOVED = "invited", "changed", "cancelled", "removed"
KINDS = {
    INVITED: (REQUEST, Notification.Kind.MEETING_INVITED),
    CHANGED: (REQUEST, Notification.Kind.MEETING_CHANGED),
    CANCELLED: (CANCEL, Notification.Kind.MEETING_CANCELLED),
    REMOVED: (CANCEL, Notification.Kind.MEETING_CANCELLED),
}
TEMPLATE = "meetings/email/invitation"


def notify_meeting(meeting: Meeting, what: str, user_ids, *, actor) -> None:
    """Tell these invitees (user ids) that `what` happened to `meeting`: in the application now,
    by e-mail with the .ics once the transaction commits."""
    user_ids = sorted(set(user_ids) - {getattr(actor, "pk", actor), None})
    if not user_ids:
        return
    _method, kind = KINDS[what]
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, kind=kind, meeting_id=meeting.pk, actor=actor, emailed_at=now)
        for user_id in user_ids
    )
    transaction.on_commit(lambda: send_invitation_emails(meeting.pk, what, user_ids))


def ics_attachment(meeting: Meeting, method: str, invitations) -> list[str]:
    """(file name, text, MIME type) of the meeting's .ics for an e-mail."""
    content = to_ics(invitation_calendar(meeting, method, invitations)).decode()
    return ["meeting.ics" if method == REQUEST else "cancel.ics", content, f"text/calendar; method={method}"]


def send_invitation_emails(meeting_id: int, what: str, user_ids: list[int]) -> None:
    """After commit: one e-mail per invitee, with the .ics of what is now true."""
    method, _kind = KINDS[what]
    meeting = Meeting.objects.unscoped().select_related("organiser").get(pk=meeting_id)
    invitations = list(
        Invitation.objects.filter(meeting=meeting).select_related("user").order_by("user__last_name", "pk")
    )
    in_force = [i for i in invitations if i.removed_at is None]
    agenda = list(meeting.agenda_items.select_related("panel"))
    for invitation in invitations:
        if invitation.user_id not in user_ids or not invitation.user.is_active:
            continue
        user = invitation.user
        # A REQUEST names every invitee in force; a CANCEL to someone taken off names them alone.
        attendees = [invitation] if what == REMOVED else in_force
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
        run_now(deliver_email, (user.email, subject, body, [ics_attachment(meeting, method, attendees)]))
