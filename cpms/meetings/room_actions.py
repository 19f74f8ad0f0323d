"""Every write of the room: knocking, admission, leaving, the chat, the agenda's current item, the notes.

Each is `do_<verb>_<noun>(*, acting_user, access, …)` (access: the MeetingAccess the caller has just
checked), re-checks the person's place, writes, and records the event in the audit trail. The chat's
text is never copied into the audit trail (it may speak of a patient): its id and length are.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.audit.record import record

from .models import AgendaItem, Attendance, ChatMessage, Meeting
from .queries import MeetingAccess
from .room import MAX_PARTICIPANTS, REJOIN_SECONDS, room_is_full
from .room_queries import admitted_ids

KNOCKED = "meetings.room.knocked"
ENTERED = "meetings.room.entered"
REJOINED = "meetings.room.rejoined"
ADMITTED = "meetings.room.admitted"
REFUSED = "meetings.room.refused"
LEFT = "meetings.room.left"
CONNECTION_REFUSED = "meetings.room.connection_refused"
CHAT_SENT = "meetings.chat.sent"
AGENDA_MOVED = "meetings.agenda.moved"
NOTES_SAVED = "meetings.notes.saved"


class RoomActionRefused(Exception):
    """A step the room's state does not allow; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.unscoped().select_for_update().get(pk=meeting.pk)


def _require_open(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise RoomActionRefused(_("This meeting was cancelled."))


def _recently_admitted(meeting: Meeting, user, now) -> Attendance | None:
    """Their last stay, when it was admitted and ended within REJOIN_SECONDS (a lost connection)."""
    last = Attendance.objects.filter(meeting=meeting, user=user).order_by("-knocked_at", "-pk").first()
    if last is None or last.admitted_at is None or last.left_at is None:
        return None
    return last if (now - last.left_at).total_seconds() <= REJOIN_SECONDS else None


@transaction.atomic
def do_enter_room(*, acting_user, access: MeetingAccess, rejoin: bool = False) -> Attendance:
    """The organiser comes in (admitted by themselves); anyone else invited knocks at the lobby,
    unless `rejoin` (the page reconnecting a lost socket) and they were in the room a moment ago."""
    if not access.may_join:
        raise PermissionDenied
    meeting = _lock(access.meeting)
    _require_open(meeting)
    now = timezone.now()
    # Their earlier stays still open (another window, a connection that died): over now.
    for stale in Attendance.objects.select_for_update().filter(
        meeting=meeting, user=acting_user, left_at=None
    ):
        stale.left_at = now
        stale.save(update_fields=["left_at"])
        record(acting_user, LEFT, meeting, {"attendance": stale.pk, "reason": "came back"})
    if access.is_organiser:
        attendance = Attendance.objects.create(
            meeting=meeting,
            user=acting_user,
            knocked_at=now,
            admitted_at=now,
            admitted_by=acting_user,
            seen_at=now,
        )
        if meeting.room_opened_at is None:
            meeting.room_opened_at = now
            meeting.save(update_fields=["room_opened_at"])
        record(acting_user, ENTERED, meeting, {"attendance": attendance.pk})
    elif (
        rejoin
        and (previous := _recently_admitted(meeting, acting_user, now)) is not None
        and not room_is_full(admitted_ids(meeting), acting_user.pk)  # else they knock, as anyone
    ):
        attendance = Attendance.objects.create(
            meeting=meeting,
            user=acting_user,
            knocked_at=now,
            admitted_at=now,
            admitted_by_id=previous.admitted_by_id,
            seen_at=now,
        )
        record(acting_user, REJOINED, meeting, {"attendance": attendance.pk, "after": previous.pk})
    else:
        attendance = Attendance.objects.create(meeting=meeting, user=acting_user, knocked_at=now, seen_at=now)
        record(acting_user, KNOCKED, meeting, {"attendance": attendance.pk})
    return attendance


class RoomFull(RoomActionRefused):
    """The room holds MAX_PARTICIPANTS already (a full mesh)."""


def refuse_when_full(meeting: Meeting, user_id: int) -> None:
    if room_is_full(admitted_ids(meeting), user_id):
        raise RoomFull(
            _("The room is full: a meeting room holds %(count)s people. Someone must leave first.")
            % {"count": MAX_PARTICIPANTS}
        )


def _waiting_knock(meeting: Meeting, user_id: int) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update()
        .filter(meeting=meeting, user_id=user_id, admitted_at=None, refused_at=None, left_at=None)
        .order_by("-knocked_at", "-pk")
        .first()
    )
    if attendance is None:
        raise RoomActionRefused(_("This person is no longer waiting at the lobby."))
    return attendance


