"""The room's rules (room.py) as plain functions."""

import pytest

from .. import room
from ..room import Message, connect_refusal, may_deliver, may_send, parse_message


@pytest.mark.parametrize(
    ("door", "code"),
    [
        ({"authenticated": False, "two_factors": False, "may_join": False, "cancelled": False}, 4401),
        ({"authenticated": True, "two_factors": False, "may_join": True, "cancelled": False}, 4403),
        ({"authenticated": True, "two_factors": True, "may_join": False, "cancelled": False}, 4404),
        ({"authenticated": True, "two_factors": True, "may_join": True, "cancelled": True}, 4410),
        ({"authenticated": True, "two_factors": True, "may_join": True, "cancelled": False}, None),
    ],
)
def test_the_door(door, code):
    assert connect_refusal(**door) == code


def test_it_parses_what_the_page_sends():
    offer = {"description": {"type": "offer", "sdp": "v=0"}}
    assert parse_message({"type": "signal", "to": 3, "data": offer}) == Message("signal", to=3, data=offer)
    assert parse_message({"type": "chat", "body": " hi "}) == Message("chat", body="hi")
    assert parse_message({"type": "media", "audio": False, "video": True, "screen": False}).audio is False
    assert parse_message({"type": "agenda", "item": 5}) == Message("agenda", item=5)


@pytest.mark.parametrize(
    "content",
    [
        None,
        [],
        {"type": "nonsense"},
        {"type": "signal", "to": True, "data": {"candidate": {}}},
        {"type": "signal", "to": 0, "data": {"candidate": {}}},
        {"type": "signal", "to": "3", "data": {"candidate": {}}},
        {"type": "signal", "to": 3, "data": {"sdp": "v=0"}},
        {"type": "signal", "to": 3, "data": {"candidate": {}, "description": {}}},
        {"type": "signal", "to": 3, "data": {"candidate": "x" * 10}},
        {"type": "signal", "to": 3, "data": {"description": {"sdp": "x" * (room.MAX_SIGNAL_CHARACTERS + 1)}}},
        {"type": "chat", "body": "   "},
        {"type": "chat", "body": "x" * 2001},
        {"type": "chat", "body": 5},
        {"type": "media", "audio": "yes", "video": True, "screen": False},
        {"type": "admit"},
        {"type": "agenda", "item": -1},
    ],
)
def test_it_drops_what_is_not_a_message(content):
    assert parse_message(content) is None


def test_at_the_lobby_one_only_pings_and_only_the_organiser_admits():
    ping, chat, admit = Message("ping"), Message("chat", body="x"), Message("admit", to=2)
    assert may_send(ping, admitted=False, is_organiser=False)
    assert not may_send(chat, admitted=False, is_organiser=False)
    assert may_send(chat, admitted=True, is_organiser=False)
    assert not may_send(admit, admitted=True, is_organiser=False)
    assert may_send(admit, admitted=True, is_organiser=True)


def test_a_signal_goes_between_two_people_in_the_room_only():
    assert may_deliver(1, 2, {1, 2})
    assert not may_deliver(1, 3, {1, 2})
    assert not may_deliver(3, 1, {1, 2})
    assert not may_deliver(1, 1, {1, 2})
