"""The room's rules as plain functions: who may connect, what a message may say, who may send what,
and where a signalling message may go. The consumer (consumers.py) applies them; tests call them
directly too.

A participant is a user: the organiser is in the room as soon as they connect; anyone else invited
knocks at the lobby and waits for the organiser to admit (or refuse) them. Signalling (SDP offers
and answers, ICE candidates) goes from one admitted participant to another admitted participant;
the server never reads it beyond its shape and size. Media never pass through the server.
"""

from dataclasses import dataclass

# WebSocket close codes (4000-4999 are the application's): the page explains each (room.js).
CLOSE_SIGNED_OUT = 4401  # not signed in, or the session ended (signed out, timed out)
CLOSE_TWO_FACTORS = 4403  # signed in with one factor only
CLOSE_NOT_INVITED = 4404  # not (or no longer) invited: as the pages' 404
CLOSE_CANCELLED = 4410  # the meeting was cancelled
CLOSE_REFUSED = 4409  # the organiser turned the knock away
CLOSE_REPLACED = 4000  # the same person joined from another window
CLOSE_FULL = 4429  # the room holds MAX_PARTICIPANTS already

# A full mesh sends each person's media to every other: six is what a laptop and an office uplink
# hold (deploy/meetings.md: an SFU, behind the same signalling, for larger rooms).
MAX_PARTICIPANTS = 6

MAX_SIGNAL_CHARACTERS = 20_000  # an SDP with several m-lines is a few kB; anything bigger is not one
MAX_CHAT_CHARACTERS = 2000  # ChatMessage.body's max_length
CHAT_HISTORY = 200  # the last messages shown to someone who joins
HEARTBEAT_SECONDS = 30  # the page pings this often (static/meetings/room.js)
GONE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS  # a stay not heard from for so long is a dead connection
# The page reconnects a lost socket by itself (room.js, with backoff): someone admitted whose stay
# ended so little time ago comes back in without knocking again (still checked at the door).
REJOIN_SECONDS = 2 * 60

# What each kind of message needs: admitted to the room, the organiser.
CLIENT_KINDS = {
    "ping": {"admitted": False, "organiser": False},
    "signal": {"admitted": True, "organiser": False},
    "chat": {"admitted": True, "organiser": False},
    "media": {"admitted": True, "organiser": False},
    "admit": {"admitted": True, "organiser": True},
    "refuse": {"admitted": True, "organiser": True},
    "agenda": {"admitted": True, "organiser": True},
}


@dataclass(frozen=True)
class Message:
    """A message from the browser, checked for shape: its kind and the fields that kind needs."""

    kind: str
    to: int | None = None  # signal: the recipient; admit/refuse: the person at the lobby
    data: dict | None = None  # signal: {"description": {...}} or {"candidate": {...}}
    body: str = ""  # chat
    item: int | None = None  # agenda: the agenda item now under discussion
    audio: bool = True  # media: what the sender is sending
    video: bool = True
    screen: bool = False


def connect_refusal(*, authenticated: bool, two_factors: bool, may_join: bool, cancelled: bool) -> int | None:
    """Why a connection is refused (its close code), or None when it may come in (to the lobby)."""
    if not authenticated:
        return CLOSE_SIGNED_OUT
    if not two_factors:
        return CLOSE_TWO_FACTORS
    if not may_join:
        return CLOSE_NOT_INVITED
    if cancelled:
        return CLOSE_CANCELLED
    return None


def _user_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def parse_message(content) -> Message | None:
    """The message, or None when it is not one we know (wrong kind, missing or oversized fields)."""
    if not isinstance(content, dict) or content.get("type") not in CLIENT_KINDS:
        return None
    kind = content["type"]
    if kind == "ping":
        return Message(kind)
    if kind == "signal":
        to, data = _user_id(content.get("to")), content.get("data")
        if to is None or not isinstance(data, dict) or len(data) != 1:
            return None
        ((key, value),) = data.items()
        if key not in ("description", "candidate") or not isinstance(value, dict):
            return None
        if len(repr(data)) > MAX_SIGNAL_CHARACTERS:
            return None
        return Message(kind, to=to, data=data)
    if kind == "chat":
        body = content.get("body")
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_CHAT_CHARACTERS:
            return None
        return Message(kind, body=body.strip())
    if kind == "media":
        flags = {name: content.get(name) for name in ("audio", "video", "screen")}
        if not all(isinstance(value, bool) for value in flags.values()):
            return None
        return Message(kind, **flags)
    if kind in ("admit", "refuse"):
        to = _user_id(content.get("to"))
        return Message(kind, to=to) if to else None
    item = _user_id(content.get("item"))  # agenda
    return Message(kind, item=item) if item else None


def may_send(message: Message, *, admitted: bool, is_organiser: bool) -> bool:
    """Someone still at the lobby may only ping; the organiser alone admits, refuses, moves the agenda."""
    needs = CLIENT_KINDS[message.kind]
    return (admitted or not needs["admitted"]) and (is_organiser or not needs["organiser"])


def room_is_full(admitted_ids, user_id: int) -> bool:
    """Whether `user_id` would be one too many: MAX_PARTICIPANTS others are in already."""
    return len(set(admitted_ids) - {user_id}) >= MAX_PARTICIPANTS


def may_deliver(sender_id: int, recipient_id: int, admitted_ids) -> bool:
    """A signal goes from an admitted participant to another admitted participant, never to oneself."""
    return sender_id != recipient_id and sender_id in admitted_ids and recipient_id in admitted_ids


def room_group(meeting_id: int) -> str:
    """Everyone admitted to the meeting's room."""
    return f"meeting-{meeting_id}"


def person_group(meeting_id: int, user_id: int) -> str:
    """One person's connection to the room (a second window replaces the first)."""
    return f"meeting-{meeting_id}-user-{user_id}"