@transaction.atomic
def do_admit_attendee(*, acting_user, access: MeetingAccess, user_id: int) -> Attendance:
    if not access.may_manage:
        raise PermissionDenied
    meeting = _lock(access.meeting)
    _require_open(meeting)
    attendance = _waiting_knock(meeting, user_id)
    refuse_when_full(meeting, user_id)
    attendance.admitted_at = timezone.now()
    attendance.admitted_by = acting_user
    attendance.save(update_fields=["admitted_at", "admitted_by"])
    record(acting_user, ADMITTED, meeting, {"attendance": attendance.pk, "user": user_id})
    return attendance


@transaction.atomic
def do_refuse_attendee(*, acting_user, access: MeetingAccess, user_id: int) -> Attendance:
    if not access.may_manage:
        raise PermissionDenied
    meeting = _lock(access.meeting)
    attendance = _waiting_knock(meeting, user_id)
    attendance.refused_at = timezone.now()
    attendance.save(update_fields=["refused_at"])
    record(acting_user, REFUSED, meeting, {"attendance": attendance.pk, "user": user_id})
    return attendance


@transaction.atomic
def do_leave_room(*, acting_user, attendance_id: int, reason: str = "") -> Attendance | None:
    """The connection ended (left, closed the window, refused, removed): the stay is over."""
    attendance = (
        Attendance.objects.select_for_update()
        .select_related("meeting")
        .filter(pk=attendance_id, user=acting_user, left_at=None)
        .first()
    )
    if attendance is None:
        return None
    attendance.left_at = timezone.now()
    attendance.save(update_fields=["left_at"])
    record(acting_user, LEFT, attendance.meeting, {"attendance": attendance.pk, "reason": reason})
    return attendance


def touch_attendance(attendance_id: int) -> None:
    """The heartbeat of a stay (not audited: it says nothing new)."""
    Attendance.objects.filter(pk=attendance_id, left_at=None).update(seen_at=timezone.now())


def record_refused_connection(user, meeting: Meeting, close_code: int) -> None:
    """A connection to the room turned away at the door or on a later message (a security event)."""
    record(user if user.is_authenticated else None, CONNECTION_REFUSED, meeting, {"close": close_code})


@transaction.atomic
def do_send_chat_message(*, acting_user, access: MeetingAccess, body: str) -> ChatMessage:
    if not access.may_join:
        raise PermissionDenied
    _require_open(access.meeting)
    body = body.strip()
    if not body or len(body) > ChatMessage._meta.get_field("body").max_length:
        raise RoomActionRefused(_("A chat message has 1 to 2000 characters."))
    message = ChatMessage.objects.create(meeting=access.meeting, author=acting_user, body=body)
    record(acting_user, CHAT_SENT, access.meeting, {"message": message.pk, "characters": len(body)})
    return message


@transaction.atomic
def do_move_agenda(*, acting_user, access: MeetingAccess, item_id: int) -> AgendaItem:
    """The organiser moves the room to another agenda item."""
    if not access.may_manage:
        raise PermissionDenied
    meeting = _lock(access.meeting)
    _require_open(meeting)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
    if item is None:
        raise RoomActionRefused(_("This item is not on the meeting's agenda."))
    old = meeting.current_agenda_item_id
    meeting.current_agenda_item = item
    meeting.save(update_fields=["current_agenda_item"])
    record(acting_user, AGENDA_MOVED, meeting, {"current_agenda_item": {"old": old, "new": item.pk}})
    return item


@transaction.atomic
def do_save_notes(*, acting_user, access: MeetingAccess, notes: str, item_notes: dict[int, str]) -> list[str]:
    """The meeting's notes and each agenda item's (filed to its panel); returns what changed.

    Allowed in the room or after it, not for a cancelled meeting. The audit trail says which notes
    changed, not their text.
    """
    if not access.may_manage:
        raise PermissionDenied
    meeting = _lock(access.meeting)
    _require_open(meeting)
    changed = []
    if notes != meeting.notes:
        meeting.notes = notes
        changed.append("meeting")
    items = {item.pk: item for item in AgendaItem.objects.filter(meeting=meeting, pk__in=list(item_notes))}
    for pk, text in item_notes.items():
        item = items.get(pk)
        if item is not None and item.notes != text:
            item.notes = text
            item.save(update_fields=["notes"])
            changed.append(f"item {pk}")
    if changed:
        meeting.notes_updated_at = timezone.now()
        meeting.save(update_fields=["notes", "notes_updated_at"])
        record(acting_user, NOTES_SAVED, meeting, {"changed": changed})
    return changed
