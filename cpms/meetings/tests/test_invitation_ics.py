"""The .ics of the invitation, the change and the cancellation, parsed with icalendar: the UID stays,
SEQUENCE follows the changes, METHOD says what it is, the start carries the organiser's TZID, and
the times hold across two zones whose clocks change on different days (Europe/Berlin moves on the
last Sunday of March, America/New_York on the second: in between they are 5 hours apart, not 6)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from ..actions import Plan, Slot, do_cancel_meeting, do_change_meeting, do_schedule_meeting
from .scheduling_helpers import event_of, ics_of, mails_to

BERLIN, NEW_YORK, UTC = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("UTC")


def between_the_changes() -> date:
    """A Wednesday of next March when New York has moved to summer time and Berlin not yet."""
    year = timezone.now().year + 1
    second_sunday = [day for day in range(1, 15) if date(year, 3, day).weekday() == 6][1]
    return date(year, 3, second_sunday + 3)


def plan(world, day: date, at: str = "15:00", **changes) -> Plan:
    hour, minute = map(int, at.split(":"))
    fields = {
        "title": "RND board",
        "starts_at": datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN),
        "time_zone": "Europe/Berlin",
        "duration_minutes": 60,
        "agenda": (Slot(world.panel, "", 30), Slot(None, "Any other business", 10)),
        "extra_invitee_ids": (world.other_centre.pk,),
    }
    return Plan(**(fields | changes))


@pytest.fixture
def new_yorker(world):
    world.other_centre.time_zone = "America/New_York"
    world.other_centre.email_language = "fr"
    world.other_centre.save()
    return world.other_centre


def test_invitation_change_and_cancellation_across_two_zones(
    world, new_yorker, django_capture_on_commit_callbacks
):
    day = between_the_changes()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = do_schedule_meeting(acting_user=world.enrolling, plan=plan(world, day))
    [invitation] = mails_to(new_yorker)
    calendar, content_type = ics_of(invitation)
    assert content_type.replace('"', "").startswith("text/calendar; method=REQUEST")
    [event] = calendar.walk("VEVENT")
    assert calendar["method"] == "REQUEST" and event["sequence"] == 0
    uid = event["uid"]
    assert uid == meeting.calendar_uid
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    start = event.decoded("dtstart")
    assert start.astimezone(UTC) == datetime(day.year, 3, day.day, 14, 0, tzinfo=UTC)  # CET: UTC+1
    assert start.astimezone(NEW_YORK).hour == 10  # EDT already: 5 hours behind Berlin, not 6
    assert event.decoded("dtend") - start == timedelta(minutes=60)
    assert str(event["organizer"]) == f"mailto:{world.enrolling.email}"
    attendee = event["attendee"]  # them alone: invitees do not learn each other's addresses
    assert (str(attendee), attendee.params["PARTSTAT"]) == (f"mailto:{new_yorker.email}", "NEEDS-ACTION")
    ics = calendar.to_ical().decode()
    assert world.expert.email not in ics and world.guest_member.email not in ics
    [theirs] = mails_to(world.expert)
    assert str(event_of(theirs)[1]["attendee"]) == f"mailto:{world.expert.email}"
    body = invitation.body
    assert "10:00" in body and "America/New_York" in body  # the invitee's own time, in French
    assert "15:00 (Europe/Berlin)" in body and "Ordre du jour" in body
    assert invitation.subject == "Invitation : RND board"

    # A week after Berlin's change: the same 15:00 there is 13:00 UTC, 09:00 in New York.
    mail.outbox.clear()
    later = day + timedelta(days=21)
    with django_capture_on_commit_callbacks(execute=True):
        do_change_meeting(acting_user=world.enrolling, meeting=meeting, plan=plan(world, later))
    calendar, event = event_of(mails_to(new_yorker)[0])
    assert calendar["method"] == "REQUEST" and event["uid"] == uid and event["sequence"] == 1
    start = event.decoded("dtstart")
    assert start.astimezone(UTC) == datetime(later.year, later.month, later.day, 13, 0, tzinfo=UTC)
    assert start.astimezone(NEW_YORK).hour == 9
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_cancel_meeting(acting_user=world.enrolling, meeting=meeting)
    calendar, event = event_of(mails_to(new_yorker)[0])
    assert calendar["method"] == "CANCEL" and event["uid"] == uid and event["sequence"] == 2
    assert event["status"] == "CANCELLED"
    assert event.decoded("dtstart").astimezone(UTC).hour == 13


def test_an_organiser_in_lisbon_writes_the_start_in_lisbon_time(world, django_capture_on_commit_callbacks):
    lisbon = ZoneInfo("Europe/Lisbon")
    day = timezone.now().date() + timedelta(days=10)
    starts = datetime(day.year, day.month, day.day, 9, 30, tzinfo=lisbon)
    with django_capture_on_commit_callbacks(execute=True):
        do_schedule_meeting(
            acting_user=world.enrolling, plan=plan(world, day, starts_at=starts, time_zone="Europe/Lisbon")
        )
    calendar, event = event_of(mails_to(world.expert)[0])
    assert event["dtstart"].params["TZID"] == "Europe/Lisbon"
    assert event.decoded("dtstart").astimezone(lisbon).strftime("%H:%M") == "09:30"
    assert event.decoded("dtstart").astimezone(BERLIN).strftime("%H:%M") == "10:30"
