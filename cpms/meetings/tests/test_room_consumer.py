"""The room's signalling consumer through the real ASGI stack (config/asgi.py: origin check, session
cookie, user), with Channels' WebsocketCommunicator and the in-memory channel layer.

Each test is sync and runs its scenario with async_to_sync: the consumer's database work then runs
back on the test's thread, inside the test's transaction.
"""

import time
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from cpms.audit.models import AuditEvent
from cpms.identity.models import UserSession
from cpms.panels.models import Membership

from ..models import Attendance, ChatMessage, Invitation, Meeting
from ..room import (
    CLOSE_CANCELLED,
    CLOSE_NOT_INVITED,
    CLOSE_REFUSED,
    CLOSE_REPLACED,
    CLOSE_SIGNED_OUT,
    CLOSE_TWO_FACTORS,
    GONE_AFTER_SECONDS,
)
from .room_helpers import (
    _keep_test_transaction,  # noqa: F401 - an autouse fixture
    cookie_of,
    expect_refused,
    open_room,
    organiser_and_admitted,
    receive_until,
)


def refused_at_door(world, user, code, methods=("pwd", "otp")):
    async def scenario():
        communicator = await open_room(world.meeting, user, methods=methods)
        await expect_refused(communicator, code)

    async_to_sync(scenario)()
    event = AuditEvent.objects.get(action="meetings.room.connection_refused")
    assert event.actor_id == user.pk and event.data == {"close": code}
    assert not Attendance.objects.filter(meeting=world.meeting, user=user).exists()


def test_it_refuses_a_person_not_invited(world):
    refused_at_door(world, world.guest, CLOSE_NOT_INVITED)


def test_it_refuses_the_coordinator_who_may_read_the_meeting_but_was_not_invited(world):
    refused_at_door(world, world.triager, CLOSE_NOT_INVITED)


def test_it_refuses_a_password_only_session(world):
    refused_at_door(world, world.expert, CLOSE_TWO_FACTORS, methods=("pwd",))


def test_it_refuses_a_removed_panel_member_at_the_door(world):
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=Membership.Status.REMOVED)
    refused_at_door(world, world.expert, CLOSE_NOT_INVITED)


def test_it_refuses_a_cancelled_meeting(world):
    Meeting.objects.unscoped().filter(pk=world.meeting.pk).update(status=Meeting.Status.CANCELLED)
    refused_at_door(world, world.expert, CLOSE_CANCELLED)


def test_it_refuses_a_session_that_was_signed_out(world):
    cookie = cookie_of(world.expert)
    UserSession.objects.filter(session_key=cookie).update(ended_at="2026-01-01T00:00:00Z")

    async def scenario():
        await expect_refused(await open_room(world.meeting, cookie), CLOSE_SIGNED_OUT)

    async_to_sync(scenario)()


def test_it_refuses_another_site_s_page(world):
    async def scenario():
        from config.asgi import application

        cookie = await database_sync_to_async(cookie_of)(world.expert)
        headers = [(b"cookie", f"sessionid={cookie}".encode()), (b"origin", b"https://evil.example")]
        communicator = WebsocketCommunicator(application, f"/ws/meetings/{world.meeting.pk}/", headers)
        connected, _ = await communicator.connect()
        assert not connected

    async_to_sync(scenario)()


def test_it_admits_from_the_lobby_and_routes_signals_between_the_two(world):
    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        welcome = await member.receive_json_from()
        assert welcome["type"] == "welcome"
        assert welcome["ice_servers"] == []  # no STUN or TURN configured (test_turn.py has them)
        assert [p["id"] for p in welcome["participants"]] == [world.enrolling.pk]
        assert welcome["organiser"] == world.enrolling.pk
        assert "lobby" not in welcome  # the lobby is the organiser's
        assert await receive_until(organiser, "lobby") == {"type": "lobby", "people": []}
        joined = await receive_until(organiser, "joined")
        assert joined["person"]["id"] == world.expert.pk

        offer = {"description": {"type": "offer", "sdp": "v=0 …"}}
        await member.send_json_to({"type": "signal", "to": world.enrolling.pk, "data": offer})
        assert await organiser.receive_json_from() == {
            "type": "signal",
            "from": world.expert.pk,
            "data": offer,
        }
        await organiser.disconnect()
        assert await receive_until(member, "left") == {
            "type": "left",
            "id": world.enrolling.pk,
            "attendance": joined["person"]["attendance"] - 1,
        }
        await member.disconnect()

    async_to_sync(scenario)()
    stays = {a.user_id: a for a in Attendance.objects.filter(meeting=world.meeting)}
    assert stays[world.expert.pk].admitted_by_id == world.enrolling.pk
    assert all(a.knocked_at and a.admitted_at and a.left_at for a in stays.values())
    assert (
        AuditEvent.objects.filter(action="meetings.room.admitted", actor_id=world.enrolling.pk).count() == 1
    )
    assert AuditEvent.objects.filter(action="meetings.room.left").count() == 2


