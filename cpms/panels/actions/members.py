"""Members of a panel: the lead invites (one expert, an expert group, the followers of a thematic
area), invitees accept or decline, the lead removes a member. Each step locks the panel, re-checks
who acts and the panel's state, writes, records and notifies.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.access.queries.grants import COORDINATOR
from cpms.access.queries.scopes import access_of
from cpms.audit.record import record
from cpms.clinical.models import ErnPreference, ThematicArea

from ..member_removals import member_removed
from ..models import ExpertGroup, Membership, Notification, Panel, PanelStatus
from ..notifications import notify
from ..queries.experts import experts
from . import PanelActionRefused, lock_panel, require_status, touch

INVITED = "panels.member.invited"
ACCEPTED = "panels.invitation.accepted"
DECLINED = "panels.invitation.declined"
REMOVED = "panels.member.removed"
# What a group or a thematic area may bring at most in one click (a typo must not invite an ERN).
MAX_INVITED_AT_ONCE = 200


@dataclass
class Invitations:
    invited: list[Membership] = field(default_factory=list)
    already: int = 0  # on the panel already (or who declined or were removed: not invited again)


def require_lead(panel: Panel, acting_user) -> None:
    is_lead = (
        panel.lead_id == acting_user.pk
        and Membership.objects.filter(
            panel=panel, user=acting_user, status=Membership.Status.ACCEPTED
        ).exists()
    )
    if not is_lead:
        raise PermissionDenied


def invite(panel: Panel, acting_user, user_ids, *, via: str, group=None, again=False) -> Invitations:
    """Invite these experts (ids already known to hold HP); skip anyone with a row, unless `again`."""
    user_ids = set(user_ids) - {acting_user.pk}
    existing = {m.user_id: m for m in Membership.objects.filter(panel=panel, user_id__in=user_ids)}
    result = Invitations()
    now = timezone.now()
    for user_id in sorted(user_ids):
        membership = existing.get(user_id)
        if membership is None:
            membership = Membership(panel=panel, user_id=user_id)
        elif again and membership.status in (Membership.Status.DECLINED, Membership.Status.REMOVED):
            membership.decline_reason, membership.answered_at, membership.removed_at = "", None, None
        else:
            result.already += 1
            continue
        membership.status, membership.role, membership.via = (
            Membership.Status.INVITED,
            Membership.Role.MEMBER,
            via,
        )
        membership.group, membership.invited_by, membership.invited_at = group, acting_user, now
        membership.save()
        record(acting_user, INVITED, membership, {"panel": panel.reference, "user": user_id, "via": via})
        result.invited.append(membership)
    if result.invited:
        touch(panel)
        notify([m.user_id for m in result.invited], Notification.Kind.INVITED, panel, actor=acting_user)
    return result


def expert_ids(user_ids) -> list[int]:
    return list(experts().filter(pk__in=list(user_ids)).values_list("pk", flat=True)[:MAX_INVITED_AT_ONCE])


def checked_panel(panel: Panel, acting_user) -> Panel:
    panel = lock_panel(panel)
    require_lead(panel, acting_user)
    require_status(panel, PanelStatus.OPEN)
    return panel


@transaction.atomic
def do_invite_member(*, acting_user, panel: Panel, user_id: int) -> Invitations:
    """Invite one expert (any ERN, or a guest); again, if they had declined or been removed."""
    panel = checked_panel(panel, acting_user)
    if user_id == acting_user.pk:
        raise PanelActionRefused(_("You lead this panel already."))
    if not expert_ids([user_id]):
        raise PanelActionRefused(_("Only experts (an HP access in force in CPMS) can be invited."))
    result = invite(panel, acting_user, [user_id], via=Membership.Via.INDIVIDUAL, again=True)
    if not result.invited:
        raise PanelActionRefused(_("This expert is on the panel or invited already."))
    return result


@transaction.atomic
def do_invite_expert_group(*, acting_user, panel: Panel, group: ExpertGroup) -> Invitations:
    """Invite every member of an expert group who is not on the panel yet."""
    panel = checked_panel(panel, acting_user)
    members = expert_ids(group.members.values_list("pk", flat=True))
    return invite(panel, acting_user, members, via=Membership.Via.GROUP, group=group)


@transaction.atomic
def do_invite_area_followers(*, acting_user, panel: Panel, area: ThematicArea) -> Invitations:
    """Invite everyone who follows this thematic area (their ERN Preferences) and is not on the panel yet."""
    panel = checked_panel(panel, acting_user)
    followers = ErnPreference.objects.filter(thematic_areas=area).values_list("user_id", flat=True)
    return invite(panel, acting_user, expert_ids(followers), via=Membership.Via.THEMATIC_AREA)


def own_invitation(panel: Panel, acting_user) -> Membership:
    membership = Membership.objects.select_for_update().filter(panel=panel, user=acting_user).first()
    if membership is None or membership.status in (Membership.Status.REMOVED, Membership.Status.DECLINED):
        raise PermissionDenied
    if membership.status != Membership.Status.INVITED:
        raise PanelActionRefused(_("You have answered this invitation already."))
    return membership


@transaction.atomic
def do_accept_invitation(*, acting_user, panel: Panel) -> Membership:
    panel = lock_panel(panel)
    membership = own_invitation(panel, acting_user)
    require_status(panel, PanelStatus.OPEN)
    membership.status, membership.answered_at = Membership.Status.ACCEPTED, timezone.now()
    membership.save(update_fields=["status", "answered_at"])
    touch(panel)
    record(acting_user, ACCEPTED, membership, {"panel": panel.reference})
    notify([panel.lead_id], Notification.Kind.INVITATION_ACCEPTED, panel, actor=acting_user)
    return membership


@transaction.atomic
def do_decline_invitation(*, acting_user, panel: Panel, reason: str) -> Membership:
    panel = lock_panel(panel)
    membership = own_invitation(panel, acting_user)
    require_status(panel, PanelStatus.OPEN)
    membership.status, membership.answered_at = Membership.Status.DECLINED, timezone.now()
    membership.decline_reason = reason
    membership.save(update_fields=["status", "answered_at", "decline_reason"])
    touch(panel)
    record(acting_user, DECLINED, membership, {"panel": panel.reference})
    notify([panel.lead_id], Notification.Kind.INVITATION_DECLINED, panel, actor=acting_user)
    return membership


@transaction.atomic
def do_remove_member(*, acting_user, panel: Panel, membership_id: int) -> Membership:
    """Remove a member (or withdraw an invitation); they lose access on their next request."""
    panel = checked_panel(panel, acting_user)
    membership = Membership.objects.select_for_update().filter(panel=panel, pk=membership_id).first()
    if membership is None:
        raise PanelActionRefused(_("This person is not on the panel."))
    if membership.role == Membership.Role.LEAD or membership.user_id == panel.lead_id:
        raise PanelActionRefused(_("The panel lead cannot be removed from the panel."))
    if membership.status not in (Membership.Status.INVITED, Membership.Status.ACCEPTED):
        raise PanelActionRefused(_("This person is not on the panel."))
    old = membership.status
    membership.status, membership.removed_at = Membership.Status.REMOVED, timezone.now()
    membership.save(update_fields=["status", "removed_at"])
    touch(panel)
    record(
        acting_user,
        REMOVED,
        membership,
        {"panel": panel.reference, "user": membership.user_id, "status": {"old": old, "new": "removed"}},
    )
    notify([membership.user_id], Notification.Kind.REMOVED, panel, actor=acting_user)
    member_removed(panel.pk, membership.user_id)
    return membership


# -- expert groups: the coordinators of the group's ERN manage them

GROUP_CREATED = "panels.expert_group.created"
GROUP_CHANGED = "panels.expert_group.changed"
GROUP_DELETED = "panels.expert_group.deleted"


def require_coordinator(acting_user, ern_id: int) -> None:
    if ern_id not in access_of(acting_user).ern_ids("cpms", profiles=(COORDINATOR,)):
        raise PermissionDenied


@transaction.atomic
def do_create_expert_group(*, acting_user, ern, name: str, thematic_area=None, members=()) -> ExpertGroup:
    require_coordinator(acting_user, ern.pk)
    group = ExpertGroup.objects.create(ern=ern, name=name, thematic_area=thematic_area)
    group.members.set(members)
    record(
        acting_user,
        GROUP_CREATED,
        group,
        {"ern": ern.code, "name": name, "members": sorted(m.pk for m in members)},
    )
    return group


@transaction.atomic
def do_change_expert_group(
    *, acting_user, group: ExpertGroup, name: str, thematic_area, members
) -> ExpertGroup:
    group = ExpertGroup.objects.select_for_update().get(pk=group.pk)
    require_coordinator(acting_user, group.ern_id)
    old_members = sorted(group.members.values_list("pk", flat=True))
    new_members = sorted(m.pk for m in members)
    changes = {}
    if group.name != name:
        changes["name"] = {"old": group.name, "new": name}
    if group.thematic_area_id != getattr(thematic_area, "pk", None):
        changes["thematic_area"] = {"old": group.thematic_area_id, "new": getattr(thematic_area, "pk", None)}
    if old_members != new_members:
        changes["members"] = {"old": old_members, "new": new_members}
    group.name, group.thematic_area = name, thematic_area
    group.save(update_fields=["name", "thematic_area"])
    group.members.set(members)
    if changes:
        record(acting_user, GROUP_CHANGED, group, changes)
    return group


@transaction.atomic
def do_delete_expert_group(*, acting_user, group: ExpertGroup) -> None:
    group = ExpertGroup.objects.select_for_update().get(pk=group.pk)
    require_coordinator(acting_user, group.ern_id)
    record(acting_user, GROUP_DELETED, group, {"ern": group.ern_id, "name": group.name})
    group.delete()
