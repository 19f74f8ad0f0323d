"""The room's signalling: one WebSocket per person in the room (ws/meetings/<id>/).

At the door: signed in through our pages (a live session), two factors, invited (MeetingAccess.may_join,
so a via-panel invitation holds only while the person is still an accepted member of the panel),
a CPMS grant, a meeting not cancelled. Otherwise the socket is accepted only to say why and is closed
with the code of room.py (the page explains it).

Every message the browser sends re-checks all of that (a handful of indexed queries; the page also
sends a "ping" every 30 seconds). Why on each message and not on a timer: a person taken off the
meeting, removed from the panel, signed out or without their grant is stopped at their very next
step, with no timer to keep per connection; the heartbeat bounds the time a silent listener keeps
receiving the room's messages (chat, agenda) after losing their place to one heartbeat. The same
checks keep the session alive (its "seen at"), as the pages do for a person who is in a meeting.

Signalling messages go from an admitted participant to another admitted participant who is still
invited (room.may_deliver); anything else is dropped and the sender told so. The server never reads
an SDP beyond its size: media flow peer to peer (DTLS-SRTP), or through TURN, never through CPMS.
"""

import json
import time
from importlib import import_module
from types import SimpleNamespace

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cpms.access.queries.scopes import access_for
from cpms.identity.models import UserSession
from cpms.identity.sessions import expiry_reason, has_two_factors

from . import room, room_actions, room_queries
from .models import Meeting
from .queries import invitation_in_force, meeting_access
from .turn import ice_servers

TOUCH_EVERY_SECONDS = 60


