"""Helpers of the room's consumer tests: a WebSocket through the real ASGI stack, as a signed-in person."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from cpms.test import sign_in


@pytest.fixture(autouse=True)
def _keep_test_transaction(monkeypatch):
    """Channels closes "old" connections around each database call; inside a test's transaction
    that would close the test's own connection. The test's transaction is the one to keep."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def cookie_of(user, methods=("pwd", "otp")) -> str:
    return sign_in(Client(), user, methods=methods).cookies[settings.SESSION_COOKIE_NAME].value


async def open_room(meeting, user_or_cookie, origin=b"http://localhost", methods=("pwd", "otp"), query=""):
    from config.asgi import application

    cookie = user_or_cookie
    if not isinstance(cookie, str):
        cookie = await database_sync_to_async(cookie_of)(user_or_cookie, methods)
    headers = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()), (b"origin", origin)]
    path = f"/ws/meetings/{meeting.pk}/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def expect_refused(communicator, code):
    assert await communicator.receive_json_from() == {"type": "refused", "code": code}
    assert await communicator.receive_output() == {"type": "websocket.close", "code": code}


async def receive_until(communicator, kind):
    """The next message of this kind (signalling messages of other kinds may come first)."""
    for _ in range(10):
        message = await communicator.receive_json_from()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message")


async def organiser_and_admitted(world, guest=None):
    """The organiser in the room, and `guest` (the expert by default) admitted from the lobby."""
    guest = guest or world.expert
    organiser = await open_room(world.meeting, world.enrolling)
    welcome = await organiser.receive_json_from()
    assert welcome["type"] == "welcome"
    member = await open_room(world.meeting, guest)
    assert (await member.receive_json_from())["type"] == "waiting"
    lobby = await organiser.receive_json_from()
    assert lobby["type"] == "lobby" and {"id": guest.pk, "name": str(guest)} in lobby["people"]
    await organiser.send_json_to({"type": "admit", "to": guest.pk})
    return organiser, member
