"""Meetings for tests, and the people around them.

Shared by the meetings tests: add new helpers at the end, do not change existing ones.
"""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from cpms.panels.models import Membership
from cpms.panels.tests.factories import make_panel_world

from ..models import AgendaItem, Invitation, Meeting


def make_meeting(
    organiser,
    *,
    panels=(),
    title="RND board: ataxias",
    starts_at=None,
    time_zone="Europe/Berlin",
    duration_minutes=60,
    invite_members=True,
    **extra,
) -> Meeting:
    """A scheduled meeting by `organiser` with one agenda item per panel; by default the accepted
    members of each panel are invited through it (`via_panel`), the organiser excepted."""
    starts_at = starts_at or timezone.now() + timedelta(days=3)
    meeting = Meeting.objects.unscoped().create(
        organiser=organiser,
        ern_id=panels[0].ern_id if panels else None,
        title=title,
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        **extra,
    )
    for position, panel in enumerate(panels):
        AgendaItem.objects.create(meeting=meeting, panel=panel, position=position, duration_minutes=20)
        if invite_members:
            members = Membership.objects.filter(panel=panel, status=Membership.Status.ACCEPTED)
            for membership in members.exclude(user=organiser).select_related("user"):
                invite(meeting, membership.user, via_panel=panel)
    return meeting


def invite(meeting: Meeting, user, *, via_panel=None, **extra) -> Invitation:
    invitation, _ = Invitation.objects.get_or_create(
        meeting=meeting, user=user, defaults={"via_panel": via_panel, "added_by": meeting.organiser, **extra}
    )
    return invitation


def make_meeting_world() -> SimpleNamespace:
    """The panels' access-matrix world (cpms/panels/tests/factories.py) and a meeting on its panel.

    `meeting`: organised by the panel's lead `enrolling` (HP at DE22), tomorrow at 15:00 Berlin
    time, with the panel on the agenda; `expert` and `guest_member` (accepted members) are invited
    through the panel, `outsider_invited` (`other_centre`, no panel) is added by hand. `triager` is
    the Coordinator of the panel's ERN; `invited` (invited to the panel, not yet a member),
    `guest`, `researcher` and `other_ern` are outside the meeting.
    """
    world = make_panel_world()
    berlin = ZoneInfo("Europe/Berlin")
    tomorrow = timezone.now().astimezone(berlin).date() + timedelta(days=1)
    starts_at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 15, 0, tzinfo=berlin)
    world.meeting = make_meeting(world.enrolling, panels=[world.panel], starts_at=starts_at)
    world.outsider_invited = world.other_centre
    invite(world.meeting, world.outsider_invited)
    assert {i.user_id for i in world.meeting.invitations.all()} == {
        world.expert.pk,
        world.guest_member.pk,
        world.other_centre.pk,
    }
    assert Membership.objects.filter(panel=world.panel, user=world.invited, status="invited").exists()
    return world