class MeetingRoomConsumer(JsonWebsocketConsumer):
    meeting_id: int
    attendance_id: int | None = None
    admitted = False
    is_organiser = False
    touched_at = 0.0

    # -- the door -------------------------------------------------------------------------------

    def connect(self):
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting"])
        self.user = self.scope["user"]
        self.accept()
        access, code = self.check_place()
        if code is not None:
            self.refuse(code)
            return
        self.is_organiser = access.is_organiser
        in_room = room_queries.admitted_ids(access.meeting)
        if not self.is_organiser and room.room_is_full(in_room, self.user.pk):
            room_actions.record_refused_connection(self.user, access.meeting, room.CLOSE_FULL)
            self.refuse(room.CLOSE_FULL)
            return
        # A second window of the same person replaces the first.
        self.send_to_person(self.user.pk, {"type": "room.replaced", "channel": self.channel_name})
        async_to_sync(self.channel_layer.group_add)(self.my_group, self.channel_name)
        try:
            rejoin = self.scope.get("query_string", b"") == b"rejoin=1"  # the page reconnecting
            attendance = room_actions.do_enter_room(acting_user=self.user, access=access, rejoin=rejoin)
        except room_actions.RoomActionRefused:  # cancelled a moment ago
            self.refuse(room.CLOSE_CANCELLED)
            return
        self.attendance_id = attendance.pk
        if attendance.admitted_at:
            self.come_in(access.meeting)
        else:
            self.send_json({"type": "waiting", "me": room_queries.person(self.user)})
            self.send_to_person(access.meeting.organiser_id, {"type": "room.lobby_changed"})

    def check_place(self):
        """(access, None) while the person may be in the room, else (None or access, close code)."""
        user = self.user
        if not user.is_authenticated:
            return None, room.CLOSE_SIGNED_OUT
        session = self.fresh_session()
        if session is None:
            return None, room.CLOSE_SIGNED_OUT
        request = SimpleNamespace(user=user, session=session)
        meeting = Meeting.objects.unscoped().select_related("organiser").filter(pk=self.meeting_id).first()
        if meeting is None:
            return None, room.CLOSE_NOT_INVITED
        access = meeting_access(request, meeting) if has_two_factors(request) else None
        code = room.connect_refusal(
            authenticated=True,
            two_factors=has_two_factors(request),
            may_join=access is not None and access.may_join and access_for(request).has_grant("cpms"),
            cancelled=meeting.is_cancelled,
        )
        if code is not None:
            room_actions.record_refused_connection(user, meeting, code)
        return access, code

    def fresh_session(self):
        """The session as stored now (not as it was at connect), or None when it is over.

        Signed out, ended elsewhere or past the absolute timeout: over. While the person is in the
        room, its "seen at" is written at most once a minute, as the pages do.
        """
        key = getattr(self.scope.get("session"), "session_key", None)
        if not key or not UserSession.objects.filter(session_key=key, ended_at=None).exists():
            return None
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        if not store.exists(key) or store.get("_auth_user_id") != str(self.user.pk):
            return None
        now = time.time()
        if expiry_reason(store, now):
            return None
        if now - self.touched_at >= TOUCH_EVERY_SECONDS:
            store["session.seen_at"] = now
            store.save()
            UserSession.objects.filter(session_key=key).update(last_active_at=timezone.now())
            self.touched_at = now
        return store

    def refuse(self, code: int) -> None:
        """Lost their place (or never had it): told why, out of the room, the others told they left."""
        self.send_json({"type": "refused", "code": code})
        self.leave(reason=str(code), removed=True)
        self.close(code)

    def come_in(self, meeting: Meeting) -> None:
        """Admitted: into the room's group, the room's state to the newcomer, the news to the others."""
        self.admitted = True
        async_to_sync(self.channel_layer.group_add)(self.room_group, self.channel_name)
        me = {**room_queries.person(self.user), "attendance": self.attendance_id}
        welcome = {
            "type": "welcome",
            "me": me,
            "organiser": meeting.organiser_id,
            "participants": [p for p in room_queries.participants(meeting) if p["id"] != self.user.pk],
            "chat": room_queries.chat_history(meeting),
            "current_item": meeting.current_agenda_item_id,
            "ice_servers": ice_servers(self.user.pk),
        }
        if self.is_organiser:
            welcome["lobby"] = room_queries.lobby(meeting)
        self.send_json(welcome)
        self.broadcast({"type": "joined", "person": me}, exclude_self=True)

    def leave(self, reason: str, *, removed: bool = False) -> None:
        if self.attendance_id is None:
            return
        attendance_id, self.attendance_id = self.attendance_id, None
        room_actions.do_leave_room(acting_user=self.user, attendance_id=attendance_id, reason=reason)
        if self.admitted:
            self.admitted = False
            gone = {"type": "left", "id": self.user.pk, "attendance": attendance_id}
            if removed:  # lost their place (taken off, removed from the panel, signed out…)
                gone["removed"] = True
            self.broadcast(gone, exclude_self=True)
            async_to_sync(self.channel_layer.group_discard)(self.room_group, self.channel_name)
        elif not self.is_organiser:
            meeting = Meeting.objects.unscoped().filter(pk=self.meeting_id).only("organiser_id").first()
            if meeting is not None:
                self.send_to_person(meeting.organiser_id, {"type": "room.lobby_changed"})

    def disconnect(self, code):
        if self.user.is_authenticated:
            self.leave(reason="closed")
            async_to_sync(self.channel_layer.group_discard)(self.my_group, self.channel_name)

    # -- from the browser ------------------------------------------------------------------------

    def receive(self, text_data=None, bytes_data=None):
        try:
            content = json.loads(text_data) if text_data else None
        except ValueError:
            content = None
        self.receive_json(content)

    def receive_json(self, content, **kwargs):
        message = room.parse_message(content)
        if message is None:
            self.send_json({"type": "error", "code": "bad-message"})
            return
        if self.attendance_id is None:
            return  # refused or replaced: closing
        access, code = self.check_place()
        if code is not None:
            self.refuse(code)
            return
        if not room.may_send(message, admitted=self.admitted, is_organiser=access.is_organiser):
            self.send_json({"type": "error", "code": "not-allowed"})
            return
        try:
            getattr(self, f"on_{message.kind}")(access, message)
        except room_actions.RoomActionRefused as refused:
            self.send_json({"type": "error", "code": "refused", "message": str(refused.message)})
        except PermissionDenied:
            self.send_json({"type": "error", "code": "not-allowed"})

    def on_ping(self, access, message):
        room_actions.touch_attendance(self.attendance_id)
        self.send_json({"type": "pong"})

    def on_signal(self, access, message):
        meeting = access.meeting
        recipient = message.to
        in_room = room_queries.admitted_ids(meeting)
        still_invited = recipient == meeting.organiser_id or (
            invitation_in_force(meeting, recipient) is not None  # a user id does for the query
        )
        if not (still_invited and room.may_deliver(self.user.pk, recipient, in_room)):
            self.send_json({"type": "dropped", "to": recipient})
            return
        self.send_to_person(recipient, {"type": "room.signal", "from": self.user.pk, "data": message.data})

    def on_chat(self, access, message):
        chat = room_actions.do_send_chat_message(acting_user=self.user, access=access, body=message.body)
        self.broadcast({"type": "chat", "message": room_queries.chat_message(chat)})

    def on_media(self, access, message):
        state = {"audio": message.audio, "video": message.video, "screen": message.screen}
        self.broadcast({"type": "media", "id": self.user.pk, **state}, exclude_self=True)

    def on_admit(self, access, message):
        try:
            attendance = room_actions.do_admit_attendee(
                acting_user=self.user, access=access, user_id=message.to
            )
        except room_actions.RoomFull:
            self.send_to_person(message.to, {"type": "room.full"})  # told at once, not left waiting
            raise
        self.send_to_person(message.to, {"type": "room.admitted", "attendance": attendance.pk})
        self.send_json({"type": "lobby", "people": room_queries.lobby(access.meeting)})

    def on_refuse(self, access, message):
        attendance = room_actions.do_refuse_attendee(acting_user=self.user, access=access, user_id=message.to)
        self.send_to_person(message.to, {"type": "room.turned_away", "attendance": attendance.pk})
        self.send_json({"type": "lobby", "people": room_queries.lobby(access.meeting)})

    def on_agenda(self, access, message):
        item = room_actions.do_move_agenda(acting_user=self.user, access=access, item_id=message.item)
        self.broadcast({"type": "agenda", "item": item.pk})

    # -- from the channel layer -------------------------------------------------------------------

    def room_event(self, event):
        if self.admitted and event.get("exclude") != self.channel_name:
            self.send_json(event["message"])

    def room_signal(self, event):
        if self.admitted:
            self.send_json({"type": "signal", "from": event["from"], "data": event["data"]})

    def room_admitted(self, event):
        if event["attendance"] == self.attendance_id and not self.admitted:
            meeting = Meeting.objects.unscoped().get(pk=self.meeting_id)
            self.come_in(meeting)

    def room_turned_away(self, event):
        if event["attendance"] == self.attendance_id:
            self.send_json({"type": "refused", "code": room.CLOSE_REFUSED})
            self.attendance_id = None  # the refusal closed the stay
            self.close(room.CLOSE_REFUSED)

    def room_full(self, event):
        if self.attendance_id is not None and not self.admitted:
            meeting = Meeting.objects.unscoped().get(pk=self.meeting_id)
            room_actions.record_refused_connection(self.user, meeting, room.CLOSE_FULL)
            self.refuse(room.CLOSE_FULL)

    def room_replaced(self, event):
        if event["channel"] != self.channel_name:
            self.send_json({"type": "refused", "code": room.CLOSE_REPLACED})
            self.leave(reason="replaced")
            self.close(room.CLOSE_REPLACED)

    def room_recheck(self, event):
        """Their place may have changed elsewhere (room_news.py): re-checked now, not at the next ping."""
        if self.attendance_id is None:
            return
        _access, code = self.check_place()
        if code is not None:
            self.refuse(code)

    def room_lobby_changed(self, event):
        if self.admitted and self.is_organiser:
            meeting = Meeting.objects.unscoped().get(pk=self.meeting_id)
            self.send_json({"type": "lobby", "people": room_queries.lobby(meeting)})

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def room_group(self) -> str:
        return room.room_group(self.meeting_id)

    @property
    def my_group(self) -> str:
        return room.person_group(self.meeting_id, self.user.pk)

    def send_to_person(self, user_id: int, event: dict) -> None:
        async_to_sync(self.channel_layer.group_send)(room.person_group(self.meeting_id, user_id), event)

    def broadcast(self, message: dict, *, exclude_self: bool = False) -> None:
        event = {"type": "room.event", "message": message}
        if exclude_self:
            event["exclude"] = self.channel_name
        async_to_sync(self.channel_layer.group_send)(self.room_group, event)
