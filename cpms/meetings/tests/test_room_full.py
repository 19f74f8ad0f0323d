"""The full mesh holds six (room.MAX_PARTICIPANTS): a seventh is told the room is full, at the door
or when the organiser tries to admit them, and the refusal is in the audit trail."""

from asgiref.sync import async_to_sync
from django.utils import timezone

from cpms.audit.models import AuditEvent

from ..models import Attendance
from ..room import CLOSE_FULL, MAX_PARTICIPANTS, room_is_full
from .room_helpers import (
    _keep_test_transaction,  # noqa: F401 - an autouse fixture
    expect_refused,
    open_room,
    receive_until,
)


def already_in(world, count):
    """`count` people in the room already (admitted, heard from now), their connections elsewhere."""
    people = [world.triager, world.guest, world.invited, world.researcher, world.other_ern][:count]
    now = timezone.now()
    for user in people:
        Attendance.objects.create(
            meeting=world.meeting,
            user=user,
            knocked_at=now,
            admitted_at=now,
            admitted_by=world.enrolling,
            seen_at=now,
        )


def test_the_rule_counts_the_others():
    assert not room_is_full({1, 2, 3, 4, 5}, 6)
    assert room_is_full({1, 2, 3, 4, 5, 6}, 7)
    assert not room_is_full({1, 2, 3, 4, 5, 6}, 6)  # one of the six, from another window
    assert MAX_PARTICIPANTS == 6


def test_a_seventh_is_told_at_the_door(world):
    already_in(world, MAX_PARTICIPANTS - 1)

    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)  # the sixth
        assert (await organiser.receive_json_from())["type"] == "welcome"
        seventh = await open_room(world.meeting, world.expert)
        await expect_refused(seventh, CLOSE_FULL)
        assert await organiser.receive_nothing()  # nobody at the lobby
        await organiser.disconnect()

    async_to_sync(scenario)()
    event = AuditEvent.objects.get(action="meetings.room.connection_refused")
    assert event.actor_id == world.expert.pk and event.data == {"close": CLOSE_FULL}
    assert not Attendance.objects.filter(meeting=world.meeting, user=world.expert).exists()


def test_the_organiser_cannot_admit_a_seventh_who_is_told_the_room_is_full(world):
    already_in(world, MAX_PARTICIPANTS - 2)

    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)  # the fifth
        await organiser.receive_json_from()
        sixth = await open_room(world.meeting, world.expert)
        seventh = await open_room(world.meeting, world.guest_member)
        for guest in (sixth, seventh):
            assert (await guest.receive_json_from())["type"] == "waiting"
        await organiser.send_json_to({"type": "admit", "to": world.expert.pk})
        assert (await receive_until(sixth, "welcome"))["me"]["id"] == world.expert.pk
        await organiser.send_json_to({"type": "admit", "to": world.guest_member.pk})
        error = await receive_until(organiser, "error")
        assert error["code"] == "refused" and "full" in error["message"]
        await expect_refused(seventh, CLOSE_FULL)
        for communicator in (organiser, sixth):
            await communicator.disconnect()

    async_to_sync(scenario)()
    stay = Attendance.objects.get(meeting=world.meeting, user=world.guest_member)
    assert stay.admitted_at is None and stay.left_at is not None
    event = AuditEvent.objects.get(action="meetings.room.connection_refused")
    assert event.actor_id == world.guest_member.pk and event.data == {"close": CLOSE_FULL}
    assert not AuditEvent.objects.filter(action="meetings.room.admitted", data__user=world.guest_member.pk)
