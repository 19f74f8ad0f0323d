"""Every write of scheduling: `do_<verb>_<noun>(*, acting_user, …)`, atomic, checked, audited, and
told to the invitees on commit (cpms/meetings/invitations.py).

Schedule: a panel lead (their open panels) or a Coordinator (the open panels of their ERN) sets a
title, a start in their zone, a duration and an agenda of one or more panels plus free items; the
accepted members of the agenda's panels are invited through their panel, and others by hand.
Change: the same, by the organiser; SEQUENCE goes up and every invitee in force hears of it; an
invitee taken off gets a CANCEL. Cancel: a CANCEL to everyone. Answer: an invitee's PARTSTAT.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpms.access.queries.scopes import access_of
from cpms.audit.record import record
from cpms.panels.models import Membership, Notification, Panel
from cpms.panels.notifications import notify
from cpms.panels.queries.experts import experts

from . import invitations as tell
from .models import AgendaItem, Invitation, Meeting
from .queries import invitation_in_force, schedulable_panels
from .room_news import recheck_places

SCHEDULED = "meetings.meeting.scheduled"
CHANGED = "meetings.meeting.changed"
CANCELLED = "meetings.meeting.cancelled"
INVITEE_ADDED = "meetings.invitee.added"
INVITEE_REMOVED = "meetings.invitee.removed"
ANSWERED = "meetings.invitation.answered"

MIN_DURATION, MAX_DURATION = 15, 8 * 60
MAX_AGENDA_ITEMS = 30
MAX_INVITEES = 200


class MeetingActionRefused(Exception):
    """A step the meeting's state or the user's place does not allow; `message` says why, for the page."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Slot:
    """One item of the agenda as asked for: a panel (with an optional title) or a free item."""

    panel: Panel | None
    title: str
    minutes: int


@dataclass(frozen=True)
class Plan:
    """What the organiser asks for: the meeting, its agenda in order, the invitees added by hand."""

    title: str
    starts_at: object  # an aware datetime
    time_zone: str
    duration_minutes: int
    agenda: tuple[Slot, ...]
    extra_invitee_ids: tuple[int, ...] = ()


def check_plan(plan: Plan, acting_user, *, start_may_be_past=False, keep=()) -> int | None:
    """Refuse a plan the organiser may not make; the ERN of its panels."""
    panels = [slot.panel for slot in plan.agenda if slot.panel is not None]
    if not plan.title.strip():
        raise MeetingActionRefused(_("Give the meeting a title."))
    if not panels:
        raise MeetingActionRefused(_("Put at least one panel on the agenda."))
    if len(plan.agenda) > MAX_AGENDA_ITEMS:
        raise MeetingActionRefused(_("An agenda has at most 30 items."))
    if len({panel.pk for panel in panels}) != len(panels):
        raise MeetingActionRefused(_("A panel is on the agenda twice."))
    allowed = set(
        schedulable_panels(acting_user, access_of(acting_user), keep=keep).values_list("pk", flat=True)
    )
    if any(panel.pk not in allowed for panel in panels):
        raise MeetingActionRefused(
            _("You may only put open panels you lead, or of an ERN you coordinate, on the agenda.")
        )
    if len({panel.ern_id for panel in panels}) > 1:
        raise MeetingActionRefused(_("The panels of one meeting belong to one ERN."))
    if not MIN_DURATION <= plan.duration_minutes <= MAX_DURATION:
        raise MeetingActionRefused(_("A meeting lasts from 15 minutes to 8 hours."))
    if sum(slot.minutes for slot in plan.agenda) > plan.duration_minutes:
        raise MeetingActionRefused(
            _("The agenda's slots take longer than the meeting: lengthen it or shorten them.")
        )
    if not start_may_be_past and plan.starts_at <= timezone.now():
        raise MeetingActionRefused(_("Choose a start in the future."))
    if len(plan.extra_invitee_ids) > MAX_INVITEES:
        raise MeetingActionRefused(_("A meeting has at most 200 invitees added by hand."))
    extra = set(plan.extra_invitee_ids) - {acting_user.pk}
    if extra and experts().filter(pk__in=extra).count() != len(extra):
        raise MeetingActionRefused(_("Only experts (an HP access in force in CPMS) can be invited."))
    return panels[0].ern_id


