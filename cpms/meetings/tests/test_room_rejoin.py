"""The page reconnects a lost socket by itself (room.js, ?rejoin=1): someone admitted a moment ago
comes back in without knocking again; anyone else (never admitted, turned away, long gone, or asking
without rejoin) knocks at the lobby as usual, and the door's checks still hold."""

from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.utils import timezone

from cpms.audit.models import AuditEvent

from ..models import Attendance, Invitation
from ..room import CLOSE_NOT_INVITED, REJOIN_SECONDS
from .room_helpers import (
    _keep_test_transaction,  # noqa: F401 - an autouse fixture
    cookie_of,
    expect_refused,
    open_room,
    organiser_and_admitted,
    receive_until,
)


def test_someone_admitted_a_moment_ago_comes_back_in_at_once(world):
    cookie = cookie_of(world.expert)

    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)
        await organiser.receive_json_from()
        member = await open_room(world.meeting, cookie)
        await member.receive_json_from()
        await organiser.receive_json_from()
        await organiser.send_json_to({"type": "admit", "to": world.expert.pk})
        await receive_until(member, "welcome")
        await receive_until(organiser, "joined")
        await member.disconnect()
        await receive_until(organiser, "left")
        back = await open_room(world.meeting, cookie, query="rejoin=1")
        welcome = await back.receive_json_from()
        assert welcome["type"] == "welcome" and welcome["me"]["id"] == world.expert.pk
        assert (await receive_until(organiser, "joined"))["person"]["id"] == world.expert.pk
        for communicator in (organiser, back):
            await communicator.disconnect()

    async_to_sync(scenario)()
    first, second = Attendance.objects.filter(meeting=world.meeting, user=world.expert).order_by("pk")
    assert second.admitted_by_id == first.admitted_by_id == world.enrolling.pk
    event = AuditEvent.objects.get(action="meetings.room.rejoined")
    assert event.data == {"attendance": second.pk, "after": first.pk}


def test_without_rejoin_or_long_after_or_never_admitted_they_knock(world):
    cookie = cookie_of(world.expert)
    long_ago = timezone.now() - timedelta(seconds=REJOIN_SECONDS + 5)
    Attendance.objects.create(
        meeting=world.meeting, user=world.expert, knocked_at=long_ago, admitted_at=long_ago, left_at=long_ago
    )
    Attendance.objects.create(meeting=world.meeting, user=world.guest_member, left_at=timezone.now())

    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)
        await organiser.receive_json_from()
        for who in (cookie, world.guest_member):
            knocker = await open_room(world.meeting, who, query="rejoin=1")
            assert (await knocker.receive_json_from())["type"] == "waiting"
            await knocker.disconnect()
        await organiser.disconnect()

    async_to_sync(scenario)()
    assert not AuditEvent.objects.filter(action="meetings.room.rejoined").exists()


def test_someone_taken_off_meanwhile_is_refused_at_the_door(world):
    async def scenario():
        organiser, member = await organiser_and_admitted(world, guest=world.outsider_invited)
        await receive_until(member, "welcome")
        await member.disconnect()
        await take_off()
        back = await open_room(world.meeting, world.outsider_invited, query="rejoin=1")
        await expect_refused(back, CLOSE_NOT_INVITED)
        await organiser.disconnect()

    @database_sync_to_async
    def take_off():
        Invitation.objects.filter(meeting=world.meeting, user=world.outsider_invited).update(
            removed_at=timezone.now()
        )

    async_to_sync(scenario)()
