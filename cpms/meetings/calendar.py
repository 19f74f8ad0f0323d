"""Meetings as iCalendar (RFC 5545, the `icalendar` package): one VEVENT per meeting, the same in
the invitations sent by e-mail and in each user's feed.

The start is written in the organiser's time zone (TZID, with its VTIMEZONE), so that every
calendar shows it in its owner's zone; the UID never changes and SEQUENCE follows the changes.
Nothing identifying goes in: the title, the agenda by panel reference, and a link to CPMS.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Meeting

PRODUCT_ID = "-//CPMS//Meetings//EN"


def new_calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def clocks_differ(moment, zone: str, other: str) -> bool:
    """Whether two zones show different times at this moment ("Europe/Paris" and "Europe/Berlin" do not)."""
    return moment.astimezone(ZoneInfo(zone)).utcoffset() != moment.astimezone(ZoneInfo(other)).utcoffset()


def meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meetings:meeting-detail", args=[meeting.pk])


def agenda_lines(meeting: Meeting) -> list[str]:
    return [
        f"{position}. {item.panel.reference if item.panel_id else ''} {item.title}".replace("  ", " ").strip()
        for position, item in enumerate(meeting.agenda_items.all(), start=1)
    ]


def meeting_event(meeting: Meeting) -> Event:
    """The meeting's VEVENT, without attendees (the invitations add theirs)."""
    zone = ZoneInfo(meeting.time_zone)
    event = Event()
    event.add("uid", meeting.calendar_uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    url = meeting_url(meeting)
    event.add("url", url)
    event.add("description", "\n".join([*agenda_lines(meeting), "", url]))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def to_ics(calendar: Calendar) -> bytes:
    """The calendar with the VTIMEZONE of every TZID it uses, as bytes."""
    calendar.add_missing_timezones()
    return calendar.to_ical()


# -- invitations (cpms/meetings/invitations.py): METHOD:REQUEST for an invitation or a change,
# METHOD:CANCEL for a cancellation or an invitee taken off; the same UID, the SEQUENCE of the change.

REQUEST, CANCEL = "REQUEST", "CANCEL"
PARTSTAT = {
    "needs-action": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "tentative": "TENTATIVE",
    "declined": "DECLINED",
}


def person(user, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(user.get_full_name() or user.username)
    for name, value in params.items():
        address.params[name.replace("_", "-")] = value
    return address


def invitation_calendar(meeting: Meeting, method: str, invitations) -> Calendar:
    """The meeting as sent to invitees: its ORGANIZER, and an ATTENDEE with its PARTSTAT per
    invitation in `invitations` (select_related("user")); a CANCEL is STATUS:CANCELLED."""
    calendar = new_calendar(method)
    event = meeting_event(meeting)
    event.add("organizer", person(meeting.organiser))
    for invitation in invitations:
        event.add(
            "attendee",
            person(
                invitation.user,
                role="REQ-PARTICIPANT",
                partstat=PARTSTAT.get(invitation.response, "NEEDS-ACTION"),
                rsvp="TRUE" if method == REQUEST else "FALSE",
            ),
        )
    if method == CANCEL:  # an invitee taken off a meeting that goes on: cancelled for them
        event.pop("status", None)
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar
