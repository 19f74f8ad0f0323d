"""Reads of the room, for its consumer and pages: who is in, who waits at the lobby, the chat so far.

The caller has already checked the person's place (queries.find_meeting_for_user / meeting_access).
"""

from datetime import timedelta

from django.utils import timezone

from .models import AgendaItem, Attendance, ChatMessage, Meeting
from .room import CHAT_HISTORY, GONE_AFTER_SECONDS


def open_stays(meeting: Meeting):
    """Stays not left and heard from lately (the page's heartbeat): the others died unannounced."""
    recently = timezone.now() - timedelta(seconds=GONE_AFTER_SECONDS)
    return Attendance.objects.filter(meeting=meeting, left_at=None, seen_at__gte=recently)


def admitted_ids(meeting: Meeting) -> set[int]:
    """The people in the room now: admitted, not left. One query."""
    return set(open_stays(meeting).filter(admitted_at__isnull=False).values_list("user_id", flat=True))


def person(user) -> dict:
    return {"id": user.pk, "name": str(user)}


def participants(meeting: Meeting) -> list[dict]:
    """The people in the room now, for the participant list. One query."""
    stays = (
        open_stays(meeting)
        .filter(admitted_at__isnull=False)
        .select_related("user")
        .order_by("admitted_at", "pk")
    )
    people = _latest_per_person(stays)
    return sorted(people, key=lambda p: p["attendance"])


def _latest_per_person(stays) -> list[dict]:
    seen, people = set(), []
    for stay in reversed(list(stays)):  # a second window's stay is the one that counts
        if stay.user_id not in seen:
            seen.add(stay.user_id)
            people.append({**person(stay.user), "attendance": stay.pk})
    return people


def lobby(meeting: Meeting) -> list[dict]:
    """The people waiting at the lobby, first come first. One query."""
    knocks = (
        open_stays(meeting)
        .filter(admitted_at=None, refused_at=None)
        .select_related("user")
        .order_by("knocked_at", "pk")
    )
    seen, people = set(), []
    for knock in knocks:
        if knock.user_id not in seen:
            seen.add(knock.user_id)
            people.append(person(knock.user))
    return people


def chat_message(message: ChatMessage) -> dict:
    return {
        "id": message.pk,
        "author": person(message.author),
        "body": message.body,
        "sent_at": message.sent_at.isoformat(),
    }


def chat_history(meeting: Meeting) -> list[dict]:
    """The last CHAT_HISTORY messages, oldest first. One query."""
    latest = ChatMessage.objects.filter(meeting=meeting).select_related("author").order_by("-sent_at", "-pk")
    return [chat_message(message) for message in reversed(latest[:CHAT_HISTORY])]


def agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.agenda_items.select_related("panel__patient"))
