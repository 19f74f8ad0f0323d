"""A patient enrolled at a centre, the consents they gave, and the documents kept for them.

Identifying fields are encrypted one by one with keys outside the database (cpms.lib.crypto) and
shown only inside the enrolling centre; everywhere else a patient is the ERN pseudonym. Exact look-ups
(a hospital number, a second enrolment of the same person) go through keyed blind indexes.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cpms.lib.crypto import EncryptedTextField

from ..scoping import PatientManager, ScopedManager


class Sex(models.TextChoices):
    """Sex at birth, as the ERDRI common data set codes it."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNDETERMINED = "undetermined", _("Undetermined")
    UNKNOWN = "unknown", _("Unknown")


class VitalStatus(models.TextChoices):
    """ERDRI common data set: vital status."""

    ALIVE = "alive", _("Alive")
    DEAD = "dead", _("Dead")
    LOST = "lost", _("Lost to follow-up")
    OPTED_OUT = "opted_out", _("Opted out")


class ConsentKind(models.TextChoices):
    """The three consents of the real CPMS."""

    CARE = "care", _("Consent for care")
    REGISTRIES = "registries", _("Consent for ERN registries and databases")
    RESEARCH_CONTACT = "research_contact", _("Consent to be contacted for research")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("consent", "Withdrawn")  # masculine in French, unlike a request
    NOT_ASKED = "not_asked", _("Not recorded")


class Patient(models.Model):
    pseudonym = models.CharField(_("ERN pseudonym"), max_length=20, unique=True)
    centre = models.ForeignKey(
        "access.OrganisationNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre")
    )
    ern = models.ForeignKey("access.OrganisationNode", on_delete=models.PROTECT, related_name="+")

    # -- identifying: encrypted, shown inside the enrolling centre only; blank once removed
    given_names = EncryptedTextField(_("given names"), blank=True)
    family_name = EncryptedTextField(_("family name"), blank=True)
    birth_date = EncryptedTextField(_("date of birth"), blank=True)  # ISO 8601, see `date_of_birth`
    hospital_number = EncryptedTextField(_("local hospital number"), blank=True)
    national_id = EncryptedTextField(_("national identifier"), blank=True)
    # Keyed hashes (HMAC with settings.BLIND_INDEX_KEY) of the normalised hospital number, and of the
    # folded names with the date of birth, each salted with the centre: exact matches, nothing readable.
    hospital_number_index = models.CharField(max_length=64, blank=True)
    identity_index = models.CharField(max_length=64, blank=True)

    # -- clinical, seen wherever the patient's case is
    sex_at_birth = models.CharField(_("sex at birth"), max_length=12, choices=Sex.choices)
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    country_of_residence = models.CharField(_("country of residence"), max_length=2, blank=True)
    vital_status = models.CharField(
        _("vital status"), max_length=10, choices=VitalStatus.choices, default=VitalStatus.ALIVE
    )

    # -- the consents in force, kept here by the consent actions so that a list and a gate read one row
    care_consent = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.NOT_ASKED
    )
    registries_consent = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.NOT_ASKED
    )
    research_contact_consent = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.NOT_ASKED
    )

    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)  # identity and forms erased; the trail stays

    objects = PatientManager()

    class Meta:
        indexes = [
            models.Index(fields=["centre", "-id"], name="patients_centre_newest"),
            models.Index(fields=["centre", "hospital_number_index"], name="patients_centre_hospital_no"),
            models.Index(fields=["centre", "identity_index"], name="patients_centre_identity"),
            # The KPI page's counts of an ERN's patients enrolled before and within a period.
            models.Index(
                fields=["ern", "centre", "enrolled_at"],
                name="patients_ern_enrolled",
                condition=models.Q(removed_at=None),
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def date_of_birth(self) -> datetime.date | None:
        return datetime.date.fromisoformat(self.birth_date) if self.birth_date else None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Document(models.Model):
    """A file kept for a patient (a signed consent form, a case attachment), stored encrypted.

    The bytes are encrypted before they reach the storage (a local folder, or object storage in
    production); the file name may carry the patient's name, so it is encrypted too.
    """

    class Kind(models.TextChoices):
        CONSENT_FORM = "consent_form", _("Signed consent form")
        ATTACHMENT = "attachment", _("Attachment")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)  # found from the content, never from the name
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=255)  # where the encrypted bytes are, in default storage
    sha256 = models.CharField(max_length=64)  # of the plain bytes
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Consent(models.Model):
    """One recording of one consent: given, refused or withdrawn, on a date, by whom, with the form.

    A patient's consent history is these rows; the newest per kind is in force (mirrored on Patient).
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent"), max_length=16, choices=ConsentKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    date = models.DateField(_("date"))  # when the patient gave, refused or withdrew it
    form = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["patient", "kind", "-recorded_at"], name="patients_consent_newest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"
