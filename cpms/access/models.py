"""The access-request desk: applications, their organisation trees and profiles, requests and grants.

A grant is (application, organisation, profile). Organisations form a tree per application:
ERN → country → institution (healthcare provider, or "0000 Guest Access").
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cpms.lib.text import folded

GUEST_CODE = "0000"
GUEST_GRANT_LIFETIME = timedelta(days=90)


class Application(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_requestable = models.BooleanField(_("open to access requests"), default=True)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class OrganisationNode(models.Model):
    class Kind(models.TextChoices):
        ERN = "ern", _("European Reference Network")
        COUNTRY = "country", _("Country")
        INSTITUTION = "institution", _("Institution")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="organisations")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # The ERN this node belongs to (itself for an ERN): coordinators' queues filter on it.
    ern = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255, blank=True)  # blank for "COVID-19"
    description = models.TextField(_("description"), blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    # folded(code, name, city): what a search matches, accents and case ignored (see search_text_of).
    search_name = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["application", "parent", "code"], name="access_node_unique_code"),
            models.UniqueConstraint(
                fields=["application", "code"], condition=Q(parent=None), name="access_root_unique_code"
            ),
        ]
        indexes = [models.Index(fields=["parent", "code"]), models.Index(fields=["ern", "kind"])]

    def __str__(self) -> str:
        return self.label

    @staticmethod
    def search_text_of(code: str, name: str, city: str = "") -> str:
        return folded(" ".join(part for part in (code, name, city) if part))[:300]

    @property
    def label(self) -> str:
        """As the seed shows it: "ERN-RND - Neurological Diseases", "DE22 - University Hospital …".

        Names of ERNs and countries are reference data translated like interface strings (their
        msgids are in data_strings.py); institutions keep their own names.
        """
        if self.kind == self.Kind.COUNTRY:
            return gettext(self.name)
        if self.is_guest:
            return f"{self.code} {gettext(self.name)}"  # "0000 Guest Access"
        if self.kind == self.Kind.ERN and self.name:
            return f"{self.code} - {gettext(self.name)}"
        return f"{self.code} - {self.name}" if self.name else self.code

    @property
    def is_guest(self) -> bool:
        return self.kind == self.Kind.INSTITUTION and self.code == GUEST_CODE


class AccessProfile(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="profiles")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=255)
    # Coordinator and Dispatcher need an HP grant in the same ERN.
    requires = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    position = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="access_profile_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language (reference data, msgids in data_strings.py)."""
        return gettext(self.name)

    @property
    def display_description(self) -> str:
        return gettext(self.description) if self.description else ""


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for validation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    ern = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    profile = models.ForeignKey(AccessProfile, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comments"), blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "organisation", "profile"],
                condition=Q(status="pending"),
                name="access_one_pending_request",
            )
        ]
        # The validation queue, newest first and by position ((created_at, id) keyset), is read
        # with application_id = … AND ern_id IN (…) for a coordinator, on everything for an
        # administrator; the dashboard counts the pending ones from the first index alone.
        indexes = [
            models.Index(
                fields=["application", "ern", "status", "-created_at", "-id"],
                name="access_req_scope_status_new",
            ),
            models.Index(fields=["application", "ern", "-created_at", "-id"], name="access_req_scope_new"),
            models.Index(fields=["status", "-created_at", "-id"], name="access_req_status_new"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} at {self.organisation} for {self.requester_id}"


class GrantQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at=None).filter(Q(expires_at=None) | Q(expires_at__gt=at))


class Grant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    ern = models.ForeignKey(OrganisationNode, on_delete=models.PROTECT, related_name="+")
    profile = models.ForeignKey(AccessProfile, on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(
        AccessRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="grant"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True, max_length=2000)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Manage access lists grants not revoked, newest first by position, in the coordinator's
        # ERNs (expires_at last, so that counting the active ones needs the index alone); the guests
        # to renew by expiry.
        indexes = [
            models.Index(fields=["user", "application", "revoked_at"]),
            models.Index(fields=["ern", "profile"]),
            models.Index(
                fields=["application", "ern", "-created_at", "-id", "expires_at"],
                condition=Q(revoked_at=None),
                name="access_grant_scope_new",
            ),
            models.Index(
                fields=["-created_at", "-id"], condition=Q(revoked_at=None), name="access_grant_new"
            ),
            models.Index(
                fields=["application", "ern", "expires_at"],
                condition=Q(revoked_at=None),
                name="access_grant_scope_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} at {self.organisation} for {self.user_id}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