def wanted_invitees(plan: Plan, organiser) -> dict[int, int | None]:
    """user id → the panel they are invited through (None: added by hand); never the organiser."""
    panel_ids = [slot.panel.pk for slot in plan.agenda if slot.panel is not None]
    wanted: dict[int, int | None] = {}
    members = Membership.objects.filter(panel_id__in=panel_ids, status=Membership.Status.ACCEPTED)
    by_panel = sorted(members.values_list("panel_id", "user_id"), key=lambda row: panel_ids.index(row[0]))
    for panel_id, user_id in by_panel:
        wanted.setdefault(user_id, panel_id)
    for user_id in plan.extra_invitee_ids:
        wanted.setdefault(user_id, None)
    wanted.pop(organiser.pk, None)
    return wanted


def write_agenda(meeting: Meeting, agenda) -> None:
    meeting.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=position,
            panel=slot.panel,
            title=slot.title,
            duration_minutes=slot.minutes,
        )
        for position, slot in enumerate(agenda)
    )


def agenda_of(meeting: Meeting) -> tuple[Slot, ...]:
    return tuple(
        Slot(item.panel, item.title, item.duration_minutes)
        for item in meeting.agenda_items.select_related("panel").order_by("position", "pk")
    )


@transaction.atomic
def do_schedule_meeting(*, acting_user, plan: Plan) -> Meeting:
    ern_id = check_plan(plan, acting_user)
    now = timezone.now()
    meeting = Meeting.objects.unscoped().create(
        organiser=acting_user,
        ern_id=ern_id,
        title=plan.title.strip(),
        starts_at=plan.starts_at,
        time_zone=plan.time_zone,
        duration_minutes=plan.duration_minutes,
        created_at=now,
        updated_at=now,
    )
    write_agenda(meeting, plan.agenda)
    wanted = wanted_invitees(plan, acting_user)
    Invitation.objects.bulk_create(
        Invitation(
            meeting=meeting, user_id=user_id, via_panel_id=panel_id, added_by=acting_user, created_at=now
        )
        for user_id, panel_id in sorted(wanted.items())
    )
    record(
        acting_user,
        SCHEDULED,
        meeting,
        {
            "panels": [slot.panel.reference for slot in plan.agenda if slot.panel],
            "starts_at": meeting.starts_at.isoformat(),
            "invitees": sorted(wanted),
        },
    )
    tell.notify_meeting(meeting, tell.INVITED, wanted, actor=acting_user)
    return meeting


def lock_meeting(meeting: Meeting, acting_user) -> Meeting:
    """The meeting row, locked and read afresh; its organiser only, while it is scheduled and not over."""
    meeting = Meeting.objects.unscoped().select_for_update().select_related("organiser").get(pk=meeting.pk)
    if meeting.organiser_id != acting_user.pk:
        raise PermissionDenied
    if meeting.is_cancelled:
        raise MeetingActionRefused(_("This meeting was cancelled."))
    if meeting.ends_at <= timezone.now():
        raise MeetingActionRefused(_("This meeting is over."))
    return meeting


@dataclass
class Changes:
    meeting: Meeting
    details: bool = False  # title, time, duration or agenda
    added: list[int] | None = None
    removed: list[int] | None = None

    @property
    def any(self) -> bool:
        return self.details or bool(self.added) or bool(self.removed)


