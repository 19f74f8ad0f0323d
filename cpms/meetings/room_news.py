"""Telling open room connections, at once, that someone's place may have changed.

The consumer re-checks each person's place on every message and heartbeat (consumers.py); a change
made elsewhere (an invitee taken off, the meeting cancelled, a member removed from a panel on the
agenda) also sends a "room.recheck" to the per-person group of each person concerned who is in the
room or at its lobby, once the change commits: their connection re-checks their place then and
closes (the others are told they left) when they have lost it.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import Attendance, Invitation, Meeting
from .room import person_group

RECHECK = {"type": "room.recheck"}


def recheck_places(meeting_id: int, user_ids=None) -> None:
    """After commit: these people's connections to the meeting's room (everyone's: None) re-check."""
    user_ids = None if user_ids is None else sorted(set(user_ids))
    if user_ids == []:
        return
    transaction.on_commit(lambda: send_rechecks(meeting_id, user_ids))


def send_rechecks(meeting_id: int, user_ids=None) -> int:
    """Send the recheck to those with an open stay (in the room or at the lobby); how many. One query."""
    stays = Attendance.objects.filter(meeting_id=meeting_id, left_at=None)
    if user_ids is not None:
        stays = stays.filter(user_id__in=user_ids)
    people = sorted(set(stays.values_list("user_id", flat=True)))
    layer = get_channel_layer()
    for user_id in people:
        async_to_sync(layer.group_send)(person_group(meeting_id, user_id), dict(RECHECK))
    return len(people)


def panel_member_removed(panel_id: int, user_id: int) -> None:
    """Registered with cpms.panels.member_removals: the meetings they were invited to through that panel."""
    meeting_ids = Invitation.objects.filter(
        user_id=user_id,
        via_panel_id=panel_id,
        removed_at=None,
        meeting__status=Meeting.Status.SCHEDULED,
    ).values_list("meeting_id", flat=True)
    for meeting_id in sorted(set(meeting_ids)):
        send_rechecks(meeting_id, [user_id])
