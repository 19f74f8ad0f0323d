"""A place lost elsewhere closes the room connection at once (room_news.py), not on the next ping:
an invitee taken off the meeting, the meeting cancelled, a member removed from a panel on the agenda.
The others in the room are told the person left, removed."""

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from cpms.audit.models import AuditEvent
from cpms.panels.actions.members import do_remove_member
from cpms.panels.models import Membership

from ..actions import Plan, agenda_of, do_cancel_meeting, do_change_meeting
from ..models import Attendance, Meeting
from ..room import CLOSE_CANCELLED, CLOSE_NOT_INVITED
from ..room_news import send_rechecks
from .room_helpers import (
    _keep_test_transaction,  # noqa: F401 - an autouse fixture
    expect_refused,
    open_room,
    organiser_and_admitted,
    receive_until,
)


def closed_at_once(world, guest, change, code=CLOSE_NOT_INVITED):
    """`guest` admitted, then `change` (sync, committed): the guest is closed with `code` without
    sending anything, and the organiser hears they left, removed."""

    async def scenario():
        organiser, member = await organiser_and_admitted(world, guest=guest)
        joined = await receive_until(organiser, "joined")
        await receive_until(member, "welcome")
        await database_sync_to_async(change)()
        await expect_refused(member, code)
        if code == CLOSE_CANCELLED:  # the organiser's own connection closes too
            await expect_refused(organiser, code)
            return
        left = await receive_until(organiser, "left")
        assert left == {
            "type": "left",
            "id": guest.pk,
            "attendance": joined["person"]["attendance"],
            "removed": True,
        }
        await organiser.send_json_to({"type": "ping"})  # the organiser stays
        assert await receive_until(organiser, "pong") == {"type": "pong"}
        await organiser.disconnect()

    async_to_sync(scenario)()
    assert Attendance.objects.get(meeting=world.meeting, user=guest).left_at is not None
    refused = AuditEvent.objects.filter(action="meetings.room.connection_refused", actor_id=guest.pk)
    assert [event.data for event in refused] == [{"close": code}]


def test_an_invitee_taken_off_the_meeting_is_closed_at_once(world, django_capture_on_commit_callbacks):
    meeting = world.meeting

    def take_off():
        plan = Plan(
            title=meeting.title,
            starts_at=meeting.starts_at,
            time_zone=meeting.time_zone,
            duration_minutes=meeting.duration_minutes,
            agenda=agenda_of(meeting),
            extra_invitee_ids=(),  # the hand-added invitee no longer
        )
        with django_capture_on_commit_callbacks(execute=True):
            changes = do_change_meeting(acting_user=world.enrolling, meeting=meeting, plan=plan)
        assert changes.removed == [world.outsider_invited.pk]

    closed_at_once(world, world.outsider_invited, take_off)


def test_a_member_removed_from_the_panel_on_the_agenda_is_closed_at_once(
    world, django_capture_on_commit_callbacks
):
    def remove():
        membership = Membership.objects.get(panel=world.panel, user=world.expert)
        with django_capture_on_commit_callbacks(execute=True):
            do_remove_member(acting_user=world.enrolling, panel=world.panel, membership_id=membership.pk)

    closed_at_once(world, world.expert, remove)


def test_cancelling_closes_everyone_s_connection_the_lobby_s_too(world, django_capture_on_commit_callbacks):
    def cancel():
        with django_capture_on_commit_callbacks(execute=True):
            do_cancel_meeting(acting_user=world.enrolling, meeting=world.meeting)

    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        await receive_until(member, "welcome")
        waiting = await open_room(world.meeting, world.guest_member)
        assert (await waiting.receive_json_from())["type"] == "waiting"
        await database_sync_to_async(cancel)()
        for communicator in (organiser, member, waiting):
            await expect_refused_after_others(communicator, CLOSE_CANCELLED)

    async_to_sync(scenario)()
    assert Meeting.objects.unscoped().get(pk=world.meeting.pk).is_cancelled
    assert not Attendance.objects.filter(meeting=world.meeting, left_at=None).exists()


async def expect_refused_after_others(communicator, code):
    """The refusal, after whatever room news came first (someone else left, the lobby changed)."""
    assert await receive_until(communicator, "refused") == {"type": "refused", "code": code}
    assert await communicator.receive_output() == {"type": "websocket.close", "code": code}


def test_a_recheck_leaves_someone_who_keeps_their_place_in_the_room(world):
    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        await receive_until(member, "welcome")
        await receive_until(organiser, "joined")
        sent = await database_sync_to_async(send_rechecks)(world.meeting.pk, None)
        assert sent == 2
        await member.send_json_to({"type": "ping"})
        assert await member.receive_json_from() == {"type": "pong"}
        assert await organiser.receive_nothing()
        for communicator in (organiser, member):
            await communicator.disconnect()

    async_to_sync(scenario)()
    assert not AuditEvent.objects.filter(action="meetings.room.connection_refused").exists()
