"""Meeting reminders, sent by the background worker (the beat task `meetings.send_reminders`, every
five minutes): a day before and 15 minutes before a scheduled meeting.

- A day before: once the start is 24 hours away or less (and more than 15 minutes), for a meeting
  planned at least a day ahead (one planned for later today has just sent its invitations).
- Soon: once the start is 15 minutes away or less, until it starts (a late sweep sends nothing).
- A meeting moved later, beyond the window of a reminder already sent, is reminded again for its new
  start (a marker older than the window of the present start counts as not sent).

Each goes, once per meeting (Meeting.reminded_day_before_at / reminded_soon_at), to the organiser and
to the invitees whose invitation is in force and who did not decline, active users only: in the
application (kind "meeting_reminder") and by e-mail in each one's language, with the time in their
own time zone. A meeting is claimed by a conditional UPDATE of its marker, in the transaction that
writes the notifications: the UPDATE takes the row's lock, so of two sweeps running at once only one
reminds (the other's UPDATE finds the marker set and changes nothing).
"""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cpms.identity.models import User
from cpms.lib.email import send_email_on_commit
from cpms.panels.models import Membership, Notification

from .models import Invitation, Meeting

DAY_BEFORE = timedelta(hours=24)
SOON = timedelta(minutes=15)
DAY_MARKER = "reminded_day_before_at"
SOON_MARKER = "reminded_soon_at"
# The in-application kind (panels' Notification.Kind.MEETING_REMINDER, added by the scheduling work).
MEETING_REMINDER = "meeting_reminder"


WINDOW = {DAY_MARKER: DAY_BEFORE, SOON_MARKER: SOON}


def not_sent(marker: str) -> Q:
    """The reminder was not sent for the meeting's present start: never, or before that start's window
    opened (it was sent for an earlier start, and the meeting has been moved later since)."""
    return Q(**{marker: None}) | Q(**{f"{marker}__lt": F("starts_at") - WINDOW[marker]})


def due_meetings(marker: str, *, now) -> list[Meeting]:
    """Scheduled meetings whose `marker` reminder is due now and not sent."""
    upcoming = Meeting.objects.unscoped().filter(
        not_sent(marker), status=Meeting.Status.SCHEDULED, starts_at__gt=now
    )
    if marker == DAY_MARKER:
        due = upcoming.filter(starts_at__lte=now + DAY_BEFORE, starts_at__gt=now + SOON)
        return [m for m in due.order_by("starts_at", "pk") if m.created_at <= m.starts_at - DAY_BEFORE]
    return list(upcoming.filter(starts_at__lte=now + SOON).order_by("starts_at", "pk"))


def recipients_of(meeting: Meeting) -> list[User]:
    """The organiser and the invitees in force who did not decline, active users only: 2 queries."""
    invitations = list(
        Invitation.objects.filter(meeting=meeting, removed_at__isnull=True)
        .exclude(response=Invitation.Response.DECLINED)
        .values_list("user_id", "via_panel_id")
    )
    via_panels = {panel_id for _, panel_id in invitations if panel_id}
    members = set(
        Membership.objects.filter(panel_id__in=via_panels, status=Membership.Status.ACCEPTED).values_list(
            "panel_id", "user_id"
        )
    )
    ids = {meeting.organiser_id}
    ids |= {
        user_id for user_id, panel_id in invitations if panel_id is None or (panel_id, user_id) in members
    }
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def zone_name(user) -> str:
    """The user's time zone if this machine knows it, else UTC (the e-mail says which)."""
    try:
        return ZoneInfo(user.time_zone).key if user.time_zone else "UTC"
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"


def claim(meeting: Meeting, marker: str, now) -> bool:
    """Set the meeting's marker unless another sweep did (the UPDATE locks the row); True when this
    sweep may remind."""
    still_due = Meeting.objects.unscoped().filter(
        not_sent(marker), pk=meeting.pk, status=Meeting.Status.SCHEDULED
    )
    return bool(still_due.update(**{marker: now}))


def remind(meeting: Meeting, marker: str, *, now) -> bool:
    """Claim, then tell each recipient in the application and by e-mail (after commit); False when
    another sweep had claimed it."""
    with transaction.atomic():
        if not claim(meeting, marker, now):
            return False
        recipients = recipients_of(meeting)
        # E-mailed here (below), so never again by the panels' e-mails or digest.
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                kind=MEETING_REMINDER,
                panel=None,
                meeting_id=meeting.pk,
                created_at=now,
                emailed_at=now,
            )
            for user in recipients
        )
        for user in recipients:
            context = {
                "user": user,
                "meeting": meeting,
                "soon": marker == SOON_MARKER,
                "zone": zone_name(user),
            }
            send_email_on_commit(user.email, "meetings/email/reminder", context, language=user.email_language)
    return True


def send_reminders(*, now=None) -> dict[str, int]:
    """One sweep: the due reminders of each kind; how many meetings were reminded of each."""
    now = now or timezone.now()
    counts = {}
    for name, marker in (("day_before", DAY_MARKER), ("soon", SOON_MARKER)):
        counts[name] = sum(1 for meeting in due_meetings(marker, now=now) if remind(meeting, marker, now=now))
    return counts
