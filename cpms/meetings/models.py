"""Meetings: a scheduled video session whose agenda runs through one or several panels, its
invitations and answers, the room's lobby and attendance, the chat, and the notes filed to the panels.

A meeting travels under the panels' pseudonyms: nothing here holds an identifying field. Rows are
read through a scope (`Meeting.objects.filter()` raises `UnscopedQuery`): see queries.py.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpms.access.models import OrganisationNode
from cpms.lib.crypto import EncryptedTextField
from cpms.panels.models import Panel
from cpms.patients.scoping import ScopedManager


def new_calendar_uid() -> str:
    """The iCalendar UID: stable for the meeting's whole life, so calendars update the same event."""
    return f"{uuid.uuid4()}@cpms"


class MeetingManager(ScopedManager):
    def with_ids(self, meeting_ids) -> models.QuerySet:
        """These meetings (ids the caller has already scoped: a user's invitations, their own)."""
        return self.unscoped().filter(pk__in=list(meeting_ids))

    def organised_by(self, user) -> models.QuerySet:
        return self.unscoped().filter(organiser=user)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")

    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The ERN of the panels on the agenda: its coordinators may organise and see the board session.
    ern = models.ForeignKey(
        OrganisationNode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": OrganisationNode.Kind.ERN},
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    # Stored in UTC; `time_zone` is the organiser's (IANA name), in which the meeting was planned.
    starts_at = models.DateTimeField(_("start"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)

    # iCalendar: the UID never changes; SEQUENCE goes up with every change sent to the invitees.
    calendar_uid = models.CharField(max_length=80, unique=True, default=new_calendar_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)

    # Written by the organiser in the room or after it; the agenda items carry the per-case notes.
    notes = models.TextField(_("notes"), max_length=20000, blank=True)
    notes_updated_at = models.DateTimeField(null=True, blank=True)

    room_opened_at = models.DateTimeField(null=True, blank=True)
    # The room: the agenda item under discussion (the organiser moves it; everyone sees it).
    current_agenda_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    # Reminders by the background worker (cpms/meetings/tasks.py): a day before, 15 minutes before.
    reminded_day_before_at = models.DateTimeField(null=True, blank=True)
    reminded_soon_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingManager()

    class Meta:
        ordering = ("starts_at", "pk")
        indexes = [models.Index(fields=("status", "starts_at"), name="meetings_status_start")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"M-{self.pk:06d}" if self.pk else "M-new"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class AgendaItem(models.Model):
    """One slot of the agenda: a panel's case, or a free item (a welcome, any other business)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    panel = models.ForeignKey(
        Panel, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("slot (minutes)"), default=15)
    # The notes on this case, filed to its panel (shown on the panel's page).
    notes = models.TextField(_("notes"), max_length=20000, blank=True)

    class Meta:
        ordering = ("meeting", "position", "pk")
        indexes = [models.Index(fields=("panel", "meeting"), name="meetings_agenda_panel")]

    def __str__(self) -> str:
        return self.title or (self.panel.reference if self.panel_id else "")


class Invitation(models.Model):
    class Response(models.TextChoices):
        # The iCalendar PARTSTAT values, lower-cased.
        NEEDS_ACTION = "needs-action", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        TENTATIVE = "tentative", _("Tentative")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    response = models.CharField(max_length=12, choices=Response.choices, default=Response.NEEDS_ACTION)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Invited as a member of this panel: removed from the panel, they lose the meeting too.
    via_panel = models.ForeignKey(Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Taken off the meeting by the organiser: kept, so that their calendar gets the cancellation.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("meeting", "user"), name="meetings_one_invitation")]
        indexes = [models.Index(fields=("user", "meeting"), name="meetings_invitation_user")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id} {self.response}"


class Attendance(models.Model):
    """One stay in the room: knocked at the lobby, admitted (or not), left."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    knocked_at = models.DateTimeField(default=timezone.now)
    admitted_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    left_at = models.DateTimeField(null=True, blank=True)
    # The organiser turned the knock away (the room: refused at the lobby).
    refused_at = models.DateTimeField(null=True, blank=True)
    # The room's heartbeat (every 30 s): a stay not seen for a while is a connection that died
    # without saying goodbye (a server restart), not someone in the room.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("meeting", "knocked_at", "pk")
        indexes = [models.Index(fields=("meeting", "user"), name="meetings_attendance_user")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id} {self.knocked_at:%Y-%m-%d %H:%M}"


class ChatMessage(models.Model):
    """A chat line of the room, saved with the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="chat_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("meeting", "sent_at", "pk")
        indexes = [models.Index(fields=("meeting", "sent_at"), name="meetings_chat_sent")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.author_id} {self.sent_at:%H:%M}"


class CalendarFeed(models.Model):
    """A user's personal iCalendar feed. The secret in its URL is stored encrypted (the user sees it
    again on their page) and found by its blind index (cpms.lib.crypto.blind_index); a new secret
    revokes the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = EncryptedTextField()
    token_index = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