def test_it_drops_a_signal_to_someone_outside_the_room(world):
    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)
        await organiser.receive_json_from()
        waiting = await open_room(world.meeting, world.guest_member)  # at the lobby, not admitted
        await waiting.receive_json_from()
        await organiser.receive_json_from()  # the lobby
        data = {"candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host"}}
        for outsider in (world.guest, world.guest_member, world.enrolling):
            await organiser.send_json_to({"type": "signal", "to": outsider.pk, "data": data})
            assert await organiser.receive_json_from() == {"type": "dropped", "to": outsider.pk}
        assert await waiting.receive_nothing()
        await organiser.disconnect()
        await waiting.disconnect()

    async_to_sync(scenario)()


def test_it_refuses_a_panel_member_removed_while_in_the_room_on_their_next_message(world):
    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        await receive_until(member, "welcome")
        await receive_until(organiser, "joined")
        await remove_from_panel()
        await member.send_json_to({"type": "chat", "body": "Still here?"})
        await expect_refused(member, CLOSE_NOT_INVITED)
        assert (await receive_until(organiser, "left"))["id"] == world.expert.pk
        await organiser.disconnect()

    @database_sync_to_async
    def remove_from_panel():
        Membership.objects.filter(panel=world.panel, user=world.expert).update(
            status=Membership.Status.REMOVED
        )

    async_to_sync(scenario)()
    assert not ChatMessage.objects.exists()
    assert Attendance.objects.get(meeting=world.meeting, user=world.expert).left_at is not None


def test_it_refuses_a_person_taken_off_the_meeting_on_their_next_ping(world):
    async def scenario():
        organiser, member = await organiser_and_admitted(world, guest=world.outsider_invited)
        await receive_until(member, "welcome")
        await take_off()
        await member.send_json_to({"type": "ping"})
        await expect_refused(member, CLOSE_NOT_INVITED)
        await organiser.disconnect()

    @database_sync_to_async
    def take_off():
        Invitation.objects.filter(meeting=world.meeting, user=world.outsider_invited).update(
            removed_at="2026-01-01T00:00Z"
        )

    async_to_sync(scenario)()


def test_it_saves_audits_and_shares_the_chat_and_shows_it_to_the_next_one_in(world):
    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        await receive_until(member, "welcome")
        await receive_until(organiser, "joined")
        await member.send_json_to({"type": "chat", "body": "  The MRI shows cerebellar atrophy.  "})
        for communicator in (organiser, member):
            chat = await receive_until(communicator, "chat")
            assert chat["message"]["body"] == "The MRI shows cerebellar atrophy."
            assert chat["message"]["author"] == {"id": world.expert.pk, "name": str(world.expert)}
        late = await open_room(world.meeting, world.guest_member)
        await late.receive_json_from()
        await organiser.send_json_to({"type": "admit", "to": world.guest_member.pk})
        welcome = await receive_until(late, "welcome")
        assert [m["body"] for m in welcome["chat"]] == ["The MRI shows cerebellar atrophy."]
        for communicator in (organiser, member, late):
            await communicator.disconnect()

    async_to_sync(scenario)()
    message = ChatMessage.objects.get()
    assert (message.meeting_id, message.author_id) == (world.meeting.pk, world.expert.pk)
    event = AuditEvent.objects.get(action="meetings.chat.sent")
    assert event.actor_id == world.expert.pk
    assert event.data == {"message": message.pk, "characters": len(message.body)}  # never the text


def test_it_turns_a_knock_away(world):
    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)
        await organiser.receive_json_from()
        member = await open_room(world.meeting, world.expert)
        await member.receive_json_from()
        await organiser.receive_json_from()
        await organiser.send_json_to({"type": "refuse", "to": world.expert.pk})
        await expect_refused(member, CLOSE_REFUSED)
        assert await organiser.receive_json_from() == {"type": "lobby", "people": []}
        await organiser.disconnect()

    async_to_sync(scenario)()
    assert Attendance.objects.get(user=world.expert).refused_at is not None
    assert AuditEvent.objects.filter(action="meetings.room.refused").count() == 1