@transaction.atomic
def do_change_meeting(*, acting_user, meeting: Meeting, plan: Plan) -> Changes:
    """Apply the plan; SEQUENCE goes up when anything changed, and each invitee hears what concerns them."""
    meeting = lock_meeting(meeting, acting_user)
    time_changed = plan.starts_at != meeting.starts_at or plan.duration_minutes != meeting.duration_minutes
    on_agenda = [slot.panel.pk for slot in agenda_of(meeting) if slot.panel is not None]
    check_plan(plan, acting_user, start_may_be_past=plan.starts_at == meeting.starts_at, keep=on_agenda)
    details = (
        time_changed
        or plan.title.strip() != meeting.title
        or plan.time_zone != meeting.time_zone
        or plan.agenda != agenda_of(meeting)
    )
    wanted = wanted_invitees(plan, acting_user)
    rows = {i.user_id: i for i in Invitation.objects.select_for_update().filter(meeting=meeting)}
    now = timezone.now()
    added, removed, kept = [], [], []
    for user_id, panel_id in sorted(wanted.items()):
        invitation = rows.get(user_id)
        if invitation is None:
            Invitation.objects.create(
                meeting=meeting, user_id=user_id, via_panel_id=panel_id, added_by=acting_user, created_at=now
            )
            added.append(user_id)
        elif invitation.removed_at is not None:
            invitation.removed_at, invitation.via_panel_id, invitation.added_by = None, panel_id, acting_user
            invitation.response, invitation.responded_at = Invitation.Response.NEEDS_ACTION, None
            invitation.save(update_fields=["removed_at", "via_panel", "added_by", "response", "responded_at"])
            added.append(user_id)
        else:
            if invitation.via_panel_id != panel_id:
                invitation.via_panel_id = panel_id
                invitation.save(update_fields=["via_panel"])
            kept.append(user_id)
    for user_id, invitation in sorted(rows.items()):
        if invitation.removed_at is None and user_id not in wanted:
            invitation.removed_at = now
            invitation.save(update_fields=["removed_at"])
            removed.append(user_id)
    changes = Changes(meeting, details, added, removed)
    if not changes.any:
        return changes
    if time_changed:  # a new time asks every invitee again
        Invitation.objects.filter(meeting=meeting, removed_at__isnull=True).update(
            response=Invitation.Response.NEEDS_ACTION, responded_at=None
        )
    meeting.title, meeting.starts_at, meeting.time_zone = plan.title.strip(), plan.starts_at, plan.time_zone
    meeting.duration_minutes, meeting.updated_at = plan.duration_minutes, now
    meeting.sequence += 1
    meeting.save()
    if plan.agenda != agenda_of(meeting):
        write_agenda(meeting, plan.agenda)
    record(
        acting_user,
        CHANGED,
        meeting,
        {"sequence": meeting.sequence, "details": details, "starts_at": meeting.starts_at.isoformat()},
    )
    for user_id in added:
        record(acting_user, INVITEE_ADDED, meeting, {"user": user_id})
    for user_id in removed:
        record(acting_user, INVITEE_REMOVED, meeting, {"user": user_id})
    tell.notify_meeting(meeting, tell.INVITED, added, actor=acting_user)
    tell.notify_meeting(meeting, tell.REMOVED, removed, actor=acting_user)
    recheck_places(meeting.pk, removed)  # their room connections close at once
    if details:
        tell.notify_meeting(meeting, tell.CHANGED, kept, actor=acting_user)
    return changes


@transaction.atomic
def do_cancel_meeting(*, acting_user, meeting: Meeting) -> Meeting:
    meeting = lock_meeting(meeting, acting_user)
    now = timezone.now()
    meeting.status, meeting.cancelled_at, meeting.updated_at = Meeting.Status.CANCELLED, now, now
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "updated_at", "sequence"])
    invitees = list(
        Invitation.objects.filter(meeting=meeting, removed_at__isnull=True).values_list("user_id", flat=True)
    )
    record(acting_user, CANCELLED, meeting, {"sequence": meeting.sequence, "invitees": sorted(invitees)})
    tell.notify_meeting(meeting, tell.CANCELLED, invitees, actor=acting_user)
    recheck_places(meeting.pk)  # everyone in the room or at its lobby, the organiser too
    return meeting


ANSWERS = (Invitation.Response.ACCEPTED, Invitation.Response.TENTATIVE, Invitation.Response.DECLINED)
ANSWER_KINDS = {
    Invitation.Response.ACCEPTED: Notification.Kind.MEETING_ACCEPTED,
    Invitation.Response.TENTATIVE: Notification.Kind.MEETING_TENTATIVE,
    Invitation.Response.DECLINED: Notification.Kind.MEETING_DECLINED,
}


@transaction.atomic
def do_answer_invitation(*, acting_user, meeting: Meeting, response: str) -> Invitation:
    """The invitee's answer (accepted, tentative, declined); again as often as they change their mind."""
    meeting = Meeting.objects.unscoped().select_for_update().get(pk=meeting.pk)
    invitation = invitation_in_force(meeting, acting_user)
    if invitation is None:
        raise PermissionDenied
    if response not in ANSWERS:
        raise MeetingActionRefused(_("Answer accept, tentative or decline."))
    if meeting.is_cancelled:
        raise MeetingActionRefused(_("This meeting was cancelled."))
    if meeting.ends_at <= timezone.now():
        raise MeetingActionRefused(_("This meeting is over."))
    old = invitation.response
    invitation.response, invitation.responded_at = response, timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    record(acting_user, ANSWERED, meeting, {"response": {"old": old, "new": response}})
    if old != response:  # the organiser hears of it: in CPMS, and by e-mail as their settings say
        notify([meeting.organiser_id], ANSWER_KINDS[response], None, actor=acting_user, meeting_id=meeting.pk)
    return invitation
