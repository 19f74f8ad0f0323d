"""The reminders a day and 15 minutes before a meeting: to the organiser and the invitees in force who
did not decline, once each, in the application and by e-mail in each one's language and time zone;
two sweeps at once remind once; the beat task goes through the real worker."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from cpms.panels.models import Notification

from .. import reminders
from ..models import Invitation, Meeting
from ..reminders import MEETING_REMINDER, send_reminders
from ..tasks import send_reminders as send_reminders_task
from .factories import make_meeting, make_meeting_world

BERLIN = ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 12, 10, 15, 0, tzinfo=BERLIN)
PLANNED = START - dt.timedelta(days=7)


def reminded() -> set[int]:
    return set(Notification.objects.filter(kind=MEETING_REMINDER).values_list("recipient_id", flat=True))


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def meeting(world):
    with at(PLANNED):
        return make_meeting(world.enrolling, panels=[world.panel], starts_at=START, title="RND board")


def test_a_day_before_it_reminds_the_organiser_and_the_invitees_once(
    world, meeting, django_capture_on_commit_callbacks
):
    Invitation.objects.create(meeting=meeting, user=world.other_centre)
    with at(START - dt.timedelta(hours=25)):
        assert send_reminders() == {"day_before": 0, "soon": 0}
    with at(START - dt.timedelta(hours=23)), django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"day_before": 1, "soon": 0}
        assert send_reminders() == {"day_before": 0, "soon": 0}
    expected = {world.enrolling.pk, world.expert.pk, world.guest_member.pk, world.other_centre.pk}
    assert reminded() == expected
    assert Notification.objects.filter(kind=MEETING_REMINDER).exclude(emailed_at=None).count() == 4
    assert {message.to[0] for message in mail.outbox} == {
        "helena@example.org",
        "erik@example.org",
        "gustav@example.org",
        "lena@example.org",
    }
    meeting.refresh_from_db()
    assert meeting.reminded_day_before_at == START - dt.timedelta(hours=23)
    [erik] = [m for m in mail.outbox if m.to == ["erik@example.org"]]
    assert erik.subject.startswith("Reminder: RND board on 10 December 2026")
    assert "takes place in less than a day" in erik.body and f"/cpms/meetings/{meeting.pk}/" in erik.body


def test_fifteen_minutes_before_it_reminds_again_in_each_ones_language_and_zone(
    world, meeting, django_capture_on_commit_callbacks
):
    world.expert.email_language = "fr"
    world.expert.time_zone = "America/New_York"
    world.expert.save()
    with at(START - dt.timedelta(minutes=20)):
        assert send_reminders() == {"day_before": 1, "soon": 0}  # a late day-before one still goes
    mail.outbox.clear()
    with at(START - dt.timedelta(minutes=14)), django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"day_before": 0, "soon": 1}
    [erik] = [m for m in mail.outbox if m.to == ["erik@example.org"]]
    assert erik.subject == "Rappel : RND board commence dans 15 minutes"
    assert "09:00 (America/New_York)" in erik.body
    [helena] = [m for m in mail.outbox if m.to == ["helena@example.org"]]
    assert "15:00 (Europe/Brussels)" in helena.body and "takes place" not in helena.body
    with at(START + dt.timedelta(minutes=1)):
        assert send_reminders() == {"day_before": 0, "soon": 0}


def test_it_leaves_out_who_declined_was_removed_or_left_the_panel_and_a_cancelled_meeting(world, meeting):
    Invitation.objects.filter(meeting=meeting, user=world.expert).update(
        response=Invitation.Response.DECLINED
    )
    world.panel.memberships.filter(user=world.guest_member).update(status="removed")
    removed = Invitation.objects.create(meeting=meeting, user=world.other_centre, removed_at=PLANNED)
    with at(START - dt.timedelta(hours=2)):
        send_reminders()
    assert reminded() == {world.enrolling.pk}
    assert removed.user_id not in reminded()
    Notification.objects.all().delete()
    with at(PLANNED):
        called_off = make_meeting(
            world.enrolling, panels=[world.panel], starts_at=START, status=Meeting.Status.CANCELLED
        )
    with at(START - dt.timedelta(minutes=5)):
        assert send_reminders() == {"day_before": 0, "soon": 1}  # the first meeting only
    called_off.refresh_from_db()
    assert called_off.reminded_soon_at is None


def test_no_day_before_reminder_for_a_meeting_planned_within_the_day(world):
    with at(START - dt.timedelta(hours=5)):
        make_meeting(world.enrolling, panels=[world.panel], starts_at=START)
        assert send_reminders() == {"day_before": 0, "soon": 0}
    with at(START - dt.timedelta(minutes=10)):
        assert send_reminders() == {"day_before": 0, "soon": 1}


def test_a_sweep_that_finds_a_meeting_another_sweep_claimed_sends_nothing(world, meeting):
    moment = START - dt.timedelta(minutes=10)
    with at(moment):
        stale = reminders.due_meetings(reminders.SOON_MARKER, now=moment)  # the slower sweep read these
        assert [m.pk for m in stale] == [meeting.pk]
        assert send_reminders() == {"day_before": 0, "soon": 1}  # the faster sweep
        count = Notification.objects.count()
        assert not reminders.remind(stale[0], reminders.SOON_MARKER, now=moment)
    assert Notification.objects.count() == count


def test_a_meeting_moved_later_is_reminded_again_for_its_new_start_and_one_moved_a_little_is_not(
    world, meeting
):
    with at(START - dt.timedelta(hours=23)):
        assert send_reminders() == {"day_before": 1, "soon": 0}
    later = START + dt.timedelta(days=2)
    Meeting.objects.unscoped().filter(pk=meeting.pk).update(starts_at=START + dt.timedelta(minutes=30))
    with at(START - dt.timedelta(hours=22)):
        assert send_reminders() == {"day_before": 0, "soon": 0}  # moved by half an hour: already told
    Meeting.objects.unscoped().filter(pk=meeting.pk).update(starts_at=later)
    with at(START - dt.timedelta(hours=21)):
        assert send_reminders() == {"day_before": 0, "soon": 0}  # two days ahead now: not yet
    with at(later - dt.timedelta(hours=23)):
        assert send_reminders() == {"day_before": 1, "soon": 0}
        assert send_reminders() == {"day_before": 0, "soon": 0}
    assert Notification.objects.filter(kind=MEETING_REMINDER, recipient=world.expert).count() == 2


def test_the_beat_schedule_runs_it_every_five_minutes():
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "meetings.send_reminders"]
    assert entry["schedule"] == 5 * 60


def test_it_goes_through_the_real_worker_and_two_runs_remind_once(broker):
    world = make_meeting_world()
    with at(PLANNED):
        meeting = make_meeting(world.enrolling, panels=[world.panel], starts_at=START, title="Worker board")
    with at(START - dt.timedelta(minutes=10)):
        send_reminders_task.delay()
        send_reminders_task.delay()
        assert broker.wait_for("meetings.send_reminders", count=2) == ["SUCCESS", "SUCCESS"]
        broker.wait_for("lib.deliver_email", count=3)
    meeting.refresh_from_db()
    assert meeting.reminded_soon_at == START - dt.timedelta(minutes=10)
    assert meeting.reminded_day_before_at is None  # too late for that one: only the soon one went
    # the organiser and the two members invited through the panel, once each
    assert reminded() == {world.enrolling.pk, world.expert.pk, world.guest_member.pk}
    assert Notification.objects.filter(kind=MEETING_REMINDER).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "erik@example.org",
        "gustav@example.org",
        "helena@example.org",
    ]
    assert {m.subject for m in mail.outbox} == {"Reminder: Worker board starts in 15 minutes"}