def test_it_lets_only_the_organiser_admit_and_only_the_admitted_speak(world):
    async def scenario():
        member = await open_room(world.meeting, world.expert)
        await member.receive_json_from()
        for message in (
            {"type": "chat", "body": "Hello?"},
            {"type": "admit", "to": world.expert.pk},
            {"type": "signal", "to": world.enrolling.pk, "data": {"candidate": {}}},
        ):
            await member.send_json_to(message)
            assert await member.receive_json_from() == {"type": "error", "code": "not-allowed"}
        organiser, other = await organiser_and_admitted(world, guest=world.guest_member)
        await receive_until(other, "welcome")
        await other.send_json_to({"type": "admit", "to": world.expert.pk})
        assert await receive_until(other, "error") == {"type": "error", "code": "not-allowed"}
        for communicator in (member, organiser, other):
            await communicator.disconnect()

    async_to_sync(scenario)()
    assert Attendance.objects.get(user=world.expert).admitted_at is None
    assert not ChatMessage.objects.exists()


def test_it_answers_hostile_input_and_keeps_the_connection(world):
    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)
        await organiser.receive_json_from()
        for text in ("not json", '{"type": "signal", "to": "all"}', '{"type": "chat", "body": ""}', "[]"):
            await organiser.send_to(text_data=text)
            assert await organiser.receive_json_from() == {"type": "error", "code": "bad-message"}
        await organiser.send_json_to({"type": "chat", "body": "x" * 2001})
        assert await organiser.receive_json_from() == {"type": "error", "code": "bad-message"}
        await organiser.send_json_to({"type": "agenda", "item": 999999})
        refused = await organiser.receive_json_from()
        assert refused["code"] == "refused"
        await organiser.send_json_to({"type": "ping"})
        assert await organiser.receive_json_from() == {"type": "pong"}
        await organiser.disconnect()

    async_to_sync(scenario)()


def test_the_organiser_moves_the_agenda_and_everyone_sees_it(world):
    item = world.meeting.agenda_items.get()

    async def scenario():
        organiser, member = await organiser_and_admitted(world)
        await receive_until(member, "welcome")
        await organiser.send_json_to({"type": "agenda", "item": item.pk})
        assert await receive_until(member, "agenda") == {"type": "agenda", "item": item.pk}
        await member.send_json_to({"type": "agenda", "item": item.pk})
        assert await receive_until(member, "error") == {"type": "error", "code": "not-allowed"}
        await organiser.disconnect()
        await member.disconnect()

    async_to_sync(scenario)()
    assert Meeting.objects.unscoped().get(pk=world.meeting.pk).current_agenda_item_id == item.pk
    assert AuditEvent.objects.get(action="meetings.agenda.moved").data == {
        "current_agenda_item": {"old": None, "new": item.pk}
    }


def test_a_second_window_replaces_the_first(world):
    async def scenario():
        first = await open_room(world.meeting, world.enrolling)
        assert (await first.receive_json_from())["type"] == "welcome"
        second = await open_room(world.meeting, world.enrolling)
        assert (await second.receive_json_from())["type"] == "welcome"
        await expect_refused(first, CLOSE_REPLACED)
        await second.disconnect()

    async_to_sync(scenario)()
    assert not Attendance.objects.filter(meeting=world.meeting, left_at=None).exists()


def test_being_in_the_room_keeps_the_session_from_going_idle(world):
    cookie = cookie_of(world.expert)
    session = SessionStore(session_key=cookie)
    session["session.seen_at"] = time.time() - 25 * 60  # five minutes before the idle timeout
    session.save()

    async def scenario():
        communicator = await open_room(world.meeting, cookie)
        assert (await communicator.receive_json_from())["type"] == "waiting"
        await communicator.disconnect()

    async_to_sync(scenario)()
    assert time.time() - SessionStore(session_key=cookie)["session.seen_at"] < 60


def test_a_connection_that_died_unannounced_is_not_counted_in_the_room(world):
    """A server restart leaves stays open: not heard from for three heartbeats, they are gone."""
    ghost = Attendance.objects.create(
        meeting=world.meeting,
        user=world.guest_member,
        admitted_at=timezone.now() - timedelta(minutes=10),
        seen_at=timezone.now() - timedelta(seconds=GONE_AFTER_SECONDS + 1),
    )

    async def scenario():
        organiser = await open_room(world.meeting, world.enrolling)
        welcome = await organiser.receive_json_from()
        assert welcome["participants"] == []
        await organiser.send_json_to({"type": "signal", "to": ghost.user_id, "data": {"candidate": {}}})
        assert await organiser.receive_json_from() == {"type": "dropped", "to": ghost.user_id}
        await organiser.send_json_to({"type": "ping"})
        assert await organiser.receive_json_from() == {"type": "pong"}
        await organiser.disconnect()

    async_to_sync(scenario)()
