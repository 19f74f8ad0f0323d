"""Panels: a request for assistance on one patient's case, its triage, its members, the discussion,
the outcome, and the notifications that move it along.

A panel travels under the patient's ERN pseudonym: nothing here holds an identifying field, and
members outside the enrolling centre reach the case only through the panel (cpms/panels/queries.py).
Rows are read through a scope: `Panel.objects.filter()` raises `UnscopedQuery`, as patients do.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpms.access.models import OrganisationNode
from cpms.clinical.models import ThematicArea
from cpms.patients.models import Patient
from cpms.patients.scoping import ScopedManager

ERN_ONLY = {"kind": OrganisationNode.Kind.ERN}


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class PanelStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("panel", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("panel", "Submitted")
    RETURNED = "returned", pgettext_lazy("panel", "Returned to the requester")
    OPEN = "open", pgettext_lazy("panel", "Open")
    CLOSED = "closed", pgettext_lazy("panel", "Closed")
    ARCHIVED = "archived", pgettext_lazy("panel", "Archived")


class PanelManager(ScopedManager):
    def with_ids(self, panel_ids) -> models.QuerySet:
        """These panels (ids the caller has already scoped: a user's memberships, an ERN's queue)."""
        return self.unscoped().filter(pk__in=list(panel_ids))

    def in_erns(self, ern_ids) -> models.QuerySet:
        """The panels of these ERNs: the scope of coordinators and dispatchers."""
        return self.unscoped().filter(ern_id__in=list(ern_ids))

    def requested_by(self, user) -> models.QuerySet:
        return self.unscoped().filter(requester=user)


class Panel(models.Model):
    """A virtual advisory board on one patient's case, from the draft request to the archive."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="panels")
    # The ERN and thematic area that handle it now (a forward changes them); the requesting centre stays.
    ern = models.ForeignKey(
        OrganisationNode, on_delete=models.PROTECT, limit_choices_to=ERN_ONLY, related_name="+"
    )
    thematic_area = models.ForeignKey(
        ThematicArea, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    centre = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    title = models.CharField(_("title"), max_length=200, blank=True)
    question = models.TextField(_("question to the panel"), max_length=5000, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    wished_answer_date = models.DateField(_("wished answer date"), null=True, blank=True)
    # Slugs of the case sections the members see (cpms/patients/forms/case.py SECTIONS).
    shared_sections = models.JSONField(_("sections of the case shared"), default=list, blank=True)
    status = models.CharField(max_length=10, choices=PanelStatus.choices, default=PanelStatus.DRAFT)

    # -- the clock of a panel (kept per panel: monitoring and reminders read them)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_contribution_at = models.DateTimeField(null=True, blank=True)
    outcome_signed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # -- reminders already sent, so that the sweep sends each one once
    wished_date_reminded_at = models.DateTimeField(null=True, blank=True)
    close_rule_reminded_at = models.DateTimeField(null=True, blank=True)
    # -- on close, with registries consent: the lead sent the case to the research store (issue 14)
    sent_to_research_at = models.DateTimeField(null=True, blank=True)

    objects = PanelManager()

    class Meta:
        indexes = [
            # The requests queue of an ERN (urgent first) and its dashboards.
            models.Index(fields=["ern", "status", "urgency", "submitted_at"], name="panels_queue"),
            models.Index(fields=["lead", "status"], name="panels_by_lead"),
            models.Index(fields=["requester", "status"], name="panels_by_requester"),
            models.Index(fields=["centre", "status"], name="panels_by_centre"),
            models.Index(fields=["status", "wished_answer_date"], name="panels_by_wished_date"),
            # The queue in its own order (urgent first, then the oldest): read by the index, no sort.
            models.Index(
                fields=["ern", "status", "-urgency", "submitted_at", "id"], name="panels_queue_order"
            ),
            # "As panel lead": the first open or closed panels a user leads, in the dashboard's order.
            models.Index(
                fields=["lead", "-urgency", "-updated_at", "-id"],
                name="panels_led_in_order",
                condition=models.Q(status__in=("open", "closed")),
            ),
            # The KPIs of an ERN (cpms/reports/kpis.py): each month's count is a range of one index, read
            # from the index alone, and so are the requests per centre, area and patient and the outcomes.
            # The id ends the two whose panels are joined to their contributions: on PostgreSQL an index
            # entry does not hold the key, and without it every such panel is read from the table.
            models.Index(
                fields=["ern", "submitted_at", "centre", "thematic_area", "patient", "id"],
                name="panels_kpi_requested",
            ),
            models.Index(fields=["ern", "accepted_at", "submitted_at"], name="panels_kpi_opened"),
            models.Index(fields=["ern", "closed_at", "submitted_at", "id"], name="panels_kpi_closed"),
            models.Index(
                fields=["ern", "outcome_signed_at", "urgency", "submitted_at", "wished_answer_date"],
                name="panels_kpi_outcomes",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """How people name a panel: "P-000042"."""
        return f"P-{self.pk:06d}" if self.pk else "P-new"

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT

    def get_status_display(self) -> str:
        """The state's label in the current language. Django's own hashes every label of the choices
        (each a lazy translation) to look one up, on every call: 6 translations per row of a list."""
        try:
            return PanelStatus(self.status).label
        except ValueError:
            return self.status


class TriageNote(models.Model):
    """One step of the triage thread between the ERN's coordinators or dispatchers and the requester."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with a question")
        ANSWERED = "answered", _("Answered and resubmitted")
        FORWARDED = "forwarded", _("Forwarded")
        ACCEPTED = "accepted", _("Accepted")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="triage_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True, max_length=5000)
    # A forward: where from and where to.
    from_ern = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, null=True, related_name="+")
    to_ern = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, null=True, related_name="+")
    from_area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, null=True, related_name="+")
    to_area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.panel_id}"


class ExpertGroup(models.Model):
    """A named group of experts of one ERN ("Movement disorders board"), invited in one click."""

    ern = models.ForeignKey(
        OrganisationNode, on_delete=models.CASCADE, limit_choices_to=ERN_ONLY, related_name="+"
    )
    thematic_area = models.ForeignKey(
        ThematicArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="expert_groups")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["ern", "name"], name="panels_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person on a panel: its lead, or an invited expert (of any ERN, or a guest)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Panel lead")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REMOVED = "removed", _("Removed")

    class Via(models.TextChoices):
        LEAD = "lead", _("Panel lead")
        INDIVIDUAL = "individual", _("Invited individually")
        GROUP = "group", _("Invited with an expert group")
        THEMATIC_AREA = "thematic_area", _("Invited as a follower of the thematic area")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    via = models.CharField(max_length=14, choices=Via.choices, default=Via.INDIVIDUAL)
    group = models.ForeignKey(ExpertGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=2000)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Read marker: contributions after this moment are new to this member.
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="panels_one_membership")]
        indexes = [
            models.Index(fields=["user", "status"], name="panels_memberships_of_user"),
            # A user's places of one role, their panels read from the index alone.
            models.Index(fields=["user", "status", "role", "panel"], name="panels_places_of_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.panel_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACCEPTED


class Contribution(models.Model):
    """One message of a panel's discussion: an opinion, a request for more information, or its answer."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Contribution")
        INFORMATION_REQUEST = "info_request", _("Request for more information")
        INFORMATION_ANSWER = "info_answer", _("Answer to a request for information")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="contributions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CONTRIBUTION)
    # Formatted text as its author wrote it (a small Markdown subset), rendered and sanitised on display.
    text = models.TextField(_("text"), max_length=20000)
    answers = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="answered_by"
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["panel", "created_at"], name="panels_thread"),
            models.Index(fields=["author", "panel"], name="panels_contributions_by"),
            # The questions a requester has to answer (My panels): a few rows among the contributions.
            models.Index(
                fields=["panel", "created_at"],
                condition=models.Q(kind="info_request"),
                name="panels_information_requests",
            ),
            # The KPIs: a panel's opinions, and who wrote them when, read from the index alone.
            models.Index(fields=["panel", "kind", "created_at", "author"], name="panels_kpi_contributions"),
            # The KPIs' opinions written in a period, per author: a range of this index alone.
            models.Index(
                fields=["kind", "created_at", "panel", "author"], name="panels_kpi_opinions_written"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} on {self.panel_id}"


class ContributionAttachment(models.Model):
    """A file added to a contribution, stored encrypted (as patients' documents are)."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # The encrypted bytes, in the file storage (cpms/panels/attachments.py).
    storage_name = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class OutcomeVersion(models.Model):
    """One version of the outcome the lead drafts; the last one submitted is what members sign."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="outcome_versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(_("findings"), max_length=20000)
    recommendations = models.TextField(_("recommendations"), max_length=20000)
    treatment_plan = models.TextField(_("proposed treatment plan"), blank=True, max_length=20000)
    follow_up = models.TextField(_("follow-up"), blank=True, max_length=20000)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the lead asks the members to sign this version; a later version replaces it.
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)  # when the last signature arrived
    # The PDF letter of a signed version, encrypted in the file storage.
    letter_storage_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["panel", "number"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "number"], name="panels_outcome_version_once")
        ]
        indexes = [
            # The versions waiting for signatures (submitted, not signed): "To sign" starts from them.
            models.Index(
                fields=["panel", "number"],
                name="panels_outcomes_to_sign",
                condition=models.Q(submitted_at__isnull=False, signed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Outcome v{self.number} of {self.panel_id}"


class Signoff(models.Model):
    """A member's answer to an outcome version: signed, or changes asked for."""

    class Decision(models.TextChoices):
        SIGNED = "signed", _("Signed")
        CHANGES_REQUESTED = "changes", _("Changes requested")

    version = models.ForeignKey(OutcomeVersion, on_delete=models.CASCADE, related_name="signoffs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="panels_signoff_once")]

    def __str__(self) -> str:
        return f"{self.decision} by {self.user_id} on {self.version_id}"


class Notification(models.Model):
    """Something a person should know about a panel, in the application and (by their settings) by e-mail."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("New request for assistance")
        RETURNED = "returned", _("Request returned with a question")
        ANSWERED = "answered", _("Request answered and resubmitted")
        FORWARDED = "forwarded", _("Request forwarded")
        ACCEPTED = "accepted", _("Request accepted")
        INVITED = "invited", _("Invitation to a panel")
        INVITATION_ACCEPTED = "inv_accepted", _("Invitation accepted")
        INVITATION_DECLINED = "inv_declined", _("Invitation declined")
        REMOVED = "removed", _("Removed from a panel")
        CONTRIBUTION = "contribution", _("New contribution")
        MENTIONED = "mentioned", _("You were mentioned")
        INFORMATION_REQUESTED = "info_requested", _("More information requested")
        INFORMATION_ANSWERED = "info_answered", _("Information given")
        OUTCOME_TO_SIGN = "to_sign", _("Outcome ready to sign")
        CHANGES_REQUESTED = "changes", _("Changes asked to the outcome")
        SIGNED = "signed", _("Outcome signed")
        CLOSED = "closed", _("Panel closed")
        ARCHIVED = "archived", _("Panel archived")
        REMINDER_WISHED_DATE = "remind_date", _("Reminder: the wished answer date is near")
        REMINDER_CLOSE_RULE = "remind_close", _("Reminder: fewer than two contributions")
        # -- meetings (cpms/meetings): `meeting_id` names the meeting
        MEETING_INVITED = "meeting_invited", _("Invitation to a meeting")
        MEETING_CHANGED = "meeting_changed", _("Meeting changed")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        # to the organiser: an invitee's answer
        MEETING_ACCEPTED = "meeting_accepted", _("Meeting invitation accepted")
        MEETING_TENTATIVE = "meeting_tentative", _("Meeting invitation accepted tentatively")
        MEETING_DECLINED = "meeting_declined", _("Meeting invitation declined")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # The meeting of a meeting notification: a plain id, as cpms.meetings sits above the panels.
    meeting_id = models.PositiveIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once an e-mail (immediate or in a digest) has told the recipient, so that none is sent twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="panels_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="panels_notifications_of"),
            models.Index(fields=["emailed_at", "recipient"], name="panels_to_email"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationSettings(models.Model):
    """How a person wants to hear about panels by e-mail (the application always shows everything)."""

    class Email(models.TextChoices):
        NOW = "now", _("An e-mail for each notification")
        DIGEST = "digest", _("A daily digest")
        URGENT_ONLY = "urgent", _("No e-mail, except for urgent panels")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="panel_notification_settings"
    )
    email = models.CharField(_("e-mail"), max_length=10, choices=Email.choices, default=Email.NOW)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
