"""The personal iCalendar feed: public, found by its secret; METHOD:PUBLISH with the user's
meetings (upcoming, the last 90 days, cancelled ones as STATUS:CANCELLED), nothing identifying."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cpms.access.models import Grant

from ..feed import do_create_calendar_feed
from ..models import CalendarFeed, Invitation, Meeting
from .factories import make_meeting

# The feed (with its owner), the owner's access, their meetings, the agenda, the read mark.
QUERIES = 5


def url(feed: CalendarFeed) -> str:
    return reverse("meetings:feed", args=[feed.token])


def read(feed: CalendarFeed) -> Calendar:
    response = Client().get(url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_it_publishes_the_users_meetings_and_nothing_identifying(world):
    feed = do_create_calendar_feed(acting_user=world.expert)
    now = timezone.now()
    recent = make_meeting(
        world.enrolling, panels=[world.panel], title="Last month", starts_at=now - timedelta(days=30)
    )
    make_meeting(world.enrolling, panels=[world.panel], title="Too old", starts_at=now - timedelta(days=91))
    cancelled = make_meeting(world.enrolling, panels=[world.panel], title="Called off")
    Meeting.objects.unscoped().filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
    make_meeting(world.triager, title="Not theirs")
    calendar = read(feed)
    assert calendar["method"] == "PUBLISH"
    found = events(calendar)
    assert set(found) == {world.meeting.title, "Last month", "Called off"}
    event = found[world.meeting.title]
    assert str(event["uid"]) == world.meeting.calendar_uid
    assert (
        event["dtstart"].dt == world.meeting.starts_at and event["dtstart"].params["TZID"] == "Europe/Berlin"
    )
    assert world.panel.reference in str(event["description"])
    assert str(found["Called off"]["status"]) == "CANCELLED" and str(event["status"]) == "CONFIRMED"
    assert found["Last month"]["uid"] == recent.calendar_uid
    text = Client().get(url(feed)).content.decode()
    for identifying in (
        world.patient.pseudonym,
        world.expert.email,
        world.enrolling.email,
        "Larsen",
        "ATTENDEE",
    ):
        assert identifying not in text
    assert CalendarFeed.objects.get(pk=feed.pk).last_read_at is not None


def test_a_removed_invitation_or_membership_takes_the_meeting_out(world):
    feed = do_create_calendar_feed(acting_user=world.expert)
    world.panel.memberships.filter(user=world.expert).update(status="removed")
    assert not events(read(feed))
    outsider = do_create_calendar_feed(acting_user=world.outsider_invited)
    assert set(events(read(outsider))) == {world.meeting.title}
    Invitation.objects.filter(user=world.outsider_invited).update(removed_at=timezone.now())
    assert not events(read(outsider))


@pytest.mark.parametrize("secret", ["sample", "A" * 43, "A" * 44, "../../etc", "%00" * 10, "é" * 43])
def test_a_wrong_secret_is_404(world, secret):
    do_create_calendar_feed(acting_user=world.expert)
    assert Client().get(f"/cpms/meetings/feed/{secret}.ics").status_code == 404


def test_a_user_no_longer_active_or_without_cpms_access_has_no_feed(world):
    feed = do_create_calendar_feed(acting_user=world.expert)
    Grant.objects.filter(user=world.expert).update(revoked_at=timezone.now())
    assert Client().get(url(feed)).status_code == 404
    other = do_create_calendar_feed(acting_user=world.guest_member)
    world.guest_member.is_active = False
    world.guest_member.save()
    assert Client().get(url(other)).status_code == 404


def test_it_answers_head_and_refuses_post(world):
    feed = do_create_calendar_feed(acting_user=world.expert)
    assert Client().head(url(feed)).status_code == 200
    assert Client().post(url(feed)).status_code == 405


def test_its_queries_are_a_fixed_few(world, django_assert_num_queries):
    feed = do_create_calendar_feed(acting_user=world.expert)
    with django_assert_num_queries(QUERIES):
        Client().get(url(feed))
    for days in range(1, 6):
        make_meeting(world.enrolling, panels=[world.panel], starts_at=timezone.now() + timedelta(days=days))
    with django_assert_num_queries(QUERIES):
        assert len(read(feed).walk("VEVENT")) == 6
    with django_assert_num_queries(1):
        Client().get("/cpms/meetings/feed/" + "B" * 43 + ".ics")
