"""The members tab of a panel: who is in, who was invited, who declined, and whom the lead may invite.

`get_panel_members_for_user` starts from `get_panel_for_user` (404 for anyone not on the panel,
audited); the lead's invitation pickers are read only for the lead of an open panel.
"""

from dataclasses import dataclass, field

from ..models import ExpertGroup, Membership, Panel, PanelStatus
from . import PanelAccess, get_panel_for_user
from .experts import Place, places_of


@dataclass
class MemberRow:
    membership: Membership
    places: list[Place]

    @property
    def is_guest(self) -> bool:
        return bool(self.places) and all(place.is_guest for place in self.places)


@dataclass
class PanelMembers:
    access: PanelAccess
    members: list[MemberRow] = field(default_factory=list)  # the lead first, then accepted members
    invited: list[MemberRow] = field(default_factory=list)
    declined: list[MemberRow] = field(default_factory=list)
    removed: list[MemberRow] = field(default_factory=list)

    @property
    def may_invite(self) -> bool:
        return self.access.is_lead and self.access.panel.status == PanelStatus.OPEN


def memberships_of(panel: Panel) -> list[Membership]:
    return list(
        Membership.objects.filter(panel=panel)
        .select_related("user", "invited_by", "group")
        .order_by("invited_at", "id")
    )


def sort_members(panel: Panel, memberships: list[Membership]) -> PanelMembers:
    places = places_of(m.user_id for m in memberships)
    rows = {status: [] for status in Membership.Status.values}
    for membership in memberships:
        rows[membership.status].append(MemberRow(membership, places.get(membership.user_id, [])))
    rows[Membership.Status.ACCEPTED].sort(key=lambda row: row.membership.role != Membership.Role.LEAD)
    return rows


def get_panel_members_for_user(request, panel_id: int) -> PanelMembers:
    """The panel's people for anyone on it (3 queries after the panel's own)."""
    access = get_panel_for_user(request, panel_id)
    rows = sort_members(access.panel, memberships_of(access.panel))
    return PanelMembers(
        access,
        members=rows[Membership.Status.ACCEPTED],
        invited=rows[Membership.Status.INVITED],
        declined=rows[Membership.Status.DECLINED],
        removed=rows[Membership.Status.REMOVED],
    )


def groups_to_invite(panel: Panel) -> list[ExpertGroup]:
    """Expert groups of the panel's ERN first, then the others."""
    groups = list(ExpertGroup.objects.select_related("ern").order_by("ern__code", "name"))
    return sorted(groups, key=lambda group: group.ern_id != panel.ern_id)
