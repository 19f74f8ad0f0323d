"""Who may see a meeting, and as what: the check every meeting page, action and room message starts with.

A meeting is reached by its organiser, by the people invited to it (not taken off it), and by the
coordinators of its ERN. An invitation that came with a panel (`via_panel`) holds only while the
person is still an accepted member of that panel: removed from the panel, they lose the meeting
on their next request, as they lose the panel. Anyone else gets 404, as for a missing meeting.

Reads are audited (`meetings.meeting.viewed`); `find_meeting_for_user` is the unaudited twin for
actions and the room's consumer, which record their own events.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from cpms.access.queries.grants import COORDINATOR
from cpms.access.queries.scopes import Access, access_for
from cpms.audit.record import record
from cpms.panels.models import Membership, Panel, PanelStatus

from .models import Invitation, Meeting

APPLICATION = "cpms"
VIEWED = "meetings.meeting.viewed"


def coordinator_ern_ids(access: Access) -> list[int]:
    """The ERNs whose board sessions the user may organise and see (Coordinator in force)."""
    return access.ern_ids(APPLICATION, profiles=(COORDINATOR,))


@dataclass(frozen=True)
class MeetingAccess:
    """A meeting and what the signed-in user is to it."""

    meeting: Meeting
    user_id: int
    invitation: Invitation | None  # theirs, in force (not removed, its panel membership held)
    is_coordinator: bool

    @property
    def is_organiser(self) -> bool:
        return self.meeting.organiser_id == self.user_id

    @property
    def is_invited(self) -> bool:
        return self.invitation is not None

    @property
    def may_join(self) -> bool:
        """The room is for the organiser and the invitees (two factors are checked at the door)."""
        return self.is_organiser or self.is_invited

    @property
    def may_manage(self) -> bool:
        """Change the agenda and the invitees, cancel, admit from the lobby, write the notes."""
        return self.is_organiser


def invitation_in_force(meeting: Meeting, user) -> Invitation | None:
    """The user's invitation, unless taken off the meeting or their panel membership ended. One query."""
    invitation = (
        Invitation.objects.filter(meeting=meeting, user=user, removed_at__isnull=True)
        .select_related("via_panel")
        .first()
    )
    if invitation is None or invitation.via_panel_id is None:
        return invitation
    still_member = Membership.objects.filter(
        panel_id=invitation.via_panel_id, user=user, status=Membership.Status.ACCEPTED
    ).exists()
    return invitation if still_member else None


def meeting_access(request, meeting: Meeting) -> MeetingAccess | None:
    """What the user is to `meeting`, or None when they may not see it at all."""
    user = request.user
    invitation = invitation_in_force(meeting, user)
    is_coordinator = meeting.ern_id is not None and meeting.ern_id in coordinator_ern_ids(access_for(request))
    if invitation is None and not is_coordinator and meeting.organiser_id != user.pk:
        return None
    return MeetingAccess(meeting, user.pk, invitation, is_coordinator)


def find_meeting_for_user(request, meeting_id: int) -> MeetingAccess:
    """The meeting and the user's place in it; 404 when it is missing or not theirs. Not audited."""
    try:
        meeting = Meeting.objects.unscoped().select_related("organiser", "ern").get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    found = meeting_access(request, meeting)
    if found is None:
        raise Http404
    return found


def get_meeting_for_user(request, meeting_id: int, *, what: str = "") -> MeetingAccess:
    """As find_meeting_for_user, and audited as a read of the meeting (what was read: `what`, or the page)."""
    found = find_meeting_for_user(request, meeting_id)
    match = getattr(request, "resolver_match", None)
    record(request.user, VIEWED, found.meeting, {"what": what or (match.view_name if match else "")})
    return found


# -- scheduling: the panels a user may put on a meeting's agenda


def schedulable_panels(user, access: Access, *, keep=()):
    """Open panels the user may put on an agenda: those they lead, and those of the ERNs they
    coordinate; and `keep` (the panels on a meeting's agenda already: one that closed since stays,
    so the meeting can still be changed). A queryset (select_related patient and ern), by reference."""
    led = Membership.objects.filter(
        user=user, role=Membership.Role.LEAD, status=Membership.Status.ACCEPTED
    ).values("panel_id")
    ern_ids = coordinator_ern_ids(access)
    return (
        Panel.objects.unscoped()
        .filter(
            Q(status=PanelStatus.OPEN, pk__in=led, lead=user)
            | Q(status=PanelStatus.OPEN, ern_id__in=ern_ids)
            | Q(pk__in=keep)
        )
        .select_related("patient", "ern")
        .order_by("pk")
    )
